#!/usr/bin/env bash
# make run: start the product with demo data on http://localhost:8069
#   PostgreSQL cluster in .run/pgdata (127.0.0.1:54329), database mchs_bodycam,
#   Odoo in the background (.run/odoo.pid, .run/odoo.log). Stop with `make stop`.
# make run STORAGE=s3: the same on the production kind of storage, a local Ceph RGW with Object
#   Lock (tools/rgw.sh, state in .run/rgw, credentials in .run/s3.env), database mchs_bodycam_s3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUN_DIR="$REPO_ROOT/.run"
PG_PORT="${MCHS_RUN_PG_PORT:-54329}"
HTTP_PORT="${MCHS_RUN_HTTP_PORT:-8069}"
STORAGE="${STORAGE:-local}"
case "$STORAGE" in
    local) DB="${MCHS_RUN_DB:-mchs_bodycam}" ;;
    s3) DB="${MCHS_RUN_DB:-mchs_bodycam_s3}" ;;
    *) die "STORAGE is local (folders, the default) or s3 (a local Ceph RGW with Object Lock), not $STORAGE" ;;
esac
RGW_DIR="$RUN_DIR/rgw"
CONF="$RUN_DIR/odoo-run.conf"
PIDFILE="$RUN_DIR/odoo.pid"
LOGFILE="$RUN_DIR/odoo.log"
URL="http://localhost:$HTTP_PORT"

print_info() {
    cat <<MSG

Odoo is running: $URL/web/login   (database $DB; log: .run/odoo.log; stop: make stop)
Recordings are stored on: $(storage_info)
Demo logins (password = login):
  bc.inspector     Inspector
  bc.responsible   Responsible person
  bc.head          Head
  bc.commission    Commission member
  bc.admin         Bodycam administrator
  admin / admin    Odoo superuser
MSG
}

storage_info() {
    if [[ "$STORAGE" == s3 ]]; then
        echo "the Ceph RGW at $MCHS_S3_ENDPOINT (buckets mchs-alm-primary, mchs-alm-backup...; keys in .run/s3.env)"
    else
        echo "the folders .run/storage/primary and .run/storage/backup"
    fi
}

