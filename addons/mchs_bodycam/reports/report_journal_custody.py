"""The Appendix 1 journal (item 9) as a printed book (PDF) and as a spreadsheet (XLSX).

The Kazakh wording is copied verbatim from the official text of Order No. 495
(Appendix 1 form, item 9 certification); the Russian is its equivalent rendering. Both
are fixed texts of the form, so they live here rather than in the translation files.
"""
import io
import os
import re
import subprocess
import tempfile

import pytz
from babel.dates import format_date as babel_format_date

from odoo import _, api, fields, models
from odoo.exceptions import UserError

JOURNAL_REPORT = "mchs_bodycam.report_journal_custody"
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# rows read per batch: a 100,000-row book never sits in the ORM cache at once
ROW_BATCH = 2000
ROW_FIELDS = ["row_number", "inventory_text", "inspector_id", "issue_datetime", "issue_confirmed_at",
              "issue_confirmation", "return_datetime", "return_confirmed_at", "return_confirmation",
              "download_datetime", "remarks_text", "struck"]

# Appendix 1 form and item 9, verbatim (kk) and in Russian (ru)
FORM_TEXT = {
    "kk": {
        "title": "Бейнетіркегіш пен жад карталарын беруді, тапсыруды және жазбаларды түсіруді есепке алу журналы",
        "unit_caption": "(уәкілетті органның ведомствосының немесе аумақтық органының атауы)",
        "started": "{date} жылы басталды",
        "finished": "{date} жылы аяқталды",
        "blank_date": "\"___\" _______ 20 __",
        "date_format": "«dd» MMMM yyyy",
        "babel_locale": "kk",
        "headings": [
            "р/с №",
            "Бейнетіркегішті түгендеу нөмірі (бейнетіркегіштің жад карталары)",
            "Бейнетіркегіш пайдаланушының Т.А.Ә. (ол болған кезде)",
            "Күні мен уақыты, алғаны туралы қолы",
            "Күні мен уақыты, тапсырғаны туралы қолы",
            "Ақпаратты түсіру күні мен уақыты",
            "Ескертпе",
        ],
        "page": "{page}-парақ, барлығы {total}",
        "certification": "Осы журналда {total} парақ нөмірленген, тігілген және мөрмен бекітілген",
        "responsible": "Жауапты тұлға",
        "sheet": "1-қосымша",
    },
    "ru": {
        "title": "Журнал учета выдачи, сдачи видеорегистраторов и карт памяти и снятия записей",
        "unit_caption": "(наименование ведомства уполномоченного органа или территориального органа)",
        "started": "Начат {date} года",
        "finished": "Окончен {date} года",
        "blank_date": "«___» _______ 20__",
        "date_format": "«dd» MMMM yyyy",
        "babel_locale": "ru",
        "headings": [
            "№ п/п",
            "Инвентарный номер видеорегистратора (карт памяти видеорегистратора)",
            "Ф.И.О. пользователя видеорегистратора (при его наличии)",
            "Дата и время, подпись о получении",
            "Дата и время, подпись о сдаче",
            "Дата и время снятия информации",
            "Примечание",
        ],
        "page": "Лист {page} из {total}",
        "certification": "В настоящем журнале пронумеровано, прошнуровано и скреплено печатью {total} {sheets}",
        "responsible": "Ответственное лицо",
        "sheet": "Приложение 1",
    },
}


def form_lang(env):
    """'ru' when the report is printed in Russian, else the official Kazakh form."""
    return "ru" if (env.lang or "").startswith("ru") else "kk"


def russian_sheets(number):
    """лист / листа / листов after a number."""
    if number % 10 == 1 and number % 100 != 11:
        return "лист"
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return "листа"
    return "листов"


def certification_text(lang, total):
    text = FORM_TEXT[lang]["certification"]
    return text.format(total=total, sheets=russian_sheets(total))


