#!/usr/bin/env bash
# make test: run every test against a throwaway PostgreSQL cluster.
#   0. lint: OCA's linters (tools/lint.sh); any finding fails the run, whose tests still run
#   a. install the addon with demo data (mchs_demo) and without (mchs_nodemo)
#   b. the addon's own suite (pytest-odoo) on a copy of mchs_nodemo
#   c. the top-level suite (tests/) on the installed databases
#   d. a summary; the last line is the total "N passed, N failed[, N skipped]"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_deps
ensure_dock_agent
cd "$REPO_ROOT"

# ---- 0. lint ------------------------------------------------------------------
log "0. lint: OCA's hooks of .pre-commit-config.yaml (tools/lint.sh)"
LINT_RC=0
bash "$REPO_ROOT/tools/lint.sh" || LINT_RC=$?
if [[ $LINT_RC -ne 0 ]]; then
    log "   lint: FAILED (findings above; make lint shows them again)"
fi

TMP_DIR="$(mktemp -d /tmp/mchs-test.XXXXXX)"
chmod 755 "$TMP_DIR"
PG_DIR="$TMP_DIR/pg"
RGW_DIR="$TMP_DIR/rgw"
CONF="$TMP_DIR/odoo-test.conf"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Odoo processes left behind by this run are recognisable by our private config path
    local pids
    pids="$(pgrep -f -- "$CONF" 2>/dev/null || true)"
    if [[ -n "$pids" ]]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        sleep 2
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
    fi
    pg_stop "$PG_DIR" 2>/dev/null || true
    bash "$REPO_ROOT/tools/rgw.sh" kill "$RGW_DIR" >/dev/null 2>&1 || true
    rm -rf "$TMP_DIR" "$(pg_socket_dir "$PG_DIR" "${PG_PORT:-0}")"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_PORT="$(free_port)"
HTTP_PORT="$(free_port)"
pg_start "$PG_DIR" "$PG_PORT" fast

# The object store of the write-once storage tests (issue 10): a real single-node Ceph RGW.
# A missing RGW fails the run (the S3 tests fail without it, they never skip).
RGW_STARTED=0
if RGW_SIZE="${RGW_SIZE:-3072}" bash "$REPO_ROOT/tools/rgw.sh" start "$RGW_DIR"; then
    RGW_STARTED=1
    eval "$(bash "$REPO_ROOT/tools/rgw.sh" env "$RGW_DIR")"
else
    log "the Ceph RGW did not start (logs: $RGW_DIR/log); the object store tests will fail"
fi

write_odoo_conf - "$CONF" \
    "addons_path=$ODOO_ADDONS_PATH" \
    "data_dir=$TMP_DIR/data" \
    "db_host=127.0.0.1" \
    "db_port=$PG_PORT" \
    "db_user=odoo" \
    "db_password=False" \
    "http_interface=127.0.0.1" \
    "http_port=$HTTP_PORT" \
    "gevent_port=$(free_port)" \
    "admin_passwd=$("$PYTHON" -c 'import secrets;print(secrets.token_urlsafe(16))')" \
    "list_db=True" \
    "workers=0" \
    "max_cron_threads=0" \
    "log_level=warn" \
    "limit_time_real=100000" \
    "limit_time_cpu=100000" \
    "limit_memory_soft=0" \
    "limit_memory_hard=0"

export MCHS_ODOO_CONF="$CONF"
export MCHS_DB_DEMO=mchs_demo
export MCHS_DB_NODEMO=mchs_nodemo
export MCHS_PG_PORT="$PG_PORT"
export MCHS_PG_HOST=127.0.0.1
export MCHS_PG_BIN="$(pg_bindir)"
export MCHS_ADDONS_PATH="$ODOO_ADDONS_PATH"
export MCHS_MODULE
export ODOO_BIN

FAILED_STEPS=()
[[ $LINT_RC -eq 0 ]] || FAILED_STEPS+=("lint (tools/lint.sh exit $LINT_RC)")
[[ $RGW_STARTED -eq 1 ]] || FAILED_STEPS+=("start the Ceph RGW (tools/rgw.sh)")

# ---- a. install -----------------------------------------------------------
install_db() {  # db, extra odoo args...
    local db="$1"; shift
    "$PYTHON" "$ODOO_BIN" -c "$CONF" -d "$db" -i "$MCHS_MODULE" --stop-after-init --no-http \
        --load-language=en_US,ru_RU --log-level=warn --logfile "$TMP_DIR/install-$db.log" "$@"
}
log "a. installing $MCHS_MODULE into $MCHS_DB_DEMO (with demo data) and $MCHS_DB_NODEMO (--without-demo=all), in parallel"
t0=$SECONDS
install_db "$MCHS_DB_DEMO" & pid_demo=$!
install_db "$MCHS_DB_NODEMO" --without-demo=all & pid_nodemo=$!
declare -A INSTALL_OK=()
for pair in "$MCHS_DB_DEMO:$pid_demo" "$MCHS_DB_NODEMO:$pid_nodemo"; do
    db="${pair%%:*}"; pid="${pair##*:}"
    rc=0; wait "$pid" || rc=$?
    if [[ $rc -ne 0 ]]; then
        tail -n 40 "$TMP_DIR/install-$db.log" >&2 || true
        log "   install into $db: FAILED (odoo-bin exit $rc)"
        FAILED_STEPS+=("install $db (exit $rc)")
    elif ! check_log_clean "$TMP_DIR/install-$db.log"; then
        log "   install into $db: FAILED (ERROR/CRITICAL in the log)"
        FAILED_STEPS+=("install $db (errors logged)")
    else
        INSTALL_OK[$db]=1
        log "   install into $db: ok"
    fi
