"""Write-once storage of recordings (items 5 ¶2, 10, 13), outside Odoo's database and filestore.

A backend keeps each file once, under a name derived from its SHA-256, written to a temporary
file, fsynced, renamed into place atomically and made read-only. ``store_stream`` writes one
stream to several backends (primary and backup) while hashing it in the same single pass; the
recording exists only when every copy is in place. A backend offers: a writer for a stream,
open for reading, verify, list, and the two-step removal of a
destruction act (stage, unstage_all, purge). ``storage_s3.S3Backend`` has the same methods for an
object store with write-once retention (Object Lock).
"""
import hashlib
import os
import re
import stat
import time
import uuid

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
INCOMING = ".incoming"
# integrity seals of the journals (items 9, 13): small write-once files, see mchs.bodycam.integrity.seal
SEALS = ".seals"
SEAL_NAME_RE = re.compile(r"^[\w.-]+(/[\w.-]+)*\.json$")
# a destruction act's files wait here, per act, between the decision and their removal (item 12)
DESTRUCTION = ".destruction"


class StorageError(Exception):
    """A problem of the data, said in plain words; ``code`` tells which."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class LocalDirectoryBackend:
    """Files under ``<root>/<aa>/<bb>/<sha256>``, read-only once written."""

    def __init__(self, root):
        if not root or not os.path.isabs(root):
            raise StorageError("configuration", f"storage location must be an absolute path: {root!r}")
        self.root = root

    def path(self, sha256):
        if not SHA256_RE.match(sha256 or ""):
            raise StorageError("name", f"not a SHA-256: {sha256!r}")
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def writer(self):
        folder = os.path.join(self.root, INCOMING)
        os.makedirs(folder, exist_ok=True)
        return _Writer(self, os.path.join(folder, f"{uuid.uuid4().hex}.part"))

    def open(self, sha256):
        return open(self.path(sha256), "rb")

    def verify(self, sha256):
        """True when the file is there and its content still hashes to its name."""
        try:
            with self.open(sha256) as handle:
                return hash_file(handle) == sha256
        except FileNotFoundError:
            return False

    def list(self, after=None):
        """Every stored SHA-256 in ascending order (temporary and staged files excluded),
        those greater than ``after`` only: a scan interrupted midway resumes where it stopped."""
        after = after or ""
        for first in self._sorted_dirs(self.root):
            if first < after[:2]:
                continue
            for second in self._sorted_dirs(os.path.join(self.root, first)):
                if first + second < after[:4]:
                    continue
                folder = os.path.join(self.root, first, second)
                for name in sorted(os.listdir(folder)):
                    if SHA256_RE.match(name) and name > after:
                        yield name

    @staticmethod
    def _sorted_dirs(folder):
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        return sorted(name for name in names if len(name) == 2 and not name.startswith("."))

    # -- integrity seals: written once, read-only, never replaced

    def _seal_path(self, name):
        if not SEAL_NAME_RE.match(name or "") or ".." in name:
            raise StorageError("name", f"not a seal name: {name!r}")
        return os.path.join(self.root, SEALS, name)

    def write_seal(self, name, data):
        """Write the seal ``name`` once (fsynced, read-only); the same seal again is a no-op,
        another content under the same name is refused."""
        path = self._seal_path(name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                if handle.read() == data:
                    return
            raise StorageError("seal_exists", f"another seal is already written as {name}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temp = f"{path}.{uuid.uuid4().hex}.part"
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        try:
            os.link(temp, path)  # never over an existing seal
        finally:
            os.unlink(temp)
        _fsync_dir(os.path.dirname(path))

    def list_seals(self, prefix):
        """Names of the seals under ``prefix`` (a folder of names, ending with "/")."""
        folder = self._seal_path(prefix.rstrip("/") + "/x.json").rsplit("/", 1)[0]
        if not os.path.isdir(folder):
            return []
        return sorted(prefix + entry for entry in os.listdir(folder) if entry.endswith(".json"))

    def read_seal(self, name):
        with open(self._seal_path(name), "rb") as handle:
            return handle.read()

    # -- destruction in two steps (item 12): every file of an act is first moved aside, on every
    # location; only when all of them are aside are they removed. A failure while moving puts every
    # file back, so a refused or broken act leaves the archive as it was.

    def staged_path(self, sha256, batch):
        return os.path.join(self.root, DESTRUCTION, batch, os.path.basename(self.path(sha256)))

    def stage(self, sha256, batch):
        """Move the file aside for destruction batch ``batch``; idempotent. Raises OSError
        (FileNotFoundError when the file is in neither place)."""
        source, target = self.path(sha256), self.staged_path(sha256, batch)
        if os.path.exists(target) and not os.path.exists(source):
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.rename(source, target)

    def unstage(self, sha256, batch):
        """Put one file moved aside for ``batch`` back in place, if it is there."""
        staged = self.staged_path(sha256, batch)
        if os.path.exists(staged):
            target = self.path(sha256)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(staged, target)

    def unstage_all(self, batch):
        """Put every file moved aside for ``batch`` back in place; returns how many."""
        folder = os.path.join(self.root, DESTRUCTION, batch)
        if not os.path.isdir(folder):
            return 0
        names = [name for name in os.listdir(folder) if SHA256_RE.match(name)]
        for name in names:
            self.unstage(name, batch)
        return len(names)

    def purge(self, sha256, batch):
        """Remove the staged file for good; True once it exists neither staged nor in place.
        The folders its move emptied go too, or every later scan would walk them."""
        staged = self.staged_path(sha256, batch)
        if os.path.exists(staged):
            os.chmod(staged, stat.S_IRUSR | stat.S_IWUSR)
            os.unlink(staged)
        path = self.path(sha256)
        for folder in (os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
            try:
                os.rmdir(folder)
            except OSError:  # not empty (or already gone)
                break
        return not os.path.exists(staged) and not os.path.exists(path)

    def finish_batch(self, batch):
        """Remove the act's (now empty) staging folder."""
        folder = os.path.join(self.root, DESTRUCTION, batch)
        if os.path.isdir(folder):
            os.rmdir(folder)

    def remove_stale_parts(self, older_than_seconds=24 * 3600):
        """Temporary files of uploads that a crash interrupted."""
        folder = os.path.join(self.root, INCOMING)
        if not os.path.isdir(folder):
            return 0
        removed = 0
        limit = time.time() - older_than_seconds
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.endswith(".part") and os.path.getmtime(path) < limit:
                os.unlink(path)
                removed += 1
        return removed


