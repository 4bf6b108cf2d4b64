import logging
import os
import re
from datetime import datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..lib.storage import SHA256_RE, StorageError, store_stream
from ..lib.transaction import LOCK_CAMERA, advisory_lock, run_committed

_logger = logging.getLogger(__name__)
FILENAME_RE = re.compile(r"^[\w.() -]{1,200}$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# the longest text each dock API parameter may carry (inventory numbers: 40, see the QR format)
PARAMETER_LIMITS = {"camera": 40, "card": 40, "start": 40, "end": 40, "sha256": 64, "filename": 200}
DEVICE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$")


def _set_legal_holds(targets, on, raise_errors=False):
    """Legal hold on or off for [(backend, sha256)]; a failure to release is logged (the hold
    then stays, the safe side) and the next release or a person clears it."""
    for backend, sha256 in targets:
        try:
            backend.set_legal_hold(sha256, on)
        except (StorageError, OSError) as error:
            if raise_errors:
                raise
            _logger.warning("legal hold %s on %s not applied: %s", "on" if on else "off", sha256, error)


class IngestError(Exception):
    """A refused upload: ``status`` is the HTTP status, ``code`` says why, the message in words;
    ``details`` go into the answer too (the offset held, the parameter at fault)."""

    def __init__(self, status, code, message, **details):
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details

    def answer(self):
        return dict(self.details, error=self.code, message=str(self))


class MchsBodycamRecording(models.Model):
    """A recording downloaded from a bodycam's card to the unit's storage server (items 10, 11,
    13): the file itself lives in the primary and the backup location, named by its SHA-256."""

    _name = "mchs.bodycam.recording"
    _description = "Bodycam recording"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "device_start desc, id desc"
    _rec_name = "filename"
    _check_company_auto = True
    # items 12, 13: evidence is never rewritten nor removed, superuser included; only the
    # destruction act marks a stored recording destroyed once its files are gone (it sets
    # mchs_bodycam.destruction for its transaction), never one on legal hold (item 14); the
    # record stays, with its SHA-256 and the act's reference.
    _lock_changeable = {"stored": {"state", "destruction_id", "destroyed_at"}, "destroyed": set()}
    _lock_fill_once = {"destruction_id", "destroyed_at"}
    _lock_transitions = {"stored": {"destroyed"}, "destroyed": set()}
    _lock_user_writable = {"stored": set(), "destroyed": set()}
    _lock_user_creatable = {}
    _lock_sql_checks = [
        ("NEW.state = OLD.state OR (coalesce(current_setting('mchs_bodycam.destruction', true), '') = 'on' "
         "AND NEW.destruction_id IS NOT NULL)",
         "a recording is marked destroyed by a destruction act only (item 12)"),
        ("NEW.state = OLD.state OR NOT EXISTS (SELECT 1 FROM mchs_bodycam_evidence_recording_rel rel "
         "JOIN mchs_bodycam_evidence evidence ON evidence.id = rel.evidence_id "
         "WHERE rel.recording_id = OLD.id AND evidence.state = 'held')",
         "a recording on legal hold is never destroyed (item 14)"),
    ]

    sha256 = fields.Char(string="SHA-256", required=True, readonly=True, index=True)
    # numeric, not Integer: an Integer column is 32-bit and a recording passes 2 GiB
    size = fields.Float(string="Size (bytes)", digits=(20, 0), required=True, readonly=True)
    storage_id = fields.Many2one("mchs.bodycam.storage", string="Storage server", required=True, readonly=True,
                                 ondelete="restrict")
    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True, index=True,
                                ondelete="restrict")
    card_id = fields.Many2one("mchs.bodycam.card", string="Memory card", readonly=True, ondelete="restrict")
    dock_id = fields.Many2one("mchs.bodycam.dock", readonly=True, ondelete="restrict")
    filename = fields.Char(readonly=True)
    device_start = fields.Datetime(string="Start (device clock)", required=True, readonly=True)
    device_end = fields.Datetime(string="End (device clock)", required=True, readonly=True)
    start = fields.Datetime(readonly=True, index=True, help="Start on the real clock: device clock minus the "
                                                           "offset recorded at issue.")
    end = fields.Datetime(readonly=True)
    received_at = fields.Datetime(string="Received", required=True, readonly=True, default=fields.Datetime.now)
    custody_id = fields.Many2one("mchs.bodycam.custody", string="Journal entry", readonly=True, index=True,
                                 ondelete="restrict")
    inspector_id = fields.Many2one(related="custody_id.inspector_id", store=True, precompute=True, string="Inspector")
    evidence_ids = fields.Many2many("mchs.bodycam.evidence", "mchs_bodycam_evidence_recording_rel", "recording_id",
                                    "evidence_id", string="Legal bases", readonly=True)
    on_legal_hold = fields.Boolean(compute="_compute_on_legal_hold", search="_search_on_legal_hold",
                                   help="Item 14: held by a legal basis; never destroyed while held.")
    # item 12: the record of a destroyed recording stays, with its SHA-256 and the act's reference
    state = fields.Selection([("stored", "Stored"), ("destroyed", "Destroyed")], default="stored", required=True,
                             readonly=True, index=True)
    destruction_id = fields.Many2one("mchs.bodycam.destruction", string="Destruction act", readonly=True,
                                     index="btree_not_null", ondelete="restrict")
    destroyed_at = fields.Datetime(string="Destroyed", readonly=True)
    destruction_line_ids = fields.One2many("mchs.bodycam.destruction.line", "recording_id", readonly=True)
    retention_date = fields.Date(string="Kept until", compute="_compute_retention_date",
                                 help="Item 12: the first day the commission may destroy the recording.")

    _sql_constraints = [
        ("sha256_storage_uniq", "unique(storage_id, sha256)", "This recording is already stored."),
        ("times_in_order", "CHECK(device_end >= device_start)", "A recording cannot end before it starts."),
    ]

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # The recordings list of a unit in the model's order (bench/: 241 ms a page at a million
        # recordings without it, 0.3 ms with it).
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS mchs_bodycam_recording_unit_order
            ON mchs_bodycam_recording (department_id, device_start DESC, id DESC)
        """)

    @api.depends("start", "device_start", "company_id.bodycam_retention_years")
    def _compute_retention_date(self):
        for recording in self:
            start = recording.start or recording.device_start
            recording.retention_date = start and self._retention_end(
                start.date(), recording.company_id.bodycam_retention_years or 3)

    @api.depends("evidence_ids.state")
    def _compute_on_legal_hold(self):
        for recording in self:
            recording.on_legal_hold = any(evidence.state == "held" for evidence in recording.evidence_ids)

    def _search_on_legal_hold(self, operator, value):
        held = [("evidence_ids.state", "=", "held")]
        return held if (operator == "=") == bool(value) else ["!"] + held

    def action_open_access_wizard(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.recording.access.wizard",
                "view_mode": "form", "target": "new", "name": self.env._("Open a recording"),
                "context": {"default_recording_id": self.id}}

    # ------------------------------------------------------------------ retention (item 12)

    @api.model
    def _retention_end(self, recording_date, years):
        """The first day a recording made on ``recording_date`` may be destroyed: the same
        calendar day ``years`` later, and 1 March for a leap day whose anniversary does not
        exist, so that no recording is kept less than the full period."""
        end = recording_date + relativedelta(years=years)
        if (recording_date.month, recording_date.day) == (2, 29) and end.day == 28:
            end += timedelta(days=1)
        return end

    @api.model
    def _retention_due_domain(self, on_date, company=None):
        """Recordings whose retention has ended on ``on_date`` and that are not held: a
        recording is due when its recording date (UTC) is at most ``on_date`` minus the
        company's retention period (same rule as ``_retention_end``)."""
        company = company or self.env.company
        cutoff = on_date - relativedelta(years=company.bodycam_retention_years) + timedelta(days=1)
        return [("company_id", "=", company.id), ("state", "=", "stored"),
                ("start", "<", datetime.combine(cutoff, time.min)), ("on_legal_hold", "=", False)]

    @api.model
    def action_open_retention(self):
        """Item 12: what falls due by the end of this year, per unit."""
        self.check_access("read")
        today = fields.Date.context_today(self)
        year_end = today.replace(month=12, day=31)
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "view_mode": "list",
            "name": self.env._("Due for destruction by %s", format_date(self.env, year_end)),
            "domain": self._retention_due_domain(year_end),
            "context": {"group_by": ["department_id"], "create": False},
        }

    def _mark_destroyed(self, act):
        """Item 12, the act's last step, once the files are gone from both locations: the
        records stay, marked destroyed with the act's reference. The database refuses this
        to anyone else than this transaction-local switch, and refuses held recordings."""
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL mchs_bodycam.destruction = 'on'")
        self.env.cr.execute("""
            UPDATE mchs_bodycam_recording
               SET state = 'destroyed', destruction_id = %s, destroyed_at = now() AT TIME ZONE 'UTC'
             WHERE id = ANY(%s) AND state = 'stored'
        """, [act.id, self.ids])
        self.env.cr.execute("SET LOCAL mchs_bodycam.destruction = 'off'")
        self.invalidate_recordset(["state", "destruction_id", "destroyed_at"])

    def _sync_legal_hold(self, held_before):
        """Item 14 on an object store: the versions of every recording a legal basis holds get a
        legal hold at once (undone if the transaction rolls back); those no basis holds any more
        are released once the release is committed. ``held_before``: the recordings held before."""
        self.invalidate_recordset(["on_legal_hold"])
        stored = self.filtered(lambda recording: recording.state == "stored" and recording.storage_id.kind == "s3")
        to_hold = stored.filtered("on_legal_hold") - held_before
        to_release = (stored & held_before).filtered(lambda recording: not recording.on_legal_hold)
        holds = to_hold._legal_hold_targets()
        try:
            _set_legal_holds(holds, True, raise_errors=True)
        except (StorageError, OSError) as error:
            _set_legal_holds(holds, False)
            raise UserError(self.env._("The object store did not put the recordings on legal hold (item 14): "
                                       "%(error)s", error=error)) from error
        self.env.cr.postrollback.add(lambda: _set_legal_holds(holds, False))
        releases = to_release._legal_hold_targets()
        self.env.cr.postcommit.add(lambda: _set_legal_holds(releases, False))

    def _legal_hold_targets(self):
        return [(backend, recording.sha256) for recording in self for backend in recording.storage_id._backends()]

    def _verify_copies(self):
        """True when both copies exist and still hash to the recorded SHA-256."""
        return all(backend.verify(recording.sha256)
                   for recording in self for backend in recording.storage_id._backends())

    # ------------------------------------------------------------------ ingest (items 10, 11)

    @api.model
    def _ingest(self, dock, camera_number, card_number, device_start, device_end, chunks, expected_size,
                declared_sha256=None, filename=None):
        """Store an uploaded recording in both locations and register it, in the caller's
        transaction; the same file twice gives one recording. Raises IngestError with the HTTP
        status for bad input; nothing is left behind then."""
        ticket = self._ingest_check(dock, camera_number, card_number, device_start, device_end, expected_size,
                                    declared_sha256=declared_sha256, filename=filename)
        sha256, size = self._ingest_store(ticket, chunks)
        return self._ingest_register(ticket, sha256, size)

    @api.model
    def _ingest_check(self, dock, camera_number, card_number, device_start, device_end, size,
                      declared_sha256=None, filename=None):
        """Everything an upload is checked against before a byte is stored. Returns the ticket
        (ids and parsed values) that storing and registering it need; raises IngestError."""
        self._check_parameters(camera=camera_number, card=card_number, start=device_start, end=device_end,
                               sha256=declared_sha256, filename=filename)
        if declared_sha256 and not SHA256_RE.match(declared_sha256.lower()):
            raise IngestError(400, "bad_parameter", self.env._(
                "The SHA-256 is 64 hexadecimal characters."), parameter="sha256")
        camera, card = self._ingest_devices(dock, camera_number, card_number)
        storage = self.env["mchs.bodycam.storage"].sudo()._for_unit(dock.department_id)
        if not storage:
            raise IngestError(409, "no_storage", self.env._(
                "%s has no data storage server configured.", dock.department_id.display_name))
        start, end = self._ingest_times(storage, device_start, device_end)
        if size is None:
            raise IngestError(411, "length_required", self.env._("Send the file's length (Content-Length)."))
        if size > storage.max_upload_mb * 1024 * 1024:
            raise IngestError(413, "too_large", self.env._(
                "The file is larger than the limit of %s MB.", storage.max_upload_mb))
        self._check_card_in_camera(camera, card, start, end)
        return {"dock_id": dock.id, "storage_id": storage.id, "department_id": dock.department_id.id,
                "camera_id": camera.id, "card_id": card.id, "device_start": start, "device_end": end,
                "filename": self._ingest_filename(filename), "size": size,
                "sha256": declared_sha256.lower() if declared_sha256 else False}

    @api.model
    def _ingest_store(self, ticket, chunks):
        """Write ``chunks`` to both locations while hashing them; returns (sha256, size)."""
        # sudo: the storage server's settings, for a dock (a machine, not a user) of its unit
        storage = self.env["mchs.bodycam.storage"].sudo().browse(ticket["storage_id"])
        # a file sent again (a lost answer) whose SHA-256 the dock declares is only read and
        # checked, not written twice more to be thrown away
        known = self._stored_as(storage, ticket["sha256"]) if ticket["sha256"] else self.browse()
        try:
            return store_stream(chunks, [] if known else storage._backends(), expected_size=ticket["size"],
                                declared_sha256=ticket["sha256"], max_size=storage.max_upload_mb * 1024 * 1024,
                                retain_until=self._ingest_retain_until(ticket))
        except StorageError as error:
            raise self._storage_refusal(error) from error

    @api.model
    def _ingest_retain_until(self, ticket):
        """Item 12: until when a write-once store keeps the file: the retention end of its real
        start (the device's clock corrected by the offset recorded at issue)."""
        camera = self.env["mchs.bodycam.camera"].sudo().browse(ticket["camera_id"])  # sudo: as the dock
        custody = self._ingest_custody(camera, ticket["device_start"])
        storage = self.env["mchs.bodycam.storage"].sudo().browse(ticket["storage_id"])
        return storage._retain_until(ticket["device_start"] - timedelta(seconds=custody.clock_offset_seconds))

    @api.model
    def _ingest_register(self, ticket, sha256, size):
        """The recording of a file stored on both locations: (recording, created). An existing
        recording of the same file is returned as it is."""
        existing = self._stored_as(self.env["mchs.bodycam.storage"].browse(ticket["storage_id"]), sha256)
        if existing:
            return existing, False
        camera = self.env["mchs.bodycam.camera"].sudo().browse(ticket["camera_id"])  # sudo: as the dock, see below
        start, end = ticket["device_start"], ticket["device_end"]
        custody = self._ingest_custody(camera, start)
        offset = timedelta(seconds=custody.clock_offset_seconds)
        # sudo: a dock is a machine, not a user; the recording names the dock it came from
        recording = self.sudo().create({
            "sha256": sha256, "size": size, "storage_id": ticket["storage_id"],
            "department_id": ticket["department_id"], "camera_id": camera.id, "card_id": ticket["card_id"],
            "dock_id": ticket["dock_id"], "filename": ticket["filename"], "device_start": start,
            "device_end": end, "start": start - offset, "end": end - offset, "custody_id": custody.id,
        })
        if custody:
            custody.sudo()._record_download(recording)
        return recording, True

    @api.model
    def _register_committed(self, ticket, sha256, size, then=None):
        """``_ingest_register`` in a committed transaction of its own, for the dock API and its
        background job, with ``then(recording, created)`` in the same transaction if given.
        Registrations for one bodycam wait for each other (they would update the same journal
        row, or insert the same file), and a concurrency failure runs again on a fresh snapshot:
        the stored copies are never needed again (items 10, 11). Returns (recording, created)."""
        def register():
            recording, created = self._ingest_register(ticket, sha256, size)
            if then:
                then(recording, created)
            return recording, created

        with advisory_lock(self.env, LOCK_CAMERA, ticket["camera_id"]):
            return run_committed(self.env, register, unique=("mchs_bodycam_recording_sha256_storage_uniq",))

    def _stored_as(self, storage, sha256):
        return self.sudo().search([("storage_id", "=", storage.id), ("sha256", "=", sha256.lower())], limit=1)

    @api.model
    def _storage_refusal(self, error):
        """The dock's answer to a StorageError about the data it sent, in the unit's language."""
        status, message = {
            "empty": (400, self.env._("The file is empty.")),
            "truncated": (400, self.env._("The upload was cut short before the whole file arrived.")),
            "too_large": (413, self.env._("The file is larger than the storage server accepts.")),
            "hash_mismatch": (422, self.env._(
                "The file that arrived does not hash to the SHA-256 the device computed: send it again.")),
        }.get(error.code, (503, self.env._("The storage server cannot store the file now: try again later.")))
        return IngestError(status, error.code if status != 503 else "storage_unavailable", message)

    @api.model
    def _check_parameters(self, **values):
        """Text parameters of the dock API: no control characters (a NUL would reach the
        database), no more characters than the field can hold."""
        for name, value in values.items():
            if value is None or value is False or isinstance(value, datetime):
                continue
            if not isinstance(value, str) or len(value) > PARAMETER_LIMITS[name] or CONTROL_RE.search(value):
                raise IngestError(400, "bad_parameter", self.env._(
                    "The parameter %(name)s is not valid: at most %(limit)s characters, no control characters.",
                    name=name, limit=PARAMETER_LIMITS[name]), parameter=name)

    def _ingest_devices(self, dock, camera_number, card_number):
        Camera = self.env["mchs.bodycam.camera"].sudo()
        camera = Camera.search([("inventory_number", "=", (camera_number or "").strip().upper()),
                                ("company_id", "=", dock.company_id.id)], limit=1)
        if not camera:
            raise IngestError(404, "unknown_camera", self.env._("No bodycam %s is registered.", camera_number))
        if camera.department_id != dock.department_id:
            raise IngestError(403, "foreign_camera", self.env._(
                "Bodycam %s belongs to another unit than this dock.", camera.inventory_number))
        card = self.env["mchs.bodycam.card"]
        if card_number:
            card = card.sudo().search([("inventory_number", "=", card_number.strip().upper()),
                                       ("department_id", "=", dock.department_id.id)], limit=1)
            if not card:
                raise IngestError(404, "unknown_card", self.env._("No memory card %s in this unit.", card_number))
        return camera, card

    def _check_card_in_camera(self, camera, card, device_start, device_end):
        """Items 6, 8: the card was installed in that bodycam while it recorded (real times: the
        device clock minus the offset noted at issue). A spare card, or one of another bodycam,
        is refused."""
        if not card:
            return
        offset = timedelta(seconds=self._ingest_custody(camera, device_start).clock_offset_seconds)
        start, end = device_start - offset, device_end - offset
        # sudo: the installation history, read for the dock
        installed = self.env["mchs.bodycam.card.installation"].sudo().search_count([
            ("card_id", "=", card.id), ("camera_id", "=", camera.id), ("date_installed", "<=", end),
            "|", ("date_removed", "=", False), ("date_removed", ">=", start)], limit=1)
        if not installed:
            raise IngestError(422, "card_not_in_camera", self.env._(
                "Memory card %(card)s was not installed in bodycam %(camera)s when it recorded (%(start)s - %(end)s).",
                card=card.inventory_number, camera=camera.inventory_number, start=start, end=end))

    @api.model
    def _parse_device_time(self, value):
        """A device's time as naive UTC: 'YYYY-MM-DD HH:MM:SS' (UTC), or ISO 8601 with 'T' and
        'Z' or an offset ('2026-11-30T07:12:03+05:00'); fractions of a second are dropped.
        None when it is none of these."""
        if not isinstance(value, str) or not DEVICE_TIME_RE.match(value):
            return None
        try:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return None
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment.replace(microsecond=0)

    def _ingest_times(self, storage, device_start, device_end):
        if isinstance(device_start, datetime) and isinstance(device_end, datetime):
            start, end = device_start, device_end
        else:
            start, end = self._parse_device_time(str(device_start)), self._parse_device_time(str(device_end))
        if not (start and end) or end < start:
            raise IngestError(400, "bad_times", self.env._(
                "Send the recording's start and end as YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601 with Z or an "
                "offset, the end after the start."))
        skew = timedelta(hours=storage.max_clock_skew_hours)
        now = fields.Datetime.now()
        if end > now + skew or start < now - timedelta(days=400) - skew:
            raise IngestError(422, "clock_off", self.env._(
                "The device's clock is far off (%(start)s - %(end)s): set its date and time (item 18).",
                start=start, end=end))
        return start, end

    def _ingest_filename(self, filename):
        if not filename:
            return False
        name = filename.strip()
        if os.path.basename(name) != name or name in (".", "..") or not FILENAME_RE.match(name):
            raise IngestError(400, "bad_filename", self.env._(
                "The file name %s is not allowed: a plain name without folders.", filename))
        return name

    def _ingest_custody(self, camera, start):
        """The journal entry the camera was out under when the recording started."""
        Custody = self.env["mchs.bodycam.custody"].sudo()
        entries = Custody.search([("camera_id", "=", camera.id), ("state", "!=", "draft"), ("struck", "=", False),
                                  ("issue_datetime", "<=", start + timedelta(hours=1))],
                                 order="issue_datetime desc", limit=3)
        for entry in entries:
            real_start = start - timedelta(seconds=entry.clock_offset_seconds)
            # a row closed by a loss or damage (item 23) ends when it was reported
            end = entry.return_datetime or (entry.closed_datetime if entry.state == "incident" else None)
            if entry.issue_datetime <= real_start and (not end or real_start <= end):
                return entry
        return Custody.browse()