odoo_running() {
    [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

ensure_deps
# (postgres, installed by ensure_deps, must exist to tell whether it reaches the clone)
PGDATA_DIR="$(pg_data_dir_for "$RUN_DIR/pgdata")"

if odoo_running && pg_is_running "$PGDATA_DIR"; then
    running="$(cat "$RUN_DIR/storage-kind" 2>/dev/null || echo local)"
    [[ "$running" == "$STORAGE" ]] ||
        die "the demo runs on STORAGE=$running storage; run make stop first, then make run STORAGE=$STORAGE"
    [[ "$STORAGE" != s3 ]] || source "$RUN_DIR/s3.env"
    log "already running"
    print_info
    exit 0
fi
if odoo_running; then   # Odoo without its database server: restart cleanly
    "$REPO_ROOT/tools/stop.sh"
fi

mkdir -p "$RUN_DIR/storage/primary" "$RUN_DIR/storage/backup" "$RUN_DIR/data"
chmod 755 "$RUN_DIR"

if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/"; then
    die "something else already answers on port $HTTP_PORT; stop it first (or set MCHS_RUN_HTTP_PORT)"
fi

pg_start "$PGDATA_DIR" "$PG_PORT"
if [[ "$PGDATA_DIR" != "$RUN_DIR/pgdata" ]]; then
    ln -sfn "$PGDATA_DIR" "$RUN_DIR/pgdata"  # where it is, for people looking in .run/
fi

S3_OPTIONS=()
if [[ "$STORAGE" == s3 ]]; then
    # BlueStore on a sparse file: the demo's objects survive a crash; 20 GiB leaves room for uploads
    RGW_STORE=bluestore RGW_SIZE="${RGW_SIZE:-20480}" bash "$REPO_ROOT/tools/rgw.sh" start "$RGW_DIR"
    ( umask 077; bash "$REPO_ROOT/tools/rgw.sh" env "$RGW_DIR" > "$RUN_DIR/s3.env" )
    source "$RUN_DIR/s3.env"
    # read by the demo data only (the storage servers' defaults and the keys it puts in the vault)
    S3_OPTIONS=("mchs_bodycam_storage_kind=s3" "mchs_bodycam_s3_endpoint=$MCHS_S3_ENDPOINT"
                "mchs_bodycam_s3_region=$MCHS_S3_REGION" "mchs_bodycam_s3_bucket=mchs"
                "mchs_bodycam_s3_access_key=$MCHS_S3_ACCESS_KEY" "mchs_bodycam_s3_secret_key=$MCHS_S3_SECRET_KEY")
fi
echo "$STORAGE" > "$RUN_DIR/storage-kind"

# generated config: odoo.conf + addons_path, data_dir, a random admin_passwd (kept in .run/)
if [[ ! -s "$RUN_DIR/admin_passwd" ]]; then
    ( umask 077; "$PYTHON" -c 'import secrets;print(secrets.token_urlsafe(24))' > "$RUN_DIR/admin_passwd" )
fi
write_odoo_conf "$REPO_ROOT/odoo.conf" "$CONF" \
    "addons_path=$ODOO_ADDONS_PATH" \
    "data_dir=$RUN_DIR/data" \
    "db_port=$PG_PORT" \
    "http_port=$HTTP_PORT" \
    "dbfilter=^$DB\$" \
    "mchs_bodycam_storage_primary=$RUN_DIR/storage/primary" \
    "mchs_bodycam_storage_backup=$RUN_DIR/storage/backup" \
    "admin_passwd=$(cat "$RUN_DIR/admin_passwd")" \
    "${S3_OPTIONS[@]}"
chmod 600 "$CONF"

module_installed() {
    pg_db_exists "$PG_PORT" "$DB" &&
    [[ "$(pg_psql "$PG_PORT" "$DB" -c "SELECT state FROM ir_module_module WHERE name='$MCHS_MODULE'" 2>/dev/null)" == "installed" ]]
}

if pg_db_exists "$PG_PORT" "$DB" && ! module_installed; then
    log "database $DB exists but $MCHS_MODULE is not installed in it (interrupted first run?): recreating it"
    pg_psql "$PG_PORT" postgres -c "DROP DATABASE \"$DB\""
    rm -rf "$RUN_DIR/data/filestore/$DB"
fi

STEP_LOG="$RUN_DIR/odoo-update.log"
if ! pg_db_exists "$PG_PORT" "$DB"; then
    log "creating database $DB with demo data: installing $MCHS_MODULE (takes a few minutes)"
    args=(-i "$MCHS_MODULE" --load-language=en_US,ru_RU)
else
    log "database $DB exists: updating $MCHS_MODULE so code changes apply"
    args=(-u "$MCHS_MODULE")
fi
: > "$STEP_LOG"
if ! "$PYTHON" "$ODOO_BIN" -c "$CONF" -d "$DB" "${args[@]}" --stop-after-init --no-http \
        --logfile "$STEP_LOG"; then
    tail -n 40 "$STEP_LOG" >&2
    die "odoo-bin ${args[*]} failed (full log: .run/odoo-update.log)"
fi
check_log_clean "$STEP_LOG" || warn "errors were logged while installing/updating (see .run/odoo-update.log)"

log "starting Odoo on $URL"
rm -f "$PIDFILE"
setsid nohup "$PYTHON" "$ODOO_BIN" -c "$CONF" -d "$DB" \
    --pidfile "$PIDFILE" --logfile "$LOGFILE" </dev/null >/dev/null 2>&1 &
starter=$!

for _ in $(seq 1 120); do
    if curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$HTTP_PORT/web/login"; then
        print_info
        exit 0
    fi
    if ! kill -0 "$starter" 2>/dev/null && ! odoo_running; then
        tail -n 40 "$LOGFILE" >&2 || true
        die "Odoo exited during start-up (log: .run/odoo.log)"
    fi
    sleep 1
done
tail -n 40 "$LOGFILE" >&2 || true
die "Odoo did not answer on $URL/web/login within 120 s (log: .run/odoo.log); run make stop"
