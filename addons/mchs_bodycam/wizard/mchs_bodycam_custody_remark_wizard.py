from odoo import fields, models

from ..models.mchs_bodycam_custody_remark import PAUSE_REASONS


class MchsBodycamCustodyRemarkWizard(models.TransientModel):
    """Asks what a remark needs (pause reason, failure cause, corrected inspector, seal numbers)
    and hands it to the journal entry's action."""

    _name = "mchs.bodycam.custody.remark.wizard"
    _description = "Journal entry remark"

    custody_id = fields.Many2one("mchs.bodycam.custody", string="Journal entry", required=True, readonly=True)
    department_id = fields.Many2one(related="custody_id.department_id")
    mode = fields.Selection([("pause", "Pause (item 20)"), ("failure", "Failure (item 21)"),
                             ("correction", "Correction (item 9)"), ("seal", "Seal incident (item 8)")],
                            required=True, readonly=True)
    pause_reason = fields.Selection(PAUSE_REASONS, default="meal")
    announced_at = fields.Datetime(string="Time announced", default=fields.Datetime.now,
                                   help="The exact time the inspector announced on the recording (item 20).")
    cause = fields.Char(string="What happened")
    inspector_id = fields.Many2one("hr.employee", string="Correct inspector",
                                   domain="[('department_id', '=', department_id)]")
    note = fields.Char(string="Reason")
    found_seal_number = fields.Char(string="Seal found")
    new_seal_number = fields.Char(string="New seal")

    def action_apply(self):
        self.ensure_one()
        entry = self.custody_id
        if self.mode == "pause":
            entry._pause(self.pause_reason, self.announced_at)
        elif self.mode == "failure":
            entry._report_failure(self.cause)
        elif self.mode == "correction":
            corrected = entry._correct(self.inspector_id or entry.inspector_id, self.note)
            return {"type": "ir.actions.act_window", "res_model": corrected._name, "res_id": corrected.id,
                    "view_mode": "form", "target": "current"}
        else:
            entry._seal_incident(self.found_seal_number, self.new_seal_number, self.note)
        return {"type": "ir.actions.act_window_close"}
