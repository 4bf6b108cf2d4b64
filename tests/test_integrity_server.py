"""Issue 9 against a real Odoo server (--workers 2, a cron worker) on a copy of the demo database.

What the addon's own suite cannot show, because its tests share one transaction: a refusal's
journal row survives the refused request's rollback (items 6, 13); the stream route hashes what
it serves and records a changed copy after the response has left (item 13); an audit started
by the head runs to its end through Odoo's cron runner alone (item 13); and two desks issuing in
one unit at once both chain their rows (item 9). The demo users call
JSON-RPC with their password (= login), like the web client does.
"""
import hashlib
import os
import threading
import time

import pytest

from live import Client as _Client
from live import RpcError, demo_copy, odoo_server
from test_hardening import CHECKS, payload

DB = "mchs_integrity"
DEMO_PASSWORD = "bodycam-demo-2026"


def Client(base_url, login):  # noqa: N802 (the test's own shorthand for a logged-in client)
    return _Client(base_url, DB, login)


@pytest.fixture(scope="module")
def server(mchs, tmp_path_factory):
    """A copy of the demo database with its own copy of the recordings' files, served by
    odoo-bin with two HTTP workers and a cron worker."""
    with demo_copy(mchs, DB, str(tmp_path_factory.mktemp("storage"))), \
            odoo_server(mchs, DB, str(tmp_path_factory.mktemp("log"))) as base_url:
        yield base_url


def almaty_recording(mchs, offset=0):
    """(id, sha256, primary path) of a stored recording of the demo's Almaty unit."""
    return mchs.query(DB, """
        SELECT r.id, r.sha256, s.primary_path FROM mchs_bodycam_recording r
          JOIN mchs_bodycam_storage s ON s.id = r.storage_id
          JOIN ir_model_data d ON d.res_id = r.department_id AND d.model = 'hr.department'
         WHERE d.name = 'department_almaty_demo' AND r.state = 'stored' AND r.dock_id IS NOT NULL
         ORDER BY r.id OFFSET %s LIMIT 1""", (offset,))[0]


def refusals(mchs, login, refusal):
    return mchs.query(DB, """
        SELECT count(*) FROM mchs_bodycam_access a JOIN res_users u ON u.id = a.user_id
         WHERE u.login = %s AND a.result = 'refused' AND a.refusal = %s""", (login, refusal))[0][0]


def open_recording(client, recording_id, action="view", password=DEMO_PASSWORD):
    wizard = client.call("mchs.bodycam.recording.access.wizard", "create",
                         {"recording_id": recording_id, "action": action, "purpose": "test", "password": password})
    return client.call("mchs.bodycam.recording.access.wizard", "action_open", [wizard])


def test_refused_opens_survive_their_rollback(mchs, server):
    """items 5, 13: an inspector (AccessError), another unit's responsible person (AccessError)
    and a Head-group user who is not designated (right password) are refused; each refused
    request is rolled back, yet its Appendix 2 row stays, and the chain still verifies."""
    recording_id, _sha, _path = almaty_recording(mchs)
    cases = [("bc.inspector", "no_right", "odoo.exceptions.AccessError"),
             ("bc.responsible.kom", "other_unit", "odoo.exceptions.AccessError"),
             ("bc.deputy", "not_designated", "odoo.exceptions.UserError")]
    for login, refusal, error in cases:
        before = refusals(mchs, login, refusal)
        with pytest.raises(RpcError) as raised:
            open_recording(Client(server, login), recording_id)
        assert raised.value.name == error, raised.value
        assert "access journal" in raised.value.message
        assert refusals(mchs, login, refusal) == before + 1, f"{login}: the refusal's row was rolled back"
    # the refused wizard kept no clear text either
    assert mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_recording_access_wizard WHERE password IS NOT NULL") \
        == [(0,)]
    # nor does the deputy set the password; the typed one is not kept
    deputy = Client(server, "bc.deputy")
    wizard = deputy.call("mchs.bodycam.storage.password.wizard", "create", {
        "storage_id": mchs.query(DB, "SELECT storage_id FROM mchs_bodycam_recording WHERE id = %s", (recording_id,))[0][0],
        "password": "deputy-knows-it", "confirmation": "deputy-knows-it"})
    with pytest.raises(RpcError) as raised:
        deputy.call("mchs.bodycam.storage.password.wizard", "action_apply", [wizard])
    assert raised.value.name == "odoo.exceptions.UserError"
    assert mchs.query(DB, "SELECT password, confirmation FROM mchs_bodycam_storage_password_wizard WHERE id = %s",
                      (wizard,)) == [(None, None)]
    assert open_recording(Client(server, "bc.responsible"), recording_id)["url"], "the password still holds"
    notification = Client(server, "bc.head").call("mchs.bodycam.access", "action_verify_chain", [])
    assert notification["params"]["type"] == "success", notification