class JournalCustodyFormatter:
    """Turns custody rows into the printed cells of the form, in the user's timezone."""

    def __init__(self, env):
        self.env = env
        self.lang = form_lang(env)
        self.text = FORM_TEXT[self.lang]
        self.tz = pytz.timezone(env.context.get("tz") or env.user.tz or "UTC")
        custody = env["mchs.bodycam.custody"]
        self.methods = dict(custody._fields["issue_confirmation"]._description_selection(env))

    def datetime(self, value):
        if not value:
            return ""
        return pytz.utc.localize(value).astimezone(self.tz).strftime("%d.%m.%Y %H:%M")

    def signature(self, confirmed_at, method):
        """Columns 4/5, the inspector's "signature": how and when they confirmed (items 7, 10)."""
        if not confirmed_at:
            return ""
        return f"✓ {self.methods.get(method, '')}, {self.datetime(confirmed_at)}"

    def date(self, value):
        if not value:
            return self.text["blank_date"]
        return babel_format_date(value, self.text["date_format"], locale=self.text["babel_locale"])

    def header(self, journal):
        return {
            "unit": journal.department_id.name or "",
            "started": self.text["started"].format(date=self.date(journal.date_start)),
            "finished": self.text["finished"].format(date=self.date(journal.date_end)),
        }

    def rows(self, journal, batch=ROW_BATCH):
        """The book's rows in book order, as dicts of printed cells, read ``batch`` at a time."""
        custody = self.env["mchs.bodycam.custody"]
        row_ids = custody.search(
            [("journal_id", "=", journal.id), ("row_number", "!=", False)], order="row_number").ids
        for start in range(0, len(row_ids), batch):
            entries = custody.browse(row_ids[start:start + batch])
            for entry in entries:
                yield {
                    "number": entry.row_number,
                    "inventory": entry.inventory_text or "",
                    "inspector": entry.inspector_id.name or "",
                    "issue": self.datetime(entry.issue_datetime),
                    "issue_signature": self.signature(entry.issue_confirmed_at, entry.issue_confirmation),
                    "return": self.datetime(entry.return_datetime),
                    "return_signature": self.signature(entry.return_confirmed_at, entry.return_confirmation),
                    "download": self.datetime(entry.download_datetime),
                    "remarks": entry.remarks_text or "",
                    "struck": entry.struck,
                }
            # keep the cache small: the next batch starts from an empty cache
            self.env.invalidate_all()


# Page layout of the printed book (A4 landscape, margins 10/14/10/10 mm: 186 mm high; the
# table comes out about 245 mm wide). wkhtmltopdf neither repeats table headings nor keeps
# a row on one page, so the rows are laid out on pages here from an estimate of each row's
# height (line heights fixed in the template's CSS); every page repeats the headings.
COLUMN_PERCENT = [6, 18, 16, 15, 15, 10, 20]
PAGE_WIDTH_MM = 245
FIRST_PAGE_BODY_MM = 125  # below the title block and the headings (about 137 mm)
PAGE_BODY_MM = 158  # below the headings (about 168 mm)
LINE_MM = 3.85  # one 8 pt line, line-height 1.35
SIGN_LINE_MM = 3.15  # one 6.5 pt line
CHAR_MM = 1.4  # average character width at 8 pt
SIGN_CHAR_MM = 1.15  # at 6.5 pt
ROW_PADDING_MM = 2.2


def _lines(text, width_mm, char_mm):
    """Lines a text takes in a column: greedy word wrap (at spaces and after hyphens, long
    words broken), with an average character width a little above DejaVu Sans's."""
    room = max(int((width_mm - 2.5) / char_mm), 1)
    count = 0
    for paragraph in (text or "").split("\n"):
        count += 1
        used = 0
        for word in re.findall(r"[^\s-]*-|[^\s-]+", paragraph):
            size = len(word)
            if used and used + 1 + size > room:
                count += 1
                used = 0
            elif used:
                used += 1  # the space (none after a hyphen: counted anyway, generously)
            while size > room:
                count += 1
                size -= room
            used += size
    return max(count, 1)


def row_height_mm(row):
    """Estimated printed height of a row, a little generous so that a row never spills."""
    widths = [PAGE_WIDTH_MM * percent / 100 for percent in COLUMN_PERCENT]
    heights = [
        _lines(row["inventory"], widths[1], CHAR_MM) * LINE_MM,
        _lines(row["inspector"], widths[2], CHAR_MM) * LINE_MM,
        _lines(row["download"], widths[5], CHAR_MM) * LINE_MM,
        _lines(row["remarks"], widths[6], CHAR_MM) * LINE_MM,
    ]
    for moment, signature in (("issue", "issue_signature"), ("return", "return_signature")):
        height = _lines(row[moment], widths[3], CHAR_MM) * LINE_MM
        if row[signature]:
            height += _lines(row[signature], widths[3], SIGN_CHAR_MM) * SIGN_LINE_MM
        heights.append(height)
    return max(heights) + ROW_PADDING_MM


def paginate(rows, height_factor=1.0):
    """Rows split into pages of the printed book; ``height_factor`` > 1 plans them more
    generously (used when a rendered page spilled over)."""
    pages, page, room = [], [], FIRST_PAGE_BODY_MM
    for row in rows:
        height = row_height_mm(row) * height_factor
        if page and height > room:
            pages.append(page)
            page, room = [], PAGE_BODY_MM
        page.append(row)
        room -= height
    pages.append(page)
    return pages


