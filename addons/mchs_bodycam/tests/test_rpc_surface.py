"""A deliberate RPC surface: every public method the addon defines is an action meant for a role
(items 5, 6, 12, 13); everything else is private and cannot be called over JSON-RPC."""
import base64
import hashlib

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..reports.report_journal import XLSX_OPTIONS
from .common import RetentionCase
from .signature_pki import shared_pki

ORM = "the ORM's own method: access rights, record rules and the model's guards decide"
RESPONSIBLE = "the responsible person (items 5, 7, 8, 10)"
REGISTRY = "the responsible person and the bodycam administrator, in their unit (items 6, 8, 21)"
COMMISSION = "the commission's members (items 12, 13)"
HOLDERS = "the head and the responsible person designated today (items 5, 13)"
ACTION_MODELS = ("ir.actions.actions", "ir.actions.act_url", "ir.actions.act_window", "ir.actions.act_window_close",
                 "ir.actions.client", "ir.actions.report", "ir.actions.server")

# (model, public method) -> who it is for. Abstract models count: a model method of theirs is
# callable over RPC too.
ALLOWLIST = {
    ("hr.department", "write"): ORM + " (unit codes: the bodycam administrator)",
    ("res.company", "create"): ORM + " (Odoo's administrator)",
    ("res.company", "write"): ORM + " (the retention setting: the bodycam administrator)",
    # Appendix 2, append-only
    ("mchs.bodycam.access", "action_verify_chain"): "the head, the responsible person and the commission (item 13)",
    ("mchs.bodycam.access", "write"): "nobody: the journal is append-only (item 13)",
    # the annual audit (item 13)
    ("mchs.bodycam.audit", "action_start"): COMMISSION,
    ("mchs.bodycam.audit", "action_view_findings"): COMMISSION,
    ("mchs.bodycam.audit", "create"): ORM + "; " + COMMISSION,
    ("mchs.bodycam.audit", "write"): ORM + "; the checker, before the audit starts",
    # the registry: bodycams, memory cards and their abstract base (items 6, 8, 21)
    **{(model, method): REGISTRY
       for model in ("mchs.bodycam.camera", "mchs.bodycam.card", "mchs.bodycam.device.mixin")
       for method in ("action_back_from_repair", "action_mark_lost", "action_open_maintenance_requests",
                      "action_send_to_repair", "action_write_off")},
    **{(model, method): ORM + "; " + REGISTRY
       for model in ("mchs.bodycam.camera", "mchs.bodycam.card", "mchs.bodycam.device.mixin")
       for method in ("create", "write")},
    ("mchs.bodycam.camera", "action_open_cards"): REGISTRY,
    ("mchs.bodycam.camera", "action_open_slot_wizard"): RESPONSIBLE + ": card slot and seal (item 8)",
    ("mchs.bodycam.card.installation", "write"): ORM + "; history, closed once (item 8)",
    ("mchs.bodycam.seal", "write"): ORM + "; history, closed once (item 8)",
    ("mchs.bodycam.slot.wizard", "action_apply"): RESPONSIBLE + ": card slot and seal (item 8)",
    ("mchs.bodycam.slot.wizard", "default_get"): ORM + "; the card slot form of the responsible person",
    # the year-end commission (item 12)
    ("mchs.bodycam.commission", "action_new_audit"): COMMISSION,
    ("mchs.bodycam.commission", "action_new_destruction"): COMMISSION,
    ("mchs.bodycam.commission", "action_view_audits"): COMMISSION,
    ("mchs.bodycam.commission", "action_view_destructions"): COMMISSION,
    ("mchs.bodycam.commission", "write"): ORM + "; the head and the bodycam administrator",
    ("mchs.bodycam.commission.member", "create"): ORM + "; the head, until the commission acts",
    ("mchs.bodycam.commission.member", "write"): ORM + "; the head, until the commission acts",
    ("mchs.bodycam.destruction", "action_back_to_review"): COMMISSION,
    ("mchs.bodycam.destruction", "action_cancel"): COMMISSION,
    ("mchs.bodycam.destruction", "action_confirm"): COMMISSION,
    ("mchs.bodycam.destruction", "action_repropose"): COMMISSION,
    ("mchs.bodycam.destruction", "action_retry"): COMMISSION,
    ("mchs.bodycam.destruction", "action_view_lines"): COMMISSION,
    ("mchs.bodycam.destruction", "action_view_reviews"): COMMISSION,
    ("mchs.bodycam.destruction", "create"): ORM + "; " + COMMISSION,
    ("mchs.bodycam.destruction", "write"): ORM + "; date and place under review",
    ("mchs.bodycam.destruction.line", "action_review"): HOLDERS + ", for the commission",
    ("mchs.bodycam.destruction.line", "write"): ORM + "; a member excludes a recording with a reason",
    # Appendix 1 (items 7, 9, 10, 16, 20, 21, 23)
    ("mchs.bodycam.custody", "action_issue"): RESPONSIBLE,
    ("mchs.bodycam.custody", "action_return"): RESPONSIBLE,
    ("mchs.bodycam.custody", "action_mark_downloaded"): RESPONSIBLE,
    ("mchs.bodycam.custody", "action_close"): RESPONSIBLE,
    ("mchs.bodycam.custody", "action_clear_failure"): RESPONSIBLE + " (item 21)",
    ("mchs.bodycam.custody", "action_replace_after_failure"): RESPONSIBLE + " (item 21)",
    ("mchs.bodycam.custody", "action_confirm_in_session"): "the inspector, on their own entry (items 7, 10)",
    ("mchs.bodycam.custody", "action_open_remark_wizard"): "the inspector on their own entry, and "
                                                           + RESPONSIBLE + " (items 8, 9, 20, 21)",
    ("mchs.bodycam.custody", "action_resume"): "the inspector on their own entry, and " + RESPONSIBLE + " (item 20)",
    ("mchs.bodycam.custody", "action_acknowledge_pause"): RESPONSIBLE + ": told of a pause, acknowledges it (item 20)",
    ("mchs.bodycam.legal.basis", "create"): ORM + "; the head and the responsible person record a basis (item 22)",
    ("mchs.bodycam.legal.basis", "write"): ORM + "; nobody: a basis is kept as recorded (item 22)",
    ("mchs.bodycam.print.wizard", "action_print"): "whoever may read the document and print its report, "
                                                   "in Kazakh or Russian (issue 11)",
    ("mchs.bodycam.custody", "desk_scan"): RESPONSIBLE + ": the scan desk",
    ("mchs.bodycam.custody", "desk_issue"): RESPONSIBLE + ": the scan desk",
    ("mchs.bodycam.custody", "desk_return"): RESPONSIBLE + ": the scan desk",
    ("mchs.bodycam.custody", "desk_setup"): RESPONSIBLE + ": the scan desk (its checklist and labels)",
    ("mchs.bodycam.custody", "desk_wipe"): RESPONSIBLE + ": the scan desk (column 6 and the wipe, items 5, 10)",
    ("mchs.bodycam.custody", "write"): ORM + "; " + RESPONSIBLE + ", draft entries",
    ("mchs.bodycam.custody.remark", "write"): ORM + "; a remark is completed once, never changed (item 9)",
    ("mchs.bodycam.custody.remark.wizard", "action_apply"): "the inspector on their own entry, and " + RESPONSIBLE,
    ("mchs.bodycam.designation", "create"): ORM + "; the head and the bodycam administrator (item 5)",
    ("mchs.bodycam.designation", "write"): ORM + "; the head and the bodycam administrator (item 5)",
    ("mchs.bodycam.journal", "action_register"): RESPONSIBLE + " (item 9)",
    ("mchs.bodycam.journal", "action_close"): RESPONSIBLE + " (item 9)",
    ("mchs.bodycam.journal", "write"): ORM + "; " + RESPONSIBLE + " (item 9)",
    # report_xlsx's hooks: their names are its contract
    **{(model, method): "report_xlsx's hook, called by its create_xlsx_report when a book is exported"
       for model in ("mchs.bodycam.journal.xlsx", "report.mchs_bodycam.report_journal_access_xlsx",
                     "report.mchs_bodycam.report_journal_custody_xlsx")
       for method in ("generate_xlsx_report", "get_workbook_options")},
    # recordings and their storage (items 5 ¶2, 10, 11, 13, 14)
    ("mchs.bodycam.recording", "action_open_access_wizard"): HOLDERS,
    ("mchs.bodycam.recording", "action_open_retention"): "the head and the responsible person (item 12)",
    ("mchs.bodycam.recording", "write"): "nobody: a recording is evidence (item 13)",
    ("mchs.bodycam.recording.access.wizard", "create"): ORM + "; " + HOLDERS + "; others are journaled",
    ("mchs.bodycam.recording.access.wizard", "action_open"): HOLDERS + ", with the special password",
    ("mchs.bodycam.storage", "action_open_password_wizard"): HOLDERS,
    ("mchs.bodycam.storage", "action_check_buckets"): "the bodycam administrator, the head and the responsible person",
    ("mchs.bodycam.storage", "action_open_credentials_wizard"): "the bodycam administrator (the object store's keys)",
    ("mchs.bodycam.storage.credentials.wizard", "action_apply"): "the bodycam administrator (the object store's keys)",
    ("mchs.bodycam.storage.password.wizard", "action_apply"): HOLDERS,
    ("mchs.bodycam.dock", "action_generate_token"): "the bodycam administrator (item 11)",
    ("mchs.bodycam.dock", "action_open_uploads"): "the head, the responsible person and the bodycam administrator",
    ("mchs.bodycam.evidence", "action_download_package"): HOLDERS + " (item 14)",
    ("mchs.bodycam.evidence", "action_release"): "the head and the responsible person (item 14)",
    ("mchs.bodycam.evidence", "write"): ORM + "; held recordings stay held (item 14)",
    ("mchs.bodycam.scan.log", "create"): "nobody: refused scans are logged by the scan itself (item 6)",
    ("mchs.bodycam.scan.log", "write"): "nobody: the scan log is never changed (item 6)",
    # the one lock mechanism (items 9, 12, 13): write() and create() of every locked document go
    # through it; what a person may write or create is declared per state
    **{(model, "create"): ORM + "; the lock lets a person create only what its declaration allows"
       for model in ("mchs.bodycam.lock.mixin", "mchs.bodycam.access", "mchs.bodycam.audit.finding",
                     "mchs.bodycam.card.installation", "mchs.bodycam.commission", "mchs.bodycam.custody",
                     "mchs.bodycam.custody.log", "mchs.bodycam.custody.remark",
                     "mchs.bodycam.destruction.confirmation", "mchs.bodycam.destruction.line",
                     "mchs.bodycam.evidence", "mchs.bodycam.integrity.seal", "mchs.bodycam.journal",
                     "mchs.bodycam.recording", "mchs.bodycam.seal", "mchs.bodycam.label.print")},
    **{(model, "write"): ORM + "; nobody: kept as written (items 6, 9, 13)"
       for model in ("mchs.bodycam.lock.mixin", "mchs.bodycam.audit.finding", "mchs.bodycam.custody.log",
                     "mchs.bodycam.destruction.confirmation", "mchs.bodycam.integrity.seal",
                     "mchs.bodycam.label.print")},
    ("mchs.bodycam.integrity.seal", "action_seal_now"): "the bodycam administrator, for their units (items 9, 13)",
    ("maintenance.equipment", "write"): ORM + " (maintenance managers); a bodycam's unit and holder obey its "
                                            "device's lock (items 6, 7)",
    ("hr.employee", "create"): ORM + " (HR officers); the linked user takes the unit's time zone",
    ("hr.employee", "write"): ORM + " (HR officers); the linked user takes the unit's time zone",
    # Odoo's own hooks that every user calls; the addon narrows what they hand out
    **{(model, "get_bindings"): "everyone: the Print and Action menus, without Odoo's own employee badge "
                                "for the product's users (issue 12, point 7)" for model in ACTION_MODELS},
    # qualified signatures (issue 13): the seat's holder signs, through the document's own checks
    **{(model, "action_sign"): "the holder of the seat that signs the document (item 12): the CMS is verified "
                               "as theirs before the step is taken (issue 13)"
       for model in ("mchs.bodycam.signable.mixin", "mchs.bodycam.destruction", "mchs.bodycam.audit",
                     "mchs.bodycam.journal", "mchs.bodycam.evidence")},
    **{(model, "action_view_signatures"): "whoever may read the signed document (issue 13)"
       for model in ("mchs.bodycam.signable.mixin", "mchs.bodycam.destruction", "mchs.bodycam.audit",
                     "mchs.bodycam.journal", "mchs.bodycam.evidence")},
    ("mchs.bodycam.evidence", "action_sign_manifest"): "the head designated today (item 14; issue 13)",
    ("mchs.bodycam.audit", "action_sign_act"): "the audit's checker, once it is done (item 13; issue 13)",
    ("mchs.bodycam.signature", "action_reverify"): "whoever may read the signature (issue 13)",
    ("mchs.bodycam.signature", "create"): ORM + "; nobody: a signature is stored by its verification (issue 13)",
    ("mchs.bodycam.signature", "write"): ORM + "; nobody: a signature is kept as signed (issue 13)",
    ("mchs.bodycam.trusted.certificate", "create"): ORM + "; the bodycam administrator uploads NCA's certificates "
                                                         "(issue 13)",
    ("mchs.bodycam.trusted.certificate", "write"): ORM + "; the bodycam administrator archives or restores one "
                                                        "(issue 13)",
    ("ir.http", "session_info"): "everyone: the web client's start, with the role's landing action and the "
                                 "time-zone warning (issue 12, points 4, 5)",
}
# hooks every user may call: the inspector is answered, with what is theirs (checked below)
NOT_REFUSED = {("mchs.bodycam.journal.xlsx", "get_workbook_options"),
               ("report.mchs_bodycam.report_journal_access_xlsx", "get_workbook_options"),
               ("report.mchs_bodycam.report_journal_custody_xlsx", "get_workbook_options"),
               ("ir.http", "session_info"), *((model, "get_bindings") for model in ACTION_MODELS),
               # the inspector reads their unit's book: its signatures' list opens, empty for them
               ("mchs.bodycam.journal", "action_view_signatures")}

