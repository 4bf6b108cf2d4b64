import base64
import hashlib
import json
import os
import zipfile

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.tools.translate import LazyTranslate

from ..lib.apart import write_apart
from ..lib.storage import hash_file
from ..lib.printing import local_moment, print_lang
from .mchs_bodycam_legal_basis import BASIS_KINDS
from .mchs_bodycam_lock_mixin import AllBut

_lt = LazyTranslate(__name__)

# the storage's locations, in the order a copy is taken from (mchs.bodycam.storage._backends)
LOCATIONS = ("primary", "backup")

BASIS_TYPES = BASIS_KINDS
REGULATION = _lt("Order No. 495 of the Minister of Emergency Situations of the Republic of Kazakhstan, item 14")
RECIPIENTS = [("authority", "Authorized body"), ("court", "Court"), ("both", "Authorized body and court")]


class MchsBodycamEvidence(models.Model):
    """Recordings of evidentiary value, sent with the inspection materials to the authorized
    body and/or a court on a request, order or resolution (item 14). While the basis holds them,
    the recordings are on legal hold: no destruction act can remove them."""

    _name = "mchs.bodycam.evidence"
    _description = "Evidentiary value of recordings (legal hold)"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin", "mchs.bodycam.signable.mixin"]
    _order = "basis_date desc, id desc"
    _check_company_auto = True
    # item 14: the legal basis is kept as received; recordings are added to it while it holds
    # them, never taken out, until it is released
    _lock_changeable = {"held": {"state", "recording_ids"}, "released": set()}
    _lock_add_only = {"recording_ids"}
    _lock_transitions = {"held": {"released"}, "released": set()}
    _lock_user_writable = {"held": {"recording_ids"}}
    _lock_user_creatable = {"held": AllBut({"state"})}
    # issue 13: the head signs the package's manifest before it is built, when signing is on
    _signature_purposes = ("evidence",)

    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True,
                                    default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
    recording_ids = fields.Many2many("mchs.bodycam.recording", "mchs_bodycam_evidence_recording_rel", "evidence_id",
                                     "recording_id", string="Recordings", required=True,
                                     check_company=True, domain="[('department_id', '=', department_id)]")
    basis_type = fields.Selection(BASIS_TYPES, string="Legal basis", required=True, tracking=True)
    basis_number = fields.Char(string="Number", required=True, tracking=True)
    basis_date = fields.Date(string="Date", required=True, tracking=True)
    issuing_body = fields.Char(required=True, tracking=True)
    recipient = fields.Selection(RECIPIENTS, required=True, tracking=True)
    legal_basis_id = fields.Many2one(
        "mchs.bodycam.legal.basis", string="Legal basis record", readonly=True, index=True, ondelete="restrict",
        help="Item 22: the basis the exports of these recordings are journaled on (Appendix 2).")
    state = fields.Selection([("held", "On legal hold"), ("released", "Released")], default="held",
                             required=True, readonly=True, tracking=True)

    def _compute_display_name(self):
        types = dict(self._fields["basis_type"]._description_selection(self.env))
        for evidence in self:
            evidence.display_name = f"{types.get(evidence.basis_type, '')} № {evidence.basis_number or ''}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # item 22: the request, order or resolution is a legal basis record of the unit; the
            # package's exports are journaled on it
            vals["legal_basis_id"] = self.env["mchs.bodycam.legal.basis"].create({
                "department_id": vals.get("department_id") or self.env["hr.department"]._bodycam_user_units()[:1].id,
                "kind": vals.get("basis_type"), "number": vals.get("basis_number"), "date": vals.get("basis_date"),
                "authority": vals.get("issuing_body")}).id
        evidences = super().create(vals_list)
        recordings = evidences.recording_ids
        # the recordings held by another basis already were on legal hold before this one
        recordings._sync_legal_hold(held_before=recordings.filtered(
            lambda recording: recording.evidence_ids.filtered(lambda other: other.state == "held") - evidences))
        return evidences

    def write(self, vals):
        concerned = self.recording_ids
        held_before = concerned.filtered("on_legal_hold")
        result = super().write(vals)
        if {"recording_ids", "state"} & set(vals):
            # item 14 on an object store: the store holds what the registry holds
            (concerned | self.recording_ids)._sync_legal_hold(held_before)
        return result

    @api.constrains("recording_ids")
    def _check_recordings_stored(self):
        destroyed = self.recording_ids.filtered(lambda recording: recording.state == "destroyed")
        if destroyed:
            raise ValidationError(self.env._(
                "%(file)s was destroyed by act %(act)s (item 12): only its record remains to hold.",
                file=destroyed[0].filename or destroyed[0].sha256, act=destroyed[0].destruction_id.name))

    def _package_folder(self):
        """Packages are written beside the recordings' primary location (or in Odoo's data
        directory for an object store), never into Odoo's database."""
        return self.recording_ids.storage_id[:1]._export_folder()

    def _manifest(self, recordings, accesses, lang):
        """The package's manifest in ``lang`` (item 14): the legal basis, and for every file (in the
        order of ``recordings``) its SHA-256 and its chain of custody (journal entry, download,
        every access). Codes stay codes beside their words; moments are ISO 8601 in the unit's
        time zone, with its offset."""
        self.ensure_one()
        env = self.env(context=dict(self.env.context, lang=lang))
        evidence = self.with_env(env)
        tz = self.department_id._bodycam_tz()
        labels = {name: dict(self._fields[name]._description_selection(env)) for name in ("basis_type", "recipient")}
        actions = dict(env["mchs.bodycam.access"]._fields["action"]._description_selection(env))
        results = dict(env["mchs.bodycam.access"]._fields["result"]._description_selection(env))
        accesses_of = accesses.grouped("recording_id")
        files = []
        for recording in recordings.with_env(env):
            custody = recording.custody_id
            files.append({
                "file": self._package_file_name(recording),
                "sha256": recording.sha256, "size": int(recording.size),
                "bodycam": recording.camera_id.inventory_number, "memory_card": recording.card_id.inventory_number or None,
                "inspector": recording.inspector_id.name or None,
                "recorded_from": local_moment(recording.start, tz), "recorded_to": local_moment(recording.end, tz),
                "custody": custody and {
                    "journal_book": custody.journal_id.registration_number, "row": custody.row_number,
                    "issued_at": local_moment(custody.issue_datetime, tz),
                    "returned_at": local_moment(custody.return_datetime, tz),
                    "downloaded_at": local_moment(custody.download_datetime, tz)} or None,
                "received_at": local_moment(recording.received_at, tz), "dock": recording.dock_id.name or None,
                "accesses": [{"row": access.sequence, "at": local_moment(access.accessed_at, tz),
                              "who": access.user_id.name, "action": access.action,
                              "action_label": actions.get(access.action), "purpose": access.purpose or None,
                              "result": access.result, "result_label": results.get(access.result),
                              "hash": access.hash}
                             for access in accesses_of.get(recording, accesses.browse()).sorted("sequence")],
            })
        return {
            "language": lang, "time_zone": tz.zone,
            "legal_basis": {"type": self.basis_type, "type_label": labels["basis_type"].get(self.basis_type),
                            "number": self.basis_number, "date": str(self.basis_date), "issued_by": self.issuing_body,
                            "recipient": self.recipient, "recipient_label": labels["recipient"].get(self.recipient)},
            "unit": evidence.department_id.name, "exported_at": local_moment(fields.Datetime.now(), tz),
            "exported_by": self.env.user.name, "exported_by_position": self.env.user.employee_id.job_title or None,
            "regulation": env._(REGULATION),
            "files": files,
        }

    @staticmethod
    def _package_file_name(recording):
        return f"recordings/{recording.sha256}{os.path.splitext(recording.filename or '')[1]}"

    # ------------------------------------------------------------------ the head's signature (issue 13)

    def action_sign_manifest(self):
        """The head signs the manifest (item 14) with their NCA key: the legal basis and every file
        with its SHA-256, as the basis holds them now."""
        self.ensure_one()
        return self._signing_action("evidence")

    def _signature_request_evidence(self):
        if self.state != "held":
            raise UserError(self.env._("Only a basis that holds recordings has a manifest to sign."))
        head = self.department_id._bodycam_person_at("head", self.department_id._bodycam_today())
        if not head or head.user_id != self.env.user:
            raise UserError(self.env._(
                "Only the head of %(unit)s designated today (%(person)s) signs the manifest (item 14).",
                unit=self.department_id.display_name, person=head.name or self.env._("nobody designated")))
        data = self._manifest_bytes(head)
        if self._manifest_signature(data):
            raise UserError(self.env._("The manifest as it stands is already signed."))
        return head, "head", data

    def _manifest_bytes(self, head):
        """The signed manifest: the legal basis and every file, by SHA-256 (item 14)."""
        # sudo: the manifest lists what the basis holds, as the package will
        recordings = self.sudo().recording_ids.sorted(lambda recording: (recording.sha256, recording.id))
        facts = {
            "regulation": "Order No. 495, item 14",
            "legal_basis": {"type": self.basis_type, "number": self.basis_number, "date": str(self.basis_date),
                            "issued_by": self.issuing_body, "recipient": self.recipient},
            **self._signed_unit(),
            "files": [{"file": self._package_file_name(recording), "sha256": recording.sha256,
                       "size": int(recording.size)} for recording in recordings],
            "head": {"name": head.name, "iin": head._bodycam_iin()},
        }
        return self._signed_bytes("evidence", facts)

    def _manifest_signature(self, data=None):
        """The head's signature of the manifest as it stands (the recordings held now), or none."""
        self.ensure_one()
        signatures = self._signatures_of("evidence")
        if not signatures:
            return signatures
        if data is None:
            data = self._manifest_bytes(signatures[:1].employee_id)
        digest = hashlib.sha256(data).hexdigest()
        return signatures.filtered(lambda signature: signature.data_sha256 == digest)[:1]

    def _signature_done_evidence(self, signature):
        self._message_log(body=self.env._("The manifest was signed by %(name)s (IIN %(iin)s).",
                                          name=signature.employee_id.name, iin=signature.iin))
        return True

    def _export_package(self, lang=None):
        """Build the package for the recipient (item 14): the files, manifest.json and
        manifest.pdf in ``lang`` (by default the unit's); every file's export is written to the
        access journal on the basis's record (item 22).

        Each file is hashed while it is packed. A copy that does not match its SHA-256 is not
        used: it is recorded as a finding, and the file is packed again from the other copy,
        checked the same way; when neither copy matches, the package is refused and the refusal
        journaled. In the usual case each primary copy is read once."""
        self.ensure_one()
        if not self.recording_ids:
            raise UserError(self.env._("Choose the recordings the basis concerns."))
        lang = print_lang(self.env, self.department_id, {"mchs_lang": lang})
        purpose = self._export_purpose()
        Access = self.env["mchs.bodycam.access"]
        if not self.recording_ids.storage_id[:1]._is_password_holder():
            for recording in self.recording_ids:
                Access._log(recording, "export", purpose, "refused", refusal="not_designated",
                            legal_basis=self.legal_basis_id)
            raise UserError(self.env._(
                "Only the head and the responsible person designated today for %s export its recordings (items 5, "
                "13, 14); the attempt is written to the access journal.", self.department_id.display_name))
        signature = self._manifest_signature() if self._signing_required() else None
        if signature is not None and not signature:
            raise UserError(self.env._(
                "The head signs the manifest with their NCA key before the package is built (item 14): the "
                "recordings it holds changed since, or it was never signed."))
        folder = self._package_folder()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"evidence-{self.id}-{fields.Datetime.now():%Y%m%d-%H%M%S}.zip")
        recordings = self.recording_ids.sorted("start")
        try:
            # the files first: refusals are journaled before this transaction takes the journal's lock
            self._pack_verified(path + ".part", recordings, purpose)
            for recording in self.recording_ids:
                Access._log(recording, "export", purpose, "granted", legal_basis=self.legal_basis_id)
            accesses = Access.sudo().search([("recording_id", "in", self.recording_ids.ids)])
            manifest = self._manifest(recordings, accesses, lang)
            if signature:
                manifest["signature"] = {"id": signature.id, "signed_file": "manifest.signed.json",
                                         "cms": "manifest.signed.json.p7s", "signer": signature.employee_id.name,
                                         "iin": signature.iin, "certificate_serial": signature.certificate_serial,
                                         "signed_at": str(signature.signing_time), "sha256": signature.data_sha256}
            pdf, _kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
                "mchs_bodycam.action_report_evidence_manifest", res_ids=self.ids,
                data={"manifest": manifest, "mchs_lang": lang})
            with zipfile.ZipFile(path + ".part", "a", allowZip64=True) as package:
                package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
                package.writestr("manifest.pdf", pdf)
                if signature:
                    package.writestr("manifest.signed.json", base64.b64decode(signature.data))
                    package.writestr("manifest.signed.json.p7s", base64.b64decode(signature.cms))
        except BaseException:
            if os.path.exists(path + ".part"):
                os.unlink(path + ".part")
            raise
        os.replace(path + ".part", path)
        unit_env = self.department_id._bodycam_env()
        self._message_log(body=unit_env._("Evidence package built: %s", os.path.basename(path)))
        return path

    def _export_purpose(self, redownload=None):
        """The purpose of an export's Appendix 2 rows, in the unit's language (it is stored)."""
        env = self.department_id._bodycam_env()
        recipient = dict(self._fields["recipient"]._description_selection(env))[self.recipient]
        basis = self.legal_basis_id.with_env(env)._printed_name() if self.legal_basis_id else self.display_name
        if redownload:
            return env._("Package %(package)s downloaded again for %(recipient)s", package=redownload,
                         recipient=recipient)
        return env._("Export to %(recipient)s on %(basis)s", recipient=recipient, basis=basis)

    def _journal_package_download(self, name, remote_addr=None):
        """A package built earlier is downloaded again (item 14): journaled like its export, one
        Appendix 2 row per recording on the basis's record (item 22), for the designated head and
        responsible person only; anybody else is refused, and the refusal journaled."""
        self.ensure_one()
        Access = self.env["mchs.bodycam.access"]
        purpose = self._export_purpose(redownload=name)
        # sudo: the package's recordings are looked at to journal the attempt
        recordings = self.sudo().recording_ids
        if not recordings.storage_id[:1]._is_password_holder():
            for recording in recordings:
                Access._log(recording, "export", purpose, "refused", refusal="not_designated", remote_addr=remote_addr,
                            legal_basis=self.legal_basis_id)
            return False
        for recording in recordings:
            Access._log(recording, "export", purpose, "granted", remote_addr=remote_addr,
                        legal_basis=self.legal_basis_id)
        return True

    def _pack_verified(self, path, recordings, purpose):
        """Pack every recording into ``path`` from a copy that hashes to its SHA-256."""
        copies = dict.fromkeys(recordings.ids, 0)  # index of the location each file comes from
        while True:
            changed = self._pack(path, recordings, copies)
            if not changed:
                return
            for recording, digest in changed:
                self._record_changed_copy(recording, LOCATIONS[copies[recording.id]], digest)
                copies[recording.id] += 1
                if copies[recording.id] == len(LOCATIONS):
                    self._refuse_damaged(recording, purpose)

    @api.model
    def _pack(self, path, recordings, copies):
        """Write the files to ``path``, each from its location in ``copies``, hashing them as they
        are written; returns the (recording, digest) of those that did not match."""
        changed = []
        with zipfile.ZipFile(path, "w", allowZip64=True) as package:
            for recording in recordings:
                backend = recording.storage_id._backends()[copies[recording.id]]
                try:
                    with backend.open(recording.sha256) as source, \
                            package.open(self._package_file_name(recording), "w", force_zip64=True) as target:
                        digest = hash_file(source, copy_to=target)
                except FileNotFoundError:
                    digest = None
                if digest != recording.sha256:
                    changed.append((recording, digest))
        return changed

    def _record_changed_copy(self, recording, location, digest):
        """A copy found missing or changed while packing (items 13, 14): a finding, kept even when
        the package is then refused."""
        write_apart(self.env, lambda env: env["mchs.bodycam.audit.finding"]._record_changed_copy(
            recording.with_env(env), location, digest or "missing"))

    def _refuse_damaged(self, recording, purpose):
        """Neither copy of ``recording`` matches: no package (item 14), and the refusal is journaled."""
        self.env["mchs.bodycam.access"]._log(recording, "export", purpose, "refused", refusal="damaged",
                                             legal_basis=self.legal_basis_id)
        raise UserError(self.env._(
            "Neither copy of %s matches its SHA-256: the recording is damaged in storage and the package is not "
            "built. The head and the responsible person were notified.", recording.filename or recording.sha256))

    def action_download_package(self):
        self.ensure_one()
        name = os.path.basename(self._export_package(self.env.context.get("mchs_lang")))
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/mchs_bodycam/evidence/{self.id}/package/{name}"}

    def action_release(self):
        """The authorized body or the court has finished with the recordings."""
        for evidence in self:
            if evidence.state != "held":
                raise UserError(self.env._("Only a basis that holds recordings can release them."))
        self._lock_write({"state": "released"})
