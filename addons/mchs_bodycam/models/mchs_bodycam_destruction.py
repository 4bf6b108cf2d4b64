import logging
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.jobs import report_step
from ..lib.storage import StorageError

_logger = logging.getLogger(__name__)

# lines moved aside or removed per committed step of the background job
BATCH_SIZE = 1000


class MchsBodycamDestruction(models.Model):
    """The commission's act destroying the recordings past their retention (item 12).

    The act proposes every due recording of the unit that is not held; members review them
    (each opening is journaled, item 13) and may exclude some with a reason. Once every member
    has confirmed, a background job removes the files in two steps: every file is first moved
    aside on the primary and the backup location; only when all are aside are they removed,
    each removal verified on both locations, and the records marked destroyed in one
    transaction. A failure while moving aside puts every file back and leaves the act open
    with the reason; retrying resumes. Each step commits, so a crash leaves the act resumable.
    """

    _name = "mchs.bodycam.destruction"
    _description = "Destruction act of bodycam recordings"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin", "mchs.bodycam.signable.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # item 12: the commission reviews a draft; from the first confirmation on, only the act's own
    # steps move it, and a destroyed or cancelled act is kept as it is
    _lock_changeable = {
        "draft": {"date", "place", "state", "name", "retention_date", "retention_years", "error"},
        "confirming": {"state", "error"},
        "destroying": {"state", "error", "done_at"},
        "failed": {"state", "error"},
        "done": set(),
        "cancelled": set(),
    }
    _lock_fill_once = {"done_at"}
    _lock_transitions = {"draft": {"confirming", "cancelled"}, "confirming": {"destroying", "draft"},
                         "destroying": {"failed", "done"}, "failed": {"destroying", "draft"},
                         "done": set(), "cancelled": set()}
    _lock_user_writable = {"draft": {"date", "place"}}
    _lock_user_creatable = {"draft": {"commission_id", "date", "place"}}
    # issue 13: every member's confirmation is signed with their NCA key when the company says so
    _signature_purposes = ("destruction",)

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    commission_id = fields.Many2one("mchs.bodycam.commission", required=True, readonly=True, index=True,
                                    ondelete="restrict", check_company=True)
    department_id = fields.Many2one(related="commission_id.department_id", store=True, precompute=True, string="Unit")
    company_id = fields.Many2one(related="commission_id.company_id", store=True, precompute=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    place = fields.Char(required=True, tracking=True, default=lambda self: self._default_place())
    retention_date = fields.Date(string="Proposed as of", readonly=True,
                                 help="Recordings whose retention had ended on this day were proposed.")
    retention_years = fields.Integer(string="Retention applied (years)", readonly=True,
                                     help="Item 12: the retention period the recordings were proposed under (3 years, "
                                          "or the longer period the company sets); the act prints it.")
    state = fields.Selection([
        ("draft", "Review"),
        ("confirming", "Confirming"),
        ("destroying", "Removing files"),
        ("failed", "Removal failed"),
        ("done", "Destroyed"),
        ("cancelled", "Cancelled"),
    ], default="draft", required=True, readonly=True, tracking=True, index=True)
    line_ids = fields.One2many("mchs.bodycam.destruction.line", "destruction_id", string="Recordings")
    confirmation_ids = fields.One2many("mchs.bodycam.destruction.confirmation", "destruction_id",
                                       string="Confirmations", readonly=True, domain=[("withdrawn_at", "=", False)])
    error = fields.Text(string="Why the removal stopped", readonly=True)
    done_at = fields.Datetime(string="Completed", readonly=True)
    line_count = fields.Integer(compute="_compute_totals", string="Proposed")
    excluded_count = fields.Integer(compute="_compute_totals", string="Excluded")
    destroy_count = fields.Integer(compute="_compute_totals", string="To destroy")
    destroy_size = fields.Float(compute="_compute_totals", string="Bytes to destroy", digits=(20, 0))
    progress = fields.Float(compute="_compute_totals", help="Share of the files moved aside and removed.")
    confirmed_count = fields.Integer(compute="_compute_confirmed")
    member_count = fields.Integer(compute="_compute_confirmed")
    review_access_count = fields.Integer(compute="_compute_review_access_count", string="Reviews")

    _sql_constraints = [
        ("name_uniq", "unique(company_id, name)", "Two destruction acts cannot share a number."),
    ]

    @api.model
    def _default_place(self):
        unit = self.env["hr.department"]._bodycam_user_units()[:1]
        return unit.name or ""

    @api.depends("state")
    def _compute_totals(self):
        """Counts by SQL: an act may hold a hundred thousand lines."""
        self.env.flush_all()
        stats = {}
        if self.ids:
            self.env.cr.execute("""
                SELECT line.destruction_id, count(*), count(*) FILTER (WHERE line.excluded),
                       coalesce(sum(recording.size) FILTER (WHERE line.excluded IS NOT TRUE), 0),
                       count(*) FILTER (WHERE line.excluded IS NOT TRUE AND line.removal_state = 'staged'),
                       count(*) FILTER (WHERE line.excluded IS NOT TRUE AND line.removal_state = 'removed')
                  FROM mchs_bodycam_destruction_line line
                  JOIN mchs_bodycam_recording recording ON recording.id = line.recording_id
                 WHERE line.destruction_id = ANY(%s)
                 GROUP BY line.destruction_id
            """, [self.ids])
            stats = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for act in self:
            total, excluded, size, staged, removed = stats.get(act.id, (0, 0, 0, 0, 0))
            act.line_count = total
            act.excluded_count = excluded
            act.destroy_count = total - excluded
            act.destroy_size = size
            to_destroy = total - excluded
            act.progress = 100.0 if act.state == "done" else (
                100.0 * (staged + 2 * removed) / (2 * to_destroy) if to_destroy else 0.0)

    @api.depends("confirmation_ids", "commission_id.member_ids")
    def _compute_confirmed(self):
        for act in self:
            act.confirmed_count = len(act.confirmation_ids)
            act.member_count = len(act.commission_id.member_ids)

    def _compute_review_access_count(self):
        for act in self:
            act.review_access_count = self.env["mchs.bodycam.access"].sudo().search_count(act._review_domain())

    @api.model_create_multi
    def create(self, vals_list):
        acts = super().create(vals_list)
        for act in acts:
            commission = act.commission_id
            # numbered per commission, one after the other: two acts opened at once wait here
            self.env.cr.execute("SELECT id FROM mchs_bodycam_commission WHERE id = %s FOR UPDATE", [commission.id])
            number = self.search_count([("commission_id", "=", commission.id)])
            # sudo: the unit's code is configuration the commission may not read
            act._lock_step({"name": f"{commission.department_id.sudo().bodycam_code or commission.department_id.id}-"
                                      f"{commission.year}-{number}"})
        return acts


    # ------------------------------------------------------------------ review

    def _propose(self):
        """Add every recording of the unit whose retention has ended on the act's date and
        that is neither held nor in another act (item 12); one INSERT, however many."""
        self.ensure_one()
        Recording = self.env["mchs.bodycam.recording"]
        # sudo: the commission proposes from the registry it may not browse (item 13); the act's
        # lines show what it decides on, nothing of the storage
        domain = Recording._retention_due_domain(self.date, self.company_id) + [
            ("department_id", "=", self.department_id.id)]
        query = Recording.sudo()._search(domain)
        query.order = None
        select = query.select(query.table + ".id")
        self.env.flush_all()
        # ON CONFLICT on the one-act index, not NOT EXISTS: reading the table being filled made
        # PostgreSQL plan a nested loop on a freshly analyzed empty table (bench/, 120 s and more)
        self.env.cr.execute(f"""
            INSERT INTO mchs_bodycam_destruction_line
                   (destruction_id, recording_id, excluded, removal_state,
                    create_uid, create_date, write_uid, write_date)
            SELECT %s, sub.id, false, 'pending', %s, now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC'
              FROM ({select.code}) sub
            ON CONFLICT (recording_id) WHERE excluded IS NOT TRUE DO NOTHING
        """, [self.id, self.env.uid, self.env.uid, *select.params])
        count = self.env.cr.rowcount
        self._lock_step({"retention_date": self.date, "retention_years": self.company_id.bodycam_retention_years})
        self.invalidate_recordset(["line_ids"])
        self._message_log(body=self._unit_env()._("%s recordings past their retention were proposed.", count))
        return count

    def action_repropose(self):
        """Propose again after the act's date changed: the lines not excluded are replaced."""
        self.ensure_one()
        self._check_state(("draft",))
        self.env.cr.execute("DELETE FROM mchs_bodycam_destruction_line WHERE destruction_id = %s "
                            "AND excluded IS NOT TRUE", [self.id])
        self._propose()

    def _review_domain(self):
        self.ensure_one()
        return [("recording_id.destruction_line_ids.destruction_id", "=", self.id),
                ("accessed_at", ">=", self.create_date)]

    def action_view_reviews(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.access", "view_mode": "list,form",
                "name": self.env._("Reviews for act %s", self.name), "domain": self._review_domain()}

    def action_view_lines(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.destruction.line",
                "view_mode": "list", "name": self.env._("Recordings of act %s", self.name),
                "domain": [("destruction_id", "=", self.id)], "context": {"create": False}}

    # ------------------------------------------------------------------ confirmation

    def _unit_env(self):
        """What the act stores (chatter, the reason a removal stopped) is in its unit's language,
        not the background job's."""
        return self.department_id._bodycam_env()

    def _retention_years_applied(self):
        """Item 12: the period the act's recordings were proposed under."""
        return self.retention_years or self.company_id.bodycam_retention_years or 3

    def _check_state(self, allowed):
        for act in self:
            if act.state not in allowed:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(self.env._("Act %(name)s is %(state)s: this step is not possible now.",
                                           name=act.name, state=labels[act.state].lower()))

    def action_confirm(self):
        """A member confirms the act; the last confirmation starts the removal (item 12). With
        qualified signing on, the confirmation is the member's signature: this opens the signing
        flow, and action_sign confirms once the signature has verified (issue 13)."""
        self.ensure_one()
        if self._signing_required():
            return self._signing_action("destruction")
        self._confirm(self._confirming_member())
        return True

    def _confirming_member(self):
        """The current user's seat, once they may confirm the act now (item 12)."""
        self._check_state(("draft", "confirming"))
        self.commission_id._check_can_act()
        member = self.commission_id._member_of_user()
        if member in self.confirmation_ids.member_id:
            raise UserError(self.env._("You have already confirmed act %s.", self.name))
        if not self.destroy_count:
            raise UserError(self.env._("Act %s lists no recording to destroy.", self.name))
        return member

    def _confirm(self, member, signature=None):
        # sudo: a member may not write confirmations by hand; this one names the real user
        self.env["mchs.bodycam.destruction.confirmation"].sudo().create({
            "destruction_id": self.id, "member_id": member.id, "user_id": self.env.uid,
            "signature_id": signature.id if signature else False})
        self._lock_step({"state": "confirming"})
        self.invalidate_recordset(["confirmation_ids"])
        if not (self.commission_id.member_ids - self.confirmation_ids.member_id):
            self._start_removal()

    def _signature_request_destruction(self):
        """Issue 13: what a member signs, the act as it stands (its recordings by digest, so that a
        GOST signer hashes a few hundred bytes whatever the act's size)."""
        member = self._confirming_member()
        commission = self.commission_id
        facts = {
            "regulation": "Order No. 495, item 12",
            "act": {
                "number": self.name, "date": str(self.date), "place": self.place or "",
                **self._signed_unit(),
                "proposed_as_of": str(self.retention_date or ""),
                "destroyed": self._lines_digest(excluded=False),
                "kept": self._lines_digest(excluded=True),
            },
            "commission": {"year": commission.year, "decision": commission.decision or "",
                           "members": [{"role": seat.role, "name": seat.employee_id.name}
                                       for seat in commission.member_ids.sorted("id")]},
            "seat": {"role": member.role, "name": member.employee_id.name, "iin": member.employee_id._bodycam_iin()},
            # a confirmation after the act went back to review is signed anew
            "round": self._confirmation_round(),
        }
        return member.employee_id, member.role, self._signed_bytes("destruction", facts)

    def _confirmation_round(self):
        self.env.cr.execute("SELECT count(*) FROM mchs_bodycam_destruction_confirmation "
                            "WHERE destruction_id = %s AND withdrawn_at IS NOT NULL", [self.id])
        return self.env.cr.fetchone()[0] + 1

    def _lines_digest(self, excluded):
        """Count, bytes and SHA-256 of the act's recordings to destroy (or kept, with the reason),
        each line ``sha256|size|reason`` in the order of the SHA-256s."""
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT count(*), coalesce(sum(recording.size), 0),
                   encode(sha256(convert_to(coalesce(string_agg(
                       recording.sha256 || '|' || recording.size::bigint || '|' || coalesce(line.exclusion_reason, ''),
                       E'\n' ORDER BY recording.sha256, line.id), ''), 'UTF8')), 'hex')
              FROM mchs_bodycam_destruction_line line
              JOIN mchs_bodycam_recording recording ON recording.id = line.recording_id
             WHERE line.destruction_id = %s AND (line.excluded IS TRUE) = %s
        """, [self.id, excluded])
        count, size, digest = self.env.cr.fetchone()
        return {"count": count, "bytes": int(size), "sha256": digest}

    def _signature_done_destruction(self, signature):
        self._confirm(self._confirming_member(), signature)
        return True

    def action_back_to_review(self):
        """After a failed removal: the commission may exclude what cannot be removed and confirm
        again. Only while no file has been removed yet."""
        self.ensure_one()
        self._check_state(("confirming", "failed"))
        if self.line_ids.filtered(lambda line: line.removal_state != "pending"):
            raise UserError(self.env._("Files of act %s are already being removed: retry instead.", self.name))
        # sudo: confirmations are never edited by hand; going back to review withdraws them all,
        # and they stay on record as withdrawn
        self.confirmation_ids.sudo().write({"withdrawn_at": fields.Datetime.now()})
        self.invalidate_recordset(["confirmation_ids"])
        self._lock_step({"state": "draft", "error": False})

    def action_cancel(self):
        self.ensure_one()
        self._check_state(("draft",))
        self.env.cr.execute("DELETE FROM mchs_bodycam_destruction_line WHERE destruction_id = %s", [self.id])
        self.invalidate_recordset(["line_ids"])
        self._lock_step({"state": "cancelled"})

    def action_retry(self):
        self.ensure_one()
        self._check_state(("failed",))
        self.commission_id._check_can_act()
        self._start_removal()

    def _start_removal(self):
        self._lock_step({"state": "destroying", "error": False})
        self.env.ref("mchs_bodycam.ir_cron_process_destructions")._trigger()

    # ------------------------------------------------------------------ removal (background)

    @api.model
    def _cron_process(self, batch_size=BATCH_SIZE):
        """One step of the oldest act being removed; ir.cron commits after it and, while work
        is left, runs it again at once (Odoo 18's progress API)."""
        # sudo: the job carries out what every member of the commission confirmed
        acts = self.sudo().search([("state", "=", "destroying")], order="id")
        if not acts:
            return
        act = acts[0]
        before = act._work_left()
        # the other acts waiting for removal are work left too
        remaining = act._process_step(batch_size) + len(acts) - 1
        report_step(self.env, "mchs_bodycam.ir_cron_process_destructions", before - remaining, remaining)

    def _staging_name(self):
        return f"act-{self.id}"

    def _lines_to(self, removal_state, limit):
        self.env.cr.execute("""
            SELECT line.id, recording.sha256, recording.storage_id
              FROM mchs_bodycam_destruction_line line
              JOIN mchs_bodycam_recording recording ON recording.id = line.recording_id
             WHERE line.destruction_id = %s AND line.excluded IS NOT TRUE AND line.removal_state = %s
             ORDER BY line.id LIMIT %s
        """, [self.id, removal_state, limit])
        return self.env.cr.fetchall()

    def _backends_of(self, storage_ids):
        storages = self.env["mchs.bodycam.storage"].sudo().with_context(active_test=False).browse(storage_ids)
        return {storage.id: list(zip(("primary", "backup"), storage._backends())) for storage in storages}

    def _all_backends(self):
        """Every location of the storages the act's recordings are on."""
        self.env.cr.execute("SELECT DISTINCT recording.storage_id FROM mchs_bodycam_destruction_line line "
                            "JOIN mchs_bodycam_recording recording ON recording.id = line.recording_id "
                            "WHERE line.destruction_id = %s", [self.id])
        pairs = self._backends_of([row[0] for row in self.env.cr.fetchall()]).values()
        return [backend for locations in pairs for _location, backend in locations]

    def _set_removal_state(self, line_ids, removal_state):
        self.env.cr.execute("UPDATE mchs_bodycam_destruction_line SET removal_state = %s WHERE id = ANY(%s)",
                            [removal_state, list(line_ids)])
        self.env["mchs.bodycam.destruction.line"].invalidate_model(["removal_state"])

    def _process_step(self, batch_size=BATCH_SIZE):
        """One step of the removal, committed by the job after it; returns the work left."""
        self.ensure_one()
        if self.state != "destroying":
            return 0
        self._exclude_held()
        batch = self._staging_name()
        pending = self._lines_to("pending", batch_size)
        if pending:
            backends = self._backends_of({row[2] for row in pending})
            for _line_id, sha256, storage_id in pending:
                for location, backend in backends[storage_id]:
                    try:
                        backend.stage(sha256, batch)
                    except (OSError, StorageError) as error:
                        self._abort_staging(location, sha256, error)
                        return 0
            self._set_removal_state([row[0] for row in pending], "staged")
            return self._work_left()
        staged = self._lines_to("staged", batch_size)
        if staged:
            backends = self._backends_of({row[2] for row in staged})
            removed = []
            for line_id, sha256, storage_id in staged:
                for location, backend in backends[storage_id]:
                    try:
                        gone = backend.purge(sha256, batch)
                    except (OSError, StorageError) as error:  # e.g. an object store refusing (retention)
                        gone, reason = False, str(error)
                    else:
                        reason = self._unit_env()._("the file is still there after its removal")
                    if not gone:
                        self._set_removal_state(removed, "removed")
                        self._fail(self._unit_env()._(
                            "Removing %(sha)s from the %(location)s location failed: %(reason)s. Retry once the "
                            "location is writable.", sha=sha256, location=self._location_label(location),
                            reason=reason))
                        return 0
                removed.append(line_id)
            self._set_removal_state(removed, "removed")
            return self._work_left()
        self._finish()
        return 0

    def _work_left(self):
        """Steps of work left, in files per location: a pending line is moved aside then
        removed (2), a staged one removed (1); the final marking counts 1."""
        self.env.cr.execute("""
            SELECT count(*) FILTER (WHERE removal_state = 'pending'), count(*) FILTER (WHERE removal_state = 'staged')
              FROM mchs_bodycam_destruction_line
             WHERE destruction_id = %s AND excluded IS NOT TRUE
        """, [self.id])
        pending, staged = self.env.cr.fetchone()
        return 2 * pending + staged + (1 if self.state == "destroying" else 0)

    def _exclude_held(self):
        """A recording put on legal hold after the proposal is excluded and its files put back
        (item 14 prevails over item 12)."""
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT line.id, recording.sha256, recording.storage_id, line.removal_state
              FROM mchs_bodycam_destruction_line line
              JOIN mchs_bodycam_recording recording ON recording.id = line.recording_id
             WHERE line.destruction_id = %s AND line.excluded IS NOT TRUE AND line.removal_state <> 'removed'
               AND EXISTS (SELECT 1 FROM mchs_bodycam_evidence_recording_rel rel
                             JOIN mchs_bodycam_evidence evidence ON evidence.id = rel.evidence_id
                            WHERE rel.recording_id = recording.id AND evidence.state = 'held')
        """, [self.id])
        held = self.env.cr.fetchall()
        if not held:
            return
        backends = self._backends_of({row[2] for row in held})
        for _line_id, sha256, storage_id, _state in held:
            for _location, backend in backends[storage_id]:
                backend.unstage(sha256, self._staging_name())
        self.env.cr.execute("""
            UPDATE mchs_bodycam_destruction_line SET excluded = true, removal_state = 'pending', exclusion_reason = %s
             WHERE id = ANY(%s)
        """, [self._unit_env()._("Put on legal hold during the destruction (item 14)."), [row[0] for row in held]])
        self.env["mchs.bodycam.destruction.line"].invalidate_model(["excluded", "removal_state", "exclusion_reason"])

    def _abort_staging(self, location, sha256, error):
        """Moving a file aside failed: every file of the act goes back where it was."""
        message = self._unit_env()._("Moving %(sha)s aside on the %(location)s location failed: %(reason)s. Every "
                                     "file of the act was put back; nothing was destroyed.",
                                     sha=sha256, location=self._location_label(location), reason=error)
        try:
            for backend in self._all_backends():
                backend.unstage_all(self._staging_name())
        except (OSError, StorageError) as unstage_error:
            message += "\n" + self._unit_env()._("Putting the files back failed too: %s. Retry resumes.", unstage_error)
        else:
            self.env.cr.execute("UPDATE mchs_bodycam_destruction_line SET removal_state = 'pending' "
                                "WHERE destruction_id = %s AND removal_state = 'staged'", [self.id])
            self.env["mchs.bodycam.destruction.line"].invalidate_model(["removal_state"])
        self._fail(message)

    def _location_label(self, location):
        env = self._unit_env()
        return {"primary": env._("primary"), "backup": env._("backup")}.get(location, location)

    def _fail(self, message):
        _logger.warning("destruction act %s: %s", self.name, message)
        self._lock_step({"state": "failed", "error": message})
        self._message_log(body=message)

    def _finish(self):
        """Every file is gone from both locations: mark the records destroyed, in one go."""
        self.env.cr.execute("""
            SELECT recording_id FROM mchs_bodycam_destruction_line
             WHERE destruction_id = %s AND excluded IS NOT TRUE AND removal_state = 'removed'
        """, [self.id])
        # ids only: reading a hundred thousand recordings here cost 190 MiB (bench/)
        recordings = self.env["mchs.bodycam.recording"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        recordings._mark_destroyed(self)
        for backend in self._all_backends():
            backend.finish_batch(self._staging_name())
        self._lock_step({"state": "done", "done_at": fields.Datetime.now()})
        self._message_log(body=self._unit_env()._("%s recordings destroyed on both locations.", len(recordings)))
        self.env["mchs.bodycam.integrity.seal"]._seal(self.department_id, "destruction")

    # ------------------------------------------------------------------ printing

    def _report_lines(self, excluded=False):
        """The act's lines for the printed act, in the order of the recordings."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: bool(line.excluded) == excluded)
        return lines.sorted(lambda line: (line.inventory_number or "", line.recording_start or datetime.min))
