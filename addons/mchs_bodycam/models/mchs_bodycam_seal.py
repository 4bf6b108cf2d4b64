from odoo import fields, models

REMOVAL_REASONS = [
    ("card_change", "Slot opened to change cards"),
    ("replaced", "Replaced"),
    ("broken", "Found broken"),
]


class MchsBodycamSeal(models.Model):
    """A numbered seal on a bodycam's card slot, with its history (item 8)."""

    _name = "mchs.bodycam.seal"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _rec_name = "number"
    _description = "Card slot seal"
    _order = "date_applied desc, id desc"
    # item 8: the history of a bodycam that has been issued is kept as it happened; a seal is
    # removed once. (A bodycam never issued is still being set up.)
    # (a bodycam never issued may be deleted: its seals go with it, "orphan" in that instant)
    _lock_state_sql = """CASE WHEN NOT EXISTS (SELECT 1 FROM mchs_bodycam_camera camera WHERE camera.id = {row}.camera_id)
                              THEN 'orphan'
                              WHEN NOT EXISTS (SELECT 1 FROM mchs_bodycam_camera camera
                                               WHERE camera.id = {row}.camera_id AND camera.first_issue_date IS NOT NULL)
                              THEN 'setup' WHEN {row}.date_removed IS NULL THEN 'on' ELSE 'removed' END"""
    _lock_changeable = {"setup": {"date_removed", "removed_by_id", "removal_reason"},
                        "on": {"date_removed", "removed_by_id", "removal_reason"}, "removed": set()}
    _lock_fill_once = {"date_removed", "removed_by_id", "removal_reason"}
    _lock_deletable = {"orphan"}
    _lock_user_writable = {"setup": set(), "on": set(), "removed": set()}
    _lock_user_creatable = {}

    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True,
                                index=True, ondelete="cascade")
    company_id = fields.Many2one(related="camera_id.company_id", store=True, precompute=True)
    department_id = fields.Many2one(related="camera_id.department_id", store=True, precompute=True, string="Unit")
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

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # One seal on a card slot at a time.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_seal_one_open
            ON mchs_bodycam_seal (camera_id) WHERE date_removed IS NULL
        """)

    def _lock_state(self):
        self.ensure_one()
        if not self.camera_id.first_issue_date:
            return "setup"
        return "removed" if self.date_removed else "on"

    def _remove(self, reason):
        # sudo: the seal's own step, taken by the card slot operations of item 8
        self.sudo().write({"date_removed": fields.Datetime.now(), "removed_by_id": self.env.uid,
                    "removal_reason": reason})
        # The next seal's INSERT goes straight to the database, where one open seal per
        # camera is enforced: the removal must be there first.
        self.flush_recordset()
