from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .mchs_bodycam_custody_log import UNSIGNED_COLUMNS
from .mchs_bodycam_lock_mixin import ALL

CUSTODY_STATES = [
    ("draft", "Draft"),
    ("issued", "Issued"),
    ("returned", "Returned"),
    ("downloaded", "Downloaded"),
    ("closed", "Closed"),
]
# The camera stays with its custody entry from issue until its cards are wiped (item 5).
ACTIVE_STATES = ("issued", "returned", "downloaded")
CONFIRMATION_METHODS = [("badge", "Badge scanned at the desk"), ("session", "In the inspector's own session")]
# item 16 (and 8, 17): the pre-use checklist, in the order the desk shows it
CHECKLIST = ["check_operable", "check_datetime", "check_quality", "check_inventory_label",
             "check_seal_intact", "check_badge_worn"]
# the pre-use check as entered at the desk (item 16): the checklist and its measured values
CHECK_FIELDS = set(CHECKLIST) | {"battery_level", "clock_offset_seconds", "check_seal_number"}
# item 9: what a signed row still receives after its issue, each fact once
LATER_FACTS = {"return_datetime", "received_by_id", "return_confirmed_at", "return_confirmation",
               "download_datetime", "closed_datetime", "struck"}
# recomputed as recordings arrive (items 18, 19): derived, not signed
DERIVED_FIELDS = {"recording_gap_count", "recording_gaps_text"}


