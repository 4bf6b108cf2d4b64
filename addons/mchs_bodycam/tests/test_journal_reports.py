import io
import re
from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from .test_reports import PdfReportMixin, flat, pdf_pages, pdf_text, printed_row_heights

# the Russian headings of the form, as the Russian catalog (ru.po) gives them
RU_HEADINGS = [
    "№ п/п",
    "Инвентарный номер видеорегистратора (карт памяти видеорегистратора)",
    "Ф.И.О. пользователя видеорегистратора (при его наличии)",
    "Дата и время, подпись о получении",
    "Дата и время, подпись о сдаче",
    "Дата и время снятия информации",
    "Примечание",
]

# Appendix 1 form and item 9, copied from the official Kazakh text (order-495.kk.txt)
KK_TITLE = "Бейнетіркегіш пен жад карталарын беруді, тапсыруды және жазбаларды түсіруді есепке алу журналы"
KK_HEADINGS = [
    "р/с №",
    "Бейнетіркегішті түгендеу нөмірі (бейнетіркегіштің жад карталары)",
    "Бейнетіркегіш пайдаланушының Т.А.Ә. (ол болған кезде)",
    "Күні мен уақыты, алғаны туралы қолы",
    "Күні мен уақыты, тапсырғаны туралы қолы",
    "Ақпаратты түсіру күні мен уақыты",
    "Ескертпе",
]
KK_CERTIFICATION = "Осы журналда {} парақ нөмірленген, тігілген және мөрмен бекітілген"
ROWS = 60


