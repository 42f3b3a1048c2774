#!/usr/bin/env bash
# SEPA returns benchmark: billing_sepa's bank-report import against OCA account_payment_return
# with its ISO 20022 import (issue 13, item 9), and against the floor: the same entries booked by
# plain core ORM calls.
#
#   tests/bench/bench_returns.sh                 N = 10 000 returns of a collected batch of 10 000 debits
#   tests/bench/bench_returns.sh --quick         N = 200, a smoke run
#   tests/bench/bench_returns.sh --n 2000        any N
#   options: --reuse-seed (keep the seed database and file of an earlier run with the same N),
#            --only ours,floor,oca (run only these contenders, any of the three: the report takes
#            the others from the JSON results of the last run with the same N), --budget S (stop the OCA
#            confirmations after S seconds, default 1200: the report then gives the measured time
#            as a lower bound and the pace), --chunk C (billing_sepa imports C returns per chunk
#            instead of its setting of 1 000, e.g. to see the queries per chunk at a small N; the
#            floor books chunks of the same size),
#            --keep (keep the per-contender copies), --profile (cProfile billing_sepa's import and
#            booking, run here: prints the top 40 by cumulative time, keeps profile-ours.prof in
#            the results folder; implies --cron-workers 1), --cron-workers N (default 2:
#            billing_sepa's background booking runs in an Odoo server started multi-process with
#            N cron workers, as production runs; 1: its two scheduled actions run in the benchmark
#            process, one after the other, each call measured with its queries)
#
# Installs billing_sepa (--without-demo) into a template database keyed by its code, copies it
# into the seed database and seeds it (bench_returns.py seed: N customers with IBANs and active
# mandates, N posted invoices, one batch of the N debits generated, sent and booked, and the
# bank's camt.054.001.02 returning all of them, written to the results folder). Then, in one
# copy of the seed per contender, imports that file: billing_sepa as its users have it; the floor
# (bench_returns_contenders.py's Floor: per chunk, the collection lines unreconciled, the same entries created
# with plain line values, posted with action_post, the same pairs reconciled in one plan, no
# billing_sepa logic; what to book read from the file and the batch beforehand, untimed); and the
# OCA modules (account_payment_return, its import and ISO 20022 import, which needs the OCA's
# account_payment_order) installed into their copy first, untimed, from wheels put into
# .local/anchors/returns (never into the venv's site-packages). Prints them, the ratios and
# the queries per chunk. Exits 0 when every run completed, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 reuse_seed=0 keep=0 only="ours,floor,oca" budget=1200 chunk="" profile=0 cron_workers=2
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --reuse-seed) reuse_seed=1 ;;
        --only) only="$2"; shift ;;
        --budget) budget="$2"; shift ;;
        --chunk) chunk="$2"; shift ;;
        --keep) keep=1 ;;
        --profile) profile=1 ;;
        --cron-workers) cron_workers="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_returns.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ "$budget" =~ ^[0-9]+$ ]] || die "--budget takes a number of seconds"
[[ -z "$chunk" || "$chunk" =~ ^[1-9][0-9]*$ ]] || die "--chunk takes a positive number"
[[ "$cron_workers" =~ ^[1-9][0-9]*$ ]] || die "--cron-workers takes a positive number"
[ "$profile" -eq 0 ] || cron_workers=1
[[ "$only" =~ ^(ours|floor|oca)(,(ours|floor|oca))*$ ]] || die "--only takes contenders among ours,floor,oca"
wants() { [[ ",$only," == *",$1,"* ]]; }

bootstrap

ANCHOR="$LOCAL_DIR/anchors/returns"
OUT="$(bench_out returns)-$n"
mkdir -p "$OUT"
forget_runs "$only" ours floor oca
SEED_DB=$(bench_db "bench_returns_seed_$n")
FILE="$OUT/camt054-returns-$n.xml"
OCA_MODULE=account_payment_return_import_iso20022
OCA_WHEELS=(
    "odoo-addon-account-payment-return==18.0.*" "odoo-addon-account-payment-return-import-iso20022==18.0.*"
    # What the ISO 20022 import depends on: the generic import, and the OCA payment orders.
    "odoo-addon-account-payment-return-import==18.0.*" "odoo-addon-account-payment-order==18.0.*"
    "odoo-addon-account-payment-partner==18.0.*" "odoo-addon-account-payment-mode==18.0.*"
)

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_returns.py" "$@"; }

if wants oca; then
    install_wheels "$ANCHOR" "$OCA_MODULE" "$OUT/pip-oca.log" "the OCA payment return wheels" "${OCA_WHEELS[@]}" \
        || die "the OCA payment return wheels did not install; see $OUT/pip-oca.log"
fi

if [ "$reuse_seed" -eq 1 ] && [ -f "$FILE" ] && seed_reusable "$SEED_DB" bench_returns.n "$n"; then
    log "reusing seed database $SEED_DB"
else
    rm -f "$OUT"/seed.json
    template=$(bench_db "bench_returns_tpl_$(code_key billing_sepa "")")
    install_template "$template" billing_sepa
    copy_db "$template" "$SEED_DB"
    odoo_options "$SEED_DB"
    log "seeding $SEED_DB with N=$n ($(elapsed))"
    echo "Seeding $SEED_DB (N = $n)"
    bench_py seed --n "$n" --file "$FILE" --json "$OUT/seed.json" -- "${OPTIONS[@]}" \
        || die "seeding $SEED_DB failed; see $OUT/odoo-$SEED_DB.log"
fi

run_contender() {  # run_contender CONTENDER [EXTRA ARGS]: import the file in a fresh copy of the seed
    local contender=$1; shift
    local db
    db=$(bench_db "bench_returns_${contender}_$n")
    copy_db "$SEED_DB" "$db"
    if [ "$contender" = oca ]; then
        log "installing $OCA_MODULE into $db, untimed ($(elapsed))"
        odoo_options "$db" "$ANCHOR/odoo/addons"
        # billing_sepa brought to this code too: a seed kept with --reuse-seed may hold an older one.
        "${ODOO_CMD[@]}" -i "$OCA_MODULE" -u billing_sepa --stop-after-init --no-http \
            || die "installing $OCA_MODULE into $db failed; see $OUT/odoo-$db.log"
    else
        # A seed kept with --reuse-seed may hold an older billing_sepa: bring it to this code.
        odoo_options "$db"
        "${ODOO_CMD[@]}" -u billing_sepa --stop-after-init --no-http \
            || die "updating billing_sepa in $db failed; see $OUT/odoo-$db.log"
    fi
    log "running $contender in $db ($(elapsed))"
    echo "Running $contender in $db"
    local rc=0
    bench_py run --contender "$contender" --file "$FILE" --json "$OUT/run-$contender.json" "$@" -- "${OPTIONS[@]}" \
        || rc=$?
    [ "$keep" -eq 1 ] || drop_db "$db"
    [ "$rc" -eq 0 ] || die "the $contender run failed; see $OUT/odoo-$db.log"
}

if wants ours; then
    run_contender ours ${chunk:+--chunk "$chunk"} --cron-workers "$cron_workers" \
        $([ "$profile" -eq 0 ] || echo --profile-file "$OUT/profile-ours.prof")
fi
if wants floor; then run_contender floor ${chunk:+--chunk "$chunk"}; fi
if wants oca; then run_contender oca --budget "$budget"; fi

echo
note_earlier_runs "$only" ours floor oca
bench_py report "$OUT"/seed.json "$OUT"/run-*.json
echo "Odoo logs, the camt.054 file and JSON results in $OUT ($(elapsed))"
