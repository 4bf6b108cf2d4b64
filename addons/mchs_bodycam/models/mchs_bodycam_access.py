import secrets

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from ..lib import chain
from ..lib.apart import write_apart

_lt = LazyTranslate(__name__)

# What the chain vouches for, in this order (item 13, Appendix 2 columns 2-4 and who/why); the
# legal basis of a download or an export (item 22) too, when there is one (rows without one hash
# as they always did)
CHAINED_FIELDS = ["department_id", "recording_id", "sha256", "inventory_text", "inspector_name", "user_id",
                  "action", "purpose", "remote_addr", "accessed_at", "result", "refusal"]
BASIS_FIELD = "legal_basis_id"
# Why an attempt was refused: stored as a code, translated when shown or printed (a refusal is
# journaled in the language of nobody in particular)
REFUSALS = {
    "no_right": _lt("no right to open recordings"),
    "other_unit": _lt("no right to this unit's recordings"),
    "not_designated": _lt("not the designated head or responsible person"),
    "password_void": _lt("special password void: a designation ended"),
    "wrong_password": _lt("wrong special password"),
    "no_valid_access": _lt("no valid access for this user"),
    "view_token_download": _lt("a token granted for viewing used for a download"),
    "damaged": _lt("no copy matches the recorded SHA-256"),
    "no_legal_basis": _lt("no legal basis for a download or an export (item 22)"),
    "foreign_legal_basis": _lt("the legal basis belongs to another unit (item 22)"),
}
# pg_advisory_xact_lock(JOURNAL_LOCK, unit id): one writer of a unit's chain at a time
JOURNAL_LOCK = 7_013


