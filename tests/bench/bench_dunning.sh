#!/usr/bin/env bash
# Dunning benchmark: billing_dunning's run against OCA account_credit_control 18.0
# (issue 3, item 9).
#
#   tests/bench/bench_dunning.sh                 N = 10 000 overdue invoices over 2 000 customers
#   tests/bench/bench_dunning.sh --quick         N = 500 over 100 customers, a smoke run
#   tests/bench/bench_dunning.sh --n 2000        any N (customers = N / 5)
#   tests/bench/bench_dunning.sh --n 100000 --only ours   the scale run: 100 000 items over
#                                                20 000 customers (target under 15 s)
#   options: --fast-seed (seed 200 customers with 1 000 invoices through the ORM and copy them in
#            PostgreSQL up to N: minutes instead of hours at N = 100 000; always on from
#            N = 50 000; see benchlib_fastseed.Multiplier),
#            --reuse-seed (keep the seed database of an earlier run with the same N),
#            --profile (afterwards, cProfile billing_dunning's run in an extra copy),
#            --keep (keep the per-contender copies), --only ours|oca (run one contender; the
#            report takes the other from the last run with the same N)
#
# Installs the OCA wheel into .local/anchors/credit_control (never into the venv's
# site-packages), seeds one database with both modules installed (deterministic generator),
# copies it once per contender, times each contender's run in its own process and prints both
# timings and the ratio. Exits 0 when every run completed, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 reuse_seed=0 profile=0 keep=0 fast_seed=0 only="ours,oca"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=500 ;;
        --n) n="$2"; shift ;;
        --reuse-seed) reuse_seed=1 ;;
        --profile) profile=1 ;;
        --keep) keep=1 ;;
        --fast-seed) fast_seed=1 ;;
        --only) only="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_dunning.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 5 ] || die "--n takes a number of at least 5"
[[ "$only" =~ ^(ours|oca)(,(ours|oca))*$ ]] || die "--only takes ours, oca or ours,oca"
wants() { [[ ",$only," == *",$1,"* ]]; }
customers=$(( n / 5 ))

shopt -s nullglob
bootstrap

ANCHOR="$LOCAL_DIR/anchors/credit_control"
OUT="$(bench_out dunning)-$n"
[ "$n" -lt 50000 ] || fast_seed=1
seed_options=()
[ "$fast_seed" -eq 0 ] || seed_options=(--fast-seed)
OCA_MODULE=account_credit_control
mkdir -p "$OUT"
forget_runs "$only" ours oca
[ "$reuse_seed" -eq 1 ] || rm -f "$OUT"/seed.json

install_wheels "$ANCHOR" "$OCA_MODULE" "$OUT/pip.log" "the OCA wheel" "odoo-addon-account-credit-control==18.0.*" \
    || die "the OCA wheel odoo-addon-account-credit-control did not install"

anchor_options() {  # anchor_options DB: sets OPTIONS to odoo-bin's options for that database
    odoo_options "$1" "$ANCHOR/odoo/addons"
}

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_dunning.py" "$@"; }

seed_db=$(bench_db "bench_dunning_seed_$n")
# The install template is keyed by the code of billing_dunning and the wheel, so that a change
# of either gives a fresh install; a reused seed of older code is updated in each copy.
key=$(code_key billing_dunning "$ANCHOR")
if [ "$reuse_seed" -eq 1 ] && seed_reusable "$seed_db" bench_dunning.n "$n"; then
    log "reusing seed database $seed_db"
else
    template=$(bench_db "bench_dunning_tpl_$key")
    install_template "$template" "billing_dunning,$OCA_MODULE" "$ANCHOR/odoo/addons"
    copy_db "$template" "$seed_db"
    anchor_options "$seed_db"
    log "seeding $seed_db with N=$n ($(elapsed))"
    echo "Seeding $seed_db (N = $n over $customers customers)"
    bench_py seed --n "$n" --customers "$customers" "${seed_options[@]}" --json "$OUT/seed.json" -- "${OPTIONS[@]}" \
        || die "seeding $seed_db failed; see $OUT/odoo-$seed_db.log"
    psql_local -d "$seed_db" -c "INSERT INTO ir_config_parameter (key, value) VALUES ('bench_dunning.code', '$key')" >/dev/null
fi
seed_key=$(db_param "$seed_db" bench_dunning.code)

run_contender() {  # run_contender CONTENDER [EXTRA ARGS]: time it in a fresh copy of the seed
    local contender=$1; shift
    local db
    db=$(bench_db "bench_dunning_${contender}_$n")
    copy_db "$seed_db" "$db"
    anchor_options "$db"
    if [ "$seed_key" != "$key" ]; then
        log "updating billing_dunning in $db: the seed was made with older code (untimed, $(elapsed))"
        "${ODOO_CMD[@]}" -u billing_dunning --stop-after-init || die "updating billing_dunning in $db failed"
    fi
    log "running $contender in $db ($(elapsed))"
    echo "Running $contender in $db"
    anchor_options "$db"
    local rc=0
    bench_py run --contender "$contender" "$@" -- "${OPTIONS[@]}" || rc=$?
    [ "$keep" -eq 1 ] || drop_db "$db"
    [ "$rc" -eq 0 ] || die "the $contender run failed; see $OUT/odoo-$db.log"
}

if wants ours; then run_contender ours --json "$OUT/run-ours.json"; fi
if wants oca; then run_contender oca --json "$OUT/run-oca.json"; fi
if [ "$profile" -eq 1 ]; then run_contender ours --profile "$OUT/profile-ours.prof"; fi

echo
note_earlier_runs "$only" ours oca
bench_py report "$OUT"/seed*.json "$OUT"/run-*.json
echo "Odoo logs and JSON results in $OUT ($(elapsed))"
