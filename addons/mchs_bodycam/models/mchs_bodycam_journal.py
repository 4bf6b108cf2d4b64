from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .mchs_bodycam_lock_mixin import ALL

JOURNAL_KINDS = [
    ("custody", "Appendix 1: issue, return and download"),
    ("access", "Appendix 2: actions on video materials"),
]


class MchsBodycamJournal(models.Model):
    """A bound journal book of one unit (item 9, Appendices 1 and 2).

    A book is registered in the unit's office (numbered, bound and sealed) before it takes
    entries; each entry gets the next row number of its book, gap-free and never reused.
    """

    _name = "mchs.bodycam.journal"
    _description = "Bodycam journal book"
    _inherit = ["mail.thread", "mchs.bodycam.lock.mixin", "mchs.bodycam.signable.mixin"]
    _order = "department_id, kind, date_start desc, id desc"
    _check_company_auto = True
    # item 9: once registered, a book keeps its registration and start; rows are numbered one
    # after the other and never renumbered
    _lock_changeable = {"draft": ALL, "registered": {"state", "date_end", "next_row_number"}, "closed": set()}
    _lock_fill_once = {"date_end"}
    _lock_transitions = {"draft": {"registered"}, "registered": {"closed"}, "closed": set()}
    _lock_deletable = {"draft"}
    _lock_user_writable = {"draft": {"kind", "department_id", "registration_number", "registration_date"},
                           "registered": set()}
    _lock_user_creatable = {"draft": _lock_user_writable["draft"]}
    # issue 13: the item 9 certification of a closed book is signed by the responsible person
    _signature_purposes = ("certification",)
    _lock_sql_checks = [("NEW.next_row_number IN (OLD.next_row_number, OLD.next_row_number + 1)",
                         "row numbers only ever go up by one (item 9)")]

    kind = fields.Selection(JOURNAL_KINDS, required=True, default="custody", tracking=True)
    department_id = fields.Many2one(
        "hr.department", string="Unit", required=True, index=True, check_company=True, tracking=True,
        default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True, index=True)
    registration_number = fields.Char(
        tracking=True, help="Number under which the unit's office registered the book (item 9).")
    registration_date = fields.Date(tracking=True)
    date_start = fields.Date(string="Started", readonly=True, tracking=True)
    date_end = fields.Date(string="Finished", readonly=True, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("registered", "Registered"), ("closed", "Closed")],
        required=True, default="draft", readonly=True, tracking=True, index=True)
    next_row_number = fields.Integer(default=1, readonly=True, copy=False,
                                     help="Row number the next entry of this book will get.")
    row_count = fields.Integer(compute="_compute_row_count", string="Entries")

    _sql_constraints = [
        ("registration_number_unit_uniq", "unique(department_id, kind, registration_number)",
         "The unit already has a book of this kind with this registration number."),
        ("registered_has_registration",
         "CHECK(state = 'draft' OR (registration_number IS NOT NULL AND registration_date IS NOT NULL))",
         "A registered book has a registration number and date (item 9)."),
    ]

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # One open book per kind per unit (item 9), even from two transactions at once.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_journal_one_open
            ON mchs_bodycam_journal (department_id, kind) WHERE state = 'registered'
        """)

    def _compute_row_count(self):
        for journal in self:
            journal.row_count = journal.next_row_number - 1

    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for journal in self:
            number = journal.registration_number or self.env._("draft")
            journal.display_name = f"{kinds.get(journal.kind, '')} № {number}"

    def action_register(self):
        """The office has numbered, bound and sealed the book: it takes entries (item 9)."""
        for journal in self:
            if journal.state != "draft":
                raise UserError(self.env._("Only a draft journal book can be registered."))
            if not (journal.registration_number and journal.registration_date):
                raise UserError(self.env._(
                    "Enter the office registration number and date of the book first (item 9)."))
            if journal._open_book(journal.department_id, journal.kind):
                raise UserError(self.env._(
                    "%(unit)s already has an open book of this kind; close it first.",
                    unit=journal.department_id.display_name))
        for journal in self:
            journal._lock_write({"state": "registered", "date_start": journal.department_id._bodycam_today()})

    def action_close(self):
        """Close the book (item 9). With qualified signing on, the responsible person signs its
        certification with their NCA key: this opens the signing flow, and the book closes once
        the signature has verified (issue 13)."""
        self._check_closable()
        if any(journal._signing_required() for journal in self):
            if len(self) != 1:
                raise UserError(self.env._("Close and certify one book at a time."))
            return self._signing_action("certification")
        self._close()
        return True

    def _check_closable(self):
        for journal in self:
            if journal.state != "registered":
                raise UserError(self.env._("Only a registered journal book can be closed."))

    def _close(self):
        for journal in self:
            journal._lock_write({"state": "closed", "date_end": journal.department_id._bodycam_today()})
        self.env["mchs.bodycam.integrity.seal"]._seal(self.department_id, "book")

    def _signature_request_certification(self):
        """Issue 13: what the responsible person certifies (item 9): the book, its last row and
        the head of its unit's hash chain, as they stand when it closes."""
        self._check_closable()
        today = self.department_id._bodycam_today()
        responsible = self.department_id._bodycam_person_at("responsible", today)
        if not responsible or responsible.user_id != self.env.user:
            raise UserError(self.env._(
                "Only the responsible person of %(unit)s (%(person)s) certifies and closes the book (item 9).",
                unit=self.department_id.display_name, person=responsible.name or self.env._("nobody designated")))
        chain_table = "mchs_bodycam_custody_log" if self.kind == "custody" else "mchs_bodycam_access"
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT count(*), (SELECT hash FROM %(table)s WHERE department_id = %(unit)s ORDER BY sequence DESC LIMIT 1)
              FROM %(table)s WHERE department_id = %(unit)s
        """, table=SQL.identifier(chain_table), unit=self.department_id.id))
        entries, head = self.env.cr.fetchone()
        facts = {
            "regulation": "Order No. 495, item 9",
            "book": {
                **self._signed_unit(), "kind": self.kind, "registration_number": self.registration_number,
                "registration_date": str(self.registration_date), "started": str(self.date_start),
                "finished": str(today), "rows": self.next_row_number - 1,
                "chain": {"entries": entries, "head": head or ""},
            },
            "certifier": {"name": responsible.name, "iin": responsible._bodycam_iin()},
        }
        return responsible, "responsible", self._signed_bytes("certification", facts)

    def _signature_done_certification(self, signature):
        self._close()
        return True

    @api.model
    def _open_book(self, department, kind):
        # with what the row written in it checks of it (its company, item 9)
        return self.search_fetch([("department_id", "=", department.id), ("kind", "=", kind),
                                  ("state", "=", "registered")], ["company_id", "state"], limit=1)

    def _take_row_number(self):
        """Next row number of this book ("р/с №"), gap-free and never reused.

        The book's row is locked until the caller's transaction ends: a concurrent entry
        waits, then fails with a serialization error and Odoo retries its request with the
        next number; a rolled-back entry gives its number back.
        """
        self.ensure_one()
        self.flush_recordset(["state"])
        self.env.cr.execute("""
            UPDATE mchs_bodycam_journal SET next_row_number = next_row_number + 1
            WHERE id = %s AND state = 'registered' RETURNING next_row_number - 1
        """, [self.id])
        taken = self.env.cr.fetchone()
        if not taken:
            raise UserError(self.env._(
                "%s is not registered and open: it takes no entries (item 9).", self.display_name))
        self.invalidate_recordset(["next_row_number"])
        return taken[0]