REFUSALS = {"odoo.exceptions.AccessError", "odoo.exceptions.UserError", "odoo.exceptions.ValidationError"}


def rpc_callable_methods(registry):
    """{(model, method)} of every public method a class of this addon defines, on every model
    of the registry: callable over JSON-RPC unless its name starts with "_" (or is "init"), or
    it is marked private (Odoo's api.private sets ``_api_private``)."""
    found = set()
    for model_name in registry:
        for klass in registry[model_name].mro():
            if not (getattr(klass, "__module__", "") or "").startswith("odoo.addons.mchs_bodycam."):
                continue
            for name, value in vars(klass).items():
                function = getattr(value, "__func__", value)
                if callable(function) and not name.startswith("_") and name != "init" \
                        and not getattr(function, "_api_private", False):
                    found.add((model_name, name))
    return found


@tagged("post_install", "-at_install")
class TestRpcSurface(RetentionCase, HttpCase):
    """The allowlist, and every method on it called over JSON-RPC by an inspector of the unit,
    who holds no bodycam: each one refuses."""

    def setUp(self):
        super().setUp()
        self.storage.with_user(self.responsible_user)._set_password("special-pass-2026")
        self.recording = self._old_recording("2021-03-10 10:00:00")  # due: a destruction act proposes it
        self.access = self.env["mchs.bodycam.access"].with_user(self.responsible_user)._log(
            self.recording, "view", "check", "granted")[0]
        self.entry = self._issue(self.camera_a2, self.other_inspector)
        self.entry.with_user(self.responsible_user)._pause("meal")
        self.act = self._act()
        self.audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        self.dock = self.env["mchs.bodycam.dock"].create({"name": "Dock RPC", "department_id": self.unit_a.id})
        self.dock.action_generate_token()
        self.evidence = self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, self.recording.ids)], "basis_type": "request", "basis_number": "1/2",
            "basis_date": "2026-11-20", "issuing_body": "Prosecutor's office", "recipient": "court"})
        self.env["mchs.bodycam.qr"].with_user(self.responsible_user)._resolve("garbage")
        self.scan_log = self.env["mchs.bodycam.scan.log"].search([], limit=1)
        as_responsible = {"camera_id": self.camera_a.id, "operation": "reseal", "new_seal_number": "W-9"}
        self.slot_wizard = self.env["mchs.bodycam.slot.wizard"].with_user(self.responsible_user).create(as_responsible)
        self.remark_wizard = self.env["mchs.bodycam.custody.remark.wizard"].with_user(self.responsible_user).create(
            {"custody_id": self.entry.id, "mode": "failure", "cause": "lens"})
        self.password_wizard = self.env["mchs.bodycam.storage.password.wizard"].with_user(self.head_user).create(
            {"storage_id": self.storage.id, "password": "inspector-knows-it", "confirmation": "inspector-knows-it"})
        self.open_wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.head_user).create(
            {"recording_id": self.recording.id, "purpose": "review", "password": "special-pass-2026"})
        self.designation = self.env["mchs.bodycam.designation"].search([("department_id", "=", self.unit_a.id)], limit=1)
        self.seal = self.env["mchs.bodycam.integrity.seal"]._seal(self.unit_a, "manual")
        self.label_print = self.env["mchs.bodycam.label.print"]._record(self.camera_a, "C")
        self.credentials_wizard = self.env["mchs.bodycam.storage.credentials.wizard"].create(
            {"storage_id": self.storage.id})
        self.finding = self.env["mchs.bodycam.audit.finding"].sudo().create({
            "audit_id": self.audit.id, "department_id": self.unit_a.id, "kind": "unknown", "detail": "x"})
        self.confirmation = self.env["mchs.bodycam.destruction.confirmation"].sudo().create({
            "destruction_id": self.act.id, "member_id": self.commission_record.member_ids[:1].id,
            "user_id": self.head_user.id})
        # the head's signature, stored as its verification would (issue 13); NCA's root, trusted
        data = b'{"rpc":"probe"}'
        self.signature = self.env["mchs.bodycam.signature"].sudo().create({
            "res_model": self.act._name, "res_id": self.act.id, "purpose": "destruction",
            "department_id": self.unit_a.id, "company_id": self.company.id, "user_id": self.head_user.id,
            "employee_id": self.head.id, "signing_time": "2026-11-20 10:00:00", "cms": base64.b64encode(b"cms"),
            "data": base64.b64encode(data), "data_sha256": hashlib.sha256(data).hexdigest(),
            "verified_at": "2026-11-20 10:00:00", "verified_by": "local"})
        self.trusted = self.env["mchs.bodycam.trusted.certificate"].create(
            {"certificate": base64.b64encode(shared_pki().rsa_root.der)})

    def _probes(self):
        """(model, method) -> (record ids or None for a model method, args, kwargs): the
        inspector's attempt at something that is not theirs to do."""
        camera, card = self.camera_a, self.card_a3
        device_probes = {}
        for model, record in (("mchs.bodycam.camera", camera), ("mchs.bodycam.card", card),
                              ("mchs.bodycam.device.mixin", camera)):
            device_probes.update({
                (model, "action_back_from_repair"): (record.ids, [], {}),
                (model, "action_mark_lost"): (record.ids, [], {}),
                (model, "action_open_maintenance_requests"): (record.ids, [], {}),
                (model, "action_send_to_repair"): (record.ids, [], {}),
                (model, "action_write_off"): (record.ids, [], {}),
                (model, "create"): (None, [{"department_id": self.unit_a.id}], {}),
                (model, "write"): (record.ids, [{"serial_no": "X"}], {}),
            })
        xlsx = {(model, method): ([], args, {})
                for model in ("mchs.bodycam.journal.xlsx", "report.mchs_bodycam.report_journal_access_xlsx",
                              "report.mchs_bodycam.report_journal_custody_xlsx")
                for method, args in (("generate_xlsx_report", [{}, {}, [self.book.id]]), ("get_workbook_options", []))}
        line = self.act.line_ids[:1]
        return {
            **device_probes, **xlsx,
            ("hr.department", "write"): (self.unit_a.ids, [{"bodycam_code": "HACK"}], {}),
            ("maintenance.equipment", "write"): (self.camera_a2.equipment_id.ids, [{"employee_id": self.inspector.id}], {}),
            ("hr.employee", "create"): (None, [{"name": "Inspector's colleague", "department_id": self.unit_a.id}], {}),
            ("hr.employee", "write"): (self.other_inspector.ids, [{"department_id": self.unit_b.id}], {}),
            ("ir.http", "session_info"): ([], [], {}),
            **{(model, "get_bindings"): ([], ["hr.employee"], {}) for model in ACTION_MODELS},
            ("res.company", "create"): (None, [{"name": "Inspector's company"}], {}),
            ("res.company", "write"): (self.company.ids, [{"bodycam_retention_years": 1}], {}),
            ("mchs.bodycam.access", "action_verify_chain"): ([], [], {}),
            ("mchs.bodycam.access", "write"): (self.access.ids, [{"purpose": "x"}], {}),
            ("mchs.bodycam.access", "unlink"): (self.access.ids, [], {}),
            ("mchs.bodycam.audit", "action_start"): (self.audit.ids, [], {}),
            ("mchs.bodycam.audit", "action_view_findings"): (self.audit.ids, [], {}),
            ("mchs.bodycam.audit", "create"): (None, [{"commission_id": self.commission_record.id}], {}),
            ("mchs.bodycam.audit", "write"): (self.audit.ids, [{"checker_id": self.inspector.id}], {}),
            ("mchs.bodycam.audit", "unlink"): (self.audit.ids, [], {}),
            ("mchs.bodycam.camera", "action_open_cards"): (camera.ids, [], {}),
            ("mchs.bodycam.camera", "action_open_slot_wizard"): (camera.ids, [], {}),
            ("mchs.bodycam.card.installation", "write"): (self.card_a.installation_ids.ids, [{"date_removed": "2026-01-01"}], {}),
            ("mchs.bodycam.seal", "write"): (camera.seal_id.ids, [{"date_removed": "2026-01-01"}], {}),
            ("mchs.bodycam.slot.wizard", "action_apply"): (self.slot_wizard.ids, [], {}),
            ("mchs.bodycam.slot.wizard", "default_get"): (
                None, [["camera_id", "operation"]], {"context": {"default_camera_id": camera.id}}),
            ("mchs.bodycam.commission", "action_new_audit"): (self.commission_record.ids, [], {}),
            ("mchs.bodycam.commission", "action_new_destruction"): (self.commission_record.ids, [], {}),
            ("mchs.bodycam.commission", "action_view_audits"): (self.commission_record.ids, [], {}),
            ("mchs.bodycam.commission", "action_view_destructions"): (self.commission_record.ids, [], {}),
            ("mchs.bodycam.commission", "write"): (self.commission_record.ids, [{"decision": "x"}], {}),
            ("mchs.bodycam.commission.member", "create"): (
                None, [{"commission_id": self.commission_record.id, "employee_id": self.inspector.id}], {}),
            ("mchs.bodycam.commission.member", "write"): (self.commission_record.member_ids[:1].ids, [{"role": "member"}], {}),
            ("mchs.bodycam.commission.member", "unlink"): (self.commission_record.member_ids[:1].ids, [], {}),
            **{("mchs.bodycam.destruction", method): (self.act.ids, [], {})
               for method in ("action_back_to_review", "action_cancel", "action_confirm", "action_repropose",
                              "action_retry", "action_view_lines", "action_view_reviews", "unlink")},
            ("mchs.bodycam.destruction", "create"): (None, [{"commission_id": self.commission_record.id}], {}),
            ("mchs.bodycam.destruction", "write"): (self.act.ids, [{"place": "x"}], {}),
            ("mchs.bodycam.destruction.line", "action_review"): (line.ids, [], {}),
            ("mchs.bodycam.destruction.line", "write"): (line.ids, [{"excluded": True, "exclusion_reason": "x"}], {}),
            **{("mchs.bodycam.custody", method): (self.entry.ids, [], {})
               for method in ("action_issue", "action_return", "action_mark_downloaded", "action_close",
                              "action_clear_failure", "action_replace_after_failure", "action_confirm_in_session",
                              "action_open_remark_wizard", "action_resume")},
            ("mchs.bodycam.custody", "action_acknowledge_pause"): (self.entry.ids, [], {}),
            ("mchs.bodycam.legal.basis", "create"): (None, [{
                "department_id": self.unit_a.id, "kind": "request", "number": "x", "date": "2026-11-20",
                "authority": "x"}], {}),
            ("mchs.bodycam.legal.basis", "write"): (self.evidence.legal_basis_id.ids, [{"number": "y"}], {}),
            # a wizard of somebody else's: a transient record is its creator's only
            ("mchs.bodycam.print.wizard", "action_print"): (self.env["mchs.bodycam.print.wizard"].with_context(
                active_model="mchs.bodycam.journal", active_ids=self.book.ids,
                mchs_report="mchs_bodycam.action_report_journal_custody").create({}).ids, [], {}),
            ("mchs.bodycam.custody", "desk_scan"): (None, [camera._label_payload()], {}),
            ("mchs.bodycam.custody", "desk_issue"): (
                None, [camera.id, self.inspector._bodycam_badge_payload(), {}], {}),
            ("mchs.bodycam.custody", "desk_return"): (
                None, [self.camera_a2.id, self.other_inspector._bodycam_badge_payload()], {}),
            ("mchs.bodycam.custody", "desk_setup"): (None, [], {}),
            ("mchs.bodycam.custody", "desk_wipe"): (None, [self.camera_a2.id], {}),
            ("mchs.bodycam.custody", "write"): (self.entry.ids, [{"is_overdue": True}], {}),
            ("mchs.bodycam.custody.remark", "write"): (self.entry.remark_ids.ids, [{"pause_end": "2026-01-01"}], {}),
            ("mchs.bodycam.custody.remark.wizard", "action_apply"): (self.remark_wizard.ids, [], {}),
            ("mchs.bodycam.designation", "create"): (
                None, [{"department_id": self.unit_a.id, "role": "head", "employee_id": self.inspector.id}], {}),
            ("mchs.bodycam.designation", "write"): (self.designation.ids, [{"order_reference": "x"}], {}),
            ("mchs.bodycam.journal", "action_register"): (self.book.ids, [], {}),
            ("mchs.bodycam.journal", "action_close"): (self.book.ids, [], {}),
            ("mchs.bodycam.journal", "write"): (self.book.ids, [{"registration_number": "x"}], {}),
            ("mchs.bodycam.recording", "action_open_access_wizard"): (self.recording.ids, [], {}),
            ("mchs.bodycam.recording", "action_open_retention"): (None, [], {}),
            ("mchs.bodycam.recording", "write"): (self.recording.ids, [{"filename": "x"}], {}),
            ("mchs.bodycam.recording", "unlink"): (self.recording.ids, [], {}),
            ("mchs.bodycam.recording.access.wizard", "create"): (
                None, [{"recording_id": self.recording.id, "purpose": "curious", "password": "guess"}], {}),
            ("mchs.bodycam.recording.access.wizard", "action_open"): (self.open_wizard.ids, [], {}),
            ("mchs.bodycam.storage", "action_open_password_wizard"): (self.storage.ids, [], {}),
            ("mchs.bodycam.storage", "action_check_buckets"): (self.storage.ids, [], {}),
            ("mchs.bodycam.storage", "action_open_credentials_wizard"): (self.storage.ids, [], {}),
            ("mchs.bodycam.storage.credentials.wizard", "action_apply"): (self.credentials_wizard.ids, [], {}),
            ("mchs.bodycam.storage.password.wizard", "action_apply"): (self.password_wizard.ids, [], {}),
            ("mchs.bodycam.dock", "action_generate_token"): (self.dock.ids, [], {}),
            ("mchs.bodycam.dock", "action_open_uploads"): (self.dock.ids, [], {}),
            ("mchs.bodycam.evidence", "action_download_package"): (self.evidence.ids, [], {}),
            ("mchs.bodycam.evidence", "action_release"): (self.evidence.ids, [], {}),
            ("mchs.bodycam.evidence", "write"): (self.evidence.ids, [{"basis_number": "x"}], {}),
            ("mchs.bodycam.scan.log", "create"): (None, [{"user_id": self.head_user.id, "reason": "forged"}], {}),
            ("mchs.bodycam.scan.log", "write"): (self.scan_log.ids, [{"message": "x"}], {}),
            **{(model, "create"): (None, [{"department_id": self.unit_a.id}], {})
               for model in ("mchs.bodycam.lock.mixin", "mchs.bodycam.access", "mchs.bodycam.audit.finding",
                             "mchs.bodycam.card.installation", "mchs.bodycam.commission",
                             "mchs.bodycam.custody.log", "mchs.bodycam.custody.remark",
                             "mchs.bodycam.destruction.confirmation", "mchs.bodycam.destruction.line",
                             "mchs.bodycam.integrity.seal", "mchs.bodycam.journal", "mchs.bodycam.recording",
                             "mchs.bodycam.seal", "mchs.bodycam.label.print")},
            ("mchs.bodycam.custody", "create"): (
                None, [{"camera_id": camera.id, "inspector_id": self.inspector.id, "state": "issued"}], {}),
            ("mchs.bodycam.evidence", "create"): (None, [{
                "recording_ids": [(6, 0, self.recording.ids)], "basis_type": "request", "basis_number": "x",
                "basis_date": "2026-11-20", "issuing_body": "x", "recipient": "court"}], {}),
            ("mchs.bodycam.lock.mixin", "write"): (self.entry.ids, [{"state": "closed"}], {}),
            ("mchs.bodycam.audit.finding", "write"): (self.finding.ids, [{"detail": "x"}], {}),
            ("mchs.bodycam.custody.log", "write"): (
                self.env["mchs.bodycam.custody.log"].search([], limit=1).ids, [{"content": "x"}], {}),
            ("mchs.bodycam.destruction.confirmation", "write"): (
                self.confirmation.ids, [{"withdrawn_at": "2026-01-01"}], {}),
            ("mchs.bodycam.integrity.seal", "write"): (self.seal.ids, [{"payload": "x"}], {}),
            ("mchs.bodycam.label.print", "write"): (self.label_print.ids, [{"item": "x"}], {}),
            ("mchs.bodycam.integrity.seal", "action_seal_now"): ([], [], {}),
            **{(model, "action_sign"): (self.act.ids, ["destruction", "Z2FyYmFnZQ=="], {})
               for model in ("mchs.bodycam.signable.mixin", "mchs.bodycam.destruction")},
            **{(model, "action_view_signatures"): (self.act.ids, [], {})
               for model in ("mchs.bodycam.signable.mixin", "mchs.bodycam.destruction")},
            ("mchs.bodycam.audit", "action_sign"): (self.audit.ids, ["audit", "Z2FyYmFnZQ=="], {}),
            ("mchs.bodycam.audit", "action_view_signatures"): (self.audit.ids, [], {}),
            ("mchs.bodycam.audit", "action_sign_act"): (self.audit.ids, [], {}),
            ("mchs.bodycam.journal", "action_sign"): (self.book.ids, ["certification", "Z2FyYmFnZQ=="], {}),
            ("mchs.bodycam.journal", "action_view_signatures"): (self.book.ids, [], {}),
            ("mchs.bodycam.evidence", "action_sign"): (self.evidence.ids, ["evidence", "Z2FyYmFnZQ=="], {}),
            ("mchs.bodycam.evidence", "action_view_signatures"): (self.evidence.ids, [], {}),
            ("mchs.bodycam.evidence", "action_sign_manifest"): (self.evidence.ids, [], {}),
            ("mchs.bodycam.signature", "action_reverify"): (self.signature.ids, [], {}),
            ("mchs.bodycam.signature", "create"): (None, [{
                "res_model": self.act._name, "res_id": self.act.id, "purpose": "destruction"}], {}),
            ("mchs.bodycam.signature", "write"): (self.signature.ids, [{"reverification": "invalid"}], {}),
            ("mchs.bodycam.trusted.certificate", "create"): (
                None, [{"certificate": base64.b64encode(shared_pki().gost_root.der).decode()}], {}),
            ("mchs.bodycam.trusted.certificate", "write"): (self.trusted.ids, [{"active": False}], {}),
        }

    def _call(self, model, method, ids, args, kwargs):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": ([ids] if ids is not None else []) + args, "kwargs": kwargs})

    def test_the_allowlist_is_the_rpc_surface(self):
        found = rpc_callable_methods(self.registry)
        self.assertEqual(sorted(found - set(ALLOWLIST)), [], "public methods nobody decided a role for")
        self.assertEqual(sorted(set(ALLOWLIST) - found), [], "allowlisted methods that no longer exist")

    def test_an_inspector_is_refused_every_method(self):
        probes = self._probes()
        self.assertEqual(sorted(set(ALLOWLIST) - set(probes)), [], "every allowlisted method is tried")
        token_hash = self.dock.sudo().token_hash
        self.authenticate("t.inspector", "t.inspector")
        for (model, method), (ids, args, kwargs) in sorted(probes.items()):
            if (model, method) in NOT_REFUSED:
                continue
            with self.subTest(model=model, method=method):
                with self.assertRaises(JsonRpcException) as refusal:
                    result = self._call(model, method, ids, args, kwargs)
                    self.fail(f"{model}.{method} answered the inspector: {result!r}")
                self.assertIn(refusal.exception.args[0], REFUSALS, f"{model}.{method}")
        # the hooks that are not refused hand out nothing but the workbook's options
        for model in ("mchs.bodycam.journal.xlsx", "report.mchs_bodycam.report_journal_custody_xlsx"):
            self.assertEqual(self._call(model, "get_workbook_options", [], [], {}), XLSX_OPTIONS)
        # ... the inspector's own landing action, and no employee badge to print
        info = self._call("ir.http", "session_info", [], [], {})
        self.assertEqual(info["home_action_id"], self.env.ref("mchs_bodycam.mchs_bodycam_custody_action_duty").id)
        hr_badge = self.env.ref("hr.hr_employee_print_badge").id
        for model in ACTION_MODELS:
            reports = self._call(model, "get_bindings", [], ["hr.employee"], {}).get("report", [])
            self.assertNotIn(hr_badge, [report["id"] for report in reports], model)
        # ... the list of the book's signatures, in which the signature rules show them none but their own
        action = self._call("mchs.bodycam.journal", "action_view_signatures", self.book.ids, [], {})
        self.assertEqual(action["res_model"], "mchs.bodycam.signature")
        self.assertEqual(self._call("mchs.bodycam.signature", "search_read", None, [action["domain"]], {}), [])
        self.assertEqual(self._call("mchs.bodycam.signature", "search_read", None, [[]], {}), [])
        # nothing changed
        self.assertEqual(self.dock.sudo().token_hash, token_hash)
        self.assertEqual((self.camera_a.state, self.entry.state, self.act.state, self.audit.state),
                         ("available", "issued", "draft", "draft"))
        self.assertEqual(self.camera_a2.equipment_id.employee_id, self.other_inspector)
        self.assertTrue(self.storage._check_password("special-pass-2026"))
        # (the refused openings' Appendix 2 rows are written apart from the refused request only
        # outside tests: tests/test_integrity_server.py shows them surviving on a real server)

    def test_signed_payloads_cannot_be_minted_over_rpc(self):
        """item 6: printing a label or a badge is the only way to obtain a signed payload."""
        self.authenticate("t.inspector", "t.inspector")
        for method, args in (("_make_payload", ["E", self.other_inspector.sudo().barcode]),
                             ("_signature", ["C", self.camera_a.inventory_number]),
                             ("_key", []), ("_resolve", ["garbage"])):
            with self.subTest(method=method), self.assertRaises(JsonRpcException) as refusal:
                self._call("mchs.bodycam.qr", method, None, args, {})
            self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        with self.assertRaises(JsonRpcException):  # the former public name is gone
            self._call("mchs.bodycam.qr", "make_payload", None, ["E", self.other_inspector.sudo().barcode], {})
        # and no field hands one out to whoever reads the record
        for model in ("hr.employee", "mchs.bodycam.camera", "mchs.bodycam.card"):
            fields = self._call(model, "fields_get", None, [], {"attributes": ["type"]})
            self.assertFalse([name for name in fields if "qr" in name or "payload" in name], model)
