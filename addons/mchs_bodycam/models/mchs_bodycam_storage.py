import errno
import json
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time
from time import monotonic

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from passlib.context import CryptContext

from ..lib import vault
from ..lib.storage import UPLOAD_CHUNK_SIZE, LocalDirectoryBackend, StorageError
from ..lib.storage_s3 import PART_SIZE, UPLOAD_CHUNK_PARTS, S3Backend

_logger = logging.getLogger(__name__)
PASSWORD_CONTEXT = CryptContext(["pbkdf2_sha512"])
# where the special passwords are kept (lib/vault.py), one per storage server
PASSWORD_VAULT_SCOPE = "storage_password"
# item 5 ¶2: who knows the special password and opens the unit's recordings
PASSWORD_ROLES = ("head", "responsible")
# the object store's credentials live in the vault, never in an Odoo field (issue 10)
CREDENTIALS_VAULT_SCOPE = "s3"
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ENDPOINT_RE = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
# copies read back at once by one process (each thread holds an 8 MiB read buffer)
READ_BACK_STREAMS = 8
# a dock's chunk goes in one request, which must end within limit_time_real on the dock's link
UPLOAD_CHUNK_MB_RANGE = (5, 64)


def _storage_call(function, *args):
    """``function(*args)``, its OSError told as a StorageError: 'storage_full' when a disk is
    full, 'storage_unavailable' otherwise."""
    try:
        return function(*args)
    except OSError as error:
        code = "storage_full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "storage_unavailable"
        raise StorageError(code, str(error)) from error


