"""Issue 9, a hardened deployment (items 9, 12, 13, 14): ``odoo-bin bodycam_harden`` gives the
evidence and journal tables to an owner role of their own. On a copy of the demo database served
by odoo-bin --workers 2, the demo's workflows still work (issue, return, upload, opening a
recording, the destruction act, the audit), every attack made as Odoo's own database role is
refused, and ``--release`` gives the tables back for a module upgrade."""
import base64
import hashlib
import hmac
import time
from datetime import datetime, timedelta

import psycopg2
import pytest
import requests
from live import Client, demo_copy, odoo_command, odoo_server

DB = "mchs_hardened"
OWNER = "mchs_evidence_owner"
DEMO_PASSWORD = "bodycam-demo-2026"
CHECKS = {"check_operable": True, "check_datetime": True, "check_quality": True, "check_inventory_label": True,
          "check_seal_intact": True, "check_placement": True, "check_badge_worn": True, "battery_level": 95, "clock_offset_seconds": 0}
ATTACKS = [
    "ALTER TABLE mchs_bodycam_recording DISABLE TRIGGER mchs_bodycam_recording_lock",
    "ALTER TABLE mchs_bodycam_access DISABLE TRIGGER USER",
    "DROP TRIGGER mchs_bodycam_access_lock ON mchs_bodycam_access",
    "CREATE OR REPLACE FUNCTION mchs_bodycam_access_lock() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
    "TRUNCATE mchs_bodycam_access",
    "TRUNCATE mchs_bodycam_custody CASCADE",
    "UPDATE mchs_bodycam_recording SET sha256 = repeat('0', 64)",
    "UPDATE mchs_bodycam_recording SET state = 'destroyed'",
    "DELETE FROM mchs_bodycam_access",
    "DELETE FROM mchs_bodycam_recording",
    "DELETE FROM mchs_bodycam_custody_log",
    "UPDATE mchs_bodycam_custody SET closed_datetime = closed_datetime - interval '1 hour' WHERE state = 'closed'",
    "UPDATE mchs_bodycam_custody_log SET content = '{}'",
    "DROP TABLE mchs_bodycam_access",
    "ALTER TABLE mchs_bodycam_custody OWNER TO odoo",
    "DROP SCHEMA public CASCADE",
    "SET session_replication_role = replica",
]


def harden(mchs, *args):
    result = odoo_command(mchs, "bodycam_harden", "-c", mchs.conf, "-d", DB, "--owner", OWNER,
                          "--dba-user", "postgres", *args)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def superuser_query(mchs, sql, params=None, db=DB):
    connection = psycopg2.connect(host=mchs.pg_host, port=mchs.pg_port, user="postgres", dbname=db)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def payload(mchs, kind, ident, db=DB):
    """A label's signed payload, as the label printer makes it (the DBA reads the key)."""
    key = superuser_query(mchs, "SELECT value FROM mchs_bodycam_vault WHERE scope = 'qr' AND name = 'key'", db=db)[0][0]
    message = f"MBC1.{kind}.{ident}"
    signature = base64.b32encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()[:16]
    return f"{message}.{signature}"


@pytest.fixture(scope="module")
def hardened(mchs, tmp_path_factory):
    with demo_copy(mchs, DB, str(tmp_path_factory.mktemp("storage"))):
        yield harden(mchs)
        harden(mchs, "--release")  # Odoo's role drops its copy again


