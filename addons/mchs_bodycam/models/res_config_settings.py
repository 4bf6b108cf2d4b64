from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bodycam_min_battery = fields.Integer(related="company_id.bodycam_min_battery", readonly=False)
    bodycam_max_gap_minutes = fields.Integer(related="company_id.bodycam_max_gap_minutes", readonly=False)
    bodycam_retention_years = fields.Integer(related="company_id.bodycam_retention_years", readonly=False)
    bodycam_signing = fields.Boolean(related="company_id.bodycam_signing", readonly=False)
    bodycam_sign_desk = fields.Boolean(related="company_id.bodycam_sign_desk", readonly=False)
    bodycam_ncalayer_url = fields.Char(related="company_id.bodycam_ncalayer_url", readonly=False)
    bodycam_ncanode_url = fields.Char(related="company_id.bodycam_ncanode_url", readonly=False)
    bodycam_revocation = fields.Selection(related="company_id.bodycam_revocation", readonly=False)
    bodycam_ocsp_url = fields.Char(related="company_id.bodycam_ocsp_url", readonly=False)
    bodycam_trusted_certificate_count = fields.Integer(compute="_compute_bodycam_trusted_certificate_count")

    def _compute_bodycam_trusted_certificate_count(self):
        count = self.env["mchs.bodycam.trusted.certificate"].search_count([])
        for settings in self:
            settings.bodycam_trusted_certificate_count = count
