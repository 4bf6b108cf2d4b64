"""The Appendix 1 journal (item 9) as a printed book (PDF) and as a spreadsheet (XLSX).

The Kazakh wording is copied verbatim from the official text of Order No. 495
(Appendix 1 form, item 9 certification); the Russian is its equivalent rendering. Both
are fixed texts of the form, so they live here rather than in the translation files. The
book layout, the PDF finishing and the spreadsheet writer are shared with Appendix 2 in
reports/report_journal.py.
"""
from odoo import models

from .report_journal import JournalForm, book_text, register_form

JOURNAL_REPORT = "mchs_bodycam.report_journal_custody"

# Appendix 1 form and item 9, verbatim (kk) and in Russian (ru)
FORM_TEXT = {
    "kk": book_text("kk", "Бейнетіркегіш пен жад карталарын беруді, тапсыруды және жазбаларды түсіруді есепке алу журналы", [
        "Күні мен уақыты, алғаны туралы қолы",
        "Күні мен уақыты, тапсырғаны туралы қолы",
        "Ақпаратты түсіру күні мен уақыты",
        "Ескертпе",
    ], "1-қосымша"),
    "ru": book_text("ru", "Журнал учета выдачи, сдачи видеорегистраторов и карт памяти и снятия записей", [
        "Дата и время, подпись о получении",
        "Дата и время, подпись о сдаче",
        "Дата и время снятия информации",
        "Примечание",
    ], "Приложение 1"),
}


@register_form
class JournalCustodyFormatter(JournalForm):
    """Turns custody rows into the printed cells of the form, in the user's timezone."""

    kind = "custody"
    report_name = JOURNAL_REPORT
    texts = FORM_TEXT
    model = "mchs.bodycam.custody"
    column_percent = [6, 18, 16, 15, 15, 10, 20]
    xlsx_widths = [8, 38, 32, 26, 26, 18, 40]

    def __init__(self, env):
        super().__init__(env)
        custody = env["mchs.bodycam.custody"]
        self.methods = dict(custody._fields["issue_confirmation"]._description_selection(env))

    def signature(self, confirmed_at, method):
        """Columns 4/5, the inspector's "signature": how and when they confirmed (items 7, 10)."""
        if not confirmed_at:
            return ""
        return f"✓ {self.methods.get(method, '')}, {self.datetime(confirmed_at)}"

    def entry_ids(self, journal):
        return self.env[self.model].search(
            [("journal_id", "=", journal.id), ("row_number", "!=", False)], order="row_number").ids

    def batch_rows(self, entries):
        for entry in entries:
            yield {
                "number": entry.row_number,
                "struck": entry.struck,
                "cells": [
                    (entry.inventory_text or "", ""),
                    (entry.inspector_id.name or "", ""),
                    (self.datetime(entry.issue_datetime),
                     self.signature(entry.issue_confirmed_at, entry.issue_confirmation)),
                    (self.datetime(entry.return_datetime),
                     self.signature(entry.return_confirmed_at, entry.return_confirmation)),
                    (self.datetime(entry.download_datetime), ""),
                    (entry.remarks_text or "", ""),
                ],
            }


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
