import io
import os
import shutil
import tempfile
from datetime import date, timedelta

import pytz

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged


from .test_journal_reports import KK_CERTIFICATION
from .test_reports import PdfReportMixin, flat, pdf_pages, pdf_text

# the Russian headings of the form, as the Russian catalog (ru.po) gives them
RU_HEADINGS = [
    "№ п/п",
    "Инвентарный номер видеорегистратора (карт памяти видеорегистратора)",
    "Ф.И.О. пользователя видеорегистратора (при его наличии)",
    "Дата и время доступа и просмотра",
    "Ф.И.О. и должность проверяющего",
    "Дата и время проверки, подпись",
    "Результаты проверки",
]

# Appendix 2 form, copied from the official Kazakh text (order-495.kk.txt)
KK_TITLE = "Бейнематериалдар бойынша іс-әрекеттерді тіркеу журналы"
KK_HEADINGS = [
    "р/с №",
    "Бейнетіркегішті түгендеу нөмірі (бейнетіркегіштің жад карталары)",
    "Бейнетіркегіш пайдаланушының Т.А.Ә. (ол болған кезде)",
    "Кіргізу және қарау күні мен уақыты",
    "Тексерушінің Т.А.Ә. және лауазымы",
    "Тексеру күні мен уақыты, қолы",
    "Тексеру нәтижелері",
]
RU_TITLE = "Журнал регистрации действий с видеоматериалами"
ROWS = 40


