import os
import re
from datetime import timedelta

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..lib.storage import store_stream
from .common import RetentionCase
from .test_reports import PdfReportMixin, flat, pdf_text, printed_row_heights

TZ = "Asia/Almaty"


def compact(text):
    """PDF text without any white space: a SHA-256 broken over lines reads in one piece."""
    return "".join(text.split())


@tagged("post_install", "-at_install")
class TestRetentionReports(PdfReportMixin, RetentionCase, HttpCase):
    """The commission's printed acts, as real PDFs in Kazakh and in Russian: the destruction
    act (item 12) and the annual check of access and of the archive's integrity (item 13)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # members with real names and positions (item 12: the head chairs)
        for employee, name, job in (
                (cls.head, "Ерлан Сапарұлы", "Бөлім бастығы"),
                (cls.responsible, "Айгүл Нұрланқызы", "Аға инспектор"),
                (cls.commission, "Бауыржан Қайратұлы", "Сыбайлас жемқорлыққа қарсы іс-қимыл жөніндегі маман"),
                (cls.other_inspector, "Дина Серікқызы", "Инспектор"),
                (cls.inspector, "Асқар Мұратұлы", "Мемлекеттік инспектор")):
            employee.write({"name": name, "job_title": job})
        cls.unit_a.name = "Алматы қаласының ТЖД (сынақ)"
        cls.members = (cls.head, cls.responsible, cls.commission, cls.other_inspector)

    # ------------------------------------------------------------------ helpers

    def _recording(self, start, camera, custody=None):
        """As RetentionCase._old_recording, with the journal entry (and so the inspector)."""
        start = fields.Datetime.to_datetime(start)
        sha256, size = store_stream(iter([f"recording of {start} on {camera.id}".encode() * 60]),
                                    self.storage._backends())
        return self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": sha256, "size": size, "storage_id": self.storage.id, "department_id": self.unit_a.id,
            "camera_id": camera.id, "custody_id": custody.id if custody else False,
            "device_start": start, "device_end": start + timedelta(minutes=45), "start": start,
            "end": start + timedelta(minutes=45), "filename": f"REC_{start:%Y%m%d%H%M}.mp4"})

    def _render(self, xmlid, records, lang=None, user=None):
        pdf = self.render_pdf(xmlid, records, user=user, tz=TZ, **({"mchs_lang": lang} if lang else {}))
        if os.environ.get("MCHS_KEEP_PDF"):  # to look at the layout
            with open(os.path.join(os.environ["MCHS_KEEP_PDF"], f"{self._testMethodName}-{lang}.pdf"), "wb") as out:
                out.write(pdf)
        # the content-stream order: a cell wrapped on several lines stays in one piece
        return pdf_text(pdf, "-raw")

    @staticmethod
    def _local(value):
        return pytz.utc.localize(value).astimezone(pytz.timezone(TZ)).strftime("%d.%m.%Y %H:%M")

    def _completed_act(self):
        """Three recordings past their retention on 25.12.2026: two destroyed, one kept with a
        reason by the anti-corruption officer; every member confirmed, the job ran (item 12)."""
        custody = self._issue()
        self.destroyed = self._recording("2023-03-14 04:30:00", self.camera_a, custody) | \
            self._recording("2023-07-02 19:05:00", self.camera_a2)
        self.kept = self._recording("2023-05-20 08:00:00", self.camera_a, custody)
        act = self._act()
        self.assertEqual(act.line_ids.recording_id, self.destroyed | self.kept)
        act.line_ids.filtered(lambda line: line.recording_id == self.kept).with_user(self.commission_user).write(
            {"excluded": True, "exclusion_reason": "Шағым қаралуда / жалоба на рассмотрении"})
        self._confirm_all(act)
        self._run(act)
        self.assertEqual(act.state, "done")
        self.assertEqual((act.destroy_count, act.excluded_count), (2, 1))
        return act

    def _assert_act_common(self, act, text):
        """What either language prints of a completed act."""
        flat_text, packed = flat(text), compact(text)
        self.assertIn(act.name, flat_text)
        self.assertIn(act.date.strftime("%d.%m.%Y"), flat_text)
        self.assertIn("Алматы қаласының ТЖД (сынақ)", flat_text)
        for member in self.members:
            self.assertIn(member.name, flat_text)
            self.assertIn(member.job_title, flat_text)
        self.assertIn("No. 12-k of 1 December 2026", flat_text, "the chairman's decision")
        self.assertIn("495", flat_text)
        for recording in self.destroyed:
            self.assertIn(recording.camera_id.inventory_number, flat_text)
            self.assertIn(recording.sha256, packed)
            self.assertIn(compact(f"{self._local(recording.start)} – {self._local(recording.end)}"), packed)
        self.assertIn("Асқар Мұратұлы", flat_text, "the inspector of the journal entry")
        # the kept recording is listed with its reason, never among the destroyed ones
        self.assertIn("Шағым қаралуда / жалоба на рассмотрении", flat_text)
        self.assertNotIn(self.kept.sha256, packed)
        size = int(sum(self.destroyed.mapped("size")))
        self.assertIn(f"{size:,}".replace(",", " ") + " байт", flat_text)
        self.assertIn(self._local(act.done_at), flat_text)
        return flat_text

    # ------------------------------------------------------------------ item 12: the act

    def test_long_act_pages(self):
        """Layout (issue 11): a 150-line act repeats its table's headings and prints "N / M" and its
        number on every page, never splits a row over two pages, and keeps the signatures with
        the last rows."""
        start = fields.Datetime.to_datetime("2023-02-01 04:00:00")
        recordings = self.env["mchs.bodycam.recording"]
        for number in range(150):
            recordings |= self._recording(start + timedelta(hours=7 * number), self.camera_a)
        act = self._act()
        self.assertEqual(len(act.line_ids), 150)
        pdf = self.render_pdf("mchs_bodycam.action_report_destruction_act", act, tz=TZ, mchs_lang="ru_RU")
        pages = [page for page in pdf_text(pdf).split("\f") if page.strip()]
        total = len(pages)
        self.assertGreater(total, 3)
        for number, page in enumerate(pages, start=1):
            text = flat(page)
            self.assertRegex(text, rf"(^|\s){number}\s*/\s*{total}(\s|$)", f"page {number}")
            self.assertIn(f"Акт № {act.name}", text, f"page {number}")
            if number < total:
                self.assertIn("Период записи", text, f"headings on page {number}")
        # the content-stream order: a SHA-256 wrapped in its cell reads in one piece
        packed = [compact(page) for page in pdf_text(pdf, "-raw").split("\f") if page.strip()]
        self.assertEqual(len(packed), total)
        for recording in recordings:
            holding = [index for index, page in enumerate(packed) if recording.sha256 in page]
            self.assertEqual(len(holding), 1, f"row of {recording.sha256} is whole on one page")
        # no row carries an empty band (issue 11): the list's rows, alike, print at one height
        rows = [height for page in printed_row_heights(pdf)[1:-1] for height in page[1:]]
        self.assertGreater(len(rows), 50)
        self.assertLessEqual(max(rows) - min(rows), 2, printed_row_heights(pdf))
        last = flat(pages[-1])
        self.assertIn("Подписи членов комиссии", last)
        self.assertTrue(any(recording.sha256 in packed[-1] for recording in recordings),
                        f"the signatures are not alone on the last page: {last[:600]}")


    def test_destruction_act_kazakh(self):
        act = self._completed_act()
        text = self._render("mchs_bodycam.action_report_destruction_act", act, lang="kk_KZ")
        flat_text = self._assert_act_common(act, text)
        self.assertIn(f"Бейнежазбаларды жою актісі № {act.name}", flat_text)
        self.assertIn("2025 жылғы 21 қарашадағы № 495 бұйрығымен бекітілген Нұсқаулықтың 12-тармағы", flat_text)
        self.assertIn("жазбаларды сақтау мерзімі – 3 жыл", flat_text)
        for role in ("Комиссия төрағасы", "Жауапты тұлға",
                     "Сыбайлас жемқорлыққа қарсы іс-қимыл ұйымдастыруға жауапты қызметкер",
                     "Төрағаның шешімімен комиссия мүшесі"):
            # "Комиссия төрағасы" also starts "Комиссия төрағасының шешімі" (the chairman's decision)
            self.assertEqual(len(re.findall(re.escape(role) + r"(?!ның)", flat_text)), 2,
                             f"{role}: in the composition and at the signatures")
        self.assertIn("Жойылған жазбалар тізбесі", flat_text)
        self.assertIn("Жоюдан алынып тасталған жазбалар", flat_text)
        self.assertIn("Жойылған жазбалар саны 2", flat_text)
        self.assertIn("Алынып тасталған жазбалар саны 1", flat_text)
        self.assertEqual(flat_text.count("(қолы)"), 4, "a signature line for every member")
        self.assertEqual(flat_text.count("жүйеде растады"), 4, "every member confirmed in the system")
        self.assertNotIn("АЯҚТАЛМАҒАН", flat_text)
        self.assertNotIn("Акт уничтожения", flat_text)

    def test_destruction_act_russian_by_a_member(self):
        act = self._completed_act()
        # printed by the anti-corruption officer: a member who does not browse the registry
        text = self._render("mchs_bodycam.action_report_destruction_act", act, lang="ru_RU",
                            user=self.commission_user)
        flat_text = self._assert_act_common(act, text)
        self.assertIn(f"Акт уничтожения видеозаписей № {act.name}", flat_text)
        self.assertIn("пункт 12 Инструкции", flat_text)
        self.assertIn("Республики Казахстан от 21 ноября 2025 года № 495", flat_text)
        self.assertIn("хранения записей", flat_text)
        for role in ("Председатель комиссии", "Ответственное лицо",
                     "Сотрудник, ответственный за организацию противодействия коррупции",
                     "Член комиссии по решению председателя"):
            self.assertEqual(flat_text.count(role), 2, role)
        self.assertIn("Перечень уничтоженных записей", flat_text)
        self.assertIn("Записи, исключённые из уничтожения", flat_text)
        self.assertIn("Уничтожено записей 2", flat_text)
        self.assertIn("Исключено записей 1", flat_text)
        self.assertEqual(flat_text.count("(подпись)"), 4)
        self.assertNotIn("НЕ ЗАВЕРШЁН", flat_text)
        self.assertNotIn("Бейнежазбаларды", flat_text)

    def test_act_prints_the_period_applied(self):
        """Item 12: three years is the floor; a unit keeping recordings five years gets an act
        proposing only what is older than five years, and the act says five, not the Order's three."""
        self.env.company.bodycam_retention_years = 5
        old = self._recording("2021-03-14 04:30:00", self.camera_a)
        self._recording("2023-03-14 04:30:00", self.camera_a)  # past three years, not five
        act = self._act()
        self.assertEqual(act.line_ids.recording_id, old)
        for lang, label in (("kk_KZ", "Қолданылған сақтау мерзімі, жыл"), ("ru_RU", "Применённый срок хранения, лет")):
            flat_text = flat(self._render("mchs_bodycam.action_report_destruction_act", act, lang=lang))
            self.assertIn(f"{label} 5", flat_text)
            self.assertNotIn(f"{label} 3", flat_text)

    def test_act_not_completed_says_so(self):
        self._recording("2023-02-01 06:00:00", self.camera_a)
        act = self._act()
        # default language (not Russian): the Kazakh form
        flat_text = flat(self._render("mchs_bodycam.action_report_destruction_act", act))
        self.assertIn("АЯҚТАЛМАҒАН (Күйі: қарауда)", flat_text)
        self.assertEqual(flat_text.count("АЯҚТАЛМАҒАН"), 2, "above the title and above the signatures")
        self.assertIn("Жоюға ұсынылған жазбалар тізбесі", flat_text)
        self.assertIn("Жоюға жататын жазбалар саны 1", flat_text)
        self.assertNotIn("Жойылған жазбалар", flat_text)
        act.with_user(self.head_user).action_confirm()
        flat_text = flat(self._render("mchs_bodycam.action_report_destruction_act", act, lang="ru_RU"))
        self.assertIn("НЕ ЗАВЕРШЁН (Состояние: на подтверждении)", flat_text)
        self.assertIn("видеозаписи не уничтожены", flat_text)
        self.assertIn("Подлежит уничтожению записей 1", flat_text)
        self.assertNotIn("Уничтожено записей", flat_text)
        self.assertEqual(flat_text.count("подтверждено в системе"), 1, "only the chairman has confirmed")

    # ------------------------------------------------------------------ item 13: the audit

    def _audit(self):
        action = self.commission_record.with_user(self.head_user).action_new_audit()
        audit = self.env["mchs.bodycam.audit"].browse(action["res_id"])
        audit.with_user(self.commission_user).action_start()
        return audit

    def test_audit_act_with_findings(self):
        recordings = [self._old_recording(f"2026-0{month}-10 10:00:00") for month in (1, 2, 3)]
        with freeze_time("2026-06-01 09:00:00"):
            self.env["mchs.bodycam.access"].with_user(self.head_user)._log(recordings[0], "view", "тексеру", "granted")
        with freeze_time("2026-06-02 09:00:00"):
            refused, _token = self.env["mchs.bodycam.access"].with_user(self.commission_user)._log(
                recordings[1], "view", "тексеру", "refused", refusal="арнайы құпиясөз қате")
        missing = recordings[2]
        os.unlink(self.storage._backends()[1].path(missing.sha256))
        audit = self._audit()
        self._run(audit)
        self.assertEqual(audit.state, "done")
        # a copy missing on one location: that location's copy and the pair differ
        self.assertEqual(sorted(audit.finding_ids.mapped("kind")), ["mismatch", "missing", "refused"])

        flat_text = flat(self._render("mchs_bodycam.action_report_audit", audit, lang="kk_KZ"))
        packed = compact(flat_text)
        self.assertIn("Бейнематериалдарға қол жеткізуді және мұрағат тұтастығын жыл сайынғы тексеру актісі", flat_text)
        self.assertIn("Алматы қаласының ТЖД (сынақ)", flat_text)
        self.assertIn("Тексерілетін жыл 2026", flat_text)
        self.assertIn("Тексеруші Ерлан Сапарұлы, Бөлім бастығы", flat_text)
        self.assertIn(f"Тексеру аяқталды {self._local(audit.done_at)}", flat_text)
        self.assertIn("Нұсқаулықтың 13-тармағы", flat_text)
        for member in self.members:
            self.assertIn(member.name, flat_text)
        self.assertEqual(flat_text.count("(қолы)"), 4)
        # access: the chain verifies, two rows checked, the refused attempt by its row number
        self.assertIn("Журнал жолдарының хэш-тізбегі бүтін иә", flat_text)
        self.assertIn("Тексерілген журнал жолдарының саны 2", flat_text)
        self.assertIn(f"{refused.sequence} Қабылданбаған әрекет {refused.user_id.name}, арнайы құпиясөз қате", flat_text)
        # integrity: three recordings, five copies hashed, the missing backup copy
        self.assertIn("Тексерілген бейнежазбалар 3, барлығы 3", flat_text)
        self.assertIn("Хэші есептелген файлдар 5", flat_text)
        self.assertIn(compact(f"1 Файл жоқ резервтік {missing.sha256}"), packed)
        self.assertIn(compact(f"2 Негізгі және резервтік көшірмелер әртүрлі — {missing.sha256}"), packed)
        # totals per kind, every kind listed, and the conclusion
        for label, count in (("Журнал тізбегі бұзылған", 0), ("Басқа адамның қол жеткізуі", 0),
                             ("Қабылданбаған әрекет", 1), ("Файл жоқ", 1), ("Файл өзгертілген", 0),
                             ("Негізгі және резервтік көшірмелер әртүрлі", 1), ("Тізілімде жоқ файл", 0),
                             ("Жойылғаннан кейін қалған файл", 0)):
            self.assertIn(f"{label} {count}", flat_text)
        self.assertIn("Қорытынды: 3 бұзушылық анықталды.", flat_text)
        self.assertNotIn("АЯҚТАЛМАҒАН", flat_text)

        flat_text = flat(self._render("mchs_bodycam.action_report_audit", audit, lang="ru_RU",
                                      user=self.commission_user))
        self.assertIn("Акт ежегодной проверки доступа к видеоматериалам и целостности архива", flat_text)
        self.assertIn("пункт 13 Инструкции", flat_text)
        self.assertIn("Проверяемый год 2026", flat_text)
        self.assertIn("Цепочка хешей строк журнала сходится да", flat_text)
        self.assertIn(f"{refused.sequence} Отклонённая попытка {refused.user_id.name}, арнайы құпиясөз қате", flat_text)
        self.assertIn("Проверено видеозаписей 3 из 3", flat_text)
        self.assertIn("Файл отсутствует резервное", flat_text)
        self.assertIn("Отклонённая попытка 1", flat_text)
        self.assertIn("Файл отсутствует 1", flat_text)
        self.assertIn("Файл изменён 0", flat_text)
        self.assertIn("Основная и резервная копии различаются 1", flat_text)
        self.assertIn("Заключение: выявлено нарушений: 3.", flat_text)
        self.assertEqual(flat_text.count("(подпись)"), 4)

    def test_audit_act_clean_and_unfinished(self):
        self._old_recording("2026-01-10 10:00:00")
        audit = self._audit()
        flat_text = flat(self._render("mchs_bodycam.action_report_audit", audit, lang="ru_RU"))
        self.assertIn("НЕ ЗАВЕРШЁН (Состояние: идёт проверка)", flat_text)
        # layout (issue 11): the audit act is numbered, its number at the foot of every page
        self.assertEqual(audit.number, "TSA-2026-T1")
        total = int(re.findall(r"\d+\s*/\s*(\d+)", flat_text)[-1])
        self.assertEqual(flat_text.count(f"Акт № {audit.number}"), total)
        self._run(audit)
        flat_text = flat(self._render("mchs_bodycam.action_report_audit", audit, lang="ru_RU"))
        self.assertNotIn("НЕ ЗАВЕРШЁН", flat_text)
        self.assertIn("Хешировано файлов 2", flat_text)
        self.assertEqual(flat_text.count("Нарушений не выявлено."), 2, "neither in access nor in integrity")
        self.assertIn("Заключение: нарушений не выявлено.", flat_text)
        self.assertNotIn("выявлено нарушений:", flat_text)
