#!/usr/bin/env bash
# make stop: stop the Odoo server, the PostgreSQL cluster and the Ceph RGW started by `make run`.
# No error when nothing is running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUN_DIR="$REPO_ROOT/.run"
PIDFILE="$RUN_DIR/odoo.pid"

if [[ -f "$PIDFILE" ]]; then
    pid="$(cat "$PIDFILE")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        log "stopping Odoo (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then
            warn "Odoo did not stop in 15 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE"
else
    log "Odoo is not running"
fi

PGDATA_DIR="$(pg_data_dir_for "$RUN_DIR/pgdata")"
if [[ -d "$PGDATA_DIR" ]] && pg_is_running "$PGDATA_DIR"; then
    pg_stop "$PGDATA_DIR"
else
    log "PostgreSQL (dev) is not running"
fi

if [[ -s "$RUN_DIR/rgw/state.env" ]]; then
    log "stopping the Ceph RGW (.run/rgw)"
    bash "$REPO_ROOT/tools/rgw.sh" stop "$RUN_DIR/rgw"
fi
