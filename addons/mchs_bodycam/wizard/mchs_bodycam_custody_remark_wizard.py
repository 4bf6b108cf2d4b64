from odoo import fields, models

from ..models.mchs_bodycam_custody_remark import INCIDENT_KINDS, PAUSE_REASONS


class MchsBodycamCustodyRemarkWizard(models.TransientModel):
    """Asks what a remark needs (the pause reason and the time announced, the time announced at
    the resume, the failure cause, the right facts of a wrong row, the seal numbers, what was lost
    or damaged) and hands it to the journal entry's action."""

    _name = "mchs.bodycam.custody.remark.wizard"
    _description = "Journal entry remark"

    custody_id = fields.Many2one("mchs.bodycam.custody", string="Journal entry", required=True, readonly=True)
    department_id = fields.Many2one(related="custody_id.department_id")
    mode = fields.Selection([("pause", "Pause (item 20)"), ("resume", "Resume (item 20)"),
                             ("failure", "Failure (item 21)"), ("correction", "Correction (item 9)"),
                             ("seal", "Seal incident (item 8)"), ("incident", "Loss or damage (item 23)")],
                            required=True, readonly=True)
    pause_reason = fields.Selection(PAUSE_REASONS, default="meal")
    announced_at = fields.Datetime(string="Time announced", default=fields.Datetime.now,
                                   help="The exact time the inspector announced on the recording (item 20).")
    cause = fields.Char(string="What happened")
    # item 9: the row's facts, the wrong one changed
    inspector_id = fields.Many2one("hr.employee", string="Correct inspector",
                                   domain="[('department_id', '=', department_id)]")
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Correct bodycam",
                                domain="[('department_id', '=', department_id)]")
    card_ids = fields.Many2many("mchs.bodycam.card", string="Correct memory cards",
                                domain="[('department_id', '=', department_id)]")
    issue_datetime = fields.Datetime(string="Correct issue time")
    return_datetime = fields.Datetime(string="Correct return time")
    download_datetime = fields.Datetime(string="Correct download time")
    badge_payload = fields.Char(string="Badge of the correct inspector",
                                help="Scan the badge of the inspector written on the corrected row when it is another "
                                     "inspector: their confirmation of the new row (items 7, 9).")
    incident_kind = fields.Selection(INCIDENT_KINDS, string="Lost or damaged", default="loss")
    note = fields.Char(string="Reason")
    found_seal_number = fields.Char(string="Seal found")
    new_seal_number = fields.Char(string="New seal")

    def action_apply(self):
        self.ensure_one()
        entry = self.custody_id
        if self.mode == "pause":
            entry._pause(self.pause_reason, self.announced_at)
        elif self.mode == "resume":
            entry._resume(self.announced_at)
        elif self.mode == "failure":
            entry._report_failure(self.cause)
        elif self.mode == "incident":
            entry._report_incident(self.incident_kind, self.note)
        elif self.mode == "correction":
            corrected = entry._correct(
                self.note, badge_payload=self.badge_payload, inspector_id=self.inspector_id,
                camera_id=self.camera_id, card_ids=self.card_ids, issue_datetime=self.issue_datetime,
                return_datetime=self.return_datetime, download_datetime=self.download_datetime)
            return {"type": "ir.actions.act_window", "res_model": corrected._name, "res_id": corrected.id,
                    "view_mode": "form", "target": "current"}
        else:
            entry._seal_incident(self.found_seal_number, self.new_seal_number, self.note)
        return {"type": "ir.actions.act_window_close"}
