import hashlib
import json
import os
import socket
from datetime import timedelta
from urllib.parse import urlencode, urlparse

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib.storage import UPLOAD_CHUNK_SIZE
from ..lib.transaction import IN_CALLER_TRANSACTION
from .common import DockCase

ONE_SHOT = "/mchs_bodycam/dock/v1/recordings"
UPLOADS = "/mchs_bodycam/dock/v2/uploads"
CHUNK = UPLOAD_CHUNK_SIZE


@tagged("post_install", "-at_install")
class TestDockUploads(DockCase, HttpCase):
    """The resumable upload of the dock API (items 10, 11): chunks that fit Odoo's workers, a
    resume from the offset the server holds, and a recording only once both copies hash to the
    declared SHA-256. Every answer is JSON with a code."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storage.max_upload_mb = 64
        # the body of most tests: two full chunks and a short last one
        cls.body = os.urandom(2 * CHUNK + 1000)
        cls.sha = hashlib.sha256(cls.body).hexdigest()

    # ------------------------------------------------------------------ client

    def _request(self, method, path, token=None, **kwargs):
        headers = dict({"Authorization": f"Bearer {token or self.token}"}, **kwargs.pop("headers", {}))
        return self.opener.request(method, f"{self.base_url()}{path}", headers=headers, timeout=60, **kwargs)

    def _open(self, body=None, token=None, **values):
        body = self.body if body is None else body
        start, end = self._times()
        description = dict({"camera": self.camera_a.inventory_number, "card": self.card_a.inventory_number,
                            "start": start, "end": end, "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                            "filename": "VID_0002.mp4"}, **values)
        return self._request("POST", UPLOADS, token=token, json={k: v for k, v in description.items() if v is not None})

    def _put(self, upload_id, offset, chunk, token=None):
        return self._request("PUT", f"{UPLOADS}/{upload_id}?offset={offset}", token=token, data=chunk,
                             headers={"Content-Type": "application/octet-stream"})

    def _send_all(self, upload_id, body=None, start=0):
        body = self.body if body is None else body
        offset = start
        while offset < len(body):
            answer = self._put(upload_id, offset, body[offset:offset + CHUNK])
            self.assertEqual(answer.status_code, 200, answer.text)
            offset = answer.json()["offset"]
        return offset

    def _upload(self, upload_id):
        return self.env["mchs.bodycam.upload"].search([("name", "=", upload_id)])

    def _assert_refused(self, response, status, code):
        self.assertEqual((response.status_code, response.headers.get("Content-Type")), (status, "application/json"),
                         response.text)
        self.assertEqual(response.json()["error"], code, response.text)
        self.assertTrue(response.json()["message"])
        return response.json()

    def _parts(self):
        return [path for path in self._stored_files() if path.endswith(".upload")]

    def _in_caller_transaction(self):
        return self.env["mchs.bodycam.upload"].with_context(**{IN_CALLER_TRANSACTION: True})

    # ------------------------------------------------------------------ the protocol

    def test_resumable_upload_stores_a_verified_recording(self):
        opened = self._open()
        self.assertEqual(opened.status_code, 201, opened.text)
        answer = opened.json()
        self.assertEqual((answer["state"], answer["offset"], answer["chunk_size"], answer["size"]),
                         ("open", 0, CHUNK, len(self.body)))
        self.assertTrue(answer["expires_at"])
        upload_id = answer["id"]
        self.assertEqual(self._open().json()["id"], upload_id, "the same file opened again is the same upload")
        self.assertEqual(self._put(upload_id, 0, self.body[:CHUNK]).json()["offset"], CHUNK)
        # a break: the dock asks where to resume; a chunk sent again or from elsewhere is refused
        self.assertEqual(self._request("GET", f"{UPLOADS}/{upload_id}").json()["offset"], CHUNK)
        refused = self._assert_refused(self._put(upload_id, 0, self.body[:CHUNK]), 409, "offset_mismatch")
        self.assertEqual(refused["offset"], CHUNK)
        self._assert_refused(self._put(upload_id, CHUNK, self.body[CHUNK:CHUNK + 1000]), 400, "bad_chunk")
        self._assert_refused(self._request("POST", f"{UPLOADS}/{upload_id}/finish"), 409, "incomplete")
        self.assertEqual(self._send_all(upload_id, start=CHUNK), len(self.body))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]), "no recording before the check")
        finished = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual(finished.status_code, 201, finished.text)
        answer = finished.json()
        self.assertEqual((answer["state"], answer["sha256"], answer["verified"], answer["created"]),
                         ("done", self.sha, True, True))
        recording = self.env["mchs.bodycam.recording"].browse(answer["recording_id"])
        self.assertEqual((recording.sha256, int(recording.size), recording.card_id, recording.dock_id),
                         (self.sha, len(self.body), self.card_a, self.dock))
        upload = self._upload(upload_id)
        self.assertEqual((upload.state, upload.recording_id, upload.progress), ("done", recording, 100.0))
        for folder in self.folders:
            path = os.path.join(folder, self.sha[:2], self.sha[2:4], self.sha)
            with open(path, "rb") as handle:
                self.assertEqual(hashlib.sha256(handle.read()).hexdigest(), self.sha)
            self.assertFalse(os.stat(path).st_mode & 0o222, "stored read-only")
        self.assertEqual(self._parts(), [], "no part is left in the staging folders")
        # asked again: the same answers, nothing written twice
        self.assertEqual(self._request("POST", f"{UPLOADS}/{upload_id}/finish").status_code, 200)
        again = self._open()
        self.assertEqual((again.status_code, again.json()["state"], again.json()["recording_id"]),
                         (200, "done", recording.id))
        self._assert_refused(self._put(upload_id, 0, self.body[:CHUNK]), 409, "upload_closed")
        self.assertEqual(len(self._stored_files()), 2)

    def test_large_upload_is_checked_in_the_background(self):
        """A file above the storage's verify_inline_mb: finish answers 202 at once and the
        background job reads both copies back while the dock asks for the state."""
        self.storage.verify_inline_mb = 0
        upload_id = self._open().json()["id"]
        self._send_all(upload_id)
        finished = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual((finished.status_code, finished.json()["state"]), (202, "verifying"), finished.text)
        self.assertEqual(self._request("POST", f"{UPLOADS}/{upload_id}/finish").status_code, 202)
        self.assertEqual(self._request("GET", f"{UPLOADS}/{upload_id}").json()["state"], "verifying")
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        # one copy a step: a step stays within a cron's time limit
        self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual((self._upload(upload_id).state, self._upload(upload_id).verified_copies), ("verifying", 1))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self._in_caller_transaction()._cron_process_uploads()
        status = self._request("GET", f"{UPLOADS}/{upload_id}").json()
        self.assertEqual((status["state"], status["verified"], status["sha256"]), ("done", True, self.sha))
        self.assertEqual(self.env["mchs.bodycam.recording"].browse(status["recording_id"]).sha256, self.sha)
        self.assertEqual(self._parts(), [])

    def test_bytes_that_do_not_hash_to_the_declared_sha256_are_dropped(self):
        upload_id = self._open().json()["id"]
        forged = bytearray(self.body)
        forged[CHUNK + 7] ^= 0xFF  # one byte flipped on the way
        self._send_all(upload_id, bytes(forged))
        answer = self._assert_refused(self._request("POST", f"{UPLOADS}/{upload_id}/finish"), 422, "hash_mismatch")
        self.assertEqual(answer["state"], "failed")
        self.assertEqual((self._upload(upload_id).state, self._upload(upload_id).error), ("failed", "hash_mismatch"))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self.assertEqual(self._stored_files(), [], "neither the parts nor a final name are left")
        # the dock starts again: a new upload of the same file
        second = self._open()
        self.assertEqual(second.status_code, 201)
        self.assertNotEqual(second.json()["id"], upload_id)

    def test_abort_and_expiry_remove_the_parts(self):
        aborted = self._open().json()["id"]
        self._put(aborted, 0, self.body[:CHUNK])
        answer = self._request("DELETE", f"{UPLOADS}/{aborted}")
        self.assertEqual((answer.status_code, answer.json()["state"]), (200, "aborted"))
        self._assert_refused(self._put(aborted, CHUNK, self.body[CHUNK:2 * CHUNK]), 409, "upload_closed")
        self.assertEqual(self._parts(), [])
        # an upload idle for a day expires; a part no upload refers to goes too, a fresh one stays
        idle = self._open().json()["id"]
        self._put(idle, 0, self.body[:CHUNK])
        self._upload(idle).write({"last_activity_at": fields.Datetime.now() - timedelta(days=1, minutes=1)})
        busy = self._open(body=self.body[:CHUNK + 5]).json()["id"]
        self._put(busy, 0, self.body[:CHUNK])
        orphan = os.path.join(self.folders[1], ".incoming", "f" * 32 + ".upload")
        with open(orphan, "wb") as handle:
            handle.write(b"left by a crash")
        os.utime(orphan, (0, 0))
        self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual((self._upload(idle).state, self._upload(busy).state), ("expired", "open"))
        self.assertEqual(sorted(os.path.basename(path) for path in self._parts()), [f"{busy}.upload"] * 2)
        status = self._request("GET", f"{UPLOADS}/{idle}").json()
        self.assertEqual((status["state"], status["error"]), ("expired", "expired"))

    def test_card_must_be_in_the_camera_when_it_recorded(self):
        """Items 6, 8: a spare card, a card of another bodycam, or a card put in after the
        recording, is refused with 422 card_not_in_camera (one-shot and resumable alike)."""
        spare = self.env["mchs.bodycam.card"].create({"department_id": self.unit_a.id})
        for card in (spare, self.card_a3):
            self._assert_refused(self._open(card=card.inventory_number), 422, "card_not_in_camera")
            self._assert_refused(self._one_shot(b"video", card=card.inventory_number), 422, "card_not_in_camera")
        long_ago = fields.Datetime.now().replace(microsecond=0) - timedelta(days=3)
        self._assert_refused(self._open(start=str(long_ago), end=str(long_ago + timedelta(hours=1))),
                             422, "card_not_in_camera")
        self.assertEqual(self._open().status_code, 201)
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))

    def test_iso_8601_times_from_devices(self):
        now = fields.Datetime.now().replace(microsecond=0)
        start, end = now - timedelta(minutes=30), now - timedelta(minutes=10)
        local = "+05:00"
        response = self._one_shot(b"iso times", start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  end=(end + timedelta(hours=5)).strftime(f"%Y-%m-%dT%H:%M:%S{local}"))
        self.assertEqual(response.status_code, 201, response.text)
        recording = self.env["mchs.bodycam.recording"].browse(response.json()["id"])
        self.assertEqual((recording.device_start, recording.device_end), (start, end))
        opened = self._open(start=start.strftime("%Y-%m-%dT%H:%M:%S.250Z"), end=end.strftime("%Y-%m-%dT%H:%M:%S+0000"))
        self.assertEqual(opened.status_code, 201, opened.text)
        self.assertEqual(self._upload(opened.json()["id"]).device_start, start)
        for wrong in ("2026-11-30T02:12", "30.11.2026 02:12:03", "2026-11-30T02:12:03+5", "2026-02-30T02:12:03Z"):
            self._assert_refused(self._open(start=wrong), 400, "bad_times")

    # ------------------------------------------------------------------ bad input, JSON always

    def _one_shot(self, body, token=None, **params):
        start, end = self._times()
        query = dict({"camera": self.camera_a.inventory_number, "card": self.card_a.inventory_number,
                      "start": start, "end": end}, **params)
        return self._request("POST", f"{ONE_SHOT}?{urlencode(query)}", token=token, data=body,
                             headers={"Content-Type": "application/octet-stream"})

    def test_every_answer_is_json_with_a_code(self):
        upload_id = self._open().json()["id"]
        cases = [
            (self._request("GET", ONE_SHOT), 405, "method_not_allowed"),
            (self._request("PUT", ONE_SHOT, data=b"x"), 405, "method_not_allowed"),
            (self._request("GET", UPLOADS), 405, "method_not_allowed"),
            (self._request("PATCH", f"{UPLOADS}/{upload_id}", data=b"x"), 405, "method_not_allowed"),
            (self._request("GET", f"{UPLOADS}/{upload_id}/finish"), 405, "method_not_allowed"),
            (self._request("GET", "/mchs_bodycam/dock/v3/nothing"), 404, "not_found"),
            (self._request("GET", f"{UPLOADS}/{'0' * 32}"), 404, "unknown_upload"),
            (self._request("GET", f"{UPLOADS}/{upload_id}/finish/more"), 404, "not_found"),
            (self._request("GET", f"{UPLOADS}/{upload_id}", token=self.token_b), 404, "unknown_upload"),
            (self._request("GET", f"{UPLOADS}/{upload_id}", token="wrong"), 401, "unauthorized"),
            (self._request("POST", UPLOADS, data=b"{not json"), 400, "bad_json"),
            (self._open(size=0), 400, "bad_parameter"),
            (self._open(size="12"), 400, "bad_parameter"),
            (self._open(sha256=None), 400, "bad_parameter"),
            (self._open(sha256="xyz"), 400, "bad_parameter"),
            (self._open(camera="AB\x00C"), 400, "bad_parameter"),
            (self._open(camera=["list"]), 400, "bad_parameter"),
            (self._open(camera="C" * 41), 400, "bad_parameter"),
            (self._open(filename="F" * 201), 400, "bad_parameter"),
            (self._open(filename="../etc/passwd"), 400, "bad_filename"),
            (self._open(size=65 * 1024 * 1024), 413, "too_large"),
            (self._one_shot(b"x", camera="AB\x00C"), 400, "bad_parameter"),
            (self._one_shot(b"x", sha256="\x00" * 64), 400, "bad_parameter"),
            (self._one_shot(b"x", card="M" * 500), 400, "bad_parameter"),
            (self._request("POST", f"{ONE_SHOT}?camera=X", data={"file": "form"}), 415, "unsupported_media_type"),
            (self._put(upload_id, "abc", self.body[:CHUNK]), 400, "bad_parameter"),
            (self._put(upload_id, 0, self.body[:CHUNK + 1]), 413, "too_large"),
        ]
        for response, status, code in cases:
            with self.subTest(url=response.url, status=status):
                self._assert_refused(response, status, code)
        self.assertEqual(cases[0][0].headers["Allow"], "POST")
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))

    def _raw(self, request_head, body=b""):
        """An HTTP request written by hand (no client library adds a Content-Length)."""
        address = urlparse(self.base_url())
        with socket.create_connection((address.hostname, address.port)) as connection:
            connection.sendall(request_head.encode() + b"\r\n" + body)
            connection.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        head, _, content = answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(content)

    def test_length_required_and_too_large_before_reading(self):
        host = urlparse(self.base_url()).netloc
        status, answer = self._raw(f"POST {ONE_SHOT}?camera=X HTTP/1.1\r\nHost: {host}\r\n"
                                   f"Authorization: Bearer {self.token}\r\nTransfer-Encoding: chunked\r\n"
                                   "Content-Type: application/octet-stream\r\n", b"5\r\nhello\r\n0\r\n\r\n")
        self.assertEqual((status, answer["error"]), (411, "length_required"))
        # a declared 10 GB is refused from its header: the server reads none of it
        status, answer = self._raw(f"POST {ONE_SHOT}?camera=X HTTP/1.1\r\nHost: {host}\r\n"
                                   f"Authorization: Bearer {self.token}\r\nContent-Length: 10000000000\r\n"
                                   "Content-Type: application/octet-stream\r\n", b"x" * 1000)
        self.assertEqual((status, answer["error"]), (413, "too_large"))
        self.assertIn(UPLOADS, answer["message"], "the one-shot upload points to the resumable one")

    def test_unforeseen_error_is_json_500(self):
        """A failure nobody foresaw (here the database refuses every new recording) is answered
        500 with JSON, logged, and leaves the upload resumable."""
        upload_id = self._open(body=b"tiny" * 10).json()["id"]
        self._put(upload_id, 0, b"tiny" * 10)
        self.env.cr.execute("""
            CREATE FUNCTION mchs_test_refuse() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'disk of the database is broken' USING ERRCODE = 'XX000'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse BEFORE INSERT ON mchs_bodycam_recording FOR EACH ROW EXECUTE FUNCTION mchs_test_refuse();
        """)
        with mute_logger("odoo.http", "odoo.sql_db"):
            response = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self._assert_refused(response, 500, "internal")
        self.env.cr.execute("DROP TRIGGER refuse ON mchs_bodycam_recording")
        # the copies were stored under their final name; finishing again registers them
        answer = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual((answer.status_code, answer.json()["state"]), (201, "done"), answer.text)

    def test_refusals_speak_the_units_language(self):
        english = self._open(camera="NO-SUCH").json()["message"]
        self.company.partner_id.lang = "ru_RU"
        russian = self._open(camera="NO-SUCH").json()["message"]
        self.assertNotEqual(russian, english)
        self.assertIn("NO-SUCH", russian)
        self.env["res.lang"]._activate_lang("kk_KZ")
        self.company.partner_id.lang = "kk_KZ"
        kazakh = self._open(camera="NO-SUCH").json()["message"]
        self.assertNotIn(kazakh, (english, russian))
        # before the dock is known: the language the dock asks for
        unknown = self._request("GET", UPLOADS, token="wrong", headers={"Accept-Language": "ru-RU"}).json()
        self.assertNotEqual(unknown["message"], self._request("GET", UPLOADS, token="wrong").json()["message"])

    def test_upload_history_is_read_only_and_per_unit(self):
        """Items 5, 13: the head, the responsible person and the administrator of the unit read
        its dock uploads; nobody changes them over the ORM; other units and roles see none."""
        upload = self._upload(self._open().json()["id"])
        Upload = self.env["mchs.bodycam.upload"]
        for user in (self.responsible_user, self.head_user, self.admin_user):
            self.assertEqual(Upload.with_user(user).search([]), upload)
            for attempt in (lambda u: u.write({"state": "done"}), lambda u: u.unlink(),
                            lambda u: Upload.with_user(u.env.user).create({"name": "x"})):
                with self.assertRaises(AccessError):
                    attempt(upload.with_user(user))
        self.assertFalse(Upload.with_user(self.responsible_b_user).search([]))
        for user in (self.inspector_user, self.commission_user):
            with self.assertRaises(AccessError):
                Upload.with_user(user).search([])
