from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    bodycam_min_battery = fields.Integer(
        string="Minimum battery at issue (%)", default=80,
        help="Item 16: a bodycam whose battery is below this level is not issued.")

    bodycam_max_gap_minutes = fields.Integer(
        string="Longest unexplained break in recording (min)", default=5,
        help="Items 18, 19: a break between two recordings of one duty longer than this, not covered "
             "by a declared pause, is flagged to the head.")

    @api.constrains("bodycam_max_gap_minutes")
    def _check_bodycam_max_gap_minutes(self):
        for company in self:
            if company.bodycam_max_gap_minutes < 1:
                raise ValidationError(self.env._("The longest unexplained break is at least one minute."))

    @api.constrains("bodycam_min_battery")
    def _check_bodycam_min_battery(self):
        for company in self:
            if not 1 <= company.bodycam_min_battery <= 100:
                raise ValidationError(self.env._("The minimum battery level is a percentage from 1 to 100."))
