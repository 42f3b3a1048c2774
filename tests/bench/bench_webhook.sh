#!/usr/bin/env bash
# Webhook burst benchmark (issue 19): N signed WooCommerce deliveries sent by S concurrent
# senders to billing_webshop's webhook route on an Odoo server started with --workers W on
# 127.0.0.1; prints accepted per second, p50/p90/p99 answer times, the server's peak RSS and
# that every delivery is stored once; the same burst against GET /web/health and against GET
# /web/binary/company_logo (one SELECT) on the same server gives the floors (their rates, p50/p99
# and the ratios webhook/floor); then the queries of one request of each kind are counted on a
# server that logs them, and those of a delivery listed.
#
#   tests/bench/bench_webhook.sh                        N = 2 000, 20 senders, --workers 4
#   tests/bench/bench_webhook.sh --quick                N = 200, a smoke run
#   tests/bench/bench_webhook.sh --n 5000 --senders 40 --workers 2
#   options: --process (import the queue afterwards and check it; about a second per order),
#            --keep (keep the benchmark database)
#
# Uses the template database of bench_webshop.sh (billing_webshop without demo data), copies
# it, runs tests/bench/bench_webhook.py in it. Exits 0 when every delivery was stored once,
# whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=2000 senders=20 workers=4 keep=0 extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --senders) senders="$2"; shift ;;
        --workers) workers="$2"; shift ;;
        --process) extra+=(--process) ;;
        --keep) keep=1 ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_webhook.sh)" ;;
    esac
    shift
done
for value in "$n" "$senders" "$workers"; do
    [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -gt 0 ] || die "--n, --senders and --workers take positive numbers"
done

bootstrap

OUT="$(bench_out webhook)-$n"
mkdir -p "$OUT"
rm -f "$OUT/run.json"

template=$(bench_db "bench_webshop_tpl_$(code_key billing_webshop "" ! -path './i18n/*')")
install_template "$template" billing_webshop

db=$(bench_db "bench_webhook_$n")
copy_db "$template" "$db"
odoo_options "$db"
log "running N=$n from $senders senders against --workers $workers in $db ($(elapsed))"
rc=0
"$VENV/bin/python" "$BENCH_DIR/bench_webhook.py" run --n "$n" --senders "$senders" --workers "$workers" \
    "${extra[@]}" --json "$OUT/run.json" -- "${OPTIONS[@]}" || rc=$?
[ "$keep" -eq 1 ] || drop_db "$db"
[ "$rc" -eq 0 ] || die "the benchmark failed; see $OUT/odoo-$db.log"
echo "Odoo log and JSON results in $OUT ($(elapsed))"
