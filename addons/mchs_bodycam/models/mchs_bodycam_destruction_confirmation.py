from odoo import fields, models


class MchsBodycamDestructionConfirmation(models.Model):
    """A member's confirmation of a destruction act (item 12): the act completes only when
    every member of the commission has confirmed."""

    _name = "mchs.bodycam.destruction.confirmation"
    _description = "Confirmation of a destruction act"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "confirmed_at, id"
    # item 12: a confirmation is kept; going back to review withdraws it, on the record
    _lock_state_sql = "CASE WHEN {row}.withdrawn_at IS NULL THEN 'given' ELSE 'withdrawn' END"
    _lock_changeable = {"given": {"withdrawn_at"}, "withdrawn": set()}
    _lock_fill_once = {"withdrawn_at"}
    _lock_user_creatable = {}

    destruction_id = fields.Many2one("mchs.bodycam.destruction", required=True, ondelete="cascade", index=True)
    member_id = fields.Many2one("mchs.bodycam.commission.member", string="Seat", required=True, ondelete="restrict")
    employee_id = fields.Many2one(related="member_id.employee_id", string="Member")
    role = fields.Selection(related="member_id.role")
    user_id = fields.Many2one("res.users", required=True, readonly=True)
    confirmed_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    signature_id = fields.Many2one("mchs.bodycam.signature", readonly=True,
                                   ondelete="restrict", help="The member's NCA signature of the act (issue 13).")
    withdrawn_at = fields.Datetime(string="Withdrawn", readonly=True,
                                   help="The act went back to review after this confirmation.")

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # A member confirms an act once (among the confirmations not withdrawn).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_destruction_confirmation_once
            ON mchs_bodycam_destruction_confirmation (destruction_id, member_id) WHERE withdrawn_at IS NULL
        """)

    def _lock_state(self):
        self.ensure_one()
        return "withdrawn" if self.withdrawn_at else "given"
