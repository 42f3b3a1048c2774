#!/usr/bin/env bash
# Finnish consumer e-invoice benchmark: N ReceiverInfo orders imported and matched, and N payments
# by reference in one camt.054 reconciled (issue 15, item 9).
#
#   tests/bench/bench_finnish.sh                 N = 10 000 orders and 10 000 payments
#   tests/bench/bench_finnish.sh --quick         N = 200, a smoke run
#   tests/bench/bench_finnish.sh --n 2000        any N
#   options: --chunk C (RI orders per file, default 1 000; the payments go by billing_sepa's
#            booking chunk size, 1 000, set with BENCH_FINNISH_BOOKING_CHUNK=C),
#            --reuse-seed (keep the seed database and files of an earlier run with the same N),
#            --keep (keep the copy the run used)
#
# Installs billing_einvoice and billing_sepa (--without-demo) into a template database keyed by
# their code, copies it into the seed database and seeds it (bench_finnish.py seed: a Finnish
# EUR company with a bank account, a billing subject and an RF-reference sales journal, N
# consumers with a customer number, N posted invoices; the N RI orders written in files of C
# framed messages and the bank's camt.054 paying every invoice by its reference, in the results
# folder). Then, in a copy of the seed, imports the RI files one per request (matched on import)
# and the camt.054 (billing_sepa's bank-file import: match, book, reconcile a chunk at a time),
# and prints the time and queries of each chunk. Exits 0 when the run completed, whatever the
# figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 chunk=1000 reuse_seed=0 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --chunk) chunk="$2"; shift ;;
        --reuse-seed) reuse_seed=1 ;;
        --keep) keep=1 ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_finnish.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ "$chunk" =~ ^[1-9][0-9]*$ ]] || die "--chunk takes a positive number"

bootstrap

OUT="$(bench_out finnish)-$n"
mkdir -p "$OUT"
rm -f "$OUT/run.json"
SEED_DB=$(bench_db "bench_finnish_seed_$n")
DB=$(bench_db "bench_finnish_run_$n")

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_finnish.py" "$@"; }

if [ "$reuse_seed" -eq 1 ] && [ -f "$OUT/camt054-payments.xml" ] && seed_reusable "$SEED_DB" bench_finnish.n "$n"; then
    log "reusing seed database $SEED_DB"
else
    rm -f "$OUT/seed.json"
    template=$(bench_db "bench_finnish_tpl_$(code_key billing_einvoice "" | cut -c1-6)$(code_key billing_sepa "" | cut -c1-6)")
    install_template "$template" billing_einvoice,billing_sepa
    copy_db "$template" "$SEED_DB"
    odoo_options "$SEED_DB"
    log "seeding $SEED_DB with N=$n ($(elapsed))"
    echo "Seeding $SEED_DB (N = $n, $chunk orders per RI file)"
    bench_py seed --n "$n" --chunk "$chunk" --out "$OUT" --json "$OUT/seed.json" -- "${OPTIONS[@]}" \
        || die "seeding $SEED_DB failed; see $OUT/odoo-$SEED_DB.log"
fi

copy_db "$SEED_DB" "$DB"
odoo_options "$DB"
# A seed kept with --reuse-seed may hold older addons: bring them to this code, untimed.
"${ODOO_CMD[@]}" -u billing_einvoice,billing_sepa --stop-after-init --no-http \
    || die "updating the addons in $DB failed; see $OUT/odoo-$DB.log"
if [ -n "${BENCH_FINNISH_BOOKING_CHUNK:-}" ]; then
    psql_local -d "$DB" -c "INSERT INTO ir_config_parameter (key, value) VALUES
        ('billing_sepa.booking_chunk_size', '$BENCH_FINNISH_BOOKING_CHUNK')
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" >/dev/null
fi
echo "Running in $DB (uptime: $(uptime))"
rc=0
bench_py run --out "$OUT" --json "$OUT/run.json" -- "${OPTIONS[@]}" || rc=$?
echo "uptime after: $(uptime)"
[ "$keep" -eq 1 ] || drop_db "$DB"
[ "$rc" -eq 0 ] || die "the run failed; see $OUT/odoo-$DB.log"

echo
bench_py report "$OUT"/seed.json "$OUT"/run.json
echo "Odoo logs, the RI files, the camt.054 file and JSON results in $OUT ($(elapsed))"
