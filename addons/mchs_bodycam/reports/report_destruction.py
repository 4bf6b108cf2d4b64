"""The year-end commission's printed acts: the act destroying the recordings past their
retention (item 12, a free-form act) and the act of the annual check of access and of the
archive's integrity (item 13).

The fixed texts are code terms translated by the .po files; an act prints in the language
chosen at printing, by default its unit's, with moments in the unit's time zone
(reports/report_print.py). A long act is laid out on pages here (``Flow``): its tables repeat
their headings on every page, no row is split, the signatures stay with the last rows, and every
page carries "N / M" and the act's number.
"""
from collections import Counter

from odoo import api, models

from .report_print import (
    _lt, Flow, PagedDocument, PrintedForm, QUALIFIED_TEXTS, print_lang, register_paged, term, text_height,
)

GIGABYTE = 1024 ** 3
ROLE_ORDER = ("chairman", "responsible", "anti_corruption", "member")
ACCESS_KINDS = ("chain", "unauthorized", "refused")
FILE_KINDS = ("missing", "changed", "mismatch", "unknown", "not_destroyed")

# A4 portrait, margins 15/15/20/12 mm: the body is 178 mm wide and 267 mm high; a little is kept
# free at the foot of the page for the stamps (report_print.stamp_pages)
BODY_WIDTH_MM = 178
BODY_HEIGHT_MM = 258
BASE_PT = 9
LINE_HEIGHT = 1.3
CELL_PADDING_MM = 1.9  # padding and borders of a grid cell, top and bottom together
QUALIFIED_ROW_MM = 27  # a qualified signature: its 23 mm QR code and the rule above it (issue 13)

ORDER = _lt("of the Instruction approved by Order No. 495 of the acting Minister of Emergency Situations of the "
            "Republic of Kazakhstan of 21 November 2025")

ACT_NUMBER = _lt("Act No. %(number)s")  # at the foot of every page of an act
TEXTS = {
    # -- shared
    "unit": _lt("Unit"),
    "commission": _lt("Composition of the commission"),
    "member_headings": [_lt("No."), _lt("Full name"), _lt("Position"), _lt("Role in the commission")],
    "roles": {
        "chairman": _lt("Chairman of the commission"),
        "responsible": _lt("Responsible person"),
        "anti_corruption": _lt("Officer responsible for organising the fight against corruption"),
        "member": _lt("Member of the commission by the chairman's decision"),
    },
    "decision": _lt("Decision of the chairman of the commission"),
    "signatures": _lt("Signatures of the members of the commission"),
    "signature": _lt("(signature)"),
    "confirmed_at": _lt("confirmed in the system: %(at)s"),
    "not_completed": _lt("NOT COMPLETED"),
    "state": _lt("State"),
    "yes": _lt("yes"),
    "no": _lt("no"),
    "size": _lt("%(bytes)s bytes (%(gb)s GB)"),
    "number": _lt("Number of the act"),
    # -- item 12: destruction act
    "act_title": _lt("Act of destruction of video recordings"),
    "date": _lt("Date drawn up"),
    "place": _lt("Place drawn up"),
    "act_basis": _lt("Basis: item 12 %(order)s. Records of state control in the field of civil defence and of "
                     "administrative offences are kept 3 years; at the end of the year the commission checks the "
                     "records and destroys those whose retention has expired by drawing up an act of destruction."),
    # the number stands alone after its unit: Russian declines "years" by number (3 года, 5 лет)
    "retention_applied": _lt("Retention period applied, years"),
    "act_states": {
        "draft": _lt("under review"),
        "confirming": _lt("being confirmed"),
        "destroying": _lt("files being removed"),
        "failed": _lt("removal stopped"),
        "done": _lt("destroyed"),
        "cancelled": _lt("cancelled"),
    },
    "act_draft_note": _lt("This act is not completed yet: the video recordings are not destroyed, the act is not "
                          "to be signed."),
    "destroyed_list": _lt("List of the destroyed recordings"),
    "proposed_list": _lt("List of the recordings proposed for destruction"),
    "line_headings": [_lt("No."), _lt("Inventory number of the bodycam"), _lt("State inspector"),
                      _lt("Period of the recording"), _lt("SHA-256")],
    "no_lines": _lt("No recordings."),
    "excluded_list": _lt("Recordings excluded from the destruction"),
    "excluded_headings": [_lt("No."), _lt("Inventory number of the bodycam"), _lt("Period of the recording"),
                          _lt("Reason of the exclusion")],
    "totals": _lt("Totals"),
    "destroyed_count": _lt("Recordings destroyed"),
    "to_destroy_count": _lt("Recordings to destroy"),
    "total_size": _lt("Total size"),
    "excluded_count": _lt("Recordings excluded"),
    "done_at": _lt("Destruction completed"),
    # -- item 13: audit act
    "audit_title": _lt("Act of the annual check of access to video materials and of the integrity of the "
                       "archive"),
    "audit_basis": _lt("Basis: item 13 %(order)s. At the end of the year the commission checks access and the "
                       "integrity of the archive."),
    "audit_states": {"draft": _lt("draft"), "running": _lt("check in progress"), "done": _lt("completed")},
    "audit_draft_note": _lt("The check is not completed yet: its results are incomplete, the act is not to be "
                            "signed."),
    "year": _lt("Year checked"),
    "checker": _lt("Checker"),
    "started_at": _lt("Check started"),
    "audit_done_at": _lt("Check completed"),
    "access_section": _lt("1. Access to video materials (journal of actions on video materials)"),
    "chain_ok": _lt("The hash chain of the journal's rows is whole"),
    "access_count": _lt("Journal rows checked"),
    "access_headings": [_lt("Journal row No."), _lt("Kind"), _lt("Details")],
    "integrity_section": _lt("2. Integrity of the archive"),
    "recordings_checked": _lt("Recordings checked"),
    "of_total": _lt("%(checked)s of %(total)s"),
    "files_hashed": _lt("Files hashed"),
    "bytes_hashed": _lt("Size hashed"),
    "file_headings": [_lt("No."), _lt("Kind"), _lt("Location"), _lt("SHA-256")],
    "no_findings": _lt("No violations found."),
    "kind_totals": _lt("Totals by kind"),
    "kind_headings": [_lt("Kind"), _lt("Count")],
    "conclusion": _lt("Conclusion"),
    "conclusion_clean": _lt("no violations found."),
    "conclusion_findings": _lt("%(count)s violations found."),
    "kinds": {
        "chain": _lt("Journal chain broken"),
        "unauthorized": _lt("Access by another person"),
        "refused": _lt("Refused attempt"),
        "missing": _lt("File missing"),
        "changed": _lt("File changed"),
        "mismatch": _lt("Primary and backup copies differ"),
        "unknown": _lt("File unknown to the registry"),
        "not_destroyed": _lt("File left after the destruction"),
    },
    "locations": {"primary": _lt("primary"), "backup": _lt("backup")},
    **QUALIFIED_TEXTS,
}