class ReportJournalCustody(models.AbstractModel):
    """Values of the printed Appendix 1 book."""

    _name = "report.mchs_bodycam.report_journal_custody"
    _description = "Appendix 1 journal (printed book)"

    @api.model
    def _get_report_values(self, docids, data=None):
        journals = self.env["mchs.bodycam.journal"].browse(docids)
        formatter = JournalCustodyFormatter(self.env)
        books = {}
        for journal in journals:
            books[journal.id] = dict(formatter.header(journal), pages=paginate(
                formatter.rows(journal), (data or {}).get("mchs_height_factor", 1.0)))
        return {
            "doc_ids": docids,
            "doc_model": "mchs.bodycam.journal",
            "docs": journals,
            "books": books,
            "form": formatter.text,
            "column_percent": COLUMN_PERCENT,
        }


class ReportJournalCustodyXlsx(models.AbstractModel):
    """The Appendix 1 book as a spreadsheet: same headings and rows as the printed form.

    xlsxwriter's constant_memory mode flushes every row to a temporary file once the next
    row starts, and the rows are read in batches, so a 100,000-row book keeps a flat memory.
    """

    _name = "report.mchs_bodycam.report_journal_custody_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Appendix 1 journal (spreadsheet)"

    def get_workbook_options(self):
        return {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False}

    def generate_xlsx_report(self, workbook, data, objs):
        formatter = JournalCustodyFormatter(self.env)
        text = formatter.text
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 12})
        heading = workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter",
                                       "align": "center"})
        cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        struck = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_strikeout": True})
        number = workbook.add_format({"border": 1, "valign": "top", "align": "center"})
        struck_number = workbook.add_format({"border": 1, "valign": "top", "align": "center",
                                             "font_strikeout": True})
        for journal in objs:
            header = formatter.header(journal)
            sheet = workbook.add_worksheet(f"{text['sheet']} {journal.registration_number or journal.id}"[:31])
            for column, width in enumerate([8, 38, 32, 26, 26, 18, 40]):
                sheet.set_column(column, column, width)
            # constant_memory: rows strictly top to bottom
            sheet.write(0, 0, header["unit"], bold)
            sheet.write(1, 0, text["unit_caption"])
            sheet.write(2, 0, text["title"], title)
            sheet.write(3, 0, header["started"])
            sheet.write(4, 0, header["finished"])
            sheet.write_row(6, 0, text["headings"], heading)
            sheet.write_row(7, 0, list(range(1, 8)), number)
            sheet.freeze_panes(8, 0)
            row_index = 8
            for row in formatter.rows(journal):
                formats = (struck_number, struck) if row["struck"] else (number, cell)
                sheet.write_number(row_index, 0, row["number"], formats[0])
                sheet.write_row(row_index, 1, [
                    row["inventory"], row["inspector"],
                    "\n".join(filter(None, [row["issue"], row["issue_signature"]])),
                    "\n".join(filter(None, [row["return"], row["return_signature"]])),
                    row["download"], row["remarks"]], formats[1])
                row_index += 1


