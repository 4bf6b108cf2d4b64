import hashlib
import json
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlencode, urlparse

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib.storage import UPLOAD_CHUNK_SIZE, LocalDirectoryBackend
from ..lib.storage_s3 import PART_SIZE, UPLOAD_CHUNK_PARTS, UPLOAD_PREFIX, S3Backend
from ..lib.transaction import IN_CALLER_TRANSACTION
from .common import DockCase, S3StorageMixin

ONE_SHOT = "/mchs_bodycam/dock/v1/recordings"
UPLOADS = "/mchs_bodycam/dock/v2/uploads"
CHUNK = UPLOAD_CHUNK_SIZE


class DockUploadClient:
    """A dock speaking the resumable upload API to the test server."""

    chunk = CHUNK  # the chunk size of the storage's kind

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a background run reads at once the copies that fit in it: both of one upload
        cls.storage.max_upload_mb = max(64, 5 * cls.chunk >> 20)
        # the body of most tests: two full chunks and a short last one
        cls.body = os.urandom(2 * cls.chunk + 1000)
        cls.sha = hashlib.sha256(cls.body).hexdigest()

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
            answer = self._put(upload_id, offset, body[offset:offset + self.chunk])
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

    def _finished_in_background(self, body=None, minutes=10):
        """An upload of ``body`` sent whole and finished: the background job's to check."""
        self.storage.verify_inline_mb = 0
        upload_id = self._open(body, start=self._times(minutes)[0]).json()["id"]
        self._send_all(upload_id, body)
        finished = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual((finished.status_code, finished.json()["state"]), (202, "verifying"), finished.text)
        return upload_id

    @contextmanager
    def _reads_meeting(self, parties, backend_class=LocalDirectoryBackend):
        """Every read-back waits until ``parties`` of them run: a step that read its copies one
        after the other would stop at the first (BrokenBarrierError after 20 s)."""
        meeting = threading.Barrier(parties, timeout=20)
        started = []
        commit = backend_class.upload_commit

        def meet_then_commit(backend, *args, **kwargs):
            started.append(backend)
            meeting.wait()
            return commit(backend, *args, **kwargs)

        with patch.object(backend_class, "upload_commit", meet_then_commit):
            yield started


