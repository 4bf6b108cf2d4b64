"""Signed QR payloads of device labels and inspector badges (item 6).

A payload is ``MBC1.<kind>.<ident>.<signature>``:

* ``MBC1``: format and version;
* ``kind``: ``C`` bodycam, ``M`` memory card, ``E`` employee badge;
* ``ident``: the inventory number (devices) or the badge ID (employees);
* ``signature``: the first 16 characters of the RFC 4648 base32 form of
  HMAC-SHA256(key, "MBC1.<kind>.<ident>"), the key being this database's secret.

Every character belongs to the QR "alphanumeric" set, so labels stay small.
"""
import base64
import hashlib
import hmac
import re

from odoo import api, models

PAYLOAD_VERSION = "MBC1"
SIGNATURE_LENGTH = 16
PAYLOAD_RE = re.compile(r"^MBC1\.([CME])\.([A-Z0-9/-]{1,40})\.([A-Z2-7]{%d})$" % SIGNATURE_LENGTH)
KIND_MODELS = {
    "C": "mchs.bodycam.camera",
    "M": "mchs.bodycam.card",
    "E": "hr.employee",
}


class MchsBodycamQr(models.AbstractModel):
    _name = "mchs.bodycam.qr"
    _description = "Bodycam label signing and scanning"

    @api.model
    def _signature(self, kind, ident, key=None):
        key = key if key is not None else self.env["mchs.bodycam.secret"]._get_key()
        message = f"{PAYLOAD_VERSION}.{kind}.{ident}".encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH]

    @api.model
    def make_payload(self, kind, ident, key=None):
        return f"{PAYLOAD_VERSION}.{kind}.{ident}.{self._signature(kind, ident, key=key)}"

    @api.model
    def resolve(self, payload):
        """Resolve a scanned payload to a device or employee of the user's unit.

        Returns ``{"ok": True, "model", "id", "kind", "name"}`` or
        ``{"ok": False, "reason", "message"}``; every refusal is written to the scan log.
        It returns instead of raising so that the log entry survives in the transaction.
        """
        text = (payload or "").strip()
        match = PAYLOAD_RE.match(text)
        if not match:
            return self._refuse(text, "malformed", self.env._(
                "This is not a bodycam label: the scanned text is damaged, truncated or typed "
                "by hand. Scan the QR label itself."))
        kind, ident, signature = match.groups()
        if not hmac.compare_digest(signature, self._signature(kind, ident)):
            return self._refuse(text, "forged", self.env._(
                "The label's signature is not valid: the label is forged, altered or was printed "
                "by another system. Do not use the item and report it to the responsible person."))
        record = self._find(kind, ident)
        if not record:
            return self._refuse(text, "unknown", self.env._(
                "Nothing with number %(number)s is registered.", number=ident))
        if kind != "E" and record.state in ("written_off", "lost"):
            return self._refuse(text, "written_off", self.env._(
                "%(device)s is %(state)s and can never be issued.",
                device=record.display_name,
                state=dict(record._fields["state"]._description_selection(self.env))[record.state]))
        unit = record.department_id
        if unit not in self.env["hr.department"]._bodycam_user_units():
            return self._refuse(text, "other_unit", self.env._(
                "%(item)s belongs to another unit (%(unit)s).",
                item=record.display_name, unit=unit.display_name or "-"))
        return {
            "ok": True,
            "kind": kind,
            "model": record._name,
            "id": record.id,
            "name": record.display_name,
        }

    @api.model
    def _find(self, kind, ident):
        # sudo: a label of another unit must be told apart from an unknown one; the record
        # itself is only returned to the caller after the unit check.
        model = self.env[KIND_MODELS[kind]].sudo()
        field = "barcode" if kind == "E" else "inventory_number"
        records = model.search([(field, "=", ident)])
        in_my_companies = records.filtered(lambda r: r.company_id in self.env.companies)
        return (in_my_companies or records)[:1]

    @api.model
    def _refuse(self, payload, reason, message):
        units = self.env["hr.department"]._bodycam_user_units()
        # sudo: every user's refused scan is logged, whatever their rights on the log;
        # the log records the real user.
        self.env["mchs.bodycam.scan.log"].sudo().create({
            "user_id": self.env.uid,
            "department_id": units[:1].id,
            "company_id": self.env.company.id,
            "payload": payload,
            "reason": reason,
            "message": message,
        })
        return {"ok": False, "reason": reason, "message": message}
