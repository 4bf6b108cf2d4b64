"""Write-once object storage against the real Ceph RGW that make test starts (issue 10; items
12, 13, 14): what the store itself refuses to the addon's own credentials. Never moto: it lets
COMPLIANCE retention be shortened."""
import hashlib
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from unittest import mock

from botocore.exceptions import ClientError, EndpointConnectionError

from odoo.tests import BaseCase

from ..lib import storage_s3
from ..lib.storage import StorageError, store_stream
from .common import new_bucket, s3_settings

MIB = 1024 * 1024


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class TestObjectLock(BaseCase):
    """The addon's S3 user (the one whose keys a storage server holds) against RGW."""

    def setUp(self):
        super().setUp()
        self.primary, self.backup = new_bucket("worm-p"), new_bucket("worm-b")

    def _store(self, body, retain_until, backends=None):
        return store_stream(iter([body]), backends or [self.primary, self.backup], retain_until=retain_until)[0]

    def _refused(self, call, code="AccessDenied"):
        with self.assertRaises(ClientError) as caught:
            call()
        self.assertEqual(caught.exception.response["Error"]["Code"], code)

    def test_compliance_put_and_deletion_refused_before_expiry(self):
        until = _utcnow() + timedelta(days=1)
        sha = self._store(os.urandom(1000), until)
        for backend in (self.primary, self.backup):
            [(version, mode, retain, held)] = backend.lock_state(sha)
            self.assertEqual(mode, "COMPLIANCE")
            self.assertGreaterEqual(retain.replace(tzinfo=None), until - timedelta(seconds=1))
            self.assertFalse(held)
            client, key = backend.client, backend.key(sha)
            # the addon's own credentials: deleting the version, with or without the governance bypass
            self._refused(lambda: client.delete_object(Bucket=backend.bucket, Key=key, VersionId=version))
            self._refused(lambda: client.delete_object(Bucket=backend.bucket, Key=key, VersionId=version,
                                                       BypassGovernanceRetention=True))
            with self.assertRaisesRegex(StorageError, "forbidden by object lock"):
                backend.purge(sha, "act-1")
            with self.assertRaisesRegex(StorageError, "retained by the store in COMPLIANCE mode"):
                backend.stage(sha, "act-1")
            self.assertTrue(backend.verify(sha))

    def test_retention_cannot_be_shortened_nor_bypassed(self):
        until = _utcnow() + timedelta(days=2)
        sha = self._store(b"evidence" * 100, until)
        backend = self.primary
        client, bucket, key = backend.client, backend.bucket, backend.key(sha)
        [(version, _mode, _retain, _held)] = backend.lock_state(sha)
        sooner = datetime.now(timezone.utc) + timedelta(hours=1)
        self._refused(lambda: client.put_object_retention(Bucket=bucket, Key=key, VersionId=version, Retention={
            "Mode": "COMPLIANCE", "RetainUntilDate": sooner}))
        self._refused(lambda: client.put_object_retention(Bucket=bucket, Key=key, VersionId=version, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": sooner}, BypassGovernanceRetention=True))
        # nor by switching the bucket's protection off, nor by removing the bucket
        self._refused(lambda: client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={
            "Status": "Suspended"}), code="InvalidBucketState")
        with self.assertRaises(ClientError):
            client.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Disabled"})
        self._refused(lambda: client.delete_bucket(Bucket=bucket), code="BucketNotEmpty")
        # a plain DELETE only adds a delete marker: the locked version stays, and is found again
        client.delete_object(Bucket=bucket, Key=key)
        self.assertEqual(sorted(marker for _version, marker in backend.versions(sha)), [False, True])
        self.assertEqual(backend.lock_state(sha)[0][0], version)
        # the seal never shortens either: asking for less keeps the longer retention
        backend.seal(sha, until - timedelta(days=1))
        self.assertGreaterEqual(backend.lock_state(sha)[0][2].replace(tzinfo=None), until - timedelta(seconds=1))

    def test_legal_hold_set_and_released(self):
        until = _utcnow() + timedelta(seconds=3)
        sha = self._store(b"held" * 1000, until)
        for backend in (self.primary, self.backup):
            backend.set_legal_hold(sha, True)
            self.assertTrue(backend.lock_state(sha)[0][3])
        wait_until(until)
        for backend in (self.primary, self.backup):
            # retention has passed; the hold alone keeps it (item 14)
            with self.assertRaisesRegex(StorageError, "legal hold"):
                backend.stage(sha, "act-1")
            with self.assertRaisesRegex(StorageError, "forbidden by object lock"):
                backend.purge(sha, "act-1")
            backend.set_legal_hold(sha, False)
            self.assertFalse(backend.lock_state(sha)[0][3])
            backend.stage(sha, "act-1")
            self.assertTrue(backend.purge(sha, "act-1"))

    def test_destruction_after_expiry_removes_every_version_of_both_copies(self):
        until = _utcnow() + timedelta(seconds=3)
        body = os.urandom(3000)
        sha = self._store(body, until)
        self._store(body, until)  # a second version of each (the same file stored twice at once)
        for backend in (self.primary, self.backup):
            self.assertEqual(len(backend.versions(sha)), 1, "an existing copy is kept, not stored again")
            backend.client.put_object(Bucket=backend.bucket, Key=backend.key(sha), Body=body)
            backend.seal(sha, until)
            self.assertEqual([mode for _v, mode, _u, _h in backend.lock_state(sha)], ["COMPLIANCE"] * 2)
            with self.assertRaises(StorageError):
                backend.stage(sha, "act-7")
        wait_until(until)
        for backend in (self.primary, self.backup):
            backend.stage(sha, "act-7")
            self.assertTrue(backend.purge(sha, "act-7"))
            self.assertEqual(backend.versions(sha), [], "every version and delete marker gone")
            self.assertFalse(backend.verify(sha))
            self.assertNotIn(sha, list(backend.list()))
            with self.assertRaises(FileNotFoundError):
                backend.open(sha)

    def test_unverified_bytes_never_reach_the_final_name(self):
        until = _utcnow() + timedelta(days=1)
        backends = [self._backend(backend.bucket, part_size=5 * MIB) for backend in (self.primary, self.backup)]
        stored = set()
        for size in (1000, 12 * MIB):  # in one part, and a multipart upload through a staging key
            body = os.urandom(size)
            with self.assertRaises(StorageError) as caught:
                store_stream(iter([body[:size // 2], body[size // 2:]]), backends, declared_sha256="0" * 64,
                             retain_until=until)
            self.assertEqual(caught.exception.code, "hash_mismatch")
            for backend in backends:
                self.assertEqual(set(backend.list()), stored, "nothing new under a final name")
                self.assertEqual(self._staging(backend), ([], []), "no staging object, no open upload left")
            sha = store_stream(iter([body[:size // 2], body[size // 2:]]), backends, retain_until=until)[0]
            stored.add(sha)
            for backend in backends:
                self.assertEqual(set(backend.list()), stored)
                self.assertTrue(backend.verify(sha))
                self.assertEqual(backend.lock_state(sha)[0][1], "COMPLIANCE")
                self.assertEqual(self._staging(backend), ([], []))

    def test_resumable_upload_commits_only_verified_bytes(self):
        until = _utcnow() + timedelta(days=1)
        body = os.urandom(11 * MIB)
        sha = hashlib.sha256(body).hexdigest()
        backend = self._backend(self.primary.bucket, part_size=5 * MIB)
        backend.upload_open("dock-1-42")
        backend.upload_open("dock-1-42")  # idempotent
        self.assertEqual(backend.upload_offset("dock-1-42"), 0)
        offset = backend.upload_write("dock-1-42", 0, body[:5 * MIB])
        # the other bucket missed this chunk before a break: it comes again at the same offset
        # and replaces this bucket's last part rather than being refused
        self.assertEqual(backend.upload_write("dock-1-42", 0, body[:5 * MIB]), offset)
        self.assertEqual(len(backend.client.list_parts(
            Bucket=backend.bucket, Key=storage_s3.UPLOAD_PREFIX + "dock-1-42",
            UploadId=backend._multipart_of(storage_s3.UPLOAD_PREFIX + "dock-1-42"))["Parts"]), 1)
        with self.assertRaisesRegex(StorageError, "resume from 5242880"):
            backend.upload_write("dock-1-42", 10 * MIB, body[:5 * MIB])
        with self.assertRaisesRegex(StorageError, "off a part"):
            backend.upload_write("dock-1-42", 1, body[:5 * MIB])
        self.assertEqual(backend.upload_offset("dock-1-42", expected=offset), offset)
        # a break: another request (another worker) asks where to resume
        self.assertEqual(backend.upload_offset("dock-1-42"), offset)
        # another worker wrote the next chunk: without a hint the store's list answers
        key = storage_s3.UPLOAD_PREFIX + "dock-1-42"
        [upload] = backend.client.list_multipart_uploads(Bucket=backend.bucket, Prefix=key)["Uploads"]
        backend.client.upload_part(Bucket=backend.bucket, Key=key, UploadId=upload["UploadId"], PartNumber=2,
                                   Body=body[5 * MIB:10 * MIB])
        self.assertEqual(backend.upload_offset("dock-1-42"), 10 * MIB)
        # ... and its answer was lost: the dock sends that chunk again here, where this process
        # still remembers 5 MiB; its part is replaced by the same bytes (the commit hashes all)
        self.assertEqual(backend.upload_write("dock-1-42", offset, body[5 * MIB:10 * MIB]), 10 * MIB)
        with self.assertRaisesRegex(StorageError, "holds 10485760 bytes"):
            backend.upload_write("dock-1-42", 15 * MIB, body[5 * MIB:10 * MIB])
        offset = backend.upload_offset("dock-1-42")
        offset = backend.upload_write("dock-1-42", offset, body[10 * MIB:])
        self.assertEqual(offset, len(body))
        with self.assertRaisesRegex(StorageError, "only the last chunk"):
            backend.upload_write("dock-1-42", offset, b"more")
        with self.assertRaises(StorageError) as caught:
            backend.upload_commit("dock-1-42", "1" * 64, retain_until=until)
        self.assertEqual(caught.exception.code, "hash_mismatch")
        self.assertEqual(list(backend.list()), [], "nothing under a final name")
        self.assertEqual(self._staging(backend), ([], []))
        # the dock sends it again, right this time, a chunk of two parts then the rest
        backend.upload_open("dock-1-43")
        offset = backend.upload_write("dock-1-43", 0, body[:10 * MIB])
        backend.upload_write("dock-1-43", offset, body[10 * MIB:])
        self.assertEqual(backend.upload_commit("dock-1-43", sha, retain_until=until), len(body))
        self.assertEqual(backend.upload_commit("dock-1-43", sha, retain_until=until), len(body),
                         "a commit whose answer was lost is answered again")
        self.assertTrue(backend.verify(sha))
        self.assertEqual(backend.lock_state(sha)[0][1], "COMPLIANCE")
        self.assertEqual(self._staging(backend), ([], []))
        # an abandoned upload: aborted, or removed as stale
        backend.upload_open("dock-1-44")
        backend.upload_write("dock-1-44", 0, b"partial")
        backend.upload_abort("dock-1-44")
        with self.assertRaises(StorageError):
            backend.upload_offset("dock-1-44")
        backend.upload_open("dock-1-45")
        backend.upload_write("dock-1-45", 0, b"partial")
        self.assertEqual(backend.remove_stale_uploads(older_than_seconds=3600), 0, "a fresh upload stays")
        self.assertEqual(backend.remove_stale_uploads(older_than_seconds=0), 1)
        self.assertEqual(self._staging(backend), ([], []))

    def test_a_chunk_goes_as_parts_at_once_and_a_break_midway_resumes(self):
        """A chunk of several parts sends them all at once (issue 10, point 5: two workers keep
        many parts in flight); a break midway leaves the parts sent before it, perhaps not in
        order: the upload holds the parts up to the first missing one and the dock resumes there.
        A chunk is sent again whole from that part on, so every part after the gap is replaced
        (a stray part past the file's end cannot arise: RGW refuses to complete around one)."""
        until = _utcnow() + timedelta(days=1)
        body = os.urandom(23 * MIB)
        sha = hashlib.sha256(body).hexdigest()
        backend = self._backend(self.backup.bucket, part_size=5 * MIB)
        key = storage_s3.UPLOAD_PREFIX + "dock-2-7"
        backend.upload_open("dock-2-7")
        send_part = backend.client.upload_part
        together = threading.Barrier(4, timeout=20)

        def meeting(**params):
            together.wait()  # each part waits until the chunk's four parts are all on their way
            return send_part(**params)

        with mock.patch.object(backend.client, "upload_part", side_effect=meeting):
            self.assertEqual(backend.upload_write("dock-2-7", 0, body[:20 * MIB]), 20 * MIB)
        self.assertEqual([part["PartNumber"] for part in backend.client.list_parts(
            Bucket=backend.bucket, Key=key, UploadId=backend._multipart_of(key))["Parts"]], [1, 2, 3, 4])

        # the dock's next attempt (another upload) breaks on its second part
        backend.upload_open("dock-2-8")
        key = storage_s3.UPLOAD_PREFIX + "dock-2-8"

        def break_second(**params):
            if params["PartNumber"] == 2:
                raise EndpointConnectionError(endpoint_url=backend.endpoint)
            return send_part(**params)

        with mock.patch.object(backend.client, "upload_part", side_effect=break_second), \
                self.assertRaises(StorageError) as caught:
            backend.upload_write("dock-2-8", 0, body[:20 * MIB])
        self.assertEqual(caught.exception.code, "unavailable")
        upload = backend._multipart_of(key)
        self.assertEqual([part["PartNumber"] for part in backend.client.list_parts(
            Bucket=backend.bucket, Key=key, UploadId=upload)["Parts"]], [1, 3, 4])
        self.assertEqual(backend.upload_offset("dock-2-8"), 5 * MIB, "held up to the first missing part")
        # the dock sends the rest from there, as a chunk: every part after the gap is sent again
        offset = backend.upload_write("dock-2-8", 5 * MIB, body[5 * MIB:])
        self.assertEqual((offset, backend.upload_offset("dock-2-8")), (len(body), len(body)))
        self.assertEqual(backend.upload_commit("dock-2-8", sha, retain_until=until), len(body))
        self.assertTrue(backend.verify(sha))
        self.assertEqual(backend.lock_state(sha)[0][1], "COMPLIANCE")
        backend.upload_abort("dock-2-7")
        self.assertEqual(self._staging(backend), ([], []))

    def test_recordings_past_5_gib_are_copied_in_parts(self):
        """The store copies a verified upload to its final name in one request up to 5 GiB, in
        parts beyond (here with the limits scaled down)."""
        body = os.urandom(12 * MIB)
        sha = hashlib.sha256(body).hexdigest()
        backend = self._backend(self.backup.bucket, part_size=6 * MIB)
        backend.upload_open("big")
        offset = backend.upload_write("big", 0, body[:6 * MIB])
        backend.upload_write("big", offset, body[6 * MIB:])
        with mock.patch.object(storage_s3, "COPY_LIMIT", 6 * MIB), \
                mock.patch.object(storage_s3, "COPY_PART_SIZE", 5 * MIB):
            backend.upload_commit("big", sha, retain_until=_utcnow() + timedelta(days=1))
        head = backend.client.head_object(Bucket=backend.bucket, Key=backend.key(sha))
        self.assertTrue(head["ETag"].strip('"').endswith("-3"), "copied in three parts")
        self.assertTrue(backend.verify(sha))
        self.assertEqual(backend.lock_state(sha)[0][1], "COMPLIANCE")

    def test_check_says_what_is_wrong_with_a_bucket(self):
        self.assertEqual(self.primary.check(), [])
        plain = new_bucket("plain", object_lock=False)
        self.assertEqual([code for code, _detail in plain.check()], ["versioning", "object_lock"])
        defaulted = new_bucket("defaulted")
        defaulted.client.put_object_lock_configuration(Bucket=defaulted.bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
        self.assertEqual([code for code, _detail in defaulted.check()], ["default_retention"])
        self.assertEqual([code for code, _detail in self._backend("t-never-created").check()], ["missing"])
        wrong = storage_s3.S3Backend(self.primary.endpoint, self.primary.bucket, "WRONGKEY", "wrong-secret")
        self.assertEqual([code for code, _detail in wrong.check()], ["denied"])
        unreachable = storage_s3.S3Backend("http://127.0.0.1:9", "nothing", "key", "secret")
        self.assertEqual([code for code, _detail in unreachable.check()], ["unavailable"])

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _backend(bucket, **options):
        settings = s3_settings()
        return storage_s3.S3Backend(settings["endpoint"], bucket, settings["access_key"], settings["secret_key"],
                                    region=settings["region"], **options)

    @staticmethod
    def _staging(backend):
        """(staging object keys, open multipart uploads) left in the bucket."""
        versions = backend.client.list_object_versions(Bucket=backend.bucket, Prefix=storage_s3.STAGING)
        uploads = backend.client.list_multipart_uploads(Bucket=backend.bucket).get("Uploads", [])
        return [entry["Key"] for entry in versions.get("Versions", [])], [upload["Key"] for upload in uploads]


def wait_until(until):
    """Wait until a retention date (naive UTC) has passed."""
    delay = (until - _utcnow()).total_seconds()
    if delay > 0:
        time.sleep(delay + 0.2)
