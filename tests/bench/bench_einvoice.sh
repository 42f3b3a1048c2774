#!/usr/bin/env bash
# E-invoice benchmark: Finvoice 3.0 built and XSD-validated by billing_einvoice against Odoo's
# own UBL BIS 3 export of the same invoices in the same database (issue 4, item 9).
#
#   tests/bench/bench_einvoice.sh               N = 10 000 invoices
#   tests/bench/bench_einvoice.sh --quick       N = 200, a smoke run
#   tests/bench/bench_einvoice.sh --n 2000      any N
#   options: --reuse-seed (keep the seed database of an earlier run with the same N)
#
# Installs billing_einvoice (--without-demo) into a template database keyed by its code, copies
# it, seeds N customers and N posted invoices (bench_einvoice.py seed), then times both builders
# over all N invoices in one process (bench_einvoice.py run) and prints the table with the
# ratio ours / UBL (target <= 1). Exits 0 when the run completed, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 reuse_seed=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --reuse-seed) reuse_seed=1 ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_einvoice.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"

bootstrap

OUT="$(bench_out einvoice)-$n"
mkdir -p "$OUT"
SEED_DB=$(bench_db "bench_einvoice_seed_$n")

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_einvoice.py" "$@"; }

if [ "$reuse_seed" -eq 1 ] && seed_reusable "$SEED_DB" bench_einvoice.n "$n"; then
    log "reusing seed database $SEED_DB"
else
    template=$(bench_db "bench_einvoice_tpl_$(code_key billing_einvoice "")")
    install_template "$template" billing_einvoice
    copy_db "$template" "$SEED_DB"
    odoo_options "$SEED_DB"
    log "seeding $SEED_DB with N=$n ($(elapsed))"
    echo "Seeding $SEED_DB (N = $n)"
    bench_py seed --n "$n" -- "${OPTIONS[@]}" || die "seeding $SEED_DB failed; see $OUT/odoo-$SEED_DB.log"
fi

echo "Running in $SEED_DB (load average before: $(cut -d' ' -f1 /proc/loadavg))"
odoo_options "$SEED_DB"
bench_py run --json "$OUT/run.json" -- "${OPTIONS[@]}" || die "the run failed; see $OUT/odoo-$SEED_DB.log"
echo "Load average after: $(cut -d' ' -f1 /proc/loadavg). JSON result and Odoo log in $OUT ($(elapsed))"
