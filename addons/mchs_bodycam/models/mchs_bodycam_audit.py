import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.jobs import report_step
from ..lib.storage import hash_stored
from .mchs_bodycam_lock_mixin import ALL

_logger = logging.getLogger(__name__)

# recordings (two files each) or unknown-file candidates per committed step
BATCH_SIZE = 200
# and at most this many bytes of recordings per step, so that a step of large recordings
# still ends well within a cron job's time limit (bench/: about 1.2 GiB/s)
BATCH_BYTES = 8 * 1024 ** 3
LOCATIONS = ("primary", "backup")
# what the audit's own steps write while it runs (see _lock_step)
PROGRESS_FIELDS = {"phase", "cursor_recording_id", "cursor_storage_id", "cursor_location", "cursor_sha256",
                   "chain_ok", "access_count", "recording_total", "recording_checked", "file_count", "byte_count",
                   "seals_verified_at", "seals_ok"}


class MchsBodycamAudit(models.Model):
    """The commission's annual check of access and of the archive's integrity (item 13).

    Access: the unit's access journal (Appendix 2) for the year: the hash chain verifies,
    every access was by the head or the responsible person of the unit on that day, refused
    attempts are listed. Integrity: every stored copy on both locations is re-hashed once;
    missing and changed copies, differences between the locations, and files the registry
    does not know are reported. It runs in the background in committed steps and resumes
    where it stopped. Its result fills columns 5-7 of the Appendix 2 journal."""

    _name = "mchs.bodycam.audit"
    _description = "Annual audit of access and archive integrity"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin", "mchs.bodycam.signable.mixin"]
    _order = "year desc, id desc"
    _check_company_auto = True
    # item 13: a person chooses the checker of a draft audit; the run is the audit's own, and
    # its result is kept as found
    _lock_changeable = {"draft": ALL, "running": PROGRESS_FIELDS | {"state", "done_at"}, "done": set()}
    _lock_fill_once = {"done_at", "number"}
    _lock_transitions = {"draft": {"running"}, "running": {"done"}, "done": set()}
    _lock_deletable = {"draft"}
    _lock_user_writable = {"draft": {"checker_id"}}
    _lock_user_creatable = {"draft": {"commission_id", "checker_id"}}
    # issue 13: the checker signs the audit act with their NCA key when the company says so
    _signature_purposes = ("audit",)

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    number = fields.Char(readonly=True, copy=False, index=True,
                         help="The act's number: unit, year and the audit's number in the year (T1, T2...).")
    commission_id = fields.Many2one("mchs.bodycam.commission", required=True, readonly=True, index=True,
                                    ondelete="restrict", check_company=True)
    department_id = fields.Many2one(related="commission_id.department_id", store=True, precompute=True, string="Unit")
    company_id = fields.Many2one(related="commission_id.company_id", store=True, precompute=True)
    year = fields.Integer(related="commission_id.year", store=True, precompute=True)
    checker_id = fields.Many2one("hr.employee", required=True, tracking=True,
                                 help="Appendix 2, column 5: who checks for the commission (its chairman by default).")
    state = fields.Selection([("draft", "Draft"), ("running", "Running"), ("done", "Done")], default="draft",
                             required=True, readonly=True, tracking=True, index=True)
    phase = fields.Selection([("access", "Access journal"), ("files", "Recordings"),
                              ("unknown", "Unknown files"), ("done", "Done")],
                             default="access", required=True, readonly=True)
    cursor_recording_id = fields.Integer(readonly=True, help="Last recording checked.")
    cursor_storage_id = fields.Integer(readonly=True)
    cursor_location = fields.Char(readonly=True)
    cursor_sha256 = fields.Char(readonly=True, help="Last stored file name looked at.")
    started_at = fields.Datetime(string="Started", readonly=True)
    done_at = fields.Datetime(string="Checked at", readonly=True, help="Appendix 2, column 6.")
    finding_ids = fields.One2many("mchs.bodycam.audit.finding", "audit_id", string="Findings", readonly=True)
    chain_ok = fields.Boolean(string="Chain verifies", readonly=True)
    seals_verified_at = fields.Datetime(
        string="Seals verified at", readonly=True,
        help="When the audit compared the unit's journals and recordings registry with the seals kept outside "
             "the database (the check bodycam_verify runs).")
    seals_ok = fields.Boolean(string="Seals match", readonly=True)
    access_count = fields.Integer(string="Accesses checked", readonly=True)
    recording_total = fields.Integer(string="Recordings to check", readonly=True)
    recording_checked = fields.Integer(string="Recordings checked", readonly=True)
    file_count = fields.Integer(string="Files hashed", readonly=True)
    byte_count = fields.Float(string="Bytes hashed", digits=(20, 0), readonly=True)
    progress = fields.Float(compute="_compute_progress")
    finding_count = fields.Integer(compute="_compute_finding_count")

    @api.depends("commission_id.name")
    def _compute_name(self):
        for audit in self:
            audit.name = audit.commission_id.name

    @api.depends("state", "recording_checked", "recording_total")
    def _compute_progress(self):
        for audit in self:
            if audit.state == "done":
                audit.progress = 100.0
            else:
                audit.progress = 100.0 * audit.recording_checked / audit.recording_total if audit.recording_total \
                    else 0.0

    def _compute_finding_count(self):
        counts = dict(self.env["mchs.bodycam.audit.finding"]._read_group(
            [("audit_id", "in", self.ids)], ["audit_id"], ["__count"]))
        for audit in self:
            audit.finding_count = counts.get(audit, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("checker_id") and vals.get("commission_id"):
                vals["checker_id"] = self.env["mchs.bodycam.commission"].browse(vals["commission_id"]).chairman_id.id
        audits = super().create(vals_list)
        for audit in audits:
            commission = audit.commission_id
            # numbered per commission, one after the other: two audits opened at once wait here
            self.env.cr.execute("SELECT id FROM mchs_bodycam_commission WHERE id = %s FOR UPDATE", [commission.id])
            number = self.search_count([("commission_id", "=", commission.id)])
            # sudo: the unit's code is configuration the commission may not read
            unit = commission.department_id.sudo()
            audit._lock_step({"number": f"{unit.bodycam_code or unit.id}-{commission.year}-T{number}"})
        return audits


    # ------------------------------------------------------------------ actions

    def action_start(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("The audit %s has already started.", self.name))
        self.commission_id._check_can_act()
        self.commission_id._member_of_user()
        self._lock_step({"state": "running", "phase": "access", "started_at": fields.Datetime.now()})
        self.env.ref("mchs_bodycam.ir_cron_process_audits")._trigger()

    def action_sign_act(self):
        """The checker signs the audit act with their NCA key once the audit is done (item 13;
        issue 13)."""
        self.ensure_one()
        return self._signing_action("audit")

    def _signature_request_audit(self):
        """Issue 13: what the checker signs, the audit's result as found (its findings by digest)."""
        if self.state != "done":
            raise UserError(self.env._("The audit %(audit)s is not done yet: its act is signed once it is.",
                                       audit=self.name))
        checker = self.checker_id
        if checker.user_id != self.env.user:
            raise UserError(self.env._("Only the checker, %(checker)s, signs the audit act (item 13).",
                                       checker=checker.name))
        if self._signatures_of("audit", checker):
            raise UserError(self.env._("%(checker)s has already signed the audit act.", checker=checker.name))
        facts = {
            "regulation": "Order No. 495, item 13",
            "audit": {
                **self._signed_unit(), "number": self.number or "", "year": self.year,
                "checker": {"name": checker.name, "iin": checker._bodycam_iin()},
                "started_at": str(self.started_at or ""), "done_at": str(self.done_at or ""),
                "chain_ok": bool(self.chain_ok), "seals_ok": bool(self.seals_ok),
                "access_rows": self.access_count, "recordings_checked": self.recording_checked,
                "recordings": self.recording_total, "files_hashed": self.file_count,
                "bytes_hashed": int(self.byte_count), "findings": self._findings_digest(),
            },
        }
        return checker, "checker", self._signed_bytes("audit", facts)

    def _findings_digest(self):
        """Count and SHA-256 of the audit's findings (kind, location, SHA-256, access row), in order."""
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(
                       finding.kind || '|' || coalesce(finding.location, '') || '|' || coalesce(finding.sha256, '')
                       || '|' || coalesce(access.sequence::text, ''), E'\n' ORDER BY finding.id), ''), 'UTF8')), 'hex')
              FROM mchs_bodycam_audit_finding finding
              LEFT JOIN mchs_bodycam_access access ON access.id = finding.access_id
             WHERE finding.audit_id = %s
        """, [self.id])
        count, digest = self.env.cr.fetchone()
        return {"count": count, "sha256": digest}

    def _signature_done_audit(self, signature):
        self._message_log(body=self.env._("The audit act was signed by %(name)s (IIN %(iin)s).",
                                          name=signature.employee_id.name, iin=signature.iin))
        return True

    def action_view_findings(self):
        """The audit's findings and the copies of the unit found changed while served in its year."""
        self.ensure_one()
        start, end = self._year_bounds()
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.audit.finding", "view_mode": "list",
                "name": self.env._("Findings of %s", self.name),
                "domain": ["|", ("audit_id", "=", self.id), "&", "&", "&", ("audit_id", "=", False),
                           ("department_id", "=", self.department_id.id), ("create_date", ">=", start),
                           ("create_date", "<", end)],
                "context": {"group_by": ["kind"]}}

    # ------------------------------------------------------------------ background job

    @api.model
    def _cron_process(self, batch_size=BATCH_SIZE):
        """One step of the oldest running audit; ir.cron commits after it and, while work is
        left, runs the job again at once (Odoo 18's progress API)."""
        # sudo: the job carries out the check the commission started
        audits = self.sudo().search([("state", "=", "running")], order="id")
        if not audits:
            return
        audit = audits[0]
        before = audit.recording_checked
        remaining = audit._process_step(batch_size) + len(audits) - 1
        # a step with nothing to hash (the access journal, a location without unknown files) is
        # progress too: the audit moves on at once
        report_step(self.env, "mchs_bodycam.ir_cron_process_audits", audit.recording_checked - before, remaining)

    def _process_step(self, batch_size=BATCH_SIZE):
        """One step of the audit, committed by the job after it; returns an estimate of the
        work left (0 when done)."""
        self.ensure_one()
        if self.state != "running":
            return 0
        step = {"access": self._audit_access, "files": self._audit_files, "unknown": self._audit_unknown}
        step[self.phase](batch_size)
        if self.phase == "done":
            self._lock_step({"state": "done", "done_at": fields.Datetime.now()})
            self.env["mchs.bodycam.integrity.seal"]._seal(self.department_id, "audit")
            # the chatter line is stored: in the unit's language, not the background job's
            self._message_log(body=self.department_id._bodycam_env()._(
                "Audit done: %(files)s files hashed, %(findings)s findings.",
                files=self.file_count, findings=self.finding_count))
            return 0
        return max(self.recording_total - self.recording_checked, 1)

    def _add_findings(self, findings):
        if findings:
            # sudo: findings are written by the audit's own steps only (item 13)
            self.env["mchs.bodycam.audit.finding"].sudo().create([
                dict(finding, audit_id=self.id, department_id=self.department_id.id) for finding in findings])

    def _year_bounds(self):
        """The year in the unit's local time, as naive UTC moments."""
        tz = self.department_id._bodycam_tz()
        return tuple(tz.localize(datetime(year, 1, 1)).astimezone(pytz.utc).replace(tzinfo=None)
                     for year in (self.year, self.year + 1))

    def _storages(self):
        # sudo: the audit reads every storage of the unit, inactive ones included
        return self.env["mchs.bodycam.storage"].sudo().with_context(active_test=False).search(
            [("department_id", "=", self.department_id.id)], order="id")

    def _recordings_domain(self):
        return [("department_id", "=", self.department_id.id), ("state", "=", "stored")]

    def _audit_access(self, _batch_size):
        """Item 13: the year's access rows, by the head or the responsible person only."""
        Access = self.env["mchs.bodycam.access"].sudo()
        start, end = self._year_bounds()
        rows = Access.search([("department_id", "=", self.department_id.id), ("accessed_at", ">=", start),
                              ("accessed_at", "<", end)], order="sequence")
        broken = Access._verify_chain(self.department_id)
        findings = []
        # a finding's detail is a value (a row number, a name, a refusal code, a digest), put in
        # words when it is shown (mchs.bodycam.audit.finding.detail_text)
        if broken:
            findings.append({"kind": "chain", "access_id": broken.id, "detail": str(broken.sequence)})
        holders = self._holders_by_day(rows)
        for row in rows:
            if row.result == "refused":
                findings.append({"kind": "refused", "access_id": row.id, "recording_id": row.recording_id.id,
                                 "detail": row.refusal or ""})
            elif row.user_id not in holders[self.department_id._bodycam_local_day(row.accessed_at)]:
                findings.append({"kind": "unauthorized", "access_id": row.id, "recording_id": row.recording_id.id,
                                 "detail": row.user_id.name})
        # the journals and the registry against their seals outside the database (bodycam_verify)
        mismatches = self.env["mchs.bodycam.integrity.seal"]._verify_unit(self.department_id)
        findings += [{"kind": "integrity", "detail": f"{kind}: {detail}"} for kind, detail in mismatches]
        self._add_findings(findings)
        # sudo: counting what the audit will hash; the commission does not browse the registry
        total = self.env["mchs.bodycam.recording"].sudo().search_count(self._recordings_domain())
        self._lock_step({"chain_ok": not broken, "access_count": len(rows), "recording_total": total,
                         "phase": "files", "cursor_recording_id": 0, "seals_verified_at": fields.Datetime.now(),
                         "seals_ok": not mismatches})

    def _holders_by_day(self, rows):
        """{local day: users who were the unit's head or responsible person that day}, from
        one read of the unit's designations (item 5) rather than one lookup a day and role."""
        days = {self.department_id._bodycam_local_day(row.accessed_at) for row in rows}
        # sudo: a designation is public knowledge of the unit, as in _bodycam_person_at
        designations = self.env["mchs.bodycam.designation"].sudo().search([
            ("department_id", "=", self.department_id.id), ("role", "in", ("head", "responsible"))])
        return {day: designations.filtered(
                    lambda d, day=day: d.date_start <= day and (not d.date_end or day <= d.date_end)
                ).employee_id.user_id
                for day in days}

    def _audit_files(self, batch_size):
        """Re-hash both copies of the next recordings, each file read once, both locations
        in parallel (hashlib releases the GIL)."""
        Recording = self.env["mchs.bodycam.recording"].sudo()
        recordings = self._within_byte_budget(Recording.search(
            self._recordings_domain() + [("id", ">", self.cursor_recording_id)], order="id", limit=batch_size))
        if not recordings:
            first_storage = self._storages()[:1]
            self._lock_step({"phase": "unknown", "cursor_storage_id": first_storage.id,
                        "cursor_location": LOCATIONS[0], "cursor_sha256": False})
            if not first_storage:
                self._lock_step({"phase": "done"})
            return
        findings, files, size = [], 0, 0
        with ThreadPoolExecutor(max_workers=2) as pool:
            for recording in recordings:
                backends = recording.storage_id._backends()
                copies = list(pool.map(hash_stored, backends, [recording.sha256] * len(backends)))
                digests = [digest for digest, _size in copies]
                for location, (digest, copy_size) in zip(LOCATIONS, copies):
                    if digest is None:
                        findings.append(self._file_finding("missing", location, recording))
                    else:
                        files += 1
                        size += copy_size
                        if digest != recording.sha256:
                            findings.append(self._file_finding("changed", location, recording, digest))
                if digests[0] != digests[1]:
                    findings.append(self._file_finding("mismatch", False, recording))
        self._add_findings(findings)
        self._lock_step({"cursor_recording_id": recordings[-1].id, "recording_checked": self.recording_checked + len(recordings),
                    "file_count": self.file_count + files, "byte_count": self.byte_count + size})

    @staticmethod
    def _within_byte_budget(recordings):
        """The first recordings whose two copies stay within BATCH_BYTES (at least one)."""
        total = 0
        for count, recording in enumerate(recordings):
            total += 2 * recording.size
            if total > BATCH_BYTES and count:
                return recordings[:count]
        return recordings

    def _file_finding(self, kind, location, recording, digest=None):
        return {"kind": kind, "location": location, "recording_id": recording.id, "sha256": recording.sha256,
                "detail": digest or False}

    def _audit_unknown(self, batch_size):
        """Files on a location that no stored recording of the registry accounts for: planted,
        or left behind by a destruction. They are hashed too (each file read once)."""
        storage = self.env["mchs.bodycam.storage"].sudo().browse(self.cursor_storage_id)
        location = self.cursor_location
        backend = dict(zip(LOCATIONS, storage._backends()))[location]
        names = []
        for name in backend.list(after=self.cursor_sha256 or None):
            names.append(name)
            if len(names) >= batch_size:
                break
        if names:
            self.env.cr.execute("""
                SELECT sha256, state FROM mchs_bodycam_recording WHERE storage_id = %s AND sha256 = ANY(%s)
            """, [storage.id, names])
            known = dict(self.env.cr.fetchall())
            findings, files, size = [], 0, 0
            for name in names:
                if known.get(name) == "stored":
                    continue
                digest, copy_size = hash_stored(backend, name)
                if digest is not None:
                    files += 1
                    size += copy_size
                kind = "not_destroyed" if known.get(name) == "destroyed" else "unknown"
                findings.append({"kind": kind, "location": location, "sha256": name, "detail": digest or False})
            self._add_findings(findings)
            self._lock_step({"cursor_sha256": names[-1], "file_count": self.file_count + files,
                        "byte_count": self.byte_count + size})
        if len(names) < batch_size:
            self._next_location(storage, location)

    def _next_location(self, storage, location):
        if location == LOCATIONS[0]:
            self._lock_step({"cursor_location": LOCATIONS[1], "cursor_sha256": False})
            return
        following = self._storages().filtered(lambda s: s.id > storage.id)[:1]
        if following:
            self._lock_step({"cursor_storage_id": following.id, "cursor_location": LOCATIONS[0], "cursor_sha256": False})
        else:
            self._lock_step({"phase": "done"})

    # ------------------------------------------------------------------ Appendix 2, columns 5-7

    def _checker_label(self):
        """Appendix 2, column 5: the checker's full name and position."""
        return ", ".join(filter(None, [self.checker_id.name, self.checker_id.job_title]))

    def _journal_cells(self, access_rows, format_datetime):
        """{access row id: (checker, checked at, results)} for the rows this audit covers."""
        self.ensure_one()
        checker = self._checker_label()
        checked = format_datetime(self.done_at)
        by_row = {}
        for finding in self.finding_ids.filtered("access_id"):
            by_row.setdefault(finding.access_id.id, []).append(finding)
        chain = "" if self.chain_ok else self.env._("Chain broken") + "; "
        cells = {}
        for row in access_rows:
            findings = by_row.get(row.id)
            # the labels only: they are translated at printing, the stored details are not
            results = "; ".join(finding.kind_label for finding in findings) if findings \
                else self.env._("No violations")
            cells[row.id] = (checker, checked, chain + results)
        return cells
