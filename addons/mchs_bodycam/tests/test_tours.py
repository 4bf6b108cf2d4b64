from odoo.tests import HttpCase, tagged

from .common import RetentionCase, make_unit_with_responsible


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


@tagged("post_install", "-at_install")
class TestCommissionTour(RetentionCase, HttpCase):
    """The commission's screens in Chromium (items 12, 13): act, exclusion, confirmation, audit."""

    def test_commission_tour(self):
        kept = self._old_recording("2023-01-10 10:00:00")
        destroyed = self._old_recording("2023-02-10 10:00:00")
        commission = self.commission_record.with_user(self.head_user)
        self.assertTrue(commission.can_act, commission._composition_problems())
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_commission_action", "mchs_bodycam_commission_tour",
                        login="t.head")
        act = self.commission_record.destruction_ids
        self.assertEqual(act.state, "confirming")
        self.assertEqual(act.confirmation_ids.user_id, self.head_user)
        line = act.line_ids.filtered("excluded")
        self.assertEqual((line.recording_id, line.exclusion_reason, line.excluded_by_id),
                         (kept, "Complaint under review", self.head_user))
        self.assertFalse(act.line_ids.filtered(lambda l: l.recording_id == destroyed).excluded)
        self.assertEqual(self.commission_record.audit_ids.state, "running")
