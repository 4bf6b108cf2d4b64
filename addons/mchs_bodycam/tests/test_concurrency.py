import threading
import uuid

from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CHECKS_PASSED


@tagged("post_install", "-at_install")
class TestConcurrency(TransactionCase):
    """Two real PostgreSQL transactions at once: the database keeps the registry consistent."""

    def setUp(self):
        super().setUp()
        self.code = "Q" + uuid.uuid4().hex[:6].upper()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            unit = env["hr.department"].create({"name": f"Concurrency {self.code}", "bodycam_code": self.code})
            cameras = env["mchs.bodycam.camera"].create([{"department_id": unit.id} for _ in range(2)])
            card = env["mchs.bodycam.card"].create({"department_id": unit.id})
            book = env["mchs.bodycam.journal"].create({
                "kind": "custody", "department_id": unit.id,
                "registration_number": self.code, "registration_date": "2026-01-08"})
            book.action_register()
            self.unit_id, self.camera_ids, self.card_id, self.book_id = unit.id, cameras.ids, card.id, book.id
        self.addCleanup(self._drop_committed_data)

    LOCKED_TABLES = ("mchs_bodycam_custody_log", "mchs_bodycam_custody", "mchs_bodycam_card_mchs_bodycam_custody_rel", "mchs_bodycam_designation",
                     "mchs_bodycam_card_installation", "mchs_bodycam_seal", "mchs_bodycam_journal",
                     "mchs_bodycam_card", "mchs_bodycam_camera")

    def _drop_committed_data(self):
        with self.registry.cursor() as cr:
            # the test's committed journal rows are history to the locks: only the tables' owner
            # removes them, with the locks off for this transaction
            for table in self.LOCKED_TABLES:
                cr.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")  # noqa: S608
            cr.execute("SELECT resource_id FROM hr_employee WHERE department_id = %s", [self.unit_id])
            resource_ids = [row[0] for row in cr.fetchall()]
            for table in ("mchs_bodycam_custody_log", "mchs_bodycam_custody", "mchs_bodycam_designation", "mchs_bodycam_card_installation", "mchs_bodycam_seal", "mchs_bodycam_journal"):
                cr.execute(f"DELETE FROM {table} WHERE department_id = %s", [self.unit_id])  # noqa: S608
            cr.execute("""
                SELECT equipment_id FROM mchs_bodycam_card WHERE department_id = %(unit)s
                UNION ALL SELECT equipment_id FROM mchs_bodycam_camera WHERE department_id = %(unit)s
            """, {"unit": self.unit_id})
            equipment_ids = [row[0] for row in cr.fetchall()]
            cr.execute("DELETE FROM mchs_bodycam_card WHERE department_id = %s", [self.unit_id])
            cr.execute("DELETE FROM mchs_bodycam_camera WHERE department_id = %s", [self.unit_id])
            cr.execute("DELETE FROM maintenance_equipment WHERE id = ANY(%s)", [equipment_ids])
            cr.execute("""
                DELETE FROM ir_sequence WHERE id IN (
                    SELECT bodycam_camera_sequence_id FROM hr_department WHERE id = %(unit)s
                    UNION SELECT bodycam_card_sequence_id FROM hr_department WHERE id = %(unit)s)
            """, {"unit": self.unit_id})
            cr.execute("DELETE FROM hr_employee WHERE department_id = %s", [self.unit_id])
            cr.execute("DELETE FROM resource_resource WHERE id = ANY(%s)", [resource_ids])
            cr.execute("DELETE FROM hr_department WHERE id = %s", [self.unit_id])
            for table in self.LOCKED_TABLES:
                cr.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")  # noqa: S608

    def _race(self, first, second):
        """Run ``first`` in one transaction and, while it is still open, ``second`` in another.

        Returns the exception each raised (or None). ``second`` runs in a thread because it
        waits on the row or index lock ``first`` holds until ``first`` commits.
        """
        outcome = {}

        def run(name, job, cr, started=None):
            try:
                env = api.Environment(cr, SUPERUSER_ID, {})
                job(env)
                if started:
                    started.set()
                    return
                cr.commit()  # pylint: disable=invalid-commit  # the test's own transaction
                outcome[name] = None
            except (IntegrityError, SerializationFailure, UserError) as error:
                cr.rollback()
                outcome[name] = error

        with self.registry.cursor() as cr1, self.registry.cursor() as cr2, mute_logger("odoo.sql_db"):
            started = threading.Event()
            run("first", first, cr1, started)
            thread = threading.Thread(target=run, args=("second", second, cr2))
            thread.start()
            thread.join(timeout=1)  # `second` is now blocked on first's lock
            cr1.commit()
            outcome.setdefault("first", None)
            thread.join(timeout=30)
            self.assertFalse(thread.is_alive(), "the second transaction never finished")
        return outcome["first"], outcome["second"]

    def _count(self, where, params):
        with self.registry.cursor() as cr:
            cr.execute(f"SELECT count(*) FROM {where}", params)  # noqa: S608
            return cr.fetchone()[0]

    def test_same_inventory_number_from_two_transactions(self):
        def register(env):
            env["mchs.bodycam.camera"].create({"department_id": self.unit_id, "inventory_number": f"{self.code}-X-1"})
            env.flush_all()
        first, second = self._race(register, register)
        self.assertIsNone(first)
        self.assertIsInstance(second, IntegrityError)
        self.assertEqual(self._count("mchs_bodycam_camera WHERE inventory_number = %s", [f"{self.code}-X-1"]), 1)

    def test_numbering_from_two_transactions_never_collides(self):
        numbers = []

        def register(env):
            camera = env["mchs.bodycam.camera"].create({"department_id": self.unit_id})
            env.flush_all()
            numbers.append(camera.inventory_number)
        first, second = self._race(register, register)
        self.assertEqual((first, second), (None, None))
        self.assertEqual(len(set(numbers)), 2, numbers)

    def test_row_numbers_gap_free_under_concurrent_entries(self):
        # item 9: "р/с №" of a book, gap-free and never reused
        numbers = []

        def take(env):
            numbers.append(env["mchs.bodycam.journal"].browse(self.book_id)._take_row_number())
        first, second = self._race(take, take)
        self.assertIsNone(first)
        # The second entry waited for the first and was refused at its commit; Odoo retries
        # such a request (odoo.service.model.retrying), which then gets the next number.
        self.assertIsInstance(second, SerializationFailure)
        with self.registry.cursor() as cr:
            take(api.Environment(cr, SUPERUSER_ID, {}))
        self.assertEqual(numbers, [1, 2])
        # a number taken in a transaction that rolls back is given back
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["mchs.bodycam.journal"].browse(self.book_id)._take_row_number(), 3)
            cr.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["mchs.bodycam.journal"].browse(self.book_id)._take_row_number(), 3)

    def test_same_card_into_two_cameras(self):
        def install_into(index):
            def job(env):
                env["mchs.bodycam.card"].browse(self.card_id)._install_into(
                    env["mchs.bodycam.camera"].browse(self.camera_ids[index]))
                env.flush_all()
            return job
        first, second = self._race(install_into(0), install_into(1))
        self.assertIsNone(first)
        self.assertIsInstance(second, (IntegrityError, UserError))
        self.assertEqual(self._count(
            "mchs_bodycam_card_installation WHERE card_id = %s AND date_removed IS NULL", [self.card_id]), 1)
        with self.registry.cursor() as cr:
            cr.execute("SELECT camera_id FROM mchs_bodycam_card WHERE id = %s", [self.card_id])
            self.assertEqual(cr.fetchone()[0], self.camera_ids[0])

    def test_same_bodycam_issued_from_two_desks(self):
        """items 7, 23: one wins, the other gets a clear error, nothing is half-written."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            unit = env["hr.department"].browse(self.unit_id)
            # the transactions below run as OdooBot: make it the unit's responsible person
            bot = env["hr.employee"].create({"name": "Desk", "user_id": SUPERUSER_ID, "department_id": unit.id})
            env["mchs.bodycam.designation"].create({"department_id": unit.id, "role": "responsible",
                                                    "employee_id": bot.id, "date_start": "2020-01-01"})
            inspectors = env["hr.employee"].create([
                {"name": f"Inspector {n}", "department_id": unit.id, "barcode": f"{n}{uuid.uuid4().int % 10**9:09d}"}
                for n in (1, 2)])
            camera = env["mchs.bodycam.camera"].browse(self.camera_ids[0])
            env["mchs.bodycam.card"].browse(self.card_id)._install_into(camera)
            camera._apply_seal(f"{self.code}-S")
            badges = [inspector._bodycam_badge_payload() for inspector in inspectors]

        def issue_to(index):
            def job(env):
                checklist = dict(CHECKS_PASSED, check_seal_number=f"{self.code}-S")
                env["mchs.bodycam.custody"].desk_issue(self.camera_ids[0], badges[index], checklist)
                env.flush_all()
            return job
        first, second = self._race(issue_to(0), issue_to(1))
        self.assertIsNone(first)
        self.assertIsInstance(second, (SerializationFailure, IntegrityError, UserError))
        # Odoo retries a request that lost a race: the retry is refused in plain words
        with self.assertRaisesRegex(UserError, "not available"), self.registry.cursor() as cr:
            issue_to(1)(api.Environment(cr, SUPERUSER_ID, {}))
        self.assertEqual(self._count("mchs_bodycam_custody WHERE camera_id = %s", [self.camera_ids[0]]), 1)
        with self.registry.cursor() as cr:
            cr.execute("""SELECT c.state, e.name FROM mchs_bodycam_camera c JOIN hr_employee e ON e.id = c.employee_id
                          WHERE c.id = %s""", [self.camera_ids[0]])
            self.assertEqual(cr.fetchone(), ("issued", "Inspector 1"))
