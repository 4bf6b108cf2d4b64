from odoo import fields, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    bodycam_qr_payload = fields.Char(
        string="Badge QR", compute="_compute_bodycam_qr_payload", groups="hr.group_hr_user,mchs_bodycam.group_bodycam_responsible",
        help="Signed payload printed in the QR code of the inspector's badge (item 6).")
    bodycam_camera_ids = fields.One2many("mchs.bodycam.camera", "holder_id", string="Bodycams held")

    def _bodycam_badge_payload(self):
        """The signed payload of the employee's badge (item 6), for printing it."""
        self.ensure_one()
        # sudo: the badge ID is an HR field; only its signed form leaves this method
        barcode = self.sudo().barcode
        return self.env["mchs.bodycam.qr"].make_payload("E", barcode) if barcode else False

    def _compute_bodycam_qr_payload(self):
        qr = self.env["mchs.bodycam.qr"]
        key = self.env["mchs.bodycam.secret"]._get_key()
        for employee in self:
            # sudo: the badge ID is an HR field; only its signed form is exposed.
            barcode = employee.sudo().barcode
            employee.bodycam_qr_payload = qr.make_payload("E", barcode, key=key) if barcode else False
