"""Write-once object storage of recordings (items 10, 12, 13, 14; issue 10): an S3 bucket with
versioning and Object Lock, e.g. Ceph RGW. Same methods as ``LocalDirectoryBackend``; a storage
server of kind "s3" has two of them, the primary and the backup bucket (possibly two endpoints).

Keys. A recording is ``recordings/<sha256>``; bytes that are not verified yet live under
``incoming/<id>`` (one-shot writers and resumable uploads), never locked.

Retention. Every version of ``recordings/<sha256>`` is under COMPLIANCE retention until the
recording's retention end (item 12): nobody, the addon's own credentials and the bucket's owner
included, can delete it or shorten its retention before then; only the storage cluster's
operator could, outside S3. While an ``mchs.bodycam.evidence`` holds the recording (item 14) its
versions also carry a legal hold, which forbids deletion whatever the date.

Never unverified bytes under the final name. A COMPLIANCE version cannot be removed, so bytes
reach ``recordings/<sha256>`` only once they are known to hash to that name:

- a one-shot stream (``writer``) is hashed while it is sent. A stream that fits in one part is
  kept in memory and PUT at commit with its Content-MD5 (the store refuses any other bytes) and
  its retention. A longer one is sent as a multipart upload to ``incoming/<uuid>``, each part with
  its Content-MD5; before completing, the store's list of parts must equal the parts sent (size
  and MD5), and the completed object's ETag must be the MD5 of those MD5s;
- a resumable upload (``upload_*``) keeps its parts in a multipart upload to
  ``incoming/upload-<id>`` (durable across requests, workers and restarts); its commit completes
  it and reads the object back, hashing it, before anything else;
- the verified staging object is then copied by the store itself (CopyObject, or UploadPartCopy
  past 5 GiB) to ``recordings/<sha256>``; every version there is then sealed: COMPLIANCE until the
  retention end, read back to check. (RGW 16 ignores Object Lock headers on CopyObject and
  CreateMultipartUpload, so retention is always set by PutObjectRetention afterwards, and checked.)
  Only then is the staging object deleted. An existing copy under the final name is kept (the
  same content, by its name) and sealed again: storing is idempotent.

Destruction (item 12) cannot move locked objects aside. ``stage`` checks that every version's
retention has passed and that no legal hold is on, and refuses with the store's dates otherwise,
so the act fails leaving everything in place; ``purge`` deletes every version (and delete
marker) and checks that none is left. If the store refuses a deletion, ``purge`` raises.
"""
import base64
import contextlib
import hashlib
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .storage import SEAL_NAME_RE, SHA256_RE, ByteCounter, LocalDirectoryBackend, StorageError, hash_file

PREFIX = "recordings/"
# the integrity seals of the journals: small objects, kept long after any recording
SEAL_PREFIX = "seals/"
SEAL_RETENTION_YEARS = 10
STAGING = "incoming/"
UPLOAD_PREFIX = STAGING + "upload-"
PART_SIZE = 8 * 1024 * 1024           # parts of a one-shot stream and of a resumable upload
# a dock's chunk is by default this many parts, sent at once: two workers then keep 8 parts in
# flight (issue 10, point 5; four parts stored no faster and doubled a request's time and memory)
UPLOAD_CHUNK_PARTS = 2
MIN_PART_SIZE = 5 * 1024 * 1024       # S3: every part but the last is at least this big
COPY_LIMIT = 5 * 1024 ** 3            # S3: the largest object one CopyObject copies
COPY_PART_SIZE = 1024 ** 3
NOT_FOUND = {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}
UPLOAD_ID_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")

_logger = logging.getLogger(__name__)
_clients = {}
_clients_lock = threading.Lock()
# {(bucket location, staging key): (S3 upload id, bytes held)} as this process last wrote them
# (see S3Backend.upload_write)
_upload_progress = {}


