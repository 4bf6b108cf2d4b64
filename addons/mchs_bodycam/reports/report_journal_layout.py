"""How the rows of a printed journal book (items 9, 13) fall on its pages.

Debian's wkhtmltopdf neither repeats table headings nor keeps a row on one page, so the book is
laid out on pages here: each page is a table of its own with the headings. The layout is checked
on the rendered PDF and, should a page spill over, the whole book is laid out more generously and
rendered again (report_print): a second rendering of a thick book. So the heights are computed
as wkhtmltopdf draws them: text wrapped with DejaVu Sans's real glyph widths, in the geometry
the book's template (reports/report_journal_custody.xml) gets on an A4 landscape page with
margins of 10/14/10/10 mm, measured on its PDFs; a few millimetres of every page are kept free
for what an estimate misses. Each page is printed as an inline block, which wkhtmltopdf does not
paginate again (it used to push down rows straddling page slices of its own: issue 11).
"""
import re

from .report_print import PT_MM, register_fonts

PAGE_MM = 186  # between the top and bottom margins
SLACK_MM = 10  # kept free on every page for what the estimate misses
TABLE_WIDTH_MM = 270.7
CELL_INSET_MM = 1.09  # a cell's padding and border, on each side
ROW_PADDING_MM = 1.83  # a row's padding and border, top and bottom together
LINE_MM = 3.66  # one 8 pt line of a cell (line-height 1.35)
SIGN_LINE_MM = 2.85  # one 6.5 pt line (the detail under a cell's text)
WIDTH_FACTOR = 1.01  # wkhtmltopdf draws glyphs a little wider than their metrics (0.7 % measured)
# The first page's title block, above the table: its margins, then its lines. Each part is
# (text key, font size pt, bold, share of the table's width, left margin mm, line pitch mm).
TITLE_MARGINS_MM = 12.39
TITLE_BLOCK = [
    ("caption", 7, False, 0.38, 0, 3.05),  # the appendix's corner caption
    ("form", 7, False, 0.38, 0, 3.05),  # "(form)"
    ("title", 11, True, 1, 0, 5.59),
    ("unit", 10, False, 1, 0, 5.08),
    ("unit_caption", 7, False, 1, 0, 3.56),
    ("started", 8, False, 1, 10, 4.06),
    ("finished", 8, False, 1, 10, 4.06),
    ("registration", 8, False, 1, 10, 4.06),
]
# where wkhtmltopdf may break a line: at spaces and after a hyphen not followed by a digit
# (Unicode line breaking: "BC-00008" stays whole, "BMJE8T3-MC" may break after the hyphen)
BREAK_AFTER_HYPHEN = re.compile(r"(?<=-)(?=[^\d\s-])")
DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


class TextMeasure:
    """Widths of words in DejaVu Sans (regular or bold), remembered: a book repeats its words."""

    def __init__(self):
        from reportlab.pdfbase.pdfmetrics import stringWidth
        regular, bold = register_fonts()
        self.fonts = {False: regular, True: bold}
        self.string_width = stringWidth
        self.widths = {}
        self.known = {}  # (text with its digits as 0, width, size, bold) -> lines

    def width(self, piece, bold=False):
        """Width of ``piece`` at 1 pt, in points."""
        key = (piece, bold)
        width = self.widths.get(key)
        if width is None:
            width = self.widths[key] = self.string_width(piece, self.fonts[bold], 1) * WIDTH_FACTOR
        return width

    def lines(self, text, width_mm, size_pt, bold=False):
        """Lines ``text`` takes in a box ``width_mm`` wide, wrapped as wkhtmltopdf wraps it in the
        book (white-space: pre-line, word-wrap: break-word): each paragraph on its own lines,
        greedily filled at the break opportunities, a word wider than the box broken where it
        reaches its edge. An empty text takes no line.

        DejaVu Sans draws every digit equally wide, so texts that differ only in their digits
        (dates, times, row and inventory numbers) take the same lines: measured once."""
        if not text:
            return 0
        key = (text.translate(DIGITS_AS_ZERO), width_mm, size_pt, bold)
        count = self.known.get(key)
        if count is None:
            count = self.known[key] = self.wrap(key[0], width_mm / PT_MM / size_pt, bold)
        return count

    def wrap(self, text, room, bold):
        """Lines of ``text`` in a line ``room`` wide (in widths at 1 pt)."""
        width = self.width
        space = width(" ", bold)
        count = 0
        for paragraph in text.split("\n"):
            count += 1
            used = 0.0
            for word in paragraph.split():
                size = width(word, bold)
                if used and used + space + size <= room or not used and size <= room:
                    used += space + size if used else size
                    continue
                # the word does not fit: it starts a line, unless a part of it ending in a hyphen fits
                gap = space if used else 0.0
                for piece in BREAK_AFTER_HYPHEN.split(word):
                    size = width(piece, bold)
                    if used and used + gap + size > room:
                        count += 1
                        used, gap = 0.0, 0.0
                    if size > room:  # broken at the box's edge, character by character
                        count, size = self.break_word(piece, room, bold, count)
                    used += gap + size
                    gap = 0.0
        return count

    def break_word(self, piece, room, bold, count):
        """A piece wider than a line: the lines it fills (added to ``count``) and the width of
        its last line."""
        used = 0.0
        for char in piece:
            size = self.width(char, bold)
            if used and used + size > room:
                count += 1
                used = 0.0
            used += size
        return count, used


class BookLayout:
    """The pages of one printed book: its rows' heights, its headings' height, the room on its
    first page (under the title block) and on the next ones."""

    def __init__(self, form):
        self.measure = TextMeasure()
        self.widths = [TABLE_WIDTH_MM * percent / 100 - 2 * CELL_INSET_MM for percent in form.column_percent]
        headings = max(self.measure.lines(heading, width, 8) for heading, width in
                       zip(form.text["headings"], self.widths))
        self.headings_mm = headings * LINE_MM + ROW_PADDING_MM + LINE_MM + ROW_PADDING_MM  # and the column numbers
        self.page_mm = PAGE_MM - self.headings_mm - SLACK_MM

    def first_page_mm(self, texts):
        """Room for rows on the first page, under the title block of ``texts`` (the form's texts
        and the book's header)."""
        block = TITLE_MARGINS_MM
        for key, size, bold, share, margin, pitch in TITLE_BLOCK:
            width = TABLE_WIDTH_MM * share - margin
            block += self.measure.lines(texts.get(key) or "", width, size, bold) * pitch
        return self.page_mm - block

    def row_mm(self, row):
        """Printed height of a row: its tallest cell (the text, then its detail in small type)."""
        lines = self.measure.lines
        tallest = LINE_MM  # the row number
        for width, (text, detail) in zip(self.widths[1:], row["cells"]):
            height = max(lines(text, width, 8), 1) * LINE_MM
            if detail:
                height += lines(detail, width, 6.5) * SIGN_LINE_MM
            tallest = max(tallest, height)
        return tallest + ROW_PADDING_MM

    def paginate(self, rows, first_page_mm, height_factor=1.0):
        """Rows split into pages; ``height_factor`` > 1 plans them more generously (used when a
        rendered page spilled over)."""
        pages, page, room = [], [], first_page_mm
        for row in rows:
            height = self.row_mm(row) * height_factor
            # a row goes on the next page when it does not fit; on the first page, under a title
            # block too long for it, even the first row (the first page keeps its headings)
            if height > room and (page or not pages and room < self.page_mm):
                pages.append(page)
                page, room = [], self.page_mm
            page.append(row)
            room -= height
        pages.append(page)
        return pages