def test_the_tables_belong_to_the_owner(mchs, hardened):
    assert "now owned by" in hardened
    owned = dict(mchs.query(DB, """
        SELECT tablename, tableowner FROM pg_tables
         WHERE tablename IN ('mchs_bodycam_recording', 'mchs_bodycam_access', 'mchs_bodycam_custody',
                             'mchs_bodycam_custody_remark', 'mchs_bodycam_custody_log', 'mchs_bodycam_destruction',
                             'mchs_bodycam_destruction_line', 'mchs_bodycam_audit', 'mchs_bodycam_audit_finding',
                             'mchs_bodycam_integrity_seal', 'mchs_bodycam_seal', 'mchs_bodycam_journal')"""))
    assert len(owned) == 12 and set(owned.values()) == {OWNER}, owned
    assert mchs.query(DB, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'") == [(OWNER,)]


def test_odoos_role_cannot_switch_off_or_rewrite_evidence(mchs, hardened):
    before = mchs.query(DB, "SELECT count(*), max(hash) FROM mchs_bodycam_access")
    recordings = mchs.query(DB, "SELECT count(*), string_agg(sha256 || state, ',' ORDER BY id) FROM mchs_bodycam_recording")
    connection = psycopg2.connect(host=mchs.pg_host, port=mchs.pg_port, user="odoo", dbname=DB)
    connection.autocommit = True
    try:
        for statement in ATTACKS:
            with connection.cursor() as cursor, pytest.raises(psycopg2.Error, match="permission|owner|must be|locked|denied|act only|never"):
                cursor.execute(statement)
    finally:
        connection.close()
    assert mchs.query(DB, "SELECT count(*), max(hash) FROM mchs_bodycam_access") == before
    assert mchs.query(DB, "SELECT count(*), string_agg(sha256 || state, ',' ORDER BY id) FROM mchs_bodycam_recording") \
        == recordings


def test_the_workflows_still_work(mchs, hardened, tmp_path):
    # the demo signs with its own "DEMO — not NCA RK" authority, whose keys nobody has (issue 13):
    # the members confirm this year's act as they do with qualified signing off
    mchs.query(DB, "UPDATE res_company SET bodycam_signing = FALSE RETURNING id")
    with odoo_server(mchs, DB, str(tmp_path)) as url:
        recording_id = _issue_return_and_upload(mchs, url)
        _open(mchs, url, recording_id)
        _destroy(mchs, url)
        _audit(mchs, url)
    result = odoo_command(mchs, "bodycam_verify", "-c", mchs.conf, "-d", DB)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def _issue_return_and_upload(mchs, url):
    """Items 7, 10, 11, 16: the desk issues a bodycam and takes it back; the dock uploads."""
    camera_id, camera_number, card_number, seal = mchs.query(DB, """
        SELECT c.id, c.inventory_number, card.inventory_number, c.seal_number FROM mchs_bodycam_camera c
          JOIN hr_department d ON d.id = c.department_id AND d.bodycam_code = 'ALM'
          JOIN mchs_bodycam_card card ON card.camera_id = c.id
         WHERE c.state = 'available' AND c.seal_number IS NOT NULL ORDER BY c.id LIMIT 1""")[0]
    badge = mchs.query(DB, """
        SELECT e.barcode FROM hr_employee e JOIN hr_department d ON d.id = e.department_id AND d.bodycam_code = 'ALM'
         WHERE e.barcode IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM mchs_bodycam_custody c WHERE c.inspector_id = e.id AND c.state = 'issued'
                  AND c.struck IS NOT TRUE) ORDER BY e.id LIMIT 1""")[0][0]
    desk = Client(url, DB, "bc.responsible")
    scanned = desk.call("mchs.bodycam.custody", "desk_scan", payload(mchs, "C", camera_number))
    assert scanned["ok"] and scanned["id"] == camera_id, scanned
    issued = desk.call("mchs.bodycam.custody", "desk_issue", camera_id, payload(mchs, "E", badge),
                       dict(CHECKS, check_seal_number=seal))
    assert issued["state"] == "issued"
    time.sleep(3)
    returned = desk.call("mchs.bodycam.custody", "desk_return", camera_id, payload(mchs, "E", badge))
    assert returned["state"] == "returned"
    issue_at = mchs.query(DB, "SELECT issue_datetime FROM mchs_bodycam_custody WHERE id = %s", (issued["id"],))[0][0]
    admin = Client(url, DB, "bc.admin")
    dock_id = mchs.query(DB, "SELECT id FROM mchs_bodycam_dock WHERE name = 'ALM-DOCK-1'")[0][0]
    token = admin.call("mchs.bodycam.dock", "action_generate_token", [dock_id])["params"]["message"]
    start = issue_at + timedelta(seconds=1)
    body = f"hardened upload {datetime.now()}".encode() * 500
    response = requests.post(f"{url}/mchs_bodycam/dock/v1/recordings", data=body, timeout=60, params={
        "camera": camera_number, "card": card_number, "start": str(start), "end": str(start + timedelta(seconds=1))},
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(body).hexdigest()
    assert mchs.query(DB, "SELECT state FROM mchs_bodycam_custody WHERE id = %s", (issued["id"],)) == [("downloaded",)]
    return response.json()["id"]


def _open(mchs, url, recording_id):
    """Item 13: the head opens the recording with the special password; the access is journaled."""
    head = Client(url, DB, "bc.head")
    wizard = head.call("mchs.bodycam.recording.access.wizard", "create",
                       {"recording_id": recording_id, "purpose": "hardened", "password": DEMO_PASSWORD})
    stream = head.call("mchs.bodycam.recording.access.wizard", "action_open", [wizard])["url"]
    response = head.get(stream)
    assert response.status_code == 200
    sha256 = mchs.query(DB, "SELECT sha256 FROM mchs_bodycam_recording WHERE id = %s", (recording_id,))[0][0]
    assert hashlib.sha256(response.content).hexdigest() == sha256


def _wait(mchs, sql, params, expected, what):
    deadline = time.time() + 300
    while mchs.query(DB, sql, params) != expected:
        assert time.time() < deadline, f"{what}: {mchs.query(DB, sql, params)}"
        time.sleep(1)


def _destroy(mchs, url):
    """Item 12: every member confirms this year's act; the cron removes the files and marks the
    recordings destroyed."""
    act_id = mchs.query(DB, "SELECT id FROM mchs_bodycam_destruction WHERE state = 'draft'")[0][0]
    for login in ("bc.head", "bc.responsible", "bc.commission"):
        Client(url, DB, login).call("mchs.bodycam.destruction", "action_confirm", [act_id])
    _wait(mchs, "SELECT state FROM mchs_bodycam_destruction WHERE id = %s", (act_id,), [("done",)], "the act")
    destroyed = mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_recording WHERE destruction_id = %s", (act_id,))
    assert destroyed[0][0] >= 1


def _audit(mchs, url):
    """Item 13: the head starts this year's audit; the cron runs it to its end."""
    head = Client(url, DB, "bc.head")
    commission_id = mchs.query(DB, "SELECT id FROM mchs_bodycam_commission ORDER BY year DESC LIMIT 1")[0][0]
    audit_id = head.call("mchs.bodycam.commission", "action_new_audit", [commission_id])["res_id"]
    head.call("mchs.bodycam.audit", "action_start", [audit_id])
    _wait(mchs, "SELECT state FROM mchs_bodycam_audit WHERE id = %s", (audit_id,), [("done",)], "the audit")


def test_release_for_an_upgrade_and_harden_again(mchs, hardened):
    assert "given back to" in harden(mchs, "--release")
    owners = {owner for (owner,) in mchs.query(DB, "SELECT DISTINCT tableowner FROM pg_tables "
                                                   "WHERE tablename LIKE 'mchs_bodycam_%%'")}
    assert owners == {"odoo"}, owners
    result = odoo_command(mchs, "-c", mchs.conf, "-d", DB, "-u", mchs.module, "--stop-after-init", "--no-http")
    assert result.returncode == 0 and " ERROR " not in result.stderr, result.stderr[-3000:]
    assert "now owned by" in harden(mchs)
