"""What every printed document of the Order shares (journal books, commission acts, the evidence
manifest, badges).

* **Language.** A document prints in the language chosen for it at printing (the print wizard,
  or ``mchs_lang`` in the report's data or context), by default in its unit's working language;
  only Kazakh or Russian, the Order's two languages. Its texts are code terms of this module
  (``_lt``), translated by the .po files like every other string: nothing of the printing user's
  language reaches the paper.
* **Time.** Moments print in the unit's time zone, whoever prints.
* **Pages.** Debian's wkhtmltopdf neither repeats table headings nor keeps a row on one page, and
  ignores header and footer HTML. A document is therefore laid out on pages here (``Flow``: an
  estimate of every block's and row's height from the fonts' real widths), each page a box of
  its own with its tables' headings; the rendered PDF is checked to have exactly the pages laid
  out (a page that spilled over makes one more) and laid out again more generously otherwise.
  "N / M" and the document's number are then stamped on every page.
"""
import io
import os
import re
import subprocess
import tempfile
from datetime import datetime, time, timedelta

import pytz
from babel.dates import format_date as babel_format_date

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyGettext, LazyTranslate

from ..lib.printing import PRINT_LANGS, local_moment, print_lang  # noqa: F401 (the reports' helpers)

_lt = LazyTranslate(__name__)
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PT_MM = 25.4 / 72
# the layout is planned this much more generously after each rendering that spilled over
GROWTH = 1.15
ATTEMPTS = 5

# Russian plural of a count of sheets (лист / листа / листов); one word in Kazakh (парақ)
SHEETS = {
    "one": _lt("page (1, 21, 31…)"),
    "few": _lt("pages (2-4, 22-24…)"),
    "many": _lt("pages (5-20, 25-30…)"),
}
SEAL_PLACE = _lt("S.P. (seal place)")
PAGE_OF = _lt("%(page)s / %(total)s")


def plural_form(number):
    """'one', 'few' or 'many': the Russian plural category of ``number``."""
    if number % 10 == 1 and number % 100 != 11:
        return "one"
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return "few"
    return "many"


def term(env, lazy, **values):
    """A lazy term of a printed form in ``env``'s language, its named placeholders filled."""
    text = env._(lazy)
    return text % values if values else text


