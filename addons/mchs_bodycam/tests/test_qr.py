from odoo.tests import HttpCase, tagged

from .common import BodycamCase, make_unit_with_responsible


@tagged("post_install", "-at_install")
class TestQr(BodycamCase):
    """item 6: signed QR labels resolve to the device or badge, and refusals are logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.qr = cls.env["mchs.bodycam.qr"].with_user(cls.responsible_user)

    def _logs(self):
        return self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.responsible_user.id)])

    def assertRefused(self, payload, reason, message_part):
        logs_before = self._logs()
        result = self.qr._resolve(payload)
        self.assertFalse(result["ok"])
        self.assertEqual(result["reason"], reason)
        self.assertIn(message_part, result["message"])
        new_log = self._logs() - logs_before
        self.assertEqual(len(new_log), 1, "every refusal is logged")
        self.assertEqual((new_log.reason, new_log.department_id), (reason, self.unit_a))
        self.assertEqual(new_log.payload, "".join(
            c if c.isprintable() else "?" for c in (payload or "").strip()[:200]))

    def test_round_trip(self):
        for record in (self.camera_a, self.card_a, self.inspector):
            payload = record._bodycam_badge_payload() if record._name == "hr.employee" else record._label_payload()
            self.assertRegex(payload, r"^MBC1\.[CME]\.[A-Z0-9/-]+\.[A-Z2-7]{16}$")
            result = self.qr._resolve(f"  {payload}\n")  # scanners add a newline
            self.assertEqual((result["ok"], result["model"], result["id"]), (True, record._name, record.id))
        self.assertEqual(self.camera_a._label_payload(), f"MBC1.C.TSA-BC-00001.{self.qr._signature('C', 'TSA-BC-00001')}")
        self.assertFalse(self._logs())

    def test_resolve_query_count(self):
        # the scan desk resolves every scan: key, device, holder's unit, user's units
        self.qr._resolve(self.camera_a._label_payload())
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=7):
            result = self.qr._resolve(self.camera_a2._label_payload())
        self.assertTrue(result["ok"])

    def test_forged_and_altered(self):
        payload = self.camera_a._label_payload()
        last = "A" if payload[-1] != "A" else "B"
        self.assertRefused(payload[:-1] + last, "forged", "signature")
        # the signature of camera 1 pasted onto the number of camera 2
        self.assertRefused(payload.replace("TSA-BC-00001", "TSA-BC-00002"), "forged", "forged")
        # the kind letter changed: a camera label read as a card label
        self.assertRefused(payload.replace("MBC1.C.", "MBC1.M."), "forged", "forged")

    def test_foreign_secret(self):
        foreign = self.qr._make_payload("C", self.camera_a.inventory_number, key=b"another database")
        self.assertRefused(foreign, "forged", "another system")

    def test_truncated_garbage_and_typed(self):
        payload = self.camera_a._label_payload()
        self.assertRefused(payload[:-3], "malformed", "truncated")
        self.assertRefused(payload[:10], "malformed", "not a bodycam label")
        self.assertRefused("TSA-BC-00001", "malformed", "typed")
        self.assertRefused("\x00\xff garbage ☢", "malformed", "not a bodycam label")
        self.assertRefused("", "malformed", "not a bodycam label")
        self.assertRefused(payload.lower(), "malformed", "not a bodycam label")

    def test_unknown(self):
        self.assertRefused(self.qr._make_payload("C", "TSA-BC-99999"), "unknown", "TSA-BC-99999")
        self.assertRefused(self.qr._make_payload("E", "999999"), "unknown", "999999")

    def test_written_off_and_lost(self):
        self.camera_a2.action_write_off()
        self.assertRefused(self.camera_a2._label_payload(), "written_off", "can never be issued")
        self.card_a3.action_mark_lost()
        self.assertRefused(self.card_a3._label_payload(), "written_off", "can never be issued")

    def test_other_unit_and_company(self):
        self.assertRefused(self.camera_b._label_payload(), "other_unit", "Unit B (test)")
        self.assertRefused(self.camera_c._label_payload(), "other_unit", "another unit")
        self.assertRefused(self.responsible_b._bodycam_badge_payload(), "other_unit", "another unit")


@tagged("post_install", "-at_install")
class TestScanRoute(HttpCase):
    """The JSON route the scan screens call (item 6)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit, cls.user = make_unit_with_responsible(cls.env, "TSS", "t.scan-user")
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id})

    def test_scan_route(self):
        self.authenticate("t.scan-user", "t.scan-user")
        result = self.make_jsonrpc_request("/mchs_bodycam/scan", {"payload": self.camera._label_payload()})
        self.assertEqual(result, {"ok": True, "kind": "C", "model": "mchs.bodycam.camera",
                                  "id": self.camera.id, "name": self.camera.inventory_number,
                                  "payload": self.camera._label_payload()})
        refused = self.make_jsonrpc_request("/mchs_bodycam/scan", {"payload": "MBC1.C.TSS-BC-00001"})
        self.assertEqual(refused["reason"], "malformed")
        log = self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)])
        self.assertEqual(log.reason, "malformed")