@tagged("post_install", "-at_install")
class TestJournalReports(PdfReportMixin, HttpCase):
    """item 9, Appendix 1: the journal printed as a numbered book and exported to Excel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Asia/Almaty"))
        cls.env.company.resource_calendar_id.tz = "Asia/Almaty"  # the units' time zone (their calendar's)
        cls.unit = cls.env["hr.department"].create({"name": "Алматы қаласының ТЖД (сынақ)", "bodycam_code": "TJR"})
        cls.unit.update_field_translations("name", {"ru_RU": "ДЧС города Алматы (тест)"})
        cls.responsible = cls.env["hr.employee"].create({"name": "Нұрлан Қайратұлы", "department_id": cls.unit.id})
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.inspectors = cls.env["hr.employee"].create([
            {"name": "Әлия Бекова", "department_id": cls.unit.id},
            {"name": "Ғалым Өтегенұлы", "department_id": cls.unit.id},
            {"name": "Үміт Шаһиденова-Іңкәр", "department_id": cls.unit.id},
        ])
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})
        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit.id,
            "registration_number": "JR-1", "registration_date": "2026-01-05"})
        cls.book.action_register()
        # Rows created complete (create is not guarded) instead of going through the desk:
        # closed rows do not hold the bodycam, so one bodycam serves them all.
        start = datetime(2026, 1, 5, 4, 0)  # 09:00 in Almaty (UTC+5)
        vals = []
        for number in range(1, ROWS + 1):
            issued = start + timedelta(days=number)
            vals.append({
                "journal_id": cls.book.id, "row_number": number, "department_id": cls.unit.id,
                "camera_id": cls.camera.id, "inspector_id": cls.inspectors[number % 3].id,
                "state": "closed", "inventory_text": f"TJR-BC-{number:05d} (TJR-MC-{number:05d})",
                "issue_datetime": issued, "issue_confirmed_at": issued, "issue_confirmation": "badge",
                "return_datetime": issued + timedelta(hours=8), "return_confirmed_at": issued + timedelta(hours=8),
                "return_confirmation": "session", "download_datetime": issued + timedelta(hours=9),
                "struck": number == 3,
            })
        cls.rows = cls.env["mchs.bodycam.custody"].create(vals)
        cls.env["mchs.bodycam.custody"].create({  # a draft entry is not a row of the book
            "department_id": cls.unit.id, "camera_id": cls.camera.id, "inspector_id": cls.inspectors[0].id,
            "inventory_text": "TJR-DRAFT-99999"})

    def _render(self, lang=None):
        return self.render_pdf("mchs_bodycam.action_report_journal_custody", self.book,
                               **({"mchs_lang": lang} if lang else {}))

    def _pages(self, pdf):
        return pdf_text(pdf).split("\f")

    def test_pdf_kazakh(self):
        pdf = self._render("kk_KZ")
        total = pdf_pages(pdf)
        self.assertGreater(total, 2, "60 rows span several pages, plus the certification page")
        raw = flat(pdf_text(pdf, "-raw"))
        self.assertIn(KK_TITLE, raw)
        for letter in "әғқңөұүһі":  # every Kazakh letter prints (DejaVu Sans)
            self.assertIn(letter, raw.lower())
        for heading in KK_HEADINGS:
            self.assertIn(heading, raw)
        text = flat(pdf_text(pdf))
        self.assertIn("Алматы қаласының ТЖД (сынақ)", text)
        self.assertIn("жылы басталды", text)
        self.assertIn('"___" _______ 20 __ жылы аяқталды', text)  # not closed yet: the blank
        for row in self.rows:
            self.assertIn(row.inventory_text, text)
        self.assertNotIn("TJR-DRAFT-99999", text)
        for inspector in self.inspectors:
            self.assertIn(inspector.name, text)
        # datetimes in the user's timezone: row 1 issued on 06.01.2026 at 09:00 Almaty time
        self.assertIn("06.01.2026 09:00", text)
        self.assertIn("06.01.2026 17:00", text)
        # book order
        self.assertLess(text.index("TJR-BC-00009"), text.index("TJR-BC-00010"))
        # every page numbered "N of M", M being the real page count
        pages = [flat(page) for page in self._pages(pdf) if page.strip()]
        self.assertEqual(len(pages), total)
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"{number}-парақ, барлығы {total}", page)
        for page in pages[:-1]:  # no row spills onto a page without the headings
            self.assertIn("р/с №", page)
        # the last page: the certification of item 9 with the real count and the responsible person
        self.assertIn(KK_CERTIFICATION.format(total), pages[-1])
        self.assertIn("Нұрлан Қайратұлы", pages[-1])
        self.assertIn("Жауапты тұлға", pages[-1])

    def test_pdf_struck_row(self):
        """A struck row (item 9 correction) stays in the book, drawn struck through."""
        html = self.env["ir.actions.report"].with_context(mchs_lang="kk_KZ")._render_qweb_html(
            "mchs_bodycam.action_report_journal_custody", self.book.ids)[0].decode()
        self.assertIn("text-decoration: line-through", html)
        struck = re.findall(r'<tr class="mchs-struck">\s*<td class="mchs-num">(\d+)</td>', html)
        self.assertEqual(struck, ["3"])
        self.assertIn("TJR-BC-00003", pdf_text(self._render("kk_KZ")))

    def test_pdf_russian(self):
        pdf = self._render("ru_RU")
        total = pdf_pages(pdf)
        text = flat(pdf_text(pdf, "-raw"))
        self.assertIn("Журнал учета выдачи, сдачи видеорегистраторов и карт памяти и снятия записей", text)
        for heading in RU_HEADINGS:
            self.assertIn(heading, text)
        self.assertIn("ДЧС города Алматы (тест)", text)
        self.assertIn("TJR-BC-00060", text)
        pages = [flat(page) for page in self._pages(pdf) if page.strip()]
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"Лист {number} из {total}", page)
        self.assertIn("В настоящем журнале пронумеровано, прошнуровано и скреплено печатью "
                      f"{total} лист", pages[-1])
        self.assertIn("Нұрлан Қайратұлы", pages[-1])

    def test_pdf_two_books(self):
        """Each book printed at once keeps its own numbering and certification page."""
        other = self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": self.unit.id,
            "registration_number": "JR-2", "registration_date": "2026-01-05"})
        one = pdf_pages(self._render("kk_KZ"))
        pdf, _kind = self.env["ir.actions.report"].with_context(
            force_report_rendering=True, mchs_lang="kk_KZ")._render_qweb_pdf(
            "mchs_bodycam.action_report_journal_custody", res_ids=(self.book | other).ids)
        self.assertEqual(pdf_pages(pdf), one + 2)  # the empty book: its table page + certification
        text = flat(pdf_text(pdf))
        self.assertIn(KK_CERTIFICATION.format(one), text)
        self.assertIn(KK_CERTIFICATION.format(2), text)
        self.assertIn("1-парақ, барлығы 2", text)

    def test_pdf_certification_longer_than_a_page(self):
        """A book is printed with its certification page in the same document, counting the pages
        laid out and itself. When that page runs longer than a page (here: a unit named at great
        length), the rows are printed alone and the certification after them, with the real
        count: every page numbered "N of M", the certification saying M (item 9)."""
        name = " ".join(["Алматы облысының Төтенше жағдайлар департаментінің бөлімі"] * 40)
        unit = self.env["hr.department"].create({"name": name, "bodycam_code": "TJL"})
        book = self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": unit.id, "registration_number": "JR-L",
            "registration_date": "2026-01-05"})
        book.action_register()
        pdf = self.render_pdf("mchs_bodycam.action_report_journal_custody", book, mchs_lang="kk_KZ")
        total = pdf_pages(pdf)
        pages = [flat(page) for page in self._pages(pdf) if page.strip()]
        self.assertEqual(len(pages), total)
        self.assertGreaterEqual(total, 3, "the book's table page, then a certification of two pages")
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"{number}-парақ, барлығы {total}", page)
        self.assertIn(KK_CERTIFICATION.format(total), " ".join(pages[1:]))
        self.assertIn("р/с №", pages[0])

    def test_pdf_rows_of_one_height_print_one_height(self):
        """No printed row carries an empty band (issue 11, item 9): rows of the same content print
        at the same height on every page, in Kazakh and in Russian. Debian's wkhtmltopdf pushed
        down a row that straddled a page slice of its own, in the middle of a printed page; the
        row above it printed with an empty line at its bottom."""
        unit = self.env["hr.department"].create({"name": "Шымкент қаласының ТЖД (сынақ)", "bodycam_code": "TJU"})
        inspector = self.env["hr.employee"].create({"name": "Әлия Бекова", "department_id": unit.id})
        camera = self.env["mchs.bodycam.camera"].create({"department_id": unit.id})
        book = self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": unit.id, "registration_number": "JR-U",
            "registration_date": "2026-01-05"})
        book.action_register()
        start = datetime(2026, 1, 5, 4, 0)
        self.env["mchs.bodycam.custody"].create([{
            "journal_id": book.id, "row_number": number, "department_id": unit.id,
            "camera_id": camera.id, "inspector_id": inspector.id, "state": "closed",
            "inventory_text": f"TJR-BC-{number:05d} (TJR-MC-{number:05d}, TJR-MC-{number + 1:05d})",
            "issue_datetime": start + timedelta(days=number), "issue_confirmation": "badge",
            "issue_confirmed_at": start + timedelta(days=number),
            "return_datetime": start + timedelta(days=number, hours=8), "return_confirmation": "badge",
            "return_confirmed_at": start + timedelta(days=number, hours=8),
            "download_datetime": start + timedelta(days=number, hours=9),
        } for number in range(1, 41)])
        for lang in ("ru_RU", "kk_KZ"):
            with self.subTest(lang=lang):
                pdf = self.render_pdf("mchs_bodycam.action_report_journal_custody", book, mchs_lang=lang)
                pages = printed_row_heights(pdf)[:-1]  # the certification page has no table
                self.assertGreater(len(pages), 2)
                # the first page's rules begin with the unit's line above the table
                rows = [height for number, page in enumerate(pages) for height in page[3 if number == 0 else 2:]]
                self.assertEqual(len(rows), 40, pages)
                self.assertLessEqual(max(rows) - min(rows), 2, pages)

    def test_xlsx(self):
        import openpyxl
        report = self.env.ref("mchs_bodycam.action_report_journal_custody_xlsx")
        self.assertEqual(report.report_type, "xlsx")
        content, kind = self.env["ir.actions.report"].with_context(mchs_lang="kk_KZ", tz="Asia/Almaty")._render_xlsx(
            report.report_name, self.book.ids, {})
        self.assertEqual(kind, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(values[0][0], "Алматы қаласының ТЖД (сынақ)")
        self.assertEqual(values[2][0], KK_TITLE)
        self.assertEqual(list(values[6][:7]), KK_HEADINGS)
        data = values[8:]
        self.assertEqual(len(data), ROWS)
        self.assertEqual(data[0][0], 1)
        self.assertEqual(data[0][1], "TJR-BC-00001 (TJR-MC-00001)")
        self.assertEqual(data[0][2], self.inspectors[1].name)
        self.assertTrue(data[0][3].startswith("06.01.2026 09:00"))
        self.assertEqual(data[0][5], "06.01.2026 18:00")
        self.assertEqual(data[-1][0], ROWS)
        self.assertTrue(sheet.cell(row=9 + 2, column=2).font.strike, "row 3 is struck through")
        self.assertFalse(sheet.cell(row=9, column=2).font.strike)

    def test_xlsx_russian(self):
        import openpyxl
        content, _kind = self.env["ir.actions.report"].with_context(mchs_lang="ru_RU")._render_xlsx(
            "mchs_bodycam.report_journal_custody_xlsx", self.book.ids, {})
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        self.assertEqual(values[0][0], "ДЧС города Алматы (тест)")
        self.assertEqual(list(values[6][:7]), RU_HEADINGS)
