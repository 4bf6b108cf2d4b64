"""Write-once storage of recordings (items 5 ¶2, 10, 13), outside Odoo's database and filestore.

A backend keeps each file once, under a name derived from its SHA-256, written to a temporary
file, fsynced, renamed into place atomically and made read-only. ``store_stream`` writes one
stream to several backends (primary and backup) while hashing it in the same single pass; the
recording exists only when every copy is in place. A backend offers: a writer for a stream,
open for reading, verify, list, and the two-step removal of a
destruction act (stage, unstage_all, purge). ``storage_s3.S3Backend`` has the same methods for an
object store with write-once retention (Object Lock).

Resumable uploads (items 10, 11: a dock uploads while the bodycam charges, over links that
break) use six more methods, the same on every kind of backend, keyed by the upload's id:

    upload_open(upload_id)                      begin a durable partial upload; idempotent
    upload_offset(upload_id, expected=None) -> int   bytes durably held: where the dock resumes
                                                (``expected``: the offset the caller expects, a
                                                hint a backend may answer cheaply when it holds)
    upload_write(upload_id, offset, chunk) -> int   append one chunk at ``offset`` (the offset
                                                held); the new offset
    upload_commit(upload_id, sha256, retain_until=None)   the held bytes become the stored file
                                                named sha256, only if they hash to it (read back)
    upload_abort(upload_id)                     drop the partial upload
    remove_stale_uploads(older_than_seconds)    drop partial uploads nobody touched since

A backend whose ``writes_at_once`` is true (a network store) gets a chunk's two copies at once,
one thread each; local folders get them one after the other (both go to the page cache).

Every chunk but the last has the upload's chunk size, the storage server's setting (at least
5 MiB, an object store's smallest part; on an object store a whole number of its parts, which are
sent at once). Partial data never sits under a final name: the stored files stay write-once.
"""
import contextlib
import errno
import hashlib
import mmap
import os
import re
import shutil
import stat
import time
import uuid

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
INCOMING = ".incoming"
# integrity seals of the journals (items 9, 13): small write-once files, see mchs.bodycam.integrity.seal
SEALS = ".seals"
SEAL_NAME_RE = re.compile(r"^[\w.-]+(/[\w.-]+)*\.json$")
# the default chunk size of resumable uploads to local folders: a chunk's request lasts under a
# second on a 100 Mbit/s link
UPLOAD_CHUNK_SIZE = 8 << 20
UPLOAD_SUFFIX = ".upload"
# a destruction act's files wait here, per act, between the decision and their removal (item 12)
DESTRUCTION = ".destruction"