class CommissionActForm(PrintedForm):
    """Formatting shared by the two acts: the unit's time zone, the act's language, and the act
    laid out on pages."""

    texts = TEXTS

    def period(self, start, end):
        return f"{self.datetime(start)} – {self.datetime(end)}"

    def size(self, size):
        size = size or 0
        gigabytes = size / GIGABYTE
        gb = "< 0,01" if 0 < gigabytes < 0.01 else f"{gigabytes:,.2f}".replace(",", " ").replace(".", ",")
        return self.t(TEXTS["size"], bytes=self.integer(size), gb=gb)

    def members(self, commission, confirmations=None):
        """The commission's members, the chairman first (item 12), with their role in words
        and, for an act, when each confirmed it in the system."""
        confirmed = {confirmation.member_id.id: confirmation.confirmed_at for confirmation in confirmations or []}
        members = commission.member_ids.sorted(lambda member: (ROLE_ORDER.index(member.role), member.sequence,
                                                               member.id))
        return [{
            "name": member.employee_id.name or "",
            "job_title": member.job_title or "",
            "role": self.text["roles"].get(member.role, ""),
            "confirmed": self.t(TEXTS["confirmed_at"], at=self.datetime(confirmed[member.id]))
            if member.id in confirmed else "",
        } for member in members]

    # -- the layout (see report_print.Flow)
    @staticmethod
    def height(text, width_mm=BODY_WIDTH_MM, size_pt=BASE_PT, **options):
        return text_height(text, width_mm, size_pt, LINE_HEIGHT, **options)

    def row_height(self, cells, widths, sizes=None, break_all=()):
        """A grid row's height: its tallest cell."""
        sizes = sizes or [BASE_PT] * len(cells)
        return max(self.height(cell, BODY_WIDTH_MM * width / 100 - 2.3, size, break_all=index in break_all)
                   for index, (cell, width, size) in enumerate(zip(cells, widths, sizes))) + CELL_PADDING_MM

    def grid(self, flow, name, headings, widths, rows, sizes=None, break_all=(), classes=None):
        """A table of the act: its headings on every page it continues on, its rows whole."""
        heading_height = self.row_height(headings, widths, [8] * len(headings)) + 1
        flow.table(name, headings, widths, heading_height, classes=classes or [""] * len(widths))
        for cells in rows:
            flow.row(name, cells, self.row_height(cells, widths, sizes, break_all))

    def fields_height(self, pairs):
        return sum(self.height(value or "-", BODY_WIDTH_MM * 0.6) + 0.8 for _label, value in pairs)

    def heading(self, flow, text):
        flow.block("heading", self.height(text, size_pt=10, bold=True) + 5.5, keep_with_next=True, text=text)

    def status(self, flow, printed, note):
        if not printed["done"]:
            flow.block("status", self.height(note) + 16, note=note)

    def signatures(self, flow, printed, note):
        """The signature block, kept with the last rows (issue 13: qualified signatures print in
        it, through report_commission_act_signatures)."""
        height = 12 + sum(max(self.height(member["role"], BODY_WIDTH_MM * 0.36, 7.5),
                              self.height(member["name"], BODY_WIDTH_MM * 0.3)
                              + (3 if member["confirmed"] else 0)) + 9 for member in printed["members"])
        if not printed["done"]:
            height += self.height(note) + 16
        flow.block("signatures", height, keep_with_previous=True, note=note)

    def qualified_seats(self):
        return {**self.text["roles"], "checker": self.text["checker"]}

    def qualified(self, flow, printed):
        """The qualified signatures after the members' lines, one QR code and its facts a row."""
        if not printed.get("qualified"):
            return
        title = self.text["qualified_title"]
        flow.block("qualified_title", self.height(title, bold=True) + 3, keep_with_next=True, text=title)
        for signature in printed["qualified"]:
            flow.block("qualified_signature", QUALIFIED_ROW_MM, signature=signature)

    def opening(self, flow, printed, draft_note, title, fields):
        """What every commission act opens with (items 12, 13): the draft note, the numbered
        title, its fields, the basis and the members."""
        self.status(flow, printed, draft_note)
        title = f"{title} № {printed['number']}"
        flow.block("title", self.height(title, size_pt=12, bold=True) + 3, text=title)
        flow.block("fields", self.fields_height(fields) + 2, pairs=fields)
        flow.block("paragraph", self.height(printed["basis"]) + 1.5, text=printed["basis"])
        self.members_table(flow, printed)

    def members_table(self, flow, printed):
        self.heading(flow, self.text["commission"])
        self.grid(flow, "members", self.text["member_headings"], [6, 30, 30, 34],
                  [[str(index), member["name"], member["job_title"], member["role"]]
                   for index, member in enumerate(printed["members"], start=1)], classes=["mchs-num", "", "", ""])
        if printed["decision"]:
            decision = f"{self.text['decision']}: {printed['decision']}"
            flow.block("paragraph", self.height(decision) + 1.5, text=decision)


