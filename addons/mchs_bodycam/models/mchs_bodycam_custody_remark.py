from odoo import api, fields, models

from .mchs_bodycam_custody_log import UNSIGNED_COLUMNS

REMARK_KINDS = [
    ("pause", "Pause"),
    ("failure", "Failure"),
    ("correction", "Correction"),
    ("seal", "Seal incident"),
]
PAUSE_REASONS = [("meal", "Meal"), ("sanitary", "Sanitary break")]
FAILURE_RESOLUTIONS = [("cleared", "Fault cleared"), ("replaced", "Bodycam replaced")]


class MchsBodycamCustodyRemark(models.Model):
    """A line of column 7 of the Appendix 1 journal: pause (item 20), failure (item 21),
    correction (item 9) or seal incident (item 8), signed by who wrote it, never changed."""

    _name = "mchs.bodycam.custody.remark"
    _description = "Journal entry remark (column 7)"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "custody_id, id"
    # item 9: signed once written; a pause gets its end and a failure its outcome, once
    _lock_state_sql = "'signed'"
    _lock_changeable = {"signed": {"pause_end", "resolution", "replacement_custody_id", "maintenance_request_id",
                                   "camera_model"}}
    _lock_fill_once = {"pause_end", "resolution", "replacement_custody_id", "maintenance_request_id"}
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
    pause_start = fields.Datetime(string="Paused at", readonly=True)
    pause_end = fields.Datetime(string="Resumed at", readonly=True)
    informed_employee_id = fields.Many2one("hr.employee", string="Informed", readonly=True)
    # item 21
    reported_at = fields.Datetime(string="Reported at", readonly=True)
    cause = fields.Char(readonly=True)
    resolution = fields.Selection(FAILURE_RESOLUTIONS, readonly=True)
    replacement_custody_id = fields.Many2one("mchs.bodycam.custody", string="Replacement entry", readonly=True)
    maintenance_request_id = fields.Many2one("maintenance.request", string="Repair request", readonly=True)
    # item 9
    related_custody_id = fields.Many2one("mchs.bodycam.custody", string="Related entry", readonly=True,
                                         help="Correction: the row this one supersedes or is superseded by.")
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

    @api.depends("kind", "pause_start", "pause_end", "reported_at", "resolution", "related_custody_id",
                 "old_seal_number", "new_seal_number")
    def _compute_text(self):
        for remark in self:
            remark.text = getattr(remark, f"_text_{remark.kind}")() if remark.kind else ""

    def _time(self, value):
        return fields.Datetime.context_timestamp(self, value).strftime("%d.%m.%Y %H:%M") if value else "…"

    def _signature(self):
        return self.env._("signed: %s", self.signed_by_id.name)

    def _text_pause(self):
        reasons = dict(self._fields["pause_reason"]._description_selection(self.env))
        return self.env._(
            "Pause (item 20, %(reason)s): %(start)s - %(end)s, %(informed)s informed; %(signature)s",
            reason=reasons.get(self.pause_reason, ""), start=self._time(self.pause_start),
            end=self._time(self.pause_end), informed=self.informed_employee_id.name or "-",
            signature=self._signature())

    def _text_failure(self):
        outcome = {
            "cleared": self.env._("fault cleared"),
            "replaced": self.env._("replaced by %s (row %s)",
                                   self.replacement_custody_id.camera_id.inventory_number,
                                   self.replacement_custody_id.row_number),
        }.get(self.resolution, self.env._("awaiting the responsible person"))
        return self.env._(
            "Failure reported %(reported)s (item 21): %(cause)s; %(outcome)s; %(signature)s",
            reported=self._time(self.reported_at), cause=self.cause or "-", outcome=outcome,
            signature=self._signature())

    def _text_correction(self):
        related = self.related_custody_id
        if self.custody_id.struck:
            text = self.env._("Struck through; corrected by row %s", related.row_number)
        else:
            text = self.env._("Corrects row %s", related.row_number)
        return f"{text} ({self.note or '-'}); {self._signature()} (item 9)"

    def _text_seal(self):
        return self.env._(
            "Seal incident (item 8): found %(old)s, new seal %(new)s; %(note)s; %(signature)s",
            old=self.old_seal_number or "-", new=self.new_seal_number or "-", note=self.note or "-",
            signature=self._signature())
