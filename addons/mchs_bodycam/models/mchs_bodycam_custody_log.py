from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import chain

# What the chain vouches for, in this order.
CHAINED_FIELDS = ["department_id", "sequence", "custody_id", "remark_id", "event", "logged_at", "user_id", "content"]
# Columns that are not signed facts of a row or a remark: the ORM's bookkeeping, and what is
# derived from other records (recording breaks, the overdue flag, the related unit and bodycam).
UNSIGNED_COLUMNS = {
    "mchs_bodycam_custody": ["write_uid", "write_date", "recording_gap_count", "recording_gaps_text", "duty_flags",
                             "is_overdue", "company_id"],
    "mchs_bodycam_custody_remark": ["write_uid", "write_date", "company_id", "department_id", "camera_id",
                                    "camera_model"],
}
# the advisory lock's first key: the Appendix 1 chain of a unit (the second is the unit's id)
CHAIN_LOCK = 7_014
EVENTS = [
    ("issued", "Issued"),
    ("returned", "Returned"),
    ("downloaded", "Downloaded"),
    ("closed", "Cards wiped"),
    ("incident", "Closed by an incident"),
    ("struck", "Struck through"),
    ("written", "Written"),
    ("remark", "Remark"),
    ("completed", "Remark completed"),
]


class MchsBodycamCustodyLog(models.Model):
    """The Appendix 1 journal's hash chain (item 9): every signed fact of a row, and every remark
    of column 7, is appended here as it is written, a snapshot of the row or remark as it then
    stands. A row changed afterwards in the database no longer matches its last snapshot; a
    snapshot changed, removed or inserted breaks the chain, or falls short of the head the unit's
    seals keep outside the database (mchs.bodycam.integrity.seal)."""

    _name = "mchs.bodycam.custody.log"
    _description = "Appendix 1 journal hash chain"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "department_id, sequence desc"
    # append-only, whoever asks
    _lock_state_sql = "'logged'"
    _lock_changeable = {"logged": set()}
    _lock_user_creatable = {}

    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    sequence = fields.Integer(string="№", required=True, readonly=True)
    custody_id = fields.Many2one("mchs.bodycam.custody", string="Journal row", required=True, readonly=True,
                                 index=True, ondelete="restrict")
    remark_id = fields.Many2one("mchs.bodycam.custody.remark", readonly=True,
                                index="btree_not_null", ondelete="restrict")
    event = fields.Selection(EVENTS, required=True, readonly=True)
    logged_at = fields.Datetime(string="Logged at", required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Written by", required=True, readonly=True)
    content = fields.Text(required=True, readonly=True, help="The row or remark as it stood, as JSON.")
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)

    _sql_constraints = [
        ("sequence_unit_uniq", "unique(department_id, sequence)", "Two entries of the chain cannot share a number."),
    ]

    def _lock_state(self):
        return "logged"

    @api.model
    def _snapshot_sql(self, table, alias):
        """SQL: the signed facts of the row ``alias`` of ``table`` as jsonb (a row's cards too)."""
        snapshot = SQL("to_jsonb(%s) - %s::text[]", SQL.identifier(alias), UNSIGNED_COLUMNS[table])
        if table == "mchs_bodycam_custody":
            snapshot = SQL("""%s || jsonb_build_object('card_ids', ARRAY(
                SELECT link.mchs_bodycam_card_id FROM mchs_bodycam_card_mchs_bodycam_custody_rel link
                 WHERE link.mchs_bodycam_custody_id = %s.id ORDER BY 1))""", snapshot, SQL.identifier(alias))
        return snapshot

    @api.model
    def _append(self, records, event):
        """Append the snapshot of each of ``records`` (journal rows or remarks) to its unit's chain:
        one query takes the units' locks and reads the snapshots and the units' last entries, one
        insert writes all the new entries."""
        if not records:
            return
        records.flush_recordset()
        is_row = records._name == "mchs.bodycam.custody"
        custodies = {record.id: record if is_row else record.custody_id for record in records}
        units = sorted({custody.department_id.id for custody in custodies.values()})
        # A per-unit lock, taken in the units' order: entries are numbered and chained one after
        # the other. The last entry is read after its unit's lock (the lateral join on the locked
        # units); what it sees is the transaction's snapshot (Odoo's transactions are REPEATABLE
        # READ), and the unique (unit, sequence) refuses an entry appended from a stale one
        # (_insert_entries).
        self.env.cr.execute(SQL("""
            WITH locked AS MATERIALIZED (
                SELECT unit, pg_advisory_xact_lock(%(lock)s, unit)
                  FROM (SELECT unnest(%(units)s::int[]) AS unit ORDER BY 1) units
            )
            SELECT (SELECT json_object_agg(r.id, (%(snapshot)s)::text) FROM %(table)s r WHERE r.id = ANY(%(ids)s)),
                   (SELECT json_object_agg(locked.unit, json_build_array(last.sequence, last.hash))
                      FROM locked
                      LEFT JOIN LATERAL (SELECT log.sequence, log.hash FROM mchs_bodycam_custody_log log
                                          WHERE log.department_id = locked.unit
                                          ORDER BY log.sequence DESC LIMIT 1) last ON TRUE)
        """, lock=CHAIN_LOCK, units=units, snapshot=self._snapshot_sql(records._table, "r"),
            table=SQL.identifier(records._table), ids=records.ids))
        snapshots, lasts = self.env.cr.fetchone()
        heads = {int(unit): (sequence or 0, last_hash or chain.GENESIS)
                 for unit, (sequence, last_hash) in lasts.items()}
        now = fields.Datetime.now()
        vals_list = []
        for record in records:
            custody = custodies[record.id]
            last_sequence, last_hash = heads[custody.department_id.id]
            values = {"department_id": custody.department_id.id, "sequence": last_sequence + 1,
                      "custody_id": custody.id, "remark_id": False if is_row else record.id, "event": event,
                      "logged_at": now, "user_id": self.env.uid, "content": snapshots[str(record.id)],
                      "previous_hash": last_hash}
            values["hash"] = chain.link(last_hash, chain.content(values, CHAINED_FIELDS))
            heads[custody.department_id.id] = (values["sequence"], values["hash"])
            vals_list.append(values)
        self._insert_entries(vals_list)

    def _insert_entries(self, vals_list):
        """Insert chain entries numbered from this transaction's snapshot. When another transaction
        appended to the same unit after that snapshot was taken (a desk and a dock, or two desks,
        at once), the numbers clash: PostgreSQL answers the insert with a serialization failure
        (an ON CONFLICT insert meeting a row its REPEATABLE READ snapshot cannot see), on which
        Odoo retries the whole request with a fresh snapshot instead of showing an error. The
        insert is written in SQL for that clause, and so that the retried failure is not logged as
        a bad query. The entries name the real user, whatever their rights on the chain."""
        columns = ["department_id", "sequence", "custody_id", "remark_id", "event", "logged_at", "user_id",
                   "content", "previous_hash", "hash"]
        now = fields.Datetime.now()
        rows = SQL(", ").join(
            SQL("(%s)", SQL(", ").join([*(values[column] or None for column in columns), self.env.uid, now,
                                        self.env.uid, now]))
            for values in vals_list)
        self.env.cr.execute(SQL("""
            INSERT INTO %(table)s (%(columns)s, create_uid, create_date, write_uid, write_date)
            VALUES %(rows)s
            ON CONFLICT (department_id, sequence) DO NOTHING
        """, table=SQL.identifier(self._table), rows=rows,
            columns=SQL(", ").join(SQL.identifier(column) for column in columns)), log_exceptions=False)
        if self.env.cr.rowcount != len(vals_list):  # a weaker isolation than Odoo's: skipped, not refused
            self.env.cr.execute(SQL(
                "DO $$ BEGIN RAISE EXCEPTION 'the Appendix 1 chain of a unit was appended to concurrently'"
                " USING ERRCODE = 'serialization_failure'; END $$"), log_exceptions=False)

    @api.model
    def _chain_entries(self, department):
        """The unit's entries as (sequence, previous hash, hash, content text), in order."""
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT sequence, previous_hash, hash, %s FROM mchs_bodycam_custody_log
             WHERE department_id = %s ORDER BY sequence
        """, SQL(", ").join(SQL.identifier(name) for name in CHAINED_FIELDS), department.id))
        for row in self.env.cr.fetchall():
            values = dict(zip(CHAINED_FIELDS, row[3:]))
            yield row[0], row[1], row[2], chain.content(values, CHAINED_FIELDS)

    @api.model
    def _unmatched(self, department):
        """Journal rows (not drafts) and remarks of the unit that differ from their last snapshot
        in the chain, or have none: changed behind the application's back. [(kind, number)]"""
        self.env.flush_all()
        found = []
        for table, column, kind in (("mchs_bodycam_custody", "custody_id", "row"),
                                    ("mchs_bodycam_custody_remark", "remark_id", "remark")):
            remark_filter = SQL("log.remark_id IS NULL") if kind == "row" else SQL("TRUE")
            self.env.cr.execute(SQL("""
                SELECT r.id FROM %(table)s r
                  LEFT JOIN LATERAL (SELECT log.content FROM mchs_bodycam_custody_log log
                                      WHERE log.%(column)s = r.id AND %(remark_filter)s
                                      ORDER BY log.sequence DESC LIMIT 1) last ON TRUE
                 WHERE r.department_id = %(unit)s AND %(not_draft)s
                   AND (last.content IS NULL OR last.content::jsonb <> %(snapshot)s)
                 ORDER BY r.id
            """, table=SQL.identifier(table), column=SQL.identifier(column), remark_filter=remark_filter,
                unit=department.id, snapshot=self._snapshot_sql(table, "r"),
                not_draft=SQL("r.state <> 'draft'") if kind == "row" else SQL("TRUE")))
            found += [(kind, row[0]) for row in self.env.cr.fetchall()]
        return found
