import hashlib
import json
import secrets

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import chain
from ..lib.storage import StorageError, hash_stored

SEAL_FORMAT = "mchs_bodycam.seal/1"
REASONS = [
    ("daily", "Daily"),
    ("audit", "Annual audit"),
    ("destruction", "Destruction act"),
    ("book", "Journal book closed"),
    ("manual", "On request"),
]
# what a finding of the verification is about (bodycam_verify prints these codes)
FINDINGS = {
    "seal_missing": "a seal is missing from a storage location",
    "seal_altered": "a seal file does not hash to its name",
    "seal_chain": "a seal does not follow from the one before it",
    "seal_unrecorded": "a seal on storage has no record in the database",
    "access_chain": "the access journal's chain is broken",
    "access_missing": "access journal rows sealed earlier are gone",
    "access_rewritten": "access journal rows were rewritten since the seal",
    "custody_chain": "the Appendix 1 journal's chain is broken",
    "custody_missing": "Appendix 1 chain entries sealed earlier are gone",
    "custody_rewritten": "Appendix 1 chain entries were rewritten since the seal",
    "custody_changed": "a journal row or remark differs from what was signed",
    "recordings_missing": "recordings sealed earlier are gone from the registry",
    "recordings_changed": "the recordings registry differs from the seal",
    "file_missing": "a copy of a recording is missing",
    "file_changed": "a copy of a recording does not hash to its SHA-256",
}


