#!/usr/bin/env bash
# Install benchmark: the four addons installed into a database of real size (issue 23).
#
#   tests/bench/bench_install.sh                  N = 100 000 posted invoices over 20 000 customers
#   tests/bench/bench_install.sh --quick          N = 5 000 over 1 000 customers, a smoke run
#   tests/bench/bench_install.sh --n 20000        any N (customers = N / 5)
#   options: --reuse-seed (keep the seed database of an earlier run with the same N),
#            --keep (keep the database the addons were installed into)
#
# Installs only the Odoo modules the addons depend on into a template database, copies it into
# bench_install_seed_<N> and seeds it with Odoo (one EUR company, customers, N posted customer
# invoices over three years, some paid in full or in part). Then, in a copy of the seed: a
# snapshot of every entry, journal item, payment and reconciliation; `odoo-bin -i` of the four
# addons, timed, with the peak memory (RSS) of the Odoo process; a snapshot; the uninstall of
# the four; a snapshot. Fails when an install or uninstall fails or a snapshot differs.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=100000 customers="" reuse_seed=0 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=5000 ;;
        --n) n="$2"; shift ;;
        --customers) customers="$2"; shift ;;
        --reuse-seed) reuse_seed=1 ;;
        --keep) keep=1 ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_install.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ] || die "--n takes a number of at least 5"
customers=${customers:-$(( n / 5 ))}
[[ "$customers" =~ ^[0-9]+$ ]] && [ "$customers" -ge 1 ] || die "--customers takes a positive number"

bootstrap

OUT="$(bench_out install)-$n"
DEPENDENCIES="account,account_debit_note,account_edi_ubl_cii,sale_stock"
mkdir -p "$OUT"
rm -f "$OUT"/{before,install,installed,uninstall,uninstalled}.json
[ "$reuse_seed" -eq 1 ] || rm -f "$OUT"/seed.json

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_install.py" "$@"; }

seed_db=$(bench_db "bench_install_seed_$n")
if [ "$reuse_seed" -eq 1 ] && seed_reusable "$seed_db" bench_install.n "$n"; then
    log "reusing seed database $seed_db"
else
    # Keyed by the Odoo source tree only: the addons are not in it.
    template=$(bench_db "bench_install_tpl_$(echo "$ODOO_SRC $DEPENDENCIES" | sha256sum | cut -c1-10)")
    install_template "$template" "$DEPENDENCIES"
    copy_db "$template" "$seed_db"
    keep_local "$seed_db"
    odoo_options "$seed_db"
    log "seeding $seed_db with N=$n ($(elapsed))"
    echo "Seeding $seed_db (N = $n over $customers customers)"
    bench_py seed --n "$n" --customers "$customers" --json "$OUT/seed.json" -- "${OPTIONS[@]}" \
        || die "seeding $seed_db failed; see $OUT/odoo-$seed_db.log"
fi

db=$(bench_db "bench_install_$n")
copy_db "$seed_db" "$db"
odoo_options "$db"
rc=0
{
    echo "Before the install ($db)" && bench_py snapshot --json "$OUT/before.json" -- "${OPTIONS[@]}" \
    && log "installing $ADDONS into $db ($(elapsed))" \
    && echo "Installing" && bench_py install --modules "$ADDONS" --json "$OUT/install.json" -- "${OPTIONS[@]}" \
    && echo "After the install" && bench_py snapshot --json "$OUT/installed.json" -- "${OPTIONS[@]}" \
    && log "uninstalling $ADDONS from $db ($(elapsed))" \
    && echo "Uninstalling" && bench_py uninstall --modules "$ADDONS" --json "$OUT/uninstall.json" -- "${OPTIONS[@]}" \
    && echo "After the uninstall" && bench_py snapshot --json "$OUT/uninstalled.json" -- "${OPTIONS[@]}"
} || rc=$?
[ "$keep" -eq 1 ] || drop_db "$db"
[ "$rc" -eq 0 ] || die "the benchmark failed; see $OUT/odoo-$db.log"

echo
files=("$OUT"/{before,install,installed,uninstall,uninstalled}.json)
[ -f "$OUT/seed.json" ] && files=("$OUT/seed.json" "${files[@]}")
bench_py report "${files[@]}"
echo "Odoo logs and JSON results in $OUT ($(elapsed))"
