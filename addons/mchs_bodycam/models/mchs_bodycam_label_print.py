from odoo import api, fields, models

LABEL_KINDS = [("C", "Bodycam label"), ("M", "Memory card label"), ("E", "Chest badge")]


class MchsBodycamLabelPrint(models.Model):
    """Who printed which signed label or badge, and when (item 6).

    Printing is the only way a person obtains a signed QR payload, so every label and badge
    printed (PDF or HTML) is a row here, written by the report itself; nobody writes these rows
    by hand. The head, the responsible person and the bodycam administrator of the unit read
    them."""

    _name = "mchs.bodycam.label.print"
    _description = "Printed bodycam label or badge"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "printed_at desc, id desc"
    # append-only; a link goes empty only when the device never issued or the person is deleted
    _lock_state_sql = "'printed'"
    _lock_changeable = {"printed": {"camera_id", "card_id", "employee_id"}}
    _lock_user_writable = {"printed": set()}
    _lock_user_creatable = {}
    _lock_sql_checks = [("(NEW.camera_id IS NULL OR NEW.camera_id = OLD.camera_id) "
                         "AND (NEW.card_id IS NULL OR NEW.card_id = OLD.card_id) "
                         "AND (NEW.employee_id IS NULL OR NEW.employee_id = OLD.employee_id)",
                         "a printed label is kept as printed")]

    printed_at = fields.Datetime(string="Printed at", required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Printed by", required=True, readonly=True, index=True)
    department_id = fields.Many2one("hr.department", string="Unit", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    kind = fields.Selection(LABEL_KINDS, required=True, readonly=True)
    item = fields.Char(string="Printed for", readonly=True,
                       help="The inventory number of the device, or the name of the badge's holder.")
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", readonly=True, ondelete="set null")
    card_id = fields.Many2one("mchs.bodycam.card", string="Memory card", readonly=True, ondelete="set null")
    employee_id = fields.Many2one("hr.employee", string="Badge holder", readonly=True, ondelete="set null")

    def _lock_state(self):
        return "printed"

    @api.model
    def _record(self, records, kind):
        """One row per printed label of ``records`` (devices or employees), naming the real user."""
        field = {"C": "camera_id", "M": "card_id", "E": "employee_id"}[kind]
        # sudo: the printer has no right to write this log; the row names the real user
        return self.sudo().create([{
            "user_id": self.env.uid, "kind": kind, field: record.id,
            "department_id": record.sudo().department_id.id,
            "company_id": record.sudo().company_id.id or self.env.company.id,
            "item": record.sudo().name if kind == "E" else record.inventory_number,
        } for record in records])