def test_a_view_token_cannot_download(mchs, server):
    """item 13: what was really done is journaled: a view's token is refused a download."""
    recording_id, _sha, _path = almaty_recording(mchs)
    responsible = Client(server, "bc.responsible")
    url = open_recording(responsible, recording_id, "view")["url"]
    refusal = "view_token_download"
    before = refusals(mchs, "bc.responsible", refusal)
    assert responsible.get(url + "&download=1").status_code == 403
    assert refusals(mchs, "bc.responsible", refusal) == before + 1
    assert responsible.get(url).status_code == 200
    inspector = Client(server, "bc.inspector")
    before = refusals(mchs, "bc.inspector", "no_valid_access")
    assert inspector.get(url).status_code == 403
    assert refusals(mchs, "bc.inspector", "no_valid_access") == before + 1


def test_a_badge_refused_inside_the_issue_stays_in_the_scan_log(mchs, server):
    """item 6: the refused issue is rolled back, its scan log row is not."""
    responsible = Client(server, "bc.responsible")
    camera_id = mchs.query(DB, """
        SELECT c.id FROM mchs_bodycam_camera c JOIN ir_model_data d ON d.res_id = c.id
         WHERE d.model = 'mchs.bodycam.camera' AND d.name = 'camera_05_demo'""")[0][0]
    forged = "MBC1.E.1000000002.AAAAAAAAAAAAAAAA"
    with pytest.raises(RpcError) as raised:
        responsible.call("mchs.bodycam.custody", "desk_issue", camera_id, forged, {})
    assert raised.value.name == "odoo.exceptions.UserError"
    logged = mchs.query(DB, """
        SELECT l.reason FROM mchs_bodycam_scan_log l JOIN res_users u ON u.id = l.user_id
         WHERE u.login = 'bc.responsible' AND l.payload = %s""", (forged,))
    assert logged == [("forged",)]


def test_a_changed_copy_is_recorded_while_it_is_served(mchs, server):
    """item 13: one byte of the primary copy changed; a whole-file request is still answered,
    but the bytes are hashed as they go: the access row says what was served, the unit has a
    finding and its head and responsible person an activity. A range is served unchecked."""
    recording_id, sha256, primary = almaty_recording(mchs, offset=1)
    path = os.path.join(primary, sha256[:2], sha256[2:4], sha256)
    os.chmod(path, 0o600)
    with open(path, "r+b") as handle:
        first = handle.read(1)
        handle.seek(0)
        handle.write(bytes([first[0] ^ 1]))
    with open(path, "rb") as handle:
        served = hashlib.sha256(handle.read()).hexdigest()
    head = Client(server, "bc.head")
    url = open_recording(head, recording_id)["url"]
    assert head.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    findings = "SELECT count(*) FROM mchs_bodycam_audit_finding WHERE kind = 'served_changed' AND recording_id = %s"
    assert mchs.query(DB, findings, (recording_id,)) == [(0,)]
    response = head.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == served != sha256
    assert mchs.query(DB, """
        SELECT served_sha256 FROM mchs_bodycam_access WHERE recording_id = %s AND served_sha256 IS NOT NULL""",
                      (recording_id,)) == [(served,)]
    assert mchs.query(DB, findings, (recording_id,)) == [(1,)]
    alerted = mchs.query(DB, """
        SELECT u.login FROM mail_activity a JOIN res_users u ON u.id = a.user_id
          JOIN mchs_bodycam_audit_finding f ON f.id = a.res_id AND a.res_model = 'mchs.bodycam.audit.finding'
         WHERE f.recording_id = %s ORDER BY u.login""", (recording_id,))
    assert alerted == [("bc.head",), ("bc.responsible",)]


def test_an_audit_started_by_the_head_finishes_through_the_cron(mchs, server):
    """item 13: started the normal way, the audit runs to its end through the server's cron
    worker alone, each step moving on at once; its progress shows meanwhile."""
    head = Client(server, "bc.head")
    commission_id = mchs.query(DB, """
        SELECT c.id FROM mchs_bodycam_commission c WHERE c.year = extract(year FROM now()) LIMIT 1""")[0][0]
    audit_id = head.call("mchs.bodycam.commission", "action_new_audit", [commission_id])["res_id"]
    started = time.time()
    head.call("mchs.bodycam.audit", "action_start", [audit_id])
    seen = []
    while True:
        audit = head.call("mchs.bodycam.audit", "read", [audit_id], ["state", "phase", "progress"])[0]
        seen.append((audit["phase"], audit["progress"]))
        if audit["state"] == "done":
            break
        assert time.time() - started < 300, f"the audit stalled: {seen[-5:]}"
        time.sleep(0.5)
    checked, total, files, findings = mchs.query(DB, """
        SELECT recording_checked, recording_total, file_count,
               (SELECT count(*) FROM mchs_bodycam_audit_finding WHERE audit_id = a.id)
          FROM mchs_bodycam_audit a WHERE id = %s""", (audit_id,))[0]
    assert checked == total > 0 and files >= 2 * total, "both copies of each recording hashed"
    assert findings >= 1, "the demo's file restored by hand is found again"
    assert seen[-1] == ("done", 100.0)
    assert time.time() - started < 120, "no step waited for the job's next interval (an hour)"
    # it ran as the cron's own job, one committed step after the other
    steps = mchs.query(DB, """
        SELECT count(*) FROM ir_cron_progress p JOIN ir_model_data d ON d.res_id = p.cron_id
         WHERE d.model = 'ir.cron' AND d.name = 'ir_cron_process_audits' AND p.done > 0""")[0][0]
    assert steps >= 3, steps


