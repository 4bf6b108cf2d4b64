from odoo.tests import TransactionCase, new_test_user


def make_unit_with_responsible(env, code, login):
    """A unit and its responsible person (a user with a password equal to the login and an
    employee in that unit), for tests that log in through the browser or HTTP."""
    unit = env["hr.department"].create({"name": f"Unit {code}", "bodycam_code": code})
    user = env["res.users"].create({
        "name": login, "login": login, "password": login,
        "groups_id": [(6, 0, env.ref("mchs_bodycam.group_bodycam_responsible").ids)],
    })
    env["hr.employee"].create({"name": login, "user_id": user.id, "department_id": unit.id})
    return unit, user


class BodycamCase(TransactionCase):
    """Two units of one company plus a unit of a second company, one user per role in unit A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Other company (test)"})
        Department = cls.env["hr.department"]
        cls.unit_a = Department.create({"name": "Unit A (test)", "bodycam_code": "TSA"})
        cls.unit_b = Department.create({"name": "Unit B (test)", "bodycam_code": "TSB"})
        cls.unit_c = Department.create({
            "name": "Unit C (test)", "bodycam_code": "TSC", "company_id": cls.company_2.id})

        cls.responsible_user, cls.responsible = cls._person("t.responsible", "group_bodycam_responsible", cls.unit_a)
        cls.head_user, cls.head = cls._person("t.head", "group_bodycam_head", cls.unit_a)
        cls.commission_user, cls.commission = cls._person("t.commission", "group_bodycam_commission", cls.unit_a)
        cls.admin_user, cls.admin = cls._person("t.admin", "group_bodycam_admin", cls.unit_a)
        cls.inspector_user, cls.inspector = cls._person("t.inspector", "group_bodycam_inspector", cls.unit_a,
                                                        barcode="4200000001")
        cls.other_inspector_user, cls.other_inspector = cls._person(
            "t.inspector2", "group_bodycam_inspector", cls.unit_a, barcode="4200000002")
        cls.responsible_b_user, cls.responsible_b = cls._person(
            "t.responsible.b", "group_bodycam_responsible", cls.unit_b, barcode="4200000003")
        cls.responsible_c_user, cls.responsible_c = cls._person(
            "t.responsible.c", "group_bodycam_responsible", cls.unit_c, company=cls.company_2)

        Camera = cls.env["mchs.bodycam.camera"]
        Card = cls.env["mchs.bodycam.card"]
        cls.camera_a = Camera.create({"department_id": cls.unit_a.id, "model": "Test cam", "card_slot_count": 2})
        cls.camera_a2 = Camera.create({"department_id": cls.unit_a.id, "model": "Test cam"})
        cls.camera_b = Camera.create({"department_id": cls.unit_b.id, "model": "Test cam"})
        cls.camera_c = Camera.create({"department_id": cls.unit_c.id, "model": "Test cam"})
        cls.card_a = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 128})
        cls.card_a2 = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 128})
        cls.card_a3 = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 256})
        cls.card_b = Card.create({"department_id": cls.unit_b.id, "capacity_gb": 64})

    @classmethod
    def _person(cls, login, group, unit, company=None, barcode=None):
        company = company or cls.company
        user = new_test_user(
            cls.env, login=login, groups=f"mchs_bodycam.{group}",
            company_id=company.id, company_ids=[(6, 0, company.ids)])
        employee = cls.env["hr.employee"].create({
            "name": login, "user_id": user.id, "department_id": unit.id,
            "company_id": company.id, "barcode": barcode,
        })
        return user, employee


CHECKS_PASSED = {
    "check_operable": True, "battery_level": 95, "check_datetime": True, "clock_offset_seconds": 3,
    "check_quality": True, "check_inventory_label": True, "check_seal_intact": True, "check_badge_worn": True,
}


class CustodyCase(BodycamCase):
    """Unit A with its responsible person and head designated, a registered Appendix 1 book,
    and two bodycams with cards installed and sealed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit_a.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit_a.id, "role": "head", "employee_id": cls.head.id, "date_start": "2020-01-01"})
        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit_a.id,
            "registration_number": "01-12/7", "registration_date": "2020-01-08"})
        cls.book.action_register()
        for camera, cards, seal in ((cls.camera_a, cls.card_a | cls.card_a2, "S-A"), (cls.camera_a2, cls.card_a3, "S-A2")):
            for card in cards:
                card._install_into(camera)
            camera._apply_seal(seal)
        cls.Custody = cls.env["mchs.bodycam.custody"].with_user(cls.responsible_user)

    def _draft(self, camera=None, inspector=None, **overrides):
        camera = camera or self.camera_a
        values = dict(CHECKS_PASSED, camera_id=camera.id, inspector_id=(inspector or self.inspector).id,
                      check_seal_number=camera.seal_number)
        values.update(overrides)
        return self.Custody.create(values)

    def _issue(self, camera=None, inspector=None, **overrides):
        entry = self._draft(camera, inspector, **overrides)
        entry.action_confirm_issue_badge((inspector or self.inspector).sudo().bodycam_qr_payload)
        entry.action_issue()
        return entry
