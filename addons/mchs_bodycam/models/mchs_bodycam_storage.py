import json
import os

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from passlib.context import CryptContext

from ..lib import vault
from ..lib.storage import LocalDirectoryBackend, StorageError

PASSWORD_CONTEXT = CryptContext(["pbkdf2_sha512"])
# where the special passwords are kept (lib/vault.py), one per storage server
VAULT_SCOPE = "storage_password"
# item 5 ¶2: who knows the special password and opens the unit's recordings
PASSWORD_ROLES = ("head", "responsible")


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
            PASSWORD_ROLES, fields.Date.context_today(self))
        vault.put(self.env.cr, VAULT_SCOPE, self.id, json.dumps({
            "hash": PASSWORD_CONTEXT.hash(password), "designation_ids": designations.ids}), uid=self.env.uid)
        self.invalidate_recordset(["password_set"])

    def _password_in_force(self):
        """The stored password's hash while every designation it was set under is still in
        force today, else None (item 5: a designation that ended voids the password)."""
        self.ensure_one()
        stored = vault.get(self.env.cr, VAULT_SCOPE, self.id)
        if not stored:
            return None
        stored = json.loads(stored)
        in_force = self.department_id._bodycam_designations_at(PASSWORD_ROLES, fields.Date.context_today(self))
        if not stored["designation_ids"] or set(stored["designation_ids"]) - set(in_force.ids):
            return None
        return stored["hash"]

    def _password_void(self):
        """True when a password was set but a designation it was set under has ended."""
        self.ensure_one()
        return bool(vault.get(self.env.cr, VAULT_SCOPE, self.id)) and not self._password_in_force()

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

    @api.model
    def _for_unit(self, department):
        """The unit's storage server (one per unit), or an empty recordset."""
        return self.search([("department_id", "=", department.id)], limit=1)
