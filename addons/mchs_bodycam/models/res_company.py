from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    bodycam_min_battery = fields.Integer(
        string="Minimum battery at issue (%)", default=80,
        help="Item 16: a bodycam whose battery is below this level is not issued.")

    @api.constrains("bodycam_min_battery")
    def _check_bodycam_min_battery(self):
        for company in self:
            if not 1 <= company.bodycam_min_battery <= 100:
                raise ValidationError(self.env._("The minimum battery level is a percentage from 1 to 100."))
