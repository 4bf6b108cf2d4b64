from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import CustodyCase


@tagged("post_install", "-at_install")
class TestSignedRows(CustodyCase):
    """Item 9: a signed row of the journal, its remarks and its book are written in pen. Each
    frozen fact is refused to the responsible person and to Odoo's administrator (forms and
    JSON-RPC go through write()), and to Odoo's database role in SQL; only the correction
    (strike-through, a new row and a signed remark) supersedes a fact."""

    def _other_value(self, record, name):
        """A value different from the field's current one, for write()."""
        field = record._fields[name]
        value = record[name]
        if field.type == "many2one":
            return self.env[field.comodel_name].search([("id", "not in", value.ids)], limit=1).id
        if field.type == "many2many":
            return [(6, 0, self.env[field.comodel_name].search([("id", "not in", value.ids)], limit=1).ids)]
        if field.type == "selection":
            return next(key for key, _label in field._description_selection(self.env) if key != value)
        if field.type == "boolean":
            return not value
        if field.type in ("integer", "float"):
            return (value or 0) + 1
        if field.type in ("char", "text"):
            return f"{value or ''}x"
        if field.type == "date":
            return (value or fields.Date.today()) - timedelta(days=1)
        return (value or fields.Datetime.now()) - timedelta(hours=1)

    def _sql_other_value(self, record, name):
        """SQL for a value different from the column's current one."""
        field = record._fields[name]
        if field.type == "many2one":
            return SQL("(SELECT min(id) FROM %s WHERE id IS DISTINCT FROM %s)",
                       SQL.identifier(self.env[field.comodel_name]._table), record[name].id or None)
        return SQL("%s", record._fields[name].convert_to_column(self._other_value(record, name), record))

    def _frozen_fields(self, record):
        state = record._lock_state()
        changeable = record._lock_changeable[state]
        return sorted(name for name in record._lock_columns(record._fields)
                      if record._fields[name].column_type and name not in changeable
                      and name not in ("id", "create_uid", "create_date"))

    def _assert_frozen(self, record, users, also=()):
        """Every frozen column of ``record`` (and the fields ``also``) refused: write() as each
        of ``users``, with sudo(), and UPDATE in SQL as Odoo's role."""
        names = self._frozen_fields(record) + list(also)
        self.assertGreater(len(names), 5)
        for name in names:
            for writer in [record.with_user(user) for user in users] + [record.sudo()]:
                with self.subTest(field=name, user=writer.env.user.login, su=writer.env.su), \
                        self.assertRaises(UserError), self.cr.savepoint():
                    writer.write({name: self._other_value(record, name)})
            if not record._fields[name].column_type:
                continue
            self.env.flush_all()
            with self.subTest(field=name, sql=True), mute_logger("odoo.sql_db"), \
                    self.assertRaisesRegex(IntegrityError, "is locked|filled once|cannot go"), self.cr.savepoint():
                self.cr.execute(SQL("UPDATE %s SET %s = %s WHERE id = %s", SQL.identifier(record._table),
                                    SQL.identifier(name), self._sql_other_value(record, name), record.id))
        record.invalidate_recordset()
        with self.subTest(delete=True), mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), \
                self.cr.savepoint():
            self.cr.execute(SQL("DELETE FROM %s WHERE id = %s", SQL.identifier(record._table), record.id))
        with self.subTest(truncate=True), mute_logger("odoo.sql_db"), self.assertRaises(Exception), \
                self.cr.savepoint():
            self.cr.execute(SQL("TRUNCATE %s CASCADE", SQL.identifier(record._table)))

    def _writers(self):
        return [self.responsible_user, self.env.ref("base.user_admin")]

    def test_issued_row_is_frozen(self):
        entry = self._issue()
        self._assert_frozen(entry, self._writers(), also=["card_ids"])
        # the facts it still receives come through its steps, not through write()
        for vals in ({"return_datetime": fields.Datetime.now()}, {"struck": True}, {"state": "returned"},
                     {"issue_confirmed_at": False}, {"row_number": 99}):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.cr.savepoint():
                entry.with_user(self.responsible_user).write(vals)

    def test_closed_row_is_frozen_and_never_reopened(self):
        entry = self._issue()
        entry._confirm_by_badge(self.inspector._bodycam_badge_payload(), "return")
        entry.action_return()
        entry.action_mark_downloaded()
        entry.action_close()
        self._assert_frozen(entry, self._writers())
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "is locked"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_custody SET state = 'issued' WHERE id = %s", [entry.id])

    def test_struck_only_with_the_remark_of_its_correction(self):
        entry = self._issue()
        self.env.flush_all()
        # Odoo's role strikes a row through in SQL, without a correction: refused at commit
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "without the remark"), \
                self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_custody SET struck = true WHERE id = %s", [entry.id])
            self.cr.execute("SET CONSTRAINTS mchs_bodycam_custody_struck_lock IMMEDIATE")
        # the correction still works: struck, a new row, a remark on each (item 9)
        corrected = entry._correct("wrong inspector written", inspector_id=self.other_inspector,
                                   badge_payload=self.other_inspector._bodycam_badge_payload())
        self.assertTrue(entry.struck)
        self.assertEqual((corrected.inspector_id, corrected.card_ids), (self.other_inspector, entry.card_ids))
        self.assertEqual(entry.remark_ids.kind, "correction")
        self.cr.execute("SET CONSTRAINTS mchs_bodycam_custody_struck_lock IMMEDIATE")
        with self.assertRaises(UserError):
            entry._correct("again", inspector_id=self.inspector)
        with self.assertRaises(UserError):
            entry.with_user(self.responsible_user).write({"struck": False})

    def test_remarks_are_frozen(self):
        entry = self._issue()
        pause = entry._pause("meal")
        self._assert_frozen(pause, self._writers())
        entry._resume(fields.Datetime.now())
        self.assertTrue(pause.pause_end)
        self.env.flush_all()
        # its end, filled once, does not change either
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "filled once"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_custody_remark SET pause_end = pause_end + interval '1 hour' "
                            "WHERE id = %s", [pause.id])

    def test_book_registration_and_numbering_are_frozen(self):
        self._issue()
        self._assert_frozen(self.book, self._writers(), also=["date_start"])
        for user in self._writers():
            with self.assertRaises(UserError), self.cr.savepoint():
                self.book.with_user(user).write({"next_row_number": 1})
        self.env.flush_all()
        # rows are numbered one after the other: the counter goes up by one, never jumps or goes back
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "go up by one"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_journal SET next_row_number = next_row_number + 5 WHERE id = %s",
                            [self.book.id])
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "go up by one"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_journal SET next_row_number = 1 WHERE id = %s", [self.book.id])
        self.assertEqual(self.book._take_row_number(), 2)

    def test_journal_rows_are_chained(self):
        """The Appendix 1 chain: every signed fact of a row and every remark, in order."""
        entry = self._issue()
        entry._pause("meal")
        entry._resume(fields.Datetime.now())
        Log = self.env["mchs.bodycam.custody.log"]
        entries = Log.search([("department_id", "=", self.unit_a.id)], order="sequence")
        self.assertEqual(entries.mapped("event"), ["issued", "remark", "completed"])
        self.assertEqual(entries[1].previous_hash, entries[0].hash)
        self.assertFalse(Log._unmatched(self.unit_a))
        self.assertIsNone(__import__("odoo.addons.mchs_bodycam.lib.chain", fromlist=["chain"]).first_break(
            list(Log._chain_entries(self.unit_a))))
        # a row changed behind Odoo's back (the lock switched off by the tables' owner) no longer
        # matches what was signed
        self.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cr.execute("ALTER TABLE mchs_bodycam_custody DISABLE TRIGGER mchs_bodycam_custody_lock")
        self.cr.execute("UPDATE mchs_bodycam_custody SET issue_datetime = issue_datetime - interval '2 hours' "
                        "WHERE id = %s", [entry.id])
        self.cr.execute("ALTER TABLE mchs_bodycam_custody ENABLE TRIGGER mchs_bodycam_custody_lock")
        self.assertEqual(Log._unmatched(self.unit_a), [("row", entry.id)])
