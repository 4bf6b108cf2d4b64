from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BodycamCase


@tagged("post_install", "-at_install")
class TestDesignation(BodycamCase):
    """item 5: one responsible person at a time, with dated history."""

    def _designate(self, employee, start, role="responsible", unit=None):
        return self.env["mchs.bodycam.designation"].create({
            "department_id": (unit or self.unit_a).id, "role": role,
            "employee_id": employee.id, "date_start": start})

    def test_history_answers_who_was_responsible_on_a_date(self):
        first = self._designate(self.other_inspector, date(2024, 1, 1))
        second = self._designate(self.responsible, date(2025, 3, 1))
        self.assertEqual(first.date_end, date(2025, 2, 28))
        self.assertFalse(second.date_end)
        self.assertEqual(self.unit_a._bodycam_person_at("responsible", date(2024, 6, 1)), self.other_inspector)
        self.assertEqual(self.unit_a._bodycam_person_at("responsible", date(2025, 2, 28)), self.other_inspector)
        self.assertEqual(self.unit_a._bodycam_person_at("responsible", date(2025, 3, 1)), self.responsible)
        self.assertFalse(self.unit_a._bodycam_person_at("responsible", date(2023, 12, 31)))
        self.assertEqual(self.unit_a.bodycam_responsible_id, self.responsible)
        self.assertFalse(self.unit_a.bodycam_head_id)
        self._designate(self.head, date(2024, 1, 1), role="head")
        self.unit_a.invalidate_recordset(["bodycam_head_id"])
        self.assertEqual(self.unit_a.bodycam_head_id, self.head)

    def test_overlap_refused_by_database(self):
        self._designate(self.responsible, date(2025, 3, 1))
        # a designation starting earlier and never ending would overlap the current one
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self._designate(self.other_inspector, date(2025, 1, 1))

    def test_only_employees_of_the_unit(self):
        with self.assertRaisesRegex(ValidationError, "does not work in"):
            self._designate(self.responsible_b, date(2025, 1, 1))

    def test_history_is_kept(self):
        designation = self._designate(self.responsible, date(2025, 1, 1))
        with self.assertRaisesRegex(UserError, "is locked"):
            designation.write({"employee_id": self.other_inspector.id})
        with self.assertRaisesRegex(UserError, "is kept"):
            designation.unlink()
        designation.write({"date_end": date(2025, 12, 31)})
        self.assertFalse(self.unit_a._bodycam_person_at("responsible", date(2026, 1, 1)))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            designation.write({"date_end": date(2024, 12, 31)})
            designation.flush_recordset()
