#!/usr/bin/env bash
# SEPA direct-debit benchmark: billing_sepa against the OCA 18.0 modules (issue 6, item 11).
#
#   tests/bench/bench_sepa.sh                 N = 10 000 invoices
#   tests/bench/bench_sepa.sh --quick         N = 200, a smoke run
#   tests/bench/bench_sepa.sh --n 2000        any N
#   options: --no-alt (skip the alternative OCA stack), --reuse-seed (keep the seed databases
#            of an earlier run with the same N), --profile STEP (afterwards, profile one
#            billing_sepa step in an extra copy: collect, generate, sent or book), --keep (keep
#            the per-contender copies), --only ours,alt (run only these contenders: the table
#            takes the others from the JSON results of the last run with the same N, e.g. to
#            measure billing_sepa again without waiting 30 minutes for the OCA runs),
#            --cron-workers N (default 2: billing_sepa's background booking runs in an Odoo
#            server started multi-process with N cron workers, as production runs; 1: its two
#            scheduled actions run in the benchmark process, one after the other)
#            --fast-seed (seed 200 customers with their invoices through the ORM and copy them in
#            PostgreSQL up to N: minutes instead of hours at N = 100 000; always on from
#            N = 50 000; see benchlib_fastseed.Multiplier)
#   tests/bench/bench_sepa.sh --sizes 10000,50000,100000
#            billing_sepa alone at each size in turn (each a run of --n SIZE --only ours; the
#            other options are passed on), then one table of time, queries, longest
#            transaction, peak RSS and time per debit against the smallest size
#
# Installs the OCA wheels into .local/anchors/<stack> (never into the venv's site-packages),
# seeds one database per OCA stack with billing_sepa and that stack installed (N customers,
# IBANs, both kinds of mandates, N posted invoices, all from one deterministic generator),
# copies it once per contender (billing_sepa's copy without the OCA modules, as its users have
# it), times each contender's steps in its own process and prints
# the table. Exits 0 when every run completed, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"
source "$(dirname "$0")/benchlib.sh"

n=10000 run_alt=1 reuse_seed=0 profile_step="" keep=0 fast_seed=0 only="ours,classic,alt" cron_workers=2
sizes="" passed_on=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift; shift; continue ;;
        --reuse-seed|--keep|--fast-seed) passed_on+=("$1") ;;
        --cron-workers) passed_on+=("$1" "$2") ;;
    esac
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --no-alt) run_alt=0 ;;
        --reuse-seed) reuse_seed=1 ;;
        --profile) profile_step="$2"; shift ;;
        --keep) keep=1 ;;
        --fast-seed) fast_seed=1 ;;
        --only) only="$2"; shift ;;
        --cron-workers) cron_workers="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_sepa.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ "$cron_workers" =~ ^[1-9][0-9]*$ ]] || die "--cron-workers takes a positive number"
[[ "$only" =~ ^(ours|classic|alt)(,(ours|classic|alt))*$ ]] || die "--only takes contenders among ours,classic,alt"
wants() { [[ ",$only," == *",$1,"* ]]; }

