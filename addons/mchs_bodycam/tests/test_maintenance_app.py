"""Issue 14, point 4: a bodycam's unit and holder are hr_maintenance's department and employee
of its equipment, so that the Maintenance app shows them; written there, they obey the device's
lock (items 6, 7)."""
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import BodycamCase, make_unit_with_responsible


@tagged("post_install", "-at_install")
class TestMaintenanceApp(BodycamCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # an HR officer: Odoo makes them a maintenance manager, who may write every equipment
        cls.hr_officer = new_test_user(cls.env, login="t.hr-officer", groups="hr.group_hr_user")

    def _read_equipment(self, user, device):
        row = device.equipment_id.with_user(user).read(["department_id", "employee_id", "equipment_assign_to"])[0]
        return row["department_id"] and row["department_id"][0], row["employee_id"] and row["employee_id"][0], \
            row["equipment_assign_to"]

    def test_equipment_shows_unit_and_holder(self):
        for device in (self.camera_a, self.card_a):
            self.assertEqual(self._read_equipment(self.hr_officer, device), (self.unit_a.id, False, "other"))
        self.camera_a._mark_issued(self.inspector)
        self.card_a._mark_issued(self.inspector)
        for device in (self.camera_a, self.card_a):
            self.assertEqual(self._read_equipment(self.hr_officer, device), (self.unit_a.id, self.inspector.id, "other"))
        held = self.camera_a.equipment_id | self.card_a.equipment_id
        Equipment = self.env["maintenance.equipment"].with_user(self.hr_officer)
        self.assertEqual(Equipment.search([("employee_id", "=", self.inspector.id)]), held)
        self.assertEqual(self.inspector.equipment_ids, held)  # the employee form's Equipment button
        self.assertEqual(Equipment.search([("department_id", "=", self.unit_b.id)]),
                         self.camera_b.equipment_id | self.card_b.equipment_id)
        self.camera_a._mark_returned()
        self.assertEqual(self._read_equipment(self.hr_officer, self.camera_a), (self.unit_a.id, False, "other"))
        # the device reads the same fields: search and group by them as before
        self.assertEqual(self.env["mchs.bodycam.card"].search([("employee_id", "=", self.inspector.id)]), self.card_a)

    def test_each_role_sees_its_equipment_in_the_maintenance_app(self):
        """Items 5, 13: the equipment's own department and employee decide, as for the devices."""
        self.camera_a._mark_issued(self.inspector)
        unit_a = (self.camera_a | self.camera_a2).equipment_id | (self.card_a | self.card_a2 | self.card_a3).equipment_id
        for user in (self.responsible_user, self.head_user, self.commission_user, self.admin_user):
            with self.subTest(user=user.login):
                Equipment = self.env["maintenance.equipment"].with_user(user)
                self.assertEqual(Equipment.search([("bodycam_device", "=", True)]), unit_a)
        Equipment = self.env["maintenance.equipment"].with_user(self.inspector_user)
        self.assertEqual(Equipment.search([("bodycam_device", "=", True)]), self.camera_a.equipment_id)
        self.assertFalse(self.env["maintenance.equipment"].with_user(self.other_inspector_user).search(
            [("bodycam_device", "=", True)]))
        self.assertEqual(self.env["maintenance.equipment"].with_user(self.responsible_b_user).search(
            [("bodycam_device", "=", True)]), self.camera_b.equipment_id | self.card_b.equipment_id)
        # registering a device creates its equipment in the unit: in the responsible person's own unit only
        camera = self.env["mchs.bodycam.camera"].with_user(self.responsible_user).create({"department_id": self.unit_a.id})
        self.assertEqual(self._read_equipment(self.responsible_user, camera), (self.unit_a.id, False, "other"))
        with self.assertRaises(AccessError):
            self.env["maintenance.equipment"].with_user(self.responsible_user).create({
                "name": "Smuggled", "bodycam_device": True, "department_id": self.unit_b.id,
                "equipment_assign_to": "other"})
        with self.assertRaises(AccessError):
            self.camera_a.equipment_id.with_user(self.head_user).write({"serial_no": "X"})

    def test_unit_and_holder_obey_the_device_lock_in_the_maintenance_app(self):
        """Items 6, 7: the holder changes only through the journal, the unit of a device in
        service never; whether written on the device or on its equipment."""
        self.camera_a._mark_issued(self.inspector)
        equipment = self.camera_a.equipment_id
        # (the context that spares the equipment's chatter the device's own steps opens no door)
        for writer in (equipment.with_user(self.hr_officer), equipment.with_user(self.responsible_user),
                       equipment.with_user(self.hr_officer).with_context(mchs_bodycam_device_write=True),
                       # as JSON-RPC would carry it: a list of the equipment's ids
                       equipment.with_user(self.hr_officer).with_context(mchs_bodycam_device_write=[equipment.id])):
            with self.subTest(user=writer.env.user.login):
                with self.assertRaisesRegex(UserError, "change only through its buttons"):
                    writer.write({"employee_id": self.other_inspector.id})
                with self.assertRaisesRegex(UserError, "is locked"):
                    writer.write({"department_id": self.unit_b.id})
        with self.assertRaisesRegex(UserError, "is locked"):
            equipment.sudo().write({"department_id": self.unit_b.id})
        # the departure of an inspector who still holds a bodycam frees no equipment
        wizard = self.env["hr.departure.wizard"].with_user(self.hr_officer).create({
            "employee_id": self.inspector.id, "unassign_equipment": True})
        with self.assertRaisesRegex(UserError, "change only through its buttons"):
            wizard.action_register_departure()
        # hr_maintenance's "used by": a bodycam keeps both its unit and its holder
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            equipment.sudo().write({"equipment_assign_to": "employee"})
            equipment.flush_recordset()
        # in SQL: the device's own row refuses a new unit and an issued device without holder
        self.env.flush_all()
        for column, value in (("department_id", self.unit_b.id), ("employee_id", None)):
            with self.subTest(column=column), mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), \
                    self.cr.savepoint():
                self.cr.execute(SQL("UPDATE mchs_bodycam_camera SET %s = %s WHERE id = %s",
                                    SQL.identifier(column), value, self.camera_a.id))
        # a step of the journal's own, written on the equipment, is the device's too
        equipment.sudo().write({"employee_id": self.other_inspector.id})
        self.assertEqual((self.camera_a.employee_id, equipment.employee_id), (self.other_inspector, self.other_inspector))
        self.assertEqual(self.camera_a.department_id, self.unit_a)

    def test_holders_are_told_by_the_device_not_the_equipment(self):
        """The journal's steps leave the equipment's followers and chatter alone: a holder who
        gave the bodycam back does not follow (and so read) its equipment, and nobody is notified
        of an issue twice a day; the device's chatter tracks its holder."""
        equipment = self.camera_a.equipment_id
        messages, device_messages = len(equipment.message_ids), len(self.camera_a.message_ids)
        self.camera_a._mark_issued(self.inspector)
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertNotIn(self.inspector_user.partner_id, equipment.message_partner_ids)
        self.assertEqual(len(equipment.message_ids), messages)
        self.assertEqual(len(self.camera_a.message_ids), device_messages + 1)
        self.camera_a._mark_returned()
        with self.assertRaises(AccessError):
            equipment.with_user(self.inspector_user).read(["name"])


@tagged("post_install", "-at_install")
class TestMaintenanceAppTour(HttpCase):
    """The Maintenance app in Chromium: the responsible person finds the unit's bodycam with its
    unit and holder in the equipment kanban, list and form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit, cls.user = make_unit_with_responsible(cls.env, "MNT", "t.mnt-user")
        cls.inspector = cls.env["hr.employee"].create({"name": "Inspector of the tour", "department_id": cls.unit.id})
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})
        cls.camera._mark_issued(cls.inspector)

    def test_maintenance_equipment_shows_unit_and_holder(self):
        self.start_tour("/odoo/action-maintenance.hr_equipment_action", "mchs_bodycam_maintenance_tour",
                        login="t.mnt-user")
