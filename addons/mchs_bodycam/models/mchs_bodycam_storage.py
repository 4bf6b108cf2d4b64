import errno
import os
from concurrent.futures import ThreadPoolExecutor

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from passlib.context import CryptContext

from ..lib import vault
from ..lib.storage import LocalDirectoryBackend, StorageError

PASSWORD_CONTEXT = CryptContext(["pbkdf2_sha512"])


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
    primary_path = fields.Char(string="Primary location", required=True,
                               default=lambda self: self._default_location("primary"),
                               help="Absolute path of the primary copy's directory.")
    backup_path = fields.Char(string="Backup location", required=True,
                              default=lambda self: self._default_location("backup"),
                              help="Absolute path of the mandatory backup copy's directory (item 10).")
    max_upload_mb = fields.Integer(string="Largest file (MB)", default=8192, required=True)
    verify_inline_mb = fields.Integer(
        string="Verify at once up to (MB)", default=256, required=True,
        help="A resumable upload up to this size is read back and checked while the dock waits for the "
             "answer; a larger one is checked by a background job while the dock asks for its state.")
    reserve_mb = fields.Integer(
        string="Free space kept (MB)", default=1024, required=True,
        help="A resumable upload is refused when it would leave less free space than this on a location.")
    max_clock_skew_hours = fields.Integer(
        string="Largest clock error (h)", default=24, required=True,
        help="A recording whose device times are further than this from the server's time is refused.")
    active = fields.Boolean(default=True)
    # item 5 ¶2: the storage's special password, known to the head and the responsible person only;
    # kept as a PBKDF2 hash, never in clear, readable by nobody through the ORM
    password_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    password_set = fields.Boolean(compute="_compute_password_set", string="Special password set")

    _sql_constraints = [
        ("limits_positive", "CHECK(max_upload_mb > 0 AND max_clock_skew_hours > 0)",
         "The upload limit and the clock tolerance must be positive."),
        ("upload_limits_valid", "CHECK(verify_inline_mb >= 0 AND reserve_mb >= 0)",
         "The sizes for checking uploads and the free space kept cannot be negative."),
    ]

    @api.model
    def _default_location(self, which):
        """The server's configured location (options mchs_bodycam_storage_primary/_backup, set by
        make run), else a folder in Odoo's data directory."""
        return tools.config.get(f"mchs_bodycam_storage_{which}") or os.path.join(
            tools.config["data_dir"], "mchs_bodycam", self.env.cr.dbname, which)

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
            # sudo: only whether a hash exists is shown, never the hash
            storage.password_set = bool(storage.sudo().password_hash)

    def action_open_password_wizard(self):
        self.ensure_one()
        self._check_password_holder()
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.storage.password.wizard",
                "view_mode": "form", "target": "new", "name": self.env._("Special password"),
                "context": {"default_storage_id": self.id}}

    def _set_password(self, password):
        """Set the special password (item 5 ¶2): by the unit's head or responsible person."""
        self.ensure_one()
        self._check_password_holder()
        if len(password or "") < 10:
            raise UserError(self.env._("The special password has at least 10 characters."))
        # sudo: the hash field is hidden from everyone
        self.sudo().password_hash = PASSWORD_CONTEXT.hash(password)

    def _check_password(self, password):
        """True when ``password`` is the special password (and one has been set)."""
        self.ensure_one()
        stored = self.sudo().password_hash
        return bool(stored and password and PASSWORD_CONTEXT.verify(password, stored))

    def _check_password_holder(self):
        today = fields.Date.context_today(self)
        holders = {self.department_id._bodycam_person_at(role, today).user_id for role in ("head", "responsible")}
        if self.env.user not in holders:
            raise UserError(self.env._(
                "Only the head and the responsible person of %s use the storage's special password (item 5).",
                self.department_id.display_name))

    @api.constrains("primary_path", "backup_path")
    def _check_paths(self):
        for storage in self:
            try:
                storage._backends()
            except StorageError as error:
                raise ValidationError(str(error)) from error
            if storage.primary_path.rstrip("/") == storage.backup_path.rstrip("/"):
                raise ValidationError(self.env._("The backup copy must be kept in another location (item 10)."))

    def _backends(self):
        self.ensure_one()
        return [LocalDirectoryBackend(self.primary_path), LocalDirectoryBackend(self.backup_path)]

    def _remove_stale_parts(self):
        """Temporary files left by uploads a crash killed midway (never a stored recording)."""
        return sum(backend.remove_stale_parts() for storage in self for backend in storage._backends())

    # ------------------------------------------------------------------ resumable uploads (items 10, 11)
    # The same partial upload is kept on both locations; each method works on both, and OSError
    # (a full disk, a location gone) becomes a StorageError a dock can be told about.

    def _upload_open(self, upload_id):
        self._on_backends(lambda backend: backend.upload_open(upload_id))

    def _upload_write(self, upload_id, offset, chunk):
        """Write one chunk on both locations, at ``offset``, which must be the offset both hold
        on the disk (what was acknowledged is never written over); returns the new offset. A
        location that got further than the other before a break sorts it out itself (see the
        backends' upload_write). The writes go to the page cache, one location after the other;
        only the sync of the chunk before waits for the disks, both at once."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            held = min(pool.map(lambda backend: _storage_call(backend.upload_offset, upload_id), self._backends()))
        if offset != held:
            raise StorageError("offset_mismatch", f"the server holds {held} bytes, not {offset}")
        return min(_storage_call(backend.upload_write, upload_id, offset, chunk) for backend in self._backends())

    def _upload_commit(self, upload_id, sha256, retain_until=None, copies=None):
        """The copies (indexes into _backends, all by default) read back at once and, if they
        hash to ``sha256``, stored under their final name."""
        backends = self._backends()
        chosen = [backends[index] for index in (range(len(backends)) if copies is None else copies)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda backend: _storage_call(backend.upload_commit, upload_id, sha256, retain_until),
                          chosen))

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
