import base64
import datetime
import hashlib
import json
import logging

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import cms, revocation
from ..lib.apart import write_apart

_logger = logging.getLogger(__name__)

# issue 13: what a person signs with their NCA key, and the item of the Instruction it answers
PURPOSES = [
    ("destruction", "Confirmation of a destruction act (item 12)"),
    ("audit", "Audit act (item 13)"),
    ("certification", "Certification of a closed journal book (item 9)"),
    ("evidence", "Evidence manifest (item 14)"),
    ("desk_issue", "Receipt of a bodycam at the desk (Appendix 1, column 4)"),
    ("desk_return", "Return of a bodycam at the desk (Appendix 1, column 5)"),
]
# the seat a signer signs in (a code, translated when shown)
SEATS = [
    ("chairman", "Chairman of the commission"),
    ("responsible", "Responsible person"),
    ("anti_corruption", "Anti-corruption officer"),
    ("member", "Member of the commission"),
    ("checker", "Checker"),
    ("head", "Head"),
    ("inspector", "State inspector"),
]
SIGNED_FORMAT = "mchs_bodycam/signed-document/1"
NCANODE_TIMEOUT = 30
QR_PREFIX = "MBS1"


def canonical_json(payload):
    """The bytes a person signs: JSON with sorted keys, no spaces, UTF-8. Compact on purpose:
    a GOST signer's Streebog runs in pure Python at about 0.1 MiB/s (lib/cms.py)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _naive_utc(moment):
    if not moment:
        return False
    if moment.tzinfo:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class MchsBodycamSignature(models.Model):
    """A qualified electronic signature (NCA RK key, through NCALayer) given to a document
    (issue 13): a member's confirmation of a destruction act (item 12), the audit act (item 13),
    the item 9 certification of a closed book, the evidence manifest (item 14), the receipt and
    the return of a bodycam at the desk (items 7, 10).

    A signature is stored only once it has verified: the detached CMS, the exact bytes it signs
    (a canonical JSON of the document, frozen at signing) and what the certificate says. It is
    kept as written: nobody changes or deletes it (the lock mechanism, in write() and in the
    database); only a later re-verification's result is added. Re-verified from its own bytes at
    its own signing time, it stays valid after the certificate has expired.
    """

    _name = "mchs.bodycam.signature"
    _description = "Qualified electronic signature"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "signing_time desc, id desc"
    _rec_name = "signer_name"
    # issue 13: a signature is kept as signed; a re-verification records its own result
    _lock_state_sql = "'signed'"
    _lock_changeable = {"signed": {"reverified_at", "reverification", "reverification_detail"}}
    _lock_user_writable = {"signed": set()}
    _lock_user_creatable = {}

    res_model = fields.Char(string="Document model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", required=True, readonly=True,
                                      index=True)
    document = fields.Reference(selection="_selection_document", compute="_compute_document", string="Signs")
    purpose = fields.Selection(PURPOSES, required=True, readonly=True)
    department_id = fields.Many2one("hr.department", string="Unit", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # who
    user_id = fields.Many2one("res.users", string="Signed in as", required=True, readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Signer", required=True, readonly=True)
    seat = fields.Selection(SEATS, readonly=True, help="The seat the signer signed in: the role or designation.")
    signer_name = fields.Char(string="Name in the certificate", readonly=True)
    iin = fields.Char(string="IIN", readonly=True)
    # the certificate
    certificate_subject = fields.Char(readonly=True)
    certificate_issuer = fields.Char(readonly=True)
    certificate_serial = fields.Char(readonly=True)
    certificate_not_before = fields.Datetime(string="Certificate valid from", readonly=True)
    certificate_not_after = fields.Datetime(string="Certificate valid until", readonly=True)
    certificate = fields.Binary(string="Signer's certificate (DER)", attachment=False, readonly=True)
    algorithm = fields.Char(readonly=True)
    # when
    signing_time = fields.Datetime(required=True, readonly=True)
    signing_time_source = fields.Selection([
        ("timestamp", "Timestamp of a TSA"),
        ("signed_attributes", "Signing time in the signed attributes"),
        ("verification", "Time of verification (none in the signature)"),
    ], readonly=True)
    timestamp_authority = fields.Char(readonly=True)
    # what
    cms = fields.Binary(string="Detached CMS", required=True, attachment=False, readonly=True)
    data = fields.Binary(string="Signed bytes", required=True, attachment=False, readonly=True,
                         help="The canonical rendering of the document, frozen at signing.")
    data_sha256 = fields.Char(string="SHA-256 of the signed bytes", required=True, readonly=True, index=True)
    # the verification
    verified_at = fields.Datetime(required=True, readonly=True)
    verified_by = fields.Selection([("local", "This server"), ("ncanode", "NCANode")], required=True,
                                   readonly=True)
    verification = fields.Selection([("valid", "Valid")], required=True, readonly=True, default="valid",
                                    help="Only a signature that verified is stored.")
    revocation = fields.Selection(revocation.STATUSES, required=True, readonly=True,
                                  default="not_checked")
    revocation_source = fields.Char(readonly=True, help="The OCSP responder or CRL that was asked.")
    reverified_at = fields.Datetime(string="Re-verified at", readonly=True)
    reverification = fields.Selection([("valid", "Valid"), ("invalid", "Not valid")], readonly=True)
    reverification_detail = fields.Char(readonly=True)

    _sql_constraints = [
        # the signed bytes are the ones whose hash is stored, whoever writes the row (Odoo keeps a
        # binary column in base64)
        ("data_sha256_matches", "CHECK(data_sha256 = encode(sha256(decode(convert_from(data, 'UTF8'), 'base64')), 'hex'))",
         "The SHA-256 of the signed bytes does not match them."),
        ("signed_once", "unique(res_model, res_id, purpose, employee_id, data_sha256)",
         "This signature is already recorded."),
    ]

    @api.model
    def _selection_document(self):
        return [(model, self.env[model]._description) for model in self.env
                if model in self.env and getattr(self.env[model], "_signature_purposes", None)]

    @api.depends("res_model", "res_id")
    def _compute_document(self):
        for signature in self:
            signature.document = f"{signature.res_model},{signature.res_id}" \
                if signature.res_model in self.env else False

    def _lock_state(self):
        return "signed"

    # ------------------------------------------------------------------ signing

    @api.model
    def _signed_bytes(self, document, purpose, facts):
        """The canonical JSON a person signs for ``purpose`` of ``document``: the document's facts
        as they stand, bound to this database and to the document."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return canonical_json({"format": SIGNED_FORMAT, "database": uuid, "purpose": purpose,
                               "document": {"model": document._name, "id": document.id}, **facts})

    @api.model
    def _sign(self, document, purpose, employee, seat, data, signature):
        """Verify ``signature`` (NCALayer's base64 CMS) over ``data`` as the signature of
        ``employee`` for ``purpose`` of ``document``, and store it. A refusal is written to the
        document's chatter in a transaction of its own, so that the refused request's rollback
        keeps it, then raised (nothing is stored)."""
        verified = self._verified(document, purpose, employee, data, signature)
        return self._record(document, purpose, employee, seat, data, signature, verified)

    @api.model
    def _verified(self, document, purpose, employee, data, signature, *, signed_after=None):
        """(facts, revocation status, its source) of ``signature`` over ``data`` as ``employee``'s,
        or the refusal, written to ``document``'s chatter apart, raised."""
        company = document.company_id or self.env.company
        try:
            facts = self._verify_cms(signature, data, expected_iin=employee._bodycam_iin(), company=company,
                                     signed_after=signed_after)
            status, source = self._check_revocation(facts, company)
        except UserError as refusal:
            self._log_refusal(document, purpose, employee, refusal)
            raise
        return facts, status, source

    @api.model
    def _record(self, document, purpose, employee, seat, data, signature, verified):
        """The signature record of a ``verified`` signature (see _verified) of ``document``."""
        facts, status, source = verified
        company = document.company_id or self.env.company
        # sudo: nobody creates a signature by hand (the lock); the verification is the gate
        return self.sudo().create({
            "res_model": document._name, "res_id": document.id, "purpose": purpose,
            "department_id": document.department_id.id if "department_id" in document._fields else False,
            "company_id": company.id, "user_id": self.env.uid, "employee_id": employee.id, "seat": seat,
            **self._facts_values(facts),
            "cms": base64.b64encode(cms.decode_cms(signature)), "data": base64.b64encode(data),
            "data_sha256": hashlib.sha256(data).hexdigest(), "verified_at": fields.Datetime.now(),
            "revocation": status, "revocation_source": source,
        }).sudo(False)

    @api.model
    def _facts_values(self, facts):
        certificate = facts.certificate
        return {
            "signer_name": certificate.common_name or certificate.subject,
            "iin": certificate.iin,
            "certificate_subject": certificate.subject,
            "certificate_issuer": certificate.issuer,
            "certificate_serial": certificate.serial,
            "certificate_not_before": _naive_utc(certificate.not_before),
            "certificate_not_after": _naive_utc(certificate.not_after),
            "certificate": base64.b64encode(certificate.der),
            "algorithm": facts.algorithm,
            "signing_time": _naive_utc(facts.signing_time),
            "signing_time_source": facts.signing_time_source,
            "timestamp_authority": facts.timestamp_authority or False,
            "verified_by": getattr(facts, "verified_by", "local"),
        }

    @api.model
    def _log_refusal(self, document, purpose, employee, refusal):
        """The refused attempt in the document's chatter (issue 13), kept whatever happens next."""
        labels = dict(self._fields["purpose"]._description_selection(self.env))
        body = self.env._("Signature refused (%(purpose)s), %(person)s: %(reason)s",
                          purpose=labels[purpose], person=employee.name, reason=refusal.args[0])
        model, record_id = document._name, document.id

        def log(env):
            # sudo: the attempt is written whoever may write the document; its author is the real user
            env[model].browse(record_id).sudo()._message_log(body=body)
            return True

        write_apart(self.env, log)

    # ------------------------------------------------------------------ verification

    @api.model
    def _verify_cms(self, signature, data, *, expected_iin=None, signed_after=None, now=None, company=None,
                    archived=False):
        """Verify a detached CMS over ``data`` (issue 13, a contract for tests): the signer's facts
        (lib/cms.py's SignerFacts), or a translated UserError saying why not.

        The chain must end at a certificate an administrator trusts (Settings › Bodycams);
        algorithms this server does not verify (GOST 34.310-2004) go to NCANode when one is
        configured. ``archived``: archived trusted certificates count too (re-verification of a
        signature made while they were trusted)."""
        company = company or self.env.company
        anchors = self.env["mchs.bodycam.trusted.certificate"]._anchors(include_archived=archived)
        if not anchors:
            raise UserError(self.env._(
                "No NCA certificate is trusted yet: an administrator uploads NCA's root and intermediate "
                "certificates in Settings › Bodycams before anyone can sign."))
        try:
            return cms.verify_cms(signature, data, anchors, expected_iin=expected_iin, now=now,
                                  signed_after=signed_after)
        except cms.UnsupportedSignature as unsupported:
            if not company.bodycam_ncanode_url:
                raise UserError(self._refusal_message(unsupported)) from None
            return self._verify_with_ncanode(company, signature, data, expected_iin=expected_iin, now=now)
        except cms.SignatureRefused as refusal:
            raise UserError(self._refusal_message(refusal)) from None

    def _refusal_message(self, refusal):
        """The translated message of a lib/cms.py refusal, by its code."""
        params = dict(refusal.params)
        for name in ("at", "not_before", "not_after"):
            if params.get(name):
                params[name] = self._format_moment(params[name])
        _ = self.env._
        if refusal.code == "wrong_format":
            if params.get("reason") == "attached":
                return _("The signature contains the document itself (an attached CMS): a detached signature is "
                         "expected. Sign again from this page.")
            return _("This is not a detached CMS signature from NCALayer: it cannot be read.")
        messages = {
            "too_large": lambda: _("The signature is %(size)s bytes; at most %(limit)s are accepted.",
                                   size=params["size"], limit=params["limit"]),
            "digest_mismatch": lambda: _(
                "The signature was made over other bytes than this document as it stands: it changed since it "
                "was shown for signing, or the signature belongs to another document. Sign again."),
            "bad_signature": lambda: _(
                "The signature does not verify with the signer's certificate: it was altered or made for "
                "another certificate."),
            "bad_timestamp": lambda: _("The signature's timestamp is not valid: it does not stamp this "
                                       "signature, or its authority is not trusted."),
            "bad_signing_time": lambda: _("The signing time %(at)s is not plausible: check the computer's clock.",
                                          at=params["at"]),
            "untrusted_chain": lambda: _(
                "The certificate of %(subject)s does not chain up to the NCA certificates trusted in the "
                "settings.", subject=params["subject"]),
            "expired": lambda: _("The certificate of %(subject)s expired on %(not_after)s; it signed at %(at)s.",
                                 subject=params["subject"], not_after=params["not_after"], at=params["at"]),
            "not_yet_valid": lambda: _(
                "The certificate of %(subject)s is valid only from %(not_before)s; it signed at %(at)s.",
                subject=params["subject"], not_before=params["not_before"], at=params["at"]),
            "not_signing_key": lambda: _(
                "The certificate of %(subject)s is not a signing key: in NCALayer choose the signing key (RSA or "
                "GOST, for signing), not the authentication key.", subject=params["subject"]),
            "wrong_signer": lambda: _(
                "The document was signed with the key of IIN %(iin)s, but the seat is held by IIN "
                "%(expected_iin)s: only its holder signs it, with their own key.",
                iin=params["iin"], expected_iin=params["expected_iin"]),
            "unsupported_algorithm": lambda: _(
                "The algorithm %(algorithm)s is not verified by this server and no NCANode is configured: the "
                "signature is refused.", algorithm=params["algorithm"]),
            "unsupported_extension": lambda: _(
                "The certificate has a critical extension %(extension)s that this server does not check and no "
                "NCANode is configured: the signature is refused.", extension=params["extension"]),
        }
        return messages[refusal.code]()

    def _format_moment(self, iso):
        moment = datetime.datetime.fromisoformat(iso) if isinstance(iso, str) else iso
        return f"{_naive_utc(moment):%d.%m.%Y %H:%M} UTC"

    @api.model
    def _verify_with_ncanode(self, company, signature, data, *, expected_iin=None, now=None):
        """NCANode's POST /cms/verify for an algorithm this server does not verify. Who signed is
        read from the certificate in the CMS and must be the one NCANode checked."""
        url = company.bodycam_ncanode_url.rstrip("/") + "/cms/verify"
        certificate = cms.signer_certificate(signature)
        der = cms.decode_cms(signature)
        request = {"cms": base64.b64encode(der).decode(), "data": base64.b64encode(data).decode()}
        if company.bodycam_revocation != "none":
            request["revocationCheck"] = [company.bodycam_revocation.upper()]
        try:
            response = requests.post(url, json=request, timeout=NCANODE_TIMEOUT)
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            raise UserError(self.env._("NCANode at %(url)s did not answer: %(error)s",
                                       url=company.bodycam_ncanode_url, error=error)) from None
        signers = answer.get("signers") or []
        first = (signers[0].get("certificates") or [{}])[0] if signers else {}
        if response.status_code != 200 or answer.get("status", 200) != 200 or not answer.get("valid") or not first:
            raise UserError(self.env._("NCANode refused the signature: %(reason)s", reason=answer.get("message") or response.reason))
        if (first.get("serialNumber") or "").lower().lstrip("0") != certificate.serial.lower().lstrip("0"):
            raise UserError(self.env._("NCANode checked another certificate than the one in the signature."))
        if first.get("keyUsage") not in (None, "SIGN"):
            raise UserError(self._refusal_message(cms.SignatureRefused(
                "not_signing_key", "", subject=certificate.common_name or certificate.subject)))
        if expected_iin is not None and certificate.iin != expected_iin:
            raise UserError(self._refusal_message(cms.SignatureRefused(
                "wrong_signer", "", iin=certificate.iin or "-", expected_iin=expected_iin)))
        signing_time = _ncanode_time((signers[0].get("tsp") or {}).get("genTime")) \
            or _ncanode_time(signers[0].get("bestSignatureTime")) or now \
            or datetime.datetime.now(datetime.timezone.utc)
        revocations = first.get("revocations") or []
        return NcaNodeFacts(certificate=certificate, chain=(certificate,), algorithm=first.get("signAlg") or "",
                            signing_time=signing_time,
                            signing_time_source="timestamp" if signers[0].get("tsp") else "verification",
                            timestamp_authority="", data_sha256=hashlib.sha256(data).hexdigest(),
                            revocations=revocations)

    @api.model
    def _check_revocation(self, facts, company):
        """(status, source) of the signer's certificate when it signs (issue 13): checked by OCSP or
        the CRL only when the company says so; a revoked certificate, or an answer that cannot be
        had, refuses the signature."""
        if company.bodycam_revocation == "none":
            return "not_checked", False
        if isinstance(facts, NcaNodeFacts):
            return self._ncanode_revocation(facts, company)
        if len(facts.chain) < 2:
            raise UserError(self.env._(
                "The revocation of %(subject)s cannot be checked: its issuer's certificate is not known.",
                subject=facts.certificate.common_name))
        try:
            if company.bodycam_revocation == "ocsp":
                status = revocation.check_ocsp(facts.certificate.der, facts.chain[1].der,
                                               url=company.bodycam_ocsp_url or None)
            else:
                status = revocation.check_crl(facts.certificate.der, facts.chain[1].der)
        except revocation.RevocationError as error:
            raise UserError(self.env._(
                "The revocation of the certificate of %(subject)s could not be checked (%(method)s): %(reason)s",
                subject=facts.certificate.common_name, method=company.bodycam_revocation.upper(),
                reason=error)) from None
        if status.revoked:
            raise UserError(self.env._("The certificate of %(subject)s was revoked on %(at)s.",
                                       subject=facts.certificate.common_name,
                                       at=self._format_moment(status.revoked_at)))
        return status.status, status.source

    def _ncanode_revocation(self, facts, company):
        method = company.bodycam_revocation.upper()
        checks = [check for check in facts.revocations if (check.get("by") or "").upper() == method]
        if not checks:
            raise UserError(self.env._("NCANode did not check the certificate's revocation (%(method)s).", method=method))
        if any(check.get("revoked") for check in checks):
            raise UserError(self.env._("The certificate of %(subject)s was revoked on %(at)s.",
                                       subject=facts.certificate.common_name,
                                       at=checks[0].get("revocationTime") or "?"))
        return ("good_ocsp" if method == "OCSP" else "good_crl"), company.bodycam_ncanode_url

    # ------------------------------------------------------------------ re-verification

    def _reverify(self):
        """Verify each signature again from its stored bytes, at its stored signing time (issue 13):
        a certificate that has expired since does not matter. Returns {signature: (ok, detail)}."""
        results = {}
        for signature in self:
            company = signature.company_id
            moment = datetime.datetime.combine(signature.signing_time.date(), signature.signing_time.time(),
                                               tzinfo=datetime.timezone.utc)
            try:
                facts = self._verify_cms(base64.b64decode(signature.cms), base64.b64decode(signature.data),
                                         expected_iin=signature.iin, now=moment, company=company, archived=True)
            except UserError as refusal:
                results[signature] = (False, refusal.args[0])
                continue
            same = hashlib.sha256(base64.b64decode(signature.data)).hexdigest() == signature.data_sha256 \
                and facts.certificate.serial == signature.certificate_serial
            results[signature] = (same, "" if same else self.env._("The stored facts no longer match the signature."))
        for signature, (ok, detail) in results.items():
            signature._lock_step({"reverified_at": fields.Datetime.now(), "reverification": "valid" if ok else "invalid",
                                  "reverification_detail": (detail or "")[:500] or False})
        return results

    def action_reverify(self):
        """Anyone who reads the signature may check it again."""
        self.check_access("read")
        results = self._reverify()
        invalid = [signature for signature, (ok, _detail) in results.items() if not ok]
        message = self.env._("%(count)s signatures verified again: valid.", count=len(results)) if not invalid else \
            self.env._("%(count)s of %(total)s signatures no longer verify: %(detail)s",
                       count=len(invalid), total=len(results), detail=results[invalid[0]][1])
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "message": message, "type": "success" if not invalid else "danger", "sticky": bool(invalid),
            "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    # ------------------------------------------------------------------ printing

    def _qr_payload(self):
        """The verification data of the printed QR code: who, which certificate, when, and the
        SHA-256 of the signed bytes and of the CMS, for a check against the stored signature."""
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or ""
        return "|".join([QR_PREFIX, uuid[:8], str(self.id), self.purpose, self.iin or "-", self.certificate_serial or "-",
                         f"{self.signing_time:%Y-%m-%dT%H:%M:%SZ}", self.data_sha256,
                         hashlib.sha256(base64.b64decode(self.cms)).hexdigest()])


class NcaNodeFacts:
    """The facts of a signature NCANode verified, shaped like lib/cms.py's SignerFacts."""

    verified_by = "ncanode"

    def __init__(self, *, certificate, chain, algorithm, signing_time, signing_time_source, timestamp_authority,
                 data_sha256, revocations):
        self.certificate = certificate
        self.chain = chain
        self.algorithm = algorithm
        self.signing_time = signing_time
        self.signing_time_source = signing_time_source
        self.timestamp_authority = timestamp_authority
        self.data_sha256 = data_sha256
        self.revocations = revocations

    @property
    def iin(self):
        return self.certificate.iin


def _ncanode_time(value):
    """NCANode's dates (``2022-09-28T16:03:41.000+00:00``) as aware datetimes, or None."""
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
