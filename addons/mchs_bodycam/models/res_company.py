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