def s3_client(endpoint, region, access_key, secret_key):
    """One boto3 client per endpoint and key (they are thread-safe and costly to build). The
    checksums only when required, so that older servers (RGW 16) accept every request."""
    cache_key = (endpoint, region, access_key, hashlib.sha256(secret_key.encode()).hexdigest())
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            client = _clients[cache_key] = boto3.session.Session().client(
                "s3", endpoint_url=endpoint, region_name=region or "default",
                aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                config=Config(request_checksum_calculation="when_required",
                              response_checksum_validation="when_required",
                              s3={"addressing_style": "path"}, signature_version="s3v4",
                              connect_timeout=5, read_timeout=120, max_pool_connections=32,
                              retries={"max_attempts": 3, "mode": "standard"}))
        return client


def _md5(data):
    return hashlib.md5(data, usedforsecurity=False)


def _error_code(error):
    return str(error.response.get("Error", {}).get("Code", "")) if isinstance(error, ClientError) else ""


def _utc(moment):
    """A naive UTC datetime or a date as an aware UTC datetime."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class S3Backend:
    """One bucket of an S3 endpoint holding recordings under COMPLIANCE retention."""

    writes_at_once = True  # a part is a network round trip: both buckets get theirs at once

    def __init__(self, endpoint, bucket, access_key, secret_key, region="default", part_size=PART_SIZE):
        if not (endpoint and bucket and access_key and secret_key):
            raise StorageError("configuration", "the object store's endpoint, bucket and credentials are required")
        self.endpoint = endpoint
        self.bucket = bucket
        self.part_size = part_size
        self.client = s3_client(endpoint, region, access_key, secret_key)

    def __repr__(self):
        return f"<S3Backend {self.endpoint}/{self.bucket}>"

    def location(self):
        return f"{self.endpoint.rstrip('/')}/{self.bucket}"

    def key(self, sha256):
        if not SHA256_RE.match(sha256 or ""):
            raise StorageError("name", f"not a SHA-256: {sha256!r}")
        return PREFIX + sha256

    def _call(self, operation, **params):
        """One S3 request; a store that cannot be reached is a StorageError("unavailable"),
        a missing object FileNotFoundError, anything else a StorageError with the store's words."""
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as error:
            code = _error_code(error)
            if code in NOT_FOUND:
                raise FileNotFoundError(f"{self.location()}/{params.get('Key', '')}") from error
            message = error.response.get("Error", {}).get("Message") or code
            raise StorageError("refused" if code == "AccessDenied" else "s3",
                               f"{self.location()}: {operation} refused by the store: {code} ({message})") from error
        except BotoCoreError as error:
            raise StorageError("unavailable", f"{self.location()} cannot be reached: {error}") from error

    # ------------------------------------------------------------------ reading

    def open(self, sha256):
        """The recording's current version as a stream (``read``, ``close``, a context manager)."""
        return _Reader(self._call("get_object", Key=self.key(sha256))["Body"])

    def get(self, sha256, byte_range=None):
        """The S3 answer for (a range of) the recording: Body, ContentLength, ContentRange."""
        params = {"Key": self.key(sha256)}
        if byte_range:
            params["Range"] = byte_range
        return self._call("get_object", **params)

    # the same check as on folders: the copy is there and still hashes to its name
    verify = LocalDirectoryBackend.verify

    def list(self, after=None):
        """Every stored SHA-256 in ascending order (staging keys excluded), those greater than
        ``after`` only."""
        paginator = self.client.get_paginator("list_objects_v2")
        params = {"Bucket": self.bucket, "Prefix": PREFIX}
        if after:
            params["StartAfter"] = PREFIX + after
        try:
            for page in paginator.paginate(**params):
                for entry in page.get("Contents", []):
                    name = entry["Key"][len(PREFIX):]
                    if SHA256_RE.match(name):
                        yield name
        except (ClientError, BotoCoreError) as error:
            raise StorageError("unavailable", f"{self.location()}: listing failed: {error}") from error

    def versions(self, sha256):
        """[(version id, is a delete marker)] of the recording's key."""
        key = self.key(sha256)
        found = []
        paginator = self.client.get_paginator("list_object_versions")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
                found += [(entry["VersionId"], False) for entry in page.get("Versions", []) if entry["Key"] == key]
                found += [(entry["VersionId"], True) for entry in page.get("DeleteMarkers", []) if entry["Key"] == key]
        except (ClientError, BotoCoreError) as error:
            raise StorageError("unavailable", f"{self.location()}: listing versions failed: {error}") from error
        return found

    # ------------------------------------------------------------------ retention and legal hold

    def lock_state(self, sha256):
        """[(version id, retention mode, retain until (aware UTC), legal hold on)] of every version."""
        key = self.key(sha256)
        states = []
        for version_id, marker in self.versions(sha256):
            if marker:
                continue
            head = self._call("head_object", Key=key, VersionId=version_id)
            states.append((version_id, head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate"),
                           head.get("ObjectLockLegalHoldStatus") == "ON"))
        return states

    def seal(self, sha256, retain_until):
        """Put every version of the recording under COMPLIANCE retention until at least
        ``retain_until`` (a date or naive UTC datetime); never shortens one. Checked by reading it back.
        A retention end already passed (an archive stored late) needs no lock."""
        until = _utc(retain_until)
        if until <= datetime.now(timezone.utc):
            return
        key = self.key(sha256)
        states = self.lock_state(sha256)
        if not states:
            raise FileNotFoundError(f"{self.location()}/{key}")
        for version_id, mode, current, _held in states:
            if mode == "COMPLIANCE" and current and current >= until:
                continue
            self._call("put_object_retention", Key=key, VersionId=version_id,
                       Retention={"Mode": "COMPLIANCE", "RetainUntilDate": max(until, current or until)})
        for version_id, mode, current, _held in self.lock_state(sha256):
            if mode != "COMPLIANCE" or not current or current < until:
                raise StorageError("not_locked", f"{self.location()}/{key} version {version_id} is not under "
                                                 f"COMPLIANCE retention until {until:%Y-%m-%d} ({mode} {current})")

    def set_legal_hold(self, sha256, on):
        """Item 14: a legal hold on (or off) every version of the recording."""
        key = self.key(sha256)
        for version_id, marker in self.versions(sha256):
            if not marker:
                self._call("put_object_legal_hold", Key=key, VersionId=version_id,
                           LegalHold={"Status": "ON" if on else "OFF"})

    # ------------------------------------------------------------------ integrity seals (items 9, 13)

    def _seal_key(self, name):
        if not SEAL_NAME_RE.match(name or "") or ".." in name:
            raise StorageError("name", f"not a seal name: {name!r}")
        return SEAL_PREFIX + name

    def write_seal(self, name, data):
        """Write the seal ``name`` once, under COMPLIANCE retention for SEAL_RETENTION_YEARS; the
        same seal again is a no-op, another content under the same name is refused."""
        key = self._seal_key(name)
        with contextlib.suppress(FileNotFoundError):  # not written yet
            if self._call("get_object", Key=key)["Body"].read() == data:
                return
            raise StorageError("seal_exists", f"another seal is already written as {name}")
        until = datetime.now(timezone.utc).replace(microsecond=0)
        until = until.replace(year=until.year + SEAL_RETENTION_YEARS, day=min(until.day, 28))
        self._call("put_object", Key=key, Body=data, ContentMD5=base64.b64encode(_md5(data).digest()).decode(),
                   ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)

    def list_seals(self, prefix):
        """Names of the seals under ``prefix``."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            return sorted(entry["Key"][len(SEAL_PREFIX):]
                          for page in paginator.paginate(Bucket=self.bucket, Prefix=SEAL_PREFIX + prefix)
                          for entry in page.get("Contents", []) if entry["Key"].endswith(".json"))
        except (ClientError, BotoCoreError) as error:
            raise StorageError("unavailable", f"{self.location()}: listing seals failed: {error}") from error

    def read_seal(self, name):
        return self._call("get_object", Key=self._seal_key(name))["Body"].read()

    # ------------------------------------------------------------------ one-shot writing

    def writer(self):
        return _Writer(self)

    def _put_final(self, sha256, data, retain_until):
        """A small recording straight under its name: the store checks its Content-MD5."""
        params = {"Key": self.key(sha256), "Body": data,
                  "ContentMD5": base64.b64encode(_md5(data).digest()).decode()}
        if retain_until and _utc(retain_until) > datetime.now(timezone.utc):
            params.update(ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=_utc(retain_until))
        self._call("put_object", **params)

    def _exists(self, sha256):
        try:
            self._call("head_object", Key=self.key(sha256))
            return True
        except FileNotFoundError:
            return False

    def _promote(self, staging_key, sha256, size, retain_until):
        """Copy a verified staging object to the recording's name, seal it, drop the staging object."""
        if not self._exists(sha256):
            if size <= COPY_LIMIT:
                self._call("copy_object", Key=self.key(sha256), CopySource={"Bucket": self.bucket, "Key": staging_key})
            else:
                self._copy_in_parts(staging_key, sha256, size)
        head = self._call("head_object", Key=self.key(sha256))
        if head["ContentLength"] != size:
            raise StorageError("s3", f"{self.location()}/{self.key(sha256)} holds {head['ContentLength']} bytes, "
                                     f"not {size}")
        if retain_until:
            self.seal(sha256, retain_until)
        self._delete_all_versions(staging_key)

    def _copy_in_parts(self, staging_key, sha256, size):
        key = self.key(sha256)
        upload_id = self._call("create_multipart_upload", Key=key)["UploadId"]
        try:
            parts = []
            for number, start in enumerate(range(0, size, COPY_PART_SIZE), start=1):
                end = min(start + COPY_PART_SIZE, size) - 1
                result = self._call("upload_part_copy", Key=key, UploadId=upload_id, PartNumber=number,
                                    CopySource={"Bucket": self.bucket, "Key": staging_key},
                                    CopySourceRange=f"bytes={start}-{end}")
                parts.append({"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]})
            self._call("complete_multipart_upload", Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        except BaseException:
            self._abort_quietly(key, upload_id)
            raise

    def _abort_quietly(self, key, upload_id):
        with contextlib.suppress(StorageError, FileNotFoundError):
            self._call("abort_multipart_upload", Key=key, UploadId=upload_id)

    def _delete_all_versions(self, key):
        """Every version and delete marker of an (unlocked) key."""
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if entry["Key"] == key:
                    with contextlib.suppress(FileNotFoundError):
                        self._call("delete_object", Key=key, VersionId=entry["VersionId"])

    # ------------------------------------------------------------------ resumable uploads

    @staticmethod
    def _upload_key(upload_id):
        upload_id = str(upload_id)
        if not upload_id or len(upload_id) > 100 or set(upload_id) - UPLOAD_ID_CHARS:
            raise StorageError("name", f"not an upload id: {upload_id!r}")
        return UPLOAD_PREFIX + upload_id

    def _multipart_of(self, key):
        """The S3 multipart upload of ``key`` (the oldest if several were begun at once), or None."""
        uploads = [upload for upload in self._call("list_multipart_uploads", Prefix=key).get("Uploads", [])
                   if upload["Key"] == key]
        uploads.sort(key=lambda upload: (upload["Initiated"], upload["UploadId"]))
        return uploads[0]["UploadId"] if uploads else None

    def _parts(self, key, upload_id):
        parts = []
        paginator = self.client.get_paginator("list_parts")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Key=key, UploadId=upload_id):
                parts += page.get("Parts", [])
        except ClientError as error:
            if _error_code(error) == "NoSuchUpload":
                raise StorageError("no_upload", f"{self.location()}: the upload {key} is gone") from error
            raise StorageError("s3", f"{self.location()}: listing the parts of {key} failed: {error}") from error
        return sorted(parts, key=lambda part: part["PartNumber"])

    def upload_open(self, upload_id):
        """Begin a durable partial upload (a multipart upload to a staging key); idempotent."""
        key = self._upload_key(upload_id)
        if self._multipart_of(key) or self._staged_size(key) is not None:
            return
        self._call("create_multipart_upload", Key=key)
        # two opens at once both created one: the oldest wins, the other is dropped
        keep = self._multipart_of(key)
        for upload in self._call("list_multipart_uploads", Prefix=key).get("Uploads", []):
            if upload["Key"] == key and upload["UploadId"] != keep:
                self._abort_quietly(key, upload["UploadId"])

    def _staged_size(self, key):
        """Size of a completed (not yet promoted) staging object, or None."""
        try:
            return self._call("head_object", Key=key)["ContentLength"]
        except FileNotFoundError:
            return None

    def upload_offset(self, upload_id, expected=None):
        """Bytes durably held: the point the dock resumes from. When this process wrote the
        upload's last chunk and that ends at ``expected``, that is the answer (no listing: two
        listings a chunk on each bucket cost more than a part); a commit reads everything back
        anyway."""
        key = self._upload_key(upload_id)
        cached = _upload_progress.get((self.location(), key))
        if expected is not None and cached and cached[1] == expected:
            return expected
        upload = self._multipart_of(key)
        if upload is None:
            staged = self._staged_size(key)
            if staged is None:
                raise StorageError("no_upload", f"no upload {upload_id} on {self.location()}")
            return staged
        return sum(part["Size"] for part in self._held_parts(self._parts(key, upload)))

    def _held_parts(self, parts):
        """The parts that hold a prefix of the file: numbered 1, 2, ... without a gap, each of
        ``part_size`` bytes but the last. Parts of a chunk that a break cut midway may follow a
        gap: they are not held (sent again, they are replaced; a commit leaves them out)."""
        held = []
        for number, part in enumerate(parts, start=1):
            if part["PartNumber"] != number:
                break
            held.append(part)
            if part["Size"] != self.part_size:
                break
        return held

    def upload_write(self, upload_id, offset, chunk):
        """Write ``chunk`` at ``offset`` as parts of ``part_size`` bytes (the last may be
        smaller), all sent at once, each with its Content-MD5 checked by the store; returns the
        new offset. A part's number follows from its offset, so ``offset`` must fall on a part's
        start: every chunk but the last is a whole number of parts.

        What this process last wrote to the upload is remembered, so that the usual next chunk
        costs no listing (listing uploads and parts on RGW took 0.1 s a chunk); anything else
        (another worker wrote meanwhile, a resume) is checked against the store's parts. An
        ``offset`` below what this bucket holds is a chunk this bucket got before a break and the
        other did not: it is sent again and replaces its own parts with the same bytes (the
        caller checks that ``offset`` is what both buckets hold, so nothing acknowledged is
        written over); the commit reads everything back and hashes it anyway."""
        key = self._upload_key(upload_id)
        if offset % self.part_size:
            raise StorageError("chunk_size", f"only the last chunk may end off a part of {self.part_size} bytes")
        cached = _upload_progress.pop((self.location(), key), None)
        if cached and cached[1] == offset:
            try:
                return self._put_parts(key, cached[0], offset, chunk)
            except StorageError as error:
                if "NoSuchUpload" not in str(error):
                    raise
                # aborted and begun again meanwhile: ask the store
        upload = self._multipart_of(key)
        if upload is None:
            raise StorageError("no_upload", f"no open upload {upload_id} on {self.location()}")
        held = sum(part["Size"] for part in self._held_parts(self._parts(key, upload)))
        if offset > held:
            raise StorageError("offset", f"the upload holds {held} bytes, not {offset}: resume from {held}")
        return self._put_parts(key, upload, offset, chunk)

    def _put_parts(self, key, upload, offset, chunk):
        first = offset // self.part_size + 1
        parts = [chunk[start:start + self.part_size] for start in range(0, len(chunk), self.part_size)]

        def put(number_and_part):
            number, part = number_and_part
            self._call("upload_part", Key=key, UploadId=upload, PartNumber=number, Body=part,
                       ContentMD5=base64.b64encode(_md5(part).digest()).decode())

        # one connection a part: a store takes several parts at once faster than one after the
        # other (each part's MD5 and signature hash let go of the GIL); every part is waited for
        with ThreadPoolExecutor(max_workers=max(1, len(parts))) as pool:
            list(pool.map(put, enumerate(parts, start=first)))
        if len(_upload_progress) > 10000:  # uploads finished by other workers are never popped here
            _upload_progress.clear()
        _upload_progress[(self.location(), key)] = (upload, offset + len(chunk))
        return offset + len(chunk)

    def upload_commit(self, upload_id, sha256, retain_until=None):
        """Make the held bytes the recording ``sha256``, only if they hash to it (read back);
        returns its size. Otherwise raises StorageError and keeps nothing under the final name."""
        started = time.monotonic()
        key = self._upload_key(upload_id)
        self.key(sha256)
        _upload_progress.pop((self.location(), key), None)
        upload = self._multipart_of(key)
        if upload is not None:
            parts = self._parts(key, upload)
            if not parts:
                raise StorageError("empty", "the upload holds no bytes")
            self._call("complete_multipart_upload", Key=key, UploadId=upload, MultipartUpload={
                "Parts": [{"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
                          for part in self._held_parts(parts)]})
        elif self._staged_size(key) is None:
            if self._exists(sha256):  # committed before; the answer was lost
                if retain_until:
                    self.seal(sha256, retain_until)
                return self._call("head_object", Key=self.key(sha256))["ContentLength"]
            raise StorageError("no_upload", f"no upload {upload_id} on {self.location()}")
        completed = time.monotonic()
        with _Reader(self._call("get_object", Key=key)["Body"]) as handle:
            counter = ByteCounter()
            digest = hash_file(handle, copy_to=counter)
        if digest != sha256:
            self._delete_all_versions(key)
            raise StorageError("hash_mismatch", f"the upload hashes to {digest}, not to {sha256}")
        read = time.monotonic()
        self._promote(key, sha256, counter.size, retain_until)
        _logger.info("%s: upload %s completed in %.1f s, read back in %.1f s, stored under retention in %.1f s",
                     self.location(), upload_id, completed - started, read - completed, time.monotonic() - read)
        return counter.size

    def upload_abort(self, upload_id):
        key = self._upload_key(upload_id)
        _upload_progress.pop((self.location(), key), None)
        for upload in self._call("list_multipart_uploads", Prefix=key).get("Uploads", []):
            if upload["Key"] == key:
                self._abort_quietly(key, upload["UploadId"])
        self._delete_all_versions(key)

    def remove_stale_uploads(self, older_than_seconds=24 * 3600):
        """Partial uploads and staging objects abandoned for ``older_than_seconds`` (a crash,
        a dock that never came back); returns how many were removed."""
        limit = datetime.now(timezone.utc) - timedelta(seconds=older_than_seconds)
        removed = 0
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=STAGING):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < limit:
                    self._abort_quietly(upload["Key"], upload["UploadId"])
                    removed += 1
        for page in self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=STAGING):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if entry["LastModified"] < limit:
                    self._call("delete_object", Key=entry["Key"], VersionId=entry["VersionId"])
                    removed += 1
        return removed

    def remove_stale_parts(self, older_than_seconds=24 * 3600):
        return self.remove_stale_uploads(older_than_seconds)

    # ------------------------------------------------------------------ destruction (item 12)

    def stage(self, sha256, batch):
        """Nothing can be moved aside under Object Lock: check that every version may be deleted
        now, else refuse with the store's dates (the act then fails, everything in place)."""
        states = self.lock_state(sha256)
        if not states:
            raise FileNotFoundError(f"{self.location()}/{self.key(sha256)}")
        now = datetime.now(timezone.utc)
        for version_id, mode, until, held in states:
            if held:
                raise StorageError("legal_hold", f"{self.location()}/{self.key(sha256)} is under legal hold")
            if mode and until and until > now:
                raise StorageError("retained", f"{self.location()}/{self.key(sha256)} (version {version_id}) is "
                                               f"retained by the store in {mode} mode until {until:%Y-%m-%d %H:%M:%S} UTC")

    def unstage(self, sha256, batch):
        """Nothing was moved."""

    def unstage_all(self, batch):
        return 0

    def purge(self, sha256, batch):
        """Delete every version and delete marker; True once none is left. A deletion the store
        refuses (retention, legal hold) raises StorageError with its words."""
        key = self.key(sha256)
        for version_id, _marker in self.versions(sha256):
            with contextlib.suppress(FileNotFoundError):
                self._call("delete_object", Key=key, VersionId=version_id)
        return not self.versions(sha256)

    def finish_batch(self, batch):
        """Nothing was set aside."""

    # ------------------------------------------------------------------ configuration check

    def create_bucket(self):
        """Create the bucket with Object Lock (and so versioning) if it does not exist (demo, tests)."""
        if not any(code == "missing" for code, _detail in self.check()):
            return
        self._call("create_bucket", ObjectLockEnabledForBucket=True)

    def check(self):
        """What is wrong with the bucket for write-once storage: a list of (code, detail);
        codes: unavailable, missing, denied, versioning, object_lock, default_retention."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            versioning = self.client.get_bucket_versioning(Bucket=self.bucket).get("Status")
            try:
                lock = self.client.get_object_lock_configuration(Bucket=self.bucket)["ObjectLockConfiguration"]
            except ClientError as error:
                if _error_code(error) not in ("ObjectLockConfigurationNotFoundError", "InvalidRequest"):
                    raise
                lock = {}
        except ClientError as error:
            code = _error_code(error)
            if code in ("404", "NoSuchBucket", "NotFound"):
                return [("missing", self.location())]
            if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                return [("denied", f"{self.location()}: {code}")]
            return [("unavailable", f"{self.location()}: {code}")]
        except BotoCoreError as error:
            return [("unavailable", f"{self.location()}: {error}")]
        problems = []
        if versioning != "Enabled":
            problems.append(("versioning", self.location()))
        if lock.get("ObjectLockEnabled") != "Enabled":
            problems.append(("object_lock", self.location()))
        elif lock.get("Rule"):
            problems.append(("default_retention", self.location()))
        return problems


class _Reader:
    """An S3 object body as a file-like object: ``read(n)``, ``close``, ``with``."""

    def __init__(self, body):
        self.body = body

    def read(self, size=-1):  # pylint: disable=method-required-super  # a file's method, not a model's
        try:
            return self.body.read(None if size is None or size < 0 else size)
        except (BotoCoreError, OSError) as error:
            raise StorageError("unavailable", f"reading from the store broke off: {error}") from error

    def iter_chunks(self, chunk_size=1 << 20):
        return iter(lambda: self.read(chunk_size), b"")

    def close(self):
        self.body.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


class _Writer:
    """One stream to the bucket: in memory while it fits in one part, else a multipart upload to
    a staging key whose parts are checked against their MD5s before it is completed."""

    def __init__(self, backend):
        self.backend = backend
        self.buffer = bytearray()
        self.staging_key = f"{STAGING}{uuid.uuid4().hex}"
        self.upload_id = None
        self.parts = []          # (number, md5 digest, size) as sent
        self.size = 0
        self.completed = False   # the staging object exists
        self.sender = None       # the thread sending parts, and the part it is sending
        self.in_flight = None

    def write(self, chunk):  # pylint: disable=method-required-super  # a file's method, not a model's
        self.buffer += chunk
        self.size += len(chunk)
        while len(self.buffer) >= self.backend.part_size:
            part = bytes(self.buffer[:self.backend.part_size])
            del self.buffer[:self.backend.part_size]
            self._send(part)

    def _send(self, part):
        """Send a part in the background while the stream goes on (and the other bucket's writer
        sends its own); one part in flight at most, so memory stays at two parts. Its MD5 is
        computed there too (hashlib lets go of the GIL)."""
        self._wait_for_part()
        if self.upload_id is None:
            self.upload_id = self.backend._call("create_multipart_upload", Key=self.staging_key)["UploadId"]
            self.sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mchs-s3-part")
        self.in_flight = self.sender.submit(self._upload_part, len(self.parts) + 1, part)

    def _upload_part(self, number, part):
        digest = _md5(part).digest()
        self.backend._call("upload_part", Key=self.staging_key, UploadId=self.upload_id, PartNumber=number,
                           Body=part, ContentMD5=base64.b64encode(digest).decode())
        return number, digest, len(part)

    def _wait_for_part(self):
        if self.in_flight is not None:
            in_flight, self.in_flight = self.in_flight, None
            self.parts.append(in_flight.result())

    def _stop_sender(self):
        if self.sender is not None:
            self.sender.shutdown(wait=True)
            self.sender = None

    def abort(self):
        self.buffer = bytearray()
        with contextlib.suppress(StorageError, FileNotFoundError):
            self._wait_for_part()
        self._stop_sender()
        if self.upload_id is not None:
            self.backend._abort_quietly(self.staging_key, self.upload_id)
            self.upload_id = None
        if self.completed:
            with contextlib.suppress(StorageError, ClientError, BotoCoreError):  # remove_stale_parts takes it later
                self.backend._delete_all_versions(self.staging_key)

    def commit(self, sha256, retain_until=None):
        """Store the stream as the recording ``sha256`` (the caller hashed what it wrote), under
        COMPLIANCE retention until ``retain_until``. An existing copy is kept."""
        backend = self.backend
        backend.key(sha256)
        if self.upload_id is None:
            if backend._exists(sha256):
                self.buffer = bytearray()
            else:
                backend._put_final(sha256, bytes(self.buffer), retain_until)
            if retain_until:
                backend.seal(sha256, retain_until)
            return backend.key(sha256)
        if self.buffer:
            self._send(bytes(self.buffer))
            self.buffer = bytearray()
        self._wait_for_part()
        self._stop_sender()
        self._complete_verified()
        backend._promote(self.staging_key, sha256, self.size, retain_until)
        return backend.key(sha256)

    def _complete_verified(self):
        """Complete the staging upload only if the store holds exactly the parts sent."""
        backend = self.backend
        held = backend._parts(self.staging_key, self.upload_id)
        sent = [(number, digest.hex(), size) for number, digest, size in self.parts]
        if [(part["PartNumber"], part["ETag"].strip('"'), part["Size"]) for part in held] != sent:
            raise StorageError("s3", f"{backend.location()}: the store does not hold the parts sent")
        backend._call("complete_multipart_upload", Key=self.staging_key, UploadId=self.upload_id,
                      MultipartUpload={"Parts": [{"PartNumber": number, "ETag": f'"{digest.hex()}"'}
                                                 for number, digest, _size in self.parts]})
        self.upload_id = None
        self.completed = True
        # a multipart object's ETag is the MD5 of its parts' MD5s and their count
        expected = f"{_md5(b''.join(digest for _number, digest, _size in self.parts)).hexdigest()}-{len(self.parts)}"
        head = backend._call("head_object", Key=self.staging_key)
        if head["ETag"].strip('"') != expected:
            raise StorageError("s3", f"{backend.location()}: the completed upload is not the parts sent "
                                     f"({head['ETag']}, not {expected})")
        if head["ContentLength"] != self.size:
            raise StorageError("truncated", f"{backend.location()}: {head['ContentLength']} of {self.size} bytes held")

