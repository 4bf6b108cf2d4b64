"""The journal books of Order No. 495 (Appendix 1, Appendix 2) printed as bound books (PDF)
and exported as spreadsheets (XLSX).

What differs between the two journals (the fixed texts of the form, the column widths, which
records are the book's rows and how they are printed) is a ``JournalForm`` subclass, one per
journal kind (reports/report_journal_custody.py, reports/report_journal_access.py). What
they share lives here: the page layout of the printed book (rows laid out on pages, headings
on every page), the finishing of the PDF (page numbers, the item 9 certification page) and
the spreadsheet writer.
"""
import io
import os
import re
import subprocess
import tempfile
from datetime import datetime, time

import pytz
from babel.dates import format_date as babel_format_date

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# rows read per batch: a 100,000-row book never sits in the ORM cache at once
ROW_BATCH = 2000
XLSX_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False}

# journal kind -> its JournalForm subclass; report_name of a printed book -> journal kind
JOURNAL_FORMS = {}
JOURNAL_REPORTS = {}


def register_form(form_class):
    """Class decorator: the form of the journal kind ``form_class.kind``, printed by the PDF
    report ``form_class.report_name``."""
    JOURNAL_FORMS[form_class.kind] = form_class
    JOURNAL_REPORTS[form_class.report_name] = form_class.kind
    return form_class


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


def check_journal_kind(env, journals, kind):
    """A report prints the books of its own kind only (one model holds both journals)."""
    wrong = journals.filtered(lambda journal: journal.kind != kind)
    if wrong:
        kinds = dict(env["mchs.bodycam.journal"]._fields["kind"]._description_selection(env))
        raise UserError(env._(
            "%(books)s cannot be printed on this form, which is for \"%(kind)s\" books only: "
            "print each book with the journal report of its own kind.",
            books=", ".join(wrong.mapped("display_name")), kind=kinds.get(kind, kind)))


# What both journal books print alike, per language: the header and footer of the form, the
# item 9 certification (verbatim in Kazakh) and the first three column headings.
BOOK_TEXT = {
    "kk": {
        "unit_caption": "(уәкілетті органның ведомствосының немесе аумақтық органының атауы)",
        "started": "{date} жылы басталды",
        "finished": "{date} жылы аяқталды",
        "blank_date": "\"___\" _______ 20 __",
        "date_format": "«dd» MMMM yyyy",
        "babel_locale": "kk",
        "page": "{page}-парақ, барлығы {total}",
        "certification": "Осы журналда {total} парақ нөмірленген, тігілген және мөрмен бекітілген",
        "responsible": "Жауапты тұлға",
    },
    "ru": {
        "unit_caption": "(наименование ведомства уполномоченного органа или территориального органа)",
        "started": "Начат {date} года",
        "finished": "Окончен {date} года",
        "blank_date": "«___» _______ 20__",
        "date_format": "«dd» MMMM yyyy",
        "babel_locale": "ru",
        "page": "Лист {page} из {total}",
        "certification": "В настоящем журнале пронумеровано, прошнуровано и скреплено печатью {total} {sheets}",
        "responsible": "Ответственное лицо",
    },
}
BOOK_HEADINGS = {
    "kk": [
        "р/с №",
        "Бейнетіркегішті түгендеу нөмірі (бейнетіркегіштің жад карталары)",
        "Бейнетіркегіш пайдаланушының Т.А.Ә. (ол болған кезде)",
    ],
    "ru": [
        "№ п/п",
        "Инвентарный номер видеорегистратора (карт памяти видеорегистратора)",
        "Ф.И.О. пользователя видеорегистратора (при его наличии)",
    ],
}


def book_text(lang, title, headings, sheet):
    """A journal form's texts in ``lang``: the shared book texts plus its own title, its
    columns 4-7 and its sheet name."""
    return dict(BOOK_TEXT[lang], title=title, headings=BOOK_HEADINGS[lang] + headings, sheet=sheet)


class PrintedForm:
    """A printed form of the Order (journal book or commission act): its fixed texts in the
    form's language (Kazakh unless printed in Russian) and moments in the printing user's
    timezone."""

    texts = {}  # lang -> texts of the form

    def __init__(self, env):
        self.env = env
        self.lang = form_lang(env)
        self.text = self.texts[self.lang]
        self.tz = pytz.timezone(env.context.get("tz") or env.user.tz or "UTC")

    def datetime(self, value):
        if not value:
            return ""
        return pytz.utc.localize(value).astimezone(self.tz).strftime("%d.%m.%Y %H:%M")