class IrActionsReport(models.Model):
    """Page numbers and the item 9 certification page on the printed Appendix 1 book.

    Debian's wkhtmltopdf ignores header and footer HTML, so "page N of M" is stamped on the
    rendered PDF; the last page, added here, carries the certification of item 9 with the
    real page count (itself included) and the responsible person's name.
    """

    _inherit = "ir.actions.report"

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        report = self._get_report(report_ref)
        if report.report_name != JOURNAL_REPORT or not res_ids:
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        res_ids = list(dict.fromkeys(res_ids))
        books = []
        for res_id in res_ids:
            # each book is numbered on its own and ends with its own certification page
            content, kind = self._mchs_journal_render_pages(report_ref, res_id, data)
            if kind != "pdf":
                return content, kind
            books.append(self._mchs_journal_finish_pdf(content, self.env["mchs.bodycam.journal"].browse(res_id)))
        return (books[0] if len(books) == 1 else run_qpdf(books, [])), "pdf"

    def _mchs_journal_render_pages(self, report_ref, res_id, data):
        """Render one book's pages. Rows are laid out on pages from an estimate of their
        height; should a page still spill over (a page without the headings), the book is laid
        out again more generously, so that every printed page carries the headings."""
        heading = FORM_TEXT[form_lang(self.env)]["headings"][-1]
        factor = 1.0
        for _attempt in range(5):
            content, kind = super()._render_qweb_pdf(
                report_ref, res_ids=[res_id], data=dict(data or {}, mchs_height_factor=factor))
            if kind != "pdf" or all(heading in page for page in pdf_pages_text(content)):
                break
            factor *= 1.15
        return content, kind

    @api.model
    def _mchs_journal_fonts(self):
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        registered = pdfmetrics.getRegisteredFontNames()
        if "DejaVuSans" not in registered:
            pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU_SANS))
        if "DejaVuSans-Bold" not in registered:
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", DEJAVU_SANS_BOLD))
        return "DejaVuSans", "DejaVuSans-Bold"

    def _mchs_journal_finish_pdf(self, content, journal):
        """Append the item 9 certification page and stamp "page N of M" on every page.

        The stamps are drawn by reportlab and laid over the pages by qpdf, which copies the
        pages' content as it is (PyPDF2's merge_page re-parses every content stream: minutes
        for a thick book)."""
        from PyPDF2 import PdfReader
        from reportlab.lib.units import mm
        from reportlab.pdfgen import canvas

        regular, bold = self._mchs_journal_fonts()
        lang = form_lang(self.env)
        text = FORM_TEXT[lang]
        pages = PdfReader(io.BytesIO(content)).pages
        sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages]
        total = len(sizes) + 1
        width, height = sizes[-1]
        sizes.append((width, height))

        # the certification page (item 9), counted in its own total
        when = journal.date_end or fields.Date.context_today(self)
        responsible = journal.department_id._bodycam_person_at("responsible", when)
        cert_stream = io.BytesIO()
        cert = canvas.Canvas(cert_stream, pagesize=(width, height))
        cert.setTitle(text["title"])
        y = height - 30 * mm
        cert.setFont(bold, 11)
        cert.drawCentredString(width / 2, y, journal.department_id.name or "")
        cert.setFont(regular, 10)
        cert.drawCentredString(width / 2, y - 7 * mm, text["title"])
        y = height * 0.55
        cert.setFont(bold, 14)
        cert.drawCentredString(width / 2, y, certification_text(lang, total))
        y -= 20 * mm
        cert.setFont(regular, 12)
        left = width * 0.2
        cert.drawString(left, y, text["responsible"])
        cert.line(width * 0.42, y - 1 * mm, width * 0.58, y - 1 * mm)
        cert.drawString(width * 0.6, y, responsible.name or "")
        y -= 10 * mm
        cert.drawString(left, y, when.strftime("%d.%m.%Y"))
        cert.showPage()
        cert.save()

        # page numbers: one overlay page per page
        overlay_stream = io.BytesIO()
        overlay = canvas.Canvas(overlay_stream)
        for number, (page_width, page_height) in enumerate(sizes, start=1):
            overlay.setPageSize((page_width, page_height))
            overlay.setFont(regular, 9)
            overlay.drawRightString(page_width - 10 * mm, 6 * mm, text["page"].format(page=number, total=total))
            overlay.showPage()
        overlay.save()
        return run_qpdf([content, cert_stream.getvalue()], ["--overlay", "{stamps}", "--"],
                        stamps=overlay_stream.getvalue())


def pdf_pages_text(content):
    """Text of each page of a PDF, by poppler's pdftotext (pages end with a form feed)."""
    try:
        result = subprocess.run(["pdftotext", "-q", "-", "-"], input=content, capture_output=True,
                                timeout=600, check=True)
    except (FileNotFoundError, subprocess.CalledProcessError):
        return []  # cannot check: trust the layout estimate
    return [page for page in result.stdout.decode(errors="replace").split("\f") if page.strip()]


def run_qpdf(documents, options, stamps=None):
    """Concatenate ``documents`` (PDF bytes) with Debian's qpdf, applying ``options``."""
    with tempfile.TemporaryDirectory(prefix="mchs-journal-") as folder:
        paths = []
        for index, document in enumerate(documents):
            paths.append(os.path.join(folder, f"part{index}.pdf"))
            with open(paths[-1], "wb") as handle:
                handle.write(document)
        stamps_path = os.path.join(folder, "stamps.pdf")
        if stamps is not None:
            with open(stamps_path, "wb") as handle:
                handle.write(stamps)
        output = os.path.join(folder, "book.pdf")
        command = ["qpdf", "--empty", "--pages", *paths, "--",
                   *[option.format(stamps=stamps_path) for option in options], output]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=600)
        except FileNotFoundError as error:
            raise UserError(_("The journal cannot be printed: qpdf is not installed (run 'make deps').")) from error
        except subprocess.CalledProcessError as error:
            raise UserError(_("The journal could not be assembled: %s", error.stderr.decode(errors="replace"))) from error
        with open(output, "rb") as handle:
            return handle.read()
