"""The scan desk through a working day (issue 12, point 3; items 5, 7, 10, 11, 16), in Chromium
and on the server: issue, return, the dock's download, the wipe and the next issue, and a scanner
left on the Russian or the Kazakh keyboard layout."""
import hashlib
import os
import shutil
import tempfile
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_open

from ..lib import keyboard_layout, vault
from ..models.mchs_bodycam_custody import CHECKLIST
from .common import make_unit_with_responsible

# the tours' payloads are signed with this key, and the dock of the day tour has this token
TOUR_KEY = "tour-secret"
DOCK_TOKEN = "day-dock-token-0123456789"
SHIPPED_VIDEO = "mchs_bodycam/static/demo/bodycam_demo.mp4"
CHECKS = dict.fromkeys(CHECKLIST, True)  # every check of item 16's list ticked

# What the keys of a label type under each layout (an independent copy of the keyboards, not of
# lib/keyboard_layout.py): Latin capitals with Shift, digits and ".", "-", "/" without.
_ROWS = {"QWERTYUIOP": "ЙЦУКЕНГШЩЗ", "ASDFGHJKL": "ФЫВАПРОЛД", "ZXCVBNM": "ЯЧСМИТЬ"}
_KEYS = dict({latin: cyrillic for row, cyr in _ROWS.items() for latin, cyrillic in zip(row, cyr)}, **{".": "ю"})
TYPED_UNDER = {
    "ru": dict(_KEYS, **{"/": "."}),
    "kk": dict(_KEYS, **dict(zip("1234567890-/", ['"', "ә", "і", "ң", "ғ", ",", ".", "ү", "ұ", "қ", "ө", "№"]))),
}


def typed_under(layout, text):
    return "".join(TYPED_UNDER[layout].get(char, char) for char in text)


