from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import BodycamCase


@tagged("post_install", "-at_install")
class TestAccess(BodycamCase):
    """Every role, in its unit and across units (items 5, 13)."""

    def _visible(self, user, model):
        return self.env[model].with_user(user).search([])

    def test_inspector_sees_only_own_devices(self):
        self.assertFalse(self._visible(self.inspector_user, "mchs.bodycam.camera"))
        self.camera_a._mark_issued(self.inspector)
        self.assertEqual(self._visible(self.inspector_user, "mchs.bodycam.camera"), self.camera_a)
        self.assertFalse(self._visible(self.other_inspector_user, "mchs.bodycam.camera"))
        camera = self.camera_a.with_user(self.inspector_user)
        self.assertIn("TSA-BC-00001", camera.name)  # the delegated equipment is readable too
        with self.assertRaises(AccessError):
            camera.write({"serial_no": "X"})
        with self.assertRaises(AccessError):
            self.camera_a2.with_user(self.inspector_user).read(["inventory_number"])
        with self.assertRaises(AccessError):
            self.env["mchs.bodycam.camera"].with_user(self.inspector_user).create({"department_id": self.unit_a.id})

    def test_responsible_manages_own_unit_only(self):
        Camera = self.env["mchs.bodycam.camera"].with_user(self.responsible_user)
        self.assertEqual(self._visible(self.responsible_user, "mchs.bodycam.camera"), self.camera_a | self.camera_a2)
        self.assertEqual(self._visible(self.responsible_user, "mchs.bodycam.card"),
                         self.card_a | self.card_a2 | self.card_a3)
        camera = Camera.create({"department_id": self.unit_a.id, "model": "New", "serial_no": "SN-1"})
        self.assertRegex(camera.inventory_number, r"^TSA-BC-\d{5}$")
        camera.write({"serial_no": "SN-2"})
        self.assertEqual(camera.equipment_id.serial_no, "SN-2")
        camera.action_send_to_repair()
        camera.unlink()
        with self.assertRaises(AccessError):
            self.camera_b.with_user(self.responsible_user).read(["inventory_number"])
        with self.assertRaises(AccessError):
            self.camera_b.with_user(self.responsible_user).write({"serial_no": "X"})
        with self.assertRaises(AccessError):
            Camera.create({"department_id": self.unit_b.id})
        with self.assertRaises(AccessError):
            self.camera_c.with_user(self.responsible_user).read(["inventory_number"])
        # the other unit's responsible person sees the other unit only
        self.assertEqual(self._visible(self.responsible_b_user, "mchs.bodycam.camera"), self.camera_b)
        self.assertEqual(self._visible(self.responsible_c_user, "mchs.bodycam.camera"), self.camera_c)

    def test_head_and_commission_read_unit(self):
        for user in (self.head_user, self.commission_user):
            self.assertEqual(self._visible(user, "mchs.bodycam.camera"), self.camera_a | self.camera_a2)
            with self.assertRaises(AccessError):
                self.camera_a.with_user(user).write({"serial_no": "X"})
            with self.assertRaises(AccessError):
                self.env["mchs.bodycam.card"].with_user(user).create({"department_id": self.unit_a.id})
            with self.assertRaises(AccessError):
                self.camera_b.with_user(user).read(["inventory_number"])

    def test_admin_configures_own_unit(self):
        card = self.env["mchs.bodycam.card"].with_user(self.admin_user).create({"department_id": self.unit_a.id})
        card.write({"capacity_gb": 512})
        self.assertEqual(card.capacity_gb, 512)
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.admin_user).write({"capacity_gb": 1})

    def test_designations_by_head_in_own_unit(self):
        Designation = self.env["mchs.bodycam.designation"]
        designation = Designation.with_user(self.head_user).create({
            "department_id": self.unit_a.id, "role": "responsible", "employee_id": self.responsible.id})
        self.assertEqual(self.unit_a.bodycam_responsible_id, self.responsible)
        self.assertEqual(designation.with_user(self.inspector_user).employee_id, self.responsible)
        with self.assertRaises(AccessError):
            Designation.with_user(self.responsible_user).create({
                "department_id": self.unit_a.id, "role": "head", "employee_id": self.head.id})
        with self.assertRaises(AccessError):
            Designation.with_user(self.head_user).create({
                "department_id": self.unit_b.id, "role": "responsible", "employee_id": self.responsible_b.id})

    def test_card_slot_wizard_for_responsible_only(self):
        self.env["mchs.bodycam.slot.wizard"].with_user(self.responsible_user).create({
            "camera_id": self.camera_a.id, "operation": "install", "card_id": self.card_a.id,
            "new_seal_number": "W-1"}).action_apply()
        self.assertEqual(self.camera_a.seal_number, "W-1")
        with self.assertRaises(AccessError):
            self.env["mchs.bodycam.slot.wizard"].with_user(self.head_user).create({
                "camera_id": self.camera_a.id, "operation": "reseal", "new_seal_number": "W-2"})

    def test_scan_log(self):
        self.env["mchs.bodycam.qr"].with_user(self.inspector_user)._resolve("garbage")
        log = self.env["mchs.bodycam.scan.log"].with_user(self.responsible_user).search([])
        self.assertEqual(log.user_id, self.inspector_user)
        self.assertFalse(self.env["mchs.bodycam.scan.log"].with_user(self.responsible_b_user).search([]))
        with self.assertRaises(AccessError):
            self.env["mchs.bodycam.scan.log"].with_user(self.inspector_user).search([])