if [ -n "$sizes" ]; then
    [[ "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes takes sizes separated by commas"
    results=()
    for size in ${sizes//,/ }; do
        bash "$0" --n "$size" --only ours "${passed_on[@]}" || die "the run at N = $size failed"
        results+=("$(bench_out sepa)-$size/run-ours.json")
    done
    echo
    "$VENV/bin/python" "$(dirname "$0")/bench_sepa.py" scale-report "${results[@]}"
    exit 0
fi

shopt -s nullglob
bootstrap

ANCHORS="$LOCAL_DIR/anchors"
OUT="$(bench_out sepa)-$n"
[ "$n" -lt 50000 ] || fast_seed=1
seed_options=()
[ "$fast_seed" -eq 0 ] || seed_options=(--fast-seed)
mkdir -p "$OUT"
forget_runs "$only" ours classic alt
[ "$reuse_seed" -eq 1 ] || rm -f "$OUT"/seed-*.json

CLASSIC_WHEELS=(
    "odoo-addon-account-banking-sepa-direct-debit==18.0.*" "odoo-addon-account-banking-mandate==18.0.*"
    "odoo-addon-account-banking-pain-base==18.0.*" "odoo-addon-account-payment-order==18.0.*"
    "odoo-addon-account-payment-mode==18.0.*" "odoo-addon-account-payment-partner==18.0.*"
)
# The alternative stack (OCA/bank-payment-alternative) and the modules it depends on.
ALT_WHEELS=(
    "odoo-addon-account-payment-sepa-direct-debit==18.0.*" "odoo-addon-account-payment-mandate==18.0.*"
    "odoo-addon-account-payment-sepa-base==18.0.*" "odoo-addon-account-payment-batch-oca==18.0.*"
    "odoo-addon-account-payment-base-oca==18.0.*" "odoo-addon-account-payment-method-base==18.0.*"
)
CLASSIC_MODULE=account_banking_sepa_direct_debit
ALT_MODULE=account_payment_sepa_direct_debit

install_anchors() {  # install_anchors STACK MODULE WHEELS...: 0 when the stack is there
    local stack=$1 module=$2; shift 2
    install_wheels "$ANCHORS/$stack" "$module" "$OUT/pip-$stack.log" "the OCA $stack wheels" "$@"
}

install_anchors classic "$CLASSIC_MODULE" "${CLASSIC_WHEELS[@]}" || die "the OCA classic wheels did not install"
alt_status="installed"
if [ "$run_alt" -eq 1 ] && ! wants alt; then
    run_alt=0 alt_status="not run (--only $only)"
elif [ "$run_alt" -eq 1 ]; then
    install_anchors alt "$ALT_MODULE" "${ALT_WHEELS[@]}" || { alt_status="did not resolve from PyPI"; run_alt=0; }
else
    alt_status="skipped (--no-alt)"
fi
# The pain modules of both stacks transliterate with unidecode.
if ! "$VENV/bin/python" -c "import unidecode" 2>/dev/null; then
    "$VENV/bin/pip" install -q unidecode >"$OUT/pip-unidecode.log" 2>&1 || { quiet_pip_log "$OUT/pip-unidecode.log"; die "pip install unidecode failed"; }
fi

stack_options() {  # stack_options STACK DB: sets OPTIONS to odoo-bin's options for that stack
    odoo_options "$2" "$ANCHORS/$1/odoo/addons"
}

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_sepa.py" "$@"; }

seed_stack() {  # seed_stack STACK MODULE: the seed database of this stack, built unless reused
    local stack=$1 module=$2 seed
    seed=$(bench_db "bench_sepa_seed_${1}_$n")
    SEED_DB=$seed
    if [ "$reuse_seed" -eq 1 ] && seed_reusable "$seed" bench_sepa.n "$n"; then
        log "reusing seed database $seed"
        return 0
    fi
    # The modules are installed once into a template keyed by the code of billing_sepa and of
    # the anchors, so that a change of either gives a fresh install.
    local template
    template=$(bench_db "bench_sepa_tpl_${stack}_$(code_key billing_sepa "$ANCHORS/$stack")")
    install_template "$template" "billing_sepa,$module" "$ANCHORS/$stack/odoo/addons"
    copy_db "$template" "$seed"
    stack_options "$stack" "$seed"
    log "seeding $seed with N=$n ($(elapsed))"
    echo "Seeding $seed (N = $n, $stack stack)"
    bench_py seed --stack "$stack" --n "$n" "${seed_options[@]}" --json "$OUT/seed-$stack.json" -- "${OPTIONS[@]}" \
        || die "seeding $seed failed; see $OUT/odoo-$seed.log"
}

run_contender() {  # run_contender CONTENDER STACK SEED [EXTRA ARGS]: time it in a fresh copy
    local contender=$1 stack=$2 seed=$3; shift 3
    local db
    db=$(bench_db "bench_sepa_${contender}_$n")
    copy_db "$seed" "$db"
    if [ "$contender" = ours ]; then
        # billing_sepa runs as its users have it: without the OCA modules the seed carries for
        # the OCA contenders (their overrides of account.move would slow every move we book).
        log "removing the OCA modules from $db ($(elapsed))"
        stack_options "$stack" "$db"
        echo "env['ir.module.module'].search([('name', 'in', ['account_payment_mode'])]).button_immediate_uninstall()" \
            | "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell "${OPTIONS[@]}" --no-http >/dev/null \
            || die "removing the OCA modules from $db failed; see $OUT/odoo-$db.log"
        # A seed kept with --reuse-seed may hold an older billing_sepa: bring it to this code.
        "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${OPTIONS[@]}" -u billing_sepa --stop-after-init --no-http \
            || die "updating billing_sepa in $db failed; see $OUT/odoo-$db.log"
    fi
    log "running $contender in $db ($(elapsed))"
    echo "Running $contender in $db"
    stack_options "$stack" "$db"
    local rc=0
    bench_py run --contender "$contender" "$@" -- "${OPTIONS[@]}" || rc=$?
    [ "$keep" -eq 1 ] || drop_db "$db"
    [ "$rc" -eq 0 ] || die "the $contender run failed; see $OUT/odoo-$db.log"
}

classic_seed=""
if wants ours || wants classic || [ -n "$profile_step" ]; then
    seed_stack classic "$CLASSIC_MODULE"
    classic_seed=$SEED_DB
fi
if wants ours; then
    run_contender ours classic "$classic_seed" --json "$OUT/run-ours.json" --cron-workers "$cron_workers"
fi
if wants classic; then run_contender classic classic "$classic_seed" --json "$OUT/run-classic.json"; fi
if [ "$run_alt" -eq 1 ] && wants alt; then
    # The alternative stack excludes the classic modules (manifest 'excludes'): it gets its own
    # seed database, filled by the same generator.
    seed_stack alt "$ALT_MODULE"
    run_contender alt alt "$SEED_DB" --json "$OUT/run-alt.json"
fi
if [ -n "$profile_step" ]; then
    run_contender ours classic "$classic_seed" --profile "$profile_step" \
        --profile-file "$OUT/profile-ours-$profile_step.prof"
fi

echo
note_earlier_runs "$only" ours classic alt
bench_py report "$OUT"/seed-*.json "$OUT"/run-*.json
echo "OCA alternative stack: $alt_status. Odoo logs and JSON results in $OUT ($(elapsed))"
