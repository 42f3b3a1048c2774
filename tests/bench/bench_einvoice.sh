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

started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }
bootstrap

BENCH_DIR="$PROJECT_DIR/tests/bench"
OUT="$LOCAL_DIR/bench/einvoice-$n"
mkdir -p "$OUT"
SEED_DB="bench_einvoice_seed_$n"

drop_db() {
    PGOPTIONS="-c client_min_messages=warning" psql_local -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
    rm -rf "$LOCAL_DIR/filestore/filestore/$1"
}

copy_db() {  # copy_db TEMPLATE COPY, as setup/test --quick does
    drop_db "$2"
    psql_local -d postgres -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\"" >/dev/null
    if [ -d "$LOCAL_DIR/filestore/filestore/$1" ]; then
        cp -r "$LOCAL_DIR/filestore/filestore/$1" "$LOCAL_DIR/filestore/filestore/$2"
    fi
}

odoo_options() {  # odoo_options DB: sets OPTIONS to odoo-bin's options
    odoo_command -d "$1" --log-level=warn --logfile="$OUT/odoo-$1.log" --http-port=0 --max-cron-threads=0
    OPTIONS=("${ODOO_CMD[@]:2}")
}

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_einvoice.py" "$@"; }

if [ "$reuse_seed" -eq 1 ] && db_exists "$SEED_DB" \
    && [ "$(psql_local -d "$SEED_DB" -Atc "SELECT value FROM ir_config_parameter WHERE key = 'bench_einvoice.n'")" = "$n" ]; then
    log "reusing seed database $SEED_DB"
else
    key=$( (cd "$PROJECT_DIR/addons/billing_einvoice" && find . -type f ! -name '*.pyc' -print0 | sort -z \
        | xargs -0 sha256sum; echo "$ODOO_SRC") | sha256sum | cut -c1-10)
    template="bench_einvoice_tpl_$key"
    if ! db_exists "$template" || [ "$(psql_local -d "$template" -Atc "SELECT count(*) FROM ir_module_module
            WHERE name = 'billing_einvoice' AND state = 'installed'")" != 1 ]; then
        for stale in $(psql_local -d postgres -Atc "SELECT datname FROM pg_database
                WHERE datname LIKE 'bench\_einvoice\_tpl\_%'"); do
            drop_db "$stale"
        done
        log "installing billing_einvoice into $template ($(elapsed))"
        odoo_options "$template"
        "${ODOO_CMD[@]}" -i billing_einvoice --without-demo=all --stop-after-init \
            || { drop_db "$template"; die "installing billing_einvoice failed; see $OUT/odoo-$template.log"; }
    fi
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