class MchsBodycamAccess(models.Model):
    """A row of the Appendix 2 journal: somebody viewed, downloaded or was refused a recording
    (item 13). Rows are append-only and hash-chained per unit: each row's hash covers the
    previous row's hash and its own content, so a row changed afterwards breaks the chain."""

    _name = "mchs.bodycam.access"
    _description = "Access to a recording (Appendix 2 row)"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "department_id, sequence desc"
    # item 13: append-only, whoever asks; the hash of what was served is filled once, after the row
    _lock_state_sql = "'journaled'"
    _lock_changeable = {"journaled": {"served_sha256"}}
    _lock_fill_once = {"served_sha256"}
    _lock_user_writable = {"journaled": set()}
    _lock_user_creatable = {}

    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    # set at creation, not a stored related field: that would be an UPDATE after the INSERT
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    sequence = fields.Integer(string="№", required=True, readonly=True)
    recording_id = fields.Many2one("mchs.bodycam.recording", readonly=True, index=True,
                                   ondelete="restrict")
    sha256 = fields.Char(string="Recording SHA-256", readonly=True)
    inventory_text = fields.Char(string="Inventory numbers", readonly=True, help="Column 2.")
    inspector_name = fields.Char(string="Bodycam user", readonly=True, help="Column 3.")
    accessed_at = fields.Datetime(string="Accessed at", required=True, readonly=True, help="Column 4.")
    user_id = fields.Many2one("res.users", string="Who", required=True, readonly=True)
    action = fields.Selection([("view", "View"), ("download", "Download"), ("export", "Export to the recipient")],
                              required=True, readonly=True)
    purpose = fields.Char(readonly=True)
    remote_addr = fields.Char(string="From", readonly=True)
    result = fields.Selection([("granted", "Granted"), ("refused", "Refused")], required=True, readonly=True)
    refusal = fields.Char(string="Refusal code", readonly=True,
                          help="Why the attempt was refused, as a code (see refusal_label).")
    refusal_label = fields.Char(string="Refused because", compute="_compute_refusal_label")
    legal_basis_id = fields.Many2one(
        "mchs.bodycam.legal.basis", string="Legal basis", readonly=True, index="btree_not_null", ondelete="restrict",
        help="Item 22: the request, order or resolution a download or an export was made on.")
    token_hash = fields.Char(readonly=True, groups="base.group_system")
    # filled once, after the row, by the streaming route: not part of the chained content
    served_sha256 = fields.Char(
        string="Served bytes hash to", readonly=True,
        help="Set when the bytes served under this access did not hash to the recording's SHA-256: the "
             "stored copy was changed (item 13).")
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True, index=True)

    _sql_constraints = [
        ("sequence_unit_uniq", "unique(department_id, sequence)", "Two access rows cannot share a number."),
    ]

    def _lock_state(self):
        return "journaled"

    @api.depends("refusal")
    @api.depends_context("lang")
    def _compute_refusal_label(self):
        for row in self:
            row.refusal_label = row._refusal_text()

    def _refusal_text(self):
        """The refusal in the reader's language (rows journaled before the codes keep their text)."""
        self.ensure_one()
        label = REFUSALS.get(self.refusal)
        return self.env._(label) if label else (self.refusal or "")

    def _journal_detail(self):
        """Appendix 2, under column 4, in the environment's language: who did what, why, on which
        legal basis (item 22), and a refusal."""
        self.ensure_one()
        labels = dict(self._fields["action"]._description_selection(self.env))
        detail = ", ".join(filter(None, [labels.get(self.action, ""), self.user_id.name or ""]))
        if self.purpose:
            detail += f" ({self.purpose})"
        if self.legal_basis_id:
            detail += "; " + self.env._("on the basis of %(basis)s", basis=self.legal_basis_id._printed_name())
        if self.result == "refused":
            results = dict(self._fields["result"]._description_selection(self.env))
            detail += f"; {results.get('refused', '')}" + (f": {self._refusal_text()}" if self.refusal else "")
        return detail

    @staticmethod
    def _content(values):
        names = CHAINED_FIELDS + ([BASIS_FIELD] if values.get(BASIS_FIELD) else [])
        return chain.content(values, names)

    @api.model
    def _log(self, recording, action, purpose, result, refusal=None, remote_addr=None, department=None,
             legal_basis=None):
        """Append a row (before the first byte of the recording is sent). Returns it with the
        streaming token in clear when access is granted (the row keeps only its hash).
        ``refusal`` is a code of REFUSALS; ``legal_basis`` the basis of a download or export.

        A refusal is written in a transaction of its own (item 13): it stays in the journal
        although the refused request then fails and is rolled back."""
        department = department or recording.sudo().department_id
        if result != "refused":
            return self._append(recording, department, action, purpose, result, refusal, remote_addr, legal_basis)
        basis_id = legal_basis.id if legal_basis else False
        row_id = write_apart(self.env, lambda env: self.with_env(env)._append(
            recording.with_env(env), department.with_env(env), action, purpose, result, refusal, remote_addr,
            env["mchs.bodycam.legal.basis"].browse(basis_id),
        )[0].id, advisory_lock=(JOURNAL_LOCK, department.id))
        return self.browse(row_id), None

    def _append(self, recording, department, action, purpose, result, refusal, remote_addr, legal_basis=None):
        # A per-unit lock: rows are numbered and chained one after the other.
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [JOURNAL_LOCK, department.id])
        # sudo: everyone's access is journaled, whatever their rights on the journal;
        # the row names the real user.
        last = self.sudo().search([("department_id", "=", department.id)], order="sequence desc", limit=1)
        token = secrets.token_urlsafe(24) if result == "granted" else None
        recording = recording.sudo()
        custody = recording.custody_id
        values = {
            "department_id": department.id, "company_id": department.sudo().company_id.id,
            "sequence": last.sequence + 1, "recording_id": recording.id, "sha256": recording.sha256,
            "inventory_text": custody.inventory_text or recording.camera_id.inventory_number,
            "inspector_name": custody.inspector_id.name, "accessed_at": fields.Datetime.now(),
            "user_id": self.env.uid, "action": action, "purpose": (purpose or "").strip() or False,
            "remote_addr": remote_addr, "result": result, "refusal": refusal,
            BASIS_FIELD: legal_basis.id if legal_basis else False,
        }
        values["previous_hash"] = last.hash or chain.GENESIS
        values["hash"] = chain.link(values["previous_hash"], self._content(values))
        if token:
            values["token_hash"] = self.env["mchs.bodycam.dock"]._hash_token(token)
        row = self.sudo().create(values)
        return row, token

    def _record_served_copy_changed(self, digest):
        """The bytes served under this access hashed to ``digest``, not to the recording's
        SHA-256 (item 13): the row says so, once, and the unit gets a finding and its head and
        responsible person an activity. Returns the finding's id."""
        self.ensure_one()
        self.env.cr.execute("UPDATE mchs_bodycam_access SET served_sha256 = %s WHERE id = %s AND served_sha256 IS NULL",
                            [digest, self.id])
        self.invalidate_recordset(["served_sha256"])
        if not self.env.cr.rowcount:
            return None  # recorded at the first play under this access already
        return self.env["mchs.bodycam.audit.finding"]._record_changed_copy(
            self.sudo().recording_id, "primary", digest, access=self)

    @api.model
    def _chain_entries(self, department):
        """The unit's rows as (sequence, previous hash, hash, content text), in the chain's
        order, read with SQL: a journal of a million rows is walked without the ORM."""
        self.env.flush_all()
        names = CHAINED_FIELDS + [BASIS_FIELD]
        columns = ", ".join(names)
        self.env.cr.execute(f"""
            SELECT sequence, previous_hash, hash, {columns}
              FROM mchs_bodycam_access WHERE department_id = %s ORDER BY sequence
        """, [department.id])  # noqa: S608 (column names of this model)
        for row in self.env.cr.fetchall():
            yield row[0], row[1], row[2], self._content(dict(zip(names, row[3:])))

    @api.model
    def _verify_chain(self, department):
        """The first row whose hash does not match its content and its predecessor's hash, or
        an empty recordset when the unit's whole chain verifies."""
        broken = chain.first_break(self._chain_entries(department))
        return self.sudo().search([("department_id", "=", department.id), ("sequence", "=", broken)], limit=1) \
            if broken else self.browse()

    def action_verify_chain(self):
        """The head, the responsible person and the commission check their unit's chain."""
        self.check_access("read")
        broken = self._verify_chain(self.department_id[:1] or self.env["hr.department"]._bodycam_user_units()[:1])
        message = self.env._("The access journal's chain verifies: no row was changed.") if not broken else \
            self.env._("The chain is broken at row %s: that row or the one before it was changed.", broken.sequence)
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": self.env._("Access journal"), "message": message, "sticky": bool(broken),
                           "type": "danger" if broken else "success"}}