class MchsBodycamStorage(models.Model):
    """The unit's data storage server (items 5 ¶2, 10, 13): a primary and a backup location;
    a recording is stored only when both copies are written."""

    _name = "mchs.bodycam.storage"
    _description = "Bodycam data storage server"
    _check_company_auto = True

    name = fields.Char(required=True)
    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True)
    kind = fields.Selection([("local", "Local folders"), ("s3", "Object store (S3, write-once)")],
                            required=True, default=lambda self: self._default_kind(),
                            help="Local folders on the Odoo server, or two buckets of an S3 object store with "
                                 "versioning and Object Lock, where every recording is kept under COMPLIANCE "
                                 "retention until its retention ends (items 12, 13).")
    primary_path = fields.Char(string="Primary location",
                               default=lambda self: self._default_location("primary"),
                               help="Absolute path of the primary copy's directory.")
    backup_path = fields.Char(string="Backup location",
                              default=lambda self: self._default_location("backup"),
                              help="Absolute path of the mandatory backup copy's directory (item 10).")
    s3_endpoint = fields.Char(string="Endpoint", default=lambda self: self._default_s3("endpoint"),
                              help="URL of the S3 API of the primary bucket, e.g. https://s3.example.kz")
    s3_bucket = fields.Char(string="Primary bucket")
    s3_backup_endpoint = fields.Char(string="Backup endpoint", default=lambda self: self._default_s3("backup_endpoint"),
                                     help="URL of the S3 API of the backup bucket; empty when it is the same.")
    s3_backup_bucket = fields.Char(string="Backup bucket")
    s3_region = fields.Char(string="Region", default=lambda self: self._default_s3("region") or "default")
    s3_credentials_set = fields.Boolean(compute="_compute_s3_credentials_set", string="Credentials set")
    max_upload_mb = fields.Integer(string="Largest file (MB)", default=8192, required=True)
    verify_inline_mb = fields.Integer(
        string="Verify at once up to (MB)", default=256, required=True,
        help="A resumable upload up to this size is read back and checked while the dock waits for the "
             "answer; a larger one is checked by a background job while the dock asks for its state.")
    upload_chunk_mb = fields.Integer(
        string="Dock chunk (MiB)", compute="_compute_upload_chunk_mb", store=True, readonly=False, precompute=True,
        required=True,
        help="A dock sends a file in chunks of this size, one request each, which must end within the "
             "server's time limit (limit_time_real, 120 s by default) on the slowest dock's link: 8 MiB "
             "take 7 s at 10 Mbit/s, 16 MiB 13 s. On an object store a chunk is a whole number of 8 MiB "
             "parts, sent to both buckets at once: larger chunks are stored faster. Uploads already "
             "begun keep their chunk size.")
    reserve_mb = fields.Integer(
        string="Free space kept (MB)", default=1024, required=True,
        help="A resumable upload is refused when it would leave less free space than this on a location.")
    max_clock_skew_hours = fields.Integer(
        string="Largest clock error (h)", default=24, required=True,
        help="A recording whose device times are further than this from the server's time is refused.")
    active = fields.Boolean(default=True)
    # item 5 ¶2: the storage's special password, known to the head and the responsible person
    # only, is kept in the vault (lib/vault.py) as a PBKDF2 hash with the designations in force
    # when it was set; no field, group or RPC reaches it. Only whether it holds is shown.
    password_set = fields.Boolean(
        compute="_compute_password_set", string="Special password in force",
        help="Set by the head or the responsible person designated today; it stops working when "
             "one of their designations ends, until a designated person sets a new one (item 5).")

    _sql_constraints = [
        ("limits_positive", "CHECK(max_upload_mb > 0 AND max_clock_skew_hours > 0)",
         "The upload limit and the clock tolerance must be positive."),
        ("upload_limits_valid", "CHECK(verify_inline_mb >= 0 AND reserve_mb >= 0)",
         "The sizes for checking uploads and the free space kept cannot be negative."),
        ("upload_chunk_range", f"CHECK(upload_chunk_mb BETWEEN {UPLOAD_CHUNK_MB_RANGE[0]} AND {UPLOAD_CHUNK_MB_RANGE[1]})",
         "A dock's chunk is between 5 and 64 MiB."),
    ]

    @api.model
    def _default_location(self, which):
        """The server's configured location (options mchs_bodycam_storage_primary/_backup, set by
        make run), else a folder in Odoo's data directory."""
        return tools.config.get(f"mchs_bodycam_storage_{which}") or os.path.join(
            tools.config["data_dir"], "mchs_bodycam", self.env.cr.dbname, which)

    @api.model
    def _default_kind(self):
        """Local folders unless the server's configuration (make run STORAGE=s3) says otherwise."""
        return tools.config.get("mchs_bodycam_storage_kind") or "local"

    @api.model
    def _default_s3(self, name):
        return tools.config.get(f"mchs_bodycam_s3_{name}") or False

    def init(self):
        # the secrets of the storage servers (and the QR key) are kept outside the ORM
        vault.ensure_table(self.env.cr)
        # One storage server per unit.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_storage_one_per_unit
            ON mchs_bodycam_storage (department_id) WHERE active
        """)

    def _compute_password_set(self):
        for storage in self:
            storage.password_set = bool(storage.id and storage._password_in_force())

    def action_open_password_wizard(self):
        self.ensure_one()
        self._check_password_holder()
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.storage.password.wizard",
                "view_mode": "form", "target": "new", "name": self.env._("Special password"),
                "context": {"default_storage_id": self.id}}

    def _set_password(self, password):
        """Set the special password (item 5 ¶2): by the unit's head or responsible person
        designated today. The hash is kept with the designations in force now; the password
        holds while all of them do."""
        self.ensure_one()
        self._check_password_holder()
        if len(password or "") < 10:
            raise UserError(self.env._("The special password has at least 10 characters."))
        designations = self.department_id._bodycam_designations_at(
            PASSWORD_ROLES, self.department_id._bodycam_today())
        vault.put(self.env.cr, PASSWORD_VAULT_SCOPE, self.id, json.dumps({
            "hash": PASSWORD_CONTEXT.hash(password), "designation_ids": designations.ids}), uid=self.env.uid)
        self.invalidate_recordset(["password_set"])

    def _password_in_force(self):
        """The stored password's hash while every designation it was set under is still in
        force today, else None (item 5: a designation that ended voids the password)."""
        self.ensure_one()
        stored = vault.get(self.env.cr, PASSWORD_VAULT_SCOPE, self.id)
        if not stored:
            return None
        stored = json.loads(stored)
        in_force = self.department_id._bodycam_designations_at(PASSWORD_ROLES, self.department_id._bodycam_today())
        if not stored["designation_ids"] or set(stored["designation_ids"]) - set(in_force.ids):
            return None
        return stored["hash"]

    def _password_void(self):
        """True when a password was set but a designation it was set under has ended."""
        self.ensure_one()
        return bool(vault.get(self.env.cr, PASSWORD_VAULT_SCOPE, self.id)) and not self._password_in_force()

    def _check_password(self, password):
        """True when ``password`` is the special password in force."""
        self.ensure_one()
        stored = self._password_in_force()
        return bool(stored and password and PASSWORD_CONTEXT.verify(password, stored))

    def _is_password_holder(self, user=None):
        """Whether ``user`` is the head or the responsible person designated today (item 5)."""
        self.ensure_one()
        return self.department_id._bodycam_is_designated(user or self.env.user, PASSWORD_ROLES)

    def _check_password_holder(self):
        if not self._is_password_holder():
            raise UserError(self.env._(
                "Only the head and the responsible person designated today for %s use the storage's "
                "special password (item 5).", self.department_id.display_name))

    @api.depends("kind")
    def _compute_upload_chunk_mb(self):
        """Issue 10, point 5: an object store takes a chunk's parts at once (two by default),
        local folders write a chunk to both disks one after the other."""
        for storage in self:
            storage.upload_chunk_mb = (PART_SIZE * UPLOAD_CHUNK_PARTS if storage.kind == "s3" else UPLOAD_CHUNK_SIZE) >> 20

    @api.constrains("kind", "upload_chunk_mb")
    def _check_upload_chunk_mb(self):
        low, high = UPLOAD_CHUNK_MB_RANGE
        for storage in self:
            if not low <= storage.upload_chunk_mb <= high:
                raise ValidationError(self.env._("A dock's chunk is between %(low)s and %(high)s MiB.", low=low, high=high))
            if storage.kind == "s3" and (storage.upload_chunk_mb << 20) % PART_SIZE:
                raise ValidationError(self.env._(
                    "On an object store a dock's chunk is a whole number of parts of %(part)s MiB.",
                    part=PART_SIZE >> 20))

    @api.constrains("kind", "primary_path", "backup_path")
    def _check_paths(self):
        for storage in self.filtered(lambda storage: storage.kind == "local"):
            try:
                storage._backends()
            except StorageError as error:
                raise ValidationError(str(error)) from error
            if storage.primary_path.rstrip("/") == storage.backup_path.rstrip("/"):
                raise ValidationError(self.env._("The backup copy must be kept in another location (item 10)."))

    @api.constrains("kind", "s3_endpoint", "s3_bucket", "s3_backup_endpoint", "s3_backup_bucket")
    def _check_s3_settings(self):
        for storage in self.filtered(lambda storage: storage.kind == "s3"):
            for endpoint in filter(None, (storage.s3_endpoint, storage.s3_backup_endpoint)):
                if not ENDPOINT_RE.match(endpoint):
                    raise ValidationError(self.env._("%(endpoint)s is not the URL of an S3 endpoint "
                                                     "(http:// or https://).", endpoint=endpoint))
            if not storage.s3_endpoint:
                raise ValidationError(self.env._("An object store needs the URL of its endpoint."))
            for bucket in (storage.s3_bucket, storage.s3_backup_bucket):
                if not BUCKET_RE.match(bucket or ""):
                    raise ValidationError(self.env._(
                        "%(bucket)s is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.",
                        bucket=bucket or ""))
            if storage._s3_locations()[0] == storage._s3_locations()[1]:
                raise ValidationError(self.env._("The backup copy must be kept in another bucket (item 10)."))

    def _s3_locations(self):
        """(endpoint, bucket) of the primary and of the backup copy."""
        return [(self.s3_endpoint, self.s3_bucket), (self.s3_backup_endpoint or self.s3_endpoint, self.s3_backup_bucket)]

    def _backends(self):
        self.ensure_one()
        if self.kind == "s3":
            credentials = self._s3_credentials()
            if not credentials:
                raise StorageError("configuration", f"storage server {self.name} has no object store credentials")
            keys = [(credentials["access_key"], credentials["secret_key"]),
                    (credentials.get("backup_access_key") or credentials["access_key"],
                     credentials.get("backup_secret_key") or credentials["secret_key"])]
            return [S3Backend(endpoint, bucket, access_key, secret_key, region=self.s3_region or "default")
                    for (endpoint, bucket), (access_key, secret_key) in zip(self._s3_locations(), keys)]
        return [LocalDirectoryBackend(self.primary_path), LocalDirectoryBackend(self.backup_path)]

    def _remove_stale_parts(self):
        """Temporary files left by uploads a crash killed midway (never a stored recording)."""
        removed = 0
        for storage in self:
            try:
                removed += sum(backend.remove_stale_parts() for backend in storage._backends())
            except StorageError as error:  # one unreachable store does not stop the others
                _logger.warning("storage %s: stale uploads not removed: %s", storage.name, error)
        return removed

    def _retain_until(self, start):
        """Item 12: the moment (naive UTC) until which a recording started at ``start`` (real
        clock, UTC) is kept under write-once retention: the first day it may be destroyed."""
        self.ensure_one()
        company = self.company_id or self.env.company
        end = self.env["mchs.bodycam.recording"]._retention_end(start.date(), company.bodycam_retention_years or 3)
        return datetime.combine(end, time.min)

    def _export_folder(self):
        """Where evidence packages (item 14) are built: beside the primary folder, or in Odoo's
        data directory for an object store."""
        self.ensure_one()
        if self.kind == "s3":
            return os.path.join(tools.config["data_dir"], "mchs_bodycam", self.env.cr.dbname, "exports", str(self.id))
        return os.path.join(self.primary_path, ".exports")

    # ------------------------------------------------------------------ object store credentials (issue 10)

    def _compute_s3_credentials_set(self):
        for storage in self:
            storage.s3_credentials_set = bool(storage.id and vault.get(self.env.cr, CREDENTIALS_VAULT_SCOPE, storage.id))

    def _s3_credentials(self):
        """The credentials from the vault (never through a field, never to a user)."""
        self.ensure_one()
        value = vault.get(self.env.cr, CREDENTIALS_VAULT_SCOPE, self.id)
        return json.loads(value) if value else None

    def _check_credentials_holder(self):
        if not (self.env.user.has_group("mchs_bodycam.group_bodycam_admin") or self.env.is_admin()):
            raise UserError(self.env._("Only a bodycam administrator sets the object store's credentials."))
        self.check_access("write")

    def _set_s3_credentials(self, access_key, secret_key, backup_access_key=None, backup_secret_key=None):
        """Check the keys against both buckets, then keep them in the vault."""
        self.ensure_one()
        self._check_credentials_holder()
        if self.kind != "s3":
            raise UserError(self.env._("Credentials are for a storage server of the object store kind."))
        credentials = {"access_key": (access_key or "").strip(), "secret_key": (secret_key or "").strip()}
        if backup_access_key or backup_secret_key:
            credentials.update(backup_access_key=(backup_access_key or "").strip(),
                               backup_secret_key=(backup_secret_key or "").strip())
        if not all(credentials.values()):
            raise UserError(self.env._("Give both the access key and the secret key."))
        previous = vault.get(self.env.cr, CREDENTIALS_VAULT_SCOPE, self.id)
        vault.put(self.env.cr, CREDENTIALS_VAULT_SCOPE, self.id, json.dumps(credentials), uid=self.env.uid)
        try:
            self._raise_bucket_problems()
        except UserError:
            if previous:
                vault.put(self.env.cr, CREDENTIALS_VAULT_SCOPE, self.id, previous, uid=self.env.uid)
            else:
                vault.delete(self.env.cr, CREDENTIALS_VAULT_SCOPE, self.id)
            raise

    def action_open_credentials_wizard(self):
        self.ensure_one()
        self._check_credentials_holder()
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.storage.credentials.wizard",
                "view_mode": "form", "target": "new", "name": self.env._("Object store credentials"),
                "context": {"default_storage_id": self.id}}

    def action_check_buckets(self):
        """Both buckets exist, with versioning and Object Lock, and answer to the credentials."""
        self.ensure_one()
        self._raise_bucket_problems()
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "success", "title": self.env._("Object store ready"),
            "message": self.env._("Both buckets exist with versioning and Object Lock; every recording is kept "
                                  "under COMPLIANCE retention.")}}

    def _raise_bucket_problems(self):
        if self.kind != "s3":
            raise UserError(self.env._("Only an object store has buckets to check."))
        try:
            backends = self._backends()
        except StorageError as error:
            raise UserError(self.env._("Set the object store's credentials first.")) from error
        texts = {
            "unavailable": self.env._("%(location)s cannot be reached."),
            "missing": self.env._("The bucket %(location)s does not exist."),
            "denied": self.env._("%(location)s refuses the credentials."),
            "versioning": self.env._("Versioning is not enabled on %(location)s."),
            "object_lock": self.env._("Object Lock is not enabled on %(location)s: create the bucket with "
                                      "Object Lock."),
            "default_retention": self.env._("%(location)s has a default retention rule: remove it. The addon "
                                            "sets every recording's retention itself, and a default rule would "
                                            "also lock uploads not yet verified."),
        }
        problems = [texts[code] % {"location": detail}
                    for backend in backends for code, detail in backend.check()]
        if problems:
            raise UserError("\n".join(problems))

    # ------------------------------------------------------------------ resumable uploads (items 10, 11)
    # The same partial upload is kept on both locations; each method works on both, and OSError
    # (a full disk, a location gone) becomes a StorageError a dock can be told about.

    def _upload_chunk_size(self):
        """The chunk size of a new resumable upload, in bytes."""
        return self.upload_chunk_mb << 20

    def _upload_open(self, upload_id):
        self._on_backends(lambda backend: backend.upload_open(upload_id))

    def _upload_write(self, upload_id, offset, chunk):
        """Write one chunk on both locations, at ``offset``, which must be the offset both hold
        on the disk (what was acknowledged is never written over); returns the new offset. A
        location that got further than the other before a break sorts it out itself (see the
        backends' upload_write). Local folders are written one after the other (to the page
        cache; only the sync of the chunk before waits for the disks, both at once); an object
        store's two parts go at once."""
        backends = self._backends()
        with ThreadPoolExecutor(max_workers=2) as pool:
            held = min(pool.map(lambda backend: _storage_call(backend.upload_offset, upload_id, offset), backends))
            if offset != held:
                raise StorageError("offset_mismatch", f"the server holds {held} bytes, not {offset}")
            if all(backend.writes_at_once for backend in backends):
                return min(pool.map(lambda backend: _storage_call(backend.upload_write, upload_id, offset, chunk),
                                    backends))
        return min(_storage_call(backend.upload_write, upload_id, offset, chunk) for backend in backends)

    @api.model
    def _upload_commit_at_once(self, requests):
        """Read back the copies ``requests`` name, [(storage, copy index into its _backends,
        upload id, sha256, retain until)], at once, one thread a copy up to READ_BACK_STREAMS
        (reading and hashing let go of the GIL; a disk or an object store serves several
        streams faster than one). Each copy that hashes to its sha256 is stored under its final
        name. Returns, in the same order, None for a copy stored or the StorageError it met."""
        calls = [(storage._backends()[copy], upload_id, sha256, retain_until)
                 for storage, copy, upload_id, sha256, retain_until in requests]

        def commit(call):
            backend, upload_id, sha256, retain_until = call
            started = monotonic()
            try:
                _storage_call(backend.upload_commit, upload_id, sha256, retain_until)
            except StorageError as error:
                _logger.warning("upload %s on %s not stored: %s", upload_id, backend, error)
                return error
            _logger.info("upload %s read back and stored on %s in %.1f s (%d at once)",
                         upload_id, backend, monotonic() - started, len(calls))
            return None

        with ThreadPoolExecutor(max_workers=max(1, min(len(calls), READ_BACK_STREAMS))) as pool:
            return list(pool.map(commit, calls))

    def _upload_abort(self, upload_id):
        self._on_backends(lambda backend: backend.upload_abort(upload_id))

    def _upload_room(self, size):
        """True when every location can take ``size`` bytes more and keep its reserve (a backend
        without a notion of free space, such as an object store, always can)."""
        reserve = self.reserve_mb * 1024 * 1024
        return all(_storage_call(backend.free_bytes) >= size + reserve
                   for backend in self._backends() if hasattr(backend, "free_bytes"))

    def _remove_stale_uploads(self, older_than_seconds):
        return sum(self._on_backends(lambda backend: backend.remove_stale_uploads(older_than_seconds)))

    def _on_backends(self, call):
        return [_storage_call(call, backend) for backend in self._backends()]

    @api.model
    def _for_unit(self, department):
        """The unit's storage server (one per unit), or an empty recordset."""
        return self.search([("department_id", "=", department.id)], limit=1)
