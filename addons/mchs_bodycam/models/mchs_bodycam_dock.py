import hashlib
import secrets

from odoo import api, fields, models


class MchsBodycamDock(models.Model):
    """A charging dock that uploads recordings by itself while the bodycam charges (item 11).

    Its token is shown once, when it is generated, and only its SHA-256 is kept."""

    _name = "mchs.bodycam.dock"
    _description = "Bodycam docking station"
    _check_company_auto = True

    name = fields.Char(required=True)
    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True)
    token_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    token_hint = fields.Char(string="Token ends with", readonly=True, copy=False)
    active = fields.Boolean(default=True, help="Archive the dock to revoke its token.")

    @staticmethod
    def _hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def action_generate_token(self):
        """A new token, shown once in a notification and never stored in clear."""
        self.ensure_one()
        token = secrets.token_urlsafe(32)
        # sudo: the hash field is hidden from everyone; the caller may manage this dock.
        self.sudo().write({"token_hash": self._hash_token(token), "token_hint": token[-4:]})
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {
                "title": self.env._("Token of %s: copy it into the dock now, it is not shown again", self.name),
                "message": token, "sticky": True, "type": "warning",
            },
        }

    @api.model
    def _authenticate(self, token):
        """The active dock whose token this is, or an empty recordset."""
        if not token:
            return self.browse()
        # sudo: docks call without a user; only the matching active dock is returned.
        return self.sudo().search([("token_hash", "=", self._hash_token(token))], limit=1)
