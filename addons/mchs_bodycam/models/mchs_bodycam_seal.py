from odoo import api, fields, models
from odoo.exceptions import UserError

REMOVAL_REASONS = [
    ("card_change", "Slot opened to change cards"),
    ("replaced", "Replaced"),
    ("broken", "Found broken"),
]


class MchsBodycamSeal(models.Model):
    """A numbered seal on a bodycam's card slot, with its history (item 8)."""

    _name = "mchs.bodycam.seal"
    _rec_name = "number"
    _description = "Card slot seal"
    _order = "date_applied desc, id desc"

    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True,
                                index=True, ondelete="cascade")
    company_id = fields.Many2one(related="camera_id.company_id", store=True)
    department_id = fields.Many2one(related="camera_id.department_id", store=True, string="Unit")
    number = fields.Char(string="Seal number", required=True, readonly=True)
    date_applied = fields.Datetime(string="Applied", required=True, readonly=True, default=fields.Datetime.now)
    applied_by_id = fields.Many2one("res.users", string="Applied by", required=True, readonly=True,
                                    default=lambda self: self.env.user)
    date_removed = fields.Datetime(string="Removed", readonly=True)
    removed_by_id = fields.Many2one("res.users", string="Removed by", readonly=True)
    removal_reason = fields.Selection(REMOVAL_REASONS, readonly=True)

    _sql_constraints = [
        ("number_company_uniq", "unique(company_id, number)",
         "A seal with this number has already been used in this company (item 8)."),
    ]

    def init(self):
        # One seal on a card slot at a time.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_seal_one_open
            ON mchs_bodycam_seal (camera_id) WHERE date_removed IS NULL
        """)

    def write(self, vals):
        if set(vals) - {"date_removed", "removed_by_id", "removal_reason"} or any(s.date_removed for s in self):
            raise UserError(self.env._("Seal history cannot be changed (item 8)."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Seal history cannot be deleted (item 8)."))

    def _remove(self, reason):
        self.write({"date_removed": fields.Datetime.now(), "removed_by_id": self.env.uid,
                    "removal_reason": reason})
        # The next seal's INSERT goes straight to the database, where one open seal per
        # camera is enforced: the removal must be there first.
        self.flush_recordset()