class JournalForm(PrintedForm):
    """One journal's printed form: its fixed texts (Kazakh verbatim and Russian), its rows
    and their printed cells, in the printing user's timezone and language.

    A row is a dict: ``number`` (column 1), ``struck`` (an item 9 correction: drawn struck
    through) and ``cells``, the six cells of columns 2-7 as (text, detail) pairs, the detail
    printed in small type under the text (e.g. the "signature" of a date)."""

    kind = None
    report_name = None  # the PDF report of this form
    column_percent = []  # widths of the 7 columns on the printed page
    xlsx_widths = []  # widths of the 7 columns of the spreadsheet
    model = None  # the rows' model

    @classmethod
    def of(cls, env, kind):
        return JOURNAL_FORMS[kind](env)

    # -- formatting
    def date(self, value):
        if not value:
            return self.text["blank_date"]
        return babel_format_date(value, self.text["date_format"], locale=self.text["babel_locale"])

    def utc_start_of(self, day):
        """The UTC moment the given local day starts, in this form's timezone."""
        return self.tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def header(self, journal):
        return {
            "unit": journal.department_id.name or "",
            "started": self.text["started"].format(date=self.date(journal.date_start)),
            "finished": self.text["finished"].format(date=self.date(journal.date_end)),
        }

    def certification(self, total):
        return self.text["certification"].format(total=total, sheets=russian_sheets(total))

    # -- rows
    def entry_ids(self, journal):
        """Ids of the book's rows, in book order."""
        raise NotImplementedError

    def batch_rows(self, entries):
        """Printed rows of a batch of entries (a recordset), in order."""
        raise NotImplementedError

    def rows(self, journal, batch=ROW_BATCH):
        """The book's rows in book order, as dicts of printed cells, read ``batch`` at a time."""
        row_ids = self.entry_ids(journal)
        for start in range(0, len(row_ids), batch):
            yield from self.batch_rows(self.env[self.model].browse(row_ids[start:start + batch]))
            # keep the cache small: the next batch starts from an empty cache
            self.env.invalidate_all()

    def row_height_mm(self, row):
        """Estimated printed height of a row, a little generous so that a row never spills."""
        heights = []
        for percent, (text, detail) in zip(self.column_percent[1:], row["cells"]):
            width = PAGE_WIDTH_MM * percent / 100
            height = _lines(text, width, CHAR_MM) * LINE_MM
            if detail:
                height += _lines(detail, width, SIGN_CHAR_MM) * SIGN_LINE_MM
            heights.append(height)
        return max(heights) + ROW_PADDING_MM


# Page layout of the printed book (A4 landscape, margins 10/14/10/10 mm: 186 mm high; the
# table comes out about 245 mm wide). wkhtmltopdf neither repeats table headings nor keeps
# a row on one page, so the rows are laid out on pages here from an estimate of each row's
# height (line heights fixed in the template's CSS); every page repeats the headings.
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


def paginate(rows, row_height, height_factor=1.0):
    """Rows split into pages of the printed book; ``height_factor`` > 1 plans them more
    generously (used when a rendered page spilled over)."""
    pages, page, room = [], [], FIRST_PAGE_BODY_MM
    for row in rows:
        height = row_height(row) * height_factor
        if page and height > room:
            pages.append(page)
            page, room = [], PAGE_BODY_MM
        page.append(row)
        room -= height
    pages.append(page)
    return pages


def journal_report_values(env, kind, docids, data=None):
    """Values of the printed book template (reports/report_journal_custody.xml)."""
    journals = env["mchs.bodycam.journal"].browse(docids)
    check_journal_kind(env, journals, kind)
    form = JournalForm.of(env, kind)
    books = {}
    for journal in journals:
        books[journal.id] = dict(form.header(journal), pages=paginate(
            form.rows(journal), form.row_height_mm, (data or {}).get("mchs_height_factor", 1.0)))
    return {
        "doc_ids": docids,
        "doc_model": "mchs.bodycam.journal",
        "docs": journals,
        "books": books,
        "form": form.text,
        "column_percent": form.column_percent,
    }


