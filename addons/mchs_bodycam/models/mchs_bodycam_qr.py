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
import secrets

from odoo import api, models

from ..lib import keyboard_layout, vault
from ..lib.apart import write_apart

PAYLOAD_VERSION = "MBC1"
SIGNATURE_LENGTH = 16
PAYLOAD_RE = re.compile(r"^MBC1\.([CME])\.([A-Z0-9/-]{1,40})\.([A-Z2-7]{%d})$" % SIGNATURE_LENGTH)
# where the signing key is kept (lib/vault.py)
VAULT_SCOPE, VAULT_NAME = "qr", "key"
KIND_MODELS = {
    "C": "mchs.bodycam.camera",
    "M": "mchs.bodycam.card",
    "E": "hr.employee",
}
# what a scan reads of the record it finds, fetched with the search itself (one query)
FOUND_FIELDS = {
    "C": ["inventory_number", "state", "company_id", "department_id"],
    "M": ["inventory_number", "state", "company_id", "department_id"],
    # user_id: issuing writes the holder through to the equipment, whose hr_maintenance write reads it
    "E": ["name", "company_id", "department_id", "user_id"],
}


class MchsBodycamQr(models.AbstractModel):
    _name = "mchs.bodycam.qr"
    _description = "Bodycam label signing and scanning"

    @api.model
    def _ensure_key(self):
        """The database's signing key (item 6), created once, at install: a 256-bit secret kept
        in the vault, which no user reaches through RPC or the ORM."""
        return vault.setdefault(self.env.cr, VAULT_SCOPE, VAULT_NAME, secrets.token_hex(32)).encode()

    @api.model
    def _key(self):
        key = vault.get(self.env.cr, VAULT_SCOPE, VAULT_NAME)
        return key.encode() if key is not None else self._ensure_key()

    @api.model
    def _signature(self, kind, ident, key=None):
        key = key if key is not None else self._key()
        message = f"{PAYLOAD_VERSION}.{kind}.{ident}".encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH]

    @api.model
    def _make_payload(self, kind, ident, key=None):
        """A signed payload. Private: printing a label or a badge is the only way a person
        obtains one (item 6), and every print is recorded (mchs.bodycam.label.print)."""
        return f"{PAYLOAD_VERSION}.{kind}.{ident}.{self._signature(kind, ident, key=key)}"

    @api.model
    def _resolve(self, payload):
        """Resolve a scanned payload to a device or employee of the user's unit (reached over
        HTTP through the JSON route /mchs_bodycam/scan and the scan desk).

        Returns ``{"ok": True, "model", "id", "kind", "name", "payload"}`` (``payload``: the
        label's text, mapped back when a scanner typed it under a Cyrillic keyboard layout) or
        ``{"ok": False, "reason", "message"}``; every refusal is written to the scan log.
        """
        text = (payload or "").strip()
        text = keyboard_layout.decode(text, PAYLOAD_RE.match) or text
        match = PAYLOAD_RE.match(text)
        if not match and keyboard_layout.typed_in_cyrillic(text):
            return self._refuse(text, "keyboard_layout", self.env._(
                "The scanner typed Cyrillic letters: switch the keyboard to English and scan again."))
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
            "payload": text,
        }

    @api.model
    def _find(self, kind, ident):
        # sudo: a label of another unit must be told apart from an unknown one; the record
        # itself is only returned to the caller after the unit check.
        model = self.env[KIND_MODELS[kind]].sudo()
        field = "barcode" if kind == "E" else "inventory_number"
        records = model.search_fetch([(field, "=", ident)], FOUND_FIELDS[kind])
        in_my_companies = records.filtered(lambda r: r.company_id in self.env.companies)
        return (in_my_companies or records)[:1]

    @api.model
    def _refuse(self, payload, reason, message):
        """Log a refused scan (item 6) in a transaction of its own, so that the row stays when
        the caller then raises (a badge refused inside the desk's issue, say), and answer the
        refusal."""
        units = self.env["hr.department"]._bodycam_user_units()
        values = {
            "user_id": self.env.uid,
            "department_id": units[:1].id,
            "company_id": self.env.company.id,
            "payload": payload,
            "reason": reason,
            "message": message,
        }
        # sudo: every user's refused scan is logged, whatever their rights on the log;
        # the log records the real user.
        write_apart(self.env, lambda env: env["mchs.bodycam.scan.log"].sudo().create(values).id)
        return {"ok": False, "reason": reason, "message": message}
