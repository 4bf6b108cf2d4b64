import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import zipfile
from datetime import timedelta
from urllib.parse import urlencode, urlparse

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib import vault
from .common import DockCase
from .test_reports import pdf_text

URL = "/mchs_bodycam/dock/v1/recordings"


@tagged("post_install", "-at_install")
class TestRecordings(DockCase, HttpCase):
    """Automatic download while charging (items 10, 11) to a primary and a backup location,
    and recordings as evidence nobody changes (item 13)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storage.with_user(cls.responsible_user)._set_password("special-pass-2026")

    def _upload(self, body, token=None, **params):
        start, end = self._times()
        query = dict({"camera": self.camera_a.inventory_number, "card": self.card_a.inventory_number,
                      "start": start, "end": end, "filename": "VID_0001.mp4"}, **params)
        query = {key: value for key, value in query.items() if value is not None}
        # a POST even with an empty body (url_open would send a GET)
        return self.opener.post(f"{self.base_url()}{URL}?{urlencode(query)}", data=body, timeout=60,
                                headers={"Authorization": f"Bearer {token or self.token}",
                                         "Content-Type": "application/octet-stream"})

    def test_upload_stores_two_readonly_copies_and_fills_column_6(self):
        with freeze_time(fields.Datetime.now() - timedelta(hours=8)):  # issued a working day ago
            entry = self._issue()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        entry.action_return()
        body = os.urandom(300_000)
        sha = hashlib.sha256(body).hexdigest()
        # the device's clock ran 3 s ahead (recorded at issue): the real start is 3 s earlier
        start = (entry.issue_datetime + timedelta(minutes=5)).replace(microsecond=0)
        response = self._upload(body, sha256=sha, start=str(start), end=str(start + timedelta(minutes=30)))
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["sha256"], sha)
        recording = self.env["mchs.bodycam.recording"].browse(response.json()["id"])
        self.assertEqual((recording.custody_id, recording.inspector_id, recording.size), (entry, self.inspector, 300_000))
        self.assertEqual(recording.start, start - timedelta(seconds=3))
        for folder in self.folders:
            path = os.path.join(folder, sha[:2], sha[2:4], sha)
            with open(path, "rb") as handle:
                self.assertEqual(handle.read(), body)
            self.assertFalse(os.stat(path).st_mode & 0o222, "stored read-only")
        self.assertEqual((entry.state, bool(entry.download_datetime)), ("downloaded", True))
        # the same file again: one recording
        again = self._upload(body, sha256=sha, start=str(start), end=str(start + timedelta(minutes=30)))
        self.assertEqual((again.status_code, again.json()["id"], again.json()["created"]), (200, recording.id, False))
        self.assertEqual(len(self._stored_files()), 2)
        entry.action_close()
        self.assertEqual(entry.state, "closed")

    def test_card_wipe_refused_when_a_copy_is_damaged(self):
        with freeze_time(fields.Datetime.now() - timedelta(hours=8)):  # issued a working day ago
            entry = self._issue()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        entry.action_return()
        start = (entry.issue_datetime + timedelta(minutes=1)).replace(microsecond=0)
        response = self._upload(b"x" * 1000, start=str(start), end=str(start + timedelta(minutes=1)))
        sha = response.json()["sha256"]
        backup = os.path.join(self.folders[1], sha[:2], sha[2:4], sha)
        os.chmod(backup, 0o644)
        with open(backup, "r+b") as handle:  # one flipped byte in the backup copy
            handle.write(b"y")
        recording = self.env["mchs.bodycam.recording"].browse(response.json()["id"])
        self.assertFalse(recording._verify_copies())
        # and a flipped byte in the primary copy of another recording
        other = self._recording(b"z" * 1000)
        primary = os.path.join(self.folders[0], other.sha256[:2], other.sha256[2:4], other.sha256)
        os.chmod(primary, 0o644)
        with open(primary, "r+b") as handle:
            handle.seek(500)
            handle.write(b"Z")
        self.assertFalse(other._verify_copies())
        with self.assertRaisesRegex(UserError, "missing or damaged"):
            entry.action_close()

    def test_bad_input_refused_and_nothing_left(self):
        body = b"video" * 100
        cases = [
            (self._upload(body, token="wrong"), 401, "unauthorized"),
            (self._upload(body, token=self.token_b), 403, "foreign_camera"),
            (self._upload(body, camera="NO-SUCH-CAMERA"), 404, "unknown_camera"),
            (self._upload(body, sha256="0" * 64), 422, "hash_mismatch"),
            (self._upload(b""), 400, "empty"),
            (self._upload(body, filename="../../etc/passwd"), 400, "bad_filename"),
            (self._upload(os.urandom(1024 * 1024 + 1)), 413, "too_large"),
            (self._upload(body, start="2019-01-01 10:00:00", end="2019-01-01 10:10:00"), 422, "clock_off"),
            (self._upload(body, start="yesterday"), 400, "bad_times"),
        ]
        for response, status, code in cases:
            self.assertEqual((response.status_code, response.json()["error"]), (status, code), response.text)
            self.assertTrue(response.json()["message"])
        self.dock.active = False  # revoked
        self.assertEqual(self._upload(body).status_code, 401)
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self.assertEqual(self._stored_files(), [])

    def test_broken_off_upload_leaves_nothing(self):
        start, end = self._times()
        query = urlencode({"camera": self.camera_a.inventory_number, "start": start, "end": end})
        address = urlparse(self.base_url())
        with socket.create_connection((address.hostname, address.port)) as connection:
            connection.sendall((f"POST {URL}?{query} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                                f"Authorization: Bearer {self.token}\r\nContent-Type: application/octet-stream\r\n"
                                f"Content-Length: 100000\r\nConnection: close\r\n\r\n").encode() + b"z" * 40000)
            connection.shutdown(socket.SHUT_WR)  # the dock dies halfway
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        self.assertIn(b"truncated", answer)
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self.assertEqual(self._stored_files(), [])

    def test_upload_killed_with_the_server_is_cleaned_up(self):
        """A server killed mid-upload leaves a temporary file; the next import run removes it
        once it is a day old (a running upload's file is younger)."""
        stale = os.path.join(self.folders[0], ".incoming", "dead.part")
        os.makedirs(os.path.dirname(stale), exist_ok=True)
        with open(stale, "wb") as handle:
            handle.write(b"half")
        fresh = os.path.join(self.folders[0], ".incoming", "running.part")
        with open(fresh, "wb") as handle:
            handle.write(b"still coming")
        old = os.path.getmtime(stale) - 2 * 24 * 3600
        os.utime(stale, (old, old))
        self.env["mchs.bodycam.dock"]._cron_import_inboxes(commit=False)
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(fresh))

    def test_recordings_are_evidence(self):
        start, end = self._times()
        recording = self.env["mchs.bodycam.recording"].browse(self._upload(b"evidence").json()["id"])
        for user in (self.responsible_user, self.head_user, self.env.ref("base.user_root")):
            with self.assertRaises(UserError):  # no right to write, and locked anyway
                recording.with_user(user).write({"filename": "other.mp4"})
        with self.assertRaisesRegex(UserError, "is locked"):
            recording.sudo().write({"filename": "other.mp4"})
            with self.assertRaises(UserError):
                recording.with_user(user).unlink()
        with self.assertRaisesRegex(UserError, "is kept"):
            recording.sudo().unlink()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "is locked"), \
                self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_recording SET sha256 = 'x' WHERE id = %s", [recording.id])
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "never deleted"), \
                self.cr.savepoint():
            self.cr.execute("DELETE FROM mchs_bodycam_recording WHERE id = %s", [recording.id])
        # only the head and the responsible person of the unit read recordings (item 13)
        Recording = self.env["mchs.bodycam.recording"]
        self.assertEqual(Recording.with_user(self.head_user).search([]), recording)
        self.assertEqual(Recording.with_user(self.responsible_user).search([]), recording)
        self.assertFalse(Recording.with_user(self.responsible_b_user).search([]))
        for user in (self.inspector_user, self.commission_user, self.admin_user):
            with self.assertRaises(Exception):
                Recording.with_user(user).search([])

    def test_sizes_beyond_32_bits(self):
        """A 4 GiB recording is ordinary: the size column holds it (the benchmark uploads one)."""
        self.cr.execute("""SELECT data_type FROM information_schema.columns
                           WHERE table_name = 'mchs_bodycam_recording' AND column_name = 'size'""")
        self.assertEqual(self.cr.fetchone()[0], "numeric")
        recording = self._recording()
        self.cr.execute("ALTER TABLE mchs_bodycam_recording DISABLE TRIGGER mchs_bodycam_recording_lock")
        self.cr.execute("UPDATE mchs_bodycam_recording SET size = %s WHERE id = %s", [4 * 1024 ** 3, recording.id])
        self.cr.execute("ALTER TABLE mchs_bodycam_recording ENABLE TRIGGER mchs_bodycam_recording_lock")
        recording.invalidate_recordset()
        self.assertEqual(int(recording.size), 4294967296)

    def test_storage_configuration(self):
        with self.assertRaisesRegex(Exception, "another location"), self.cr.savepoint():
            self.env["mchs.bodycam.storage"].create({
                "name": "Same", "department_id": self.unit_c.id, "primary_path": self.folders[0],
                "backup_path": self.folders[0]})
        with self.assertRaisesRegex(Exception, "absolute path"), self.cr.savepoint():
            self.env["mchs.bodycam.storage"].create({
                "name": "Relative", "department_id": self.unit_c.id, "primary_path": "videos",
                "backup_path": self.folders[1]})

    def _recording(self, body=b"0123456789" * 1000):
        return self.env["mchs.bodycam.recording"].browse(self._upload(body).json()["id"])

    def _open(self, user, recording, action="view", purpose="review of the inspection", password="special-pass-2026",
              legal_basis=None):
        wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(user).create(
            {"recording_id": recording.id, "action": action, "purpose": purpose, "password": password,
             "legal_basis_id": legal_basis.id if legal_basis else False})
        return wizard.action_open().get("url")

    def test_special_password(self):
        """item 5 ¶2: the storage's special password, known to the head and the responsible
        person only, kept as a hash in the vault; a wrong one is refused and journaled."""
        recording = self._recording()
        self.storage.invalidate_recordset()
        self.assertTrue(self.storage.password_set)
        stored = json.loads(vault.get(self.cr, "storage_password", self.storage.id))
        self.assertTrue(stored["hash"].startswith("$pbkdf2-sha512$"))
        self.assertNotIn("special-pass-2026", json.dumps(stored))
        with self.assertRaisesRegex(UserError, "Wrong special password"):
            self._open(self.head_user, recording, password="guess")
        refused = self.env["mchs.bodycam.access"].search([("result", "=", "refused")])
        self.assertEqual((refused.user_id, refused.refusal), (self.head_user, "wrong_password"))
        self.assertFalse(self.env["mchs.bodycam.recording.access.wizard"].search([]).filtered("password"),
                         "the refused password's clear text is wiped too")
        self.assertTrue(self._open(self.head_user, recording))
        self.assertFalse(self.env["mchs.bodycam.recording.access.wizard"].search([]).filtered("password"))
        with self.assertRaisesRegex(UserError, "Only the head and the responsible person"):
            self.storage.with_user(self.admin_user)._set_password("admin-knows-it")
        with self.assertRaisesRegex(UserError, "at least 10"):
            self.storage.with_user(self.head_user)._set_password("short")
        # the head changes it through the screen; the wizard keeps no clear text
        wizard = self.env["mchs.bodycam.storage.password.wizard"].with_user(self.head_user).create({
            "storage_id": self.storage.id, "password": "new-special-2027", "confirmation": "new-special-2027"})
        wizard.action_apply()
        self.assertFalse(wizard.password or wizard.confirmation)
        self.assertTrue(self.storage._check_password("new-special-2027"))
        self.assertFalse(self.storage._check_password("special-pass-2026"))

    def test_view_writes_one_access_row_and_serves_ranges(self):
        body = bytes(range(256)) * 400
        recording = self._recording(body)
        Access = self.env["mchs.bodycam.access"]
        url = self._open(self.responsible_user, recording)
        rows = Access.search([("recording_id", "=", recording.id)])
        self.assertEqual(len(rows), 1, "the row is written before the first byte")
        self.assertEqual((rows.user_id, rows.result, rows.action, rows.purpose, rows.inventory_text),
                         (self.responsible_user, "granted", "view", "review of the inspection",
                          self.camera_a.inventory_number))
        self.authenticate("t.responsible", "t.responsible")
        partial = self.url_open(url, headers={"Range": "bytes=100-199"})
        self.assertEqual((partial.status_code, partial.content), (206, body[100:200]))
        whole = self.url_open(url)
        self.assertEqual(whole.content, body)
        self.assertEqual(Access.search_count([("recording_id", "=", recording.id)]), 1,
                         "seeking in the same view writes no new row")
        # item 22: a download is made on a legal basis
        basis = self.env["mchs.bodycam.legal.basis"].create({
            "department_id": self.unit_a.id, "kind": "request", "number": "7", "date": fields.Date.today(),
            "authority": "Court of Almaty"})
        download = self._open(self.head_user, recording, action="download", purpose="court request", legal_basis=basis)
        self.authenticate("t.head", "t.head")
        response = self.url_open(download)
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
        self.assertEqual(Access.search_count([("recording_id", "=", recording.id)]), 2)

    def test_refused_attempts_are_journaled(self):
        recording = self._recording()
        url = self._open(self.responsible_user, recording)
        # the head has the link but not the access: refused and written down
        self.authenticate("t.head", "t.head")
        self.assertEqual(self.url_open(url).status_code, 403)
        self.assertEqual(self.url_open(f"/mchs_bodycam/recording/{recording.id}/stream").status_code, 403)
        refused = self.env["mchs.bodycam.access"].search([("result", "=", "refused")])
        self.assertEqual((len(refused), refused.user_id), (2, self.head_user))
        # people without the right cannot open it at all (item 13)
        for user in (self.inspector_user, self.commission_user, self.admin_user):
            with self.assertRaises(Exception):
                self._open(user, recording)
        with self.assertRaisesRegex(Exception, "Say why|required"):
            self._open(self.responsible_user, recording, purpose=" ")

    def test_a_view_token_cannot_download(self):
        """item 13: an access row records what was really done; a token granted for viewing is
        refused a download, and the refusal is journaled."""
        recording = self._recording()
        url = self._open(self.responsible_user, recording, action="view")
        self.authenticate("t.responsible", "t.responsible")
        self.assertEqual(self.url_open(url + "&download=1").status_code, 403)
        refused = self.env["mchs.bodycam.access"].search([("result", "=", "refused")])
        self.assertEqual((refused.action, refused.user_id, refused.refusal),
                         ("download", self.responsible_user, "view_token_download"))
        self.assertEqual(self.url_open(url).status_code, 200, "the view itself still plays")
        # an inspector who got hold of the link is refused and journaled too
        self.authenticate("t.inspector", "t.inspector")
        self.assertEqual(self.url_open(url).status_code, 403)
        self.assertEqual(self.env["mchs.bodycam.access"].search(
            [("user_id", "=", self.inspector_user.id)]).refusal, "no_valid_access")

    def test_streaming_a_changed_primary_copy_is_recorded(self):
        """item 13: the bytes of a whole-file request are hashed as they are sent; a copy that no
        longer matches its SHA-256 is recorded on the access row, as a finding of the unit and as
        an activity for the head and the responsible person. A range cannot be checked."""
        body = bytes(range(256)) * 8000  # two chunks of the stream
        self.storage.max_upload_mb = 2
        recording = self._recording(body)
        primary = self.storage._backends()[0].path(recording.sha256)
        os.chmod(primary, 0o600)
        with open(primary, "r+b") as handle:
            handle.seek(1_500_000)
            handle.write(b"\x00")
        tampered = body[:1_500_000] + b"\x00" + body[1_500_001:]
        url = self._open(self.head_user, recording)
        access = self.env["mchs.bodycam.access"].search([("recording_id", "=", recording.id)])
        self.authenticate("t.head", "t.head")
        self.assertEqual(self.url_open(url, headers={"Range": "bytes=0-99"}).status_code, 206)
        Finding = self.env["mchs.bodycam.audit.finding"]
        self.assertFalse(Finding.search([]), "a range is served as it is, unchecked")
        whole = self.url_open(url)
        self.assertEqual((whole.status_code, whole.content), (200, tampered))
        access.invalidate_recordset()
        self.assertEqual(access.served_sha256, hashlib.sha256(tampered).hexdigest())
        finding = Finding.search([])
        self.assertEqual((finding.kind, finding.location, finding.recording_id, finding.access_id,
                          finding.department_id, finding.detail),
                         ("served_changed", "primary", recording, access, self.unit_a, access.served_sha256))
        self.assertEqual(sorted(finding.activity_ids.user_id.ids), sorted((self.head_user | self.responsible_user).ids))
        self.assertIn(recording.filename, finding.activity_ids[0].note)
        # played again under the same access: recorded once
        self.url_open(url)
        self.assertEqual(len(Finding.search([])), 1)
        # the row's other columns and a second fill are refused by the database
        self.env.flush_all()
        for statement in ("UPDATE mchs_bodycam_access SET served_sha256 = 'x' WHERE id = %s",
                          "UPDATE mchs_bodycam_access SET served_sha256 = NULL WHERE id = %s"):
            with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "filled once|is locked"), \
                    self.cr.savepoint():
                self.cr.execute(statement, [access.id])
        # an unchanged copy leaves nothing
        other = self._recording(b"intact" * 1000)
        self.url_open(self._open(self.head_user, other))
        self.assertFalse(self.env["mchs.bodycam.access"].search([("recording_id", "=", other.id)]).served_sha256)
        self.assertEqual(len(Finding.search([])), 1)

    def test_access_journal_is_append_only_and_chained(self):
        recording = self._recording()
        for _ in range(3):
            self._open(self.responsible_user, recording)
        Access = self.env["mchs.bodycam.access"]
        rows = Access.search([("department_id", "=", self.unit_a.id)], order="sequence")
        self.assertEqual(rows.mapped("sequence"), [1, 2, 3])
        self.assertEqual(rows[1].previous_hash, rows[0].hash)
        self.assertFalse(Access._verify_chain(self.unit_a))
        with self.assertRaisesRegex(UserError, "is locked"):
            rows[0].sudo().write({"purpose": "nothing"})
        with self.assertRaisesRegex(UserError, "is kept"):
            rows[0].sudo().unlink()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "is locked"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_access SET purpose = 'x' WHERE id = %s", [rows[0].id])
        # somebody with the database owner's rights disables the guard and rewrites row 2
        self.cr.execute("ALTER TABLE mchs_bodycam_access DISABLE TRIGGER mchs_bodycam_access_lock")
        self.cr.execute("UPDATE mchs_bodycam_access SET purpose = 'nothing to see' WHERE id = %s", [rows[1].id])
        self.cr.execute("ALTER TABLE mchs_bodycam_access ENABLE TRIGGER mchs_bodycam_access_lock")
        rows.invalidate_recordset()
        self.assertEqual(Access._verify_chain(self.unit_a), rows[1])
        notification = rows.with_user(self.responsible_user).action_verify_chain()
        self.assertIn("broken at row 2", notification["params"]["message"])

    def test_folder_import_from_a_card_reader(self):
        """item 10: only the memory card is taken out; its files go through the same path."""
        inbox = tempfile.mkdtemp(prefix="mchs-inbox-")
        self.addCleanup(shutil.rmtree, inbox, True)
        self.dock.inbox_path = inbox
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=2)
        stamp = start.strftime("%Y%m%dT%H%M%S")
        end = (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S")
        good = f"{self.camera_a.inventory_number}__{self.card_a.inventory_number}__{stamp}__{end}__VID_7.mp4"
        with open(os.path.join(inbox, good), "wb") as handle:
            handle.write(b"card content" * 500)
        with open(os.path.join(inbox, "holiday.jpg"), "wb") as handle:
            handle.write(b"not a recording")
        # a 13th month, sorted first: refused, and the files after it are still imported
        impossible = f"{self.camera_a.inventory_number}__{self.card_a.inventory_number}__20001301T000000__{end}__X.mp4"
        with open(os.path.join(inbox, impossible), "wb") as handle:
            handle.write(b"bad date")
        imported, refused = self.env["mchs.bodycam.dock"]._cron_import_inboxes(commit=False)
        self.assertEqual((imported, refused), (1, 2))
        recording = self.env["mchs.bodycam.recording"].search([("filename", "=", "VID_7.mp4")])
        self.assertEqual((recording.camera_id, recording.card_id, recording.dock_id, recording.device_start),
                         (self.camera_a, self.card_a, self.dock, start))
        self.assertEqual(sorted(os.listdir(inbox)), ["refused"])
        self.assertEqual(sorted(os.listdir(os.path.join(inbox, "refused"))),
                         sorted(["holiday.jpg", "holiday.jpg.reason.txt", impossible, impossible + ".reason.txt"]))
        self.assertEqual(len(self._stored_files()), 2)

    def test_unexplained_breaks_in_recording_are_flagged(self):
        """items 18, 19: recording runs through the duty; breaks that no pause explains are flagged."""
        entry = self._issue()
        issued = entry.issue_datetime

        def record(minutes_from, minutes_to):
            start = issued + timedelta(minutes=minutes_from)
            self._upload(os.urandom(2000), start=str(start), end=str(issued + timedelta(minutes=minutes_to)))
        record(1, 60)
        record(61, 120)   # a 1-minute break: within the tolerance
        record(160, 200)  # a 40-minute break
        record(230, 260)  # a 30-minute break, declared as a meal pause below
        entry.invalidate_recordset()
        self.assertEqual(entry.recording_gap_count, 2)
        entry._add_remark({"kind": "pause", "pause_reason": "meal", "informed_employee_id": self.responsible.id,
                           "pause_start": issued + timedelta(minutes=200), "pause_end": issued + timedelta(minutes=230)})
        entry.invalidate_recordset()
        self.assertEqual(entry.recording_gap_count, 1)
        self.assertEqual(len(entry.with_user(self.head_user).duty_flags_text.splitlines()), 1)
        self.assertIn(entry, self.env["mchs.bodycam.custody"].search([("recording_gap_count", ">", 0)]))

    def test_legal_hold_blocks_destruction(self):
        """item 14: a recording of evidentiary value is held; not even destruction removes it."""
        held, free = self._recording(b"held" * 100), self._recording(b"free" * 100)
        evidence = self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, held.ids)], "basis_type": "request", "basis_number": "12/345",
            "basis_date": "2026-11-20", "issuing_body": "Prosecutor's office of Almaty", "recipient": "both"})
        self.assertEqual(evidence.department_id, self.unit_a)
        self.assertTrue(held.on_legal_hold)
        self.assertEqual(self.env["mchs.bodycam.recording"].search([("on_legal_hold", "=", True)]), held)
        with self.assertRaisesRegex(UserError, "is locked"), self.cr.savepoint():
            evidence.write({"recording_ids": [(3, held.id)]})
        with self.assertRaisesRegex(UserError, "is kept"):
            evidence.sudo().unlink()
        self.env.flush_all()
        mark = "UPDATE mchs_bodycam_recording SET state = 'destroyed', destruction_id = %s WHERE id = %s"
        act = self._destruction_act()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "destruction act only"), \
                self.cr.savepoint():
            self.cr.execute(mark, [act.id, free.id])
        self.cr.execute("SET LOCAL mchs_bodycam.destruction = 'on'")  # the destruction act's switch (item 12)
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "legal hold"), self.cr.savepoint():
            self.cr.execute(mark, [act.id, held.id])
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "never deleted"), \
                self.cr.savepoint():
            self.cr.execute("DELETE FROM mchs_bodycam_recording WHERE id = %s", [free.id])
        with self.cr.savepoint(flush=False):
            self.cr.execute(mark, [act.id, free.id])
            self.cr.execute("SELECT state FROM mchs_bodycam_recording WHERE id = %s", [free.id])
            self.assertEqual(self.cr.fetchone()[0], "destroyed", "a recording without hold can be destroyed")
        evidence.action_release()
        self.env.flush_all()
        with self.cr.savepoint(flush=False):
            self.cr.execute(mark, [act.id, held.id])
        self.cr.execute("SET LOCAL mchs_bodycam.destruction = 'off'")
        with self.assertRaises(Exception):
            self.env["mchs.bodycam.evidence"].with_user(self.inspector_user).search([])

    def _destruction_act(self):
        commission = self.env["mchs.bodycam.commission"].create({"department_id": self.unit_a.id, "year": 2026})
        return self.env["mchs.bodycam.destruction"].create({"commission_id": commission.id, "place": "Test"})

    def test_evidence_package_matches_its_files(self):
        """item 14: the package holds the files, a manifest with every SHA-256, the legal basis and
        the chain of custody; building it is written to the access journal."""
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        bodies = [b"first" * 300, b"second" * 300]
        recordings = self._recording(bodies[0]) | self._recording(bodies[1])
        self._open(self.responsible_user, recordings[0])
        evidence = self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, recordings.ids)], "basis_type": "resolution", "basis_number": "7-AB",
            "basis_date": "2026-11-21", "issuing_body": "Court of Almaty", "recipient": "court"})
        action = evidence.with_context(force_report_rendering=True).action_download_package()
        path = os.path.join(evidence._package_folder(), os.path.basename(action["url"]))
        with zipfile.ZipFile(path) as package:
            manifest = json.loads(package.read("manifest.json"))
            self.assertEqual(manifest["legal_basis"]["number"], "7-AB")
            self.assertEqual(len(manifest["files"]), 2)
            for entry in manifest["files"]:
                self.assertEqual(hashlib.sha256(package.read(entry["file"])).hexdigest(), entry["sha256"])
            self.assertEqual(sorted(e["sha256"] for e in manifest["files"]), sorted(recordings.mapped("sha256")))
            self.assertTrue(package.read("manifest.pdf").startswith(b"%PDF"))
            manifest_text = pdf_text(package.read("manifest.pdf"), "-raw")
        for sha in recordings.mapped("sha256"):
            self.assertIn(sha, manifest_text.replace("\n", "").replace(" ", ""))
        # issue 11: no moment is cut in two by the end of a line (date on one line, time on the next)
        moments = re.findall(r"\d{2}\.\d{2}\.\d{4}[ \n]\d{2}:\d{2}", manifest_text)
        self.assertGreaterEqual(len(moments), 2 * len(recordings) + 1, manifest_text)
        self.assertEqual([moment for moment in moments if "\n" in moment], [], manifest_text)
        self.assertIsNone(re.search(r"\d{2}\.\d{2}\.?\n\d{2,4}", manifest_text), manifest_text)
        exports = self.env["mchs.bodycam.access"].search([("action", "=", "export")])
        self.assertEqual((len(exports), exports.user_id), (2, self.head_user))
        first = next(e for e in manifest["files"] if e["sha256"] == recordings[0].sha256)
        self.assertEqual([a["action"] for a in first["accesses"]], ["view", "export"])
        self.authenticate("t.head", "t.head")
        download = self.url_open(action["url"])
        self.assertEqual((download.status_code, download.headers["Content-Type"]), (200, "application/zip"))
        # item 14: downloading the built package again is an export of its recordings in Appendix 2,
        # on the basis's record (item 22)
        exports = self.env["mchs.bodycam.access"].search([("action", "=", "export")], order="sequence")
        self.assertEqual((len(exports), exports.legal_basis_id), (4, evidence.legal_basis_id))
        self.assertEqual(set(exports.mapped("result")), {"granted"})
        # the manifest in the unit's language, its moments in the unit's time zone (issue 11)
        self.assertEqual((manifest["language"], manifest["time_zone"]), ("kk_KZ", "Asia/Almaty"))
        self.assertTrue(manifest["exported_at"].endswith("+05:00"))
        self.assertIn("№ 495", manifest["regulation"])
        self.authenticate("t.responsible.b", "t.responsible.b")
        self.assertEqual(self.url_open(action["url"]).status_code, 404)

    def _tamper(self, backend, recording):
        path = backend.path(recording.sha256)
        os.chmod(path, 0o600)
        with open(path, "r+b") as handle:
            first = handle.read(1)
            handle.seek(0)
            handle.write(bytes([first[0] ^ 1]))

    def _evidence(self, recordings, number="7-AC"):
        return self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, recordings.ids)], "basis_type": "request", "basis_number": number,
            "basis_date": "2026-11-21", "issuing_body": "Prosecutor's office", "recipient": "authority"})

    def test_evidence_package_uses_the_copy_that_verifies(self):
        """item 14: a primary copy changed on the storage is not packed: the package is built from
        the backup copy, which verifies; the changed copy is a finding with an activity (item 13)."""
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        recordings = self._recording(b"kept" * 300) | self._recording(b"other" * 300)
        primary, _backup = self.storage._backends()
        self._tamper(primary, recordings[1])
        evidence = self._evidence(recordings)
        path = evidence.with_context(force_report_rendering=True)._export_package()
        with zipfile.ZipFile(path) as package:
            manifest = json.loads(package.read("manifest.json"))
            for entry in manifest["files"]:
                self.assertEqual(hashlib.sha256(package.read(entry["file"])).hexdigest(), entry["sha256"])
        self.assertEqual(len(manifest["files"]), 2)
        finding = self.env["mchs.bodycam.audit.finding"].search([("recording_id", "=", recordings[1].id)])
        self.assertEqual((finding.kind, finding.location, finding.department_id, finding.audit_id),
                         ("served_changed", "primary", self.unit_a, self.env["mchs.bodycam.audit"]))
        self.assertEqual(sorted(finding.activity_ids.user_id.ids), sorted((self.head_user | self.responsible_user).ids))
        self.assertEqual(finding.with_user(self.head_user).kind_label, "Changed copy found while served")

    def test_evidence_package_refused_when_no_copy_verifies(self):
        """item 14: both copies changed: no package, nothing left behind, the refusal journaled."""
        recordings = self._recording(b"kept" * 300) | self._recording(b"other" * 300)
        for backend in self.storage._backends():
            self._tamper(backend, recordings[1])
        evidence = self._evidence(recordings)
        with self.assertRaisesRegex(UserError, "Neither copy"):
            evidence.with_context(force_report_rendering=True)._export_package()
        folder = evidence._package_folder()
        self.assertFalse(os.path.isdir(folder) and os.listdir(folder), "no package, no part file")
        refused = self.env["mchs.bodycam.access"].search([("action", "=", "export")])
        self.assertEqual((refused.result, refused.recording_id, refused.user_id),
                         ("refused", recordings[1], self.head_user))
        findings = self.env["mchs.bodycam.audit.finding"].search([("recording_id", "=", recordings[1].id)])
        self.assertEqual(sorted(findings.mapped("location")), ["backup", "primary"])
