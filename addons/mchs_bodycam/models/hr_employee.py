from odoo import fields, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    bodycam_camera_ids = fields.One2many("mchs.bodycam.camera", "holder_id", string="Bodycams held")

    def _bodycam_badge_payload(self):
        """The signed payload of the inspector's chest badge (items 6, 17), or False without a
        badge ID. Private: the printed badge (report_chest_badge) is the only way to obtain it."""
        self.ensure_one()
        # sudo: the badge ID is an HR field; only its signed form leaves this method
        barcode = self.sudo().barcode
        return self.env["mchs.bodycam.qr"]._make_payload("E", barcode) if barcode else False
