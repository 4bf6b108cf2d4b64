"""The unit's date, whoever acts and wherever their own clock stands (items 5, 9, 22).

At 20:30 UTC it is already 1 December in Almaty, and still 30 November in UTC and in Brussels:
a designation, a book's dates and a document's date follow the unit's day, not the actor's."""
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CustodyCase

EVENING_UTC = "2026-11-30 20:30:00"
UNIT_DAY = date(2026, 12, 1)


@tagged("post_install", "-at_install")
@freeze_time(EVENING_UTC)
class TestUnitDay(CustodyCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head_user.tz = "Europe/Brussels"
        cls.responsible_user.tz = "UTC"

    def test_the_unit_is_a_day_ahead_of_its_people(self):
        self.assertEqual(self.unit_a._bodycam_today(), UNIT_DAY)
        self.assertEqual(self.env["hr.department"]._bodycam_today(), UNIT_DAY, "Almaty's for no unit")

    def test_a_designation_is_in_force_from_the_units_day(self):
        """Item 5: designated this morning, unit time, by a head whose own clock says yesterday;
        in force at once for everyone, its predecessor ended the day before."""
        designation = self.env["mchs.bodycam.designation"].with_user(self.head_user).create({
            "department_id": self.unit_a.id, "role": "responsible", "employee_id": self.other_inspector.id})
        self.assertEqual(designation.date_start, UNIT_DAY)
        self.assertTrue(designation.active_today)
        self.assertEqual(self.unit_a.bodycam_responsible_id, self.other_inspector)
        self.assertEqual(self.unit_a.with_user(self.responsible_user).bodycam_responsible_id, self.other_inspector)
        previous = self.env["mchs.bodycam.designation"].search([
            ("department_id", "=", self.unit_a.id), ("role", "=", "responsible"),
            ("employee_id", "=", self.responsible.id)])
        self.assertEqual(previous.date_end, date(2026, 11, 30))
        self.assertFalse(previous.active_today)

    def test_a_book_closes_on_the_units_day(self):
        """Item 9: the book closed by a responsible person working in UTC bears the unit's date."""
        self.book.with_user(self.responsible_user).action_close()
        self.assertEqual((self.book.state, self.book.date_end), ("closed", UNIT_DAY))

    def test_a_legal_basis_of_the_units_day_is_not_in_the_future(self):
        """Item 22: a request received this morning, unit time, is dated today, not tomorrow."""
        Basis = self.env["mchs.bodycam.legal.basis"].with_user(self.responsible_user)
        values = {"department_id": self.unit_a.id, "kind": "request", "number": "7",
                  "authority": "Алматы қаласының прокуратурасы"}
        self.assertEqual(Basis.create(dict(values, date=UNIT_DAY)).date, UNIT_DAY)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            Basis.create(dict(values, number="8", date=date(2026, 12, 2)))
