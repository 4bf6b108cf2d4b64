from odoo import api, fields, models


class MchsBodycamScanLog(models.Model):
    """Every refused QR scan (item 6): who scanned what, when, and why it was refused; written
    in a transaction of its own (mchs.bodycam.qr._refuse), so the refused step's rollback keeps it."""

    _name = "mchs.bodycam.scan.log"
    _description = "Refused bodycam label scan"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "id desc"
    # item 6: a log of refusals, append-only
    _lock_state_sql = "'logged'"
    _lock_changeable = {"logged": set()}
    _lock_user_creatable = {}

    user_id = fields.Many2one("res.users", string="Scanned by", required=True, readonly=True, index=True)
    department_id = fields.Many2one("hr.department", string="Unit", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    payload = fields.Char(string="Scanned text", readonly=True)
    reason = fields.Selection(
        [
            ("malformed", "Not a bodycam label"),
            ("keyboard_layout", "Typed under a Cyrillic keyboard layout"),
            ("forged", "Forged or altered label"),
            ("unknown", "Unknown device or badge"),
            ("written_off", "Written off or lost"),
            ("other_unit", "From another unit"),
            ("wrong_kind", "Another kind of label than the step asks for"),
            ("wrong_person", "Badge of another person"),
        ],
        required=True,
        readonly=True,
    )
    message = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # Whatever a scanner typed is kept readable: control characters (NUL included,
            # which PostgreSQL refuses in text) become "?".
            payload = (vals.get("payload") or "")[:200]
            vals["payload"] = "".join(c if c.isprintable() else "?" for c in payload)
        return super().create(vals_list)

    def _lock_state(self):
        return "logged"
