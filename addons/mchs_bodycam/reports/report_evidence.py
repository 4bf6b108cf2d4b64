"""The manifest of an evidence package (item 14), printed in the package's language with moments
in the unit's time zone: the legal basis, then every file with its SHA-256 and its chain of
custody, then who built the package. Laid out on pages like the commission's acts."""
from datetime import datetime

from odoo import api, models

from .report_destruction import BASE_PT, BODY_HEIGHT_MM, CommissionActForm
from .report_print import _lt, Flow, PagedDocument, QUALIFIED_TEXTS, register_paged

NBSP = "\u00a0"

TEXTS = {
    "title": _lt("Evidence package"),
    "unit": _lt("Unit"),
    "basis": _lt("Legal basis"),
    "recipient": _lt("Recipient"),
    "regulation": _lt("Regulation"),
    "built_at": _lt("Package built"),
    "built_by": _lt("Package built by"),
    "headings": [_lt("File, SHA-256, size"), _lt("Bodycam, memory card, inspector"), _lt("Recorded"),
                 _lt("Chain of custody")],
    "size": _lt("%(bytes)s bytes"),
    "custody": _lt("Journal 1, book No. %(book)s, row %(row)s: issued %(issued)s, returned %(returned)s, "
                   "downloaded %(downloaded)s"),
    "received": _lt("Received by the storage server %(at)s (%(dock)s)"),
    "access": _lt("Journal 2, row %(row)s: %(at)s, %(who)s, %(action)s, %(result)s"),
    "basis_text": _lt("%(kind)s No. %(number)s of %(date)s, %(authority)s"),
    "signature": _lt("(signature)"),
    "files": _lt("Files of the package"),
    "head": _lt("Head"),
    **QUALIFIED_TEXTS,
}
WIDTHS = [30, 18, 16, 36]


class ManifestForm(CommissionActForm):
    texts = TEXTS

    def qualified_seats(self):
        """Item 14: the head signs the manifest (issue 13)."""
        return {"head": self.text["head"]}

    def moment(self, iso):
        """An ISO 8601 moment of the manifest (already in the unit's zone), printed unbroken."""
        if not iso:
            return "—"
        value = datetime.fromisoformat(iso)
        return value.strftime(f"%d.%m.%Y{NBSP}%H:%M")

    def day(self, iso):
        return datetime.fromisoformat(iso).strftime("%d.%m.%Y") if iso else ""

    def chain(self, file):
        """Column 4: the journal row, the download, every access (items 9, 13)."""
        lines = []
        custody = file.get("custody")
        if custody:
            lines.append(self.t(TEXTS["custody"], book=custody["journal_book"] or "—", row=custody["row"],
                                issued=self.moment(custody["issued_at"]), returned=self.moment(custody["returned_at"]),
                                downloaded=self.moment(custody["downloaded_at"])))
        lines.append(self.t(TEXTS["received"], at=self.moment(file["received_at"]), dock=file.get("dock") or "—"))
        for access in file["accesses"]:
            lines.append(self.t(TEXTS["access"], row=access["row"], at=self.moment(access["at"]), who=access["who"],
                                action=access["action_label"], result=access["result_label"]))
        return "\n".join(lines)


class ReportEvidenceManifest(models.AbstractModel):
    """Values of the printed manifest: the manifest the package was built with (``data``)."""

    _name = "report.mchs_bodycam.report_evidence_manifest_document"
    _description = "Evidence package manifest (printed)"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        evidences = self.env["mchs.bodycam.evidence"].browse(docids)
        printed, texts, planned = {}, {}, 0
        for evidence in evidences:
            manifest = data.get("manifest") or evidence._manifest(
                evidence.recording_ids.sorted("start"), self.env["mchs.bodycam.access"].sudo().search(
                    [("recording_id", "in", evidence.recording_ids.ids)]), data.get("mchs_lang") or "kk_KZ")
            form = ManifestForm(self.env, evidence.department_id, manifest["language"])
            flow = Flow(BODY_HEIGHT_MM)
            values = self._layout(form, flow, manifest)
            # issue 13: the head's signature of the manifest the package was built with
            # (printed on its own, the signature of the manifest as the basis holds it now)
            # sudo: whoever prints the manifest sees who signed it
            signed = (manifest.get("signature") or {}).get("id") or evidence.sudo()._manifest_signature().id
            if signed:
                form.qualified(flow, {"qualified": form.qualified_signatures(
                    evidence, self.env["mchs.bodycam.signature"].browse(signed))})
            values["pages"] = flow.paginate(data.get("mchs_height_factor", 1.0))
            planned += len(values["pages"])
            printed[evidence.id], texts[evidence.id] = values, form.text
        if isinstance(data.get("mchs_plan"), dict):
            data["mchs_plan"]["pages"] = planned
        return {"doc_ids": docids, "doc_model": "mchs.bodycam.evidence", "docs": evidences, "manifests": printed,
                "texts": texts}

    def _layout(self, form, flow, manifest):
        text = form.text
        basis = manifest["legal_basis"]
        flow.block("title", form.height(text["title"], size_pt=12, bold=True) + 3, text=text["title"])
        fields = [
            (text["unit"], manifest["unit"] or ""),
            (text["basis"], form.t(TEXTS["basis_text"], kind=basis["type_label"], number=basis["number"],
                                   date=form.day(basis["date"]), authority=basis["issued_by"])),
            (text["recipient"], basis["recipient_label"] or ""),
            (text["regulation"], manifest["regulation"]),
            (text["built_at"], form.moment(manifest["exported_at"])),
            (text["built_by"], manifest["exported_by"] or ""),
        ]
        flow.block("fields", form.fields_height(fields) + 2, pairs=fields)
        form.heading(flow, text["files"])
        rows = []
        for file in manifest["files"]:
            rows.append([
                f"{file['file']}\n{file['sha256']}\n{form.t(TEXTS['size'], bytes=form.integer(file['size']))}",
                ", ".join([file["bodycam"], file.get("memory_card") or "—", file.get("inspector") or "—"]),
                f"{form.moment(file['recorded_from'])} –\n{form.moment(file['recorded_to'])}",
                form.chain(file),
            ])
        form.grid(flow, "files", text["headings"], WIDTHS, rows, sizes=[6.5, BASE_PT, 7.5, 7], break_all=(0,),
                  classes=["mchs-sha", "", "mchs-small mchs-nowrap", "mchs-chain"])
        signer = {"name": manifest["exported_by"] or "", "position": manifest.get("exported_by_position") or ""}
        flow.block("signatures", 30, keep_with_previous=True, signer=signer)
        return {"manifest": manifest}


@register_paged
class ManifestDocument(PagedDocument):
    report_name = "mchs_bodycam.report_evidence_manifest_document"

    @classmethod
    def number_stamp(cls, env, record):
        """The basis the package is built on, in the manifest's language (not a cached name)."""
        kinds = dict(record._fields["basis_type"]._description_selection(env))
        return f"{kinds.get(record.basis_type, '')} № {record.basis_number or ''}"