class StorageError(Exception):
    """A problem of the data, said in plain words; ``code`` tells which."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class LocalDirectoryBackend:
    """Files under ``<root>/<aa>/<bb>/<sha256>``, read-only once written."""

    writes_at_once = False

    def __init__(self, root):
        if not root or not os.path.isabs(root):
            raise StorageError("configuration", f"storage location must be an absolute path: {root!r}")
        self.root = root

    def __repr__(self):
        return f"<LocalDirectoryBackend {self.root}>"

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
        return self._remove_stale(".part", older_than_seconds)

    def _remove_stale(self, suffix, older_than_seconds):
        folder = os.path.join(self.root, INCOMING)
        if not os.path.isdir(folder):
            return 0
        removed = 0
        limit = time.time() - older_than_seconds
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            try:
                if name.endswith(suffix) and os.path.getmtime(path) < limit:
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        return removed

    def free_bytes(self):
        """Free space of the location's file system (a location not made yet: of its parent)."""
        folder = self.root
        while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        return shutil.disk_usage(folder).free

    # -- resumable uploads (items 10, 11): one part file per upload in the staging folder,
    # appended chunk by chunk; its size once fsynced is the offset held.

    def _upload_path(self, upload_id):
        if not UPLOAD_ID_RE.match(upload_id or ""):
            raise StorageError("name", f"not an upload id: {upload_id!r}")
        return os.path.join(self.root, INCOMING, upload_id + UPLOAD_SUFFIX)

    def _open_part(self, upload_id, flags):
        try:
            return os.open(self._upload_path(upload_id), flags)
        except FileNotFoundError as error:
            raise StorageError("no_upload", f"no partial upload {upload_id} in {self.root}") from error

    def upload_open(self, upload_id):
        """Create the upload's empty part file, durably; an existing one is kept as it is."""
        path = self._upload_path(upload_id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        _fsync_dir(os.path.dirname(path))

    def upload_offset(self, upload_id, expected=None):  # noqa: ARG002 (a stat is cheap: no hint needed)
        """Bytes held: the part's size once it is on the disk (what a killed writer left in the
        page cache is flushed first, so the answer is durable)."""
        descriptor = self._open_part(upload_id, os.O_RDONLY)
        try:
            os.fsync(descriptor)
            return os.fstat(descriptor).st_size
        finally:
            os.close(descriptor)

    def upload_write(self, upload_id, offset, chunk):
        """Write ``chunk`` at ``offset``; returns the new offset. Not fsynced: what counts for a
        resume is upload_offset, which syncs first, and upload_commit syncs before it reads back.
        ``offset`` is the size of the part, or less when this copy got further than the other
        one before a break: a part already holding exactly this chunk there is left as it is,
        any other is cut back to ``offset`` and written again. A larger one is refused
        ('offset_mismatch')."""
        descriptor = self._open_part(upload_id, os.O_WRONLY)
        try:
            held = os.fstat(descriptor).st_size
            if offset > held:
                raise StorageError("offset_mismatch", f"upload {upload_id} holds {held} bytes, not {offset}")
            if offset + len(chunk) == held:
                return held
            if offset < held:
                os.ftruncate(descriptor, offset)
            view = memoryview(chunk)
            done = 0
            while done < len(view):
                done += os.pwrite(descriptor, view[done:], offset + done)
            # the kernel starts writing this chunk and the one before to the disk now and drops
            # their pages once clean: the final fsync finds little to do, the page cache stays small
            os.posix_fadvise(descriptor, max(0, offset - len(view)), 2 * len(view), os.POSIX_FADV_DONTNEED)
            return offset + len(view)
        finally:
            os.close(descriptor)

    def upload_commit(self, upload_id, sha256, retain_until=None):
        """Read the part back from the disk and, if it hashes to ``sha256``, make it the stored
        file (read-only, renamed into place, folder fsynced). Raises StorageError
        ('hash_mismatch') and leaves the part where it is otherwise. A part committed before (the
        caller crashed before it noted it) is found under its final name and checked again.
        ``retain_until`` is for write-once stores: local folders have no retention lock."""
        final = self.path(sha256)
        try:
            descriptor = self._open_part(upload_id, os.O_RDONLY)
        except StorageError:
            if self.verify(sha256):
                return final
            raise
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        digest = hash_from_disk(self._upload_path(upload_id))
        if digest != sha256:
            raise StorageError("hash_mismatch", f"upload {upload_id} hashes to {digest}, not to {sha256}")
        part = self._upload_path(upload_id)
        if os.path.exists(final):  # the same content, stored meanwhile: kept as it is
            os.unlink(part)
            return final
        os.chmod(part, stat.S_IRUSR | stat.S_IRGRP)
        _rename_into_place(part, final)
        return final

    def upload_abort(self, upload_id):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._upload_path(upload_id))

    def remove_stale_uploads(self, older_than_seconds=24 * 3600):
        """Part files of uploads nobody wrote to for ``older_than_seconds``; returns how many."""
        return self._remove_stale(UPLOAD_SUFFIX, older_than_seconds)

class _Writer:
    def __init__(self, backend, temp_path):
        self.backend = backend
        self.temp_path = temp_path
        self.handle = open(temp_path, "xb")

    def write(self, chunk):  # pylint: disable=method-required-super  # a file's method, not a model's
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
        if os.path.exists(final):
            os.unlink(self.temp_path)
            return final
        os.chmod(self.temp_path, stat.S_IRUSR | stat.S_IRGRP)
        _rename_into_place(self.temp_path, final)
        return final


def _rename_into_place(source, final):
    """Atomic rename of a complete, read-only file to its final name; the folder is fsynced."""
    os.makedirs(os.path.dirname(final), exist_ok=True)
    try:
        os.rename(source, final)
    except FileNotFoundError:  # a destruction removed the emptied folder meanwhile
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.rename(source, final)
    _fsync_dir(os.path.dirname(final))


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

    def write(self, chunk):  # pylint: disable=method-required-super  # a file's method, not a model's
        self.size += len(chunk)

def hash_from_disk(path, block=8 << 20):
    """SHA-256 of a file as the disk holds it: read with O_DIRECT (around the page cache) in
    large blocks; where the file system has no O_DIRECT, read after its cached pages are dropped
    (the file must be fsynced: only clean pages are dropped)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECT)
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
        with open(path, "rb") as handle:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            return hash_file(handle, chunk_size=block)
    buffer = mmap.mmap(-1, block)  # page-aligned, as O_DIRECT wants
    digest = hashlib.sha256()
    try:
        while count := os.readv(descriptor, [buffer]):
            digest.update(memoryview(buffer)[:count])
    finally:
        os.close(descriptor)
        buffer.close()
    return digest.hexdigest()


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
