"""The journal books of Order No. 495 (Appendix 1, Appendix 2) printed as bound books (PDF)
and exported as spreadsheets (XLSX).

What differs between the two journals (the fixed texts of the form, the column widths, which
records are the book's rows and how they are printed) is a ``JournalForm`` subclass, one per
journal kind (reports/report_journal_custody.py, reports/report_journal_access.py). What
they share lives here: the texts of the book (the appendix's corner caption, the office
registration, item 9's certification), the printed book's values (its rows laid out on pages by
reports/report_journal_layout.py, headings on every page, the certification page at its end),
the finishing of the PDF (page numbers, the certification page when it could not end the book)
and the spreadsheet writer. The texts are code terms translated by the .po files; the book
prints in the language chosen at printing, by default its unit's, with times in the unit's zone
(reports/report_print.py).
"""
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .report_journal_layout import BookLayout
from .report_print import _lt, PagedDocument, PrintedForm, QUALIFIED_TEXTS, pdf_page_count, print_lang, run_qpdf, term

# rows read per batch: a 100,000-row book never sits in the ORM cache at once
ROW_BATCH = 2000
XLSX_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                "strings_to_urls": False}

# the spreadsheet's cell formats (bench/bench_journal_reports.py writes the same cells with them)
XLSX_FORMATS = {
    "bold": {"bold": True},
    "title": {"bold": True, "font_size": 12},
    "heading": {"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"},
    "cell": {"border": 1, "text_wrap": True, "valign": "top"},
    "struck": {"border": 1, "text_wrap": True, "valign": "top", "font_strikeout": True},
    "number": {"border": 1, "valign": "top", "align": "center"},
    "struck_number": {"border": 1, "valign": "top", "align": "center", "font_strikeout": True},
}

# journal kind -> its JournalForm subclass; report_name of a printed book -> journal kind
JOURNAL_FORMS = {}
JOURNAL_REPORTS = {}
CERTIFICATION_REPORT = "mchs_bodycam.action_report_journal_certification"


def register_form(form_class):
    """Class decorator: the form of the journal kind ``form_class.kind``, printed by the PDF
    report ``form_class.report_name``."""
    JOURNAL_FORMS[form_class.kind] = form_class
    JOURNAL_REPORTS[form_class.report_name] = form_class.kind
    return form_class


def check_journal_kind(env, journals, kind):
    """A report prints the books of its own kind only (one model holds both journals)."""
    wrong = journals.filtered(lambda journal: journal.kind != kind)
    if wrong:
        kinds = dict(env["mchs.bodycam.journal"]._fields["kind"]._description_selection(env))
        raise UserError(env._(
            "%(books)s cannot be printed on this form, which is for \"%(kind)s\" books only: "
            "print each book with the journal report of its own kind.",
            books=", ".join(wrong.mapped("display_name")), kind=kinds.get(kind, kind)))


# What both journal books print alike: the header and footer of the form, the item 9
# certification (verbatim in Kazakh) and the first three column headings.
PAGE_STAMP = _lt("Page %(page)s of %(total)s")  # at the foot of every page of a book
BOOK_TEXT = {
    "form": _lt("(form)"),
    "unit_caption": _lt("(name of the department of the authorized body or of the territorial body)"),
    "started": _lt("started %(date)s"),
    "finished": _lt("finished %(date)s"),
    "blank_date": _lt("\"___\" _______ 20__"),
    "registration": _lt("Registered in the office: No. %(number)s of %(date)s"),
    "certification": _lt("This journal has %(total)s %(sheets)s numbered, bound and sealed"),
    "responsible": _lt("Responsible person"),
    "signature": _lt("(signature)"),
    "seal_place": _lt("S.P. (seal place)"),
    **QUALIFIED_TEXTS,
}
BOOK_HEADINGS = [
    _lt("Row No."),
    _lt("Inventory number of the bodycam (its memory cards)"),
    _lt("Full name of the bodycam user (if any)"),
]