class ReportCommissionAct(models.AbstractModel):
    """Values of a printed commission act: each record's printed values (``_printed``, with its
    pages) under ``_values_key``, and the act's texts."""

    _name = "mchs.bodycam.commission.act.report"
    _description = "Printed commission act"
    _act_model = None
    _values_key = None

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        records = self.env[self._act_model].browse(docids)
        printed, texts, planned = {}, {}, 0
        for record in records:
            form = CommissionActForm(self.env, record.department_id, print_lang(self.env, record.department_id, data))
            printed[record.id] = self._printed(form, record.with_env(form.env))
            flow = Flow(BODY_HEIGHT_MM)
            self._layout(form, flow, printed[record.id])
            printed[record.id]["pages"] = flow.paginate(data.get("mchs_height_factor", 1.0))
            planned += len(printed[record.id]["pages"])
            texts[record.id] = form.text
        if isinstance(data.get("mchs_plan"), dict):
            data["mchs_plan"]["pages"] = planned
        return {
            "doc_ids": docids,
            "doc_model": self._act_model,
            "docs": records,
            self._values_key: printed,
            "texts": texts,
        }

    def _printed(self, form, record):
        raise NotImplementedError

    def _layout(self, form, flow, printed):
        raise NotImplementedError


class ReportDestructionAct(models.AbstractModel):
    """Values of the printed destruction act (item 12)."""

    _name = "report.mchs_bodycam.report_destruction_act"
    _inherit = "mchs.bodycam.commission.act.report"
    _description = "Destruction act of bodycam recordings (printed)"
    _act_model = "mchs.bodycam.destruction"
    _values_key = "acts"

    def _printed(self, form, act):
        text = form.text
        destroyed = [{
            "inventory": line.inventory_number or "",
            "inspector": line.inspector_id.name or "",
            "period": form.period(line.recording_start, line.recording_end),
            "sha256": line.sha256 or "",
        } for line in act._report_lines()]
        excluded = [{
            "inventory": line.inventory_number or "",
            "period": form.period(line.recording_start, line.recording_end),
            "reason": line.exclusion_reason or "",
        } for line in act._report_lines(excluded=True)]
        done = act.state == "done"
        return {
            "done": done,
            "state": text["act_states"].get(act.state, act.state),
            "number": act.name or "",
            "date": form.date(act.date),
            "place": act.place or "",
            "unit": act.department_id.name or "",
            "retention": form.integer(act._retention_years_applied()),
            "basis": form.t(TEXTS["act_basis"], order=form.t(ORDER)),
            "members": form.members(act.commission_id, act.confirmation_ids),
            "decision": act.commission_id.decision or "",
            "destroyed": destroyed,
            "excluded": excluded,
            "list_title": text["destroyed_list"] if done else text["proposed_list"],
            "count_label": text["destroyed_count"] if done else text["to_destroy_count"],
            "count": form.integer(act.destroy_count),
            "size": form.size(act.destroy_size),
            "excluded_count": form.integer(act.excluded_count),
            "done_at": form.datetime(act.done_at),
            "qualified": form.qualified_signatures(act),
        }

    def _layout(self, form, flow, printed):
        text = form.text
        fields = [(text["number"], printed["number"]), (text["date"], printed["date"]),
                  (text["place"], printed["place"]), (text["unit"], printed["unit"]),
                  (text["retention_applied"], printed["retention"])]
        if printed["done_at"]:
            fields.append((text["done_at"], printed["done_at"]))
        form.opening(flow, printed, text["act_draft_note"], text["act_title"], fields)
        form.heading(flow, printed["list_title"])
        if printed["destroyed"]:
            form.grid(flow, "lines", text["line_headings"], [5, 21, 18, 20, 36],
                      [[str(index), line["inventory"], line["inspector"], line["period"], line["sha256"]]
                       for index, line in enumerate(printed["destroyed"], start=1)],
                      sizes=[BASE_PT, BASE_PT, BASE_PT, 7.5, 6.5], break_all=(4,),
                      classes=["mchs-num", "", "", "mchs-small", "mchs-sha"])
        else:
            flow.block("paragraph", form.height(text["no_lines"]) + 1.5, text=text["no_lines"])
        if printed["excluded"]:
            form.heading(flow, text["excluded_list"])
            form.grid(flow, "excluded", text["excluded_headings"], [5, 21, 20, 54],
                      [[str(index), line["inventory"], line["period"], line["reason"]]
                       for index, line in enumerate(printed["excluded"], start=1)],
                      sizes=[BASE_PT, BASE_PT, 7.5, BASE_PT], classes=["mchs-num", "", "mchs-small", ""])
        totals = [(printed["count_label"], printed["count"]), (text["total_size"], printed["size"]),
                  (text["excluded_count"], printed["excluded_count"])]
        # the totals, then the signatures, go on with the last rows of the list
        flow.block("totals", form.fields_height(totals) + 12, keep_with_previous=True, pairs=totals,
                   title=text["totals"])
        form.signatures(flow, printed, text["act_draft_note"])
        form.qualified(flow, printed)


