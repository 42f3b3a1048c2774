#!/usr/bin/env bash
# Recurring billing benchmark (issue 18, item 8): one monthly billing run of billing_recurring
# for N customers with three contract lines each against OCA contract's own
# cron_recurring_create_invoice for N other customers alike, in one database.
#
#   tests/bench/bench_recurring.sh               N = 10 000 customers
#   tests/bench/bench_recurring.sh --quick       N = 200, a smoke run
#   tests/bench/bench_recurring.sh --n 2000      any N
#   options: --keep (keep the benchmark database)
#            --profile ours|contract|floor (cProfile that contender; prints the top 40 by
#            cumulative time, keeps the .prof in the results folder)
#            --only LIST (comma-separated contenders to run and seed, of ours, contract, floor;
#            default all three; e.g. --only ours,floor skips contract's slow cron)
#
# Installs billing_recurring (without demo data) into a template database kept while the addon's
# code is unchanged, copies it, runs tests/bench/bench_recurring.py in it and prints the table.
# Exits 0 when the contenders run invoiced the N customers, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 keep=0 profile="" only="ours,contract,floor"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --keep) keep=1 ;;
        --profile) profile="$2"; shift ;;
        --only) only="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_recurring.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ -z "$profile" || "$profile" =~ ^(ours|contract|floor)$ ]] || die "--profile takes ours, contract or floor"
[[ "$only" =~ ^(ours|contract|floor)(,(ours|contract|floor))*$ ]] || die "--only takes a comma-separated list of ours, contract, floor"

bootstrap

OUT="$(bench_out recurring)-$n"
mkdir -p "$OUT"
rm -f "$OUT/run.json"

template=$(bench_db "bench_recurring_tpl_$(code_key billing_recurring "" ! -path './i18n/*')")
install_template "$template" billing_recurring

db=$(bench_db "bench_recurring_$n")
copy_db "$template" "$db"
odoo_options "$db"
log "running N=$n in $db ($(elapsed))"
echo "Recurring billing benchmark, N = $n, database $db"
extra=()
[ -z "$profile" ] || extra=(--profile "$profile" --profile-file "$OUT/profile-$profile.prof")
rc=0
"$VENV/bin/python" "$BENCH_DIR/bench_recurring.py" run --n "$n" --only "$only" --json "$OUT/run.json" "${extra[@]}" \
    -- "${OPTIONS[@]}" || rc=$?
[ "$keep" -eq 1 ] || drop_db "$db"
[ "$rc" -eq 0 ] || die "the benchmark failed; see $OUT/odoo-$db.log"
echo "Odoo log and JSON results in $OUT ($(elapsed))"
