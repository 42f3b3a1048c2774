#!/usr/bin/env bash
# Webshop import benchmark (issue 5, item 10): N signed WooCommerce orders imported end to end
# by billing_webshop (webhook signature check, event, import cron: customer, confirmed order,
# posted invoice, payment) against the same records made with direct ORM calls, in one database.
#
#   tests/bench/bench_webshop.sh                 N = 1 000 orders
#   tests/bench/bench_webshop.sh --quick         N = 100, a smoke run
#   tests/bench/bench_webshop.sh --n 5000        any N
#   tests/bench/bench_webshop.sh --shop shopify  the same orders through Shopify (issue 16): signed
#            orders/create webhooks, the import reading each order over GraphQL from the local
#            Shopify emulator (addons/billing_webshop/tests/shopify_emulator.py)
#   options: --profile ours|direct (cProfile that contender; prints the top 30 by cumulative
#            time and keeps the .prof), --keep (keep the benchmark database), --interleave (the
#            contenders take turns, 100 orders each, so both see the same load; prints the
#            running ratio after each turn)
#
# Installs billing_webshop (without demo data) into a template database kept while the addon's
# code is unchanged, copies it, runs tests/bench/bench_webshop.py in it and prints the table.
# Exits 0 when both contenders produced N complete orders, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=1000 profile="" keep=0 shop=woocommerce extra_run=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=100 ;;
        --n) n="$2"; shift ;;
        --profile) profile="$2"; shift ;;
        --shop) shop="$2"; shift ;;
        --keep) keep=1 ;;
        --interleave) extra_run+=(--interleave) ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_webshop.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ -z "$profile" || "$profile" =~ ^(ours|direct)$ ]] || die "--profile takes ours or direct"
[[ "$shop" =~ ^(woocommerce|shopify)$ ]] || die "--shop takes woocommerce or shopify"
name=webshop
[ "$shop" = woocommerce ] || name=$shop

bootstrap

OUT="$(bench_out "$name")-$n"
mkdir -p "$OUT"
rm -f "$OUT"/*.prof "$OUT/run.json"

template=$(bench_db "bench_webshop_tpl_$(code_key billing_webshop "" ! -path './i18n/*')")
install_template "$template" billing_webshop

db=$(bench_db "bench_${name}_$n")
copy_db "$template" "$db"
odoo_options "$db"
log "running N=$n in $db ($(elapsed))"
echo "Webshop import benchmark, $shop, N = $n, database $db"
extra=("${extra_run[@]}")
[ -n "$profile" ] && extra+=(--profile "$profile" --profile-file "$OUT/profile-$profile.prof")
rc=0
"$VENV/bin/python" "$BENCH_DIR/bench_webshop.py" run --n "$n" --shop "$shop" --json "$OUT/run.json" "${extra[@]}" -- "${OPTIONS[@]}" || rc=$?
[ "$keep" -eq 1 ] || drop_db "$db"
[ "$rc" -eq 0 ] || die "the benchmark failed; see $OUT/odoo-$db.log"
echo "Odoo log and JSON results in $OUT ($(elapsed))"
