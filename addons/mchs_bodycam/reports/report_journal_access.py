"""The Appendix 2 journal (item 13: actions on video materials) as a printed book (PDF) and
as a spreadsheet (XLSX), on the book layout shared with Appendix 1 (reports/report_journal.py).

The Kazakh wording is copied verbatim from the official text of Order No. 495 (Appendix 2
form); the Russian is its equivalent rendering.

The book's rows are the unit's access rows (``mchs.bodycam.access``: every view, download
or refused attempt) between the book's start and end dates, inclusive, in the printing
user's timezone. Columns 5-7 belong to the commission's annual check of access and of the
archive's integrity (item 13): they print the latest completed ``mchs.bodycam.audit`` of
the row's unit and year, and stay empty until there is one.
"""
from datetime import timedelta

import pytz

from odoo import models

from .report_journal import JournalForm, book_text, register_form

JOURNAL_REPORT = "mchs_bodycam.report_journal_access"

# Appendix 2 form, verbatim (kk) and in Russian (ru); item 9's certification as for Appendix 1
FORM_TEXT = {
    "kk": book_text("kk", "Бейнематериалдар бойынша іс-әрекеттерді тіркеу журналы", [
        "Кіргізу және қарау күні мен уақыты",
        "Тексерушінің Т.А.Ә. және лауазымы",
        "Тексеру күні мен уақыты, қолы",
        "Тексеру нәтижелері",
    ], "2-қосымша"),
    "ru": book_text("ru", "Журнал регистрации действий с видеоматериалами", [
        "Дата и время доступа и просмотра",
        "Ф.И.О. и должность проверяющего",
        "Дата и время проверки, подпись",
        "Результаты проверки",
    ], "Приложение 2"),
}


@register_form
class JournalAccessForm(JournalForm):
    """Turns access rows into the printed cells of the Appendix 2 form."""

    kind = "access"
    report_name = JOURNAL_REPORT
    texts = FORM_TEXT
    model = "mchs.bodycam.access"
    column_percent = [6, 19, 17, 18, 15, 13, 12]
    xlsx_widths = [8, 38, 32, 34, 30, 24, 30]

    def __init__(self, env):
        super().__init__(env)
        access = env[self.model]
        self.actions = dict(access._fields["action"]._description_selection(env))
        self.results = dict(access._fields["result"]._description_selection(env))
        self.audits = {}  # (unit, year) -> its latest completed audit

    def entry_ids(self, journal):
        """The unit's access rows from the book's first day to its last (still open: up to
        now), by their number; a book not registered yet has no rows."""
        if not journal.date_start:
            return []
        domain = [("department_id", "=", journal.department_id.id),
                  ("accessed_at", ">=", self.utc_start_of(journal.date_start))]
        if journal.date_end:
            domain.append(("accessed_at", "<", self.utc_start_of(journal.date_end + timedelta(days=1))))
        return self.env[self.model].search(domain, order="sequence").ids

    def access_detail(self, entry):
        """Under column 4: who did what, why, and a refusal."""
        detail = ", ".join(filter(None, [self.actions.get(entry.action, ""), entry.user_id.name or ""]))
        if entry.purpose:
            detail += f" ({entry.purpose})"
        if entry.result == "refused":
            detail += f"; {self.results.get('refused', '')}" + (f": {entry.refusal}" if entry.refusal else "")
        return detail

    def audit_cells(self, entries):
        """Columns 5-7 of each row, by row id: the checker's name and position, the date and
        time of the check, the results of the check, from the latest completed annual audit
        of the row's unit and year (item 13); empty until that audit is done."""
        # sudo: the book prints the commission's result for whoever may print the book
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
            audits[(unit, year)] = self.env["mchs.bodycam.audit"].sudo().with_context(
                lang="ru_RU" if self.lang == "ru" else "kk_KZ").search(
                [("department_id", "=", unit.id), ("year", "=", year), ("state", "=", "done")],
                order="done_at desc", limit=1)
        return audits[(unit, year)]

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
        audit = self.audit_cells(entries)
        for entry in entries:
            checker, checked, results = audit.get(entry.id, ("", "", ""))
            yield {
                "number": entry.sequence,
                "struck": False,  # access rows are append-only: never corrected
                "cells": [
                    (entry.inventory_text or "", ""),
                    (entry.inspector_name or "", ""),
                    (self.datetime(entry.accessed_at), self.access_detail(entry)),
                    (checker, ""),
                    (checked, ""),
                    (results, ""),
                ],
            }


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
