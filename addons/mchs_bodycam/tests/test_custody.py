from datetime import datetime

from freezegun import freeze_time

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CHECKS_PASSED, CustodyCase


@tagged("post_install", "-at_install")
class TestCustody(CustodyCase):
    """The Appendix 1 journal rows: issue, return, download, wipe (items 5, 7, 9, 10, 16, 23)."""

    def test_full_cycle(self):
        entry = self._issue()
        self.assertEqual((entry.state, entry.journal_id, entry.row_number), ("issued", self.book, 1))
        self.assertEqual(entry.inventory_text, "TSA-BC-00001 (TSA-MC-00001, TSA-MC-00002)")
        self.assertEqual((entry.issued_by_id, entry.issue_confirmation, entry.seal_number),
                         (self.responsible_user, "badge", "S-A"))
        cards = self.card_a | self.card_a2
        self.assertEqual(set((self.camera_a.state, *cards.mapped("state"))), {"issued"})
        self.assertEqual(self.camera_a.employee_id | cards.employee_id, self.inspector)
        # the inspector confirms the return in their own session; the responsible person receives
        entry.with_user(self.inspector_user).action_confirm_in_session()
        self.assertEqual(entry.return_confirmation, "session")
        entry.action_return()
        self.assertEqual((entry.state, entry.received_by_id), ("returned", self.responsible_user))
        self.assertEqual(self.camera_a.employee_id | cards.employee_id, self.responsible,
                         "back with the responsible person until wiped")
        with self.assertRaisesRegex(UserError, "not available"):
            self._issue(inspector=self.other_inspector)
        entry.action_mark_downloaded()
        self.assertTrue(entry.download_datetime)
        entry.action_close()
        self.assertEqual(set((self.camera_a.state, *cards.mapped("state"))), {"available"})
        self.assertFalse(self.camera_a.employee_id | cards.employee_id)
        second = self._issue(inspector=self.other_inspector)
        self.assertEqual(second.row_number, 2)

    def test_transitions_in_order(self):
        entry = self._draft()
        for action, message in (("action_return", "Only an issued"), ("action_mark_downloaded", "after the return"),
                                ("action_close", "only after")):
            with self.assertRaisesRegex(UserError, message):
                getattr(entry, action)()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
        entry.action_issue()
        with self.assertRaisesRegex(UserError, "Only a draft"):
            entry.action_issue()
        with self.assertRaisesRegex(UserError, "has not confirmed the return"):
            entry.action_return()

    def test_checklist_refusals_name_the_check(self):
        # item 16: every failed check is named
        for field, expected in (("check_operable", "Bodycam works"), ("check_datetime", "Date and time set"),
                                ("check_quality", "Quality settings checked"),
                                ("check_inventory_label", "Inventory number on the device"),
                                ("check_seal_intact", "Seal intact"), ("check_badge_worn", "Chest badge worn")):
            entry = self._draft(**{field: False})
            entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
            with self.assertRaisesRegex(UserError, expected):
                entry.action_issue()
            entry.unlink()
        self.company.bodycam_min_battery = 50
        with self.assertRaisesRegex(UserError, "battery is at 40%, below the minimum of 50%"):
            self._issue(battery_level=40)
        with self.assertRaisesRegex(UserError, "not the recorded seal S-A"):
            self._issue(check_seal_number="S-FAKE")
        self.assertEqual(self.camera_a.state, "available")

    def test_confirmation_is_the_inspectors_own(self):
        entry = self._draft()
        with self.assertRaisesRegex(UserError, "has not confirmed receipt"):
            entry.action_issue()
        with self.assertRaisesRegex(UserError, "not the badge of"):
            entry._confirm_by_badge(self.other_inspector._bodycam_badge_payload(), "issue")
        payload = self.inspector._bodycam_badge_payload()
        forged = payload[:-1] + ("Q" if payload[-1] != "Q" else "R")  # always a different last character
        with self.assertRaisesRegex(UserError, "signature is not valid"):
            entry._confirm_by_badge(forged, "issue")
        with self.assertRaisesRegex(UserError, "Only t.inspector confirms"):
            entry.with_user(self.other_inspector_user).action_confirm_in_session()
        entry.with_user(self.inspector_user).action_confirm_in_session()
        self.assertEqual(entry.issue_confirmation, "session")
        entry.action_issue()
        self.assertEqual(entry.state, "issued")

    def test_only_the_designated_responsible_person(self):
        other_user, _other = self._person("t.responsible.2", "group_bodycam_responsible", self.unit_a)
        entry = self._draft()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
        with self.assertRaisesRegex(UserError, "Only the responsible person of Unit A"):
            entry.with_user(other_user).action_issue()
        with self.assertRaisesRegex(UserError, "Only the responsible person of Unit A"):
            entry.with_user(self.head_user).action_issue()
        with self.assertRaises(AccessError):
            entry.with_user(self.responsible_b_user).action_issue()

    def test_device_and_inspector_refusals(self):
        self._issue()
        with self.assertRaisesRegex(UserError, "is Issued, not available"):
            self._issue(inspector=self.other_inspector)
        with self.assertRaisesRegex(UserError, "already holds bodycam TSA-BC-00001"):
            self._issue(camera=self.camera_a2)
        self.camera_a2.action_send_to_repair()
        with self.assertRaisesRegex(UserError, "is In repair"):
            self._issue(camera=self.camera_a2, inspector=self.other_inspector)

    def test_written_off_and_no_book(self):
        self.card_a3._remove_from_camera()
        self.camera_a2.action_write_off()
        with self.assertRaisesRegex(UserError, "can never be issued"):
            self._issue(camera=self.camera_a2)
        self.book.action_close()
        with self.assertRaisesRegex(UserError, "no registered Appendix 1 journal book"):
            self._issue()

    def test_entries_never_edited_or_deleted(self):
        entry = self._issue()
        with self.assertRaisesRegex(UserError, "is locked"):
            entry.write({"inspector_id": self.other_inspector.id})
        with self.assertRaisesRegex(UserError, "is kept"):
            entry.unlink()

    def test_inspector_sees_own_entries(self):
        entry = self._issue()
        Custody = self.env["mchs.bodycam.custody"]
        self.assertEqual(Custody.with_user(self.inspector_user).search([]), entry)
        self.assertFalse(Custody.with_user(self.other_inspector_user).search([]))
        self.assertEqual(Custody.with_user(self.head_user).search([]), entry)
        with self.assertRaises(UserError):
            entry.with_user(self.inspector_user).write({"is_overdue": True})

    def test_overdue_return_raises_activities(self):
        calendar = self.env["resource.calendar"].create({
            "name": "Unit A hours", "tz": "Asia/Almaty",
            "attendance_ids": [(0, 0, {"name": f"Day {day}", "dayofweek": str(day), "hour_from": 9,
                                       "hour_to": 18, "day_period": "morning"}) for day in range(5)],
        })
        self.unit_a.bodycam_calendar_id = calendar
        # Wednesday 25 November 2026, 10:00 in Almaty (UTC+5)
        with freeze_time(datetime(2026, 11, 25, 5, 0)):
            entry = self._issue()
        with freeze_time(datetime(2026, 11, 25, 12, 59)):  # 17:59 local
            self.env["mchs.bodycam.custody"]._cron_flag_overdue_returns()
        self.assertFalse(entry.is_overdue)
        with freeze_time(datetime(2026, 11, 25, 13, 1)):  # 18:01 local
            self.env["mchs.bodycam.custody"]._cron_flag_overdue_returns()
        self.assertTrue(entry.is_overdue)
        self.assertEqual(entry.activity_ids.user_id, self.responsible_user | self.head_user)
        self.assertIn(entry, self.env["mchs.bodycam.custody"].search([("is_overdue", "=", True)]))
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        entry.action_return()
        self.assertFalse(entry.is_overdue)
        self.assertFalse(entry.activity_ids)

    def test_issue_and_return_query_counts(self):
        entry = self._draft()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=84):
            entry.action_issue()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=46):
            entry.action_return()

    def test_desk_issue_and_return(self):
        Custody = self.Custody
        badge = self.inspector._bodycam_badge_payload()
        scanned = Custody.desk_scan(self.camera_a._label_payload())
        self.assertEqual((scanned["kind"], scanned["seal_number"], scanned["cards"], scanned["entry"]),
                         ("camera", "S-A", ["TSA-MC-00001", "TSA-MC-00002"], False))
        self.assertEqual(Custody.desk_scan(badge)["name"], "t.inspector")
        self.assertEqual(Custody.desk_scan(self.card_a._label_payload())["reason"], "wrong_kind")
        self.assertEqual(Custody.desk_scan(self.camera_b._label_payload())["reason"], "other_unit")
        checklist = dict(CHECKS_PASSED, check_seal_number="S-A", state="closed")  # unknown keys are ignored
        with self.assertRaisesRegex(UserError, "Scan the inspector's badge"):
            Custody.desk_issue(self.camera_a.id, self.camera_a._label_payload(), checklist)
        summary = Custody.desk_issue(self.camera_a.id, badge, checklist)
        self.assertEqual((summary["state"], summary["row_number"]), ("issued", 1))
        self.assertEqual(Custody.desk_scan(self.camera_a._label_payload())["entry"]["id"], summary["id"])
        with self.assertRaisesRegex(UserError, "has not confirmed the return"):
            Custody.desk_return(self.camera_a.id)
        returned = Custody.desk_return(self.camera_a.id, badge)
        self.assertEqual(returned["state"], "returned")
        with self.assertRaisesRegex(UserError, "not out"):
            Custody.desk_return(self.camera_a.id, badge)

    def test_badges_refused_at_the_desk_are_logged(self):
        """item 6: a badge refused inside the desk's issue or return is in the scan log, written in
        a transaction of its own (here the test's; unittest's assertRaisesRegex rolls nothing back)."""
        Custody = self.Custody
        checklist = dict(CHECKS_PASSED, check_seal_number="S-A")
        payload = self.inspector._bodycam_badge_payload()
        forged = payload[:-1] + ("A" if payload[-1] != "A" else "B")  # always a different last character
        cases = [
            (lambda: Custody.desk_issue(self.camera_a.id, forged, checklist), "forged"),
            (lambda: Custody.desk_issue(self.camera_a.id, self.responsible_b._bodycam_badge_payload(), checklist),
             "other_unit"),
            (lambda: Custody.desk_issue(self.camera_a.id, self.card_a._label_payload(), checklist), "wrong_kind"),
        ]
        for call, reason in cases:
            with self.subTest(reason=reason):
                before = self.env["mchs.bodycam.scan.log"].search([])
                with self.assertRaisesRegex(UserError, "."):
                    call()
                logged = self.env["mchs.bodycam.scan.log"].search([]) - before
                self.assertEqual((logged.reason, logged.user_id), (reason, self.responsible_user))
        self.assertFalse(self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera_a.id)]))
        # at the return, the badge of somebody else than the entry's inspector
        Custody.desk_issue(self.camera_a.id, self.inspector._bodycam_badge_payload(), checklist)
        with self.assertRaisesRegex(UserError, "not the badge of"):
            Custody.desk_return(self.camera_a.id, self.other_inspector._bodycam_badge_payload())
        self.assertEqual(self.env["mchs.bodycam.scan.log"].search([], limit=1).reason, "wrong_person")
        # the desk is the responsible person's: others are refused before any scan
        for user in (self.inspector_user, self.head_user):
            with self.assertRaises(AccessError):
                self.env["mchs.bodycam.custody"].with_user(user).desk_scan(self.camera_a._label_payload())

    def test_database_keeps_one_active_entry_per_bodycam_and_inspector(self):
        """Even when the Python checks are bypassed (items 7, 23)."""
        entry = self._issue()
        values = {"department_id": self.unit_a.id, "journal_id": self.book.id, "state": "issued"}
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["mchs.bodycam.custody"].create(dict(
                values, camera_id=self.camera_a.id, inspector_id=self.other_inspector.id, row_number=90))
            self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["mchs.bodycam.custody"].create(dict(
                values, camera_id=self.camera_a2.id, inspector_id=self.inspector.id, row_number=91))
            self.env.flush_all()
        # a struck row no longer holds the bodycam
        entry._correct("wrong inspector", inspector_id=self.other_inspector,
                       badge_payload=self.other_inspector._bodycam_badge_payload())
        self.assertEqual(self.env["mchs.bodycam.custody"].search_count(
            [("camera_id", "=", self.camera_a.id), ("state", "=", "issued")]), 2)