class _Writer:
    def __init__(self, backend, temp_path):
        self.backend = backend
        self.temp_path = temp_path
        self.handle = open(temp_path, "xb")

    def write(self, chunk):
        self.handle.write(chunk)

    def abort(self):
        if not self.handle.closed:
            self.handle.close()
        if os.path.exists(self.temp_path):
            os.unlink(self.temp_path)

    def commit(self, sha256, retain_until=None):
        """fsync, rename into place atomically, make read-only. An existing copy (the same
        content, by its name) is kept and the new one dropped: storing is idempotent.
        ``retain_until`` is for object stores; read-only files have no date of their own."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        final = self.backend.path(sha256)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        if os.path.exists(final):
            os.unlink(self.temp_path)
            return final
        os.chmod(self.temp_path, stat.S_IRUSR | stat.S_IRGRP)
        try:
            os.rename(self.temp_path, final)
        except FileNotFoundError:  # a destruction removed the emptied folder meanwhile
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.rename(self.temp_path, final)
        _fsync_dir(os.path.dirname(final))
        return final


def _fsync_dir(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ByteCounter:
    """A ``copy_to`` for ``hash_file`` that only counts the bytes read (a stream of an object
    store has no file number to ask its size)."""

    size = 0

    def write(self, chunk):
        self.size += len(chunk)


def hash_file(handle, chunk_size=1 << 20, copy_to=None):
    """SHA-256 of what ``handle`` holds, written on to ``copy_to`` in the same pass if given."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(chunk_size), b""):
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest()


def hash_stored(backend, sha256):
    """(SHA-256, size) of the stored copy as read, (None, 0) when there is no copy."""
    try:
        with backend.open(sha256) as handle:
            size = 0
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
            return digest.hexdigest(), size
    except FileNotFoundError:
        return None, 0


def store_stream(chunks, backends, expected_size=None, declared_sha256=None, max_size=None, retain_until=None):
    """Write ``chunks`` to every backend while hashing them once; returns (sha256, size).
    An object store keeps the file under write-once retention until ``retain_until`` (item 12).

    Nothing is left behind when the stream is empty, shorter than ``expected_size``, longer
    than ``max_size``, or does not hash to ``declared_sha256``."""
    digest = hashlib.sha256()
    size = 0
    writers = []
    try:
        writers = [backend.writer() for backend in backends]
        for chunk in chunks:
            size += len(chunk)
            if max_size is not None and size > max_size:
                raise StorageError("too_large", f"the file is larger than the limit of {max_size} bytes")
            digest.update(chunk)
            for writer in writers:
                writer.write(chunk)
        if not size:
            raise StorageError("empty", "the file is empty")
        if expected_size is not None and size != expected_size:
            raise StorageError("truncated", f"the upload was cut short: {size} of {expected_size} bytes arrived")
        sha256 = digest.hexdigest()
        if declared_sha256 and declared_sha256.lower() != sha256:
            raise StorageError("hash_mismatch",
                               f"the file hashes to {sha256}, not to the SHA-256 the device computed")
        for writer in writers:
            writer.commit(sha256, retain_until=retain_until)
        return sha256, size
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
