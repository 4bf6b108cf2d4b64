import base64
import json
from datetime import datetime, time, timedelta

import pytz

from odoo import SUPERUSER_ID, api, fields, models
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
    ("incident", "Closed by an incident"),
]
# The camera stays with its custody entry from issue until its cards are wiped (item 5).
ACTIVE_STATES = ("issued", "returned", "downloaded")
CONFIRMATION_METHODS = [("badge", "Badge scanned at the desk"), ("session", "In the inspector's own session"),
                        ("signature", "Qualified electronic signature at the desk")]
# issue 13: how long the inspector has to sign a desk step shown to them
DESK_SIGNING_WINDOW = timedelta(minutes=10)
# items 16 and 15 (and 8, 17): the pre-use checklist, in the order the desk shows it; the desk reads
# it from here (desk_scan's "checklist")
CHECKLIST = ["check_operable", "check_datetime", "check_quality", "check_inventory_label",
             "check_seal_intact", "check_placement", "check_badge_worn"]
# the pre-use check as entered at the desk (item 16): the checklist and its measured values
CHECK_FIELDS = set(CHECKLIST) | {"battery_level", "clock_offset_seconds", "check_seal_number"}
# item 9: what a signed row still receives after its issue, each fact once
LATER_FACTS = {"return_datetime", "received_by_id", "return_confirmed_at", "return_confirmation",
               "download_datetime", "closed_datetime", "struck"}
# recomputed as recordings arrive and when the duty closes (items 18, 19): derived, not signed
DERIVED_FIELDS = {"recording_gap_count", "duty_flags"}
# items 18, 19: what the check of a closed duty's recordings flags, in the order it prints
DUTY_FLAGS = ("no_recordings", "late_start", "break", "early_end")
# item 9: the facts of a row a correction may supersede
CORRECTABLE = ("camera_id", "card_ids", "inspector_id", "issue_datetime", "return_datetime", "download_datetime")


def _prefetched_columns(records):
    """The columns Odoo reads together when a field of ``records`` is first read (their prefetch)."""
    return [name for name, field in records._fields.items()
            if field.column_type and field.prefetch is True and field.is_accessible(records.env)]


def _moment(value, tz):
    """A naive UTC moment as printed in a journal row, in the time zone ``tz``."""
    return pytz.utc.localize(value).astimezone(tz).strftime("%d.%m.%Y %H:%M")


