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

    bodycam_retention_years = fields.Integer(
        string="Retention of recordings (years)", default=3, required=True,
        help="Item 12: recordings are kept this many years from their recording date (3 years, or longer), then "
             "the year-end commission destroys them.")

    # issue 13: qualified electronic signatures (NCA RK keys through NCALayer)
    bodycam_signing = fields.Boolean(
        string="Qualified signing",
        help="Each commission member's confirmation of a destruction act (item 12), the audit act (item 13, by "
             "its checker), the item 9 certification of a closed book (by the responsible person) and the "
             "evidence manifest (item 14, by the head) are signed with NCA keys through NCALayer; off, they stay "
             "confirmations by a logged-in user.")
    bodycam_sign_desk = fields.Boolean(
        string="Inspectors sign at the desk",
        help="With qualified signing on: the inspector's receipt and return of a bodycam at the Scan desk (Appendix 1, "
             "columns 4 and 5, item 9) are signed with the inspector's NCA key through NCALayer instead of the badge "
             "scan alone.")
    bodycam_ncalayer_url = fields.Char(
        string="NCALayer address", default="wss://127.0.0.1:13579", required=True,
        help="The WebSocket address at which the browser reaches NCALayer on the user's computer.")
    bodycam_ncanode_url = fields.Char(
        string="NCANode address",
        help="Optional NCANode server (POST /cms/verify) for the algorithms this server does not verify itself "
             "(GOST 34.310-2004); empty, such signatures are refused.")
    bodycam_revocation = fields.Selection(
        [("none", "Not checked"), ("ocsp", "OCSP"), ("crl", "CRL")], string="Revocation check",
        default="none", required=True,
        help="How a signer's certificate is checked for revocation when it signs: OCSP or the CRL named in the "
             "certificate (the server must reach NCA). Not checked, the signature records it.")
    bodycam_ocsp_url = fields.Char(
        string="OCSP responder",
        help="The OCSP responder to ask; empty, the one named in the certificate.")

    _sql_constraints = [
        ("bodycam_retention_years_minimum", "CHECK(bodycam_retention_years >= 3)",
         "Item 12: recordings are kept at least 3 years."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_bodycam_retention_value(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_bodycam_retention_value(vals)
        return super().write(vals)

    @api.model
    def _check_bodycam_retention_value(self, vals):
        """Item 12: recordings are kept 3 years; a longer period may be set, never a shorter one
        (zero or a negative number would make every recording due at once). Refused with words
        rather than a database error."""
        if "bodycam_retention_years" not in vals:
            return
        value = vals["bodycam_retention_years"]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(self.env._(
                "The retention of recordings is a whole number of years (item 12); %s is not.",
                vals["bodycam_retention_years"]))
        if value < 3:
            raise ValidationError(self.env._(
                "Recordings are kept at least 3 years (item 12): a retention of %s years is refused. A longer "
                "period may be set.", value))
        vals["bodycam_retention_years"] = value

    @api.constrains("bodycam_ncalayer_url", "bodycam_ncanode_url", "bodycam_ocsp_url")
    def _check_bodycam_signing_urls(self):
        for company in self:
            if not (company.bodycam_ncalayer_url or "").startswith(("wss://", "ws://")):
                raise ValidationError(self.env._("NCALayer's address is a WebSocket address (wss://...)."))
            for url in (company.bodycam_ncanode_url, company.bodycam_ocsp_url):
                if url and not url.startswith(("https://", "http://")):
                    raise ValidationError(self.env._("%(url)s is not an http(s):// address.", url=url))

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
