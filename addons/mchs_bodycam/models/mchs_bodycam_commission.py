from odoo import api, fields, models
from odoo.exceptions import UserError

from .mchs_bodycam_lock_mixin import ALL, AllBut

# item 12: the three members the commission cannot act without
REQUIRED_ROLES = ("chairman", "responsible", "anti_corruption")


class MchsBodycamCommission(models.Model):
    """The unit's year-end commission (item 12): it reviews the recordings, destroys those past
    their retention with an act, and checks access and the archive's integrity (item 13)."""

    _name = "mchs.bodycam.commission"
    _description = "Bodycam year-end commission"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin"]
    _order = "year desc, department_id"
    _check_company_auto = True
    # item 12: a commission with acts or audits keeps its unit and year
    _lock_state_sql = """CASE WHEN EXISTS (SELECT 1 FROM mchs_bodycam_destruction act WHERE act.commission_id = {row}.id)
                                OR EXISTS (SELECT 1 FROM mchs_bodycam_audit audit WHERE audit.commission_id = {row}.id)
                              THEN 'acting' ELSE 'forming' END"""
    _lock_changeable = {"forming": ALL, "acting": AllBut({"department_id", "year", "company_id"})}
    _lock_deletable = {"forming"}

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, tracking=True,
                                    check_company=True, default=lambda self: self._default_department())
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
    year = fields.Integer(required=True, tracking=True,
                          default=lambda self: fields.Date.context_today(self).year)
    decision = fields.Char(string="Chairman's decision", tracking=True,
                           help="Number and date of the decision that named the members added by the chairman.")
    member_ids = fields.One2many("mchs.bodycam.commission.member", "commission_id", string="Members")
    chairman_id = fields.Many2one("hr.employee", compute="_compute_chairman")
    destruction_ids = fields.One2many("mchs.bodycam.destruction", "commission_id", string="Destruction acts")
    audit_ids = fields.One2many("mchs.bodycam.audit", "commission_id", string="Audits")
    destruction_count = fields.Integer(compute="_compute_counts")
    audit_count = fields.Integer(compute="_compute_counts")
    can_act = fields.Boolean(compute="_compute_can_act", string="Complete",
                             help="The chairman, the responsible person and the anti-corruption officer are "
                                  "three distinct people of the unit (item 12).")

    _sql_constraints = [
        ("unit_year_uniq", "unique(department_id, year)", "A unit has one commission a year (item 12)."),
        ("year_sane", "CHECK(year BETWEEN 2025 AND 2200)", "The commission's year is a calendar year from 2025."),
    ]

    @api.model
    def _default_department(self):
        return self.env["hr.department"]._bodycam_user_units()[:1]

    @api.depends("department_id.name", "year")
    def _compute_name(self):
        for commission in self:
            commission.name = f"{commission.department_id.name or ''} {commission.year or ''}".strip()

    @api.depends("member_ids.role", "member_ids.employee_id")
    def _compute_chairman(self):
        for commission in self:
            commission.chairman_id = commission.member_ids.filtered(lambda m: m.role == "chairman")[:1].employee_id

    def _compute_counts(self):
        for commission in self:
            commission.destruction_count = len(commission.destruction_ids)
            commission.audit_count = len(commission.audit_ids)

    @api.depends("member_ids.role", "member_ids.employee_id")
    def _compute_can_act(self):
        for commission in self:
            commission.can_act = not commission._composition_problems()

    def _lock_state(self):
        self.ensure_one()
        return "acting" if self.destruction_ids or self.audit_ids else "forming"

    def _composition_problems(self):
        """What keeps the commission from acting (item 12), in words; empty when it can act."""
        self.ensure_one()
        problems = []
        labels = dict(self.env["mchs.bodycam.commission.member"]._fields["role"]._description_selection(self.env))
        for role in REQUIRED_ROLES:
            holders = self.member_ids.filtered(lambda m, role=role: m.role == role)
            if len(holders) != 1:
                problems.append(self.env._("exactly one member is the %s", labels[role].lower()))
        problems += self._seat_problems()
        for member in self.member_ids:
            if not member._belongs_to_unit():
                problems.append(self.env._("%s does not work in the unit", member.employee_id.name))
            user = member.employee_id.user_id
            if not user:
                problems.append(self.env._("%s has no user account to confirm with", member.employee_id.name))
            elif not any(user.has_group(f"mchs_bodycam.group_bodycam_{group}")
                         for group in ("commission", "head", "responsible")):
                problems.append(self.env._("%s is not in the Commission member group", member.employee_id.name))
        return problems

    def _seat_problems(self):
        """Item 12: the seats follow the designations in force today. The chairman is the unit's
        designated head or the designated deputy head of the body above; the responsible person
        and the anti-corruption officer are designated as such in the unit."""
        self.ensure_one()
        unit = self.department_id
        today = unit._bodycam_today()
        # sudo: the units' tree decides, whoever looks at the commission
        above = unit.sudo().parent_id
        problems = []
        for member in self.member_ids:
            person, place = member.employee_id, unit.display_name
            if member.role == "chairman" and not (
                    unit._bodycam_is_designated_employee(person, ["head"], today)
                    or above and above._bodycam_is_designated_employee(person, ["deputy_head"], today)):
                problems.append(self.env._(
                    "%(person)s chairs, but is neither the designated head of %(unit)s nor the designated deputy "
                    "head of the body above it", person=person.name, unit=place))
            elif member.role in ("responsible", "anti_corruption") and \
                    not unit._bodycam_is_designated_employee(person, [member.role], today):
                role = dict(self.env["mchs.bodycam.designation"]._fields["role"]._description_selection(self.env))
                problems.append(self.env._(
                    "%(person)s sits as %(role)s, but is not designated so in %(unit)s",
                    person=person.name, role=role[member.role].lower(), unit=place))
        return problems

    def _check_can_act(self):
        for commission in self:
            problems = commission._composition_problems()
            if problems:
                raise UserError(self.env._(
                    "The commission %(name)s cannot act yet (item 12): %(problems)s.",
                    name=commission.name, problems="; ".join(problems)))

    def _member_of_user(self, user=None):
        """The current user's seat on the commission, or an error."""
        self.ensure_one()
        user = user or self.env.user
        member = self.member_ids.filtered(lambda m: m.employee_id.user_id == user)
        if not member:
            raise UserError(self.env._("You are not a member of the commission %s (item 12).", self.name))
        return member[:1]

    def _composition_sealed(self):
        """True once the commission has confirmed an act or run an audit (item 12)."""
        self.ensure_one()
        return bool(self.destruction_ids.filtered(lambda act: act.state not in ("draft", "cancelled"))
                    or self.audit_ids.filtered(lambda audit: audit.state != "draft"))

    def _check_composition_editable(self):
        for commission in self:
            if commission._composition_sealed():
                raise UserError(self.env._(
                    "The commission %s has already confirmed an act or run an audit: its members no longer change.",
                    commission.name))

    def action_new_destruction(self):
        """Open the year's destruction act, with every due recording of the unit proposed."""
        self.ensure_one()
        self._check_can_act()
        open_act = self.destruction_ids.filtered(lambda act: act.state not in ("done", "cancelled"))[:1]
        if open_act:
            raise UserError(self.env._("Act %s of this commission is still open: finish or cancel it first.",
                                       open_act.name))
        act = self.env["mchs.bodycam.destruction"].create({
            "commission_id": self.id, "date": self.department_id._bodycam_today()})
        act._propose()
        return act._get_records_action()

    def action_new_audit(self):
        self.ensure_one()
        self._check_can_act()
        audit = self.env["mchs.bodycam.audit"].create({"commission_id": self.id})
        return audit._get_records_action()

    def action_view_destructions(self):
        return self._open_related("mchs.bodycam.destruction", self.env._("Destruction acts"))

    def action_view_audits(self):
        return self._open_related("mchs.bodycam.audit", self.env._("Audits"))

    def _open_related(self, model, name):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": model, "name": name, "view_mode": "list,form",
                "domain": [("commission_id", "=", self.id)], "context": {"default_commission_id": self.id}}
