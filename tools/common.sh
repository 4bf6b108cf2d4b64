#!/usr/bin/env bash
# Shared helpers for tools/run.sh, tools/test.sh and tools/stop.sh.
# Source it; do not execute it.
# shellcheck disable=SC2034

if [[ -n "${MCHS_COMMON_SOURCED:-}" ]]; then return 0; fi
MCHS_COMMON_SOURCED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
# The addon under test; override (e.g. MCHS_MODULE=base) to exercise the harness alone.
MCHS_MODULE="${MCHS_MODULE:-mchs_bodycam}"

APT_PACKAGES=(postgresql wkhtmltopdf fonts-dejavu poppler-utils zbar-tools qpdf chromium gettext openssl
              libpq-dev libldap2-dev libsasl2-dev
              # the demo's recordings are short real videos (a tiny shipped MP4 without it)
              ffmpeg
              # the object store of the tests and of make run STORAGE=s3 (tools/rgw.sh, issue 10)
              ceph-mon ceph-osd radosgw ceph-common)

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------
_apt_missing() {
    local p missing=()
    for p in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    echo "${missing[*]:-}"
}

# Prints the requirement lines of requirements.txt that are not satisfied
# by what is installed (exit 0); prints "?" if it cannot tell.
_pip_missing() {
    "$PYTHON" - "$REPO_ROOT/requirements.txt" <<'PY' 2>/dev/null || echo "?"
import sys, importlib.metadata as md
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
missing = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        continue
    req = Requirement(line)
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        missing.append(line)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        missing.append(line)
print(" ".join(missing))
PY
}

ensure_deps() {
    local missing sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    missing="$(_apt_missing)"
    if [[ -n "$missing" ]]; then
        log "installing Debian packages: $missing"
        $sudo apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
    fi
    # Odoo first: requirements.txt depends on odoo==18.0.*, which must come from the
    # local source tree, never from a package index.
    locate_odoo
    missing="$(_pip_missing)"
    if [[ -n "$missing" ]]; then
        log "installing Python requirements ($missing)"
        "$PYTHON" -m pip install -q -r "$REPO_ROOT/requirements.txt"
    fi
}

# The dock agent (dock/), installed editable from this clone: the tests and the benches use it.
# Not part of ensure_deps: make run does not need it, and a make run from another clone (the
# top-level test of make run works in a throwaway one) must not point the machine's agent there.
ensure_dock_agent() {
    if ! _dock_agent_installed; then
        log "installing the dock agent (dock/, editable)"
        "$PYTHON" -m pip install -q --no-deps -e "$REPO_ROOT/dock"
    fi
}

# True when mchs_dock_agent is importable from this clone's dock/ and its console script exists.
_dock_agent_installed() {
    "$PYTHON" - "$REPO_ROOT/dock" <<'PY' 2>/dev/null
import importlib.util, os, shutil, sys, sysconfig
spec = importlib.util.find_spec("mchs_dock_agent")
here = os.path.realpath(sys.argv[1]) + os.sep
script = os.path.join(sysconfig.get_path("scripts"), "mchs-dock-agent")
sys.exit(0 if spec and os.path.realpath(spec.origin).startswith(here) and os.path.exists(script) else 1)
PY
}

# --------------------------------------------------------------------------
# Locating Odoo 18.0
# --------------------------------------------------------------------------
_odoo_help() {
    cat >&2 <<MSG
ERROR: $1
This project needs an Odoo 18.0 Community source tree. Provide it in one of two ways:
  * set ODOO_SRC to it:            export ODOO_SRC=/path/to/odoo-18.0
  * or install it into python3:    pip install -e /path/to/odoo --config-settings editable_mode=compat
(the tree must contain odoo-bin and addons/; nothing is downloaded by this project)
MSG
    exit 2
}

# Major version of the Odoo tree at $1 (read from odoo/release.py without importing odoo).
_odoo_major() {
    "$PYTHON" - "$1" <<'PY' 2>/dev/null
import sys, os
d = {}
exec(open(os.path.join(sys.argv[1], "odoo", "release.py"), encoding="utf-8").read(), d)
print(d["version_info"][0])
PY
}

# pip constraints file: setuptools<70 (old sdists need it in their build env)
# plus whatever constraints are already configured (PIP_CONSTRAINT, pip config).
_make_constraints() {
    local out="$1" f
    : > "$out"
    {
        for f in ${PIP_CONSTRAINT:-}; do [[ -f "$f" ]] && cat "$f" && echo; done
        "$PYTHON" -m pip config list 2>/dev/null | sed -n "s/^[a-z:]*\.constraint='\(.*\)'$/\1/p" |
            tr ' ' '\n' | while read -r f; do [[ -n "$f" && -f "$f" ]] && cat "$f" && echo; done
        echo "setuptools<70"
    } >> "$out"
}

