from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import BodycamCase


@tagged("post_install", "-at_install")
class TestRegistry(BodycamCase):
    """The registry of items 6 and 8: numbering, states, cards and seals."""

    def _install(self, camera, card, seal):
        wizard = Form(self.env["mchs.bodycam.slot.wizard"].with_context(default_camera_id=camera.id))
        wizard.operation = "install"
        wizard.card_id = card
        wizard.new_seal_number = seal
        return wizard.save().action_apply()

    def test_inventory_numbers_per_unit_sequence(self):
        # item 6: every device gets an inventory number from its unit's numbering
        self.assertEqual(self.camera_a.inventory_number, "TSA-BC-00001")
        self.assertEqual(self.camera_a2.inventory_number, "TSA-BC-00002")
        self.assertEqual(self.camera_b.inventory_number, "TSB-BC-00001")
        self.assertEqual(self.card_a.inventory_number, "TSA-MC-00001")
        self.assertEqual(self.camera_c.company_id, self.company_2)
        self.assertEqual(self.unit_a.bodycam_camera_sequence_id.company_id, self.company)

    def test_device_is_maintenance_equipment(self):
        equipment = self.camera_a.equipment_id
        self.assertEqual(equipment._name, "maintenance.equipment")
        self.assertEqual(equipment.category_id, self.env.ref("mchs_bodycam.equipment_category_bodycam"))
        self.assertEqual(self.card_a.equipment_id.category_id, self.env.ref("mchs_bodycam.equipment_category_card"))
        self.assertEqual(self.camera_c.equipment_id.company_id, self.company_2)
        self.assertIn("TSA-BC-00001", equipment.name)

    def test_inventory_number_unique_per_company_in_database(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["mchs.bodycam.camera"].create({
                "department_id": self.unit_b.id, "inventory_number": self.camera_a.inventory_number})
        # another company may use the same number
        other = self.env["mchs.bodycam.camera"].create({
            "department_id": self.unit_c.id, "inventory_number": self.camera_a.inventory_number})
        self.assertEqual(other.inventory_number, self.camera_a.inventory_number)

    def test_inventory_number_format(self):
        camera = self.env["mchs.bodycam.camera"].create({"department_id": self.unit_a.id, "inventory_number": " inv-77 "})
        self.assertEqual(camera.inventory_number, "INV-77")
        with self.assertRaisesRegex(ValidationError, "inventory number"):
            self.env["mchs.bodycam.camera"].create({"department_id": self.unit_a.id, "inventory_number": "№ 5"})

    def test_inventory_number_frozen_once_issued(self):
        # item 6: the number is used at issue, return and download; it cannot change afterwards
        self.camera_a2.write({"inventory_number": "TSA-BC-07777"})
        self.assertEqual(self.camera_a2.inventory_number, "TSA-BC-07777")
        self.camera_a2._mark_issued(self.inspector)
        self.assertTrue(self.camera_a2.first_issue_date)
        with self.assertRaisesRegex(UserError, "is locked"):
            self.camera_a2.write({"inventory_number": "TSA-BC-08888"})
        self.camera_a2._mark_returned()
        with self.assertRaisesRegex(UserError, "is locked"):
            self.camera_a2.write({"inventory_number": "TSA-BC-08888"})
        with self.assertRaisesRegex(UserError, "is kept"):
            self.camera_a2.unlink()
        # the database refuses it too, even to SQL that bypasses the ORM
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "is locked"), self.cr.savepoint():
            self.cr.execute("UPDATE mchs_bodycam_camera SET inventory_number = 'X-1' WHERE id = %s",
                            [self.camera_a2.id])

    def test_issue_and_return_follow_holder(self):
        self.camera_a._mark_issued(self.inspector)
        self.assertEqual((self.camera_a.state, self.camera_a.employee_id), ("issued", self.inspector))
        with self.assertRaisesRegex(UserError, "not available"):
            self.camera_a._mark_issued(self.other_inspector)
        self.camera_a._mark_returned()
        self.assertEqual((self.camera_a.state, self.camera_a.employee_id.id), ("available", False))
        with self.assertRaisesRegex(UserError, "is not issued"):
            self.camera_a._mark_returned()

    def test_issued_device_has_holder_in_database(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.camera_a.write({"state": "issued"})
            self.camera_a.flush_recordset()

    def test_written_off_and_lost_never_issued(self):
        self.camera_a2.action_write_off()
        self.assertEqual(self.camera_a2.state, "written_off")
        self.assertTrue(self.camera_a2.equipment_id.scrap_date)
        with self.assertRaisesRegex(UserError, "can never be issued"):
            self.camera_a2._mark_issued(self.inspector)
        with self.assertRaisesRegex(UserError, "cannot go from"):
            self.camera_a2.action_back_from_repair()
        self.card_a3.action_mark_lost()
        with self.assertRaisesRegex(UserError, "can never be issued"):
            self.card_a3._mark_issued(self.inspector)
        with self.assertRaisesRegex(UserError, "cannot go from"):
            self.card_a3.action_write_off()

    def test_breakdown_becomes_maintenance_request(self):
        request = self.camera_a2.action_send_to_repair()
        self.assertEqual(request.equipment_id, self.camera_a2.equipment_id)
        self.assertEqual(self.camera_a2.state, "repair")
        self.assertEqual(self.camera_a2.maintenance_count, 1)
        with self.assertRaisesRegex(UserError, "not available"):
            self.camera_a2._mark_issued(self.inspector)
        self.camera_a2.action_back_from_repair()
        self.assertEqual(self.camera_a2.state, "available")
        action = self.camera_a2.action_open_maintenance_requests()
        self.assertEqual(self.env["maintenance.request"].search(action["domain"]), request)

    def test_install_cards_and_seal(self):
        # item 8: cards go in, the slot is sealed; history is kept
        self._install(self.camera_a, self.card_a, "S-1")
        self.assertEqual(self.card_a.camera_id, self.camera_a)
        self.assertEqual(self.camera_a.seal_number, "S-1")
        self.assertIn("S-1", self.camera_a.message_ids[:1].body)
        self._install(self.camera_a, self.card_a2, "S-2")
        self.assertEqual(self.camera_a.card_ids, self.card_a | self.card_a2)
        self.assertEqual(self.camera_a.seal_number, "S-2")
        first_seal = self.camera_a.seal_ids.filtered(lambda s: s.number == "S-1")
        self.assertEqual(first_seal.removal_reason, "card_change")
        self.assertEqual(len(self.camera_a.card_installation_ids), 2)
        with self.assertRaisesRegex(UserError, "no free card slot"):
            self._install(self.camera_a, self.card_a3, "S-3")

    def test_card_in_one_camera_at_a_time(self):
        self._install(self.camera_a, self.card_a, "S-10")
        with self.assertRaisesRegex(UserError, "already installed"):
            self.card_a._install_into(self.camera_a2)
        # the database refuses a second open installation even if Python checks are bypassed
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["mchs.bodycam.card.installation"].create({
                "card_id": self.card_a.id, "camera_id": self.camera_a2.id})
            self.env.flush_all()

    def test_remove_card_closes_history(self):
        self._install(self.camera_a, self.card_a, "S-20")
        wizard = Form(self.env["mchs.bodycam.slot.wizard"].with_context(default_camera_id=self.camera_a.id))
        wizard.operation = "remove"
        wizard.remove_card_id = self.card_a
        wizard.new_seal_number = "S-21"
        wizard.save().action_apply()
        self.assertFalse(self.card_a.camera_id)
        self.assertTrue(self.card_a.installation_ids.date_removed)
        self.assertEqual(self.camera_a.seal_number, "S-21")
        self._install(self.camera_a2, self.card_a, "S-22")
        self.assertEqual(len(self.card_a.installation_ids), 2)

    def test_cards_cannot_cross_units_or_change_while_issued(self):
        with self.assertRaisesRegex(UserError, "different units"):
            self.card_b._install_into(self.camera_a)
        self.camera_a._mark_issued(self.inspector)
        with self.assertRaisesRegex(UserError, "only be changed while it is available"):
            self.card_a._install_into(self.camera_a)

    def test_seal_rules(self):
        self.camera_a._apply_seal("S-30")
        wizard = Form(self.env["mchs.bodycam.slot.wizard"].with_context(default_camera_id=self.camera_a.id))
        wizard.operation = "reseal"
        wizard.reseal_reason = "broken"
        wizard.new_seal_number = "S-31"
        wizard.save().action_apply()
        old = self.camera_a.seal_ids.filtered(lambda s: s.number == "S-30")
        self.assertEqual(old.removal_reason, "broken")
        self.assertEqual(self.camera_a.seal_number, "S-31")
        with self.assertRaisesRegex(UserError, "new seal"):
            self.camera_a._apply_seal("  ")
        with self.assertRaisesRegex(UserError, "is locked"):
            old.write({"number": "S-99"})
        with self.assertRaisesRegex(UserError, "is kept"):
            old.unlink()
        # a seal number is used once per company
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.camera_a2._apply_seal("S-30")
            self.env.flush_all()

    def test_unit_code_frozen_once_numbering_started(self):
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            self.unit_a.bodycam_code = "ZZZ"
        with self.assertRaisesRegex(UserError, "Only the bodycam administrator"):
            self.unit_b.with_user(self.responsible_user).bodycam_code = "ZZZ"
        fresh = self.env["hr.department"].create({"name": "Fresh unit"})
        fresh.with_user(self.admin_user).bodycam_code = "FRS"
        self.assertEqual(fresh.bodycam_code, "FRS")
        with self.assertRaisesRegex(ValidationError, "unit code"):
            self.env["hr.department"].create({"name": "Bad code", "bodycam_code": "a b"})
        self.assertEqual(self.unit_a.bodycam_camera_count, 2)
        self.assertEqual(self.unit_a.bodycam_card_count, 3)
