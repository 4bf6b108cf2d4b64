"""The Appendix 2 journal (item 13: actions on video materials) as a printed book (PDF) and as
a spreadsheet (XLSX), on the book layout shared with Appendix 1 (reports/report_journal.py).

The texts of the form are code terms: the .po files give the official Kazakh wording verbatim
(Appendix 2 form) and its Russian rendering.

The book's rows are the unit's access rows (``mchs.bodycam.access``: every view, download
or refused attempt) between the book's start and end dates, inclusive, in the unit's time
zone. Columns 5-7 belong to the commission's annual check of access and of the archive's
integrity (item 13): they print the latest completed ``mchs.bodycam.audit`` of the row's unit
and year, and stay empty until there is one.
"""
from datetime import datetime, time, timedelta

import pytz

from odoo import models

from .report_journal import JournalBook, JournalForm, register_form
from .report_print import _lt, register_paged

JOURNAL_REPORT = "mchs_bodycam.report_journal_access"


@register_form
class JournalAccessForm(JournalForm):
    """Turns access rows into the printed cells of the Appendix 2 form."""

    kind = "access"
    report_name = JOURNAL_REPORT
    caption = _lt("Appendix 2 to the Instruction on the use of technical means to record facts of violations and "
                  "actions of civil protection officers during state control and supervision in the field of civil "
                  "defence")
    title = _lt("Journal of actions on video materials")
    headings = [
        _lt("Date and time of access and viewing"),
        _lt("Full name and position of the checker"),
        _lt("Date and time of the check, signature"),
        _lt("Results of the check"),
    ]
    sheet = _lt("Appendix 2")
    model = "mchs.bodycam.access"
    column_percent = [6, 19, 17, 18, 15, 13, 12]
    xlsx_widths = [8, 38, 32, 34, 30, 24, 30]

    def __init__(self, env, journal, lang):
        super().__init__(env, journal, lang)
        self.audits = {}  # (unit, year) -> its latest completed audit

    def utc_start_of(self, day):
        """The UTC moment the given local day of the unit starts."""
        return self.tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def entry_ids(self):
        """The unit's access rows from the book's first day to its last (still open: up to
        now), by their number; a book not registered yet has no rows."""
        journal = self.journal
        if not journal.date_start:
            return []
        domain = [("department_id", "=", journal.department_id.id),
                  ("accessed_at", ">=", self.utc_start_of(journal.date_start))]
        if journal.date_end:
            domain.append(("accessed_at", "<", self.utc_start_of(journal.date_end + timedelta(days=1))))
        return self.env[self.model].search(domain, order="sequence").ids

    def audit_cells(self, entries):
        """Columns 5-7 of each row, by row id: the checker's name and position, the date and
        time of the check, the results of the check, from the latest completed annual audit
        of the row's unit and year (item 13); empty until that audit is done."""
        cells = {}
        for (unit, year), rows in self.group_by_unit_year(entries).items():
            audit = self.done_audit(unit, year)
            if audit:
                cells.update(audit._journal_cells(rows, self.datetime))
        return cells

    def done_audit(self, unit, year):
        """The latest completed audit of the unit's year, looked up once per printing (the
        book is read in batches)."""
        audits = self.audits
        if (unit, year) not in audits:
            # sudo: the book prints the commission's result for whoever may print the book
            audits[(unit, year)] = self.env["mchs.bodycam.audit"].sudo().search(
                [("department_id", "=", unit.id), ("year", "=", year), ("state", "=", "done")],
                order="done_at desc", limit=1)
        return audits[(unit, year)].with_env(self.env)

    @staticmethod
    def group_by_unit_year(entries):
        """Rows by unit and year, the year in the unit's local time as the audit counts it."""
        ids = {}
        for unit in entries.department_id:
            tz = unit._bodycam_tz()
            for entry in entries.filtered(lambda e, unit=unit: e.department_id == unit):
                year = pytz.utc.localize(entry.accessed_at).astimezone(tz).year
                ids.setdefault((unit, year), []).append(entry.id)
        return {key: entries.browse(row_ids) for key, row_ids in ids.items()}

    def batch_rows(self, entries):
        entries = entries.with_env(self.env)
        audit = self.audit_cells(entries)
        for entry in entries:
            checker, checked, results = audit.get(entry.id, ("", "", ""))
            yield {
                "number": entry.sequence,
                "struck": False,  # access rows are append-only: never corrected
                "cells": [
                    (entry.inventory_text or "", ""),
                    (entry.inspector_name or "", ""),
                    (self.datetime(entry.accessed_at), entry._journal_detail()),
                    (checker, ""),
                    (checked, ""),
                    (results, ""),
                ],
            }


@register_paged
class AccessBook(JournalBook):
    report_name = JOURNAL_REPORT
    kind = "access"


class ReportJournalAccess(models.AbstractModel):
    _name = "report.mchs_bodycam.report_journal_access"
    _inherit = "mchs.bodycam.journal.report"
    _description = "Appendix 2 journal (printed book)"
    _journal_kind = "access"


class ReportJournalAccessXlsx(models.AbstractModel):
    _name = "report.mchs_bodycam.report_journal_access_xlsx"
    _inherit = "mchs.bodycam.journal.xlsx"
    _description = "Appendix 2 journal (spreadsheet)"
    _journal_kind = "access"