done
log "   installs took $((SECONDS - t0)) s"

# ---- b. addon suite (pytest-odoo) -------------------------------------------
ADDON_TESTS="addons/$MCHS_MODULE/tests"
ADDON_JUNIT="$TMP_DIR/junit-addon.xml"
ADDON_RC=skip
if [[ "$MCHS_MODULE" != mchs_bodycam ]]; then
    log "b. addon suite skipped: MCHS_MODULE=$MCHS_MODULE"
elif [[ -z "${INSTALL_OK[$MCHS_DB_NODEMO]:-}" ]]; then
    log "b. addon suite not run: the install into $MCHS_DB_NODEMO failed"
    ADDON_RC=notrun
elif [[ ! -d "$ADDON_TESTS" ]]; then
    log "b. addon suite: $ADDON_TESTS does not exist - an addon without tests is untested"
    ADDON_RC=5
else
    ADDON_DB="${MCHS_DB_NODEMO}_tests"
    log "b. addon suite (pytest-odoo) on $ADDON_DB, a fresh copy of $MCHS_DB_NODEMO"
    pg_psql "$PG_PORT" postgres -c "CREATE DATABASE \"$ADDON_DB\" TEMPLATE \"$MCHS_DB_NODEMO\""
    if [[ -d "$TMP_DIR/data/filestore/$MCHS_DB_NODEMO" ]]; then
        mkdir -p "$TMP_DIR/data/filestore"
        cp -a "$TMP_DIR/data/filestore/$MCHS_DB_NODEMO" "$TMP_DIR/data/filestore/$ADDON_DB"
    fi
    ADDON_RC=0
    "$PYTHON" -m pytest -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$ADDON_DB" \
        --odoo-http --junitxml="$ADDON_JUNIT" "$ADDON_TESTS" || ADDON_RC=$?
    if [[ $ADDON_RC -eq 5 ]]; then
        log "   no tests collected in $ADDON_TESTS - an addon without tests is untested: FAILED"
    fi
fi

# ---- c. top-level suite ----------------------------------------------------
TOP_JUNIT="$TMP_DIR/junit-top.xml"
log "c. top-level suite (tests/)"
TOP_RC=0
"$PYTHON" -m pytest -p no:cacheprovider -p no:odoo --junitxml="$TOP_JUNIT" tests/ || TOP_RC=$?
if [[ $TOP_RC -eq 5 ]]; then
    log "   no tests collected in tests/: FAILED"
fi

# ---- d. summary -------------------------------------------------------------
echo
echo "==================== summary ===================="
set +e
"$PYTHON" - "$ADDON_RC" "$ADDON_JUNIT" "$TOP_RC" "$TOP_JUNIT" "${FAILED_STEPS[@]}" <<'PY'
import os, sys
import xml.etree.ElementTree as ET

addon_rc, addon_junit, top_rc, top_junit, *failed_steps = sys.argv[1:]

def counts(rc, path):
    """(passed, failed, skipped, note) of one pytest run."""
    if rc == "skip":
        return 0, 0, 0, "skipped (not the mchs_bodycam module)"
    if rc == "notrun":
        return 0, 1, 0, "NOT RUN (install failed) - counted as 1 failed"
    if rc == "5":
        return 0, 1, 0, "no tests collected - counted as 1 failed"
    if not os.path.exists(path):
        return 0, 1, 0, f"pytest exited {rc} without a report - counted as 1 failed"
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failures = errors = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failures += int(s.get("failures", 0))
        errors += int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    passed = tests - failures - errors - skipped
    failed = failures + errors
    note = ""
    if rc != "0" and failed == 0:
        failed, note = 1, f"pytest exited {rc} - counted as 1 failed"
    return passed, failed, skipped, note

def fmt(p, f, s):
    out = f"{p} passed, {f} failed"
    return out + (f", {s} skipped" if s else "")

total = [0, 0, 0]
for name, rc, path in (("addon (pytest-odoo)", addon_rc, addon_junit),
                       ("top-level", top_rc, top_junit)):
    p, f, s, note = counts(rc, path)
    total = [total[0] + p, total[1] + f, total[2] + s]
    print(f"{name}: {fmt(p, f, s)}" + (f"  [{note}]" if note else ""))
for step in failed_steps:
    print(f"FAILED step: {step} (counted as 1 failed)")
    total[1] += 1
print(fmt(*total))
if total[2]:
    # A skipped test (a browser test without Chromium, say) tested nothing.
    print(f"FAILED: {total[2]} test(s) skipped; see the suites' output for why", file=sys.stderr)
sys.exit(1 if total[1] or total[2] else 0)
PY
SUMMARY_RC=$?
set -e
exit $SUMMARY_RC
