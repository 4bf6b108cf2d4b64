import re

import pytz

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError

UNIT_CODE_RE = re.compile(r"^[A-Z0-9]{2,8}$")
# the languages a unit works and prints in (the Order was published in both)
UNIT_LANGS = [("kk_KZ", "Kazakh"), ("ru_RU", "Russian")]
SEQUENCE_KINDS = {
    # kind: (sequence field, inventory prefix)
    "camera": ("bodycam_camera_sequence_id", "BC"),
    "card": ("bodycam_card_sequence_id", "MC"),
}


class HrDepartment(models.Model):
    """A unit of item 5: a department of the Committee or a territorial body."""

    _inherit = "hr.department"

    bodycam_code = fields.Char(
        string="Unit code",
        size=8,
        copy=False,
        help="Short Latin code of the unit (2-8 capital letters or digits), the prefix of its "
             "inventory numbers, e.g. ALM-BC-00001.",
    )
    bodycam_camera_sequence_id = fields.Many2one("ir.sequence", string="Bodycam numbering", readonly=True, copy=False)
    bodycam_card_sequence_id = fields.Many2one("ir.sequence", string="Memory card numbering", readonly=True, copy=False)
    bodycam_calendar_id = fields.Many2one(
        "resource.calendar", string="Working hours",
        help="The unit's working hours: a bodycam not returned by the end of the working day is "
             "overdue (item 23). Empty: the company's working hours.")
    bodycam_lang = fields.Selection(
        UNIT_LANGS, string="Working language", default="kk_KZ", required=True,
        help="The language of the unit's printed books, acts and manifests (unless another is chosen at printing) "
             "and of what the system writes for it: notes, chatter, device names.")
    bodycam_designation_ids = fields.One2many("mchs.bodycam.designation", "department_id", string="Designations")
    bodycam_head_id = fields.Many2one(
        "hr.employee", string="Head (bodycams)", compute="_compute_bodycam_people",
        help="Head of the unit today, from the designation history (item 5).")
    bodycam_responsible_id = fields.Many2one(
        "hr.employee", string="Responsible person", compute="_compute_bodycam_people",
        help="Responsible person of the unit today, from the designation history (item 5).")
    bodycam_camera_count = fields.Integer(compute="_compute_bodycam_device_counts", string="Bodycams")
    bodycam_card_count = fields.Integer(compute="_compute_bodycam_device_counts", string="Memory cards")

    _sql_constraints = [
        ("bodycam_code_company_uniq", "unique(company_id, bodycam_code)",
         "Another unit of this company already uses this unit code."),
    ]

    def _compute_bodycam_people(self):
        for department in self:
            today = department._bodycam_today()
            department.bodycam_head_id = department._bodycam_person_at("head", today)
            department.bodycam_responsible_id = department._bodycam_person_at("responsible", today)

    def _compute_bodycam_device_counts(self):
        for field, model in (("bodycam_camera_count", "mchs.bodycam.camera"),
                             ("bodycam_card_count", "mchs.bodycam.card")):
            counts = dict(self.env[model]._read_group(
                [("department_id", "in", self.ids)], ["department_id"], ["__count"]))
            for department in self:
                department[field] = counts.get(department, 0)

    @api.constrains("bodycam_code")
    def _check_bodycam_code(self):
        for department in self:
            if department.bodycam_code and not UNIT_CODE_RE.match(department.bodycam_code):
                raise ValidationError(self.env._(
                    "The unit code must be 2 to 8 capital Latin letters or digits, e.g. ALM."))

    def write(self, vals):
        changed = self.filtered(lambda d: "bodycam_code" in vals and d.bodycam_code != vals["bodycam_code"])
        if changed and not self.env.su and not self.env.user.has_group("mchs_bodycam.group_bodycam_admin"):
            raise UserError(self.env._("Only the bodycam administrator sets unit codes."))
        if any(d.bodycam_camera_sequence_id or d.bodycam_card_sequence_id for d in changed):
            raise UserError(self.env._(
                "The unit code is already part of issued inventory numbers and cannot be changed."))
        return super().write(vals)

    def _bodycam_designations_at(self, roles, date, user=None):
        """The designations of ``roles`` in force in this unit on ``date`` (item 5), as superuser:
        a designation is public knowledge of the unit; callers return employees or ids only.
        ``user``: only the designations of that user's employees (archived ones included)."""
        self.ensure_one()
        domain = [
            ("department_id", "=", self.id),
            ("role", "in", list(roles)),
            ("date_start", "<=", date),
            "|", ("date_end", "=", False), ("date_end", ">=", date),
        ]
        designations = self.env["mchs.bodycam.designation"].sudo()
        if user is not None:
            domain.append(("employee_id", "any", [("user_id", "=", user.id)]))
            designations = designations.with_context(active_test=False)
        return designations.search_fetch(domain, ["employee_id"])

    def _bodycam_person_at(self, role, date):
        """The employee holding ``role`` (see mchs.bodycam.designation) in this unit on ``date``."""
        return self._bodycam_designations_at([role], date)[:1].employee_id.sudo(False)

    def _bodycam_is_designated(self, user, roles, date=None):
        """Whether ``user`` holds one of ``roles`` in this unit on ``date`` (today by default)."""
        date = date or self._bodycam_today()
        return bool(user) and bool(self._bodycam_designations_at(roles, date, user=user))

    def _bodycam_is_designated_employee(self, employee, roles, date):
        """Whether ``employee`` holds one of ``roles`` in this unit on ``date``."""
        return bool(employee) and employee in self._bodycam_designations_at(roles, date).employee_id

    def _bodycam_alert_head_and_responsible(self, record, activity_xmlid, note):
        """An activity on ``record`` for this unit's head and responsible person of today
        (items 13, 21, 23).

        Scheduled by the system user: the person who caused it (an inspector, a background job)
        may not schedule activities, and most inspectorate users have no e-mail address to send
        the notification from; the note says what happened."""
        self.ensure_one()
        activity_type = self.env.ref(activity_xmlid)
        today = self._bodycam_today()
        for role in ("responsible", "head"):
            person = self._bodycam_person_at(role, today)
            if person.user_id:
                record.with_user(SUPERUSER_ID).activity_schedule(
                    activity_type_id=activity_type.id, user_id=person.user_id.id, note=note)

    def _bodycam_calendar(self):
        """The unit's working hours: its own calendar, else its company's."""
        self.ensure_one()
        return self.bodycam_calendar_id or self.company_id.resource_calendar_id

    def _bodycam_tz(self):
        """The unit's timezone: its working calendar's, else Almaty's (also for no unit)."""
        unit = self[:1]
        return pytz.timezone((unit and unit._bodycam_calendar().tz) or "Asia/Almaty")

    def _bodycam_lang(self):
        """The unit's working language (kk_KZ or ru_RU); Kazakh for no unit."""
        return self[:1].sudo().bodycam_lang or "kk_KZ"

    def _bodycam_env(self):
        """An environment in the unit's language and time zone: what the system stores for the
        unit (notes, chatter, names) is written in it, whoever or whatever acts (a background
        job, a dock, a user working in another language)."""
        return self.env(context=dict(self.env.context, lang=self._bodycam_lang(), tz=self._bodycam_tz().zone))

    def _bodycam_local_day(self, moment):
        """The unit's local date of a naive UTC moment."""
        return pytz.utc.localize(moment).astimezone(self._bodycam_tz()).date()

    def _bodycam_today(self):
        """The unit's date now, in its time zone: the day its books, designations and acts are
        dated on, whoever acts and whatever their own time zone (at 20:00 UTC it is already
        tomorrow in Almaty). Almaty's for no unit."""
        return self._bodycam_local_day(fields.Datetime.now())

    @api.model
    def _bodycam_user_units(self, user=None):
        """Units of a user: the departments of the user's active employees."""
        user = user or self.env.user
        # sudo: inspectors cannot read hr.employee; only department ids are returned.
        employees = self.env["hr.employee"].sudo().search_fetch([("user_id", "=", user.id)], ["department_id"])
        return self.browse(employees.department_id.ids)

    def _bodycam_next_inventory_number(self, kind):
        """Next inventory number of this unit for ``kind`` ('camera' or 'card'), item 6."""
        self.ensure_one()
        field, prefix = SEQUENCE_KINDS[kind]
        # sudo: the numbering belongs to the unit, whoever registers the device.
        department = self.sudo()
        if not department[field]:
            # Row lock: two first registrations at once must not create two sequences.
            self.env.cr.execute("SELECT id FROM hr_department WHERE id = %s FOR UPDATE", [self.id])
            department.invalidate_recordset([field])
        if not department[field]:
            code = department.bodycam_code or f"U{department.id}"
            department[field] = self.env["ir.sequence"].sudo().create({
                "name": f"{code} {prefix}",
                "code": f"mchs.bodycam.{kind}.{department.id}",
                "prefix": f"{code}-{prefix}-",
                "padding": 5,
                "company_id": department.company_id.id,
                "implementation": "standard",
            })
        return department[field].next_by_id()