@tagged("post_install", "-at_install")
class TestJournalAccessReports(PdfReportMixin, HttpCase):
    """item 13, Appendix 2: the journal of actions on video materials printed as a numbered
    book and exported to Excel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Asia/Almaty"))
        cls.env.company.resource_calendar_id.tz = "Asia/Almaty"  # the units' time zone (their calendar's)
        Department = cls.env["hr.department"]
        cls.unit = Department.create({"name": "Шымкент қаласының ТЖД (сынақ)", "bodycam_code": "TJA"})
        cls.unit.update_field_translations("name", {"ru_RU": "ДЧС города Шымкент (тест)"})
        cls.other_unit = Department.create({"name": "Other unit (access test)", "bodycam_code": "TJB"})
        cls.responsible = cls.env["hr.employee"].create({"name": "Нұрлан Қайратұлы", "department_id": cls.unit.id})
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.viewer = new_test_user(cls.env, login="t.access.viewer", name="Қанат Серікұлы",
                                   groups="mchs_bodycam.group_bodycam_responsible")

        # a storage server in temporary folders, a dock and a bodycam: recordings to access
        cls.folders = [tempfile.mkdtemp(prefix=f"mchs-j2-{name}-") for name in ("primary", "backup")]
        cls.addClassCleanup(lambda: [shutil.rmtree(folder, ignore_errors=True) for folder in cls.folders])
        cls.env["mchs.bodycam.storage"].create({
            "name": "Access journal storage", "department_id": cls.unit.id, "primary_path": cls.folders[0],
            "backup_path": cls.folders[1], "max_upload_mb": 1})
        dock = cls.env["mchs.bodycam.dock"].create({"name": "Dock J2", "department_id": cls.unit.id})
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})
        end = fields.Datetime.now().replace(microsecond=0) - timedelta(minutes=5)
        cls.recordings = cls.env["mchs.bodycam.recording"]
        for index in range(2):
            body = f"data-{index}".encode() + os.urandom(16)
            recording, _created = cls.env["mchs.bodycam.recording"]._ingest(
                dock, cls.camera.inventory_number, None, str(end - timedelta(minutes=10 + index)), str(end),
                iter([body]), len(body))
            cls.recordings |= recording

        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "access", "department_id": cls.unit.id,
            "registration_number": "JA-1", "registration_date": "2026-01-05"})
        cls.book.action_register()
        Access = cls.env["mchs.bodycam.access"].with_user(cls.viewer)
        cls.rows = cls.env["mchs.bodycam.access"]
        for number in range(1, ROWS + 1):
            recording = cls.recordings[number % 2]
            if number % 10 == 7:
                row, _token = Access._log(recording, "download", f"мақсат-{number:03d}", "refused",
                                          refusal="құпиясөз қате")
            else:
                row, _token = Access._log(recording, "view" if number % 2 else "download",
                                          f"мақсат-{number:03d}", "granted")
            cls.rows |= row
        # another unit's access is not in this unit's book
        cls.env["mchs.bodycam.access"]._log(cls.recordings[0], "view", "OTHER-UNIT-PURPOSE", "granted",
                                            department=cls.other_unit)

    def _render(self, lang, books=None):
        return self.render_pdf("mchs_bodycam.action_report_journal_access", books or self.book, mchs_lang=lang)

    def _xlsx(self, lang, books=None):
        import openpyxl
        report = self.env.ref("mchs_bodycam.action_report_journal_access_xlsx")
        self.assertEqual(report.report_type, "xlsx")
        content, kind = self.env["ir.actions.report"].with_context(mchs_lang=lang, tz="Asia/Almaty")._render_xlsx(
            report.report_name, (books or self.book).ids, {})
        self.assertEqual(kind, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return sheet, list(sheet.iter_rows(values_only=True))

    def _local(self, value):
        return pytz.utc.localize(value).astimezone(pytz.timezone("Asia/Almaty")).strftime("%d.%m.%Y %H:%M")

    def test_pdf_kazakh(self):
        pdf = self._render("kk_KZ")
        total = pdf_pages(pdf)
        self.assertGreater(total, 3, "40 rows span several pages, plus the certification page")
        raw = flat(pdf_text(pdf, "-raw"))
        self.assertIn(KK_TITLE, raw)
        for heading in KK_HEADINGS:
            self.assertIn(heading, raw)
        text = flat(pdf_text(pdf))
        self.assertIn("Шымкент қаласының ТЖД (сынақ)", text)
        self.assertIn("жылы басталды", text)
        self.assertIn('"___" _______ 20 __ жылы аяқталды', text)  # still open: the blank
        self.assertIn(self.camera.inventory_number, text)
        self.assertIn(self._local(self.rows[0].accessed_at), text)
        self.assertIn("Қанат Серікұлы", raw)
        for number in range(1, ROWS + 1):
            self.assertIn(f"мақсат-{number:03d}", raw)
        self.assertIn("құпиясөз қате", raw)
        self.assertNotIn("OTHER-UNIT-PURPOSE", raw)
        # book order
        self.assertLess(raw.index("мақсат-009"), raw.index("мақсат-010"))
        # every page numbered "N of M", M being the real page count; headings on every page
        pages = [flat(page) for page in pdf_text(pdf).split("\f") if page.strip()]
        self.assertEqual(len(pages), total)
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"{number}-парақ, барлығы {total}", page)
        for page in pages[:-1]:
            self.assertIn("р/с №", page)
            self.assertIn("нәтижелері", page)  # column 7 heading (wrapped in -layout text)
        # the last page: the certification of item 9 with the real count and the responsible person
        self.assertIn(KK_CERTIFICATION.format(total), pages[-1])
        self.assertIn("Нұрлан Қайратұлы", pages[-1])
        self.assertIn("Жауапты тұлға", pages[-1])
        self.assertIn(KK_TITLE, pages[-1])

    def test_pdf_russian(self):
        pdf = self._render("ru_RU")
        total = pdf_pages(pdf)
        raw = flat(pdf_text(pdf, "-raw"))
        self.assertIn(RU_TITLE, raw)
        for heading in RU_HEADINGS:
            self.assertIn(heading, raw)
        self.assertIn("ДЧС города Шымкент (тест)", raw)
        self.assertIn(f"мақсат-{ROWS:03d}", raw)
        pages = [flat(page) for page in pdf_text(pdf).split("\f") if page.strip()]
        self.assertEqual(len(pages), total)
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"Лист {number} из {total}", page)
        self.assertIn("В настоящем журнале пронумеровано, прошнуровано и скреплено печатью "
                      f"{total} лист", pages[-1])

    def test_xlsx(self):
        sheet, values = self._xlsx("kk_KZ")
        self.assertEqual(values[0][0], "Шымкент қаласының ТЖД (сынақ)")
        self.assertEqual(values[2][0], KK_TITLE)
        self.assertEqual(list(values[6][:7]), KK_HEADINGS)
        self.assertEqual(list(values[7][:7]), [1, 2, 3, 4, 5, 6, 7])
        data = values[8:]
        self.assertEqual(len(data), ROWS)
        self.assertEqual([row[0] for row in data], self.rows.mapped("sequence"))
        self.assertEqual([row[0] for row in data], list(range(1, ROWS + 1)))
        first = self.rows[0]
        self.assertEqual(data[0][1], self.camera.inventory_number)
        self.assertFalse(data[0][2], "no custody entry: no bodycam user")
        self.assertTrue(data[0][3].startswith(self._local(first.accessed_at) + "\n"))
        self.assertIn("Қанат Серікұлы", data[0][3])
        self.assertIn("мақсат-001", data[0][3])
        self.assertIn("құпиясөз қате", data[6][3])  # row 7: a refused attempt
        for row in data:  # columns 5-7: the commission's audit, not done yet
            self.assertFalse(any(row[4:7]), row)
        self.assertFalse(sheet.cell(row=9, column=2).font.strike)
        self.assertTrue(sheet.title.startswith("2-қосымша"))

    def test_audit_fills_columns_5_to_7(self):
        """item 13: the commission's annual audit fills columns 5-7 of every row of its year."""
        people = self.env["hr.employee"]
        for login, group, job in (("t.j2.chair", "head", "Бастық"), ("t.j2.resp", "responsible", ""),
                                  ("t.j2.anti", "commission", "")):
            user = new_test_user(self.env, login=login, name=login, groups=f"mchs_bodycam.group_bodycam_{group}")
            people |= self.env["hr.employee"].create({"name": login, "user_id": user.id, "job_title": job,
                                                      "department_id": self.unit.id})
        # item 12: the seats follow the designations in force
        self.env["mchs.bodycam.designation"].create([
            {"department_id": self.unit.id, "role": role, "employee_id": employee.id}
            for employee, role in zip(people, ("head", "responsible", "anti_corruption"))])
        year = self.unit._bodycam_local_day(self.rows[0].accessed_at).year
        commission = self.env["mchs.bodycam.commission"].create({
            "department_id": self.unit.id, "year": year, "member_ids": [
                (0, 0, {"employee_id": employee.id, "role": role})
                for employee, role in zip(people, ("chairman", "responsible", "anti_corruption"))]})
        audit = self.env["mchs.bodycam.audit"].create({"commission_id": commission.id})
        audit.with_user(people[0].user_id).action_start()
        while audit._process_step():
            pass
        self.assertEqual(audit.state, "done")
        checked = self._local(audit.done_at)
        for lang, outsider, refused in (("kk_KZ", "Басқа адамның қол жеткізуі", "Қабылданбаған әрекет"),
                                        ("ru_RU", "Доступ иного лица", "Отклонённая попытка")):
            _sheet, values = self._xlsx(lang)
            data = values[8:]
            self.assertEqual(len(data), ROWS)
            self.assertIn("refused", self.rows.mapped("result"))
            for number, (row, access) in enumerate(zip(data, self.rows), start=1):
                # the viewer is not the unit's designated head or responsible person; some tries were refused
                expected = refused if access.result == "refused" else outsider
                self.assertEqual(row[4:7], ("t.j2.chair, Бастық", checked, expected), f"{lang} row {number}")

    def test_xlsx_russian(self):
        sheet, values = self._xlsx("ru_RU")
        self.assertEqual(values[0][0], "ДЧС города Шымкент (тест)")
        self.assertEqual(values[2][0], RU_TITLE)
        self.assertEqual(list(values[6][:7]), RU_HEADINGS)
        self.assertEqual(len(values[8:]), ROWS)
        self.assertTrue(sheet.title.startswith("Приложение 2"))

    def test_book_dates(self):
        """A book holds the unit's access rows between its start and end dates only."""
        # books of the past, written as they stand today (the lock lets no book go back in time)
        old = self.env["mchs.bodycam.journal"].sudo().create({
            "kind": "access", "department_id": self.unit.id, "registration_number": "JA-0",
            "registration_date": "2025-01-05", "state": "closed", "date_start": date(2025, 1, 6),
            "date_end": date(2025, 12, 31)})
        _sheet, values = self._xlsx("kk_KZ", old)
        self.assertEqual(values[8:], [])
        self.assertIn("2025 жылы аяқталды", values[4][0])
        today = fields.Date.context_today(self.book.with_context(tz="Asia/Almaty"))
        ended_today = self.env["mchs.bodycam.journal"].sudo().create({
            "kind": "access", "department_id": self.unit.id, "registration_number": "JA-T",
            "registration_date": "2025-01-05", "state": "closed", "date_start": today, "date_end": today})
        _sheet, values = self._xlsx("kk_KZ", ended_today)
        self.assertEqual(len(values[8:]), ROWS, "the end date is inclusive")
        draft = self.env["mchs.bodycam.journal"].create({"kind": "access", "department_id": self.unit.id})
        _sheet, values = self._xlsx("kk_KZ", draft)
        self.assertEqual(values[8:], [], "a book not registered yet has no rows")

    def test_kind_of_book(self):
        """Each journal's reports are offered on books of their own kind and refuse the other."""
        custody_book = self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": self.unit.id,
            "registration_number": "JC-1", "registration_date": "2026-01-05"})
        Report = self.env["ir.actions.report"]
        actions = {name: self.env.ref(f"mchs_bodycam.{name}") for name in (
            "action_report_journal_custody", "action_report_journal_custody_xlsx",
            "action_report_journal_access", "action_report_journal_access_xlsx")}
        all_actions = Report.browse([action.id for action in actions.values()])
        self.assertEqual(set(all_actions.get_valid_action_reports("mchs.bodycam.journal", self.book.ids)),
                         {actions["action_report_journal_access"].id, actions["action_report_journal_access_xlsx"].id})
        self.assertEqual(set(all_actions.get_valid_action_reports("mchs.bodycam.journal", custody_book.ids)),
                         {actions["action_report_journal_custody"].id, actions["action_report_journal_custody_xlsx"].id})
        reports = Report.with_context(force_report_rendering=True)
        with self.assertRaisesRegex(UserError, "JC-1"):
            reports._render_qweb_pdf("mchs_bodycam.action_report_journal_access", res_ids=custody_book.ids)
        with self.assertRaisesRegex(UserError, "JA-1"):
            reports._render_qweb_pdf("mchs_bodycam.action_report_journal_custody", res_ids=self.book.ids)
        with self.assertRaisesRegex(UserError, "JC-1"):
            reports._render_qweb_html("mchs_bodycam.action_report_journal_access", custody_book.ids)
        with self.assertRaisesRegex(UserError, "JC-1"):
            reports._render_xlsx("mchs_bodycam.report_journal_access_xlsx", custody_book.ids, {})
        with self.assertRaisesRegex(UserError, "JA-1"):
            reports._render_xlsx("mchs_bodycam.report_journal_custody_xlsx", (self.book | custody_book).ids, {})
