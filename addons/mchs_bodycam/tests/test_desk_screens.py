"""Buttons where people look (issue 12, points 6 and 7): print buttons on the forms, rows that
open a form with inventory numbers shown whole, chest badges for the responsible person and the
bodycam administrator, and Odoo's own badge out of their Print menu (items 6, 9, 13, 17)."""
from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import RetentionCase

ROW_TOUR = "mchs_bodycam_row_opens_form_tour"


@tagged("post_install", "-at_install")
class TestDeskScreens(RetentionCase, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a long inventory number: it must show whole in the lists
        cls.camera_a.inventory_number = "TSA-BC-000123456"
        cls.dock = cls.env["mchs.bodycam.dock"].create({"name": "Dock of unit A", "department_id": cls.unit_a.id})
        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit_a.id,
            "registration_number": "01-12/77", "registration_date": "2026-01-08"})

    def _recording_and_access(self):
        recording = self._old_recording("2026-03-10 09:00:00")
        self.env["mchs.bodycam.access"].sudo()._log(recording, "view", "review of the inspection", "granted")
        return recording

    def test_rows_open_a_form(self):
        """Recordings, Docks and Journal 2: a click on a row opens the row's form; the inventory
        numbers are not cut."""
        self._recording_and_access()
        for action, check in (("mchs_bodycam.mchs_bodycam_recording_action", "TSA-BC-000123456"),
                              ("mchs_bodycam.mchs_bodycam_dock_action", "Dock of unit A"),
                              ("mchs_bodycam.mchs_bodycam_access_action", "TSA-BC-000123456")):
            with self.subTest(action=action):
                self.start_tour(f"/odoo/action-{action}", ROW_TOUR, login="t.responsible")

    def test_journal_book_prints_from_its_form(self):
        arch = etree.fromstring(self.env["mchs.bodycam.journal"].with_user(self.responsible_user).get_views(
            [(False, "form")])["views"]["form"]["arch"])
        buttons = [(button.get("name"), button.get("context") or "") for button in arch.iter("button")
                   if button.get("type") == "action"]
        # the PDF asks the language it prints in (issue 11), the Excel file goes at once
        wizard = str(self.env.ref("mchs_bodycam.mchs_bodycam_print_wizard_action").id)
        self.assertIn((wizard, "{'mchs_report': 'mchs_bodycam.action_report_journal_custody'}"), buttons)
        self.assertIn(str(self.env.ref("mchs_bodycam.action_report_journal_custody_xlsx").id),
                      [name for name, _context in buttons])
        self.start_tour(f"/odoo/action-mchs_bodycam.mchs_bodycam_journal_action/{self.book.id}",
                        "mchs_bodycam_journal_print_buttons_tour", login="t.responsible")

    def test_chest_badges_for_the_responsible_person_and_the_administrator(self):
        menu = self.env.ref("mchs_bodycam.mchs_bodycam_badge_menu")
        Menu = self.env["ir.ui.menu"]
        for user, visible in ((self.responsible_user, True), (self.admin_user, True), (self.inspector_user, False),
                              (self.head_user, False)):
            with self.subTest(user=user.login):
                self.assertEqual(menu.id in Menu.with_user(user)._visible_menu_ids(), visible)
        # the list shows the people of the user's own unit
        action = self.env.ref("mchs_bodycam.hr_employee_public_action_badges")
        people = self.env["hr.employee.public"].with_user(self.responsible_user).search(
            safe_eval(action.domain, {"uid": self.responsible_user.id}))
        self.assertIn(self.inspector.id, people.ids)
        self.assertNotIn(self.responsible_b.id, people.ids)
        self.start_tour("/odoo/action-mchs_bodycam.hr_employee_public_action_badges",
                        "mchs_bodycam_badges_tour", login="t.responsible")

    def test_odoos_own_badge_is_not_offered(self):
        hr_badge = self.env.ref("hr.hr_employee_print_badge")
        chest = self.env.ref("mchs_bodycam.action_report_chest_badge")
        Actions = self.env["ir.actions.actions"]
        for user in (self.admin_user, self.responsible_user):
            reports = [a["id"] for a in Actions.with_user(user).get_bindings("hr.employee").get("report", [])]
            self.assertNotIn(hr_badge.id, reports, user.login)
            self.assertIn(chest.id, reports, user.login)
        # an HR officer outside the product keeps Odoo's own badge
        hr_officer = self.env["res.users"].create({
            "name": "t.hr", "login": "t.hr", "groups_id": self.env.ref("hr.group_hr_user").ids})
        reports = [a["id"] for a in Actions.with_user(hr_officer).get_bindings("hr.employee").get("report", [])]
        self.assertIn(hr_badge.id, reports)