class MchsBodycamCustody(models.Model):
    """One row of the Appendix 1 journal: a bodycam and its cards issued to an inspector and
    taken back (items 7, 10, 16-18, 23); column 6 is filled when the recordings are downloaded."""

    _name = "mchs.bodycam.custody"
    _description = "Bodycam custody entry (Appendix 1 row)"
    _inherit = ["mail.thread", "mail.activity.mixin", "mchs.bodycam.lock.mixin"]
    _order = "journal_id, row_number desc, id desc"
    _check_company_auto = True
    _rec_name = "row_number"
    # issue 13: the inspector's receipt and return, signed at the desk when the company says so
    _signature_purposes = ("desk_issue", "desk_return")
    # item 9: a row is written in pen; once issued it only receives its later facts, once each
    # item 23: a loss or damage while the bodycam is out closes the row as an incident; its
    # recordings may still be downloaded from a damaged bodycam's cards
    _lock_changeable = {
        "draft": ALL,
        "issued": {"state", "is_overdue"} | LATER_FACTS | DERIVED_FIELDS,
        "returned": {"state", "download_datetime", "closed_datetime", "struck"} | DERIVED_FIELDS,
        "downloaded": {"state", "download_datetime", "closed_datetime", "struck"} | DERIVED_FIELDS,
        "closed": {"struck"} | DERIVED_FIELDS,
        "incident": {"download_datetime", "struck"} | DERIVED_FIELDS,
    }
    # the cards of a row are set once: at its issue, or when a correction rewrites it (item 9)
    _lock_fill_once = LATER_FACTS | {"card_ids"}
    _lock_transitions = {"draft": {"issued"}, "issued": {"returned", "incident"}, "returned": {"downloaded"},
                         "downloaded": {"closed"}, "closed": set(), "incident": set()}
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
    inspector_id = fields.Many2one("hr.employee", required=True, index=True,
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
    check_placement = fields.Boolean(
        string="Worn on the chest near the shoulder", help="Item 15: the bodycam is fixed on the chest near the "
                                                          "shoulder joint, not hindering the inspector's actions.")
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
    duty_flags = fields.Json(
        string="Recording check", compute="_compute_duty_flags", store=True, readonly=True, copy=False,
        groups="mchs_bodycam.group_bodycam_head,mchs_bodycam.group_bodycam_responsible,mchs_bodycam.group_bodycam_admin",
        help="Items 18, 19: the duty's recordings against its span (issue to return, minus declared pauses), as "
             "codes and moments: no recordings, a late start, an early end, breaks.")
    recording_gap_count = fields.Integer(
        string="Recording anomalies", compute="_compute_duty_flags", store=True,
        help="Items 18, 19: breaks between recordings that no declared pause explains, and once the duty is closed "
             "a duty without recordings, a late start or an early end.")
    duty_flags_text = fields.Text(
        string="Recording check (items 18, 19)", compute="_compute_duty_flags_text",
        groups="mchs_bodycam.group_bodycam_head,mchs_bodycam.group_bodycam_responsible,mchs_bodycam.group_bodycam_admin")
    remarks_text = fields.Text(
        string="Remarks", compute="_compute_remarks_text",
        help="Column 7: pauses, failures, corrections, seal incidents, losses and damage, and the check of the "
             "recordings, in order.")
    has_unacknowledged_pause = fields.Boolean(compute="_compute_open_remarks", string="Pause to acknowledge")
    is_overdue = fields.Boolean(string="Overdue", readonly=True, copy=False, index=True,
                                help="Not returned by the end of the working day (item 23).")

    _sql_constraints = [
        ("row_number_uniq", "unique(journal_id, row_number)", "This row number is already used in the book."),
        ("battery_range", "CHECK(battery_level >= 0 AND battery_level <= 100)", "Battery level is a percentage."),
        ("issued_has_row", "CHECK(state = 'draft' OR (journal_id IS NOT NULL AND row_number IS NOT NULL))",
         "An issued entry is a numbered row of a journal book (item 9)."),
    ]

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
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

    @api.depends("remark_ids.pause_end", "remark_ids.resolution", "remark_ids.acknowledged_at")
    def _compute_open_remarks(self):
        for entry in self:
            entry.is_paused = bool(entry._open_remark("pause"))
            entry.has_open_failure = bool(entry._open_remark("failure"))
            entry.has_unacknowledged_pause = bool(entry._unacknowledged_pauses())

    def _unacknowledged_pauses(self):
        """item 20: the pauses the responsible person has not acknowledged yet."""
        return self.remark_ids.filtered(lambda remark: remark.kind == "pause" and not remark.acknowledged_at)

    def _open_remark(self, kind):
        """The pause not yet resumed (item 20) or the failure not yet resolved (item 21)."""
        still_open = {"pause": lambda r: r.kind == "pause" and not r.pause_end,
                      "failure": lambda r: r.kind == "failure" and not r.resolution}[kind]
        return self.remark_ids.filtered(still_open)[:1]

    # Recordings and pauses come after the issue; the row's state and times count once its cards are
    # wiped (closed_datetime), when they are frozen (item 9): the issue and the return change nothing
    # here and recompute nothing.
    @api.depends("recording_ids.start", "recording_ids.end", "remark_ids.pause_start", "remark_ids.pause_end",
                 "closed_datetime", "company_id.bodycam_max_gap_minutes")
    def _compute_duty_flags(self):
        for entry in self:
            flags = entry._duty_check() if entry.state != "draft" else []
            entry.duty_flags = flags or False
            entry.recording_gap_count = len(flags)

    def _duty_recordings(self):
        """The duty's recordings: its own, and those of the rows it corrects (they were recorded
        under the struck row, item 9)."""
        self.ensure_one()
        corrected = self.remark_ids.filtered(lambda r: r.kind == "correction" and not self.struck).related_custody_id
        return (self.recording_ids | corrected.recording_ids).sorted("start")

    def _duty_pauses(self):
        return [(r.pause_start, r.pause_end or r.pause_start) for r in self.remark_ids if r.kind == "pause"]

    def _duty_check(self):
        """Items 18, 19: the duty's recordings against its span, from the issue to the return minus
        the declared pauses (item 20). Breaks between recordings are flagged as they arrive; once the
        duty is closed (its cards wiped: every recording is in), a duty without recordings, a late
        start and an early end too. Each flag is a code with its moments (UTC), put in words when
        shown or printed."""
        self.ensure_one()
        closed = self.state == "closed" and self.issue_datetime and self.return_datetime
        recordings = self._duty_recordings().filtered(lambda r: r.start and r.end)
        if not closed and len(recordings) < 2:
            return []  # until the duty closes only breaks between recordings are flagged
        tolerance = timedelta(minutes=self.company_id.bodycam_max_gap_minutes or 5)
        pauses = self._duty_pauses()

        def unexplained(start, end):
            return end - start > tolerance and not any(
                pause_start <= start + tolerance and pause_end >= end - tolerance for pause_start, pause_end in pauses)

        flags = []

        def flag(kind, start=None, end=None):
            flags.append({"kind": kind, "start": fields.Datetime.to_string(start) if start else False,
                          "end": fields.Datetime.to_string(end) if end else False})

        if closed and not recordings:
            flag("no_recordings", self.issue_datetime, self.return_datetime)
            return flags
        if closed and unexplained(self.issue_datetime, recordings[0].start):
            flag("late_start", self.issue_datetime, recordings[0].start)
        for before, after in zip(recordings, recordings[1:]):
            if unexplained(before.end, after.start):
                flag("break", before.end, after.start)
        if closed and unexplained(max(recordings.mapped("end")), self.return_datetime):
            flag("early_end", max(recordings.mapped("end")), self.return_datetime)
        return flags

    def _duty_flag_lines(self):
        """The duty's flags in words, in the environment's language and the unit's time (column 7)."""
        self.ensure_one()
        return self._duty_flag_texts(self.sudo().duty_flags, self.department_id._bodycam_tz())

    @api.model
    def _duty_flag_texts(self, duty_flags, tz):
        """Flags stored as ``duty_flags`` in words, in the environment's language, their moments in
        the time zone ``tz`` (the row's unit's); the journal reports call it with the flags they
        read in one query per batch of rows."""
        labels = {
            "no_recordings": self.env._("no recording during the duty (%(start)s - %(end)s)"),
            "late_start": self.env._("recording started late: %(start)s - %(end)s, %(minutes)s min"),
            "break": self.env._("break in recording: %(start)s - %(end)s, %(minutes)s min"),
            "early_end": self.env._("recording ended early: %(start)s - %(end)s, %(minutes)s min"),
        }
        lines = []
        for item in duty_flags or []:
            start, end = (fields.Datetime.to_datetime(item.get(key)) for key in ("start", "end"))
            minutes = int((end - start).total_seconds() // 60) if start and end else 0
            text = labels.get(item.get("kind"), item.get("kind") or "") % {
                "start": _moment(start, tz) if start else "…", "end": _moment(end, tz) if end else "…",
                "minutes": minutes}
            lines.append(self.env._("Recording check (items 18, 19): %s", text))
        return lines

    @api.depends("duty_flags")
    @api.depends_context("lang")
    def _compute_duty_flags_text(self):
        for entry in self:
            entry.duty_flags_text = "\n".join(entry._duty_flag_lines()) or False

    def _local_time(self, value):
        """In the unit's time, whoever reads: a journal row reads the same for everyone."""
        return _moment(value, self.department_id._bodycam_tz())

    def _column7_lines(self):
        """Column 7 of the row in the environment's language: its remarks, then the check of its
        recordings (items 9, 18-21, 23)."""
        self.ensure_one()
        return [remark._text() for remark in self.remark_ids] + self._duty_flag_lines()

    @api.depends("remark_ids.text", "struck", "duty_flags")
    @api.depends_context("lang")
    def _compute_remarks_text(self):
        for entry in self:
            entry.remarks_text = "\n".join(entry._column7_lines()) or False

    def _compute_display_name(self):
        for entry in self:
            number = entry.row_number or self.env._("draft")
            entry.display_name = f"№ {number} · {entry.camera_id.inventory_number or ''} · {entry.inspector_id.name or ''}"

    @api.model_create_multi
    def create(self, vals_list):
        # Nobody follows a row for having written it: only the unit's responsible persons may post
        # on it (write access), and a follower is not told of their own posts; what the journal
        # tells people goes through activities (items 20, 21, 23).
        entries = super(MchsBodycamCustody, self.with_context(mail_create_nosubscribe=True)).create(vals_list)
        entries = entries.with_env(self.env)
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
        for unit in self.department_id:
            today = unit._bodycam_today()
            if unit._bodycam_is_designated(self.env.user, ["responsible"], today):
                continue
            responsible = unit._bodycam_person_at("responsible", today)
            raise UserError(self.env._(
                "Only the responsible person of %(unit)s (%(person)s) issues and receives bodycams (item 5).",
                unit=unit.display_name, person=responsible.name or self.env._("nobody designated")))

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

    def _prefetch_devices(self, cards=None):
        """The row's bodycam and ``cards`` (by default the row's), with the equipment of all of them
        read in one query: a step on the devices first reads their tracked fields, the equipment's
        among them, and would otherwise read each device's equipment apart. (The first field read
        of a record not in the cache reads the fields of every record of its recordset.)"""
        self.ensure_one()
        camera = self.camera_id
        # the cards' ids as stored: reading the row's cards filters out archived ones, which reads
        # their equipment (the active flag is the equipment's)
        all_cards = self.with_context(active_test=False).card_ids if cards is None else cards
        (camera.equipment_id | all_cards.equipment_id).mapped("name")
        return camera, self.card_ids if cards is None else cards

    def _lock_devices(self):
        """Row locks on the bodycams and the cards in them, in one statement: two desks issuing
        them at once wait for each other, and the second one's request then fails on the rows the
        first changed (Odoo's transactions are REPEATABLE READ: a row changed since the request
        began cannot be locked) and is retried, when it sees them out. Returns {bodycam id: the
        cards installed in it}."""
        # the cards' places as this transaction has them (a card put in just now included); every
        # bodycam row is read (and locked) by the outer join, every card row by the join
        self.env["mchs.bodycam.card"].flush_model(["camera_id"])
        self.env.cr.execute(SQL("""
            WITH camera AS (SELECT id FROM mchs_bodycam_camera WHERE id = ANY(%s) ORDER BY id FOR UPDATE),
                 card AS (SELECT id, camera_id FROM mchs_bodycam_card WHERE camera_id IN (SELECT id FROM camera)
                           ORDER BY id FOR UPDATE)
            SELECT camera.id, array_remove(array_agg(card.id ORDER BY card.id), NULL)
              FROM camera LEFT JOIN card ON card.camera_id = camera.id GROUP BY camera.id
        """, self.camera_id.ids))
        Card = self.env["mchs.bodycam.card"]
        return {camera_id: Card.browse(card_ids) for camera_id, card_ids in self.env.cr.fetchall()}

    def _check_not_struck(self):
        for entry in self:
            if entry.struck:
                raise UserError(self.env._(
                    "Row %s is struck through: it holds nothing; use the row that corrects it (item 9).",
                    entry.row_number))

    def _check_inspector_free(self, inspector=None):
        """An inspector holds one bodycam at a time (items 7, 23); ``inspector``: the one a
        correction would write on the row instead."""
        for entry in self:
            holder = inspector or entry.inspector_id
            held = self.search([("inspector_id", "=", holder.id), ("state", "=", "issued"),
                                ("struck", "=", False), ("id", "!=", entry.id)], limit=1)
            if held:
                raise UserError(self.env._(
                    "%(inspector)s already holds bodycam %(camera)s; it must be returned first (item 23).",
                    inspector=holder.name, camera=held.camera_id.inventory_number))

    # ------------------------------------------------------------------ confirmations

    def _confirm_by_badge(self, payload, moment):
        """The inspector scans their own badge at the desk: their "signature" (items 7, 10).
        ``moment`` is 'issue' or 'return'."""
        self.ensure_one()
        self._check_own_badge(payload)
        self._set_confirmation(moment, "badge")

    def _check_own_badge(self, payload):
        """The badge scanned is the row's inspector's own (items 7, 10); another is refused and logged."""
        self.ensure_one()
        if self._desk_inspector(payload) != self.inspector_id:
            raise UserError(self.env["mchs.bodycam.qr"]._refuse((payload or "").strip(), "wrong_person", self.env._(
                "This is not the badge of %s: only the inspector confirms with their own badge.",
                self.inspector_id.name))["message"])

    @api.model
    def _confirmation_values(self, moment, method):
        prefix = "issue" if moment == "issue" else "return"
        return {f"{prefix}_confirmed_at": fields.Datetime.now(), f"{prefix}_confirmation": method}

    def _set_confirmation(self, moment, method):
        self._check_not_struck()
        # sudo: the inspector confirms their own entry, on which they have no write access;
        # the caller checked who they are.
        self.sudo().write(self._confirmation_values(moment, method))

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
        installed = self._lock_devices()
        for entry in self:
            camera = entry.camera_id
            cards = installed.get(camera.id, self.env["mchs.bodycam.card"])
            entry._prefetch_devices(cards)
            camera._check_issuable()
            cards._check_issuable()
            if not cards:
                raise UserError(self.env._("%s has no memory card installed.", camera.display_name))
            entry._check_inspector_free()
            entry._check_checklist()
            if not entry.issue_confirmed_at:
                raise UserError(self.env._(
                    "%s has not confirmed receipt: scan their badge or let them confirm in their own "
                    "session (item 7).", entry.inspector_id.name))
            journal = entry._custody_book()
            # one step of the row and its devices: the user's right to write each, in one query
            self._lock_check_access_all("write", entry, camera, cards)
            entry._lock_step({
                "state": "issued",
                "journal_id": journal.id,
                "row_number": journal._take_row_number(),
                "card_ids": [(6, 0, cards.ids)],
                "inventory_text": self._inventory_text(camera, cards),
                "seal_number": camera.seal_number,
                "issue_datetime": fields.Datetime.now(),
                "issued_by_id": self.env.uid,
            })
            camera._step_issued(entry.inspector_id)
            cards._cards_following_their_bodycam()._step_issued(entry.inspector_id)

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
        self._return()

    def _return(self, badge_payload=None, signed=False):
        """The return of item 10; ``badge_payload``: the inspector's badge scanned at the desk now,
        their confirmation of the return, signed with it in the same step; ``signed``: confirmed
        by their qualified signature at the desk instead, verified by the caller (issue 13)."""
        self._check_not_struck()
        for entry in self:
            if entry.state != "issued":
                raise UserError(self.env._("Only an issued bodycam can be returned."))
            if badge_payload:
                entry._check_own_badge(badge_payload)
            elif not signed and not entry.return_confirmed_at:
                raise UserError(self.env._(
                    "%s has not confirmed the return: scan their badge or let them confirm in their own "
                    "session (item 10).", entry.inspector_id.name))
        self._check_responsible_person()
        method = "signature" if signed else "badge" if badge_payload else None
        self._take_back(self._confirmation_values("return", method) if method else {})

    def _take_back(self, values=None):
        """The responsible person has the bodycam and its cards back: the entry is returned,
        no longer overdue (item 23). ``values``: more facts of the same step."""
        for entry in self:
            # the holder from now on; its name goes into the devices' tracking
            receiver = self.env["hr.employee"].search_fetch(
                [("user_id", "=", self.env.uid), ("department_id", "=", entry.department_id.id)],
                ["name", "company_id", "department_id", "user_id"], limit=1)
            # only a row flagged overdue has the overdue activity (_cron_flag_overdue_returns)
            was_overdue = entry.is_overdue
            camera, cards = entry._prefetch_devices()
            # one step of the row and its devices: the user's right to write each, in one query
            self._lock_check_access_all("write", entry, camera, cards)
            entry._lock_step(dict(values or {}, state="returned", return_datetime=fields.Datetime.now(),
                                  received_by_id=self.env.uid, is_overdue=False))
            camera._lock_step({"employee_id": receiver.id})
            cards._cards_following_their_bodycam()._lock_step({"employee_id": receiver.id})
            if was_overdue:
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
            entry._alert_duty_flags()

    def _alert_duty_flags(self):
        """Items 18, 19: the duty is closed and its recordings do not cover it: the head and the
        responsible person get an activity saying what (in the unit's language: it is stored)."""
        self.ensure_one()
        self.flush_recordset(["duty_flags"])
        lines = self.with_env(self.department_id._bodycam_env())._duty_flag_lines()
        if lines:
            self._alert_head_and_responsible("mchs_bodycam.mail_activity_type_recording_check", "\n".join(lines))

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

    def _unit_env(self):
        """What the system stores for the row (chatter, notes) is in its unit's language."""
        return self.department_id._bodycam_env()

    def _check_announced(self, moment, after, label):
        """item 20: a time the inspector announced on the recording, entered by them: not before
        ``after``, not in the future."""
        if not moment:
            raise UserError(self.env._("Enter the time announced on the recording (item 20)."))
        moment = fields.Datetime.to_datetime(moment)
        if moment > fields.Datetime.now() + timedelta(minutes=1):
            raise UserError(self.env._(
                "The time announced (%(time)s) is in the future: enter the time said on the recording (item 20).",
                time=self._local_time(moment)))
        if after and moment < after:
            raise UserError(self.env._(
                "The time announced (%(time)s) is before %(what)s (%(after)s) (item 20).",
                time=self._local_time(moment), what=label, after=self._local_time(after)))
        return moment

    def _pause(self, reason, announced_at=None):
        """item 20: a meal or sanitary pause, its time announced on the recording and entered by
        the inspector; the responsible person is informed (an activity to acknowledge) and the
        remark goes into column 7."""
        self.ensure_one()
        self._check_open_entry()
        self._check_inspector_or_responsible()
        if self._open_remark("pause"):
            raise UserError(self.env._("The recording is already paused; resume it first."))
        announced_at = self._check_announced(announced_at or fields.Datetime.now(), self.issue_datetime,
                                             self.env._("the issue of the bodycam"))
        unit = self.department_id
        responsible = unit._bodycam_person_at("responsible", unit._bodycam_today())
        remark = self._add_remark({"kind": "pause", "pause_reason": reason, "pause_start": announced_at,
                                   "informed_employee_id": responsible.id})
        self._notify_pause(remark)
        return remark

    def _notify_pause(self, remark):
        """item 20: the responsible person is told of a pause or a resume, and acknowledges it."""
        text = remark.with_env(self._unit_env())._text()
        self.sudo()._message_log(body=text)
        person = remark.informed_employee_id
        if person.user_id and not remark.acknowledged_at:
            self.activity_unlink(["mchs_bodycam.mail_activity_type_pause"])
            self.with_user(SUPERUSER_ID).activity_schedule(
                "mchs_bodycam.mail_activity_type_pause", user_id=person.user_id.id, note=text)

    def action_open_remark_wizard(self):
        self.ensure_one()
        self.check_access("read")
        mode = self.env.context.get("remark_mode", "pause")
        context = {"default_custody_id": self.id, "default_mode": mode}
        if mode == "correction":
            # the row's facts, for the responsible person to change the wrong one (item 9)
            context.update({
                "default_inspector_id": self.inspector_id.id, "default_camera_id": self.camera_id.id,
                "default_card_ids": [(6, 0, self.card_ids.ids)],
                "default_issue_datetime": fields.Datetime.to_string(self.issue_datetime),
                "default_return_datetime": fields.Datetime.to_string(self.return_datetime),
                "default_download_datetime": fields.Datetime.to_string(self.download_datetime)})
        return {
            "type": "ir.actions.act_window", "res_model": "mchs.bodycam.custody.remark.wizard",
            "view_mode": "form", "target": "new", "name": self.env._("Remark"), "context": context,
        }

    def action_resume(self):
        """item 20: the inspector enters the time they announced on the recording (a form)."""
        self.ensure_one()
        self._check_inspector_or_responsible()
        if not self._open_remark("pause"):
            raise UserError(self.env._("The recording is not paused."))
        return self.with_context(remark_mode="resume").action_open_remark_wizard()

    def _resume(self, announced_at):
        """item 20: the recording resumes at the time the inspector announced on it; the
        responsible person is told."""
        self.ensure_one()
        self._check_inspector_or_responsible()
        pause = self._open_remark("pause")
        if not pause:
            raise UserError(self.env._("The recording is not paused."))
        announced_at = self._check_announced(announced_at, pause.pause_start, self.env._("the pause"))
        # sudo: the inspector resumes on their own entry (checked above), with no write access
        pause.sudo().write({"pause_end": announced_at, "resume_entered_at": fields.Datetime.now(),
                            "resumed_by_id": self.env.uid})
        self._notify_pause(pause)
        return pause

    def action_acknowledge_pause(self):
        """item 20: the responsible person acknowledges the pauses they were told of."""
        self.ensure_one()
        self._check_responsible_person()
        pauses = self._unacknowledged_pauses()
        if not pauses:
            raise UserError(self.env._("There is no pause to acknowledge on this row."))
        pauses._lock_write({"acknowledged_at": fields.Datetime.now(), "acknowledged_by_id": self.env.uid})
        self.activity_unlink(["mchs_bodycam.mail_activity_type_pause"])
        self.sudo()._message_log(body="\n".join(pauses.with_env(self._unit_env()).mapped(lambda r: r._text())))

    def _report_failure(self, cause):
        """item 21: the inspector reports a failure at once; the head and the responsible person
        are notified immediately."""
        self.ensure_one()
        self._check_open_entry()
        self._check_inspector_or_responsible()
        if not (cause or "").strip():
            raise UserError(self.env._("Describe the failure."))
        remark = self._add_remark({"kind": "failure", "reported_at": fields.Datetime.now(), "cause": cause.strip()})
        self._alert_head_and_responsible("mchs_bodycam.mail_activity_type_failure",
                                         remark.with_env(self._unit_env())._text())
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
        request = self.camera_id._send_to_repair()
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

    def _correct(self, note, badge_payload=None, **facts):
        """item 9: a wrong row is struck through, never edited; a new row carries the right facts
        (``facts``: any of CORRECTABLE, the values as a person enters them), and a remark signed by
        the responsible person on each row links the two. The new row carries its own signatures:
        the inspector's receipt and return confirmations stand when the inspector stays; a different
        inspector confirms the new row with their own badge (``badge_payload``). While the bodycam
        is out, the devices follow the corrected row."""
        self.ensure_one()
        self._check_responsible_person()
        if self.state == "draft" or self.struck:
            raise UserError(self.env._("Only a journal row that is not struck through can be corrected."))
        if not (note or "").strip():
            raise UserError(self.env._("Say what was wrong (item 9)."))
        values = self._corrected_values(facts)
        changed = [name for name in CORRECTABLE if name in values]
        if not changed:
            raise UserError(self.env._(
                "Nothing differs from row %s: change the wrong fact before signing the correction (item 9).",
                self.row_number))
        inspector = self.env["hr.employee"].browse(values.get("inspector_id", self.inspector_id.id))
        camera = self.env["mchs.bodycam.camera"].browse(values.get("camera_id", self.camera_id.id))
        cards = self.env["mchs.bodycam.card"].browse(values.get("card_ids", self.card_ids.ids))
        signatures = self._corrected_signatures(inspector, badge_payload)
        if self.state == "issued" and inspector != self.inspector_id:
            self._check_inspector_free(inspector)
        journal = self._custody_book()
        self._lock_write({"struck": True})
        self.flush_recordset(["struck"])
        if self.state in ACTIVE_STATES:
            self._move_devices(inspector, camera, cards)
        # sudo: the new row takes the facts of the struck one and the corrected ones, checked above
        corrected = self.sudo().copy(dict(
            signatures, inspector_id=inspector.id, camera_id=camera.id, journal_id=journal.id,
            row_number=journal._take_row_number(), state=self.state, card_ids=[(6, 0, cards.ids)],
            inventory_text=self._inventory_text(camera, cards), seal_number=self.seal_number,
            issue_datetime=values.get("issue_datetime", self.issue_datetime), issued_by_id=self.issued_by_id.id,
            return_datetime=values.get("return_datetime", self.return_datetime), received_by_id=self.received_by_id.id,
            download_datetime=values.get("download_datetime", self.download_datetime),
            closed_datetime=self.closed_datetime, replaces_custody_id=self.replaces_custody_id.id,
            is_overdue=self.is_overdue)).sudo(False)
        corrected_fields = ",".join(changed)
        for entry, other in ((self, corrected), (corrected, self)):
            entry._add_remark({"kind": "correction", "related_custody_id": other.id, "note": note.strip(),
                               "corrected_fields": corrected_fields})
        return corrected

    def _corrected_values(self, facts):
        """The facts that differ from the row, checked (item 9)."""
        unknown = set(facts) - set(CORRECTABLE)
        if unknown:
            raise UserError(self.env._("%s cannot be corrected on a journal row.", ", ".join(sorted(unknown))))
        values = {}
        for name, value in facts.items():
            field = self._fields[name]
            if field.type == "many2one":
                value = value.id if isinstance(value, models.BaseModel) else (value or False)
                if value and value != self[name].id:
                    values[name] = value
            elif field.type == "many2many":
                value = sorted(value.ids if isinstance(value, models.BaseModel) else (value or []))
                if value and value != sorted(self[name].ids):
                    values[name] = value
            else:
                value = fields.Datetime.to_datetime(value) if value else False
                if value and value != self[name]:
                    if not self[name]:
                        raise UserError(self.env._(
                            "Row %(row)s has no %(fact)s yet: it is written by its own step, not by a correction "
                            "(item 9).", row=self.row_number, fact=field._description_string(self.env)))
                    values[name] = value
        self._check_corrected_facts(values)
        return values

    def _check_corrected_facts(self, values):
        unit = self.department_id
        camera = self.env["mchs.bodycam.camera"].browse(values.get("camera_id", self.camera_id.id))
        cards = self.env["mchs.bodycam.card"].browse(values["card_ids"]) if "card_ids" in values else \
            (camera.card_ids if "camera_id" in values else self.card_ids)
        if "camera_id" in values and "card_ids" not in values:
            values["card_ids"] = cards.ids
        inspector = self.env["hr.employee"].browse(values.get("inspector_id", self.inspector_id.id))
        if camera.department_id != unit or cards.department_id - unit or inspector.department_id != unit:
            raise UserError(self.env._("The corrected bodycam, cards and inspector belong to %s (item 9).",
                                       unit.display_name))
        if not cards:
            raise UserError(self.env._("A journal row names the bodycam's memory cards (item 6)."))
        moments = [values.get(name, self[name]) for name in ("issue_datetime", "return_datetime", "download_datetime")]
        present = [moment for moment in moments if moment]
        if present != sorted(present):
            raise UserError(self.env._("The corrected times are out of order: the issue comes before the return, "
                                       "the return before the download (item 9)."))
        if present and present[-1] > fields.Datetime.now():
            raise UserError(self.env._("A corrected time is in the future (item 9)."))

    def _corrected_signatures(self, inspector, badge_payload):
        """Columns 4 and 5 of the new row: the inspector's confirmations stand for the same
        inspector; another inspector confirms with their own badge, scanned now (items 7, 9, 10)."""
        signed = {f"{moment}_{part}": self[f"{moment}_{part}"] for moment in ("issue", "return")
                  for part in ("confirmed_at", "confirmation")}
        if inspector == self.inspector_id:
            return signed
        if not badge_payload:
            raise UserError(self.env._(
                "%s confirms the corrected row with their own badge: scan it (items 7, 9).", inspector.name))
        if self._desk_inspector(badge_payload) != inspector:
            raise UserError(self.env["mchs.bodycam.qr"]._refuse((badge_payload or "").strip(), "wrong_person", self.env._(
                "This is not the badge of %s: only the inspector confirms with their own badge.",
                inspector.name))["message"])
        now = fields.Datetime.now()
        return {"issue_confirmed_at": now, "issue_confirmation": "badge",
                "return_confirmed_at": now if self.return_datetime else False,
                "return_confirmation": "badge" if self.return_datetime else False}

    def _move_devices(self, inspector, camera, cards):
        """While the bodycam is out, the devices follow the corrected row (items 7, 9): those
        written by mistake come back, the right ones go out under the new row."""
        holder = inspector if self.state == "issued" else self.camera_id.employee_id
        self._lock_devices()
        for wrong, right in ((self.camera_id, camera), (self.card_ids, cards)):
            wrong.invalidate_recordset(["state", "employee_id"])
            (wrong - right).filtered(lambda device: device.state == "issued")._mark_returned()
            for device in right - wrong:
                device._mark_issued(holder)
            (right & wrong).filtered(lambda device: device.state == "issued" and device.employee_id != holder) \
                ._lock_write({"employee_id": holder.id})

    @staticmethod
    def _inventory_text(camera, cards):
        """Column 2: the bodycam's inventory number and its cards'."""
        return f"{camera.inventory_number} ({', '.join(cards.sorted('inventory_number').mapped('inventory_number'))})"

    # ------------------------------------------------------------------ loss and damage (item 23)

    def _report_incident(self, kind, note):
        """item 23: the bodycam (and its cards) lost or damaged while out: a signed remark in
        column 7 closes the row as an incident, the head and the responsible person are alerted,
        and the bodycam goes out of service (lost, or to repair)."""
        self.ensure_one()
        self._check_open_entry()
        self._check_inspector_or_responsible()
        if kind not in ("loss", "damage"):
            raise UserError(self.env._("Report a loss or a damage (item 23)."))
        if not (note or "").strip():
            raise UserError(self.env._("Say what happened: where, when and how (item 23)."))
        now = fields.Datetime.now()
        remark = self._add_remark({"kind": "incident", "incident_kind": kind, "reported_at": now,
                                   "note": note.strip()})
        # sudo: the inspector reports on their own entry (checked above); the step is the row's own
        self.sudo()._lock_step({"state": "incident", "closed_datetime": now, "is_overdue": False})
        unit_env = self._unit_env()
        camera, cards = self.camera_id.sudo(), self.card_ids.sudo()
        if kind == "loss":
            camera._mark_lost()
            cards._mark_lost()
        else:
            request = camera.with_env(unit_env).sudo()._send_to_repair()
            request.description = note.strip()
            cards.filtered(lambda card: card.state == "issued")._mark_returned()
        self.activity_unlink(["mchs_bodycam.mail_activity_type_overdue_return", "mchs_bodycam.mail_activity_type_pause"])
        self._alert_head_and_responsible("mchs_bodycam.mail_activity_type_incident",
                                         remark.with_env(unit_env)._text())
        return remark

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
            "checklist": [{"key": name, "label": self._fields[name]._description_string(self.env),
                           "help": self._fields[name]._description_help(self.env) or ""} for name in CHECKLIST],
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
        entry = self._desk_row(camera_id, ACTIVE_STATES)
        return entry._desk_summary() if entry else False

    @api.model
    def _desk_row(self, camera_id, states):
        """The row the bodycam is under in one of ``states`` (not struck), read with the search, with
        its cards and recordings (what the desk's steps and summary read of it)."""
        return self.search_fetch([("camera_id", "=", camera_id), ("state", "in", list(states)), ("struck", "=", False)],
                                 _prefetched_columns(self) + ["card_ids", "recording_ids"], limit=1)

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
    def desk_issue(self, camera_id, badge_payload, checklist, signature=None, moment=None):
        """Issue at the desk: the scanned bodycam, the scanned badge (the inspector's receipt)
        and the ticked checklist (item 16), in one transaction: all or nothing.

        When the company has inspectors sign at the desk (issue 13), the receipt is the
        inspector's qualified signature: called without ``signature``, this returns
        ``{"sign": ...}``, the bytes to sign and their ``moment``; called again with NCALayer's
        CMS and that moment, it issues the row once the signature has verified."""
        self._check_desk_user()
        inspector = self._desk_inspector(badge_payload)
        Camera = self.env["mchs.bodycam.camera"]
        # a bodycam the user may not read is not one they scanned
        camera = Camera.search_fetch([("id", "=", camera_id)], _prefetched_columns(Camera)) if camera_id else Camera
        if not camera:
            raise UserError(self.env._("Scan the bodycam first."))
        values = dict({key: value for key, value in (checklist or {}).items() if key in CHECK_FIELDS},
                      camera_id=camera.id, inspector_id=inspector.id, department_id=camera.department_id.id)
        signing = self._desk_signing(camera.company_id, signature)
        if signing and not signature:
            return self._desk_issue_request(values)
        if signing:
            verified, data = self._desk_issue_verified(values, signature, moment)
        # no "created" note in the row's chatter: the row is issued in this same request, and its
        # issue is in the row itself and in the Appendix 1 chain (mail_create_nolog)
        entry = self.with_context(mail_create_nolog=True).create(values)
        # the badge resolved to this entry's inspector: it is their confirmation (item 7)
        entry._set_confirmation("issue", "signature" if signing else "badge")
        entry.action_issue()
        if signing:
            entry._desk_record_signature("issue", data, signature, verified)
        return entry._desk_summary()

    @api.model
    def desk_return(self, camera_id, badge_payload=None, signature=None, moment=None):
        """Receive a bodycam back at the desk; the badge scan is the inspector's signature
        unless they already confirmed the return in their own session (item 10). The desk then
        goes on to the download and the wipe of the same row (desk_wipe).

        When the company has inspectors sign at the desk (issue 13), the return is the
        inspector's qualified signature, asked and given as for desk_issue."""
        self._check_desk_user()
        entry = self._desk_row(camera_id, ("issued",))
        if not entry:
            raise UserError(self.env._("This bodycam is not out: there is nothing to receive."))
        if not self._desk_signing(entry.company_id, signature):
            entry._return(badge_payload)
            return entry._desk_summary()
        if badge_payload:
            entry._check_own_badge(badge_payload)
        entry._check_responsible_person()
        if not signature:
            return entry._desk_sign_request("return", entry._desk_moment(), entry.row_number)
        data = entry._desk_signed_bytes("return", self._desk_signed_moment(moment), entry.row_number)
        verified = self.env["mchs.bodycam.signature"]._verified(
            entry, "desk_return", entry.inspector_id, data, signature, signed_after=self._desk_moment_of(moment))
        entry._return(signed=True)
        entry._desk_record_signature("return", data, signature, verified)
        return entry._desk_summary()

    # ------------------------------------------------------------------ the inspector signs at the desk (issue 13)

    @api.model
    def _desk_signing(self, company, signature=None):
        """Whether the inspector signs the desk's steps with their NCA key (issue 13, the second
        setting); a signature sent while it is off is refused."""
        signing = company.bodycam_sign_desk and company.bodycam_signing
        if signature and not signing:
            raise UserError(self.env._("Inspectors do not sign at the desk in this company: scan the badge."))
        return signing

    @api.model
    def _desk_moment(self):
        """The moment the inspector signs for, as it is written in the signed bytes (UTC)."""
        return fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    @api.model
    def _desk_moment_of(self, moment):
        try:
            return datetime.strptime(moment or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=pytz.utc)
        except ValueError:
            raise UserError(self.env._("The signature came without the moment it signs: sign again.")) from None

    @api.model
    def _desk_signed_moment(self, moment):
        """The moment the browser was asked to sign, if recent: a signature is for the step now."""
        at = self._desk_moment_of(moment).replace(tzinfo=None)
        now = fields.Datetime.now()
        if not now - DESK_SIGNING_WINDOW <= at <= now + timedelta(minutes=1):
            raise UserError(self.env._("The signing request of %(moment)s UTC is no longer valid: sign again.",
                                       moment=at.strftime("%d.%m.%Y %H:%M")))
        return moment

    def _desk_signed_bytes(self, step, moment, row_number):
        """What the inspector signs for the receipt ("issue", column 4) or the return ("return",
        column 5) of this row: canonical JSON of the row step (issue 13). A row to issue (not
        saved yet) is named by its book and the number it takes; a row to return by its id too."""
        self.ensure_one()
        # sudo: the unit's code and the book's number are what the inspector signs, whoever looks
        unit = self.department_id.sudo().with_context(lang="en_US")
        book = self.journal_id.sudo() or self.sudo()._custody_book()
        facts = {
            "regulation": "Order No. 495, items 7, 9 (Appendix 1, column 4)" if step == "issue"
            else "Order No. 495, items 9, 10 (Appendix 1, column 5)",
            "step": step, "moment": moment, "unit": unit.name or "", "unit_code": unit.bodycam_code or "",
            "row": {"book": book.registration_number or "", "number": row_number,
                    "id": self.id if step == "return" else None},
            "bodycam": self.camera_id.inventory_number,
            "cards": sorted((self.card_ids or self.camera_id.card_ids).mapped("inventory_number")),
            "inspector": {"name": self.inspector_id.name, "iin": self.inspector_id._bodycam_iin()},
        }
        document = self if step == "return" else self.browse()
        return self.env["mchs.bodycam.signature"]._signed_bytes(document, f"desk_{step}", facts)

    def _desk_sign_request(self, step, moment, row_number):
        """The desk's signing request (static/src/scan_desk): the bytes, their moment and where
        NCALayer is."""
        self.ensure_one()
        company = self.company_id or self.department_id.company_id
        return {"sign": {
            "step": step, "moment": moment, "signer": self.inspector_id.name,
            "data": base64.b64encode(self._desk_signed_bytes(step, moment, row_number)).decode(),
            "url": company.bodycam_ncalayer_url, "locale": "ru" if (self.env.lang or "").startswith("ru") else "kk"}}

    @api.model
    def _desk_issue_request(self, values):
        """The receipt to sign before the issue (nothing is written): what the issue will check
        first, then the row as it will be written, with the number the book gives it next."""
        entry = self.new(values)
        entry._check_responsible_person()
        entry.camera_id._check_issuable()
        entry._check_checklist()
        return entry._desk_sign_request("issue", self._desk_moment(), entry._custody_book().next_row_number)

    @api.model
    def _desk_issue_verified(self, values, signature, moment):
        """The inspector's signature of the receipt, verified before the row is written (a refusal
        goes to the bodycam's chatter, as the row is not written): (verified, signed bytes)."""
        entry = self.new(values)
        data = entry._desk_signed_bytes("issue", self._desk_signed_moment(moment),
                                        entry._custody_book().next_row_number)
        verified = self.env["mchs.bodycam.signature"]._verified(
            entry.camera_id, "desk_issue", entry.inspector_id, data, signature,
            signed_after=self._desk_moment_of(moment))
        return verified, data

    def _desk_record_signature(self, step, data, signature, verified):
        """The verified signature, linked to this row; the row as written must be the one signed
        (another desk may have taken the book's number meanwhile: sign again)."""
        self.ensure_one()
        moment = json.loads(data)["moment"]
        if self._desk_signed_bytes(step, moment, self.row_number) != data:
            raise UserError(self.env._(
                "Row № %(row)s was written otherwise than the inspector signed it (another row took its number "
                "meanwhile): sign again.", row=self.row_number))
        return self.env["mchs.bodycam.signature"]._record(
            self, f"desk_{step}", self.inspector_id, "inspector", data, signature, verified)

    @api.model
    def desk_wipe(self, camera_id):
        """The end of a row at the desk, in one step (items 5, 10): the recordings of the duty are
        on the storage server (column 6, filled by the dock's first upload or now), both copies of
        each are verified, then the cards are wiped and the bodycam is available again."""
        self._check_desk_user()
        entry = self._desk_row(camera_id, ("returned", "downloaded"))
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
            # the note is stored: in the unit's language, not the background job's
            entry._alert_head_and_responsible(
                "mchs_bodycam.mail_activity_type_overdue_return",
                entry._unit_env()._("%(inspector)s has not returned bodycam %(camera)s (item 23).",
                                    inspector=entry.inspector_id.name, camera=entry.camera_id.inventory_number))
