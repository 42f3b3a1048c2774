# Shell functions the benchmarks (tests/bench/bench_*.sh) share. Source it after setup/lib.sh;
# do not run it. The functions use the calling script's OUT (its results folder).

BENCH_DIR="$PROJECT_DIR/tests/bench"
# The bench_*.py scripts import odoo as a library: the Odoo source tree goes first on the path,
# so that a wheel that put an odoo/addons folder into the venv's site-packages (making "odoo" a
# namespace package there) cannot hide it.
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
# Checkouts share the PostgreSQL cluster and .local (a worktree links main's): the databases and
# results folders of a checkout other than "main" carry its name, bench_<tag>_sepa_seed_... and
# .local/bench/sepa_<tag>-N, so that two checkouts can run the same benchmark at once. The tag
# follows "bench" rather than ending the name, so that another checkout's clean-up of stale
# templates (LIKE 'bench_sepa_tpl_classic_%') never matches it. BENCH_DB_SUFFIX sets it
# ("" for none).
if [ -z "${BENCH_DB_SUFFIX+set}" ]; then
    BENCH_DB_SUFFIX=$(basename "$PROJECT_DIR" | tr -c 'A-Za-z0-9_\n' '_' | tr 'A-Z' 'a-z')
    [ "$BENCH_DB_SUFFIX" != main ] || BENCH_DB_SUFFIX=""
fi
[[ "$BENCH_DB_SUFFIX" =~ ^[a-z0-9_]*$ ]] || die "BENCH_DB_SUFFIX takes lower-case letters, digits and _"
bench_db() {  # bench_db bench_NAME: the name of this checkout's database bench_NAME
    echo "bench${BENCH_DB_SUFFIX:+_$BENCH_DB_SUFFIX}_${1#bench_}"
}
bench_out() {  # bench_out NAME: this checkout's results folder NAME under .local/bench
    echo "$LOCAL_DIR/bench/$1${BENCH_DB_SUFFIX:+_$BENCH_DB_SUFFIX}"
}
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

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

db_param() {  # db_param DB KEY: the value of the configuration parameter KEY in DB
    psql_local -d "$1" -Atc "SELECT value FROM ir_config_parameter WHERE key = '$2'"
}

seed_reusable() {  # seed_reusable DB KEY N: DB exists and its parameter KEY (its N) is N
    db_exists "$1" && [ "$(db_param "$1" "$2")" = "$3" ]
}

odoo_options() {  # odoo_options DB [ADDONS_DIR]: sets OPTIONS to odoo-bin's options for DB
    local addons=()
    [ -z "${2:-}" ] || addons=(--addons-path="$(addons_path),$2")
    odoo_command "${addons[@]}" -d "$1" \
        --log-level=warn --logfile="$OUT/odoo-$1.log" --http-port=0 --max-cron-threads=0
    OPTIONS=("${ODOO_CMD[@]:2}")
}

quiet_pip_log() {  # pip's warnings about this machine's extra index folders are noise
    grep -v "^WARNING: Location" "$1" >&2 || true
}

install_wheels() {  # install_wheels TARGET MODULE PIP_LOG WHAT WHEELS...: 0 when MODULE is there
    # Installs the wheels into TARGET (never into the venv's site-packages) unless MODULE is.
    local target=$1 module=$2 pip_log=$3 what=$4; shift 4
    [ -f "$target/odoo/addons/$module/__manifest__.py" ] && return 0
    log "installing $what into $target"
    rm -rf "$target"
    local rc=0
    "$VENV/bin/pip" install -q --no-deps --target "$target" "$@" >"$pip_log" 2>&1 || rc=$?
    quiet_pip_log "$pip_log"
    [ "$rc" -eq 0 ] && [ -f "$target/odoo/addons/$module/__manifest__.py" ]
}

code_key() {  # code_key ADDON ANCHOR_DIR|"" [FIND TESTS...]: 10 hex digits of the addon's code
    # (the files find selects), of the anchor's listing when given and of ODOO_SRC.
    local addon=$1 anchor=$2; shift 2
    ( (cd "$PROJECT_DIR/addons/$addon" && find . -type f ! -name '*.pyc' "$@" -print0 | sort -z \
        | xargs -0 sha256sum; [ -z "$anchor" ] || ls "$anchor"; echo "$ODOO_SRC") | sha256sum | cut -c1-10 )
}

install_template() {  # install_template TEMPLATE MODULES [ADDONS_DIR]: MODULES installed in TEMPLATE
    # TEMPLATE is <prefix>_<key>: unless it holds the comma-separated MODULES, the templates
    # of the same prefix (stale keys) are dropped and MODULES installed into a new one.
    local template=$1 modules=$2 addons=${3:-}
    local prefix="${template%_*}_" count
    count=$(tr ',' '\n' <<<"$modules" | wc -l)
    if db_exists "$template" && [ "$(psql_local -d "$template" -Atc "SELECT count(*) FROM ir_module_module
            WHERE name IN ('${modules//,/\', \'}') AND state = 'installed'")" = "$count" ]; then
        return 0
    fi
    local stale
    for stale in $(psql_local -d postgres -Atc "SELECT datname FROM pg_database
            WHERE datname LIKE '${prefix//_/\\_}%'"); do
        drop_db "$stale"
    done
    log "installing ${modules//,/ and } into $template ($(elapsed))"
    odoo_options "$template" "$addons"
    "${ODOO_CMD[@]}" -i "$modules" --without-demo=all --stop-after-init \
        || { drop_db "$template"; die "installing ${modules//,/ and } failed; see $OUT/odoo-$template.log"; }
}

forget_runs() {  # forget_runs ONLY CONTENDERS...: remove the old results of the contenders run now
    local only=$1 contender; shift
    rm -f "$OUT"/*.prof
    for contender in "$@"; do
        if [[ ",$only," == *",$contender,"* ]]; then rm -f "$OUT/run-$contender.json"; fi
    done
}

note_earlier_runs() {  # note_earlier_runs ONLY CONTENDERS...: say which figures are older
    local only=$1 contender; shift
    for contender in "$@"; do
        if [[ ",$only," != *",$contender,"* ]] && [ -f "$OUT/run-$contender.json" ]; then
            echo "($contender: figures of an earlier run, $(date -r "$OUT/run-$contender.json" '+%F %H:%M'))"
        fi
    done
}
