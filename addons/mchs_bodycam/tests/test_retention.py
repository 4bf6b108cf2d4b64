import os
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_date
from odoo.tools import mute_logger

from .common import RetentionCase


@tagged("post_install", "-at_install")
class TestRetention(RetentionCase):
    """Item 12: three years' retention, the year-end commission and its destruction act."""

    # ------------------------------------------------------------------ retention

    def test_retention_end_and_leap_days(self):
        Recording = self.env["mchs.bodycam.recording"]
        self.assertEqual(Recording._retention_end(date(2023, 6, 15), 3), date(2026, 6, 15))
        # a leap day's anniversary does not exist: kept until 1 March, never less than 3 years
        self.assertEqual(Recording._retention_end(date(2024, 2, 29), 3), date(2027, 3, 1))
        self.assertEqual(Recording._retention_end(date(2024, 2, 29), 4), date(2028, 2, 29))
        self.assertEqual(Recording._retention_end(date(2023, 3, 1), 1), date(2024, 3, 1))
        leap = self._old_recording("2024-02-29 10:00:00")
        ordinary = self._old_recording("2023-11-20 08:00:00")
        self.assertEqual(leap.retention_date, date(2027, 3, 1))
        self.assertEqual(ordinary.retention_date, date(2026, 11, 20))
        for today, due in (("2026-11-19", Recording), ("2026-11-20", ordinary), ("2027-02-28", ordinary),
                           ("2027-03-01", ordinary | leap)):
            with freeze_time(today):
                domain = Recording._retention_due_domain(date.fromisoformat(today))
                self.assertEqual(Recording.search(domain + [("id", "in", (leap | ordinary).ids)]), due, today)
        self.company.bodycam_retention_years = 5
        leap.invalidate_recordset(["retention_date"])
        self.assertEqual(leap.retention_date, date(2029, 3, 1))

    def test_retention_view_lists_this_years_due_per_unit(self):
        due = self._old_recording("2023-10-01 09:00:00")
        self._old_recording("2024-03-01 09:00:00")  # due in 2027
        with freeze_time("2026-11-25"):
            action = self.env["mchs.bodycam.recording"].with_user(self.head_user).action_open_retention()
        self.assertTrue(action["name"].endswith(format_date(self.env, date(2026, 12, 31))), action["name"])
        self.assertEqual(action["context"]["group_by"], ["department_id"])
        found = self.env["mchs.bodycam.recording"].with_user(self.head_user).search(action["domain"])
        self.assertEqual(found, due)
        # the menu's server action runs for the head and the responsible person, who cannot write recordings
        menu_action = self.env.ref("mchs_bodycam.mchs_bodycam_recording_action_retention")
        for user in (self.head_user, self.responsible_user):
            self.assertEqual(menu_action.with_user(user).run()["res_model"], "mchs.bodycam.recording")

    def test_invalid_retention_settings_refused(self):
        for value in (0, -1, "abc", "2.5", 1.5, True, ""):
            with self.subTest(value=value), self.assertRaisesRegex(ValidationError, "at least 3 years|whole number of years"):
                self.company.write({"bodycam_retention_years": value})
        self.assertEqual(self.company.bodycam_retention_years, 3, "nothing was stored")
        with self.assertRaisesRegex(ValidationError, "at least 3 years|whole number of years"):
            settings = Form(self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")))
            settings.bodycam_retention_years = 0
            settings.save().execute()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.cr.execute("UPDATE res_company SET bodycam_retention_years = 0 WHERE id = %s", [self.company.id])
        self.company.write({"bodycam_retention_years": "4"})
        self.assertEqual(self.company.bodycam_retention_years, 4)

    # ------------------------------------------------------------------ commission

    def test_commission_needs_three_distinct_roles_of_the_unit(self):
        Commission = self.env["mchs.bodycam.commission"].with_user(self.head_user)
        commission = Commission.create({"department_id": self.unit_a.id, "year": 2027, "member_ids": [
            (0, 0, {"employee_id": self.head.id, "role": "chairman"}),
            (0, 0, {"employee_id": self.responsible.id, "role": "responsible"})]})
        self.assertFalse(commission.can_act)
        with self.assertRaisesRegex(UserError, "anti-corruption"):
            commission.action_new_destruction()
        with self.assertRaisesRegex(UserError, "cannot act yet"):
            commission.action_new_audit()
        # the same person in two roles is one person: refused by the database
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            commission.write({"member_ids": [(0, 0, {"employee_id": self.head.id, "role": "anti_corruption"})]})
        # somebody of another unit cannot sit on it
        commission.write({"member_ids": [(0, 0, {"employee_id": self.responsible_b.id, "role": "anti_corruption"})]})
        self.assertIn("does not work in the unit", "; ".join(commission._composition_problems()))
        commission.member_ids.filtered(lambda m: m.role == "anti_corruption").unlink()
        commission.write({"member_ids": [(0, 0, {"employee_id": self.commission.id, "role": "anti_corruption"})]})
        self.assertTrue(commission.can_act)
        # one commission per unit and year
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            Commission.create({"department_id": self.unit_a.id, "year": 2027})
        # a chairman from the territorial body above the unit (its deputy head, item 12)
        parent = self.env["hr.department"].create({"name": "Territorial body (test)", "bodycam_code": "TTB"})
        self.unit_a.parent_id = parent
        deputy_user = new_test_user(self.env, login="t.deputy", groups="mchs_bodycam.group_bodycam_head")
        deputy = self.env["hr.employee"].create({"name": "Deputy head", "department_id": parent.id,
                                                 "user_id": deputy_user.id})
        commission.member_ids.filtered(lambda m: m.role == "chairman").employee_id = deputy
        self.assertIn("neither the designated head", "; ".join(commission._composition_problems()),
                      "a deputy head chairs once designated as such")
        self.env["mchs.bodycam.designation"].create({
            "department_id": parent.id, "role": "deputy_head", "employee_id": deputy.id, "date_start": "2020-01-01"})
        self.assertTrue(commission.can_act, commission._composition_problems())
        commission.member_ids.filtered(lambda m: m.role == "responsible").employee_id = \
            self.env["hr.employee"].create({"name": "Clerk above", "department_id": parent.id})
        self.assertFalse(commission.can_act, "only the chairman may come from above the unit")

    def test_seats_follow_the_designations(self):
        """item 12: a clerk as chairman and an inspector as the responsible person: the commission
        cannot act, and says why; once the seats are the designated people, it acts."""
        clerk_user, clerk = self._person("t.clerk", "group_bodycam_commission", self.unit_a)
        commission = self.env["mchs.bodycam.commission"].with_user(self.head_user).create({
            "department_id": self.unit_a.id, "year": 2027, "member_ids": [
                (0, 0, {"employee_id": clerk.id, "role": "chairman"}),
                (0, 0, {"employee_id": self.other_inspector.id, "role": "responsible"}),
                (0, 0, {"employee_id": self.commission.id, "role": "anti_corruption"})]})
        self.other_inspector_user.groups_id += self.env.ref("mchs_bodycam.group_bodycam_commission")
        self.assertFalse(commission.can_act)
        problems = "; ".join(commission._composition_problems())
        self.assertIn("t.clerk chairs, but is neither the designated head of Unit A (test)", problems)
        self.assertIn("t.inspector2 sits as responsible person, but is not designated so", problems)
        self.assertNotIn("t.commission", problems, "the anti-corruption officer is designated")
        for action in (commission.action_new_destruction, commission.action_new_audit):
            with self.assertRaisesRegex(UserError, "cannot act yet .*t.clerk chairs"):
                action()
        self.assertFalse(commission.destruction_ids or commission.audit_ids)
        # translated
        russian = commission.with_context(lang="ru_RU")._composition_problems()
        self.assertTrue(any("не назначен" in problem for problem in russian), russian)
        # the designated people take the seats
        commission.member_ids.filtered(lambda m: m.role == "chairman").employee_id = self.head
        commission.member_ids.filtered(lambda m: m.role == "responsible").employee_id = self.responsible
        self.assertTrue(commission.can_act, commission._composition_problems())
        # the anti-corruption officer's designation ends: the commission no longer acts
        self.env["mchs.bodycam.designation"].search([("role", "=", "anti_corruption")]).date_end = "2026-01-01"
        with freeze_time("2026-06-01"):
            self.assertIn("not designated so", "; ".join(commission._composition_problems()))

    def test_commission_isolation(self):
        self._old_recording("2023-01-01 10:00:00")
        act = self._act()
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        for record in (self.commission_record, act, act.line_ids, audit, self.commission_record.member_ids):
            with self.assertRaises(AccessError):
                record.with_user(self.inspector_user).read(["id"])
        for model in ("mchs.bodycam.destruction", "mchs.bodycam.destruction.line", "mchs.bodycam.audit",
                      "mchs.bodycam.commission.member"):
            self.assertFalse(self.env[model].with_user(self.responsible_b_user).search([]), model)
        # a member reads what the act decides on, not the registry of recordings (item 13)
        line = act.line_ids.with_user(self.commission_user)
        self.assertEqual(len(line.sha256), 64)
        with self.assertRaises(AccessError):
            line.recording_id.read(["filename"])
        self.assertFalse(self.env["mchs.bodycam.commission"].with_user(self.responsible_b_user).search([]))
        self.assertEqual(self.env["mchs.bodycam.commission"].with_user(self.commission_user).search([]),
                         self.commission_record)

    # ------------------------------------------------------------------ the act

    def test_act_proposes_due_recordings_never_held_ones(self):
        due = self._old_recording("2023-05-05 10:00:00")
        held = self._old_recording("2023-05-06 10:00:00")
        self._old_recording("2024-05-05 10:00:00")  # not due before 2027
        other_unit = self._old_recording("2023-05-07 10:00:00", camera=self.camera_b, unit=self.unit_b)
        self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, held.ids)], "basis_type": "request", "basis_number": "12/345",
            "basis_date": "2026-11-20", "issuing_body": "Prosecutor's office", "recipient": "both"})
        act = self._act()
        self.assertEqual(act.line_ids.recording_id, due)
        self.assertNotIn(held, act.line_ids.recording_id)
        self.assertNotIn(other_unit, act.line_ids.recording_id)
        self.assertEqual((act.line_count, act.destroy_count), (1, 1))
        with self.assertRaisesRegex(UserError, "still open"):
            self.commission_record.with_user(self.head_user).action_new_destruction()
        # a recording sits in one act at a time
        second = self.env["mchs.bodycam.destruction"].create({"commission_id": self.commission_record.id,
                                                              "place": "Almaty", "date": "2026-12-25"})
        self.assertEqual(second._propose(), 0)
        # numbered one after the other per commission; acts are cancelled, never deleted
        self.assertEqual((act.name, second.name), ("TSA-2026-1", "TSA-2026-2"))
        with self.assertRaisesRegex(UserError, "is kept"):
            second.unlink()
        second.action_cancel()
        self.assertEqual((second.state, second.line_count), ("cancelled", 0))

    def test_proposing_again_counts_what_it_proposed(self):
        for day in (1, 2, 3):
            self._old_recording(f"2023-01-0{day} 10:00:00")
        act = self._act()
        act.invalidate_recordset()
        act.with_user(self.head_user).action_repropose()
        self.assertEqual(act.line_count, 3)
        # stored in the unit's language (Kazakh), whoever or whatever proposed (issue 11)
        self.assertIn("Сақтау мерзімі өткен 3 бейнежазба ұсынылды", act.message_ids[0].body)

    def test_exclusion_needs_a_reason_and_a_member(self):
        first, second = self._old_recording("2023-01-10 10:00:00"), self._old_recording("2023-01-11 10:00:00")
        act = self._act()
        line = act.line_ids.filtered(lambda l: l.recording_id == first)
        with self.assertRaisesRegex(ValidationError, "why the recording is kept"):
            line.with_user(self.commission_user).write({"excluded": True})
        with self.assertRaisesRegex(UserError, "not a member"):
            line.with_user(self.responsible_b_user).write({"excluded": True, "exclusion_reason": "x"})
        line.with_user(self.commission_user).write({"excluded": True, "exclusion_reason": "Complaint pending"})
        self.assertEqual(line.excluded_by_id, self.commission_user)
        self.assertEqual((act.destroy_count, act.excluded_count), (1, 1))
        with self.assertRaisesRegex(UserError, "is locked"):
            line.with_user(self.head_user).write({"recording_id": second.id})
        act.with_user(self.head_user).action_confirm()
        with self.assertRaisesRegex(UserError, "is locked"):
            line.with_user(self.commission_user).write({"excluded": False})

    def test_act_needs_every_member_and_the_three_roles(self):
        recording = self._old_recording("2023-03-03 10:00:00")
        act = self._act()
        with self.assertRaisesRegex(UserError, "not a member"):
            act.with_user(self.responsible_b_user).action_confirm()
        self._confirm_all(act, self.member_users[:3])
        with self.assertRaisesRegex(UserError, "already confirmed"):
            act.with_user(self.head_user).action_confirm()
        self.assertEqual(act.state, "confirming")
        self.assertEqual(self._run(act), 0, "nothing runs before the last confirmation")
        self.assertTrue(all(os.path.exists(path) for path in self._paths(recording)))
        self.assertEqual(recording.state, "stored")
        # members no longer change once an act is confirmed
        with self.assertRaisesRegex(UserError, "is kept"):
            self.commission_record.member_ids[-1].unlink()
        # with a required role gone, the last confirmation is refused
        # (the database keeps the seats of a commission that acted: only its owner can force this)
        self.env.cr.execute("ALTER TABLE mchs_bodycam_commission_member DISABLE TRIGGER mchs_bodycam_commission_member_lock")
        self.env.cr.execute("UPDATE mchs_bodycam_commission_member SET role = 'member' WHERE role = 'anti_corruption'")
        self.env.cr.execute("ALTER TABLE mchs_bodycam_commission_member ENABLE TRIGGER mchs_bodycam_commission_member_lock")
        self.commission_record.member_ids.invalidate_recordset(["role"])
        with self.assertRaisesRegex(UserError, "anti-corruption"):
            act.with_user(self.other_inspector_user).action_confirm()
        self.assertEqual(act.state, "confirming")

    def test_last_confirmation_removes_both_copies_and_keeps_the_record(self):
        recordings = self._old_recording("2023-01-01 10:00:00") | self._old_recording("2023-02-01 10:00:00") | \
            self._old_recording("2023-03-01 10:00:00")
        kept = self._old_recording("2023-04-01 10:00:00")
        act = self._act()
        act.line_ids.filtered(lambda l: l.recording_id == kept).with_user(self.head_user).write(
            {"excluded": True, "exclusion_reason": "Asked for by the inspection department"})
        self._confirm_all(act)
        self.assertEqual(act.state, "destroying")
        steps = self._run(act, batch_size=2)
        self.assertEqual(steps, 4, "two batches moved aside, two removed, in committed steps")
        self.assertEqual(act.state, "done")
        self.assertEqual(act.progress, 100.0)
        for recording in recordings:
            self.assertFalse(any(os.path.exists(path) for path in self._paths(recording)), recording.sha256)
            self.assertEqual((recording.state, recording.destruction_id), ("destroyed", act))
            self.assertEqual(len(recording.sha256), 64, "the record keeps its SHA-256")
            self.assertTrue(recording.destroyed_at)
        self.assertEqual(kept.state, "stored")
        self.assertTrue(all(os.path.exists(path) for path in self._paths(kept)))
        for folder in self.folders:
            left = sorted(os.path.relpath(os.path.join(root, name), folder)
                          for root, dirs, files in os.walk(folder) for name in dirs + files
                          if not os.path.relpath(os.path.join(root, name), folder).startswith(".seals"))
            # the act's completion sealed the unit's journals on both locations (items 9, 13)
            self.assertTrue(os.listdir(os.path.join(folder, ".seals")))
            # the kept recording's file and its two folders, the empty staging and upload folders;
            # no act's staging folder, no emptied folders
            sha = kept.sha256
            self.assertEqual(left, [".destruction", ".incoming", sha[:2], f"{sha[:2]}/{sha[2:4]}",
                                    f"{sha[:2]}/{sha[2:4]}/{sha}"])
        # a destroyed recording cannot be held (item 14) nor opened any more
        with self.assertRaisesRegex(ValidationError, "only its record remains"):
            self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
                "recording_ids": [(6, 0, recordings[:1].ids)], "basis_type": "request", "basis_number": "1/1",
                "basis_date": "2026-11-20", "issuing_body": "Court", "recipient": "court"})
        wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.head_user).create({
            "recording_id": recordings[0].id, "purpose": "look", "password": "x"})
        with self.assertRaisesRegex(UserError, "destroyed"):
            wizard.action_open()

    def test_backup_failure_leaves_the_act_open_and_every_recording_intact(self):
        recordings = self._old_recording("2023-01-01 10:00:00") | self._old_recording("2023-02-01 10:00:00") | \
            self._old_recording("2023-03-01 10:00:00")
        act = self._act()
        # a file where the backup's staging folder should be: the backup location refuses the move
        blocker = os.path.join(self.folders[1], ".destruction")
        with open(blocker, "w") as handle:
            handle.write("in the way")
        self._confirm_all(act)
        self._run(act, batch_size=2)
        self.assertEqual(act.state, "failed")
        self.assertIn("backup", act.error)
        for recording in recordings:
            self.assertEqual(recording.state, "stored")
            self.assertTrue(recording._verify_copies(), "both copies in place and intact")
        self.assertEqual(set(act.line_ids.mapped("removal_state")), {"pending"})
        # once the location is fixed, retrying resumes and completes
        os.unlink(blocker)
        act.with_user(self.head_user).action_retry()
        self._run(act)
        self.assertEqual(act.state, "done")
        self.assertEqual(set(recordings.mapped("state")), {"destroyed"})

    def test_crash_halfway_resumes_consistently(self):
        recordings = self._old_recording("2023-01-01 10:00:00") | self._old_recording("2023-02-01 10:00:00") | \
            self._old_recording("2023-03-01 10:00:00")
        act = self._act()
        self._confirm_all(act)
        act._process_step(batch_size=2)  # committed: two recordings moved aside
        # a crash after moving the third aside but before its step committed
        sha = act.line_ids.filtered(lambda l: l.removal_state == "pending").recording_id.sha256
        for backend in self.storage._backends():
            backend.stage(sha, act._staging_name())
        self.assertEqual(act.state, "destroying")
        self.assertEqual(set(recordings.mapped("state")), {"stored"}, "nothing marked before every file is gone")
        self._run(act)
        self.assertEqual(act.state, "done")
        self.assertEqual(set(recordings.mapped("state")), {"destroyed"})
        self.assertFalse(any(os.path.exists(path) for recording in recordings for path in self._paths(recording)))

    def test_hold_during_removal_excludes_and_puts_back(self):
        recordings = self._old_recording("2023-01-01 10:00:00") | self._old_recording("2023-02-01 10:00:00")
        act = self._act()
        self._confirm_all(act)
        act._process_step(batch_size=1)
        staged = act.line_ids.filtered(lambda l: l.removal_state == "staged").recording_id
        self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, staged.ids)], "basis_type": "resolution", "basis_number": "2-1/26",
            "basis_date": "2026-11-20", "issuing_body": "Court", "recipient": "court"})
        self._run(act)
        self.assertEqual(act.state, "done")
        self.assertEqual(staged.state, "stored")
        self.assertTrue(staged._verify_copies(), "the held recording's files were put back")
        self.assertEqual((recordings - staged).state, "destroyed")

    def test_the_cron_job_runs_the_removal(self):
        recordings = self._old_recording("2023-01-01 10:00:00") | self._old_recording("2023-02-01 10:00:00")
        act = self._act()
        self._confirm_all(act)
        cron = self.env.ref("mchs_bodycam.ir_cron_process_destructions")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
                        "the last confirmation wakes the job up")
        self.assertEqual(act._work_left(), 2 * 2 + 1)
        for _step in range(3):  # the cron runs the step again at once while work is left
            cron.method_direct_trigger()
        self.assertEqual(act.state, "done")
        self.assertEqual(set(recordings.mapped("state")), {"destroyed"})

    def test_a_step_costs_the_same_queries_whatever_its_size(self):
        """No query per recording: a batch of 9 costs what a batch of 3 costs."""
        for day in range(1, 25):
            self._old_recording(f"2023-01-{day:02d} 10:00:00")
        act = self._act()
        self._confirm_all(act)
        self.assertEqual(self._step_queries(act, 3), self._step_queries(act, 9), "moving files aside")
        self._step_queries(act, 12)
        self.assertEqual(self._step_queries(act, 3), self._step_queries(act, 9), "removing them")

    def test_states_change_through_the_buttons_only(self):
        self._old_recording("2023-01-01 10:00:00")
        act = self._act()
        for vals in ({"state": "done"}, {"error": "x"}, {"name": "X-1"}, {"done_at": "2026-12-31 10:00:00"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "only through its buttons|is locked"):
                act.with_user(self.commission_user).write(vals)
        act.with_user(self.head_user).write({"place": "Almaty, Abay avenue 1"})
        act.with_user(self.head_user).action_confirm()
        with self.assertRaisesRegex(UserError, "is locked"):
            act.with_user(self.head_user).write({"date": "2026-12-31"})
        with self.assertRaisesRegex(UserError, "not possible now"):
            act.with_user(self.head_user).action_cancel()
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        with self.assertRaisesRegex(UserError, "only through its buttons"):
            audit.with_user(self.head_user).write({"file_count": 5})
        audit.with_user(self.head_user).write({"checker_id": self.responsible.id})
        audit.with_user(self.head_user).action_start()
        with self.assertRaisesRegex(UserError, "is locked"):
            self.commission_record.with_user(self.head_user).write({"year": 2027})
        with self.assertRaisesRegex(UserError, "is locked"):
            audit.with_user(self.head_user).write({"checker_id": self.head.id})

    def test_the_database_refuses_marking_outside_an_act(self):
        recording = self._old_recording("2023-01-01 10:00:00")
        act = self._act()
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "destruction act only"), \
                self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_recording SET state = 'destroyed', destruction_id = %s "
                            "WHERE id = %s", [act.id, recording.id])
        with self.assertRaises(UserError):
            recording.with_user(self.head_user).write({"state": "destroyed"})
        # even written by the superuser outside an act, the database refuses it
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "destruction act only"), \
                self.cr.savepoint():
            recording.sudo().write({"state": "destroyed"})
            recording.flush_recordset()

    def test_reviews_are_journaled(self):
        recording = self._old_recording("2023-01-01 10:00:00")
        self.storage.with_user(self.responsible_user)._set_password("special-pass-2026")
        act = self._act()
        action = act.line_ids.with_user(self.responsible_user).action_review()
        wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.responsible_user).with_context(
            **action["context"]).create({"password": "special-pass-2026"})
        self.assertIn(act.name, wizard.purpose)
        wizard.action_open()
        self.assertEqual(act.review_access_count, 1)
        row = self.env["mchs.bodycam.access"].search(act._review_domain())
        self.assertEqual((row.recording_id, row.user_id, row.result), (recording, self.responsible_user, "granted"))