@tagged("post_install", "-at_install")
class TestDockUploads(DockUploadClient, DockCase, HttpCase):
    """The resumable upload of the dock API (items 10, 11): chunks that fit Odoo's workers, a
    resume from the offset the server holds, and a recording only once both copies hash to the
    declared SHA-256. Every answer is JSON with a code."""

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
        # both copies in one step: they fit in the storage's largest file (64 MB)
        self._in_caller_transaction()._cron_process_uploads()
        status = self._request("GET", f"{UPLOADS}/{upload_id}").json()
        self.assertEqual((status["state"], status["verified"], status["sha256"]), ("done", True, self.sha))
        self.assertEqual(self.env["mchs.bodycam.recording"].browse(status["recording_id"]).sha256, self.sha)
        self.assertEqual(self._parts(), [])

    def test_background_step_reads_both_copies_at_once_and_refuses_a_corrupted_one(self):
        """Item 10: the two copies are read back at the same time, and a copy that no longer
        hashes to the declared SHA-256 (here the backup's, spoilt on the disk after its last
        chunk was acknowledged) still fails the upload: no recording, no part left."""
        upload_id = self._finished_in_background()
        backup_part = next(path for path in self._parts() if path.startswith(self.folders[1]))
        os.chmod(backup_part, 0o600)
        with open(backup_part, "r+b") as handle:
            handle.seek(CHUNK + 3)
            handle.write(b"\x00\xff")
        with self._reads_meeting(2) as started:
            self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual(sorted(backend.root for backend in started), sorted(self.folders),
                         "one read each, at the same time")
        upload = self._upload(upload_id)
        self.assertEqual((upload.state, upload.error, upload.recording_id.id), ("failed", "hash_mismatch", False))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self.assertEqual(self._parts(), [], "the parts are removed")
        self.assertNotIn(os.path.join(self.folders[1], self.sha[:2], self.sha[2:4], self.sha), self._stored_files(),
                         "the spoilt copy is never stored under the file's name")
        status = self._request("GET", f"{UPLOADS}/{upload_id}").json()
        self.assertEqual((status["state"], status["error"]), ("failed", "hash_mismatch"))

    def test_background_step_reads_several_uploads_within_the_largest_file(self):
        """One step reads the copies of as many waiting uploads as fit in the storage's
        largest file (its max_upload_mb), all at once; one copy at least, so that a step stays
        within the cron's time limit, which must cover reading that file once."""
        second_body = os.urandom(CHUNK + 10)
        first, second = self._finished_in_background(), self._finished_in_background(second_body, minutes=30)
        with self._reads_meeting(4) as started:
            self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual(len(started), 4, "both copies of both uploads in one step")
        for upload_id, body in ((first, self.body), (second, second_body)):
            upload = self._upload(upload_id)
            self.assertEqual((upload.state, upload.verified_copies, upload.recording_id.sha256),
                             ("done", 2, hashlib.sha256(body).hexdigest()))
        self.assertEqual(self._parts(), [])
        # a largest file that holds one copy of the next upload: one copy a step
        third = self._finished_in_background(os.urandom(2 * CHUNK), minutes=50)
        self.storage.max_upload_mb = 3 * CHUNK >> 20
        self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual((self._upload(third).state, self._upload(third).verified_copies), ("verifying", 1))
        self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual((self._upload(third).state, self._upload(third).verified_copies), ("done", 2))

    def test_background_step_registers_an_upload_whose_copies_were_all_read(self):
        """A step that stopped after both copies were read back and noted, before the
        recording was registered: the next step reads nothing again and registers it."""
        first = self._finished_in_background()
        second = self._finished_in_background(os.urandom(CHUNK + 10), minutes=30)
        upload = self._upload(second)
        self.assertEqual(self.storage._upload_commit_at_once(
            [(self.storage, copy, second, upload.sha256, None) for copy in (0, 1)]), [None, None])
        upload.verified_copies = 2
        with self._reads_meeting(2) as started:
            self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual(len(started), 2, "only the first upload's copies are read")
        for upload_id in (first, second):
            self.assertEqual(self._upload(upload_id).state, "done")
            self.assertTrue(self._upload(upload_id).recording_id)

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


