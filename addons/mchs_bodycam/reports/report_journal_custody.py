"""The Appendix 1 journal (item 9) as a printed book (PDF) and as a spreadsheet (XLSX).

The texts of the form are code terms: the .po files give the official Kazakh wording verbatim
(Appendix 1 form, item 9 certification) and its Russian rendering. The book layout, the PDF
finishing and the spreadsheet writer are shared with Appendix 2 in reports/report_journal.py.
"""
from odoo import models

from .report_journal import JournalBook, JournalForm, register_form
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

    def signature(self, entry, moment, qualified=None):
        """Columns 4/5, the inspector's "signature": how and when they confirmed (items 7, 10);
        a qualified signature at the desk by its certificate's serial (issue 13)."""
        confirmed_at = entry[f"{moment}_confirmed_at"]
        if not confirmed_at:
            return ""
        serial = (qualified or {}).get((entry.id, f"desk_{moment}"))
        how = self.t(QUALIFIED_CELL, serial=serial) if serial else self.selection(entry, f"{moment}_confirmation")
        return f"✓ {how}, {self.datetime(confirmed_at)}"

    def desk_signature_serials(self, entries):
        """{(row id, purpose): certificate serial} of the rows' signatures at the desk (issue 13)."""
        # sudo: the serial printed in the row is part of the row, whoever prints the book
        signatures = self.env["mchs.bodycam.signature"].sudo().search_fetch(
            [("res_model", "=", self.model), ("res_id", "in", entries.ids),
             ("purpose", "in", ("desk_issue", "desk_return"))], ["res_id", "purpose", "certificate_serial"])
        return {(signature.res_id, signature.purpose): signature.certificate_serial for signature in signatures}

    def entry_ids(self):
        return self.env[self.model].search(
            [("journal_id", "=", self.journal.id), ("row_number", "!=", False)], order="row_number").ids

    def batch_rows(self, entries):
        qualified = self.desk_signature_serials(entries)
        for entry in entries.with_env(self.env):
            yield {
                "number": entry.row_number,
                "struck": entry.struck,
                "cells": [
                    (entry.inventory_text or "", ""),
                    (entry.inspector_id.name or "", ""),
                    (self.datetime(entry.issue_datetime), self.signature(entry, "issue", qualified)),
                    (self.datetime(entry.return_datetime), self.signature(entry, "return", qualified)),
                    (self.datetime(entry.download_datetime), ""),
                    ("\n".join(entry._column7_lines()), ""),
                ],
            }


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
