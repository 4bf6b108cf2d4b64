from odoo.tests import HttpCase, tagged

from .common import make_unit_with_responsible


@tagged("post_install", "-at_install")
class TestRegistryTour(HttpCase):
    """The registry screens in Chromium: kanban, form, card slot wizard (item 8)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit, cls.user = make_unit_with_responsible(cls.env, "TOUR", "t.tour-user")
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})
        cls.card = cls.env["mchs.bodycam.card"].create({"department_id": cls.unit.id})

    def test_card_slot_tour(self):
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_camera_action", "mchs_bodycam_card_slot_tour",
                        login="t.tour-user")
        self.assertEqual(self.card.camera_id, self.camera)
        self.assertEqual(self.camera.seal_number, "T-SEAL-1")
        self.assertEqual(self.camera.seal_id.applied_by_id, self.user)
