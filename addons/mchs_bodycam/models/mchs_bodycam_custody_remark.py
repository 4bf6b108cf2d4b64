import pytz

from odoo import api, fields, models

from .mchs_bodycam_custody_log import UNSIGNED_COLUMNS

REMARK_KINDS = [
    ("pause", "Pause"),
    ("failure", "Failure"),
    ("correction", "Correction"),
    ("seal", "Seal incident"),
    ("incident", "Loss or damage"),
]
PAUSE_REASONS = [("meal", "Meal"), ("sanitary", "Sanitary break")]
FAILURE_RESOLUTIONS = [("cleared", "Fault cleared"), ("replaced", "Bodycam replaced")]
INCIDENT_KINDS = [("loss", "Loss"), ("damage", "Damage")]


class MchsBodycamCustodyRemark(models.Model):
    """A line of column 7 of the Appendix 1 journal: pause (item 20), failure (item 21),
    correction (item 9), seal incident (item 8) or loss or damage (item 23), signed by who wrote
    it, never changed. Its words are made when it is shown or printed, in the reader's or the
    book's language, its times in the unit's time zone."""

    _name = "mchs.bodycam.custody.remark"
    _description = "Journal entry remark (column 7)"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "custody_id, id"
    # item 9: signed once written; a pause gets its end and a failure its outcome, once
    _lock_state_sql = "'signed'"
    # item 20: a pause gets its resume (the time announced, who entered it and when) and the
    # responsible person's acknowledgment, once each
    _lock_changeable = {"signed": {"pause_end", "resume_entered_at", "resumed_by_id", "acknowledged_at",
                                   "acknowledged_by_id", "resolution", "replacement_custody_id",
                                   "maintenance_request_id", "camera_model"}}
    _lock_fill_once = {"pause_end", "resume_entered_at", "resumed_by_id", "acknowledged_at", "acknowledged_by_id",
                       "resolution", "replacement_custody_id", "maintenance_request_id"}
    _lock_user_writable = {"signed": set()}
    _lock_user_creatable = {}

    custody_id = fields.Many2one("mchs.bodycam.custody", string="Journal entry", required=True, readonly=True,
                                 index=True, ondelete="restrict")
    company_id = fields.Many2one(related="custody_id.company_id", store=True, precompute=True)
    department_id = fields.Many2one(related="custody_id.department_id", store=True, precompute=True, string="Unit")
    kind = fields.Selection(REMARK_KINDS, required=True, readonly=True, index=True)
    camera_id = fields.Many2one(related="custody_id.camera_id", store=True, precompute=True, string="Bodycam")
    camera_model = fields.Char(related="custody_id.camera_id.model", store=True, precompute=True, string="Bodycam model")
    signed_by_id = fields.Many2one("res.users", string="Signed by", required=True, readonly=True,
                                   default=lambda self: self.env.user)
    signed_at = fields.Datetime(string="Signed at", required=True, readonly=True, default=fields.Datetime.now)
    # item 20
    pause_reason = fields.Selection(PAUSE_REASONS, readonly=True)
    pause_start = fields.Datetime(string="Paused at", readonly=True, help="The time announced on the recording.")
    pause_end = fields.Datetime(string="Resumed at", readonly=True, help="The time announced on the recording.")
    resume_entered_at = fields.Datetime(string="Resume entered at", readonly=True)
    resumed_by_id = fields.Many2one("res.users", string="Resume entered by", readonly=True)
    informed_employee_id = fields.Many2one("hr.employee", string="Informed", readonly=True)
    acknowledged_at = fields.Datetime(string="Acknowledged at", readonly=True,
                                      help="Item 20: when the responsible person acknowledged the pause.")
    acknowledged_by_id = fields.Many2one("res.users", string="Acknowledged by", readonly=True)
    # item 21
    reported_at = fields.Datetime(string="Reported at", readonly=True)
    cause = fields.Char(readonly=True)
    resolution = fields.Selection(FAILURE_RESOLUTIONS, readonly=True)
    replacement_custody_id = fields.Many2one("mchs.bodycam.custody", string="Replacement entry", readonly=True)
    maintenance_request_id = fields.Many2one("maintenance.request", string="Repair request", readonly=True)
    # item 9
    related_custody_id = fields.Many2one("mchs.bodycam.custody", string="Related entry", readonly=True,
                                         help="Correction: the row this one supersedes or is superseded by.")
    corrected_fields = fields.Char(string="Corrected facts", readonly=True,
                                   help="Correction: the facts of the row that were wrong (field names).")
    # item 23
    incident_kind = fields.Selection(INCIDENT_KINDS, string="Loss or damage", readonly=True)
    # item 8
    old_seal_number = fields.Char(string="Seal found", readonly=True)
    new_seal_number = fields.Char(string="New seal", readonly=True)
    note = fields.Char(readonly=True)
    text = fields.Char(compute="_compute_text", string="Remark")

    def _lock_state(self):
        return "signed"

    @api.model_create_multi
    def create(self, vals_list):
        remarks = super().create(vals_list)
        self.env["mchs.bodycam.custody.log"]._append(remarks, "remark")
        return remarks

    def write(self, vals):
        result = super().write(vals)
        if set(vals) - set(UNSIGNED_COLUMNS[self._table]):
            self.env["mchs.bodycam.custody.log"]._append(self, "completed")
        return result

    @api.depends("kind", "pause_start", "pause_end", "acknowledged_at", "reported_at", "resolution",
                 "related_custody_id", "old_seal_number", "new_seal_number", "incident_kind")
    @api.depends_context("lang")
    def _compute_text(self):
        for remark in self:
            remark.text = remark._text() if remark.kind else ""

    def _text(self):
        """The remark in words, in the environment's language."""
        self.ensure_one()
        return getattr(self, f"_text_{self.kind}")()

    def _time(self, value):
        """In the unit's time zone, whoever reads or prints."""
        if not value:
            return "…"
        tz = self.sudo().department_id._bodycam_tz()
        return pytz.utc.localize(value).astimezone(tz).strftime("%d.%m.%Y %H:%M")

    def _signature(self):
        return self.env._("signed: %s", self.signed_by_id.name)

    def _label(self, field_name):
        return dict(self._fields[field_name]._description_selection(self.env)).get(self[field_name], "")

    def _text_pause(self):
        text = self.env._(
            "Pause (item 20, %(reason)s): %(start)s - %(end)s as announced, %(informed)s informed; %(signature)s",
            reason=self._label("pause_reason"), start=self._time(self.pause_start), end=self._time(self.pause_end),
            informed=self.informed_employee_id.name or "-", signature=self._signature())
        if self.acknowledged_at:
            text += "; " + self.env._("acknowledged by %(person)s at %(time)s", person=self.acknowledged_by_id.name,
                                      time=self._time(self.acknowledged_at))
        return text

    def _text_failure(self):
        outcome = {
            "cleared": self.env._("fault cleared"),
            "replaced": self.env._("replaced by %(camera)s (row %(row)s)",
                                   camera=self.replacement_custody_id.camera_id.inventory_number,
                                   row=self.replacement_custody_id.row_number),
        }.get(self.resolution, self.env._("awaiting the responsible person"))
        return self.env._(
            "Failure reported %(reported)s (item 21): %(cause)s; %(outcome)s; %(signature)s",
            reported=self._time(self.reported_at), cause=self.cause or "-", outcome=outcome,
            signature=self._signature())

    def _corrected_labels(self):
        custody = self.env["mchs.bodycam.custody"]
        return ", ".join(custody._fields[name]._description_string(self.env)
                         for name in (self.corrected_fields or "").split(",") if name in custody._fields)

    def _text_correction(self):
        related = self.related_custody_id
        corrected = self._corrected_labels() or "-"
        if self.custody_id.struck:
            return self.env._(
                "Struck through (item 9); corrected by row %(row)s (wrong: %(facts)s; %(note)s); %(signature)s",
                row=related.row_number, facts=corrected, note=self.note or "-", signature=self._signature())
        return self.env._(
            "Corrects row %(row)s (item 9; corrected: %(facts)s; %(note)s); %(signature)s",
            row=related.row_number, facts=corrected, note=self.note or "-", signature=self._signature())

    def _text_seal(self):
        return self.env._(
            "Seal incident (item 8): found %(old)s, new seal %(new)s; %(note)s; %(signature)s",
            old=self.old_seal_number or "-", new=self.new_seal_number or "-", note=self.note or "-",
            signature=self._signature())

    def _text_incident(self):
        kind = {"loss": self.env._("Loss of the bodycam"), "damage": self.env._("Damage to the bodycam")}.get(
            self.incident_kind, "")
        return self.env._(
            "%(kind)s reported %(reported)s (item 23): %(note)s; the row is closed as an incident; %(signature)s",
            kind=kind, reported=self._time(self.reported_at), note=self.note or "-", signature=self._signature())
