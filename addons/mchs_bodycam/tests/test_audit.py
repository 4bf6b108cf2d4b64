import os
import stat
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import mchs_bodycam_audit
from .common import RetentionCase


@tagged("post_install", "-at_install")
class TestAudit(RetentionCase):
    """Item 13: the commission's annual check of access and of the archive's integrity."""

    def setUp(self):
        super().setUp()
        self.storage.with_user(self.responsible_user)._set_password("special-pass-2026")
        self.recordings = [self._old_recording(f"2026-0{month}-10 10:00:00") for month in range(1, 6)]

    def _access(self, user, recording, result="granted", when="2026-06-01 09:00:00"):
        with freeze_time(when):
            return self.env["mchs.bodycam.access"].with_user(user)._log(
                recording, "view", "check", result, refusal="wrong special password" if result == "refused" else None)[0]

    def _audit(self):
        action = self.commission_record.with_user(self.head_user).action_new_audit()
        audit = self.env["mchs.bodycam.audit"].browse(action["res_id"])
        audit.with_user(self.commission_user).action_start()
        return audit

    def _kinds(self, audit):
        return sorted((f.kind, f.location or "") for f in audit.finding_ids)

    def test_clean_archive_and_journal_verify(self):
        self._access(self.head_user, self.recordings[0])
        self._access(self.responsible_user, self.recordings[1])
        self._access(self.head_user, self.recordings[2], when="2025-06-01 09:00:00")  # another year
        audit = self._audit()
        self.assertEqual(audit.checker_id, self.head, "the chairman checks by default")
        steps = self._run(audit, batch_size=2)
        self.assertGreaterEqual(steps, 4, "the recordings are hashed in committed steps")
        self.assertEqual(audit.state, "done")
        self.assertEqual(audit.finding_ids.mapped("kind"), [])
        self.assertTrue(audit.chain_ok)
        self.assertEqual((audit.access_count, audit.recording_checked, audit.file_count), (2, 5, 10))
        self.assertEqual(audit.byte_count, 2 * sum(r.size for r in self.recordings))

    def test_detects_missing_changed_unknown_mismatch(self):
        primary, backup = self.storage._backends()
        missing, changed, mismatch = self.recordings[0], self.recordings[1], self.recordings[2]
        os.unlink(backup.path(missing.sha256))
        path = primary.path(changed.sha256)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with open(path, "r+b") as handle:  # one byte changed
            first = handle.read(1)
            handle.seek(0)
            handle.write(bytes([first[0] ^ 1]))
        path = backup.path(mismatch.sha256)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with open(path, "ab") as handle:
            handle.write(b"appended")
        unknown = "f" * 64
        os.makedirs(os.path.dirname(primary.path(unknown)))
        with open(primary.path(unknown), "wb") as handle:
            handle.write(b"planted")
        audit = self._audit()
        self._run(audit, batch_size=2)
        self.assertEqual(self._kinds(audit), sorted([
            ("missing", "backup"), ("mismatch", ""),
            ("changed", "primary"), ("mismatch", ""),
            ("changed", "backup"), ("mismatch", ""),
            ("unknown", "primary"),
        ]))
        by_kind = {(f.kind, f.location or ""): f for f in audit.finding_ids}
        self.assertEqual(by_kind[("missing", "backup")].recording_id, missing)
        self.assertEqual(by_kind[("changed", "primary")].recording_id, changed)
        self.assertEqual(by_kind[("changed", "backup")].recording_id, mismatch)
        self.assertEqual(by_kind[("unknown", "primary")].sha256, unknown)
        self.assertIn("hashes to", by_kind[("unknown", "primary")].detail_text)
        self.assertEqual(audit.file_count, 9 + 1, "each file present read once, the unknown one too")

    def test_detects_broken_chain_other_people_and_refusals(self):
        first = self._access(self.head_user, self.recordings[0])
        self._access(self.responsible_user, self.recordings[1], when="2026-06-02 09:00:00")
        outsider = self._access(self.other_inspector_user, self.recordings[1], when="2026-06-03 09:00:00")
        refused = self._access(self.commission_user, self.recordings[2], result="refused", when="2026-06-04 09:00:00")
        # somebody rewrote a row behind the guard's back
        self.env.flush_all()
        self.cr.execute("ALTER TABLE mchs_bodycam_access DISABLE TRIGGER mchs_bodycam_access_lock")
        self.cr.execute("UPDATE mchs_bodycam_access SET purpose = 'rewritten' WHERE id = %s", [first.id])
        self.cr.execute("ALTER TABLE mchs_bodycam_access ENABLE TRIGGER mchs_bodycam_access_lock")
        self.env["mchs.bodycam.access"].invalidate_model()
        audit = self._audit()
        self._run(audit)
        self.assertFalse(audit.chain_ok)
        findings = {f.kind: f for f in audit.finding_ids}
        self.assertEqual(findings["chain"].access_id, first)
        self.assertEqual(findings["unauthorized"].access_id, outsider)
        self.assertEqual(findings["refused"].access_id, refused)
        # the seals' verification (bodycam_verify) reports the broken chain too
        self.assertIn("access_chain", findings["integrity"].detail)
        self.assertFalse(audit.seals_ok)
        self.assertEqual(len(audit.finding_ids), 4)

    def test_year_is_the_units_local_year(self):
        # 1 January 2027, 01:00 in Almaty is still 2026 in UTC: it belongs to the 2027 audit
        self.unit_a.bodycam_calendar_id = self.env["resource.calendar"].create(
            {"name": "Almaty hours (test)", "tz": "Asia/Almaty"})
        self._access(self.head_user, self.recordings[0], when="2026-12-31 20:00:00")
        inside = self._access(self.other_inspector_user, self.recordings[0], when="2026-12-31 18:30:00")
        audit = self._audit()
        self._run(audit)
        self.assertEqual(audit.access_count, 1)
        self.assertEqual(audit.finding_ids.access_id, inside, "23:30 on 31 December in Almaty is in 2026")

    def test_resumes_where_it_stopped(self):
        audit = self._audit()
        audit._process_step(batch_size=2)  # the access journal
        audit._process_step(batch_size=2)  # two recordings
        self.assertEqual((audit.phase, audit.recording_checked), ("files", 2))
        checked_up_to = audit.cursor_recording_id
        # the job dies; the next run starts after the last committed step
        self._run(audit, batch_size=2)
        self.assertEqual(audit.state, "done")
        self.assertEqual(audit.recording_checked, 5)
        self.assertEqual(audit.file_count, 10, "no file hashed twice")
        self.assertGreater(audit.cursor_recording_id, checked_up_to)

    def test_a_step_costs_the_same_queries_whatever_its_size(self):
        for month in range(1, 10):
            self._old_recording(f"2025-0{month}-20 10:00:00")
        audit = self._audit()
        audit._process_step()  # the access journal
        self.assertEqual(self._step_queries(audit, 2), self._step_queries(audit, 6), "hashing the recordings' copies")

    def test_a_step_stays_within_its_byte_budget(self):
        """Large recordings: a step hashes no more than BATCH_BYTES, and at least one recording."""
        audit = self._audit()
        audit._process_step()  # the access journal
        with patch.object(mchs_bodycam_audit, "BATCH_BYTES", 3 * 2 * self.recordings[0].size):
            audit._process_step(batch_size=100)
            self.assertEqual(audit.recording_checked, 3)
        with patch.object(mchs_bodycam_audit, "BATCH_BYTES", 1):
            audit._process_step(batch_size=100)
            self.assertEqual(audit.recording_checked, 4)

    def test_the_cron_job_runs_the_audit(self):
        audit = self._audit()
        cron = self.env.ref("mchs_bodycam.ir_cron_process_audits")
        for _step in range(10):
            cron.method_direct_trigger()
            if audit.state == "done":
                break
        self.assertEqual((audit.state, audit.file_count), ("done", 10))

    def test_a_step_with_nothing_to_hash_moves_on_at_once(self):
        """item 13: the access journal's step hashes no file; it still reports progress, so that
        ir.cron runs the next step at once instead of at the job's next interval (an hour), and
        a trigger wakes the cron workers when ir.cron stops after its ten steps in a row.
        (tests/test_integrity_server.py runs a whole audit through a real server's cron.)"""
        audit = self._audit()
        cron = self.env.ref("mchs_bodycam.ir_cron_process_audits")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        _cron, progress = cron._add_progress()
        self.env["mchs.bodycam.audit"].with_context(ir_cron_progress_id=progress.id)._cron_process(batch_size=2)
        self.assertEqual((audit.phase, audit.recording_checked), ("files", 0))
        self.assertEqual(progress.done, 1)
        self.assertEqual(progress.remaining, 5, "the recordings to hash")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    def test_destroyed_files_left_behind_are_reported(self):
        act = self._act(on_date="2029-12-31")
        self._confirm_all(act)
        self._run(act)
        self.assertEqual(act.state, "done")
        gone = self.recordings[0]
        primary = self.storage._backends()[0]
        os.makedirs(os.path.dirname(primary.path(gone.sha256)), exist_ok=True)
        with open(primary.path(gone.sha256), "wb") as handle:
            handle.write(b"restored from an old tape")
        audit = self._audit()
        self._run(audit)
        self.assertEqual(self._kinds(audit), [("not_destroyed", "primary")])

    def test_only_members_start_and_fill_appendix_2(self):
        row = self._access(self.head_user, self.recordings[0])
        action = self.commission_record.with_user(self.head_user).action_new_audit()
        audit = self.env["mchs.bodycam.audit"].browse(action["res_id"])
        with self.assertRaisesRegex(UserError, "not a member"):
            audit.with_user(self.admin_user).action_start()
        audit.with_user(self.head_user).action_start()
        with self.assertRaisesRegex(UserError, "already started"):
            audit.with_user(self.head_user).action_start()
        with freeze_time("2026-12-28 10:00:00"):
            self._run(audit)
        self.assertEqual(audit.done_at, datetime(2026, 12, 28, 10, 0))
        cells = audit._journal_cells(row, lambda value: value.strftime("%d.%m.%Y %H:%M"))
        checker, checked, results = cells[row.id]
        self.assertIn(self.head.name, checker)
        self.assertEqual(checked, "28.12.2026 10:00")
        self.assertEqual(results, "No violations")
