"""The addon on a storage server of the object store kind, against the real RGW of make test
(issue 10): dock uploads, streaming, the annual audit, the destruction act, legal hold, and the
credentials nobody reads back."""
import hashlib
import json
import os
import time
import zipfile
from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import urlencode

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..lib import storage_s3, vault
from ..lib.storage import store_stream
from .common import RetentionCase, S3StorageMixin, StorageCase, new_bucket, s3_settings

URL = "/mchs_bodycam/dock/v1/recordings"


def _wait_until(moment):
    delay = (moment - datetime.utcnow()).total_seconds()
    if delay > 0:
        time.sleep(delay + 0.2)


@tagged("post_install", "-at_install")
class TestRecordingsS3(S3StorageMixin, StorageCase, HttpCase):
    """Docks upload to the two buckets; people open recordings from the primary one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storage.with_user(cls.responsible_user)._set_password("special-pass-2026")
        cls.dock = cls.env["mchs.bodycam.dock"].create({"name": "Dock S3", "department_id": cls.unit_a.id})
        cls.token = cls.dock.action_generate_token()["params"]["message"]

    def _upload(self, body, **params):
        end = fields.Datetime.now().replace(microsecond=0)
        query = dict({"camera": self.camera_a.inventory_number, "card": self.card_a.inventory_number,
                      "start": str(end - timedelta(minutes=10)), "end": str(end), "filename": "VID_0001.mp4",
                      "sha256": hashlib.sha256(body).hexdigest()}, **params)
        return self.opener.post(f"{self.base_url()}{URL}?{urlencode(query)}", data=body, timeout=60,
                                headers={"Authorization": f"Bearer {self.token}",
                                         "Content-Type": "application/octet-stream"})

    def test_dock_upload_stores_both_copies_under_retention(self):
        body = os.urandom(200_000)
        response = self._upload(body)
        self.assertEqual(response.status_code, 201, response.text)
        recording = self.env["mchs.bodycam.recording"].browse(response.json()["id"])
        sha = recording.sha256
        until = datetime.combine(recording.retention_date, datetime.min.time())
        self.assertEqual(self.storage._retain_until(recording.start), until)
        for backend in self.buckets:
            self.assertEqual(self._objects(backend), [f"recordings/{sha}"], "one object, no staging left")
            with backend.open(sha) as handle:
                self.assertEqual(handle.read(), body)
            [(_version, mode, retain, held)] = backend.lock_state(sha)
            self.assertEqual((mode, retain.replace(tzinfo=None), held), ("COMPLIANCE", until, False),
                             "kept until its retention ends (item 12)")
        self.assertTrue(recording._verify_copies())
        again = self._upload(body)
        self.assertEqual((again.status_code, again.json()["id"]), (200, recording.id))
        for backend in self.buckets:
            self.assertEqual(len(backend.versions(sha)), 1, "the same file again is not stored twice")

    def test_an_unreachable_store_is_a_503_and_stores_nothing(self):
        self.storage.s3_endpoint = "http://127.0.0.1:9"
        response = self._upload(b"video" * 1000)
        self.assertEqual((response.status_code, response.json()["error"]), (503, "storage_unavailable"))
        self.assertFalse(self.env["mchs.bodycam.recording"].search([("storage_id", "=", self.storage.id)]))

    def test_streaming_reads_the_primary_bucket_with_ranges(self):
        body = bytes(range(256)) * 400
        recording = self.env["mchs.bodycam.recording"].browse(self._upload(body).json()["id"])
        # the backup bucket gone: opening a recording does not need it
        self.storage.s3_backup_bucket = "t-no-such-bucket"
        wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.responsible_user).create({
            "recording_id": recording.id, "action": "view", "purpose": "review", "password": "special-pass-2026"})
        url = wizard.action_open()["url"]
        self.authenticate("t.responsible", "t.responsible")
        partial = self.url_open(url, headers={"Range": "bytes=100-199"})
        self.assertEqual((partial.status_code, partial.content), (206, body[100:200]))
        self.assertEqual(partial.headers["Content-Range"], f"bytes 100-199/{len(body)}")
        whole = self.url_open(url)
        self.assertEqual((whole.status_code, whole.content), (200, body))
        self.assertEqual(self.url_open(url, headers={"Range": f"bytes={len(body) + 10}-"}).status_code, 416)

    def test_credentials_are_set_once_and_never_read_back(self):
        settings = s3_settings()
        wizard = self.env["mchs.bodycam.storage.credentials.wizard"].with_user(self.admin_user).create({
            "storage_id": self.storage.id, "access_key": settings["access_key"], "secret_key": settings["secret_key"]})
        self.cr.execute("SELECT * FROM mchs_bodycam_storage_credentials_wizard WHERE id = %s", [wizard.id])
        self.assertNotIn(settings["secret_key"], repr(self.cr.fetchall()), "not even in the wizard's own table")
        wizard.invalidate_recordset()
        self.assertEqual(wizard.read(["access_key", "secret_key"])[0]["secret_key"], False)
        wizard.action_apply()
        self.assertEqual(json.loads(vault.get(self.cr, "s3", self.storage.id))["secret_key"], settings["secret_key"])
        self.assertFalse(vault.get(self.cr, "s3_wizard", wizard.id), "the typed keys left the wizard's slot")
        for user in (self.admin_user, self.responsible_user, self.head_user):
            values = self.storage.with_user(user).read()[0]
            self.assertNotIn(settings["secret_key"], repr(values))
            self.assertTrue(values["s3_credentials_set"])
        # over JSON-RPC, as Odoo's administrator: private methods and the vault are out of reach
        self.authenticate("admin", "admin")
        for method in ("_s3_credentials", "_backends"):
            response = self.url_open("/web/dataset/call_kw", data=json.dumps({
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "model": "mchs.bodycam.storage", "method": method, "args": [[self.storage.id]], "kwargs": {}}}),
                headers={"Content-Type": "application/json"})
            self.assertIn("Private methods", response.json()["error"]["data"]["message"])
            self.assertNotIn(settings["secret_key"], response.text)
        # only a bodycam administrator sets them, and wrong keys are refused before being kept
        with self.assertRaisesRegex(UserError, "Only a bodycam administrator"):
            self.storage.with_user(self.responsible_user).action_open_credentials_wizard()
        with self.assertRaisesRegex(UserError, "refuses the credentials"):
            self.storage.with_user(self.admin_user)._set_s3_credentials(settings["access_key"], "wrong-secret")
        self.assertEqual(json.loads(vault.get(self.cr, "s3", self.storage.id))["secret_key"], settings["secret_key"],
                         "the working keys are kept")

    def test_check_says_what_is_wrong_with_the_buckets(self):
        self.assertEqual(self.storage.action_check_buckets()["params"]["type"], "success")
        self.storage.s3_backup_bucket = new_bucket("plain", object_lock=False).bucket
        with self.assertRaisesRegex(UserError, r"Versioning is not enabled on .*/t-plain-\w+\.\n"
                                               r"Object Lock is not enabled on .*/t-plain-\w+: create"):
            self.storage.action_check_buckets()
        self.storage.s3_backup_bucket = "t-missing-bucket"
        with self.assertRaisesRegex(UserError, "The bucket .*t-missing-bucket does not exist"):
            self.storage.action_check_buckets()
        ru = self.storage.with_context(lang="ru_RU")
        with self.assertRaisesRegex(UserError, "не существует"):
            ru.action_check_buckets()
        for values, message in (({"s3_backup_bucket": self.storage.s3_bucket}, "another bucket"),
                                ({"s3_bucket": "ab"}, "not a bucket name"),
                                ({"s3_endpoint": "ftp://store"}, "not the URL")):
            with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
                self.storage.write(values)


class TestRetentionS3(S3StorageMixin, RetentionCase):
    """Items 12, 13, 14 on an object store: the destruction act against the store's retention,
    the annual audit of both buckets, legal hold."""

    def _locked_recording(self, start, until):
        """A recording made at ``start`` whose copies the store keeps until ``until`` (naive UTC):
        a short retention, so that the test sees it pass."""
        start = fields.Datetime.to_datetime(start)
        sha256, size = store_stream(iter([f"locked recording of {start}".encode() * 40]), self.storage._backends(),
                                    retain_until=until)
        return self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": sha256, "size": size, "storage_id": self.storage.id, "department_id": self.unit_a.id,
            "camera_id": self.camera_a.id, "device_start": start, "device_end": start + timedelta(hours=1),
            "start": start, "end": start + timedelta(hours=1), "filename": f"REC_{start:%Y%m%d}.mp4"})

    def test_destruction_fails_with_the_stores_refusal_until_retention_passes(self):
        until = datetime.utcnow() + timedelta(seconds=4)
        recordings = self._locked_recording("2022-03-01 10:00:00", until) | \
            self._locked_recording("2022-04-01 10:00:00", until)
        act = self._act()
        self.assertEqual(act.line_ids.recording_id, recordings, "the registry says they are due")
        self._confirm_all(act)
        self._run(act)
        self.assertEqual(act.state, "failed")
        self.assertIn("retained by the store in COMPLIANCE mode", act.error)
        self.assertEqual(set(act.line_ids.mapped("removal_state")), {"pending"}, "nothing moved, nothing removed")
        for backend in self.buckets:
            self.assertEqual(sorted(backend.list()), sorted(recordings.mapped("sha256")))
        self.assertEqual(set(recordings.mapped("state")), {"stored"})
        _wait_until(until)
        act.with_user(self.head_user).action_retry()
        self._run(act)
        self.assertEqual(act.state, "done", act.error)
        self.assertEqual(set(recordings.mapped("state")), {"destroyed"})
        for backend in self.buckets:
            self.assertEqual(self._objects(backend), [], "every version gone from both buckets")

    def test_the_store_itself_refuses_what_the_addon_does_not_check(self):
        """Were the act's own check gone, the store still refuses to delete before the end."""
        recording = self._locked_recording("2022-03-01 10:00:00", datetime.utcnow() + timedelta(days=1))
        act = self._act()
        self._confirm_all(act)
        with mock.patch.object(storage_s3.S3Backend, "stage", lambda backend, sha256, batch: None):
            self._run(act)
        self.assertEqual(act.state, "failed")
        self.assertIn("forbidden by object lock", act.error)
        self.assertEqual(recording.state, "stored")
        for backend in self.buckets:
            self.assertTrue(backend.verify(recording.sha256))
        act.with_user(self.head_user).action_retry()
        self.assertEqual(act.state, "destroying", "the act stays retryable")

    def test_audit_rehashes_both_buckets_and_finds_unknown_objects(self):
        recordings = [self._old_recording(f"2026-0{month}-10 10:00:00") for month in (1, 2, 3)]
        primary, backup = self.buckets
        unknown = "e" * 64
        primary.client.put_object(Bucket=primary.bucket, Key=primary.key(unknown), Body=b"planted")
        # a new version over a copy: Object Lock keeps the old one, the audit sees the change
        backup.client.put_object(Bucket=backup.bucket, Key=backup.key(recordings[1].sha256), Body=b"tampered")
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        audit.with_user(self.commission_user).action_start()
        self._run(audit)
        self.assertEqual(audit.state, "done")
        self.assertEqual(sorted((f.kind, f.location or "") for f in audit.finding_ids),
                         [("changed", "backup"), ("mismatch", ""), ("unknown", "primary")])
        self.assertEqual(audit.file_count, 6 + 1, "both copies of each recording and the unknown object, read once")

    def test_legal_hold_follows_the_evidence(self):
        recording = self._locked_recording("2022-03-01 10:00:00", datetime.utcnow() + timedelta(days=1))
        evidence = self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, recording.ids)], "basis_type": "request", "basis_number": "12/345",
            "basis_date": "2026-11-20", "issuing_body": "Prosecutor's office", "recipient": "both"})
        for backend in self.buckets:
            self.assertTrue(backend.lock_state(recording.sha256)[0][3], "held on both buckets (item 14)")
        # the package for the recipient is read from the primary bucket (and the backup checked)
        path = evidence.with_user(self.head_user)._export_package()
        with zipfile.ZipFile(path) as package:
            [name] = [name for name in package.namelist() if name.startswith("recordings/")]
            self.assertEqual(hashlib.sha256(package.read(name)).hexdigest(), recording.sha256)
        self.addCleanup(os.unlink, path)
        evidence.with_user(self.head_user).action_release()
        for backend in self.buckets:
            self.assertTrue(backend.lock_state(recording.sha256)[0][3], "released only once committed")
        self.env.cr.postcommit.run()
        for backend in self.buckets:
            self.assertFalse(backend.lock_state(recording.sha256)[0][3])

