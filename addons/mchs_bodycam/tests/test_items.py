"""Items 9, 12, 15, 18-19, 20, 22 and 23 of the Instruction as the journal, the registry and the
access journal enforce them, each refusal in the user's language (issue 11)."""
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..lib.storage import store_stream
from ..models.mchs_bodycam_custody import CHECKLIST
from .common import StorageCase

# 09:00 in Almaty (UTC+5): the units' time zone when they have no calendar of their own
MORNING = datetime(2026, 11, 2, 4, 0)


@tagged("post_install", "-at_install")
class TestItems(StorageCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["res.lang"]._activate_lang("kk_KZ")

    # ------------------------------------------------------------------ helpers

    def _issue_at(self, moment, camera=None, inspector=None):
        with freeze_time(moment):
            return self._issue(camera, inspector)

    def _return_at(self, entry, moment):
        with freeze_time(moment):
            entry._confirm_by_badge(entry.inspector_id._bodycam_badge_payload(), "return")
            entry.action_return()

    def _record(self, entry, start, end):
        """A recording of the duty, stored on both locations (as a dock would)."""
        body = f"{entry.id} {start} {end}".encode() * 20
        sha256, size = store_stream(iter([body]), self.storage._backends())
        return self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": sha256, "size": size, "storage_id": self.storage.id, "department_id": entry.department_id.id,
            "camera_id": entry.camera_id.id, "custody_id": entry.id, "device_start": start, "device_end": end,
            "start": start, "end": end, "filename": f"REC_{start:%H%M}.mp4"})

    def _close_at(self, entry, moment):
        with freeze_time(moment):
            if entry.state == "returned":
                entry.action_mark_downloaded()
            entry.action_close()

    def _in(self, lang, record):
        return record.with_context(lang=lang)

    # ------------------------------------------------------------------ item 12

    def test_item12_retention_below_three_years_refused(self):
        company = self.env.company
        for value in (0, 1, 2):
            with self.assertRaisesRegex(ValidationError, "at least 3 years"):
                company.write({"bodycam_retention_years": value})
        with self.assertRaisesRegex(ValidationError, "не менее 3 лет"):
            company.with_context(lang="ru_RU").write({"bodycam_retention_years": 1})
        with self.assertRaisesRegex(ValidationError, "кемінде 3 жыл"):
            company.with_context(lang="kk_KZ").write({"bodycam_retention_years": 2})
        # not even Odoo's database role writes a shorter period
        with self.assertRaises(Exception), self.cr.savepoint():
            self.cr.execute("UPDATE res_company SET bodycam_retention_years = 1 WHERE id = %s", [company.id])
        company.write({"bodycam_retention_years": 5})
        self.assertEqual(company.bodycam_retention_years, 5)

    # ------------------------------------------------------------------ item 15

    def test_item15_placement_is_a_check_of_the_pre_use_checklist(self):
        self.assertIn("check_placement", CHECKLIST)
        checklist = self.env["mchs.bodycam.custody"].with_context(lang="ru_RU").desk_setup()["checklist"]
        placement = next(item for item in checklist if item["key"] == "check_placement")
        self.assertEqual(placement["label"], "Закреплён на груди ближе к плечу")
        self.assertIn("не препятствуя действиям инспектора", placement["help"])
        entry = self._draft(check_placement=False)
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "issue")
        with self.assertRaisesRegex(UserError, "Worn on the chest near the shoulder"):
            entry.action_issue()
        with self.assertRaisesRegex(UserError, "Кеудеде иыққа жақын бекітілген"):
            entry.with_context(lang="kk_KZ").action_issue()
        entry.write({"check_placement": True})
        entry.action_issue()
        self.assertEqual(entry.state, "issued")

    # ------------------------------------------------------------------ items 18, 19

    def test_items18_19_duty_without_recordings_is_flagged_and_told(self):
        entry = self._issue_at(MORNING)
        self._return_at(entry, MORNING + timedelta(hours=8))
        self._close_at(entry, MORNING + timedelta(hours=9))
        self.assertEqual([flag["kind"] for flag in entry.sudo().duty_flags], ["no_recordings"])
        self.assertEqual(entry.recording_gap_count, 1)
        remarks = self._in("ru_RU", entry).remarks_text
        self.assertIn("нет записи за время дежурства (02.11.2026 09:00 - 02.11.2026 17:00)", remarks)
        activities = entry.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mchs_bodycam.mail_activity_type_recording_check"))
        self.assertEqual(activities.user_id, self.responsible_user | self.head_user)

    def test_items18_19_late_start_break_and_early_end(self):
        entry = self._issue_at(MORNING)
        self._record(entry, MORNING + timedelta(minutes=40), MORNING + timedelta(hours=2))
        self._record(entry, MORNING + timedelta(hours=3), MORNING + timedelta(hours=6))
        self._return_at(entry, MORNING + timedelta(hours=8))
        self._close_at(entry, MORNING + timedelta(hours=9))
        self.assertEqual([flag["kind"] for flag in entry.sudo().duty_flags], ["late_start", "break", "early_end"])
        text = self._in("kk_KZ", entry).remarks_text
        self.assertIn("бейнежазба кеш басталды: 02.11.2026 09:00 - 02.11.2026 09:40, 40 мин", text)
        self.assertIn("бейнежазбадағы үзіліс: 02.11.2026 11:00 - 02.11.2026 12:00, 60 мин", text)
        self.assertIn("бейнежазба ерте аяқталды: 02.11.2026 15:00 - 02.11.2026 17:00, 120 мин", text)

    def test_items18_19_declared_pause_explains_a_break(self):
        entry = self._issue_at(MORNING)
        self._record(entry, MORNING + timedelta(minutes=1), MORNING + timedelta(hours=4))
        with freeze_time(MORNING + timedelta(hours=4, minutes=1)):
            entry.with_user(self.inspector_user)._pause("meal", MORNING + timedelta(hours=4))
        with freeze_time(MORNING + timedelta(hours=5)):
            entry.with_user(self.inspector_user)._resume(MORNING + timedelta(hours=4, minutes=50))
        self._record(entry, MORNING + timedelta(hours=4, minutes=50), MORNING + timedelta(hours=8))
        self._return_at(entry, MORNING + timedelta(hours=8, minutes=1))
        self._close_at(entry, MORNING + timedelta(hours=9))
        self.assertFalse(entry.sudo().duty_flags)
        self.assertEqual(entry.recording_gap_count, 0)

    # ------------------------------------------------------------------ item 20

    def test_item20_resume_at_the_time_announced_and_acknowledged(self):
        entry = self._issue_at(MORNING)
        mine = entry.with_user(self.inspector_user)
        with freeze_time(MORNING + timedelta(hours=4, minutes=2)):
            mine._pause("meal", MORNING + timedelta(hours=4))
        pause = entry.remark_ids
        pause_activity = entry.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mchs_bodycam.mail_activity_type_pause"))
        self.assertEqual(pause_activity.user_id, self.responsible_user, "the responsible person is told")
        with freeze_time(MORNING + timedelta(hours=5)):
            # the resume is a form asking the time announced, not the click time
            action = mine.action_resume()
            self.assertEqual(action["context"]["default_mode"], "resume")
            with self.assertRaisesRegex(UserError, "before the pause"):
                mine._resume(MORNING + timedelta(hours=3))
            with self.assertRaisesRegex(UserError, "раньше, чем перерыв"):
                mine.with_context(lang="ru_RU")._resume(MORNING + timedelta(hours=3))
            with self.assertRaisesRegex(UserError, "in the future"):
                mine._resume(MORNING + timedelta(hours=6))
            with self.assertRaisesRegex(UserError, "Enter the time announced"):
                mine._resume(False)
            mine._resume(MORNING + timedelta(hours=4, minutes=45))
        self.assertEqual(pause.pause_end, MORNING + timedelta(hours=4, minutes=45))
        self.assertEqual(pause.resume_entered_at, MORNING + timedelta(hours=5))
        self.assertEqual(pause.resumed_by_id, self.inspector_user)
        with self.assertRaisesRegex(UserError, "Only the responsible person"):
            mine.action_acknowledge_pause()
        with freeze_time(MORNING + timedelta(hours=5, minutes=10)):
            entry.action_acknowledge_pause()
        self.assertEqual(pause.acknowledged_by_id, self.responsible_user)
        self.assertFalse(entry.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mchs_bodycam.mail_activity_type_pause")))
        self.assertIn("13:00 - 02.11.2026 13:45 по объявлению", self._in("ru_RU", entry).remarks_text)
        self.assertRegex(self._in("ru_RU", entry).remarks_text, r"подтвердил\(а\) t\.responsible.* в 02\.11\.2026 14:10")
        with self.assertRaisesRegex(UserError, "Бұл жолда расталатын үзіліс жоқ"):
            entry.with_context(lang="kk_KZ").action_acknowledge_pause()
        with self.assertRaisesRegex(UserError, "is locked"):
            pause.sudo().write({"pause_end": MORNING + timedelta(hours=4, minutes=20)})

    # ------------------------------------------------------------------ item 23

    def test_item23_loss_while_out_closes_the_row_as_an_incident(self):
        entry = self._issue_at(MORNING)
        with self.assertRaisesRegex(UserError, "report its loss, damage or failure on that row"):
            self.camera_a.action_mark_lost()
        with self.assertRaisesRegex(UserError, "журналдың .*-жолы бойынша"):
            self.camera_a.with_context(lang="kk_KZ").action_mark_lost()
        with self.assertRaisesRegex(UserError, "Укажите, что произошло"):
            entry.with_user(self.inspector_user).with_context(lang="ru_RU")._report_incident("loss", " ")
        with freeze_time(MORNING + timedelta(hours=3)):
            remark = entry.with_user(self.inspector_user)._report_incident("loss", "fell into the river at the site")
        self.assertEqual(entry.state, "incident")
        self.assertEqual(entry.closed_datetime, MORNING + timedelta(hours=3))
        self.assertEqual(self.camera_a.state, "lost")
        self.assertEqual(set((self.card_a | self.card_a2).mapped("state")), {"lost"})
        self.assertEqual(remark.signed_by_id, self.inspector_user)
        self.assertIn("Утеря видеорегистратора, сообщено 02.11.2026 12:00 (пункт 23)",
                      self._in("ru_RU", entry).remarks_text)
        incident = entry.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mchs_bodycam.mail_activity_type_incident"))
        self.assertEqual(incident.user_id, self.responsible_user | self.head_user)
        # the inspector is free again; the row is closed and nothing more is written on it
        with self.assertRaisesRegex(UserError, "Only a bodycam that is out"):
            entry._report_incident("damage", "again")
        self._issue_at(MORNING + timedelta(hours=4), camera=self.camera_a2)

    def test_item23_damage_sends_the_bodycam_to_repair(self):
        entry = self._issue_at(MORNING)
        with freeze_time(MORNING + timedelta(hours=2)):
            entry._report_incident("damage", "screen cracked")
        self.assertEqual((entry.state, self.camera_a.state), ("incident", "repair"))
        self.assertEqual(set((self.card_a | self.card_a2).mapped("state")), {"available"})

    # ------------------------------------------------------------------ item 9

    def test_item9_correction_supersedes_the_bodycam_with_its_own_signatures(self):
        entry = self._issue_at(MORNING)
        with freeze_time(MORNING + timedelta(minutes=30)):
            with self.assertRaisesRegex(UserError, "Nothing differs from row"):
                entry._correct("nothing", camera_id=self.camera_a)
            with self.assertRaisesRegex(UserError, "cannot be corrected on a journal row"):
                entry._correct("no", seal_number="X")
            with self.assertRaisesRegex(UserError, "в будущем"):
                entry.with_context(lang="ru_RU")._correct("late", issue_datetime=MORNING + timedelta(hours=2))
            corrected = entry._correct("the other bodycam was handed over", camera_id=self.camera_a2)
        self.assertTrue(entry.struck)
        self.assertEqual((corrected.camera_id, corrected.card_ids), (self.camera_a2, self.card_a3))
        self.assertEqual(self.camera_a.state, "available", "the bodycam written by mistake is back")
        self.assertEqual((self.camera_a2.state, self.camera_a2.employee_id), ("issued", self.inspector))
        # the same inspector: their receipt confirmation stands on the new row (column 4)
        self.assertEqual(corrected.issue_confirmed_at, entry.issue_confirmed_at)
        self.assertEqual(corrected.issue_confirmation, "badge")
        self.assertIn("Исправляет строку", self._in("ru_RU", corrected).remarks_text)
        self.assertIn("Видеорегистратор", self._in("ru_RU", corrected).remarks_text)

    def test_item9_correction_to_another_inspector_needs_their_badge(self):
        entry = self._issue_at(MORNING)
        with freeze_time(MORNING + timedelta(minutes=30)):
            with self.assertRaisesRegex(UserError, "confirms the corrected row with their own badge"):
                entry._correct("wrong person", inspector_id=self.other_inspector)
            with self.assertRaisesRegex(UserError, "not the badge of"):
                entry._correct("wrong person", inspector_id=self.other_inspector,
                               badge_payload=self.inspector._bodycam_badge_payload())
            corrected = entry._correct("wrong person", inspector_id=self.other_inspector,
                                       badge_payload=self.other_inspector._bodycam_badge_payload())
        self.assertEqual(corrected.inspector_id, self.other_inspector)
        self.assertEqual(corrected.issue_confirmed_at, MORNING + timedelta(minutes=30))
        self.assertEqual(self.camera_a.employee_id, self.other_inspector)

    def test_item9_correction_of_a_time(self):
        entry = self._issue_at(MORNING)
        self._return_at(entry, MORNING + timedelta(hours=8))
        with freeze_time(MORNING + timedelta(hours=9)):
            with self.assertRaisesRegex(UserError, "out of order"):
                entry._correct("typo", return_datetime=MORNING - timedelta(hours=1))
            corrected = entry._correct("returned at 16:30", return_datetime=MORNING + timedelta(hours=7, minutes=30))
        self.assertEqual(corrected.return_datetime, MORNING + timedelta(hours=7, minutes=30))
        self.assertEqual(corrected.return_confirmed_at, entry.return_confirmed_at)
        self.assertEqual(corrected.state, "returned")

    # ------------------------------------------------------------------ item 22

    def test_item22_download_needs_a_legal_basis_viewing_does_not(self):
        self.storage.with_user(self.responsible_user)._set_password("special-pass-2026")
        entry = self._issue()
        now = fields.Datetime.now().replace(microsecond=0)
        recording = self._record(entry, now - timedelta(minutes=30), now - timedelta(minutes=10))
        Basis = self.env["mchs.bodycam.legal.basis"].with_user(self.responsible_user)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            Basis.create({"department_id": self.unit_a.id, "kind": "request", "number": "1",
                          "date": fields.Date.today() + timedelta(days=3), "authority": "Prosecutor"})
        basis = Basis.create({"department_id": self.unit_a.id, "kind": "request", "number": "2-04-26/1187",
                              "date": fields.Date.today(), "authority": "Алматы қаласының прокуратурасы"})
        foreign = self.env["mchs.bodycam.legal.basis"].create({
            "department_id": self.unit_b.id, "kind": "order", "number": "9", "date": fields.Date.today(),
            "authority": "Court"})
        with self.assertRaisesRegex(UserError, "is locked|not allowed|cannot"):
            basis.write({"number": "changed"})

        def open_(action, legal_basis=None, lang="en_US"):
            wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.responsible_user).with_context(
                lang=lang).create({"recording_id": recording.id, "action": action, "purpose": "court request",
                                   "password": "special-pass-2026",
                                   "legal_basis_id": legal_basis.id if legal_basis else False})
            return wizard.action_open()

        with self.assertRaisesRegex(UserError, "downloaded only on a legal basis"):
            open_("download")
        with self.assertRaisesRegex(UserError, "только по правовому основанию"):
            open_("download", lang="ru_RU")
        with self.assertRaisesRegex(UserError, "legal basis of another unit"):
            open_("download", foreign)
        Access = self.env["mchs.bodycam.access"]
        refused = Access.search([("recording_id", "=", recording.id), ("result", "=", "refused")], order="sequence")
        self.assertEqual(refused.mapped("refusal"), ["no_legal_basis", "no_legal_basis", "foreign_legal_basis"])
        self.assertEqual(refused[0].with_context(lang="kk_KZ").refusal_label,
                         "жүктеуге немесе экспортқа құқықтық негіз жоқ (22-тармақ)")
        self.assertTrue(open_("view"), "viewing for review (item 5) needs no legal basis")
        self.assertIn("download=1", open_("download", basis)["url"])
        granted = Access.search([("recording_id", "=", recording.id), ("result", "=", "granted")], order="sequence")
        self.assertEqual(granted.mapped("action"), ["view", "download"])
        self.assertEqual(granted.mapped("legal_basis_id"), basis)
        self.assertIn("на основании: Запрос № 2-04-26/1187 от",
                      granted[-1].with_context(lang="ru_RU")._journal_detail())
        self.assertFalse(Access._verify_chain(self.unit_a), "the basis is part of the chained row")
