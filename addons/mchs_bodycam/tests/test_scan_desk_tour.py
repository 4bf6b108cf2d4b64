from odoo.tests import HttpCase, tagged

from ..lib import vault
from .common import make_unit_with_responsible

# The tour's payloads are signed with this key (see mchs_bodycam_scan_desk_tour.js).
TOUR_KEY = "tour-secret"


class ScanDeskTourCase(HttpCase):
    """A unit with its responsible person, an inspector, a registered book and a sealed bodycam
    with one card, whose labels the desk tours scan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # deterministic payloads: the tour hard-codes labels signed with this key
        vault.put(env.cr, "qr", "key", TOUR_KEY)

        cls.unit, cls.user = make_unit_with_responsible(env, "DESK", "t.desk-user")
        cls.responsible = cls.user.employee_ids
        env["mchs.bodycam.designation"].create({
            "department_id": cls.unit.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.inspector = env["hr.employee"].create({
            "name": "Tour Inspector", "department_id": cls.unit.id, "barcode": "7700000001"})
        cls.book = env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit.id,
            "registration_number": "01-12/9", "registration_date": "2020-01-08"})
        cls.book.action_register()
        cls.camera = env["mchs.bodycam.camera"].create({
            "department_id": cls.unit.id, "model": "Tour cam", "inventory_number": "TOUR-CAM-1"})
        cls.card = env["mchs.bodycam.card"].create({
            "department_id": cls.unit.id, "capacity_gb": 128, "inventory_number": "TOUR-MC-1"})
        cls.card._install_into(cls.camera)
        cls.camera._apply_seal("T-1")


@tagged("post_install", "-at_install")
class TestScanDeskTour(ScanDeskTourCase):
    """The scan desk in Chromium: a bodycam issued and received back with scans (items 7, 10, 16)."""

    def test_payloads_match_the_tour(self):
        qr = self.env["mchs.bodycam.qr"]
        self.assertEqual(qr._make_payload("C", "TOUR-CAM-1"), "MBC1.C.TOUR-CAM-1.BOWYWLB57TXH4YNI")
        self.assertEqual(qr._make_payload("M", "TOUR-MC-1"), "MBC1.M.TOUR-MC-1.HATW2O7EXDHR3P4A")
        self.assertEqual(qr._make_payload("E", "7700000001"), "MBC1.E.7700000001.2R3CWIMURKVVM5GV")

    def test_scan_desk_tour(self):
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action", "mchs_bodycam_scan_desk_tour",
                        login="t.desk-user")
        entry = self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera.id)])
        self.assertEqual(len(entry), 1, "the refused issue left no entry behind")
        self.assertEqual((entry.state, entry.journal_id, entry.row_number), ("returned", self.book, 1))
        self.assertEqual(entry.inspector_id, self.inspector)
        self.assertEqual((entry.issue_confirmation, entry.return_confirmation), ("badge", "badge"))
        self.assertEqual((entry.issued_by_id, entry.received_by_id), (self.user, self.user))
        self.assertEqual(entry.inventory_text, "TOUR-CAM-1 (TOUR-MC-1)")
        self.assertEqual((entry.check_seal_number, entry.battery_level, entry.clock_offset_seconds),
                         ("T-1", 95, 2))
        self.assertTrue(all(entry[name] for name in (
            "check_operable", "check_datetime", "check_quality", "check_inventory_label",
            "check_seal_intact", "check_placement", "check_badge_worn")))
        self.assertEqual(self.camera.employee_id, self.responsible)
        self.assertEqual(self.card.employee_id, self.responsible)
        refused = self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)])
        self.assertEqual(sorted(refused.mapped("reason")), ["forged", "wrong_kind"],
                         "the forged label and the card scanned instead of the bodycam were logged")