_install_odoo_src() {
    local src="$1" cons rc=0
    cons="$(mktemp /tmp/mchs-constraints.XXXXXX)"
    _make_constraints "$cons"
    log "odoo is not importable: installing $src (editable, compat mode)"
    PIP_CONSTRAINT="$cons" "$PYTHON" -m pip install -q -r "$src/requirements.txt" || rc=$?
    if [[ $rc -eq 0 ]]; then
        PIP_CONSTRAINT="$cons" "$PYTHON" -m pip install -q -e "$src" \
            --config-settings editable_mode=compat || rc=$?
    fi
    rm -f "$cons"
    return $rc
}

# Sets ODOO_SRC, ODOO_BIN, ODOO_ADDONS_PATH (exported). Exits 2 when no Odoo 18 is found.
locate_odoo() {
    local src major
    if [[ -n "${ODOO_SRC:-}" ]]; then
        [[ -f "$ODOO_SRC/odoo-bin" ]] ||
            _odoo_help "ODOO_SRC=$ODOO_SRC has no odoo-bin; it is not an Odoo source tree."
        src="$(cd "$ODOO_SRC" && pwd)"
        if ! "$PYTHON" -c "import odoo" 2>/dev/null; then
            _install_odoo_src "$src" || _odoo_help "could not install the Odoo tree at $src with pip."
            "$PYTHON" -c "import odoo" 2>/dev/null ||
                _odoo_help "odoo is still not importable after installing $src."
        fi
    else
        src="$("$PYTHON" -c 'import odoo,os;print(os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null)" ||
            _odoo_help "ODOO_SRC is not set and python3 cannot import odoo."
        [[ -n "$src" && -f "$src/odoo-bin" && -d "$src/addons" ]] ||
            _odoo_help "the importable odoo package (in ${src:-?}) is not a source tree with odoo-bin and addons/."
    fi
    [[ -d "$src/addons" ]] || _odoo_help "$src has no addons/ directory."
    major="$(_odoo_major "$src")" || major=""
    [[ "$major" == "18" ]] ||
        _odoo_help "the Odoo tree at $src is version ${major:-unknown}, not 18.0."
    local imported
    imported="$("$PYTHON" -c 'import odoo,os;print(os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null || true)"
    if [[ -n "$imported" && "$imported" != "$src" ]]; then
        warn "python3 imports odoo from $imported but ODOO_SRC=$src; pytest-odoo will use $imported."
    fi
    export ODOO_SRC="$src"
    export ODOO_BIN="$src/odoo-bin"
    # langpack/: the product's language addon and the Kazakh (and missing Russian) .po files of
    # Odoo's own modules (<module>/i18n_extra/kk.po), found there by Odoo's translation loader.
    export ODOO_ADDONS_PATH="$src/addons,$REPO_ROOT/addons,$REPO_ROOT/langpack"
}

# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------
pg_bindir() {
    if [[ -n "${MCHS_PG_BIN:-}" && -x "$MCHS_PG_BIN/pg_ctl" ]]; then echo "$MCHS_PG_BIN"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
    [[ -n "$d" && -x "$d/pg_ctl" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (run: make deps)"
    echo "$d"
}

# Run a command as the postgres OS user when we are root (postgres refuses to run as root).
_as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Socket directory for a data dir: its sibling "<datadir>.sock", or a short /tmp path
# if that would exceed the 107-byte Unix socket path limit.
pg_socket_dir() {
    local datadir="$1" port="$2" dir
    dir="${datadir%/}.sock"
    if (( ${#dir} + ${#port} + 12 > 100 )); then
        dir="/tmp/mchs-pg-$(printf '%s' "$datadir" | md5sum | cut -c1-12)"
    fi
    echo "$dir"
}

# The data directory of a cluster that runs as the postgres user: WANTED itself when postgres can
# reach it (or we are not root), else a folder of /var/tmp named after WANTED, because a root
# clone under /root or in a `mktemp -d` folder is closed to every other user.
pg_data_dir_for() {  # wanted
    local wanted="$1" parent folder
    parent="$(dirname "$wanted")"
    if [[ $(id -u) -ne 0 ]] || { mkdir -p "$parent" && runuser -u postgres -- test -x "$parent"; }; then
        echo "$wanted"
        return
    fi
    folder="/var/tmp/mchs-bodycam-$(printf '%s' "$wanted" | md5sum | cut -c1-12)"
    mkdir -p "$folder"
    chmod 755 "$folder"
    echo "$folder/$(basename "$wanted")"
}

pg_is_running() {  # datadir
    [[ -f "$1/postmaster.pid" ]] || return 1
    _as_pg "$(pg_bindir)/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# psql as the superuser "postgres" over TCP (trust on loopback).
pg_psql_super() {  # port, psql args...
    local port="$1"; shift
    "$(pg_bindir)/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

# psql as the application role "odoo".
pg_psql() {  # port, db, psql args...
    local port="$1" db="$2"; shift 2
    "$(pg_bindir)/psql" -h 127.0.0.1 -p "$port" -U odoo -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"
}

# pg_start DATADIR PORT [fast]  — create (if needed) and start a cluster, ensure role odoo.
pg_start() {
    local datadir="$1" port="$2" fast="${3:-}" bin sockdir d
    bin="$(pg_bindir)"
    sockdir="$(pg_socket_dir "$datadir" "$port")"
    mkdir -p "$datadir" "$sockdir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$datadir" "$sockdir"
        chmod 700 "$datadir"
        d="$(dirname "$datadir")"
        while [[ "$d" != "/" ]]; do
            runuser -u postgres -- test -x "$d" ||
                die "the postgres user cannot traverse $d (needed for $datadir): chmod o+x $d"
            d="$(dirname "$d")"
        done
    fi
    if [[ ! -f "$datadir/PG_VERSION" ]]; then
        log "initdb $datadir"
        _as_pg "$bin/initdb" -D "$datadir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            >"$datadir.initdb.log" 2>&1 || { cat "$datadir.initdb.log" >&2; die "initdb failed"; }
        {
            echo "# --- mchs_bodycam harness ---"
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$sockdir'"
            echo "max_connections = 100"
            if [[ "$fast" == "fast" ]]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
        } | _as_pg tee -a "$datadir/postgresql.conf" >/dev/null
    fi
    if ! pg_is_running "$datadir"; then
        log "starting PostgreSQL ($datadir, 127.0.0.1:$port)"
        local pglog="${datadir%/}.log"
        touch "$pglog"
        [[ $(id -u) -ne 0 ]] || chown postgres: "$pglog"
        _as_pg "$bin/pg_ctl" -D "$datadir" -w -t 60 -l "$pglog" \
            -o "-p $port -k $sockdir" start >/dev/null ||
            { tail -n 30 "$pglog" >&2 || true; die "PostgreSQL did not start"; }
    fi
    if [[ "$(pg_psql_super "$port" -c "SELECT 1 FROM pg_roles WHERE rolname='odoo'")" != "1" ]]; then
        pg_psql_super "$port" -c "CREATE ROLE odoo LOGIN CREATEDB NOSUPERUSER"
    fi
}

pg_stop() {  # datadir
    local datadir="$1"
    if pg_is_running "$datadir"; then
        log "stopping PostgreSQL ($datadir)"
        _as_pg "$(pg_bindir)/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >/dev/null || true
    fi
}

pg_db_exists() {  # port db
    [[ "$(pg_psql "$1" postgres -c "SELECT 1 FROM pg_database WHERE datname='$2'")" == "1" ]]
}

# --------------------------------------------------------------------------
# Misc
# --------------------------------------------------------------------------
free_port() {
    "$PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

# write_odoo_conf SRC_CONF DEST_CONF key=value...  (values override/extend [options])
write_odoo_conf() {
    local src="$1" dest="$2"; shift 2
    "$PYTHON" - "$src" "$dest" "$@" <<'PY'
import configparser, sys
src, dest, *pairs = sys.argv[1:]
cp = configparser.RawConfigParser()
if src and src != "-":
    cp.read(src, encoding="utf-8")
if not cp.has_section("options"):
    cp.add_section("options")
for pair in pairs:
    k, v = pair.split("=", 1)
    cp.set("options", k, v)
with open(dest, "w", encoding="utf-8") as fh:
    fh.write("; generated by tools/ from odoo.conf - do not edit, do not commit\n")
    cp.write(fh)
PY
}

# Fails if an Odoo log file has ERROR/CRITICAL lines (prints them).
check_log_clean() {  # logfile
    if grep -E ' (ERROR|CRITICAL) ' "$1" >/dev/null 2>&1; then
        echo "---- errors in $1 ----" >&2
        grep -E -A15 ' (ERROR|CRITICAL) ' "$1" | head -n 80 >&2
        return 1
    fi
}