class DeskDayCase(HttpCase):
    """A unit with its responsible person designated, a registered book, a storage server on real
    folders with its dock, one bodycam with its card sealed, and two inspectors with badges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        vault.put(env.cr, "qr", "key", TOUR_KEY)
        cls.unit, cls.user = make_unit_with_responsible(env, "DAY", "t.day-desk")
        cls.responsible = cls.user.employee_ids
        env["mchs.bodycam.designation"].create({
            "department_id": cls.unit.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.book = env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit.id,
            "registration_number": "01-12/21", "registration_date": "2020-01-08"})
        cls.book.action_register()
        cls.storage = env["mchs.bodycam.storage"].create({
            "name": "Day storage", "department_id": cls.unit.id, "primary_path": "/nonexistent/primary",
            "backup_path": "/nonexistent/backup"})
        cls.dock = env["mchs.bodycam.dock"].create({"name": "DAY-DOCK-1", "department_id": cls.unit.id})
        cls.dock.sudo().token_hash = cls.dock._hash_token(DOCK_TOKEN)
        cls.inspector_a = env["hr.employee"].create({
            "name": "Day Inspector A", "department_id": cls.unit.id, "barcode": "7700000011"})
        cls.inspector_b = env["hr.employee"].create({
            "name": "Day Inspector B", "department_id": cls.unit.id, "barcode": "7700000012"})
        cls.camera = env["mchs.bodycam.camera"].create({
            "department_id": cls.unit.id, "model": "Day cam", "inventory_number": "DAY-CAM-1"})
        cls.card = env["mchs.bodycam.card"].create({
            "department_id": cls.unit.id, "capacity_gb": 128, "inventory_number": "DAY-MC-1"})
        cls.card._install_into(cls.camera)
        cls.camera._apply_seal("D-1")
        cls.Desk = env["mchs.bodycam.custody"].with_user(cls.user)

    def setUp(self):
        super().setUp()
        # real folders of each test's own: files outlive a rolled-back transaction
        folders = [tempfile.mkdtemp(prefix=f"mchs-day-{name}-") for name in ("primary", "backup")]
        self.addCleanup(lambda: [shutil.rmtree(folder, ignore_errors=True) for folder in folders])
        self.storage.write({"primary_path": folders[0], "backup_path": folders[1]})

    def _issue(self, inspector):
        payload = self.env["mchs.bodycam.qr"]._make_payload("E", inspector.barcode)
        return self.Desk.desk_issue(self.camera.id, payload, dict(
            CHECKS, battery_level=95, check_seal_number="D-1"))

    def _return(self, inspector):
        return self.Desk.desk_return(self.camera.id, self.env["mchs.bodycam.qr"]._make_payload("E", inspector.barcode))

    def _dock_upload(self, entry, body=b"a recording of the duty"):
        start = entry.issue_datetime
        return self.env["mchs.bodycam.recording"]._ingest(
            self.dock, "DAY-CAM-1", "DAY-MC-1", str(start), str(start + timedelta(minutes=1)),
            iter([body]), len(body), filename="DAY.mp4")[0]


@tagged("post_install", "-at_install")
class TestDeskDay(DeskDayCase):

    def test_payloads_match_the_tours(self):
        qr = self.env["mchs.bodycam.qr"]
        self.assertEqual(qr._make_payload("C", "DAY-CAM-1"), "MBC1.C.DAY-CAM-1.DG6QL7C76F4S25QA")
        self.assertEqual(qr._make_payload("E", "7700000011"), "MBC1.E.7700000011.ZKCGPA5VCO7B5SUN")
        self.assertEqual(qr._make_payload("E", "7700000012"), "MBC1.E.7700000012.4RBSVB2Z4JN4UM5Z")
        self.assertEqual(qr._make_payload("C", "KBD-CAM/2"), "MBC1.C.KBD-CAM/2.226PM4R77OYRJ3K3")
        self.assertEqual(qr._make_payload("E", "7700000021"), "MBC1.E.7700000021.BRNAHSL5LFWCUGVS")

    def test_a_day_at_the_desk(self):
        """issue, return, the dock's download, the wipe, and the same bodycam to another inspector:
        7 scans, 6 clicks and 2 battery levels typed (asserted by the tour, DESK_DAY)."""
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action", "mchs_bodycam_desk_day_tour",
                        login="t.day-desk")
        first, second = self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera.id)],
                                                                order="row_number")
        self.assertEqual((first.row_number, first.state, first.inspector_id), (1, "closed", self.inspector_a))
        self.assertEqual((second.row_number, second.state, second.inspector_id), (2, "issued", self.inspector_b))
        # column 6: filled by the dock's upload, before the wipe; the recording is the real video
        recording = first.recording_ids
        with file_open(SHIPPED_VIDEO, "rb") as handle:
            self.assertEqual(recording.sha256, hashlib.sha256(handle.read()).hexdigest())
        self.assertEqual((recording.dock_id, recording.card_id), (self.dock, self.card))
        self.assertEqual(first.download_datetime, recording.received_at)
        self.assertTrue(first.return_datetime <= first.download_datetime <= first.closed_datetime)
        self.assertEqual((first.return_confirmation, first.received_by_id), ("badge", self.user))
        self.assertEqual((self.camera.state, self.camera.employee_id), ("issued", self.inspector_b))
        self.assertEqual(self.card.employee_id, self.inspector_b)
        self.assertFalse(self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)]))

    def test_wipe_waits_for_the_recordings(self):
        """items 5, 10: no recording on the storage server, no wipe; the dock's upload before the
        return was written fills column 6, once."""
        entry = self.env["mchs.bodycam.custody"].browse(self._issue(self.inspector_a)["id"])
        with self.assertRaisesRegex(UserError, "no returned row"):
            self.Desk.desk_wipe(self.camera.id)
        recording = self._dock_upload(entry)  # the dock uploads before the desk writes the return
        self.assertEqual((entry.state, entry.download_datetime), ("issued", recording.received_at))
        summary = self._return(self.inspector_a)
        self.assertEqual((summary["state"], [r["name"] for r in summary["recordings"]]), ("returned", ["DAY.mp4"]))
        self.assertEqual(self.Desk.desk_scan(self.camera._label_payload())["entry"]["id"], entry.id)
        result = self.Desk.desk_wipe(self.camera.id)
        self.assertEqual((entry.state, entry.download_datetime), ("closed", recording.received_at))
        self.assertEqual((result["state"], result["entry"], result["closed_entry"]["id"]), ("available", False, entry.id))

    def test_wipe_refused_without_recordings(self):
        self._issue(self.inspector_a)
        self._return(self.inspector_a)
        with self.assertRaisesRegex(UserError, "No recording of row 1 has reached the storage server"):
            self.Desk.desk_wipe(self.camera.id)
        entry = self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera.id)])
        self.assertEqual((entry.state, entry.download_datetime, self.camera.state), ("returned", False, "issued"))

    def test_wipe_refused_when_a_copy_changed(self):
        """item 10: the desk checks both copies again before the wipe."""
        entry = self.env["mchs.bodycam.custody"].browse(self._issue(self.inspector_a)["id"])
        self._return(self.inspector_a)
        recording = self._dock_upload(entry)
        backup = self.storage._backends()[1].path(recording.sha256)
        os.chmod(backup, 0o644)
        with open(backup, "ab") as handle:
            handle.write(b"changed")
        with self.assertRaisesRegex(UserError, "missing or damaged"):
            self.Desk.desk_wipe(self.camera.id)
        self.assertEqual(self.camera.state, "issued")

    def test_setup_comes_from_the_server(self):
        """issue 14, point 5: the checklist and the names of states, translated by the server."""
        self.env["res.lang"]._activate_lang("ru_RU")
        setup = self.Desk.with_context(lang="ru_RU").desk_setup()
        self.assertEqual([check["key"] for check in setup["checklist"]], CHECKLIST)
        self.assertEqual(setup["device_states"]["available"], "В наличии")
        self.assertEqual(setup["checklist"][0]["label"], "Видеорегистратор исправен")
        inspector = self.env["res.users"].create({
            "name": "t.day-inspector", "login": "t.day-inspector",
            "groups_id": [(6, 0, self.env.ref("mchs_bodycam.group_bodycam_inspector").ids)]})
        with self.assertRaises(AccessError):
            self.env["mchs.bodycam.custody"].with_user(inspector).desk_setup()

    def test_people_are_told_apart_by_id(self):
        """issue 14, point 5: two inspectors of the same name are two people at the desk."""
        self.inspector_b.name = "Day Inspector A"
        self._issue(self.inspector_a)
        badge_b = self.env["mchs.bodycam.qr"]._make_payload("E", self.inspector_b.barcode)
        scanned = self.Desk.desk_scan(badge_b)
        entry = self.Desk.desk_scan(self.camera._label_payload())["entry"]
        self.assertEqual(scanned["name"], entry["inspector"])
        self.assertNotEqual(scanned["id"], entry["inspector_id"])
        with self.assertRaisesRegex(UserError, "not the badge of"):
            self.Desk.desk_return(self.camera.id, badge_b)


@tagged("post_install", "-at_install")
class TestDeskKeyboardLayout(DeskDayCase):
    """A scanner left on the Russian (ЙЦУКЕН) or the Kazakh layout types Cyrillic: the keys are
    mapped back to the label (issue 12, point 3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kbd_camera = cls.env["mchs.bodycam.camera"].create({
            "department_id": cls.unit.id, "model": "Layout cam", "inventory_number": "KBD-CAM/2"})
        card = cls.env["mchs.bodycam.card"].create({"department_id": cls.unit.id, "capacity_gb": 64})
        card._install_into(cls.kbd_camera)
        cls.kbd_camera._apply_seal("K-2")
        cls.kbd_inspector = cls.env["hr.employee"].create({
            "name": "Layout Inspector", "department_id": cls.unit.id, "barcode": "7700000021"})

    def test_every_character_under_both_layouts(self):
        qr = self.env["mchs.bodycam.qr"].with_user(self.user)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/"
        cameras = self.env["mchs.bodycam.camera"].create([
            {"department_id": self.unit.id, "inventory_number": number}
            for number in (alphabet[:20], alphabet[20:], "0/-9")])
        for camera in cameras:
            payload = camera._label_payload()
            for layout in ("ru", "kk"):
                typed = typed_under(layout, payload)
                self.assertTrue(keyboard_layout.typed_in_cyrillic(typed), typed)
                result = qr._resolve(typed)
                self.assertEqual((result["ok"], result.get("id"), result.get("payload")), (True, camera.id, payload),
                                 f"{layout}: {typed}")
                # a scanner under Caps Lock types the small letters
                self.assertEqual(qr._resolve(typed.lower())["id"], camera.id)
        self.assertFalse(self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)]))

    def test_damaged_cyrillic_is_refused_with_what_to_do(self):
        qr = self.env["mchs.bodycam.qr"].with_user(self.user)
        typed = typed_under("ru", self.kbd_camera._label_payload())[:-2]
        result = qr._resolve(typed)
        self.assertEqual((result["ok"], result["reason"]), (False, "keyboard_layout"))
        self.assertIn("switch the keyboard to English", result["message"])
        self.env["res.lang"]._activate_lang("ru_RU")
        russian = qr.with_context(lang="ru_RU")._resolve(typed)["message"]
        self.assertIn("английскую раскладку", russian)
        log = self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)])
        self.assertEqual((log.mapped("reason"), log[:1].payload), (["keyboard_layout"] * 2, typed))
        # plain Latin text is not guessed at
        self.assertEqual(qr._resolve(self.kbd_camera._label_payload().lower())["reason"], "malformed")

    def test_scanner_under_russian_and_kazakh_layouts(self):
        self.start_tour("/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action", "mchs_bodycam_desk_layout_tour",
                        login="t.day-desk")
        entry = self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.kbd_camera.id)])
        self.assertEqual((entry.state, entry.inspector_id, entry.issue_confirmation),
                         ("issued", self.kbd_inspector, "badge"))
        log = self.env["mchs.bodycam.scan.log"].search([("user_id", "=", self.user.id)])
        self.assertEqual(log.mapped("reason"), ["keyboard_layout"], "only the damaged label was refused")
        self.assertTrue(fields.Datetime.now() - entry.issue_datetime < timedelta(minutes=5))