class MchsBodycamCustody(models.Model):
    """One row of the Appendix 1 journal: a bodycam and its cards issued to an inspector and
    taken back (items 7, 10, 16-18, 23); column 6 is filled when the recordings are downloaded."""

    _name = "mchs.bodycam.custody"
    _description = "Bodycam custody entry (Appendix 1 row)"
    _inherit = ["mail.thread", "mail.activity.mixin", "mchs.bodycam.lock.mixin"]
    _order = "journal_id, row_number desc, id desc"
    _check_company_auto = True
    _rec_name = "row_number"
    # item 9: a row is written in pen; once issued it only receives its later facts, once each
    _lock_changeable = {
        "draft": ALL,
        "issued": {"state", "is_overdue"} | LATER_FACTS | DERIVED_FIELDS,
        "returned": {"state", "download_datetime", "closed_datetime", "struck"} | DERIVED_FIELDS,
        "downloaded": {"state", "download_datetime", "closed_datetime", "struck"} | DERIVED_FIELDS,
        "closed": {"struck"} | DERIVED_FIELDS,
    }
    # the cards of a row are set once: at its issue, or when a correction rewrites it (item 9)
    _lock_fill_once = LATER_FACTS | {"card_ids"}
    _lock_transitions = {"draft": {"issued"}, "issued": {"returned"}, "returned": {"downloaded"},
                         "downloaded": {"closed"}, "closed": set()}
    _lock_deletable = {"draft"}
    # what the desk fills in before the issue; everything else is the actions' (items 7, 16)
    _lock_user_writable = {"draft": {"department_id", "camera_id", "inspector_id"} | CHECK_FIELDS}
    _lock_user_creatable = _lock_user_writable

    journal_id = fields.Many2one("mchs.bodycam.journal", string="Journal book", readonly=True, index=True,
                                 check_company=True, domain="[('kind', '=', 'custody')]")
    row_number = fields.Integer(string="Row №", readonly=True, copy=False)
    department_id = fields.Many2one(
        "hr.department", string="Unit", required=True, index=True, check_company=True,
        default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True, index=True)
    state = fields.Selection(CUSTODY_STATES, required=True, default="draft", readonly=True, tracking=True,
                             index=True)
    # column 2
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, index=True,
                                check_company=True, tracking=True,
                                domain="[('department_id', '=', department_id), ('state', '=', 'available')]")
    card_ids = fields.Many2many("mchs.bodycam.card", string="Memory cards", readonly=True, copy=False)
    inventory_text = fields.Char(string="Inventory numbers", readonly=True, copy=False,
                                 help="Column 2: the bodycam's inventory number and its memory cards'.")
    seal_number = fields.Char(string="Seal at issue", readonly=True, copy=False)
    # column 3
    inspector_id = fields.Many2one("hr.employee", string="Inspector", required=True, index=True,
                                   check_company=True, tracking=True,
                                   domain="[('department_id', '=', department_id)]")
    # column 4
    issue_datetime = fields.Datetime(string="Issued at", readonly=True, copy=False, tracking=True)
    issued_by_id = fields.Many2one("res.users", string="Issued by", readonly=True, copy=False)
    issue_confirmed_at = fields.Datetime(string="Receipt confirmed at", readonly=True, copy=False)
    issue_confirmation = fields.Selection(CONFIRMATION_METHODS, string="Receipt confirmed by", readonly=True,
                                          copy=False)
    # column 5
    return_datetime = fields.Datetime(string="Returned at", readonly=True, copy=False, tracking=True)
    received_by_id = fields.Many2one("res.users", string="Received by", readonly=True, copy=False)
    return_confirmed_at = fields.Datetime(string="Return confirmed at", readonly=True, copy=False)
    return_confirmation = fields.Selection(CONFIRMATION_METHODS, string="Return confirmed by", readonly=True,
                                           copy=False)
    # column 6
    download_datetime = fields.Datetime(string="Downloaded at", readonly=True, copy=False, tracking=True)
    closed_datetime = fields.Datetime(string="Cards wiped at", readonly=True, copy=False)
    # item 16: pre-use checklist
    check_operable = fields.Boolean(string="Bodycam works")
    battery_level = fields.Integer(string="Battery (%)")
    check_datetime = fields.Boolean(string="Date and time set")
    clock_offset_seconds = fields.Integer(
        string="Clock offset (s)", help="Device clock minus the real time when the responsible person set it "
                                        "at issue (item 5); applied when recordings are matched.")
    check_quality = fields.Boolean(string="Quality settings checked")
    check_inventory_label = fields.Boolean(string="Inventory number on the device")
    check_seal_intact = fields.Boolean(string="Seal intact")
    check_seal_number = fields.Char(string="Seal number checked")
    check_badge_worn = fields.Boolean(string="Chest badge worn", help="Item 17.")
    struck = fields.Boolean(
        readonly=True, copy=False, index=True, default=False,
        help="Struck through by a correction (item 9): the row stays in the book, superseded by a new one.")
    remark_ids = fields.One2many("mchs.bodycam.custody.remark", "custody_id", string="Remark lines", readonly=True)
    is_paused = fields.Boolean(compute="_compute_open_remarks", string="Paused")
    has_open_failure = fields.Boolean(compute="_compute_open_remarks", string="Failure reported")
    recording_ids = fields.One2many("mchs.bodycam.recording", "custody_id", string="Recordings", readonly=True)
    replaces_custody_id = fields.Many2one("mchs.bodycam.custody", string="Replaces", readonly=True, copy=False,
                                          help="The entry whose bodycam failed and was replaced (item 21).")
    recording_gap_count = fields.Integer(
        string="Recording breaks", compute="_compute_recording_gaps", store=True,
        help="Items 18, 19: breaks between consecutive recordings of this duty that no declared pause explains.")
    recording_gaps_text = fields.Text(string="Unexplained breaks", compute="_compute_recording_gaps", store=True,
                                      groups="mchs_bodycam.group_bodycam_head,mchs_bodycam.group_bodycam_responsible")
    remarks_text = fields.Text(
        string="Remarks", compute="_compute_remarks_text",
        help="Column 7: pauses, failures, corrections and seal incidents, in order.")
    is_overdue = fields.Boolean(string="Overdue", readonly=True, copy=False, index=True,
                                help="Not returned by the end of the working day (item 23).")

    _sql_constraints = [
        ("row_number_uniq", "unique(journal_id, row_number)", "This row number is already used in the book."),
        ("battery_range", "CHECK(battery_level >= 0 AND battery_level <= 100)", "Battery level is a percentage."),
        ("issued_has_row", "CHECK(state = 'draft' OR (journal_id IS NOT NULL AND row_number IS NOT NULL))",
         "An issued entry is a numbered row of a journal book (item 9)."),
    ]

    def init(self):
        super().init()
        # A bodycam is out under one entry at a time, and an inspector holds one bodycam at a
        # time (items 7, 23): enforced by the database against two desks at once.
        # Struck rows stay in the book but no longer hold anything. (An unset boolean is NULL
        # in the database: "IS NOT TRUE" counts it as not struck.)
        self.env.cr.execute(SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_custody_camera_active_uniq
            ON mchs_bodycam_custody (camera_id) WHERE state IN (%s) AND struck IS NOT TRUE
        """, SQL(", ").join(SQL("%s", state) for state in ACTIVE_STATES)))
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_custody_inspector_issued_uniq
            ON mchs_bodycam_custody (inspector_id) WHERE state = 'issued' AND struck IS NOT TRUE
        """)
        # item 9: a row is struck through only with the signed remark of its correction (checked
        # when the transaction commits: the remark names the new row, which comes after)
        self.env.cr.execute("""
            CREATE OR REPLACE FUNCTION mchs_bodycam_custody_struck_lock() RETURNS trigger AS $body$
            BEGIN
                IF NEW.struck AND NOT EXISTS (SELECT 1 FROM mchs_bodycam_custody_remark remark
                                               WHERE remark.custody_id = NEW.id AND remark.kind = 'correction') THEN
                    RAISE EXCEPTION 'mchs_bodycam: row % is struck through without the remark of its correction', NEW.id
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
            END $body$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS mchs_bodycam_custody_struck_lock ON mchs_bodycam_custody;
            CREATE CONSTRAINT TRIGGER mchs_bodycam_custody_struck_lock AFTER INSERT OR UPDATE OF struck
                ON mchs_bodycam_custody DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                EXECUTE FUNCTION mchs_bodycam_custody_struck_lock();
        """)

    @api.depends("remark_ids.pause_end", "remark_ids.resolution")
    def _compute_open_remarks(self):
        for entry in self:
            entry.is_paused = bool(entry._open_remark("pause"))
            entry.has_open_failure = bool(entry._open_remark("failure"))

    def _open_remark(self, kind):
        """The pause not yet resumed (item 20) or the failure not yet resolved (item 21)."""
        still_open = {"pause": lambda r: r.kind == "pause" and not r.pause_end,
                      "failure": lambda r: r.kind == "failure" and not r.resolution}[kind]
        return self.remark_ids.filtered(still_open)[:1]

    @api.depends("recording_ids.start", "recording_ids.end", "remark_ids.pause_start", "remark_ids.pause_end",
                 "company_id.bodycam_max_gap_minutes")
    def _compute_recording_gaps(self):
        for entry in self:
            gaps = entry._recording_gaps()
            entry.recording_gap_count = len(gaps)
            entry.recording_gaps_text = "\n".join(
                f"{entry._local_time(start)} - {entry._local_time(end)}" for start, end in gaps) or False

    def _recording_gaps(self):
        """(start, end) of each break between consecutive recordings longer than the company's
        limit that no declared pause (item 20) covers."""
        self.ensure_one()
        tolerance = timedelta(minutes=self.company_id.bodycam_max_gap_minutes or 5)
        pauses = [(r.pause_start, r.pause_end or r.pause_start) for r in self.remark_ids if r.kind == "pause"]
        recordings = self.recording_ids.sorted("start")
        gaps = []
        for before, after in zip(recordings, recordings[1:]):
            if after.start - before.end <= tolerance:
                continue
            explained = any(start <= before.end + tolerance and end >= after.start - tolerance
                            for start, end in pauses)
            if not explained:
                gaps.append((before.end, after.start))
        return gaps

    def _local_time(self, value):
        """In the unit's time: the text is stored, whoever's upload recomputes it (a dock's is UTC)."""
        return pytz.utc.localize(value).astimezone(self.department_id._bodycam_tz()).strftime("%d.%m.%Y %H:%M")

    @api.depends("remark_ids.text", "struck")
    def _compute_remarks_text(self):
        for entry in self:
            entry.remarks_text = "\n".join(entry.remark_ids.mapped("text")) or False

    def _compute_display_name(self):
        for entry in self:
            number = entry.row_number or self.env._("draft")
            entry.display_name = f"№ {number} · {entry.camera_id.inventory_number or ''} · {entry.inspector_id.name or ''}"

    @api.model_create_multi
    def create(self, vals_list):
        entries = super().create(vals_list)
        # a row created already signed (the row that corrects another, item 9) is chained at once
        self.env["mchs.bodycam.custody.log"]._append(entries.filtered(lambda entry: entry.state != "draft"),
                                                     "written")
        return entries

    def write(self, vals):
        result = super().write(vals)
        if set(vals) - set(UNSIGNED_COLUMNS[self._table]):
            event = vals.get("state") or ("struck" if vals.get("struck") else "written")
            self.env["mchs.bodycam.custody.log"]._append(self.filtered(lambda entry: entry.state != "draft"), event)
        return result

    # ------------------------------------------------------------------ checks

    def _check_responsible_person(self):
        """Only the unit's designated responsible person issues and receives (items 5, 7)."""
        today = fields.Date.context_today(self)
        for entry in self:
            responsible = entry.department_id._bodycam_person_at("responsible", today)
            if not responsible or responsible.user_id != self.env.user:
                raise UserError(self.env._(
                    "Only the responsible person of %(unit)s (%(person)s) issues and receives bodycams (item 5).",
                    unit=entry.department_id.display_name,
                    person=responsible.name or self.env._("nobody designated")))

    def _check_checklist(self):
        """item 16: every check passed, battery above the unit's minimum, seal number as recorded."""
        for entry in self:
            failed = [self._fields[name]._description_string(self.env) for name in CHECKLIST if not entry[name]]
            if failed:
                raise UserError(self.env._(
                    "The pre-use check failed (item 16): %s. The bodycam cannot be issued.", "; ".join(failed)))
            minimum = entry.company_id.bodycam_min_battery
            if entry.battery_level < minimum:
                raise UserError(self.env._(
                    "The pre-use check failed (item 16): the battery is at %(level)s%%, below the minimum "
                    "of %(minimum)s%%. Charge the bodycam first.", level=entry.battery_level, minimum=minimum))
            if not entry.camera_id.seal_number or (entry.check_seal_number or "").strip() != entry.camera_id.seal_number:
                raise UserError(self.env._(
                    "The pre-use check failed (item 8): the seal on the card slot (%(found)s) is not the "
                    "recorded seal %(recorded)s.", found=entry.check_seal_number or "-",
                    recorded=entry.camera_id.seal_number or "-"))

    def _lock_devices(self):
        """Row locks on the bodycam and its cards: two desks issuing them at once wait for each
        other, and the second then sees them out."""
        cameras = self.camera_id
        cards = cameras.card_ids
        self.env.cr.execute("SELECT id FROM mchs_bodycam_camera WHERE id = ANY(%s) FOR UPDATE", [cameras.ids])
        if cards:
            self.env.cr.execute("SELECT id FROM mchs_bodycam_card WHERE id = ANY(%s) FOR UPDATE", [cards.ids])
        cameras.invalidate_recordset(["state", "holder_id"])
        cards.invalidate_recordset(["state", "holder_id"])

    def _check_not_struck(self):
        for entry in self:
            if entry.struck:
                raise UserError(self.env._(
                    "Row %s is struck through: it holds nothing; use the row that corrects it (item 9).",
                    entry.row_number))

    def _check_inspector_free(self):
        for entry in self:
            held = self.search([("inspector_id", "=", entry.inspector_id.id), ("state", "=", "issued"),
                                ("struck", "=", False), ("id", "!=", entry.id)], limit=1)
            if held:
                raise UserError(self.env._(
                    "%(inspector)s already holds bodycam %(camera)s; it must be returned first (item 23).",
                    inspector=entry.inspector_id.name, camera=held.camera_id.inventory_number))

    # ------------------------------------------------------------------ confirmations

    def _confirm_by_badge(self, payload, moment):
        """The inspector scans their own badge at the desk: their "signature" (items 7, 10).
        ``moment`` is 'issue' or 'return'."""
        self.ensure_one()
        if self._desk_inspector(payload) != self.inspector_id:
            raise UserError(self.env["mchs.bodycam.qr"]._refuse((payload or "").strip(), "wrong_person", self.env._(
                "This is not the badge of %s: only the inspector confirms with their own badge.",
                self.inspector_id.name))["message"])
        self._set_confirmation(moment, "badge")

    def _set_confirmation(self, moment, method):
        self._check_not_struck()
        prefix = "issue" if moment == "issue" else "return"
        # sudo: the inspector confirms their own entry, on which they have no write access;
        # the caller checked who they are.
        self.sudo().write({f"{prefix}_confirmed_at": fields.Datetime.now(), f"{prefix}_confirmation": method})

    def action_confirm_in_session(self):
        """The inspector confirms receipt (draft entry) or return (issued entry) in their own session."""
        for entry in self:
            if entry.inspector_id.user_id != self.env.user:
                raise UserError(self.env._("Only %s confirms this entry in their own session.",
                                           entry.inspector_id.name))
            if entry.state == "draft":
                entry._set_confirmation("issue", "session")
            elif entry.state == "issued":
                entry._set_confirmation("return", "session")
            else:
                raise UserError(self.env._("There is nothing to confirm on this entry."))

    # ------------------------------------------------------------------ transitions

    def action_issue(self):
        """Issue the bodycam and its cards (items 7, 16): a new numbered row of the open book."""
        for entry in self:
            if entry.state != "draft":
                raise UserError(self.env._("Only a draft entry can be issued."))
        self._check_responsible_person()
        self._lock_devices()
        for entry in self:
            entry.camera_id._check_issuable()
            entry.camera_id.card_ids._check_issuable()
            if not entry.camera_id.card_ids:
                raise UserError(self.env._("%s has no memory card installed.", entry.camera_id.display_name))
            entry._check_inspector_free()
            entry._check_checklist()
            if not entry.issue_confirmed_at:
                raise UserError(self.env._(
                    "%s has not confirmed receipt: scan their badge or let them confirm in their own "
                    "session (item 7).", entry.inspector_id.name))
            journal = entry._custody_book()
            camera = entry.camera_id
            entry._lock_write({
                "state": "issued",
                "journal_id": journal.id,
                "row_number": journal._take_row_number(),
                "card_ids": [(6, 0, camera.card_ids.ids)],
                "inventory_text": f"{camera.inventory_number} ({', '.join(camera.card_ids.mapped('inventory_number'))})",
                "seal_number": camera.seal_number,
                "issue_datetime": fields.Datetime.now(),
                "issued_by_id": self.env.uid,
            })
            camera._mark_issued(entry.inspector_id)
            camera.card_ids._mark_issued(entry.inspector_id)

    def _custody_book(self):
        """The unit's open Appendix 1 book, which numbers the rows (item 9)."""
        journal = self.env["mchs.bodycam.journal"]._open_book(self.department_id, "custody")
        if not journal:
            raise UserError(self.env._(
                "%s has no registered Appendix 1 journal book: register one first (item 9).",
                self.department_id.display_name))
        return journal

    def action_return(self):
        """Take the bodycam back (item 10); it stays with the responsible person until download."""
        self._check_not_struck()
        for entry in self:
            if entry.state != "issued":
                raise UserError(self.env._("Only an issued bodycam can be returned."))
            if not entry.return_confirmed_at:
                raise UserError(self.env._(
                    "%s has not confirmed the return: scan their badge or let them confirm in their own "
                    "session (item 10).", entry.inspector_id.name))
        self._check_responsible_person()
        self._take_back()

    def _take_back(self):
        """The responsible person has the bodycam and its cards back: the entry is returned,
        no longer overdue (item 23)."""
        for entry in self:
            receiver = self.env.user.employee_ids.filtered(lambda e, entry=entry: e.department_id == entry.department_id)[:1]
            entry._lock_write({"state": "returned", "return_datetime": fields.Datetime.now(),
                         "received_by_id": self.env.uid, "is_overdue": False})
            entry.camera_id._lock_write({"holder_id": receiver.id})
            entry.card_ids._lock_write({"holder_id": receiver.id})
            entry.activity_unlink(["mchs_bodycam.mail_activity_type_overdue_return"])

    def action_mark_downloaded(self):
        """Column 6: the recordings of the cards have been downloaded (item 10)."""
        self._check_not_struck()
        for entry in self:
            if entry.state != "returned":
                raise UserError(self.env._("Recordings are downloaded after the return."))
        self._check_responsible_person()
        self._mark_downloaded()

    def _mark_downloaded(self):
        """Column 6 filled once: by the dock's first upload (which may come before the return is
        written), or now (items 9, 10)."""
        for entry in self:
            entry._lock_write({"state": "downloaded"} if entry.download_datetime
                              else {"state": "downloaded", "download_datetime": fields.Datetime.now()})

    def _record_download(self, recording):
        """Column 6: a recording of this entry reached the storage server (items 10, 11)."""
        self.ensure_one()
        values = {} if self.download_datetime else {"download_datetime": recording.received_at}
        if self.state == "returned":
            values["state"] = "downloaded"
        if values:
            self._lock_write(values)

    def action_close(self):
        """The cards are wiped after download (item 5): the devices are available again."""
        self._check_not_struck()
        for entry in self:
            if entry.state != "downloaded":
                raise UserError(self.env._("Cards are wiped only after their recordings are downloaded (item 5)."))
            if not entry.recording_ids._verify_copies():
                raise UserError(self.env._(
                    "A recording of row %s is missing or damaged in the primary or the backup location: "
                    "the cards must not be wiped (item 10).", entry.row_number))
        self._check_responsible_person()
        self._lock_write({"state": "closed", "closed_datetime": fields.Datetime.now()})
        for entry in self:
            # a bodycam replaced after a failure is in repair by now (item 21)
            (entry.camera_id.filtered(lambda c: c.state == "issued"))._mark_returned()
            entry.card_ids.filtered(lambda c: c.state == "issued")._mark_returned()

    # ------------------------------------------------------------------ remarks (column 7)

    def _check_open_entry(self):
        for entry in self:
            if entry.state != "issued" or entry.struck:
                raise UserError(self.env._("Only a bodycam that is out takes this remark."))

    def _check_inspector_or_responsible(self):
        """Pauses and failures are reported by the inspector themself or by the responsible person."""
        for entry in self:
            if entry.inspector_id.user_id == self.env.user:
                continue
            entry._check_responsible_person()

    def _add_remark(self, values):
        # sudo: the inspector reports on their own entry (checked by the caller); the remark
        # records the real user as signatory.
        return self.env["mchs.bodycam.custody.remark"].sudo().create(
            dict(values, custody_id=self.id, signed_by_id=self.env.uid))

    def _pause(self, reason, announced_at=None):
        """item 20: a meal or sanitary pause, its time announced on the recording; the
        responsible person is informed and the remark goes into column 7."""
        self.ensure_one()
        self._check_open_entry()
        self._check_inspector_or_responsible()
        if self._open_remark("pause"):
            raise UserError(self.env._("The recording is already paused; resume it first."))
        responsible = self.department_id._bodycam_person_at("responsible", fields.Date.context_today(self))
        remark = self._add_remark({"kind": "pause", "pause_reason": reason,
                                   "pause_start": announced_at or fields.Datetime.now(),
                                   "informed_employee_id": responsible.id})
        self.sudo()._message_log(body=remark.text)
        return remark

    def action_open_remark_wizard(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window", "res_model": "mchs.bodycam.custody.remark.wizard",
            "view_mode": "form", "target": "new", "name": self.env._("Remark"),
            "context": {"default_custody_id": self.id, "default_mode": self.env.context.get("remark_mode", "pause")},
        }

    def action_resume(self):
        self.ensure_one()
        self._check_inspector_or_responsible()
        pause = self._open_remark("pause")
        if not pause:
            raise UserError(self.env._("The recording is not paused."))
        # sudo: the inspector resumes on their own entry (checked above), with no write access
        pause.sudo().write({"pause_end": fields.Datetime.now()})
        self.sudo()._message_log(body=pause.text)

    def _report_failure(self, cause):
        """item 21: the inspector reports a failure at once; the head and the responsible person
        are notified immediately."""
        self.ensure_one()
        self._check_open_entry()
        self._check_inspector_or_responsible()
        if not (cause or "").strip():
            raise UserError(self.env._("Describe the failure."))
        remark = self._add_remark({"kind": "failure", "reported_at": fields.Datetime.now(), "cause": cause.strip()})
        self._alert_head_and_responsible("mchs_bodycam.mail_activity_type_failure", remark.text)
        return remark

    def _alert_head_and_responsible(self, activity_xmlid, note):
        """An activity for the unit's head and responsible person of today (items 21, 23)."""
        self.ensure_one()
        self.department_id._bodycam_alert_head_and_responsible(self, activity_xmlid, note)

    def _open_failure(self):
        failure = self._open_remark("failure")
        if not failure:
            raise UserError(self.env._("No failure is waiting on this entry."))
        return failure

    def action_clear_failure(self):
        self.ensure_one()
        self._check_responsible_person()
        self._open_failure()._lock_write({"resolution": "cleared"})
        self.activity_unlink(["mchs_bodycam.mail_activity_type_failure"])

    def action_replace_after_failure(self):
        """item 21: the fault cannot be fixed: the bodycam goes to repair (a maintenance request),
        its entry is closed as returned, and a replacement entry for the same inspector is opened
        for the usual pre-use check and issue."""
        self.ensure_one()
        self._check_responsible_person()
        failure = self._open_failure()
        self._take_back()
        request = self.camera_id.action_send_to_repair()
        request.description = failure.cause
        self.flush_recordset()
        # sudo: the replacement entry is the step's own, linked to the failed one (item 21)
        replacement = self.sudo().create({
            "department_id": self.department_id.id, "inspector_id": self.inspector_id.id,
            "replaces_custody_id": self.id, "camera_id": self._replacement_camera().id}).sudo(False)
        failure._lock_write({"resolution": "replaced", "replacement_custody_id": replacement.id,
                       "maintenance_request_id": request.id})
        self.activity_unlink(["mchs_bodycam.mail_activity_type_failure"])
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": replacement.id,
                "view_mode": "form", "target": "current"}

    def _replacement_camera(self):
        camera = self.env["mchs.bodycam.camera"].search([
            ("department_id", "=", self.department_id.id), ("state", "=", "available"),
            ("card_ids", "!=", False), ("seal_id", "!=", False)], limit=1)
        if not camera:
            raise UserError(self.env._("%s has no available bodycam to replace the failed one.",
                                       self.department_id.display_name))
        return camera

    def _correct(self, inspector, note):
        """item 9: a wrong entry is struck through, never edited; the corrected entry is a new
        row, and a remark signed by the responsible person links the two."""
        self.ensure_one()
        self._check_responsible_person()
        if self.state == "draft" or self.struck:
            raise UserError(self.env._("Only a journal row that is not struck through can be corrected."))
        if not (note or "").strip():
            raise UserError(self.env._("Say what was wrong (item 9)."))
        journal = self._custody_book()
        self._lock_write({"struck": True})
        self.flush_recordset(["struck"])
        # sudo: the new row takes the facts of the struck one, checked above (item 9)
        corrected = self.sudo().copy({
            "inspector_id": inspector.id, "journal_id": journal.id, "row_number": journal._take_row_number(),
            "state": self.state, "card_ids": [(6, 0, self.card_ids.ids)], "inventory_text": self.inventory_text,
            "seal_number": self.seal_number, "issue_datetime": self.issue_datetime, "issued_by_id": self.issued_by_id.id,
            "return_datetime": self.return_datetime, "received_by_id": self.received_by_id.id,
            "download_datetime": self.download_datetime, "replaces_custody_id": self.replaces_custody_id.id,
        }).sudo(False)
        if self.state == "issued":
            self.camera_id._lock_write({"holder_id": inspector.id})
            self.card_ids._lock_write({"holder_id": inspector.id})
        for entry, other in ((self, corrected), (corrected, self)):
            entry._add_remark({"kind": "correction", "related_custody_id": other.id, "note": note.strip()})
        return corrected

    def _seal_incident(self, found_number, new_number, note=None):
        """item 8: the seal was found broken or different; the slot gets a new seal."""
        self.ensure_one()
        self._check_responsible_person()
        if self.state not in ("issued", "returned"):
            raise UserError(self.env._("Seal incidents are recorded while the bodycam is out or at its return."))
        remark = self._add_remark({"kind": "seal", "old_seal_number": (found_number or "").strip() or False,
                                   "new_seal_number": (new_number or "").strip() or False, "note": note})
        if new_number:
            self.camera_id._break_seal("broken")
            self.camera_id._apply_seal(new_number)
        return remark

    # ------------------------------------------------------------------ scan desk

    @api.model
    def desk_setup(self):
        """What the desk shows that the server defines, in the user's language: the pre-use
        checklist of item 16 and the labels of its measured values, and the states' names."""
        self._check_desk_user()
        Camera = self.env["mchs.bodycam.camera"]
        return {
            "checklist": [{"key": name, "label": self._fields[name]._description_string(self.env)}
                          for name in CHECKLIST],
            "labels": {name: self._fields[name]._description_string(self.env)
                       for name in ("battery_level", "clock_offset_seconds", "check_seal_number")},
            "help": {"clock_offset_seconds": self._fields["clock_offset_seconds"]._description_help(self.env)},
            "device_states": dict(Camera._fields["state"]._description_selection(self.env)),
            "entry_states": dict(self._fields["state"]._description_selection(self.env)),
        }

    @api.model
    def desk_scan(self, payload):
        """What the desk shows for a scanned label: a bodycam (with its cards, seal and the
        entry it is out under or waits to be downloaded and wiped under) or an inspector's badge;
        refusals come back in plain words."""
        self._check_desk_user()
        result = self.env["mchs.bodycam.qr"]._resolve(payload)
        if not result["ok"]:
            return result
        if result["model"] == "hr.employee":
            employee = self.env["hr.employee"].browse(result["id"])
            return {"ok": True, "kind": "inspector", "id": employee.id, "name": employee.name,
                    "payload": result["payload"]}
        if result["model"] != "mchs.bodycam.camera":
            return self.env["mchs.bodycam.qr"]._refuse(result["payload"], "wrong_kind", self.env._(
                "%s is a memory card: scan the bodycam it is installed in.", result["name"]))
        return dict(self._desk_camera(self.env["mchs.bodycam.camera"].browse(result["id"])), ok=True, kind="camera")

    @api.model
    def _desk_camera(self, camera):
        """The scanned bodycam as the desk shows it, with what its pre-use check compares to
        (item 16: the company's minimum battery, item 8: the seal on record)."""
        return {"id": camera.id, "inventory_number": camera.inventory_number, "state": camera.state,
                "seal_number": camera.seal_number or "", "cards": camera.card_ids.mapped("inventory_number"),
                "min_battery": camera.company_id.bodycam_min_battery, "entry": self._desk_entry(camera.id)}

    @api.model
    def _desk_entry(self, camera_id):
        """The summary of the row the bodycam is out under, or waits under for its download and
        wipe (items 5, 10), or False."""
        entry = self.search([("camera_id", "=", camera_id), ("state", "in", ACTIVE_STATES), ("struck", "=", False)],
                            limit=1)
        return entry._desk_summary() if entry else False

    def _desk_summary(self):
        self.ensure_one()
        recordings = self.recording_ids.filtered(lambda recording: recording.state == "stored").sorted("start")
        return {"id": self.id, "row_number": self.row_number, "state": self.state,
                "inspector": self.inspector_id.name, "inspector_id": self.inspector_id.id,
                "inventory_text": self.inventory_text, "display_name": self.display_name,
                "return_confirmed": bool(self.return_confirmed_at),
                # column 6, and whether the dock's upload filled it (items 10, 11)
                "download_time": self.download_datetime and self._local_time(self.download_datetime),
                "closed_time": self.closed_datetime and self._local_time(self.closed_datetime),
                "recordings": [{"id": recording.id, "name": recording.filename or recording.sha256[:12],
                                "start": self._local_time(recording.start or recording.device_start),
                                "dock": recording.dock_id.name or ""} for recording in recordings]}

    @api.model
    def desk_issue(self, camera_id, badge_payload, checklist):
        """Issue at the desk: the scanned bodycam, the scanned badge (the inspector's receipt)
        and the ticked checklist (item 16), in one transaction: all or nothing."""
        self._check_desk_user()
        inspector = self._desk_inspector(badge_payload)
        camera = self.env["mchs.bodycam.camera"].browse(camera_id).exists()
        if not camera:
            raise UserError(self.env._("Scan the bodycam first."))
        entry = self.create(dict(
            {key: value for key, value in (checklist or {}).items() if key in CHECK_FIELDS},
            camera_id=camera.id, inspector_id=inspector.id, department_id=camera.department_id.id))
        # the badge resolved to this entry's inspector: it is their confirmation (item 7)
        entry._set_confirmation("issue", "badge")
        entry.action_issue()
        return entry._desk_summary()

    @api.model
    def desk_return(self, camera_id, badge_payload=None):
        """Receive a bodycam back at the desk; the badge scan is the inspector's signature
        unless they already confirmed the return in their own session (item 10). The desk then
        goes on to the download and the wipe of the same row (desk_wipe)."""
        self._check_desk_user()
        entry = self.search([("camera_id", "=", camera_id), ("state", "=", "issued"), ("struck", "=", False)], limit=1)
        if not entry:
            raise UserError(self.env._("This bodycam is not out: there is nothing to receive."))
        if badge_payload:
            entry._confirm_by_badge(badge_payload, "return")
        entry.action_return()
        return entry._desk_summary()

    @api.model
    def desk_wipe(self, camera_id):
        """The end of a row at the desk, in one step (items 5, 10): the recordings of the duty are
        on the storage server (column 6, filled by the dock's first upload or now), both copies of
        each are verified, then the cards are wiped and the bodycam is available again."""
        self._check_desk_user()
        entry = self.search([("camera_id", "=", camera_id), ("state", "in", ("returned", "downloaded")),
                             ("struck", "=", False)], limit=1)
        if not entry:
            raise UserError(self.env._("This bodycam has no returned row waiting for its download and wipe."))
        if entry.state == "returned":
            if not entry.recording_ids:
                raise UserError(self.env._(
                    "No recording of row %(row)s has reached the storage server yet: put the bodycam in its "
                    "dock, or read its cards at the workstation, then scan it again (items 10, 11).",
                    row=entry.row_number))
            entry._mark_downloaded()
        entry.action_close()
        return dict(self._desk_camera(entry.camera_id), closed_entry=entry._desk_summary())

    @api.model
    def _check_desk_user(self):
        """The scan desk is the responsible person's (items 5, 7): others are refused at once."""
        if not (self.env.su or self.env.user.has_group("mchs_bodycam.group_bodycam_responsible")):
            raise AccessError(self.env._("The scan desk is the responsible person's (item 5)."))

    @api.model
    def _desk_inspector(self, badge_payload):
        """The inspector whose badge was scanned; a refused badge is in the scan log (item 6)."""
        qr = self.env["mchs.bodycam.qr"]
        result = qr._resolve(badge_payload)
        if not result["ok"]:
            raise UserError(result["message"])
        if result["model"] != "hr.employee":
            raise UserError(qr._refuse(result["payload"], "wrong_kind",
                                       self.env._("Scan the inspector's badge."))["message"])
        return self.env["hr.employee"].browse(result["id"])

    # ------------------------------------------------------------------ overdue returns (item 23)

    def _working_day_end(self):
        """End of the unit's working day of the issue date, in UTC (naive)."""
        self.ensure_one()
        calendar = self.department_id._bodycam_calendar()
        tz = self.department_id._bodycam_tz()
        day = self.department_id._bodycam_local_day(self.issue_datetime)
        day_start = tz.localize(datetime.combine(day, time.min))
        intervals = calendar._work_intervals_batch(day_start, day_start + timedelta(days=1))[False] \
            if calendar else []
        ends = [stop for _start, stop, _meta in intervals]
        end = max(ends) if ends else tz.localize(datetime.combine(day, time.max))
        return end.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _cron_flag_overdue_returns(self):
        now = fields.Datetime.now()
        for entry in self.search([("state", "=", "issued"), ("is_overdue", "=", False), ("struck", "=", False)]):
            if entry._working_day_end() > now:
                continue
            entry._lock_step({"is_overdue": True})
            entry._alert_head_and_responsible(
                "mchs_bodycam.mail_activity_type_overdue_return",
                self.env._("%(inspector)s has not returned bodycam %(camera)s (item 23).",
                           inspector=entry.inspector_id.name, camera=entry.camera_id.inventory_number))