class ReportAudit(models.AbstractModel):
    """Values of the printed annual audit act (item 13)."""

    _name = "report.mchs_bodycam.report_audit"
    _inherit = "mchs.bodycam.commission.act.report"
    _description = "Annual audit of access and archive integrity (printed)"
    _act_model = "mchs.bodycam.audit"
    _values_key = "audits"

    def _printed(self, form, audit):
        text = form.text
        findings = audit.finding_ids
        access = findings.filtered(lambda finding: finding.kind in ACCESS_KINDS).sorted(
            lambda finding: (finding.access_sequence or 0, ACCESS_KINDS.index(finding.kind), finding.id))
        files = findings.filtered(lambda finding: finding.kind in FILE_KINDS).sorted(
            lambda finding: (FILE_KINDS.index(finding.kind), finding.sha256 or "", finding.location or "",
                             finding.id))
        counts = Counter(findings.mapped("kind"))
        total = len(findings)
        done = audit.state == "done"
        return {
            "done": done,
            "state": text["audit_states"].get(audit.state, audit.state),
            "number": audit.number or "",
            "unit": audit.department_id.name or "",
            "year": str(audit.year),
            "basis": form.t(TEXTS["audit_basis"], order=form.t(ORDER)),
            "members": form.members(audit.commission_id),
            "decision": audit.commission_id.decision or "",
            "checker": audit._checker_label(),
            "qualified": form.qualified_signatures(audit),
            "started_at": form.datetime(audit.started_at),
            "done_at": form.datetime(audit.done_at),
            "chain_ok": text["yes"] if audit.chain_ok else text["no"],
            "access_count": form.integer(audit.access_count),
            "access_findings": [{
                "row": str(finding.access_sequence or ""),
                "kind": text["kinds"][finding.kind],
                "detail": finding._printed_detail(),
            } for finding in access],
            "recordings": form.t(TEXTS["of_total"], checked=form.integer(audit.recording_checked),
                                 total=form.integer(audit.recording_total)),
            "file_count": form.integer(audit.file_count),
            "byte_count": form.size(audit.byte_count),
            "file_findings": [{
                "kind": text["kinds"][finding.kind],
                "location": text["locations"].get(finding.location, "") if finding.location else "—",
                "sha256": finding.sha256 or "",
            } for finding in files],
            "kind_totals": [(text["kinds"][kind], str(counts[kind])) for kind in ACCESS_KINDS + FILE_KINDS],
            "conclusion": form.t(TEXTS["conclusion_findings"], count=total) if total else text["conclusion_clean"],
        }

    def _layout(self, form, flow, printed):
        text = form.text
        fields = [(text["number"], printed["number"]), (text["unit"], printed["unit"]),
                  (text["year"], printed["year"]), (text["checker"], printed["checker"]),
                  (text["started_at"], printed["started_at"]), (text["audit_done_at"], printed["done_at"])]
        form.opening(flow, printed, text["audit_draft_note"], text["audit_title"], fields)
        form.heading(flow, text["access_section"])
        access = [(text["chain_ok"], printed["chain_ok"]), (text["access_count"], printed["access_count"])]
        flow.block("fields", form.fields_height(access) + 2, pairs=access)
        if printed["access_findings"]:
            form.grid(flow, "access", text["access_headings"], [14, 28, 58],
                      [[finding["row"], finding["kind"], finding["detail"]] for finding in printed["access_findings"]],
                      sizes=[BASE_PT, BASE_PT, 7.5], classes=["mchs-num", "", "mchs-small"])
        else:
            flow.block("paragraph", form.height(text["no_findings"]) + 1.5, text=text["no_findings"])
        form.heading(flow, text["integrity_section"])
        integrity = [(text["recordings_checked"], printed["recordings"]), (text["files_hashed"], printed["file_count"]),
                     (text["bytes_hashed"], printed["byte_count"])]
        flow.block("fields", form.fields_height(integrity) + 2, pairs=integrity)
        if printed["file_findings"]:
            form.grid(flow, "files", text["file_headings"], [6, 30, 16, 48],
                      [[str(index), finding["kind"], finding["location"], finding["sha256"]]
                       for index, finding in enumerate(printed["file_findings"], start=1)],
                      sizes=[BASE_PT, BASE_PT, BASE_PT, 6.5], break_all=(3,),
                      classes=["mchs-num", "", "", "mchs-sha"])
        else:
            flow.block("paragraph", form.height(text["no_findings"]) + 1.5, text=text["no_findings"])
        form.heading(flow, text["kind_totals"])
        form.grid(flow, "kinds", text["kind_headings"], [80, 20], [list(pair) for pair in printed["kind_totals"]],
                  classes=["", "mchs-num"])
        conclusion = f"{text['conclusion']}: {printed['conclusion']}"
        flow.block("paragraph", form.height(conclusion, bold=True) + 1.5, text=conclusion, bold=True)
        form.signatures(flow, printed, text["audit_draft_note"])
        form.qualified(flow, printed)


@register_paged
class DestructionActDocument(PagedDocument):
    report_name = "mchs_bodycam.report_destruction_act"

    @classmethod
    def number_stamp(cls, env, record):
        return term(env, ACT_NUMBER, number=record.name or "")


@register_paged
class AuditActDocument(PagedDocument):
    report_name = "mchs_bodycam.report_audit"

    @classmethod
    def number_stamp(cls, env, record):
        return term(env, ACT_NUMBER, number=record.number or "")
