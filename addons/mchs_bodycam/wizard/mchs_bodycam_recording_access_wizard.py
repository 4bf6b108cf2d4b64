from odoo import fields, models
from odoo.http import request
from odoo.exceptions import UserError


class MchsBodycamRecordingAccessWizard(models.TransientModel):
    """Asks why a recording is opened; the access is journaled before the first byte (item 13)."""

    _name = "mchs.bodycam.recording.access.wizard"
    _description = "Open a recording"

    recording_id = fields.Many2one("mchs.bodycam.recording", string="Recording", required=True, readonly=True)
    action = fields.Selection([("view", "View"), ("download", "Download")], required=True, default="view")
    purpose = fields.Char(required=True, help="Why the recording is opened; written to the access journal.")
    # not required in the database: the clear text is wiped once checked
    password = fields.Char(string="Special password",
                           help="The storage server's special password (item 5 ¶2).")

    def action_open(self):
        self.ensure_one()
        if not (self.purpose or "").strip():
            raise UserError(self.env._("Say why you open the recording (item 13)."))
        if self.recording_id.state == "destroyed":
            raise UserError(self.env._("This recording was destroyed by act %s (item 12): only its record remains.",
                                       self.recording_id.destruction_id.name))
        # the journal says where the access came from (item 13), as the streaming controller does
        remote_addr = request.httprequest.remote_addr if request else None
        Access = self.env["mchs.bodycam.access"]
        password_ok = self.recording_id.storage_id._check_password(self.password)
        self.password = False  # the clear text must not stay in the wizard's table
        if not password_ok:
            Access._log(self.recording_id, self.action, self.purpose, "refused", refusal="wrong special password",
                        remote_addr=remote_addr)
            # the refusal stays in the journal: the wizard's transaction commits and says so
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "title": self.env._("Access refused"), "type": "danger", "sticky": True,
                "message": self.env._("Wrong special password (item 5): the attempt is written to the access journal.")}}
        _row, token = Access._log(
            self.recording_id, self.action, self.purpose, "granted", remote_addr=remote_addr)
        suffix = "&download=1" if self.action == "download" else ""
        return {"type": "ir.actions.act_url", "target": "new",
                "url": f"/mchs_bodycam/recording/{self.recording_id.id}/stream?token={token}{suffix}"}
