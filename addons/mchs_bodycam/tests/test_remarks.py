from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CHECKS_PASSED, CustodyCase


@tagged("post_install", "-at_install")
class TestRemarks(CustodyCase):
    """Column 7: pauses (item 20), failures and replacement (item 21), corrections (item 9),
    seal incidents (item 8)."""

    def test_pause_and_resume_by_the_inspector(self):
        entry = self._issue()
        mine = entry.with_user(self.inspector_user)
        mine._pause("meal")
        self.assertTrue(entry.is_paused)
        with self.assertRaisesRegex(UserError, "already paused"):
            mine._pause("sanitary")
        with self.assertRaisesRegex(UserError, "Only the responsible person"):
            entry.with_user(self.other_inspector_user).sudo(False)._pause("meal")
        mine._resume(fields.Datetime.now())
        pause = entry.remark_ids
        self.assertEqual((pause.kind, pause.pause_reason, pause.signed_by_id), ("pause", "meal", self.inspector_user))
        self.assertEqual(pause.informed_employee_id, self.responsible)
        self.assertTrue(pause.pause_end)
        self.assertIn("Pause (item 20, Meal)", entry.remarks_text)
        self.assertIn("t.responsible informed", entry.remarks_text)
        with self.assertRaisesRegex(UserError, "not paused"):
            mine._resume(fields.Datetime.now())
        with self.assertRaisesRegex(UserError, "is locked"):
            pause.sudo().write({"pause_reason": "sanitary"})
        with self.assertRaisesRegex(UserError, "is kept"):
            pause.sudo().unlink()

    def test_pause_time_as_announced(self):
        entry = self._issue()
        wizard = Form(self.env["mchs.bodycam.custody.remark.wizard"].with_user(self.inspector_user).with_context(
            default_custody_id=entry.id, default_mode="pause"))
        wizard.pause_reason = "sanitary"
        # item 20: the time said on the recording, not the click's (not before the issue, not in the future)
        wizard.announced_at = entry.issue_datetime
        wizard.save().action_apply()
        self.assertEqual(entry.remark_ids.pause_start, entry.issue_datetime)

    def test_failure_cleared(self):
        entry = self._issue()
        entry.with_user(self.inspector_user)._report_failure("lens fogged")
        self.assertEqual(entry.activity_ids.user_id, self.responsible_user | self.head_user,
                         "head and responsible person notified at once")
        with self.assertRaisesRegex(UserError, "Only the responsible person"):
            entry.with_user(self.inspector_user).action_clear_failure()
        entry.action_clear_failure()
        self.assertIn("fault cleared", entry.remarks_text)
        self.assertFalse(entry.activity_ids)
        with self.assertRaisesRegex(UserError, "No failure is waiting"):
            entry.action_replace_after_failure()

    def test_failure_and_replacement(self):
        entry = self._issue()
        entry._report_failure("does not record")
        action = entry.action_replace_after_failure()
        replacement = self.Custody.browse(action["res_id"])
        self.assertEqual((entry.state, self.camera_a.state), ("returned", "repair"))
        request = entry.remark_ids.maintenance_request_id
        self.assertEqual(request.equipment_id, self.camera_a.equipment_id)
        self.assertIn("does not record", request.description)
        self.assertEqual((replacement.camera_id, replacement.inspector_id, replacement.replaces_custody_id),
                         (self.camera_a2, self.inspector, entry))
        replacement.write(dict(CHECKS_PASSED, check_seal_number="S-A2"))
        replacement._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
        replacement.action_issue()
        self.assertEqual(replacement.row_number, 2)
        self.assertIn("replaced by TSA-BC-00002 (row 2)", entry.remarks_text)
        # the failed entry's cards are downloaded and wiped as usual; the camera stays in repair
        entry.action_mark_downloaded()
        entry.action_close()
        self.assertEqual(self.card_a.state, "available")
        self.assertEqual(self.camera_a.state, "repair")

    def test_correction_keeps_the_struck_row(self):
        entry = self._issue()
        corrected = entry._correct("wrong inspector written", inspector_id=self.other_inspector,
                                   badge_payload=self.other_inspector._bodycam_badge_payload())
        self.assertTrue(entry.struck)
        self.assertEqual(entry.state, "issued", "the struck row stays as it was")
        self.assertEqual((corrected.row_number, corrected.inspector_id, corrected.state), (2, self.other_inspector, "issued"))
        self.assertEqual(self.camera_a.employee_id, self.other_inspector)
        self.assertIn("Struck through (item 9); corrected by row 2", entry.remarks_text)
        self.assertIn("wrong inspector written", entry.remarks_text)
        self.assertIn("Corrects row 1", corrected.remarks_text)
        self.assertEqual(entry.remark_ids.signed_by_id, self.responsible_user)
        with self.assertRaisesRegex(UserError, "not struck through"):
            entry._correct("again", inspector_id=self.inspector)
        for action in ("action_return", "action_mark_downloaded", "action_close"):
            with self.assertRaisesRegex(UserError, "Row 1 is struck through"):
                getattr(entry, action)()
        with self.assertRaisesRegex(UserError, "Row 1 is struck through"):
            entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        with self.assertRaisesRegex(UserError, "Say what was wrong"):
            corrected._correct(" ", inspector_id=self.inspector)
        with self.assertRaisesRegex(UserError, "Only the responsible person"):
            corrected.with_user(self.inspector_user)._correct("mine", inspector_id=self.inspector)
        # the struck row holds nothing: the corrected one is returned normally
        corrected._confirm_by_badge(self.other_inspector._bodycam_badge_payload(), "return")
        corrected.action_return()
        self.assertEqual(corrected.state, "returned")

    def test_seal_incident_at_return(self):
        entry = self._issue()
        wizard = Form(self.env["mchs.bodycam.custody.remark.wizard"].with_user(self.responsible_user).with_context(
            default_custody_id=entry.id, default_mode="seal"))
        wizard.found_seal_number = "S-A (broken)"
        wizard.new_seal_number = "S-B"
        wizard.note = "seal torn"
        wizard.save().action_apply()
        self.assertEqual(self.camera_a.seal_number, "S-B")
        self.assertEqual(self.camera_a.seal_ids.filtered(lambda s: s.number == "S-A").removal_reason, "broken")
        self.assertIn("Seal incident (item 8): found S-A (broken), new seal S-B; seal torn", entry.remarks_text)

    def test_remarks_in_order_in_column_7(self):
        entry = self._issue()
        entry._pause("sanitary")
        entry._resume(fields.Datetime.now())
        entry._report_failure("battery")
        entry.action_clear_failure()
        lines = entry.remarks_text.split("\n")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("Pause") and lines[1].startswith("Failure"))

    def test_dashboards(self):
        """The reporting views' groupings: failures per model, entries per inspector per month,
        bodycams by state per unit, overdue returns."""
        entry = self._issue()
        entry._report_failure("battery")
        failures = self.env["mchs.bodycam.custody.remark"]._read_group(
            [("kind", "=", "failure"), ("department_id", "=", self.unit_a.id)], ["camera_model"], ["__count"])
        self.assertEqual(failures, [("Test cam", 1)])
        per_inspector = self.env["mchs.bodycam.custody"]._read_group(
            [("state", "!=", "draft"), ("department_id", "=", self.unit_a.id)],
            ["inspector_id", "issue_datetime:month"], ["__count"])
        self.assertEqual([(inspector, count) for inspector, _month, count in per_inspector], [(self.inspector, 1)])
        by_state = dict(((unit, state), count) for unit, state, count in self.env["mchs.bodycam.camera"]._read_group(
            [("department_id", "=", self.unit_a.id)], ["department_id", "state"], ["__count"]))
        self.assertEqual(by_state, {(self.unit_a, "issued"): 1, (self.unit_a, "available"): 1})
        overdue = safe_eval(self.env.ref("mchs_bodycam.mchs_bodycam_custody_action_overdue").domain)
        self.assertFalse(self.env["mchs.bodycam.custody"].search(overdue + [("department_id", "=", self.unit_a.id)]))
        entry._lock_step({"is_overdue": True})  # what the overdue job does
        self.assertEqual(self.env["mchs.bodycam.custody"].search(overdue + [("department_id", "=", self.unit_a.id)]),
                         entry)

    def test_my_duty_screen_shows_own_bodycam_only(self):
        entry = self._issue()
        self._issue(camera=self.camera_a2, inspector=self.other_inspector)
        action = self.env.ref("mchs_bodycam.mchs_bodycam_custody_action_duty")
        mine = self.env["mchs.bodycam.custody"].with_user(self.inspector_user)
        domain = safe_eval(action.domain, {"uid": self.inspector_user.id})
        self.assertEqual(mine.search(domain), entry)
        # from that screen the inspector pauses, resumes and reports a failure (items 20, 21)
        wizard = Form(self.env["mchs.bodycam.custody.remark.wizard"].with_user(self.inspector_user).with_context(
            default_custody_id=entry.id, default_mode="failure"))
        wizard.cause = "lens cracked"
        wizard.save().action_apply()
        self.assertTrue(entry.has_open_failure)

    def test_desk_sees_the_corrected_row(self):
        entry = self._issue()
        corrected = entry._correct("wrong inspector", inspector_id=self.other_inspector,
                                   badge_payload=self.other_inspector._bodycam_badge_payload())
        scanned = self.Custody.desk_scan(self.camera_a._label_payload())
        self.assertEqual(scanned["entry"]["id"], corrected.id)
        returned = self.Custody.desk_return(self.camera_a.id, self.other_inspector._bodycam_badge_payload())
        self.assertEqual((returned["id"], corrected.state, entry.state), (corrected.id, "returned", "issued"))
