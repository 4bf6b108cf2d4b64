from odoo import models

from .ir_actions_report import HR_BADGE_REPORT


class IrActionsActions(models.Model):
    _inherit = "ir.actions.actions"

    def get_bindings(self, model_name):
        """Odoo's own employee badge is hidden from the Print menu of the product's users
        (issue 12, point 7): its bare badge ID is refused at the scan desk (item 6); they print
        the chest badge of item 17 (a print through Odoo's report by URL still gives the chest
        badge, see ir.actions.report._mchs_badge_report)."""
        bindings = super().get_bindings(model_name)
        if model_name == "hr.employee" and self.env.user.has_group("mchs_bodycam.group_bodycam_inspector"):
            hr_badge = self.env["ir.actions.report"]._get_report_from_name(HR_BADGE_REPORT)
            reports = [action for action in bindings.get("report", []) if action["id"] != hr_badge.id]
            if reports:
                bindings["report"] = reports
            else:
                bindings.pop("report", None)
        return bindings