class MchsBodycamIntegritySeal(models.Model):
    """A seal of a unit's journals and recordings registry, kept outside the database (items 9,
    12, 13): the head and length of the access journal's chain, of the Appendix 1 journal's
    chain, and a digest of the recordings index. Each seal is a small write-once file on both
    storage locations (and an object under retention on a write-once object store), chained to
    the seal before it. Comparing the database with the latest seals shows rows deleted,
    truncated, or rewritten with their hashes recomputed: nothing outside the database remembers
    the chains otherwise. Units are sealed daily and at every audit, destruction and closing of
    a book."""

    _name = "mchs.bodycam.integrity.seal"
    _description = "Integrity seal of a unit's journals"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "sealed_at desc, id desc"
    _rec_name = "name"
    # a seal is kept as written
    _lock_state_sql = "'sealed'"
    _lock_changeable = {"sealed": set()}
    _lock_user_creatable = {}

    name = fields.Char(required=True, readonly=True, help="The seal's file name on the storage locations.")
    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
    sealed_at = fields.Datetime(string="Sealed at", required=True, readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    access_count = fields.Integer(string="Access rows", readonly=True)
    custody_count = fields.Integer(string="Appendix 1 chain entries", readonly=True)
    recording_count = fields.Integer(string="Recordings", readonly=True)
    payload = fields.Text(required=True, readonly=True)
    payload_sha256 = fields.Char(string="SHA-256", required=True, readonly=True)
    locations = fields.Char(string="Written to", readonly=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "A seal is written once."),
    ]

    def _lock_state(self):
        return "sealed"

    # ------------------------------------------------------------------ sealing

    @api.model
    def _prefix(self, unit):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return f"{uuid}/{unit.id}/"

    @api.model
    def _backends(self, unit):
        """[(location label, backend)] of every storage server of the unit, inactive ones too."""
        storages = self.env["mchs.bodycam.storage"].sudo().with_context(active_test=False).search(
            [("department_id", "=", unit.id)], order="id")
        return [(f"{storage.id}/{location}", backend) for storage in storages
                for location, backend in zip(("primary", "backup"), storage._backends())]

    @api.model
    def _state_of(self, unit):
        """The unit's journals and registry as they stand: what a seal records."""
        access = list(self.env["mchs.bodycam.access"]._chain_entries(unit))
        custody = list(self.env["mchs.bodycam.custody.log"]._chain_entries(unit))
        recordings = self._recordings_digest(unit)
        return {
            "access": {"count": len(access), "last_sequence": access[-1][0] if access else 0,
                       "head": access[-1][2] if access else chain.GENESIS},
            "custody": {"count": len(custody), "last_sequence": custody[-1][0] if custody else 0,
                        "head": custody[-1][2] if custody else chain.GENESIS},
            "recordings": recordings,
        }

    @api.model
    def _recordings_digest(self, unit, max_id=None):
        """Count, largest id and SHA-256 of the unit's recordings index (id, SHA-256, size,
        start, state), up to ``max_id`` when given."""
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT id, sha256, size, start, state FROM mchs_bodycam_recording
             WHERE department_id = %s AND (%s IS NULL OR id <= %s) ORDER BY id
        """, unit.id, max_id, max_id))
        digest, count, last = hashlib.sha256(), 0, 0
        for row in self.env.cr.fetchall():
            digest.update(("|".join("" if value is None else str(value) for value in row) + "\n").encode())
            count, last = count + 1, row[0]
        return {"count": count, "max_id": max_id if max_id is not None else last, "digest": digest.hexdigest()}

    @api.model
    def _seal(self, units, reason):
        """Seal each of ``units`` now; returns the seals. A unit without a storage server is not
        sealed (nothing outside the database to keep the seal)."""
        seals = self.browse()
        for unit in units:
            backends = self._backends(unit)
            if not backends:
                continue
            previous = self.sudo().search([("department_id", "=", unit.id)], order="sealed_at desc, id desc", limit=1)
            sealed_at = fields.Datetime.now()
            state = self._state_of(unit)
            payload = json.dumps(dict(
                state, format=SEAL_FORMAT, unit={"id": unit.id, "code": unit.sudo().bodycam_code or ""},
                sealed_at=str(sealed_at), reason=reason, previous_seal=previous.payload_sha256 or None,
                unique=secrets.token_hex(8)),
                ensure_ascii=False, sort_keys=True)
            digest = hashlib.sha256(payload.encode()).hexdigest()
            name = f"{self._prefix(unit)}{sealed_at:%Y%m%dT%H%M%S}-{digest[:16]}.json"
            for _location, backend in backends:
                backend.write_seal(name, payload.encode())
            # sudo: seals are written by the application's own steps, never by a person
            seals |= self.sudo().create({
                "name": name, "department_id": unit.id, "sealed_at": sealed_at, "reason": reason,
                "access_count": state["access"]["count"], "custody_count": state["custody"]["count"],
                "recording_count": state["recordings"]["count"], "payload": payload, "payload_sha256": digest,
                "locations": ", ".join(location for location, _backend in backends)})
        return seals.sudo(False)

    @api.model
    def _cron_seal_units(self):
        """The daily seal of every unit that keeps journals or recordings."""
        self.env.cr.execute("""
            SELECT department_id FROM mchs_bodycam_access UNION SELECT department_id FROM mchs_bodycam_custody_log
            UNION SELECT department_id FROM mchs_bodycam_recording
        """)
        units = self.env["hr.department"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        self._seal(units, "daily")

    def action_seal_now(self):
        """Seal the units of the user (bodycam administrator) now."""
        units = self.env["hr.department"]._bodycam_user_units()
        self.check_access("read")
        self._seal(units, "manual")

    # ------------------------------------------------------------------ verification

    @api.model
    def _read_seals(self, unit):
        """The seals kept on the unit's storage locations, in the order of their own chain:
        ([(name, SHA-256 of the file, payload)], findings)."""
        findings, seen = [], {}
        backends = self._backends(unit)
        for location, backend in backends:
            for name in backend.list_seals(self._prefix(unit)):
                data = backend.read_seal(name)
                digest = hashlib.sha256(data).hexdigest()
                if digest[:16] != name.rsplit("-", 1)[-1].removesuffix(".json"):
                    findings.append(("seal_altered", f"{name} on {location}"))
                    continue
                seen.setdefault(name, (digest, json.loads(data), set()))[2].add(location)
        for name, (_digest, _payload, where) in sorted(seen.items()):
            findings += [("seal_missing", f"{name} on {location}") for location, _backend in backends
                         if location not in where]
        # each seal names the one before it: follow them from the first
        following = {}
        for name, (digest, payload, _where) in seen.items():
            following.setdefault(payload.get("previous_seal"), []).append((name, digest, payload))
        ordered, previous = [], None
        while following.get(previous):
            candidates = following.pop(previous)
            if len(candidates) > 1:
                findings.append(("seal_chain", f"{len(candidates)} seals follow the same one"))
            name, previous, payload = sorted(candidates, key=lambda candidate: candidate[2]["sealed_at"])[-1]
            ordered.append((name, previous, payload))
        for candidates in following.values():
            findings += [("seal_chain", name) for name, _digest, _payload in candidates]
        return ordered, findings

    @api.model
    def _verify_unit(self, unit, files=False):
        """Every mismatch between the unit's database and its seals, as (kind, detail); empty when
        everything holds. ``files`` also re-hashes both copies of every stored recording."""
        seals, findings = self._read_seals(unit)
        on_storage = {name for name, _digest, _payload in seals}
        recorded = set(self.sudo().search([("department_id", "=", unit.id)]).mapped("name"))
        findings += [("seal_unrecorded", name) for name in sorted(on_storage - recorded)]
        findings += [("seal_missing", f"{name} on every location") for name in sorted(recorded - on_storage)]
        latest = seals[-1][2] if seals else None
        findings += self._verify_chain(unit, "access", list(self.env["mchs.bodycam.access"]._chain_entries(unit)),
                                       latest)
        findings += self._verify_chain(unit, "custody",
                                       list(self.env["mchs.bodycam.custody.log"]._chain_entries(unit)), latest)
        for kind, record_id in self.env["mchs.bodycam.custody.log"]._unmatched(unit):
            findings.append(("custody_changed", f"{kind} id {record_id}"))
        if latest:
            sealed = latest["recordings"]
            now = self._recordings_digest(unit, sealed["max_id"])
            if now["count"] < sealed["count"]:
                findings.append(("recordings_missing", f"{sealed['count'] - now['count']} of {sealed['count']} "
                                                       f"recordings up to id {sealed['max_id']}"))
            elif now["digest"] != sealed["digest"]:
                findings.append(("recordings_changed", f"recordings up to id {sealed['max_id']}"))
        if files:
            findings += self._verify_files(unit)
        return findings

    @api.model
    def _verify_chain(self, unit, kind, entries, latest):
        findings = []
        broken = chain.first_break(entries)
        if broken is not None:
            findings.append((f"{kind}_chain", f"at entry {broken}"))
        if latest:
            sealed = latest[kind]
            if len(entries) < sealed["count"] or (entries and entries[-1][0] < sealed["last_sequence"]):
                findings.append((f"{kind}_missing", f"{len(entries)} entries, {sealed['count']} sealed "
                                                   f"on {latest['sealed_at']}"))
            else:
                at_seal = {entry[0]: entry[2] for entry in entries}.get(sealed["last_sequence"], chain.GENESIS)
                if at_seal != sealed["head"]:
                    findings.append((f"{kind}_rewritten", f"entry {sealed['last_sequence']} no longer has the "
                                                         f"sealed hash of {latest['sealed_at']}"))
        return findings

    @api.model
    def _verify_files(self, unit):
        findings = []
        self.env.cr.execute("""
            SELECT recording.sha256, recording.storage_id FROM mchs_bodycam_recording recording
             WHERE recording.department_id = %s AND recording.state = 'stored' ORDER BY recording.id
        """, [unit.id])
        rows = self.env.cr.fetchall()
        storages = self.env["mchs.bodycam.storage"].sudo().with_context(active_test=False).browse(
            {storage_id for _sha, storage_id in rows})
        backends = {storage.id: list(zip(("primary", "backup"), storage._backends())) for storage in storages}
        for sha256, storage_id in rows:
            for location, backend in backends[storage_id]:
                digest, _size = hash_stored(backend, sha256)
                if digest is None:
                    findings.append(("file_missing", f"{sha256} on {location}"))
                elif digest != sha256:
                    findings.append(("file_changed", f"{sha256} on {location}"))
        return findings

    @api.model
    def _verify(self, units, files=False):
        """[(unit code, kind, detail)] for every unit: what bodycam_verify prints."""
        findings = []
        for unit in units:
            try:
                unit_findings = self._verify_unit(unit, files=files)
            except (OSError, StorageError, ValueError) as error:
                unit_findings = [("seal_missing", f"the seals could not be read: {error}")]
            findings += [(unit.sudo().bodycam_code or str(unit.id), kind, detail) for kind, detail in unit_findings]
        return findings

    @api.model
    def _units_to_verify(self, code=None):
        Department = self.env["hr.department"].sudo().with_context(active_test=False)
        if code:
            return Department.search([("bodycam_code", "=", code)])
        self.env.cr.execute("""
            SELECT department_id FROM mchs_bodycam_access UNION SELECT department_id FROM mchs_bodycam_custody_log
            UNION SELECT department_id FROM mchs_bodycam_recording UNION SELECT department_id FROM mchs_bodycam_integrity_seal
            UNION SELECT department_id FROM mchs_bodycam_storage
        """)
        return Department.browse(sorted(row[0] for row in self.env.cr.fetchall()))
