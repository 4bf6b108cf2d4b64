from datetime import datetime

from freezegun import freeze_time

from psycopg2 import IntegrityError

from odoo import models
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users, warmup
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

    def test_card_put_in_just_before_the_issue_goes_out_with_it(self):
        """The issue locks and lists the bodycam's cards in SQL: a card put in earlier in the same
        transaction (not yet written to the database) is among them (items 7, 8)."""
        self.card_a3._remove_from_camera()
        self.env.flush_all()
        self.card_a3._install_into(self.camera_a2)
        entry = self._issue(camera=self.camera_a2)
        self.assertEqual((entry.card_ids, self.card_a3.state, entry.inventory_text),
                         (self.card_a3, "issued", "TSA-BC-00002 (TSA-MC-00003)"))

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

    @users("t.responsible")
    @warmup
    def test_issue_and_return_query_counts(self):
        """Issue 14: one issue and one return at the scan desk in at most 30 queries each, as the
        responsible person, counted as assertQueryCount counts: the call, its flush and what the
        request's commit writes (the chatter's tracking of the bodycam; its cards follow it untracked,
        so the count does not grow with them; the unit's time zone, for the unit's date of the
        responsible person's designation). Odoo's warmup: the registry's caches are
        warm (a desk that has served a request before), the records' cache is empty. The actions
        behind the desk (the row's form buttons) are pinned too."""
        Custody = self.env["mchs.bodycam.custody"]
        self.assertEqual(Custody.env.user, self.responsible_user)

        def measure(count, call):
            self.env.cr.precommit.run()  # what the records' setup left to track
            self.env.invalidate_all()
            with self.assertQueryCount(count):
                return call()

        # a bodycam with one card, as the bench measures it (bench/bench_custody_queries.py)
        badge = self.other_inspector._bodycam_badge_payload()
        checklist = dict(CHECKS_PASSED, check_seal_number="S-A2")
        issued = measure(27, lambda: Custody.desk_issue(self.camera_a2.id, badge, checklist))
        returned = measure(26, lambda: Custody.desk_return(self.camera_a2.id, badge))
        self.assertEqual((issued["state"], returned["state"], returned["id"]), ("issued", "returned", issued["id"]))
        # the form's buttons, on a bodycam with two cards
        entry = Custody.create(dict(CHECKS_PASSED, camera_id=self.camera_a.id, inspector_id=self.inspector.id,
                                    check_seal_number="S-A"))
        badge = self.inspector._bodycam_badge_payload()
        entry._confirm_by_badge(badge, "issue")
        measure(27, entry.action_issue)
        entry._confirm_by_badge(badge, "return")
        measure(24, entry.action_return)
        self.assertEqual((entry.state, entry.card_ids.employee_id), ("returned", self.responsible))

    def test_write_access_checked_as_odoo_checks_it(self):
        """The actions check the user's right to write a row and its devices in one query, the
        record rules evaluated by the database (_lock_check_access_all): it refuses exactly what
        Odoo's own check refuses, for every role, record by record, and for a recordset mixing them."""
        entry = self._issue()  # the inspector's own row; the bodycam and its cards are theirs now
        draft_b = self.env["mchs.bodycam.custody"].create({
            "department_id": self.unit_b.id, "camera_id": self.camera_b.id, "inspector_id": self.responsible_b.id})
        records = [entry, draft_b, self.camera_a, self.camera_a2, self.camera_b, self.camera_c, self.card_a,
                   self.card_a3, self.card_b]
        Lock = self.env["mchs.bodycam.lock.mixin"]
        for user in (self.responsible_user, self.responsible_b_user, self.responsible_c_user, self.head_user,
                     self.inspector_user, self.other_inspector_user, self.commission_user, self.admin_user):
            for operation in ("read", "write", "unlink"):
                for record in records:
                    with self.subTest(user=user.login, operation=operation, record=record):
                        expected = record.with_user(user).has_access(operation)
                        try:
                            Lock._lock_check_access_all(operation, record.with_user(user))
                            allowed = True
                        except AccessError:
                            allowed = False
                        self.assertEqual(allowed, expected)
                mixed = [record.with_user(user) for record in records]
                allowed_all = all(record.has_access(operation) for record in mixed)
                with self.subTest(user=user.login, operation=operation, record="all at once"):
                    if allowed_all:
                        Lock._lock_check_access_all(operation, *mixed)
                    else:
                        with self.assertRaises(AccessError):
                            Lock._lock_check_access_all(operation, *mixed)
        # a document just created: its rules evaluated by the database too (_check_access), as Odoo
        # evaluates them
        for user in (self.responsible_user, self.responsible_b_user, self.head_user, self.inspector_user):
            for record in records:
                with self.subTest(user=user.login, operation="create", record=record):
                    self.assertEqual(record.with_user(user)._check_access("create") is None,
                                     models.BaseModel._check_access(record.with_user(user), "create") is None)
        with self.assertRaises(AccessError):
            self.env["mchs.bodycam.custody"].with_user(self.responsible_b_user).create({
                "department_id": self.unit_a.id, "camera_id": self.camera_a2.id, "inspector_id": self.inspector.id})
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            Lock._lock_check_access_all("write", *(record.with_user(self.responsible_user)
                                                   for record in (entry, self.camera_a, self.card_a | self.card_a2)))

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
        # the badge's confirmation is signed with the return, in one entry of the chain (item 9)
        entry = Custody.browse(summary["id"])
        self.assertEqual((entry.return_confirmation, entry.received_by_id), ("badge", self.responsible_user))
        Log = self.env["mchs.bodycam.custody.log"]
        logged = Log.search([("custody_id", "=", entry.id)], order="sequence")
        self.assertEqual(logged.mapped("event"), ["issued", "returned"])
        self.assertIn('"return_confirmation": "badge"', logged[-1].content)
        self.assertFalse(Log._unmatched(self.unit_a))

    def test_chain_appends_a_batch_in_one_insert(self):
        """Appendix 1's chain (item 9): the rows of a step on several rows, of two units, are chained
        with one query for the units' locks, last entries and the snapshots, and one insert; each
        unit's chain goes on unbroken and every row matches its last snapshot."""
        self.env["mchs.bodycam.designation"].create({
            "department_id": self.unit_b.id, "role": "responsible", "employee_id": self.responsible_b.id,
            "date_start": "2020-01-01"})
        self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": self.unit_b.id, "registration_number": "B-7",
            "registration_date": "2020-01-08"}).action_register()
        self.card_b._install_into(self.camera_b)
        self.camera_b._apply_seal("S-B")
        rows = self._issue() | self._issue(camera=self.camera_a2, inspector=self.other_inspector)
        row_b = self.env["mchs.bodycam.custody"].with_user(self.responsible_b_user).create(dict(
            CHECKS_PASSED, camera_id=self.camera_b.id, inspector_id=self.responsible_b.id, check_seal_number="S-B"))
        row_b._confirm_by_badge(self.responsible_b._bodycam_badge_payload(), "issue")
        row_b.action_issue()
        Log = self.env["mchs.bodycam.custody.log"]
        self.env.flush_all()
        # as the desk's steps append (the responsible person's caches are warm from the issues)
        with self.assertQueryCount(2):
            Log.with_user(self.responsible_user)._append(rows | row_b, "written")
        chain = __import__("odoo.addons.mchs_bodycam.lib.chain", fromlist=["chain"])
        for unit, count in ((self.unit_a, 4), (self.unit_b, 2)):
            entries = Log.search([("department_id", "=", unit.id)], order="sequence")
            self.assertEqual(entries.mapped("sequence"), list(range(1, count + 1)))
            self.assertEqual(entries.mapped("event"), ["issued"] * (count // 2) + ["written"] * (count // 2))
            self.assertIsNone(chain.first_break(list(Log._chain_entries(unit))))
            self.assertFalse(Log._unmatched(unit))

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
