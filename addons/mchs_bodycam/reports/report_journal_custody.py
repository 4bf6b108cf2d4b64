"""The Appendix 1 journal (item 9) as a printed book (PDF) and as a spreadsheet (XLSX).

The texts of the form are code terms: the .po files give the official Kazakh wording verbatim
(Appendix 1 form, item 9 certification) and its Russian rendering. The book layout, the PDF
finishing and the spreadsheet writer are shared with Appendix 2 in reports/report_journal.py.
"""
import itertools
from datetime import timedelta

from odoo import models
from odoo.tools import SQL

from .report_journal import ROW_BATCH, JournalBook, JournalForm, register_form
from .report_print import _lt, register_paged

JOURNAL_REPORT = "mchs_bodycam.report_journal_custody"
# issue 13: columns 4/5 of a row the inspector signed at the desk with their NCA key
QUALIFIED_CELL = _lt("QES, certificate No. %(serial)s")


@register_form
class JournalCustodyForm(JournalForm):
    """Turns custody rows into the printed cells of the form, in the unit's time zone."""

    kind = "custody"
    report_name = JOURNAL_REPORT
    caption = _lt("Appendix 1 to the Instruction on the use of technical means to record facts of violations and "
                  "actions of civil protection officers during state control and supervision in the field of civil "
                  "defence")
    title = _lt("Journal of issue and return of bodycams and memory cards and of record downloads")
    headings = [
        _lt("Date and time, signature for receipt"),
        _lt("Date and time, signature for return"),
        _lt("Date and time of the download of the information"),
        _lt("Remarks (Appendix 1, column 7)"),
    ]
    sheet = _lt("Appendix 1")
    model = "mchs.bodycam.custody"
    column_percent = [6, 18, 16, 15, 15, 10, 20]
    xlsx_widths = [8, 38, 32, 26, 26, 18, 40]

    def __init__(self, env, journal, lang):
        super().__init__(env, journal, lang)
        self.names = {}  # inspector id -> name, read once per printing
        self.zones = {journal.department_id.id: self.tz}  # unit id -> its time zone

    def signature(self, labels, confirmed_at, method, serial=None):
        """Columns 4/5, the inspector's "signature": how (``method``, one of ``labels``) and when
        (``confirmed_at``, printed) they confirmed (items 7, 10); a qualified signature at the desk
        by its certificate's ``serial`` (issue 13)."""
        if not confirmed_at:
            return ""
        how = self.t(QUALIFIED_CELL, serial=serial) if serial else labels.get(method, method or "")
        return f"✓ {how}, {confirmed_at}"

    def desk_signature_serials(self, entry_ids):
        """{(row id, purpose): certificate serial} of the rows' signatures at the desk (issue 13)."""
        # sudo: the serial printed in the row is part of the row, whoever prints the book
        signatures = self.env["mchs.bodycam.signature"].sudo().search_fetch(
            [("res_model", "=", self.model), ("res_id", "in", entry_ids),
             ("purpose", "in", ("desk_issue", "desk_return"))], ["res_id", "purpose", "certificate_serial"])
        return {(signature.res_id, signature.purpose): signature.certificate_serial for signature in signatures}

    def rows(self, batch=ROW_BATCH):
        """The book's rows in book order. Their facts are read by SQL, ``batch`` rows a FETCH from
        one cursor over the rows the printing user may read (the record rules, through _search):
        printed through records, a 100,000-row book spent most of its time in the ORM. Names are
        read as the printing user; column 7 of a row with remarks is made by the row itself
        (_column7_lines), the check of a row's recordings by its model (_duty_flag_texts)."""
        custody = self.env[self.model]
        custody.check_access("read")
        custody.flush_model()
        self.env["mchs.bodycam.custody.remark"].flush_model(["custody_id"])
        book = custody._search([("journal_id", "=", self.journal.id), ("row_number", "!=", False)]).subselect()
        cr = self.env.cr
        cr.execute(SQL(REMARKED_ROWS, book))
        column7 = RemarkColumn(self, [entry_id for entry_id, in cr.fetchall()], batch)
        # the moments are printed by PostgreSQL, with the zone's offsets over the book's span
        cr.execute(SQL(BOOK_SPAN, SQL(", ").join(MOMENTS), SQL(", ").join(MOMENTS), book))
        first, last = cr.fetchone()
        spans = self.offsets(first, last) if first else [(None, timedelta(0))]
        moments = [self.sql_datetime(moment, spans) for moment in MOMENTS]
        cursor = SQL.identifier(f"mchs_journal_rows_{next(CURSORS)}")
        # planned without PostgreSQL's JIT: the estimated cost of a large book's rows is far above
        # jit_above_cost, and compiling the statement added half a second to reading 100,000 rows
        cr.execute("SELECT current_setting('jit')")
        jit = cr.fetchone()[0]
        cr.execute("SET LOCAL jit = off")
        cr.execute(SQL("DECLARE %s NO SCROLL CURSOR FOR %s", cursor, SQL(BOOK_ROWS, *moments, book)))
        cr.execute(SQL("SELECT set_config('jit', %s, true)", jit))
        while True:
            cr.execute(SQL("FETCH %s FROM %s", batch, cursor))
            facts = cr.fetchall()
            if not facts:
                break
            yield from self.printed_rows(facts, column7)
        cr.execute(SQL("CLOSE %s", cursor))

    def printed_rows(self, facts, column7):
        """The printed rows of a batch of rows' facts (BOOK_ROWS)."""
        names = self.inspector_names({fact[4] for fact in facts})
        issue_labels, return_labels = (self.selection_labels(self.model, f"{moment}_confirmation")
                                       for moment in ("issue", "return"))
        serials = self.desk_signature_serials([fact[0] for fact in facts])
        for (entry_id, number, struck, inventory, inspector, issued, issue_confirmed, issue_method, returned,
             return_confirmed, return_method, downloaded, duty_flags, has_remarks, unit) in facts:
            # the moments come printed (BOOK_ROWS)
            if has_remarks:
                remarks = column7.text(entry_id)
            elif duty_flags:
                remarks = "\n".join(self.env[self.model]._duty_flag_texts(duty_flags, self.unit_tz(unit)))
            else:
                remarks = ""
            yield {
                "number": number,
                "struck": bool(struck),
                "cells": [
                    (inventory or "", ""),
                    (names.get(inspector, ""), ""),
                    (issued or "", self.signature(issue_labels, issue_confirmed, issue_method,
                                                    serials.get((entry_id, "desk_issue")))),
                    (returned or "", self.signature(return_labels, return_confirmed, return_method,
                                                      serials.get((entry_id, "desk_return")))),
                    (downloaded or "", ""),
                    (remarks, ""),
                ],
            }

    def inspector_names(self, employee_ids):
        """Names of the inspectors, as the printing user reads them."""
        names = self.names
        missing = employee_ids - set(names) - {None}
        for employee in self.env["hr.employee"].browse(sorted(missing)):
            names[employee.id] = employee.name or ""
        return names

    def unit_tz(self, unit_id):
        """The time zone of a row's unit."""
        if unit_id not in self.zones:
            self.zones[unit_id] = self.env["hr.department"].browse(unit_id)._bodycam_tz()
        return self.zones[unit_id]


