from odoo import models

# Where each role opens the app (issue 12, point 5): the first role of this list a user holds
# decides. The inspector's "My duty" (items 7, 10), the responsible person's scan desk (items 5,
# 7), the head's journal (items 5, 13), the commission's commissions (item 12), the
# administrator's register of bodycams.
LANDING_ACTIONS = (
    ("mchs_bodycam.group_bodycam_responsible", "mchs_bodycam.mchs_bodycam_scan_desk_action"),
    ("mchs_bodycam.group_bodycam_head", "mchs_bodycam.mchs_bodycam_custody_action"),
    ("mchs_bodycam.group_bodycam_commission", "mchs_bodycam.mchs_bodycam_commission_action"),
    ("mchs_bodycam.group_bodycam_admin", "mchs_bodycam.mchs_bodycam_camera_action"),
    ("mchs_bodycam.group_bodycam_inspector", "mchs_bodycam.mchs_bodycam_custody_action_duty"),
)


class ResUsers(models.Model):
    _inherit = "res.users"

    def _bodycam_landing_action(self):
        """The action the web client opens first for this user: the one chosen in the user's
        preferences (Home Action), else the one of the user's bodycam role, else none."""
        self.ensure_one()
        if self.action_id:
            return self.action_id
        for group, action in LANDING_ACTIONS:
            if self.has_group(group):
                return self.env.ref(action)
        return self.env["ir.actions.actions"]

    def _bodycam_unit_tz(self):
        """The time zone of the user's unit (the department of the user's employee), or False
        when the user belongs to no unit."""
        self.ensure_one()
        units = self.env["hr.department"]._bodycam_user_units(self)
        return units[:1]._bodycam_tz().zone if units else False

    def _bodycam_tz_warning(self):
        """{"user", "unit"} when the user's time zone is not the unit's (issue 12, point 4): the
        screen shows times in the user's zone while the journal is written in the unit's."""
        self.ensure_one()
        unit_tz = self._bodycam_unit_tz()
        if not unit_tz or self.tz == unit_tz:
            return False
        return {"user": self.tz or "UTC", "unit": unit_tz}
