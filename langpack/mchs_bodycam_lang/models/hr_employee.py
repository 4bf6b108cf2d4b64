from odoo import models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    def _get_marital_status_selection(self):
        """hr gives these labels as plain English: the ORM translates a selection list, never
        the labels returned by a selection method, so every language saw "Single"."""
        labels = {
            "single": self.env._("Single"),
            "married": self.env._("Married"),
            "cohabitant": self.env._("Legal Cohabitant"),
            "widower": self.env._("Widower"),
            "divorced": self.env._("Divorced"),
        }
        return [(value, labels.get(value, label)) for value, label in super()._get_marital_status_selection()]