@tagged("post_install", "-at_install")
class TestDockUploadsS3(DockUploadClient, S3StorageMixin, DockCase, HttpCase):
    """The same upload on the object store (issue 10, points 1 and 2): each chunk is a part of a
    multipart upload on both buckets, sent to both at once; the recording exists only once both
    are read back, under COMPLIANCE retention, with nothing left in staging."""

    chunk = 3 * PART_SIZE  # three parts a chunk, sent at once (two by default; three have a middle one)

    def setUp(self):
        super().setUp()
        self.storage.upload_chunk_mb = self.chunk >> 20

    def test_the_chunk_size_is_the_storage_servers_setting(self):
        """Issue 10, point 5: an object store's chunk is two parts by default (sent at once),
        local folders' 8 MiB; the operator sets it for the slowest dock's link, in whole parts on
        an object store; an upload keeps the chunk size it began with."""
        Storage = self.env["mchs.bodycam.storage"]
        self.assertEqual(Storage.new({"kind": "s3"}).upload_chunk_mb, PART_SIZE * UPLOAD_CHUNK_PARTS >> 20)
        self.assertEqual(Storage.new({"kind": "local"}).upload_chunk_mb, CHUNK >> 20)
        upload_id = self._open().json()["id"]
        for refused in (12, 4, 72):
            with self.subTest(mib=refused), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.storage.upload_chunk_mb = refused
        self.storage.upload_chunk_mb = 2 * PART_SIZE >> 20
        self.assertEqual(self._request("GET", f"{UPLOADS}/{upload_id}").json()["chunk_size"], self.chunk)
        self._assert_refused(self._put(upload_id, 0, self.body[:2 * PART_SIZE]), 400, "bad_chunk")
        self.assertEqual(self._send_all(upload_id), len(self.body))
        other = self._open(body=self.body[:-1]).json()
        self.assertEqual(other["chunk_size"], 2 * PART_SIZE, "a new upload takes the new setting")

    def test_a_chunk_only_one_bucket_got_is_sent_again_and_the_upload_completes(self):
        upload_id = self._open().json()["id"]
        self.assertEqual(self._put(upload_id, 0, self.body[:self.chunk]).json()["offset"], self.chunk)
        # a break in the second chunk (parts 4 to 6): the primary bucket took its first and last
        # part, not the middle one; the backup none
        primary, backup = self.storage._backends()
        key, part = UPLOAD_PREFIX + upload_id, primary.part_size
        [multipart] = primary.client.list_multipart_uploads(Bucket=primary.bucket, Prefix=key)["Uploads"]
        for number in (4, 6):
            primary.client.upload_part(Bucket=primary.bucket, Key=key, UploadId=multipart["UploadId"],
                                       PartNumber=number, Body=self.body[(number - 1) * part:number * part])
        self.assertEqual((primary.upload_offset(upload_id), backup.upload_offset(upload_id)),
                         (self.chunk + part, self.chunk), "a bucket holds its parts up to the first missing")
        status = self._request("GET", f"{UPLOADS}/{upload_id}").json()
        self.assertEqual(status["offset"], self.chunk, "the dock resumes from what both buckets hold")
        self._assert_refused(self._put(upload_id, 0, self.body[:self.chunk]), 409, "offset_mismatch")
        self.assertEqual(self._send_all(upload_id, start=self.chunk), len(self.body))
        finished = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual((finished.status_code, finished.json()["state"], finished.json()["verified"]),
                         (201, "done", True), finished.text)
        recording = self.env["mchs.bodycam.recording"].browse(finished.json()["recording_id"])
        self.assertEqual((recording.sha256, int(recording.size)), (self.sha, len(self.body)))
        for bucket in self.buckets:
            self.assertEqual(self._objects(bucket), [bucket.key(self.sha)], "nothing left in staging")
            self.assertTrue(bucket.verify(self.sha))
            self.assertEqual(bucket.lock_state(self.sha)[0][1], "COMPLIANCE")

    def test_bytes_that_do_not_hash_are_dropped_from_both_buckets(self):
        upload_id = self._open().json()["id"]
        forged = bytearray(self.body)
        forged[7] ^= 0xFF
        self._send_all(upload_id, bytes(forged))
        self._assert_refused(self._request("POST", f"{UPLOADS}/{upload_id}/finish"), 422, "hash_mismatch")
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        for bucket in self.buckets:
            self.assertEqual(self._objects(bucket), [], "neither the parts nor a final name are left")
            self.assertFalse(bucket.client.list_multipart_uploads(Bucket=bucket.bucket).get("Uploads"))

    def test_background_step_reads_both_buckets_at_once_and_refuses_a_corrupted_one(self):
        """Both buckets are read back at the same time; a bucket whose last part is not the
        file's (here the primary's, written past the API) fails the upload: no recording, no
        staging object or multipart upload left, never those bytes under the file's name."""
        self.storage.verify_inline_mb = 0
        upload_id = self._open().json()["id"]
        self._send_all(upload_id, self.body[:2 * self.chunk])
        primary, backup = self.storage._backends()
        tail = self.body[2 * self.chunk:]
        primary.upload_write(upload_id, 2 * self.chunk, bytes(byte ^ 0xFF for byte in tail))
        backup.upload_write(upload_id, 2 * self.chunk, tail)
        finished = self._request("POST", f"{UPLOADS}/{upload_id}/finish")
        self.assertEqual((finished.status_code, finished.json()["state"]), (202, "verifying"), finished.text)
        with self._reads_meeting(2, S3Backend) as started:
            self._in_caller_transaction()._cron_process_uploads()
        self.assertEqual(sorted(backend.bucket for backend in started), sorted(b.bucket for b in self.buckets))
        upload = self._upload(upload_id)
        self.assertEqual((upload.state, upload.error), ("failed", "hash_mismatch"))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([]))
        self.assertEqual(self._objects(primary), [], "the primary's bytes never reach the file's name")
        # the backup's copy hashed to the file's name: it is the file, kept under retention
        self.assertEqual(self._objects(backup), [backup.key(self.sha)])
        self.assertTrue(backup.verify(self.sha))
        for bucket in self.buckets:
            self.assertFalse(bucket.client.list_multipart_uploads(Bucket=bucket.bucket).get("Uploads"))