class JournalForm(PrintedForm):
    """One journal's printed form: its fixed texts, its rows and their printed cells, in the
    book's language and its unit's time zone.

    A row is a dict: ``number`` (column 1), ``struck`` (an item 9 correction: drawn struck
    through) and ``cells``, the six cells of columns 2-7 as (text, detail) pairs, the detail
    printed in small type under the text (e.g. the "signature" of a date)."""

    kind = None
    report_name = None  # the PDF report of this form
    caption = None  # "Appendix N to the Instruction ...": the corner caption
    title = None
    headings = []  # columns 4-7

    def qualified_seats(self):
        """Item 9: the responsible person certifies the closed book (issue 13)."""
        return {"responsible": self.text["responsible"]}
    sheet = None  # the spreadsheet's name
    column_percent = []  # widths of the 7 columns on the printed page
    xlsx_widths = []  # widths of the 7 columns of the spreadsheet
    model = None  # the rows' model

    def __init__(self, env, journal, lang):
        self.texts = dict(BOOK_TEXT, caption=self.caption, title=self.title,
                          headings=BOOK_HEADINGS + self.headings, sheet=self.sheet)
        super().__init__(env, journal.department_id, lang)
        self.journal = journal

    @classmethod
    def of(cls, env, kind, journal, data=None):
        """The form of ``journal`` (a book of ``kind``) in the language chosen for it."""
        return JOURNAL_FORMS[kind](env, journal, print_lang(env, journal.department_id, data))

    # -- formatting
    def header(self):
        journal = self.journal.with_env(self.env)
        blank = self.text["blank_date"]
        return {
            "unit": journal.department_id.name or "",
            "started": self.t(BOOK_TEXT["started"], date=self.long_date(journal.date_start, blank)),
            "finished": self.t(BOOK_TEXT["finished"], date=self.long_date(journal.date_end, blank)),
            "registration": self.registration(),
        }

    def registration(self):
        """item 9: the number and date under which the unit's office registered the book."""
        journal = self.journal
        if not journal.registration_number:
            return ""
        return self.t(BOOK_TEXT["registration"], number=journal.registration_number,
                      date=self.date(journal.registration_date))

    def certification(self, total):
        return self.t(BOOK_TEXT["certification"], total=total, sheets=self.sheets(total))

    def page_stamp(self, number, total):
        return self.t(PAGE_STAMP, page=number, total=total)

    # -- rows
    def entry_ids(self):
        """Ids of the book's rows, in book order (for rows read through records, see rows)."""
        raise NotImplementedError

    def batch_rows(self, entries):
        """Printed rows of a batch of entries (a recordset), in order."""
        raise NotImplementedError

    def rows(self, batch=ROW_BATCH):
        """The book's rows in book order, as dicts of printed cells, read ``batch`` at a time
        through records (entry_ids, batch_rows); a form may read them otherwise."""
        row_ids = self.entry_ids()
        for start in range(0, len(row_ids), batch):
            yield from self.batch_rows(self.env[self.model].browse(row_ids[start:start + batch]))
            # keep the cache small: the next batch starts from an empty cache
            self.env.invalidate_all()


def rows_html(rows):
    """The rows of a page of the book, as the book's template prints them: a <tr> a row (struck
    through for an item 9 correction), its number, then its cells, each its text and, in small
    type under it, its detail. Made here rather than in QWeb, which took four to five times as
    long for a thick book: every piece it writes goes up through each template that calls it."""
    parts = []
    for row in rows:
        parts.append('<tr class="mchs-struck">' if row["struck"] else "<tr>")
        parts.append(f'<td class="mchs-num">{escape(row["number"])}</td>')
        for text, detail in row["cells"]:
            if detail:
                parts.append(f'<td>{escape(text)}<div class="mchs-sign">{escape(detail)}</div></td>')
            else:
                parts.append(f"<td>{escape(text)}</td>")
        parts.append("</tr>")
    return Markup("".join(parts))


def journal_report_values(env, kind, docids, data=None):
    """Values of the printed book template (reports/report_journal_custody.xml); the number of
    pages laid out is handed back in ``data['mchs_plan']`` (see report_print)."""
    data = data or {}
    journals = env["mchs.bodycam.journal"].browse(docids)
    check_journal_kind(env, journals, kind)
    certify = data.get("mchs_certify", True)
    books, planned = {}, 0
    for journal in journals:
        form = JournalForm.of(env, kind, journal, data)
        header = form.header()
        layout = BookLayout(form)
        pages = layout.paginate(form.rows(), layout.first_page_mm(dict(form.text, **header)),
                                data.get("mchs_height_factor", 1.0))
        planned += len(pages)
        books[journal.id] = dict(header, pages=[rows_html(page) for page in pages], form=form.text,
                                 column_percent=form.column_percent)
        if certify:
            # item 9: the certification page ends the book, counted in its total
            books[journal.id]["certification"] = certification_values(form, journal, len(pages) + 1)
            planned += 1
    if isinstance(data.get("mchs_plan"), dict):
        data["mchs_plan"].update(pages=planned, certified=certify)
    return {
        "doc_ids": docids,
        "doc_model": "mchs.bodycam.journal",
        "docs": journals,
        "books": books,
    }


def xlsx_formats(workbook):
    """The spreadsheet's cell formats, added to ``workbook`` in XLSX_FORMATS' order."""
    return {name: workbook.add_format(properties) for name, properties in XLSX_FORMATS.items()}