def test_an_issue_and_a_return_in_one_unit_at_once_are_both_chained(mchs, server):
    """item 9: a bodycam issued and another taken back in one unit at the same moment (two
    desks, or a desk and a dock). Each request numbers its chain entry from its own snapshot; the
    second to take the unit's chain lock finds its number taken. It is retried by Odoo like any
    serialization failure, not shown as an error: both steps are done and chained, and the chain
    is unbroken. (Two issues at once already meet earlier, on the book's row number.) The test
    holds the unit's chain lock until both requests wait for it, so that they overlap."""
    unit = mchs.query(DB, "SELECT id FROM hr_department WHERE bodycam_code = 'ALM'")[0][0]
    cameras = mchs.query(DB, """
        SELECT c.id, c.seal_number FROM mchs_bodycam_camera c
         WHERE c.department_id = %s AND c.state = 'available' AND c.seal_number IS NOT NULL
           AND EXISTS (SELECT 1 FROM mchs_bodycam_card card WHERE card.camera_id = c.id)
         ORDER BY c.id LIMIT 2""", (unit,))
    badges = [badge for (badge,) in mchs.query(DB, """
        SELECT e.barcode FROM hr_employee e
         WHERE e.department_id = %s AND e.barcode IS NOT NULL AND e.active AND NOT EXISTS (
               SELECT 1 FROM mchs_bodycam_custody c WHERE c.inspector_id = e.id AND c.state = 'issued'
                  AND c.struck IS NOT TRUE) ORDER BY e.id LIMIT 2""", (unit,))]
    assert len(cameras) == 2 and len(badges) == 2, (cameras, badges)
    desk = Client(server, "bc.responsible")

    def issue(number):
        (camera_id, seal), badge = cameras[number], badges[number]
        return desk.call("mchs.bodycam.custody", "desk_issue", camera_id, payload(mchs, "E", badge, DB),
                         dict(CHECKS, check_seal_number=seal))

    out = issue(0)
    answers = {}

    def step(name, call):
        try:
            answers[name] = call()
        except RpcError as error:
            answers[name] = error

    holder = mchs.connect(DB)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(7014, %s)", (unit,))  # models.mchs_bodycam_custody_log.CHAIN_LOCK
            threads = [
                threading.Thread(target=step, args=("issued", lambda: issue(1))),
                threading.Thread(target=step, args=("returned", lambda: Client(server, "bc.responsible").call(
                    "mchs.bodycam.custody", "desk_return", cameras[0][0], payload(mchs, "E", badges[0], DB)))),
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                               (unit,))
                if cursor.fetchone()[0] == 2:
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"the issue and the return never both waited for the unit's chain lock: {answers}")
            cursor.execute("SELECT pg_advisory_unlock(7014, %s)", (unit,))
    finally:
        holder.close()
    for thread in threads:
        thread.join(120)
    assert {name: getattr(answer, "get", lambda _key: answer)("state") for name, answer in answers.items()} \
        == {"issued": "issued", "returned": "returned"}, answers
    chained = mchs.query(DB, """
        SELECT event FROM mchs_bodycam_custody_log WHERE department_id = %s AND custody_id = ANY(%s)
         ORDER BY sequence""", (unit, [out["id"], answers["issued"]["id"]]))
    assert sorted(event for (event,) in chained) == ["issued", "issued", "returned"]
    # the unit's chain is unbroken: numbered 1..n, each entry linked to the one before
    assert mchs.query(DB, """
        SELECT count(*) = max(sequence) AND bool_and(previous IS NULL OR previous_hash = previous)
          FROM (SELECT sequence, previous_hash, lag(hash) OVER (ORDER BY sequence) AS previous
                  FROM mchs_bodycam_custody_log WHERE department_id = %s) chain""", (unit,)) == [(True,)]
