import secrets

from odoo import api, fields, models


class MchsBodycamSecret(models.Model):
    """Per-database key that signs QR labels (item 6).

    Kept in its own table with no view and no access for anyone: unlike a system
    parameter it cannot be read from the settings screens.  Only the QR service reads
    it, through ``sudo()``.
    """

    _name = "mchs.bodycam.secret"
    _description = "Bodycam label signing key"

    key = fields.Char(required=True, readonly=True, copy=False)

    @api.model
    def _ensure_key(self):
        """Create the key once, at install time (called from data)."""
        if not self.sudo().search_count([]):
            self.sudo().create({"key": secrets.token_hex(32)})

    @api.model
    def _get_key(self):
        # sudo: nobody has access to this model; the key never leaves the QR service.
        record = self.sudo().search([], order="id", limit=1)
        if not record:
            self._ensure_key()
            record = self.sudo().search([], order="id", limit=1)
        return record.key.encode()
