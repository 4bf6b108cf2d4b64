import re

from odoo import api, fields, models
from odoo.exceptions import UserError


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    bodycam_camera_ids = fields.One2many("mchs.bodycam.camera", "employee_id", string="Bodycams held")

    def _bodycam_badge_payload(self):
        """The signed payload of the inspector's chest badge (items 6, 17), or False without a
        badge ID. Private: the printed badge (report_chest_badge) is the only way to obtain it."""
        self.ensure_one()
        # sudo: the badge ID is an HR field; only its signed form leaves this method
        barcode = self.sudo().barcode
        return self.env["mchs.bodycam.qr"]._make_payload("E", barcode) if barcode else False

    @api.model_create_multi
    def create(self, vals_list):
        employees = super().create(vals_list)
        employees._bodycam_default_user_tz(linked=True)
        return employees

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "department_id"} & set(vals):
            self._bodycam_default_user_tz(linked="user_id" in vals)
        return result

    def _bodycam_default_user_tz(self, linked):
        """A user joins a unit in the unit's time zone (issue 12, point 4): the journal's times
        are the unit's, so the screen's are too. When the employee is linked to the user, the
        user takes the unit's zone; when only the unit changes, a user still in Odoo's default
        zone (none, or UTC) is moved. A user who chose another zone afterwards keeps it and is
        warned by a banner (res.users._bodycam_tz_warning)."""
        for employee in self.filtered(lambda e: e.user_id and e.department_id):
            user = employee.user_id
            if linked or user.tz in (False, "UTC", "Etc/UTC"):
                # sudo: the HR officer who links the employee may not write other users
                user.sudo().tz = employee.department_id._bodycam_tz().zone

    def _bodycam_iin(self):
        """The IIN the employee's NCA certificate must carry (issue 13): HR's identification
        number of the employee (hr.employee.identification_id, visible to HR only)."""
        self.ensure_one()
        # sudo: the identification number is an HR field; here it is only compared with a certificate
        iin = re.sub(r"\s", "", self.sudo().identification_id or "")
        if not re.fullmatch(r"\d{12}", iin):
            raise UserError(self.env._(
                "%(employee)s has no IIN (12 digits) in their employee record: HR enters it (Private information, "
                "Identification No) before they can sign.", employee=self.name))
        return iin