def translate(env, value):
    """``value`` with every lazy term translated into ``env``'s language (dicts and lists too)."""
    if isinstance(value, LazyGettext):
        return env._(value)
    if isinstance(value, dict):
        return {key: translate(env, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [translate(env, item) for item in value]
    return value


# issue 13: the labels of a qualified electronic signature printed on a document
# (reports/report_signatures.xml), in the document's language
QUALIFIED_TEXTS = {
    "qualified_title": _lt("Signed with qualified electronic signatures (NCA RK)"),
    "qualified_iin": _lt("IIN"),
    "qualified_name": _lt("Name in the certificate"),
    "qualified_serial": _lt("Certificate serial number"),
    "qualified_issuer": _lt("Issued by"),
    "qualified_time": _lt("Signing time"),
    "qualified_sha256": _lt("SHA-256 of the signed data"),
}


class PrintedForm:
    """A printed document of ``unit`` in ``lang``: its fixed texts (``texts``, lazy terms)
    translated, and moments in the unit's time zone."""

    texts = {}

    def __init__(self, env, unit, lang):
        self.unit = unit
        self.tz = unit._bodycam_tz() if unit else pytz.timezone("Asia/Almaty")
        self.lang = lang
        # the printing user's language and time zone play no part in what is printed
        self.env = env(context=dict(env.context, lang=lang, tz=self.tz.zone))
        self.text = translate(self.env, self.texts)
        self.day_offsets = {}  # UTC day -> the zone's UTC offset all that day (see local)
        self.labels = {}  # (model, selection field) -> {value: label in the document's language}

    def t(self, source, *args, **kwargs):
        """A term (lazy or not) in the document's language."""
        if isinstance(source, LazyGettext):
            return term(self.env, source, **kwargs)
        return self.env._(source, *args, **kwargs)

    def qualified_seats(self):
        """{seat code: its label} of the signatures this form prints (issue 13)."""
        return {}

    def qualified_signatures(self, record, signatures=None):
        """What the document prints of each qualified signature (issue 13): who, in which seat,
        the certificate, when (in the unit's time zone) and the QR code of the verification data."""
        seats = self.qualified_seats()
        # sudo: a printed document shows all its signatures, whoever prints it (a chairman from the
        # body above may not read the unit's other records)
        signatures = (signatures if signatures is not None else record.signature_ids).sudo().sorted(
            lambda signature: (signature.signing_time, signature.id))
        return [{
            "name": signature.employee_id.name or signature.signer_name or "",
            "seat": seats.get(signature.seat, ""),
            "certificate_name": signature.signer_name or "",
            "iin": signature.iin or "",
            "serial": signature.certificate_serial or "",
            "issuer": signature.certificate_issuer or "",
            "time": f"{self.datetime(signature.signing_time)} ({self.tz.zone})",
            "algorithm": signature.algorithm or "",
            "sha256": signature.data_sha256,
            "qr": signature._qr_payload(),
        } for signature in signatures]

    def datetime(self, value):
        """05.01.2026 09:00: a naive UTC moment in the document's zone (strftime's
        "%d.%m.%Y %H:%M", formatted here at twice its speed; sql_datetime prints the same)."""
        if not value:
            return ""
        moment = self.local(value)
        return "%02d.%02d.%d %02d:%02d" % (moment.day, moment.month, moment.year, moment.hour, moment.minute)

    def local(self, value):
        """The naive UTC moment ``value`` as the naive local time of the document's zone.

        A book prints hundreds of thousands of moments: the zone's offset is looked up once per
        UTC day, and moment by moment only on a day when the zone changes its offset."""
        day = value.date()
        offset = self.day_offsets.get(day)
        if offset is None:
            offset = self.day_offsets[day] = self.day_offset(day)
        if offset is False:
            return value + self.utc_offset(value)
        return value + offset

    def utc_offset(self, moment):
        """The zone's offset from UTC at the naive UTC moment ``moment``."""
        return pytz.utc.localize(moment).astimezone(self.tz).utcoffset()

    def day_offset(self, day):
        """The zone's UTC offset throughout the UTC day ``day``, or False when it changes that day.
        The same offset at the day's first and last microsecond means no change in between: no
        zone of the tz database changes its offset twice within a UTC day (test_journal_moments checks
        it for every zone pytz knows)."""
        first = self.utc_offset(datetime.combine(day, time.min))
        return first if first == self.utc_offset(datetime.combine(day, time.max)) else False

    def offsets(self, first, last):
        """The zone's UTC offsets over the naive UTC moments ``first`` to ``last``, as a list of
        (since, offset): each offset holds from its ``since`` (a UTC moment; None for the first)
        up to the next one's. A change within a day (one at most, see day_offset) is found to the
        microsecond."""
        spans = []

        def add(since, offset):
            if not spans or spans[-1][1] != offset:
                spans.append((since if spans else None, offset))

        day = first.date()
        while day <= last.date():
            start = datetime.combine(day, time.min)
            offset = self.day_offset(day)
            if offset is False:
                before = self.utc_offset(start)
                add(start, before)
                low, high = 0, 24 * 3600 * 10**6 - 1  # microseconds of the day: the change is in (low, high]
                while high - low > 1:
                    middle = (low + high) // 2
                    if self.utc_offset(start + timedelta(microseconds=middle)) == before:
                        low = middle
                    else:
                        high = middle
                add(start + timedelta(microseconds=high), self.utc_offset(start + timedelta(microseconds=high)))
            else:
                add(start, offset)
            day += timedelta(days=1)
        return spans or [(None, self.utc_offset(first))]

    def sql_datetime(self, column, spans):
        """SQL printing the naive UTC timestamp ``column`` (an SQL expression) as datetime() prints
        it, given the zone's ``spans`` of offsets over the column's values (offsets): the
        formatting of a thick book's moments moves into PostgreSQL, with Python's time zone data."""
        (_since, offset), *changes = spans
        local = SQL("%s + %s", column, offset)
        if changes:
            cases = [SQL("WHEN %s < %s THEN %s + %s", column, since, column, previous)
                     for (since, _offset), (_since, previous) in zip(changes, spans)]
            local = SQL("CASE %s ELSE %s + %s END", SQL(" ").join(cases), column, changes[-1][1])
        return SQL("to_char(%s, 'DD.MM.FMYYYY HH24:MI')", local)

    @staticmethod
    def date(value):
        return value.strftime("%d.%m.%Y") if value else ""

    def long_date(self, value, blank=""):
        """«05» қаңтар 2026 / «05» января 2026, or ``blank``."""
        if not value:
            return blank
        return babel_format_date(value, "«dd» MMMM yyyy", locale=self.lang.split("_")[0])

    def selection(self, record, field_name):
        """The label of ``record``'s selection value, in the document's language."""
        return self.selection_label(record._name, field_name, record[field_name])

    def selection_label(self, model, field_name, value):
        """The label of the value ``value`` of the selection field ``model.field_name``, in the
        document's language."""
        return self.selection_labels(model, field_name).get(value, value or "")

    def selection_labels(self, model, field_name):
        """{value: label} of the selection field ``model.field_name`` in the document's language,
        translated once per document."""
        labels = self.labels.get((model, field_name))
        if labels is None:
            field = self.env[model]._fields[field_name]
            labels = self.labels[(model, field_name)] = dict(field._description_selection(self.env))
        return labels

    def sheets(self, number):
        return self.t(SHEETS[plural_form(number)])

    @staticmethod
    def integer(value):
        """12 345 678: Kazakhstan's thousands separator is a space."""
        return f"{int(value or 0):,}".replace(",", " ")


# ---------------------------------------------------------------------- measuring text

def register_fonts():
    """DejaVu Sans for reportlab (measuring, and the stamps drawn on the rendered pages)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    registered = pdfmetrics.getRegisteredFontNames()
    if "DejaVuSans" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU_SANS))
    if "DejaVuSans-Bold" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", DEJAVU_SANS_BOLD))
    return "DejaVuSans", "DejaVuSans-Bold"


def text_lines(text, width_mm, size_pt, bold=False, break_all=False):
    """Lines ``text`` takes in a box ``width_mm`` wide at ``size_pt``: a greedy word wrap (at
    spaces and after hyphens) measured with DejaVu Sans's real widths, long words broken."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    regular, bold_font = register_fonts()
    font = bold_font if bold else regular
    room = max(width_mm, 1.0) / PT_MM  # in points

    def width(word):
        return stringWidth(word, font, size_pt)

    count = 0
    for paragraph in str(text or "").split("\n"):
        count += 1
        if break_all:
            count += int(width(paragraph) // room)
            continue
        used = 0.0
        space = width(" ")
        for word in re.findall(r"[^\s-]*-|[^\s-]+", paragraph):
            size = width(word)
            if used and used + space + size > room:
                count += 1
                used = 0.0
            elif used:
                used += space
            while size > room:
                count += 1
                size -= room
            used += size
    return max(count, 1)


def text_height(text, width_mm, size_pt, line_height=1.3, bold=False, break_all=False):
    """Height in mm of ``text`` wrapped in a box ``width_mm`` wide."""
    return text_lines(text, width_mm, size_pt, bold, break_all) * size_pt * line_height * PT_MM


# ---------------------------------------------------------------------- laying out on pages

class Flow:
    """The body of a document as a sequence of blocks and table rows, laid out on pages.

    A block is unbreakable (a title, a paragraph, a signature block); a row belongs to a table
    whose headings print above its rows on every page it continues on. ``keep_with_next`` keeps a
    block (a section heading) on the page of what follows it; ``keep_with_previous`` (the
    signatures) takes the last rows before it along to the next page rather than stand alone.
    """

    def __init__(self, page_mm, first_page_mm=None):
        self.page_mm = page_mm
        self.first_page_mm = first_page_mm or page_mm
        self.items = []
        self.tables = {}

    def table(self, name, headings, widths, heading_height, **options):
        """Declare a table: its headings, column widths (percent) and the headings' height."""
        self.tables[name] = dict(options, name=name, headings=headings, widths=widths,
                                 heading_height=heading_height)

    def block(self, name, height, keep_with_next=False, keep_with_previous=False, **values):
        self.items.append(dict(values, kind="block", block=name, height=height, keep_with_next=keep_with_next,
                               keep_with_previous=keep_with_previous))

    def row(self, table, cells, height, **values):
        self.items.append(dict(values, kind="row", table=table, cells=cells, height=height))

    def paginate(self, factor=1.0):
        """Pages of segments: blocks, and runs of one table's rows (printed with its headings)."""
        pages, page, room = [], [], self.first_page_mm
        items = self.items
        index = 0
        while index < len(items):
            item = items[index]
            height = self._height(item, page, factor)
            if item.get("keep_with_next") and index + 1 < len(items):
                # the heading and the first thing under it (a row with its table's headings)
                height += self._height(items[index + 1], page + [item], factor)
            if page and height > room:
                carried = self._carried(page) if item.get("keep_with_previous") else []
                pages.append(page[:len(page) - len(carried)])
                page, room = [], self.page_mm
                for moved in carried:
                    room -= self._height(moved, page, factor)
                    page.append(moved)
                continue
            page.append(item)
            room -= self._height(item, page[:-1], factor)
            index += 1
        pages.append(page)
        return [self._segments(page) for page in pages]

    def _height(self, item, before, factor):
        height = item["height"]
        if item["kind"] == "row" and not (before and before[-1]["kind"] == "row"
                                          and before[-1]["table"] == item["table"]):
            height += self.tables[item["table"]]["heading_height"]
        return height * factor

    @staticmethod
    def _carried(page):
        """What goes on to the next page with a block that must not stand alone (the signatures):
        the blocks that end the page (the totals) and the last rows before them, at most two,
        never the whole page."""
        carried, rows = [], 0
        for item in reversed(page):
            if len(carried) + 1 >= len(page):
                break
            if item["kind"] == "row":
                if rows == 2:
                    break
                rows += 1
            elif rows:
                break
            carried.insert(0, item)
        return carried

    def _segments(self, page):
        segments = []
        for item in page:
            if item["kind"] == "row" and segments and segments[-1]["kind"] == "table" \
                    and segments[-1]["table"]["name"] == item["table"]:
                segments[-1]["rows"].append(item)
            elif item["kind"] == "row":
                segments.append({"kind": "table", "table": self.tables[item["table"]], "rows": [item]})
            else:
                segments.append(item)
        return segments


# ---------------------------------------------------------------------- the rendered PDF

def pdf_pages_text(content):
    """Text of each page of a PDF, by poppler's pdftotext (pages end with a form feed)."""
    try:
        result = subprocess.run(["pdftotext", "-q", "-layout", "-", "-"], input=content, capture_output=True,
                                timeout=600, check=True)
    except (FileNotFoundError, subprocess.CalledProcessError):
        return None  # cannot check: trust the layout estimate
    pages = result.stdout.decode(errors="replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_count(content):
    return len(pdf_page_sizes(content))


def pdf_page_sizes(content):
    """(width, height) of each page of a PDF, in points."""
    from PyPDF2 import PdfReader
    pages = PdfReader(io.BytesIO(content)).pages
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages]


def run_qpdf(documents, options, stamps=None):
    """Concatenate ``documents`` (PDF bytes) with Debian's qpdf, applying ``options``."""
    with tempfile.TemporaryDirectory(prefix="mchs-print-") as folder:
        paths = []
        for index, document in enumerate(documents):
            paths.append(os.path.join(folder, f"part{index}.pdf"))
            with open(paths[-1], "wb") as handle:
                handle.write(document)
        stamps_path = os.path.join(folder, "stamps.pdf")
        if stamps is not None:
            with open(stamps_path, "wb") as handle:
                handle.write(stamps)
        output = os.path.join(folder, "document.pdf")
        command = ["qpdf", "--empty", "--pages", *paths, "--",
                   *[option.format(stamps=stamps_path) for option in options], output]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=600)
        except FileNotFoundError as error:
            raise UserError(_("The document cannot be printed: qpdf is not installed (run 'make deps').")) from error
        except subprocess.CalledProcessError as error:
            raise UserError(_("The document could not be assembled: %s", error.stderr.decode(errors="replace"))) \
                from error
        with open(output, "rb") as handle:
            return handle.read()


def stamp_pages(content, stamp_text, extra=None, page_sizes=None):
    """``content`` (a PDF) with ``stamp_text(number, total)`` drawn at the foot of every page,
    right, and ``extra`` (the document's number) at the foot, left. The stamps are drawn by
    reportlab and laid over the pages by qpdf, which copies the pages' content as it is (PyPDF2's
    merge_page re-parses every content stream: minutes for a thick book). ``page_sizes``: the
    pages' sizes when the caller has read them already."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    regular, _bold = register_fonts()
    pages = page_sizes or pdf_page_sizes(content)
    total = len(pages)
    stream = io.BytesIO()
    overlay = canvas.Canvas(stream)
    for number, (width, height) in enumerate(pages, start=1):
        overlay.setPageSize((width, height))
        overlay.setFont(regular, 9)
        overlay.drawRightString(width - 10 * mm, 6 * mm, stamp_text(number, total))
        if extra:
            overlay.drawString(10 * mm, 6 * mm, extra)
        overlay.showPage()
    overlay.save()
    return run_qpdf([content], ["--overlay", "{stamps}", "--"], stamps=stream.getvalue())


# ---------------------------------------------------------------------- printing a laid-out document

# report_name -> its PagedDocument
PAGED_REPORTS = {}


def register_paged(document_class):
    """Class decorator: the report ``document_class.report_name`` is laid out, checked and stamped."""
    PAGED_REPORTS[document_class.report_name] = document_class
    return document_class


class PagedDocument:
    """How one kind of printed document is finished: each record printed on its own, in its own
    language, its pages checked, its last page added (a journal's certification), "N / M" and its
    number stamped on every page."""

    report_name = None

    @classmethod
    def check(cls, env, records):
        """Refuse records this report does not print."""

    @classmethod
    def unit(cls, record):
        return record.department_id

    @classmethod
    def finish(cls, report, record, lang, content, data, plan):
        """The rendered pages, completed (a journal adds its certification page); ``plan``: the
        pages laid out and rendered (see _mchs_render_laid_out)."""
        return content

    @classmethod
    def page_stamp(cls, env, number, total):
        return term(env, PAGE_OF, page=number, total=total)

    @classmethod
    def number_stamp(cls, env, record):
        """The document's number, at the foot of every page (left)."""
        return ""


class IrActionsReport(models.Model):
    """Laid-out documents: one record at a time, in its own language, its pages checked
    against the layout, stamped (see PagedDocument)."""

    # pylint: disable-next=consider-merging-classes-inherited  # the paged documents' hook, beside their engine
    _inherit = "ir.actions.report"

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        report = self._get_report(report_ref)
        paged = PAGED_REPORTS.get(report.report_name)
        # printed from the print wizard, the ids come with its options (report_action's data)
        res_ids = res_ids or (data or {}).get("mchs_ids")
        if not paged or not res_ids:
            return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        records = self.env[report.model].browse(list(dict.fromkeys(res_ids)))
        paged.check(self.env, records)
        documents = []
        for record in records:
            lang = print_lang(self.env, paged.unit(record), data)
            printing = self.with_context(lang=lang)
            rendered, content_type, plan = printing._mchs_render_laid_out(
                report_ref, record.id, dict(data or {}, mchs_lang=lang))
            if content_type != "pdf":
                return rendered, content_type
            content = paged.finish(printing, record, lang, rendered, data, plan)
            env = printing.env
            documents.append(stamp_pages(content, lambda number, total, env=env: paged.page_stamp(env, number, total),
                                         paged.number_stamp(env, record),
                                         page_sizes=plan.get("page_sizes") if content is rendered else None))
        return (documents[0] if len(documents) == 1 else run_qpdf(documents, [])), "pdf"

    def _mchs_render_laid_out(self, report_ref, res_id, data):
        """Render one document. Its blocks and rows are laid out on pages from an estimate of
        their height (``data['mchs_plan']['pages']`` says how many); should a page still spill
        over (one page more than laid out), it is laid out again more generously, so that every
        page carries its tables' headings and no row is split. Returns the PDF, its type and the
        plan: what the layout handed back, with the rendered pages' count (``rendered``) and sizes
        (``page_sizes``), read once for the checks and the stamps."""
        factor = 1.0
        for _attempt in range(ATTEMPTS):
            plan = {}
            content, content_type = super()._render_qweb_pdf(
                report_ref, res_ids=[res_id], data=dict(data, mchs_height_factor=factor, mchs_plan=plan))
            if content_type != "pdf":
                break
            plan["page_sizes"] = pdf_page_sizes(content)
            plan["rendered"] = len(plan["page_sizes"])
            if "pages" not in plan or plan["rendered"] <= plan["pages"]:
                break
            if plan.get("certified"):
                # a document that ends with its own count (a journal's certification page) is first
                # printed without it: that page may be what ran longer (see JournalBook.finish)
                data = dict(data, mchs_certify=False)
                continue
            factor *= GROWTH
        return content, content_type, plan
