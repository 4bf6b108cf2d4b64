import json

from odoo import api, fields, models

from ..lib import vault

PENDING_SCOPE = "s3_wizard"
KEY_FIELDS = ("access_key", "secret_key", "backup_access_key", "backup_secret_key")


class MchsBodycamStorageCredentialsWizard(models.TransientModel):
    """Set the object store's credentials of a storage server (issue 10). What is typed goes
    straight to the vault (the fields are not stored, not even in this wizard's table), is
    checked against both buckets and kept there; nobody reads it back, the administrator included."""

    _name = "mchs.bodycam.storage.credentials.wizard"
    _description = "Set the object store's credentials"

    storage_id = fields.Many2one("mchs.bodycam.storage", required=True, readonly=True, ondelete="cascade")
    access_key = fields.Char(string="Access key", compute="_compute_keys", inverse="_inverse_keys")
    secret_key = fields.Char(string="Secret key", compute="_compute_keys", inverse="_inverse_keys")
    backup_access_key = fields.Char(string="Backup access key", compute="_compute_keys", inverse="_inverse_keys",
                                    help="Only when the backup bucket has its own keys.")
    backup_secret_key = fields.Char(string="Backup secret key", compute="_compute_keys", inverse="_inverse_keys")

    def _compute_keys(self):
        for wizard in self:
            for name in KEY_FIELDS:
                wizard[name] = False  # never shown again

    def _inverse_keys(self):
        for wizard in self:
            pending = json.loads(vault.get(self.env.cr, PENDING_SCOPE, wizard.id) or "{}")
            pending.update({name: wizard[name] for name in KEY_FIELDS if wizard[name]})
            vault.put(self.env.cr, PENDING_SCOPE, wizard.id, json.dumps(pending), uid=self.env.uid)

    def action_apply(self):
        self.ensure_one()
        pending = json.loads(vault.get(self.env.cr, PENDING_SCOPE, self.id) or "{}")
        vault.delete(self.env.cr, PENDING_SCOPE, self.id)
        self.storage_id._set_s3_credentials(*(pending.get(name) for name in KEY_FIELDS))
        return {"type": "ir.actions.act_window_close"}

    @api.ondelete(at_uninstall=False)
    def _unlink_pending_keys(self):
        for wizard in self:
            vault.delete(self.env.cr, PENDING_SCOPE, wizard.id)
