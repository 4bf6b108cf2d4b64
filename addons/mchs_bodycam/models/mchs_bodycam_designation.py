from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .mchs_bodycam_lock_mixin import ALL

TODAY_SQL = "(now() AT TIME ZONE 'UTC')::date"


class MchsBodycamDesignation(models.Model):
    """Who held which role in a unit, from which day to which day (items 5, 12): the head, the
    responsible person, the deputy head who chairs the commissions of the units below, and the
    anti-corruption officer.

    Journals and acts name the person responsible on their date, the special password and the
    commission's seats follow the designations in force, so designations are kept as dated
    history; the database refuses two overlapping designations of one role in one unit.
    """

    _name = "mchs.bodycam.designation"
    _description = "Bodycam role designation"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin"]
    _order = "department_id, role, date_start desc"
    _check_company_auto = True
    # item 5: a designation that has taken effect is history: it is ended, never rewritten, and an
    # end that has passed stays; a planned one may still change or go (dates in UTC)
    _lock_state_sql = f"""CASE WHEN {{row}}.date_start > {TODAY_SQL} THEN 'planned'
                               WHEN {{row}}.date_start = {TODAY_SQL} THEN 'starting' ELSE 'effective' END"""
    _lock_changeable = {"planned": ALL, "starting": ALL, "effective": {"date_end", "order_reference"}}
    _lock_deletable = {"planned"}
    _lock_sql_checks = [(f"OLD.date_end IS NULL OR OLD.date_end >= {TODAY_SQL} "
                         "OR NEW.date_end IS NOT DISTINCT FROM OLD.date_end",
                         "a designation that has ended stays ended (item 5)")]

    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True,
                                    check_company=True, tracking=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True, index=True)
    role = fields.Selection([
        ("head", "Head"),
        ("responsible", "Responsible person"),
        ("deputy_head", "Deputy head of the territorial body"),
        ("anti_corruption", "Anti-corruption officer"),
    ], required=True, tracking=True,
        help="Items 5 and 12: the head and the responsible person of the unit; the deputy head of a territorial "
             "body who may chair the year-end commissions of its units; the employee responsible for "
             "anti-corruption work, who sits on the unit's commission.")
    employee_id = fields.Many2one("hr.employee", required=True, check_company=True,
                                  tracking=True)
    date_start = fields.Date(string="From", required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(string="To", tracking=True, help="Empty while the designation is in force.")
    order_reference = fields.Char(string="Order", help="Number and date of the head's order (item 5).")
    active_today = fields.Boolean(compute="_compute_active_today", string="In force")

    _sql_constraints = [
        ("date_order", "CHECK(date_end IS NULL OR date_end >= date_start)",
         "A designation cannot end before it starts."),
    ]

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # Two designations of one role in one unit may never overlap, even from two
        # transactions at once (item 5: one responsible person at a time).
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        self.env.cr.execute("""
            SELECT 1 FROM pg_constraint WHERE conname = 'mchs_bodycam_designation_no_overlap'
        """)
        if not self.env.cr.fetchone():
            self.env.cr.execute("""
                ALTER TABLE mchs_bodycam_designation
                ADD CONSTRAINT mchs_bodycam_designation_no_overlap
                EXCLUDE USING gist (
                    department_id WITH =,
                    role WITH =,
                    daterange(date_start, date_end, '[]') WITH &&
                )
            """)

    @api.depends("date_start", "date_end")
    def _compute_active_today(self):
        for designation in self:
            today = designation.department_id._bodycam_today()
            designation.active_today = designation.date_start <= today and (
                not designation.date_end or designation.date_end >= today)

    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for designation in self:
            designation.display_name = f"{designation.employee_id.name or ''} ({roles.get(designation.role, '')})"

    @api.constrains("employee_id", "department_id")
    def _check_employee_unit(self):
        for designation in self:
            if designation.employee_id.department_id != designation.department_id:
                raise ValidationError(self.env._(
                    "%(employee)s does not work in %(unit)s and cannot be designated there.",
                    employee=designation.employee_id.name, unit=designation.department_id.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("department_id") and not vals.get("date_start"):
                # from the unit's today, not the creator's (the form's default is the user's)
                vals["date_start"] = self.env["hr.department"].browse(vals["department_id"])._bodycam_today()
            self._close_previous(vals)
        return super().create(vals_list)

    def _lock_state(self):
        self.ensure_one()
        today = self.department_id._bodycam_today()
        return "planned" if self.date_start > today else "starting" if self.date_start == today else "effective"

    @api.model
    def _close_previous(self, vals):
        """A new designation ends the open one of the same role the day before it starts."""
        if not (vals.get("department_id") and vals.get("role")):
            return
        start = fields.Date.to_date(vals["date_start"])
        previous = self.search([
            ("department_id", "=", vals["department_id"]),
            ("role", "=", vals["role"]),
            ("date_end", "=", False),
            ("date_start", "<", start),
        ])
        if previous:
            previous.write({"date_end": start - timedelta(days=1)})
            # The INSERT of the new row goes straight to the database: the end date must be
            # there first, or the no-overlap constraint refuses it.
            previous.flush_recordset(["date_end"])
