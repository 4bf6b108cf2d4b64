from odoo import fields, models


class MchsBodycamDestructionConfirmation(models.Model):
    """A member's confirmation of a destruction act (item 12): the act completes only when
    every member of the commission has confirmed."""

    _name = "mchs.bodycam.destruction.confirmation"
    _description = "Confirmation of a destruction act"
    _order = "confirmed_at, id"

    destruction_id = fields.Many2one("mchs.bodycam.destruction", required=True, ondelete="cascade", index=True)
    member_id = fields.Many2one("mchs.bodycam.commission.member", string="Seat", required=True, ondelete="restrict")
    employee_id = fields.Many2one(related="member_id.employee_id", string="Member")
    role = fields.Selection(related="member_id.role")
    user_id = fields.Many2one("res.users", required=True, readonly=True)
    confirmed_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("member_uniq", "unique(destruction_id, member_id)", "A member confirms an act once."),
    ]