def write_journal_xlsx(env, kind, workbook, journals):
    """The books as spreadsheets, one sheet a book: the same headings and rows as the printed
    form. xlsxwriter's constant_memory mode flushes every row to a temporary file once the
    next row starts, and the rows are read in batches, so a 100,000-row book keeps a flat
    memory."""
    check_journal_kind(env, journals, kind)
    form = JournalForm.of(env, kind)
    text = form.text
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 12})
    heading = workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter",
                                   "align": "center"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    struck = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_strikeout": True})
    number = workbook.add_format({"border": 1, "valign": "top", "align": "center"})
    struck_number = workbook.add_format({"border": 1, "valign": "top", "align": "center",
                                         "font_strikeout": True})
    for journal in journals:
        header = form.header(journal)
        sheet = workbook.add_worksheet(f"{text['sheet']} {journal.registration_number or journal.id}"[:31])
        for column, width in enumerate(form.xlsx_widths):
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
        for row in form.rows(journal):
            formats = (struck_number, struck) if row["struck"] else (number, cell)
            sheet.write_number(row_index, 0, row["number"], formats[0])
            sheet.write_row(row_index, 1, ["\n".join(filter(None, pair)) for pair in row["cells"]], formats[1])
            row_index += 1


class MchsBodycamJournalReport(models.AbstractModel):
    """Values of a printed journal book; concrete reports set ``_journal_kind``."""

    _name = "mchs.bodycam.journal.report"
    _description = "Bodycam journal book (printed)"
    _journal_kind = None

    @api.model
    def _get_report_values(self, docids, data=None):
        return journal_report_values(self.env, self._journal_kind, docids, data)


class MchsBodycamJournalXlsx(models.AbstractModel):
    """A journal book as a spreadsheet (see write_journal_xlsx); concrete reports set
    ``_journal_kind``."""

    _name = "mchs.bodycam.journal.xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Bodycam journal book (spreadsheet)"
    _journal_kind = None

    def get_workbook_options(self):
        return dict(XLSX_OPTIONS)

    def generate_xlsx_report(self, workbook, data, objs):
        # report_xlsx's hook, called with the books to export; reached over RPC, its arguments
        # are no workbook and books: refused in words rather than failing on them
        if not isinstance(objs, models.BaseModel) or objs._name != "mchs.bodycam.journal":
            raise AccessError(self.env._("A journal book is exported from its Print menu (item 9)."))
        write_journal_xlsx(self.env, self._journal_kind, workbook, objs)


class IrActionsReport(models.Model):
    """Page numbers and the item 9 certification page on the printed journal books.

    Debian's wkhtmltopdf ignores header and footer HTML, so "page N of M" is stamped on the
    rendered PDF; the last page, added here, carries the certification of item 9 with the
    real page count (itself included) and the responsible person's name.
    """

    _inherit = "ir.actions.report"

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        report = self._get_report(report_ref)
        kind = JOURNAL_REPORTS.get(report.report_name)
        if not kind or not res_ids:
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        res_ids = list(dict.fromkeys(res_ids))
        journals = self.env["mchs.bodycam.journal"].browse(res_ids)
        check_journal_kind(self.env, journals, kind)
        form = JournalForm.of(self.env, kind)
        books = []
        for journal in journals:
            # each book is numbered on its own and ends with its own certification page
            content, content_type = self._mchs_journal_render_pages(report_ref, journal.id, data, form)
            if content_type != "pdf":
                return content, content_type
            books.append(self._mchs_journal_finish_pdf(content, journal, form))
        return (books[0] if len(books) == 1 else run_qpdf(books, [])), "pdf"

    def _mchs_journal_render_pages(self, report_ref, res_id, data, form):
        """Render one book's pages. Rows are laid out on pages from an estimate of their
        height; should a page still spill over (a page without the headings), the book is laid
        out again more generously, so that every printed page carries the headings."""
        marker = form.text["headings"][0]  # "р/с №": short, never wrapped
        factor = 1.0
        for _attempt in range(5):
            content, content_type = super()._render_qweb_pdf(
                report_ref, res_ids=[res_id], data=dict(data or {}, mchs_height_factor=factor))
            if content_type != "pdf" or all(marker in " ".join(page.split()) for page in pdf_pages_text(content)):
                break
            factor *= 1.15
        return content, content_type

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

    def _mchs_journal_finish_pdf(self, content, journal, form):
        """Append the item 9 certification page and stamp "page N of M" on every page.

        The stamps are drawn by reportlab and laid over the pages by qpdf, which copies the
        pages' content as it is (PyPDF2's merge_page re-parses every content stream: minutes
        for a thick book)."""
        from PyPDF2 import PdfReader
        from reportlab.lib.units import mm
        from reportlab.pdfgen import canvas

        regular, bold = self._mchs_journal_fonts()
        text = form.text
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
        cert.drawCentredString(width / 2, y, form.certification(total))
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
