import uuid
from contextlib import ExitStack, contextmanager
from datetime import timedelta

from odoo import api, fields, models

from ..lib.storage import StorageError
from ..lib.transaction import LOCK_CAMERA, LOCK_UPLOAD, Busy, advisory_lock, run_committed
from .mchs_bodycam_recording import IngestError

# an upload nobody sent a chunk to for a day expires and its parts are removed
EXPIRY = timedelta(days=1)
LIVE_STATES = ("open", "verifying")
# what the data can be blamed for when an upload fails (the parts are removed then)
DATA_ERRORS = ("hash_mismatch", "truncated", "no_upload")


class MchsBodycamUpload(models.Model):
    """A dock's resumable upload of one recording (items 10, 11).

    Opened with what the dock says of the file (bodycam, card, times, size, SHA-256), filled
    chunk by chunk in the staging area of both storage locations (never under a final name),
    then read back: the recording exists only once both copies hash to the declared SHA-256.
    Each row stays as the dock's upload history. Only the dock API and its background job
    change it (as the system: docks are machines); people read it."""

    _name = "mchs.bodycam.upload"
    _description = "Dock upload"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Upload", required=True, readonly=True, copy=False,
                       default=lambda self: uuid.uuid4().hex)
    state = fields.Selection([
        ("open", "Receiving"), ("verifying", "Verifying"), ("done", "Stored"), ("failed", "Failed"),
        ("expired", "Expired"), ("aborted", "Aborted"),
    ], default="open", required=True, readonly=True, index=True)
    dock_id = fields.Many2one("mchs.bodycam.dock", required=True, readonly=True, index=True,
                              ondelete="restrict")
    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True)
    storage_id = fields.Many2one("mchs.bodycam.storage", string="Storage server", required=True, readonly=True,
                                 ondelete="restrict")
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True,
                                ondelete="restrict")
    card_id = fields.Many2one("mchs.bodycam.card", string="Memory card", readonly=True, ondelete="restrict")
    filename = fields.Char(readonly=True)
    device_start = fields.Datetime(string="Start (device clock)", required=True, readonly=True)
    device_end = fields.Datetime(string="End (device clock)", required=True, readonly=True)
    # numeric, not Integer: a recording passes 2 GiB
    size = fields.Float(string="Size (bytes)", digits=(20, 0), required=True, readonly=True)
    sha256 = fields.Char(string="Declared SHA-256", required=True, readonly=True)
    chunk_size = fields.Integer(string="Chunk size (bytes)", required=True, readonly=True)
    received = fields.Float(string="Received (bytes)", digits=(20, 0), default=0, readonly=True)
    verified_copies = fields.Integer(string="Copies verified", default=0, readonly=True,
                                     help="Copies read back and found to hash to the declared SHA-256.")
    progress = fields.Float(compute="_compute_progress", string="Received (%)")
    last_activity_at = fields.Datetime(string="Last chunk", required=True, readonly=True,
                                       default=fields.Datetime.now)
    finished_at = fields.Datetime(string="Finished", readonly=True)
    recording_id = fields.Many2one("mchs.bodycam.recording", readonly=True,
                                   ondelete="restrict")
    error = fields.Selection([
        ("hash_mismatch", "The file does not hash to the declared SHA-256"),
        ("truncated", "Fewer bytes than declared were stored"),
        ("no_upload", "The partial upload was lost on a storage location"),
    ], readonly=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "An upload id is used once."),
        ("size_positive", "CHECK(size > 0)", "An upload has a size."),
        ("received_within_size", "CHECK(received >= 0 AND received <= size)",
         "An upload cannot receive more than its size."),
        ("chunk_size_min", "CHECK(chunk_size >= 5242880)", "Chunks are at least 5 MiB."),
        ("done_has_recording", "CHECK(state <> 'done' OR recording_id IS NOT NULL)",
         "A stored upload names its recording."),
    ]

    def init(self):
        # One live upload per file and storage server: two docks (or one dock twice) opening the
        # same file at once share it (item 10: one recording per file).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_upload_one_live
            ON mchs_bodycam_upload (storage_id, sha256) WHERE state IN ('open', 'verifying')
        """)

    @api.depends("received", "size")
    def _compute_progress(self):
        for upload in self:
            upload.progress = 100.0 * upload.received / upload.size if upload.size else 0.0

    # ------------------------------------------------------------------ the dock API's steps
    # Each step runs in committed transactions of its own (lib/transaction.py); steps on one
    # upload are put in line by its advisory lock, so that a dock's retry never interleaves with
    # the request it retries.

    @api.model
    def _dock_open(self, ticket):
        """Open an upload for the checked ``ticket`` (see recording._ingest_check), or find
        what already holds the file: its recording (done), or the live upload of it (resumed).
        Returns (HTTP status, answer)."""
        # sudo: the storage server's settings, for a dock (a machine, not a user) of its unit
        storage = self.env["mchs.bodycam.storage"].sudo().browse(ticket["storage_id"])

        def open_or_find():
            recording = self.env["mchs.bodycam.recording"]._stored_as(storage, ticket["sha256"])
            if recording:
                return recording, False
            live = self.search([("storage_id", "=", storage.id), ("sha256", "=", ticket["sha256"]),
                                ("state", "in", LIVE_STATES)], limit=1)
            if live:
                return live, False
            if not self._storage_step(lambda: storage._upload_room(ticket["size"])):
                raise IngestError(507, "storage_full", self.env._(
                    "The storage server has no room for this file now: the file stays on the card, try later."))
            return self.create(self._values_from_ticket(ticket, storage)), True

        # opening an upload and registering a recording of one bodycam wait for each other
        with advisory_lock(self.env, LOCK_CAMERA, ticket["camera_id"]):
            found, created = run_committed(self.env, open_or_find, unique=("mchs_bodycam_upload_one_live",))
        if found._name == "mchs.bodycam.recording":
            return 200, self._recording_answer(found, created=False)
        if found.state == "open":
            self._storage_step(lambda: found.storage_id._upload_open(found.name))
        return 201 if created else 200, found._dock_answer()

    @api.model
    def _values_from_ticket(self, ticket, storage):
        return {"dock_id": ticket["dock_id"], "department_id": ticket["department_id"],
                "storage_id": ticket["storage_id"], "camera_id": ticket["camera_id"],
                "card_id": ticket["card_id"], "filename": ticket["filename"],
                "device_start": ticket["device_start"], "device_end": ticket["device_end"],
                "size": ticket["size"], "sha256": ticket["sha256"], "chunk_size": storage._upload_chunk_size()}

    def _ticket(self):
        """What registering the recording needs, as recording._ingest_check returns it."""
        self.ensure_one()
        return {"dock_id": self.dock_id.id, "storage_id": self.storage_id.id, "department_id": self.department_id.id,
                "camera_id": self.camera_id.id, "card_id": self.card_id.id, "device_start": self.device_start,
                "device_end": self.device_end, "filename": self.filename, "size": int(self.size),
                "sha256": self.sha256}

    def _dock_status(self):
        self.ensure_one()
        return 200, self._dock_answer()

    def _dock_write(self, offset, chunk):
        """Append one chunk at ``offset``. Every chunk but the last is the upload's chunk size."""
        self.ensure_one()
        with self._exclusive():
            self._check_live(("open",))
            size = int(self.size)
            if not (offset + len(chunk) == size or (len(chunk) == self.chunk_size and offset + len(chunk) < size)):
                raise IngestError(400, "bad_chunk", self.env._(
                    "Send chunks of %(chunk)s bytes from the offset the server holds, the last one with the "
                    "rest of the file (%(size)s bytes in all).", chunk=self.chunk_size, size=size))
            received = self._storage_step(lambda: self.storage_id._upload_write(self.name, offset, chunk))
            run_committed(self.env, lambda: self.write({
                "received": max(received, self.received), "last_activity_at": fields.Datetime.now()}))
            return 200, self._dock_answer(offset=received)

    def _dock_finish(self):
        """All bytes are held: read both copies back and store them, at once for a file up to
        the storage's verify_inline_mb (answer 200/201 with the recording), else in the
        background (answer 202; the dock asks for the state until it is done)."""
        self.ensure_one()
        with self._exclusive():
            if self.state in ("done", "verifying"):
                return 200 if self.state == "done" else 202, self._dock_answer()
            self._check_live(("open",))
            held = self._held()
            if held != int(self.size):
                raise IngestError(409, "incomplete", self.env._(
                    "The server holds %(held)s of %(size)s bytes: send the rest first.",
                    held=held, size=int(self.size)), offset=held)
            if self.size > self.storage_id.verify_inline_mb * 1024 * 1024:
                run_committed(self.env, lambda: self.write({"state": "verifying", "received": held}))
                # sudo: wakes the background job up, whoever runs this step
                self.env.ref("mchs_bodycam.ir_cron_process_uploads").sudo()._trigger()
                return 202, self._dock_answer()
            created = self._conclude()
        if self.state == "failed":
            raise self._failure()
        return 201 if created else 200, dict(self._dock_answer(), created=created)

    def _dock_abort(self):
        """The dock gives the upload up: its parts are removed."""
        self.ensure_one()
        with self._exclusive():
            if self.state in ("aborted", "expired"):
                return 200, self._dock_answer()
            self._check_live(("open",))
            self._drop_parts("aborted")
            return 200, self._dock_answer()

    # ------------------------------------------------------------------ steps shared with the background job

    def _conclude(self):
        """Read every copy not verified yet back, all at once, and, when each hashes to the
        declared SHA-256, register the recording and mark the upload done in one committed
        transaction; otherwise the parts are removed and the upload fails. Returns True when
        the recording was created."""
        self.ensure_one()
        outcome = self._read_back([(self, self._copies_left())])[0]
        if isinstance(outcome, IngestError):
            raise outcome
        return outcome

    def _copies_left(self):
        return list(range(self.verified_copies, len(self.storage_id._backends())))

    @api.model
    def _read_back(self, batch):
        """Read back the copies ``batch`` names, [(upload, indexes of its copies)], all at once
        (item 10: the recording exists only once both copies hash to the declared SHA-256),
        then note for each upload what they showed (see _note_read_back). Returns, per upload:
        True or False (done; the recording created or found), False (failed, parts removed),
        None (copies left to read), or the IngestError of a store that could not answer (the
        copies read before it count)."""
        requests = [(upload.storage_id, copy, upload.name, upload.sha256, upload._retain_until())
                    for upload, copies in batch for copy in copies]
        errors = iter(self.env["mchs.bodycam.storage"]._upload_commit_at_once(requests))
        return [upload._note_read_back({copy: next(errors) for copy in copies}) for upload, copies in batch]

    def _note_read_back(self, errors):
        """Note the copies read back, ``errors`` {copy index: None or the StorageError met}:
        the copies verified in a row from the first; the upload failed (parts removed) when a
        copy's data was wrong; the recording registered once every copy is verified."""
        self.ensure_one()
        verified = self.verified_copies
        while verified in errors and errors[verified] is None:
            verified += 1
        if verified > self.verified_copies:
            run_committed(self.env, lambda: self.write({"verified_copies": verified}))
        refusals = [self._storage_refusal(error) for _copy, error in sorted(errors.items()) if error is not None]
        wrong_data = [refusal for refusal in refusals if refusal.code in DATA_ERRORS]
        if wrong_data:
            self._drop_parts("failed", error=wrong_data[0].code)
            return False
        if refusals:
            return refusals[0]
        if verified < len(self.storage_id._backends()):
            return None
        created = []

        def mark_done(recording, was_created):
            created.append(was_created)
            self.write({"state": "done", "recording_id": recording.id, "received": self.size,
                        "finished_at": fields.Datetime.now(), "error": False})

        self.env["mchs.bodycam.recording"]._register_committed(
            self._ticket(), self.sha256, int(self.size), then=mark_done)
        return created[0]

    def _held(self):
        """The bytes both locations hold, on the disk: where the dock resumes. A copy already
        stored under its final name (a finish that stopped midway) holds the whole file."""
        held = []
        for index, backend in enumerate(self.storage_id._backends()):
            try:
                held.append(backend.upload_offset(self.name))
            except StorageError as error:
                if error.code != "no_upload" or not (index < self.verified_copies or backend.verify(self.sha256)):
                    raise self._storage_refusal(error) from error
                held.append(int(self.size))
            except OSError as error:
                raise self._storage_refusal(StorageError("storage_unavailable", str(error))) from error
        return min(held)

    def _retain_until(self):
        """Item 12: the retention end of the recording this becomes, for write-once stores."""
        custody = self.env["mchs.bodycam.recording"]._ingest_custody(self.camera_id, self.device_start)
        return self.storage_id._retain_until(self.device_start - timedelta(seconds=custody.clock_offset_seconds))

    def _drop_parts(self, state, error=False):
        """The parts go; a copy already under its final name stays (write-once: a copy whose
        bytes hashed to the SHA-256 is the file itself; a new upload of it finds it there)."""
        self._storage_step(lambda: self.storage_id._upload_abort(self.name))
        run_committed(self.env, lambda: self.write({
            "state": state, "error": error, "finished_at": fields.Datetime.now()}))

    def _storage_step(self, call):
        """A storage operation; its StorageError becomes the dock's answer."""
        try:
            return call()
        except StorageError as error:
            raise self._storage_refusal(error) from error

    def _storage_refusal(self, error):
        if error.code == "offset_mismatch":
            held = self._held()
            return IngestError(409, "offset_mismatch", self.env._(
                "The server holds %s bytes of this upload: send the chunk that starts there.", held), offset=held)
        if error.code == "storage_full":
            return IngestError(507, "storage_full", self.env._(
                "The storage server has no room for this file now: the file stays on the card, try later."))
        if error.code == "no_upload":
            return IngestError(410, "no_upload", self.env._(
                "The server no longer holds this upload's data: start the file again."))
        return self.env["mchs.bodycam.recording"]._storage_refusal(error)

    @contextmanager
    def _exclusive(self):
        """The upload's lock for one step; a second request on the same upload meanwhile is
        told to retry (HTTP 409 busy). The step reads the upload afresh."""
        try:
            with advisory_lock(self.env, LOCK_UPLOAD, self.id, wait=False):
                yield
        except Busy as error:
            raise self._busy() from error

    def _busy(self):
        return IngestError(409, "busy", self.env._(
            "Another request is working on this upload: retry in a moment."), retry_after=1)

    def _check_live(self, states):
        if self.state not in states:
            raise IngestError(409, "upload_closed", self.env._(
                "This upload is %s: it takes no more data.", self._state_label()), state=self.state)

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _failure(self):
        labels = dict(self._fields["error"]._description_selection(self.env))
        return IngestError(422, self.error or "failed", self.env._(
            "The upload failed and its data was removed: %s. Send the file again.",
            labels.get(self.error, self._state_label())), state=self.state)

    def _dock_answer(self, offset=None):
        """The upload as the dock sees it."""
        self.ensure_one()
        answer = {"id": self.name, "state": self.state, "size": int(self.size), "chunk_size": self.chunk_size,
                  "sha256": self.sha256}
        if self.state == "open":
            answer["offset"] = offset if offset is not None else self._held()
            answer["expires_at"] = fields.Datetime.to_string(self.last_activity_at + EXPIRY)
        elif self.state in ("verifying", "done"):
            answer["offset"] = int(self.size)
        if self.state == "done":
            answer.update(self._recording_answer(self.recording_id, created=None))
        elif self.state in ("failed", "expired", "aborted"):
            answer.update(self._failure().answer() if self.state == "failed" else {
                "error": self.state, "message": self.env._("This upload is %s: start the file again.",
                                                            self._state_label())})
        return answer

    @api.model
    def _recording_answer(self, recording, created):
        """A recording stored and verified on both locations: what lets a dock wipe the card
        (items 5, 10)."""
        answer = {"state": "done", "recording_id": recording.id, "sha256": recording.sha256,
                  "size": int(recording.size), "verified": True}
        if created is not None:
            answer["created"] = created
        return answer

    # ------------------------------------------------------------------ background job

    @api.model
    def _cron_process_uploads(self):
        """One step: read back at once the copies of the oldest uploads waiting for it, or
        else expire the uploads idle for a day and remove the parts nothing refers to any more.
        A step reads at most as many bytes as the largest file the oldest upload's storage
        server takes (its max_upload_mb; at least one copy), so that the cron's time limit,
        which must cover reading that file once, covers a step. The next step is triggered as a run of its own
        rather than reported as progress (Odoo runs up to ten batches of a job in one go, all
        under one time limit)."""
        # sudo: the job finishes what the docks started
        with ExitStack() as locks:
            batch = self.sudo()._verification_batch(locks)
            if batch:
                for outcome in self._read_back(batch):
                    if isinstance(outcome, IngestError):  # a store did not answer: the next run retries
                        raise outcome
                # sudo: the job wakes itself up for the next step
                self.env.ref("mchs_bodycam.ir_cron_process_uploads").sudo()._trigger()
                return
        self._expire_idle()

    @api.model
    def _verification_batch(self, locks):
        """[(upload, copies)] to read back in one step, oldest first, each upload's lock taken
        in ``locks`` (an upload a dock is working on is left to the next step)."""
        batch, total, budget = [], 0, 0
        for upload in self.search([("state", "=", "verifying")], order="id"):
            with ExitStack() as lock:
                try:
                    lock.enter_context(upload._exclusive())
                except IngestError as error:
                    if error.code != "busy":
                        raise
                    continue
                if upload.state != "verifying":
                    continue
                left = upload._copies_left()
                budget = budget or upload.storage_id.max_upload_mb << 20
                # at least one copy a step; none left when a step stopped before registering
                fits = max(0 if batch else 1, min(len(left), (budget - total) // int(upload.size)))
                if left and not fits:
                    break
                locks.enter_context(lock.pop_all())
                batch.append((upload, left[:fits]))
                total += len(left[:fits]) * int(upload.size)
                if fits < len(left):
                    break
        return batch

    @api.model
    def _expire_idle(self):
        """Item 10: an upload nobody sent a chunk to for a day expires; its parts go, and so do
        parts no upload refers to (left by a crash)."""
        # sudo: housekeeping of every unit's uploads and storage servers, whoever runs the job
        idle = self.sudo().search([("state", "=", "open"), ("last_activity_at", "<", fields.Datetime.now() - EXPIRY)])
        for upload in idle:
            try:
                with upload._exclusive():
                    if upload.state == "open":
                        upload._drop_parts("expired")
            except IngestError as error:
                if error.code != "busy":
                    raise
        for storage in self.env["mchs.bodycam.storage"].sudo().search([]):
            storage._remove_stale_uploads(int(EXPIRY.total_seconds()) + 3600)
        return len(idle)


    # ------------------------------------------------------------------ demo data
