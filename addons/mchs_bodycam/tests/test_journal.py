from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BodycamCase


@tagged("post_install", "-at_install")
class TestJournal(BodycamCase):
    """item 9: journal books are registered before they take entries; one open book per kind."""

    def _book(self, number, kind="custody", unit=None):
        return self.env["mchs.bodycam.journal"].create({
            "kind": kind, "department_id": (unit or self.unit_a).id,
            "registration_number": number, "registration_date": "2026-01-08"})

    def test_register_and_close(self):
        book = self._book("01-12/7")
        self.assertEqual(book.state, "draft")
        with self.assertRaisesRegex(UserError, "not registered"):
            book._take_row_number()
        book.action_register()
        self.assertEqual((book.state, book.date_start.isoformat() > "2000"), ("registered", True))
        self.assertEqual([book._take_row_number() for _ in range(3)], [1, 2, 3])
        self.assertEqual(book.row_count, 3)
        with self.assertRaisesRegex(UserError, "is locked"):
            book.registration_number = "99"
        with self.assertRaisesRegex(UserError, "is kept"):
            book.unlink()
        book.action_close()
        self.assertTrue(book.date_end)
        with self.assertRaisesRegex(UserError, "not registered"):
            book._take_row_number()
        with self.assertRaisesRegex(UserError, "Only a registered"):
            book.action_close()

    def test_registration_needed(self):
        book = self.env["mchs.bodycam.journal"].create({"kind": "custody", "department_id": self.unit_a.id})
        with self.assertRaisesRegex(UserError, "registration number and date"):
            book.action_register()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            book.write({"state": "registered"})
            book.flush_recordset()

    def test_one_open_book_per_kind_and_unit(self):
        self._book("1").action_register()
        second = self._book("2")
        with self.assertRaisesRegex(UserError, "already has an open book"):
            second.action_register()
        # another kind, or another unit, may be open at the same time
        self._book("3", kind="access").action_register()
        self._book("4", unit=self.unit_b).action_register()
        # the database refuses a second open book even when Python is bypassed
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            second.write({"state": "registered"})
            second.flush_recordset()

    def test_access(self):
        Journal = self.env["mchs.bodycam.journal"]
        book = Journal.with_user(self.responsible_user).create({
            "kind": "custody", "registration_number": "R-1", "registration_date": "2026-01-08"})
        self.assertEqual(book.department_id, self.unit_a)
        book.action_register()
        self.assertEqual(Journal.with_user(self.head_user).search([]), book)
        self.assertFalse(Journal.with_user(self.responsible_b_user).search([]))
        with self.assertRaises(AccessError):
            book.with_user(self.head_user).action_close()
        with self.assertRaises(AccessError):
            Journal.with_user(self.responsible_user).create({"kind": "custody", "department_id": self.unit_b.id})
