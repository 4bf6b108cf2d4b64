from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRegistryTour(HttpCase):
    """The registry screens in Chromium: kanban, form, card slot wizard (item 8)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit = cls.env["hr.department"].create({"name": "Tour unit", "bodycam_code": "TOUR"})
        cls.user = cls.env["res.users"].create({
            "name": "Tour responsible", "login": "t.tour", "password": "t.tour-password",
            "groups_id": [(6, 0, cls.env.ref("mchs_bodycam.group_bodycam_responsible").ids)],
        })
        cls.env["hr.employee"].create({"name": "Tour responsible", "user_id": cls.user.id, "department_id": cls.unit.id})
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})
        cls.card = cls.env["mchs.bodycam.card"].create({"department_id": cls.unit.id})

    def test_card_slot_tour(self):
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_camera_action", "mchs_bodycam_card_slot_tour",
                        login="t.tour")
        self.assertEqual(self.card.camera_id, self.camera)
        self.assertEqual(self.camera.seal_number, "T-SEAL-1")
        self.assertEqual(self.camera.seal_id.applied_by_id, self.user)
