from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bodycam_min_battery = fields.Integer(related="company_id.bodycam_min_battery", readonly=False)
    bodycam_max_gap_minutes = fields.Integer(related="company_id.bodycam_max_gap_minutes", readonly=False)
    bodycam_retention_years = fields.Integer(related="company_id.bodycam_retention_years", readonly=False)
