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
#            measure billing_sepa again without waiting 30 minutes for the OCA runs)
#
# Installs the OCA wheels into .local/anchors/<stack> (never into the venv's site-packages),
# seeds one database per OCA stack with billing_sepa and that stack installed (N customers,
# IBANs, both kinds of mandates, N posted invoices, all from one deterministic generator),
# copies it once per contender (billing_sepa's copy without the OCA modules, as its users have
# it), times each contender's steps in its own process and prints
# the table. Exits 0 when every run completed, whatever the figures.
source "$(dirname "$0")/../../setup/lib.sh"

n=10000 run_alt=1 reuse_seed=0 profile_step="" keep=0 only="ours,classic,alt"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) n=200 ;;
        --n) n="$2"; shift ;;
        --no-alt) run_alt=0 ;;
        --reuse-seed) reuse_seed=1 ;;
        --profile) profile_step="$2"; shift ;;
        --keep) keep=1 ;;
        --only) only="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of tests/bench/bench_sepa.sh)" ;;
    esac
    shift
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--n takes a positive number"
[[ "$only" =~ ^(ours|classic|alt)(,(ours|classic|alt))*$ ]] || die "--only takes contenders among ours,classic,alt"
wants() { [[ ",$only," == *",$1,"* ]]; }

shopt -s nullglob
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }
bootstrap

BENCH_DIR="$PROJECT_DIR/tests/bench"
ANCHORS="$LOCAL_DIR/anchors"
OUT="$LOCAL_DIR/bench/sepa-$n"
mkdir -p "$OUT"
rm -f "$OUT"/*.prof
for contender in ours classic alt; do
    if wants "$contender"; then rm -f "$OUT/run-$contender.json"; fi
done
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
    local target="$ANCHORS/$stack"
    [ -f "$target/odoo/addons/$module/__manifest__.py" ] && return 0
    log "installing the OCA $stack wheels into $target"
    rm -rf "$target"
    local rc=0
    "$VENV/bin/pip" install -q --no-deps --target "$target" "$@" >"$OUT/pip-$stack.log" 2>&1 || rc=$?
    quiet_pip_log "$OUT/pip-$stack.log"
    [ "$rc" -eq 0 ] && [ -f "$target/odoo/addons/$module/__manifest__.py" ]
}

quiet_pip_log() {  # pip's warnings about this machine's extra index folders are noise
    grep -v "^WARNING: Location" "$1" >&2 || true
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

odoo_options() {  # odoo_options STACK DB: sets OPTIONS to odoo-bin's options for that stack
    odoo_command --addons-path="$(addons_path),$ANCHORS/$1/odoo/addons" -d "$2" \
        --log-level=warn --logfile="$OUT/odoo-$2.log" --http-port=0 --max-cron-threads=0
    OPTIONS=("${ODOO_CMD[@]:2}")
}

bench_py() { "$VENV/bin/python" "$BENCH_DIR/bench_sepa.py" "$@"; }

seed_stack() {  # seed_stack STACK MODULE: the seed database of this stack, built unless reused
    local stack=$1 module=$2 seed="bench_sepa_seed_${1}_$n"
    SEED_DB=$seed
    if [ "$reuse_seed" -eq 1 ] && db_exists "$seed" \
        && [ "$(psql_local -d "$seed" -Atc "SELECT value FROM ir_config_parameter WHERE key = 'bench_sepa.n'")" = "$n" ]; then
        log "reusing seed database $seed"
        return 0
    fi
    # The modules are installed once into a template keyed by the code of billing_sepa and of
    # the anchors, so that a change of either gives a fresh install.
    local key template
    key=$( (cd "$PROJECT_DIR/addons/billing_sepa" && find . -type f ! -name '*.pyc' -print0 | sort -z \
        | xargs -0 sha256sum; ls "$ANCHORS/$stack"; echo "$ODOO_SRC") | sha256sum | cut -c1-10)
    template="bench_sepa_tpl_${stack}_$key"
    if ! db_exists "$template" || [ "$(psql_local -d "$template" -Atc "SELECT count(*) FROM ir_module_module
            WHERE name IN ('billing_sepa', '$module') AND state = 'installed'")" != 2 ]; then
        for stale in $(psql_local -d postgres -Atc "SELECT datname FROM pg_database
                WHERE datname LIKE 'bench\_sepa\_tpl\_${stack}\_%'"); do
            drop_db "$stale"
        done
        log "installing billing_sepa and $module into $template ($(elapsed))"
        odoo_options "$stack" "$template"
        "${ODOO_CMD[@]}" -i "billing_sepa,$module" --without-demo=all --stop-after-init \
            || { drop_db "$template"; die "installing billing_sepa and $module failed; see $OUT/odoo-$template.log"; }
    fi
    copy_db "$template" "$seed"
    odoo_options "$stack" "$seed"
    log "seeding $seed with N=$n ($(elapsed))"
    echo "Seeding $seed (N = $n, $stack stack)"
    bench_py seed --stack "$stack" --n "$n" --json "$OUT/seed-$stack.json" -- "${OPTIONS[@]}" \
        || die "seeding $seed failed; see $OUT/odoo-$seed.log"
}

run_contender() {  # run_contender CONTENDER STACK SEED [EXTRA ARGS]: time it in a fresh copy
    local contender=$1 stack=$2 seed=$3; shift 3
    local db="bench_sepa_${contender}_$n"
    copy_db "$seed" "$db"
    if [ "$contender" = ours ]; then
        # billing_sepa runs as its users have it: without the OCA modules the seed carries for
        # the OCA contenders (their overrides of account.move would slow every move we book).
        log "removing the OCA modules from $db ($(elapsed))"
        odoo_options "$stack" "$db"
        echo "env['ir.module.module'].search([('name', 'in', ['account_payment_mode'])]).button_immediate_uninstall()" \
            | "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell "${OPTIONS[@]}" --no-http >/dev/null \
            || die "removing the OCA modules from $db failed; see $OUT/odoo-$db.log"
    fi
    log "running $contender in $db ($(elapsed))"
    echo "Running $contender in $db"
    odoo_options "$stack" "$db"
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
if wants ours; then run_contender ours classic "$classic_seed" --json "$OUT/run-ours.json"; fi
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
for contender in ours classic alt; do
    if ! wants "$contender" && [ -f "$OUT/run-$contender.json" ]; then
        echo "($contender: figures of an earlier run, $(date -r "$OUT/run-$contender.json" '+%F %H:%M'))"
    fi
done
bench_py report "$OUT"/seed-*.json "$OUT"/run-*.json
echo "OCA alternative stack: $alt_status. Odoo logs and JSON results in $OUT ($(elapsed))"