def write_journal_xlsx(env, kind, workbook, journals, data=None):
    """The books as spreadsheets, one sheet a book: the same headings and rows as the printed
    form. xlsxwriter's constant_memory mode flushes every row to a temporary file once the
    next row starts, and the rows are read in batches, so a 100,000-row book keeps a flat
    memory."""
    check_journal_kind(env, journals, kind)
    formats = xlsx_formats(workbook)
    plain_row = (formats["number"], formats["cell"])
    struck_row = (formats["struck_number"], formats["struck"])  # item 9: a corrected row
    for journal in journals:
        form = JournalForm.of(env, kind, journal, data)
        text = form.text
        header = form.header()
        sheet = workbook.add_worksheet(f"{text['sheet']} {journal.registration_number or journal.id}"[:31])
        for column, width in enumerate(form.xlsx_widths):
            sheet.set_column(column, column, width)
        # constant_memory: rows strictly top to bottom
        sheet.write(0, 0, header["unit"], formats["bold"])
        sheet.write(1, 0, text["unit_caption"])
        sheet.write(2, 0, text["title"], formats["title"])
        sheet.write(3, 0, header["started"])
        sheet.write(4, 0, header["finished"])
        sheet.write(5, 0, header["registration"])
        sheet.write_row(6, 0, text["headings"], formats["heading"])
        sheet.write_row(7, 0, list(range(1, 8)), formats["number"])
        sheet.freeze_panes(8, 0)
        # the cells are texts: written as such (write_row would guess each value's type)
        write_string, write_blank = sheet.write_string, sheet.write_blank
        for row_index, row in enumerate(form.rows(), start=8):
            number_format, text_format = struck_row if row["struck"] else plain_row
            sheet.write_number(row_index, 0, row["number"], number_format)
            for column, (text, detail) in enumerate(row["cells"], start=1):
                value = f"{text}\n{detail}" if text and detail else text or detail
                if value:
                    write_string(row_index, column, value, text_format)
                else:
                    write_blank(row_index, column, None, text_format)


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
        write_journal_xlsx(self.env, self._journal_kind, workbook, objs, data)


def certification_values(form, journal, total):
    """The certification page of ``journal`` (item 9) printed with the count ``total``."""
    when = journal.date_end or journal.department_id._bodycam_today()
    responsible = journal.department_id._bodycam_person_at("responsible", when)
    return dict(form.header(), form=form.text, certification=form.certification(total),
                responsible=responsible.name or "", date=form.date(when),
                qualified=form.qualified_signatures(journal))


class JournalBook(PagedDocument):
    """A printed journal book (item 9): its rows' pages, then the certification page, every page
    numbered "N of M" with the real count, the certification page included."""

    kind = None

    @classmethod
    def check(cls, env, records):
        check_journal_kind(env, records, cls.kind)

    @classmethod
    def finish(cls, report, record, lang, content, data, plan):
        """The book's pages, then its certification page (item 9), counted in its own total. The
        book is first printed with its certification page counting the pages laid out and itself
        (journal_report_values): when the rendered book has exactly that many pages (else
        _mchs_render_laid_out prints it again without), every row page was laid out right and the
        certification took one page, so its count is right. Otherwise (rows or a certification
        page that ran longer) the rows are printed alone and the certification page after them,
        its count taken from the rendered rows."""
        if plan.get("certified") and plan["rendered"] == plan["pages"]:
            return content
        rows = plan["rendered"]
        certification, total = None, rows + 1
        for _attempt in range(3):
            certification, content_type = report._render_qweb_pdf(
                CERTIFICATION_REPORT, res_ids=[record.id], data=dict(data or {}, mchs_lang=lang, mchs_total=total))
            if content_type != "pdf" or rows + pdf_page_count(certification) == total:
                break
            total = rows + pdf_page_count(certification)
        return run_qpdf([content, certification], [])

    @classmethod
    def page_stamp(cls, env, number, total):
        return term(env, PAGE_STAMP, page=number, total=total)


class ReportJournalCertification(models.AbstractModel):
    """The last page of a printed book (item 9): "This journal has ___ pages numbered, bound and
    sealed", the responsible person's name and signature line, the seal place, the office
    registration."""

    _name = "report.mchs_bodycam.report_journal_certification"
    _description = "Certification page of a journal book (item 9)"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        journals = self.env["mchs.bodycam.journal"].browse(docids)
        pages = {}
        for journal in journals:
            form = JournalForm.of(self.env, journal.kind, journal, data)
            pages[journal.id] = certification_values(form, journal, data.get("mchs_total") or 1)
        return {"doc_ids": docids, "doc_model": "mchs.bodycam.journal", "docs": journals, "pages": pages}
