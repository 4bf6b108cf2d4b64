from odoo import api, fields, models

from .mchs_bodycam_lock_mixin import ALL


class MchsBodycamCommissionMember(models.Model):
    """A seat on the year-end commission (item 12) and the role it is held in."""

    _name = "mchs.bodycam.commission.member"
    _description = "Commission member"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "commission_id, sequence, id"
    # item 12: the members who confirmed an act or ran an audit stay who they were
    _lock_state_sql = """CASE WHEN EXISTS (SELECT 1 FROM mchs_bodycam_destruction act
                                            WHERE act.commission_id = {row}.commission_id
                                              AND act.state NOT IN ('draft', 'cancelled'))
                                OR EXISTS (SELECT 1 FROM mchs_bodycam_audit audit
                                            WHERE audit.commission_id = {row}.commission_id AND audit.state <> 'draft')
                              THEN 'sealed' ELSE 'open' END"""
    _lock_changeable = {"open": ALL, "sealed": set()}
    _lock_deletable = {"open"}

    commission_id = fields.Many2one("mchs.bodycam.commission", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    employee_id = fields.Many2one("hr.employee", string="Member", required=True, ondelete="restrict")
    job_title = fields.Char(related="employee_id.job_title", string="Position")
    role = fields.Selection([
        ("chairman", "Chairman"),
        ("responsible", "Responsible person"),
        ("anti_corruption", "Anti-corruption officer"),
        ("member", "Member by the chairman's decision"),
    ], required=True, default="member",
        help="Item 12: the head of the department or the deputy head of the territorial body chairs; the "
             "responsible person and the employee responsible for anti-corruption work sit on it; the "
             "chairman may add others.")

    _sql_constraints = [
        ("employee_uniq", "unique(commission_id, employee_id)", "A person sits on the commission once."),
    ]

    def _belongs_to_unit(self):
        """Members work in the unit; the chairman may come from the territorial body above it
        (its deputy head overseeing the direction, item 12)."""
        self.ensure_one()
        # sudo: the units' tree decides, whoever looks at the commission
        unit = self.commission_id.department_id.sudo()
        department = self.employee_id.sudo().department_id
        if not department:
            return False
        if department.parent_path.startswith(unit.parent_path):
            return True
        return self.role == "chairman" and unit.parent_path.startswith(department.parent_path)

    def _lock_state(self):
        self.ensure_one()
        return "sealed" if self.commission_id._composition_sealed() else "open"

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        members.commission_id._check_composition_editable()
        return members