class RemarkColumn:
    """Column 7 of the book's rows with remarks (pauses, failures, corrections, incidents), made
    by the rows themselves (_column7_lines), ``chunk`` rows at a time in book order: a few ORM
    reads for the whole book rather than a few per batch of rows."""

    def __init__(self, form, entry_ids, chunk):
        self.form = form
        self.entry_ids = entry_ids  # in book order
        self.chunk = chunk
        self.position = 0
        self.texts = {}

    def text(self, entry_id):
        if entry_id not in self.texts:
            ids = self.entry_ids[self.position:self.position + self.chunk]
            self.position += len(ids)
            # the previous chunk is printed: its rows leave the cache
            self.form.env.invalidate_all()
            entries = self.form.env[self.form.model].browse(ids)
            self.texts = {entry.id: "\n".join(entry._column7_lines()) for entry in entries}
        return self.texts[entry_id]


CURSORS = itertools.count()
# the moments of a row (columns 4-6), in the order BOOK_ROWS prints them
MOMENTS = [SQL.identifier("entry", column) for column in (
    "issue_datetime", "issue_confirmed_at", "return_datetime", "return_confirmed_at", "download_datetime")]
BOOK_SPAN = """
    SELECT min(least(%s)), max(greatest(%s))
      FROM mchs_bodycam_custody entry
     WHERE entry.id IN %s
"""
# the facts of the book's rows, in book order, their moments printed (PrintedForm.sql_datetime);
# column 7 needs the remarks only when there are any
BOOK_ROWS = """
    SELECT entry.id, entry.row_number, entry.struck, entry.inventory_text, entry.inspector_id,
           %s, %s, entry.issue_confirmation,
           %s, %s, entry.return_confirmation,
           %s, entry.duty_flags,
           EXISTS (SELECT 1 FROM mchs_bodycam_custody_remark remark WHERE remark.custody_id = entry.id),
           entry.department_id
      FROM mchs_bodycam_custody entry
     WHERE entry.id IN %s
     ORDER BY entry.row_number
"""
REMARKED_ROWS = """
    SELECT entry.id
      FROM mchs_bodycam_custody entry
     WHERE entry.id IN %s
       AND EXISTS (SELECT 1 FROM mchs_bodycam_custody_remark remark WHERE remark.custody_id = entry.id)
     ORDER BY entry.row_number
"""


@register_paged
class CustodyBook(JournalBook):
    report_name = JOURNAL_REPORT
    kind = "custody"


class ReportJournalCustody(models.AbstractModel):
    _name = "report.mchs_bodycam.report_journal_custody"
    _inherit = "mchs.bodycam.journal.report"
    _description = "Appendix 1 journal (printed book)"
    _journal_kind = "custody"


class ReportJournalCustodyXlsx(models.AbstractModel):
    _name = "report.mchs_bodycam.report_journal_custody_xlsx"
    _inherit = "mchs.bodycam.journal.xlsx"
    _description = "Appendix 1 journal (spreadsheet)"
    _journal_kind = "custody"
