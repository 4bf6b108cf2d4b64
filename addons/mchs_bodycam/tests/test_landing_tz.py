"""Where each role lands, and the time-zone banner (issue 12, points 4 and 5; items 5, 7, 9, 12)."""
from odoo.tests import HttpCase, tagged

from .common import BodycamCase

LANDING = {
    "t.inspector": "mchs_bodycam.mchs_bodycam_custody_action_duty",
    "t.responsible": "mchs_bodycam.mchs_bodycam_scan_desk_action",
    "t.head": "mchs_bodycam.mchs_bodycam_custody_action",
    "t.commission": "mchs_bodycam.mchs_bodycam_commission_action",
    "t.admin": "mchs_bodycam.mchs_bodycam_camera_action",
}


@tagged("post_install", "-at_install")
class TestLandingAndTimeZone(BodycamCase, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the unit works in Aqtobe's time (UTC+5, as Almaty since 2024): not Odoo's default
        cls.unit_a.bodycam_calendar_id = cls.env["resource.calendar"].create({
            "name": "Unit A hours", "tz": "Asia/Aqtobe"})
        (cls.inspector_user | cls.head_user).tz = "Asia/Aqtobe"

    def _session_info(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/session/get_session_info")

    def test_each_role_lands_where_it_works(self):
        for login, action in LANDING.items():
            with self.subTest(login=login):
                self.assertEqual(self._session_info(login)["home_action_id"], self.env.ref(action).id)
        # a user holding two roles lands at the first one's place: the responsible person who
        # sits in the commission works at the desk
        self.commission_user.groups_id += self.env.ref("mchs_bodycam.group_bodycam_responsible")
        self.assertEqual(self._session_info("t.commission")["home_action_id"], self.env.ref(LANDING["t.responsible"]).id)
        # a Home Action chosen in the user's preferences wins
        chosen = self.env.ref("mchs_bodycam.mchs_bodycam_journal_action")
        self.head_user.action_id = chosen.id
        self.assertEqual(self._session_info("t.head")["home_action_id"], chosen.id)

    def test_inspector_opens_my_duty_in_the_browser(self):
        self.start_tour("/odoo", "mchs_bodycam_landing_inspector_tour", login="t.inspector")

    def test_responsible_opens_the_scan_desk_in_the_browser(self):
        self.start_tour("/odoo", "mchs_bodycam_landing_responsible_tour", login="t.responsible")

    def test_users_take_the_units_time_zone(self):
        """A user linked to an employee of a unit takes the unit's zone; a user in Odoo's default
        zone moves with a change of unit; one who chose another zone keeps it (and is warned)."""
        user = self.env["res.users"].create({"name": "t.tz", "login": "t.tz", "password": "t.tz", "tz": "UTC",
                                             "groups_id": self.env.ref("mchs_bodycam.group_bodycam_inspector").ids})
        employee = self.env["hr.employee"].create({"name": "t.tz", "user_id": user.id, "department_id": self.unit_a.id})
        self.assertEqual(user.tz, "Asia/Aqtobe")
        self.assertFalse(self._session_info("t.tz")["bodycam_tz_warning"])
        user.tz = "UTC"
        employee.department_id = self.unit_b
        self.assertEqual(user.tz, self.unit_b._bodycam_tz().zone)
        user.tz = "Europe/Brussels"
        employee.department_id = self.unit_a
        self.assertEqual(user.tz, "Europe/Brussels")
        self.assertEqual(self._session_info("t.tz")["bodycam_tz_warning"],
                         {"user": "Europe/Brussels", "unit": "Asia/Aqtobe"})
        # a user of no unit is not warned
        employee.user_id = False
        self.assertFalse(self._session_info("t.tz")["bodycam_tz_warning"])

    def test_time_zone_banner(self):
        """The banner shows both zones; one click puts the user in the unit's zone, and the
        banner is gone."""
        self.head_user.tz = "Europe/Brussels"
        self.start_tour("/odoo", "mchs_bodycam_tz_banner_tour", login="t.head")
        self.assertEqual(self.head_user.tz, "Asia/Aqtobe")

    def test_no_banner_in_the_units_zone(self):
        self.start_tour("/odoo", "mchs_bodycam_no_tz_banner_tour", login="t.head")
