from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..lib.apart import write_apart
from ..models.mchs_bodycam_access import JOURNAL_LOCK


class MchsBodycamRecordingAccessWizard(models.TransientModel):
    """Asks why a recording is opened; the access is journaled before the first byte (item 13).
    Viewing for review and analysis (item 5) needs a purpose; a download of the raw file also
    needs the legal basis it is made on (item 22), named in its Appendix 2 row.

    Only the head and the responsible person designated today for the recording's unit open it,
    with the storage's special password in force (items 5 ¶2, 13). Every refused attempt is an
    Appendix 2 row written in a transaction of its own, so it stays although the refusal then
    fails the request."""

    _name = "mchs.bodycam.recording.access.wizard"
    _description = "Open a recording"

    recording_id = fields.Many2one("mchs.bodycam.recording", required=True, readonly=True)
    action = fields.Selection([("view", "View"), ("download", "Download")], required=True, default="view")
    purpose = fields.Char(required=True, help="Why the recording is opened; written to the access journal.")
    department_id = fields.Many2one(related="recording_id.department_id")
    legal_basis_id = fields.Many2one(
        "mchs.bodycam.legal.basis", string="Legal basis",
        domain="[('department_id', '=', department_id)]",
        help="Item 22: the request, order or resolution the raw file is downloaded on; not needed to view it.")
    # not required in the database: the clear text is wiped once checked
    password = fields.Char(string="Special password",
                           help="The storage server's special password (item 5 ¶2).")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.browse().has_access("create"):
            # an inspector, a commission member, the administrator...: refused, and journaled
            recordings = self.env["mchs.bodycam.recording"].sudo().browse(
                [vals["recording_id"] for vals in vals_list if vals.get("recording_id")]).exists()
            for recording, vals in zip(recordings, vals_list):
                self.env["mchs.bodycam.access"]._log(
                    recording, vals.get("action") or "view", vals.get("purpose"), "refused",
                    refusal="no_right", remote_addr=self._remote_addr())
            raise AccessError(self.env._(
                "Only the head and the responsible person of the unit open its recordings (item 13); "
                "the attempt is written to the access journal."))
        return super().create(vals_list)

    @staticmethod
    def _remote_addr():
        # the journal says where the access came from (item 13), as the streaming controller does
        return request.httprequest.remote_addr if request else None

    def action_open(self):
        self.ensure_one()
        if not (self.purpose or "").strip():
            raise UserError(self.env._("Say why you open the recording (item 13)."))
        # sudo: the recording is looked at to journal the attempt; it is opened after the checks
        recording = self.recording_id.sudo()
        if recording.state == "destroyed":
            raise UserError(self.env._("This recording was destroyed by act %s (item 12): only its record remains.",
                                       recording.destruction_id.name))
        if not self.recording_id.has_access("read"):
            self._refuse("other_unit", AccessError(self.env._(
                "The recordings of %s are not yours to open (item 13); the attempt is written to the access "
                "journal.", recording.department_id.display_name)))
        storage = recording.storage_id
        if not storage._is_password_holder():
            self._refuse("not_designated", UserError(self.env._(
                "Only the head and the responsible person designated today for %s open its recordings "
                "(items 5, 13); the attempt is written to the access journal.", recording.department_id.display_name)))
        if storage._password_void():
            self._refuse("password_void", UserError(self.env._(
                "The special password no longer holds: a designation of the head or the responsible person has "
                "ended since it was set (item 5). The head or the responsible person designated today sets a new "
                "one; the attempt is written to the access journal.")))
        if not storage._check_password(self.password):
            self._refuse("wrong_password", UserError(self.env._(
                "Wrong special password (item 5): the attempt is written to the access journal.")))
        self._check_legal_basis()
        self.password = False  # the clear text must not stay in the wizard's table
        _row, token = self.env["mchs.bodycam.access"]._log(
            self.recording_id, self.action, self.purpose, "granted", remote_addr=self._remote_addr(),
            legal_basis=self.legal_basis_id if self.action == "download" else None)
        suffix = "&download=1" if self.action == "download" else ""
        return {"type": "ir.actions.act_url", "target": "new",
                "url": f"/mchs_bodycam/recording/{self.recording_id.id}/stream?token={token}{suffix}"}

    def _check_legal_basis(self):
        """Item 22: the raw file leaves the storage server on a request, order or resolution of the
        recording's unit only; viewing it for review (item 5) needs none."""
        if self.action != "download":
            return
        basis = self.legal_basis_id.sudo()
        if not basis:
            self._refuse("no_legal_basis", UserError(self.env._(
                "A recording is downloaded only on a legal basis: choose the request, order or resolution it is "
                "downloaded on, or view it instead (item 22). The attempt is written to the access journal.")))
        if basis.department_id != self.recording_id.sudo().department_id:
            self._refuse("foreign_legal_basis", UserError(self.env._(
                "%(basis)s is a legal basis of another unit: a recording of %(unit)s is downloaded on a basis of "
                "its own unit (item 22). The attempt is written to the access journal.",
                basis=basis.display_name, unit=self.recording_id.sudo().department_id.display_name)))

    def _refuse(self, refusal, error):
        """Journal the refused opening (Appendix 2, ``refusal`` a code of its REFUSALS) and wipe the
        typed password, both in a transaction of their own, then raise ``error``: the request's
        rollback keeps them."""
        wizard_id, recording = self.id, self.recording_id.sudo()
        action, purpose, remote_addr = self.action, self.purpose, self._remote_addr()

        def journal(env):
            # the clear text must not stay in the wizard's table (saved by the form's own request)
            env.cr.execute("UPDATE mchs_bodycam_recording_access_wizard SET password = NULL WHERE id = %s",
                           [wizard_id])
            recording_there = recording.with_env(env).sudo()
            return env["mchs.bodycam.access"]._append(
                recording_there, recording_there.department_id, action, purpose, "refused", refusal, remote_addr,
            )[0].id
        write_apart(self.env, journal, advisory_lock=(JOURNAL_LOCK, recording.department_id.id))
        self.invalidate_recordset(["password"])
        raise error
