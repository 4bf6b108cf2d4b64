import os
import shutil
import subprocess
import tempfile

from PIL import Image

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged


def pdf_text(pdf, mode="-layout"):
    """Text of a real PDF, extracted by poppler's pdftotext: ``-layout`` keeps the columns,
    ``-raw`` the content-stream order (a heading wrapped on several lines stays in one piece)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdftotext", mode, handle.name, "-"], check=True,
                              capture_output=True, text=True).stdout


def flat(text):
    """PDF text with every run of white space (line and column breaks) made one space."""
    return " ".join(text.split())


def pdf_pages(pdf):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def printed_row_heights(pdf):
    """Per page, the heights in pixels (100 dpi) of the printed table's rows, top to bottom, read
    off the rendered pages: a row ends at a rule drawn across most of the page."""
    heights = []
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/book.pdf", "wb") as handle:
            handle.write(pdf)
        subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", f"{folder}/book.pdf", f"{folder}/page"], check=True)
        for number in range(1, pdf_pages(pdf) + 1):
            image = Image.open(f"{folder}/page-{number:0{len(str(pdf_pages(pdf)))}d}.png").convert("L")
            width, height = image.size
            pixels = image.load()
            rules = []
            for y in range(height):
                if sum(pixels[x, y] < 128 for x in range(0, width, 4)) > width / 8:
                    if not rules or y - rules[-1] > 2:
                        rules.append(y)
            heights.append([below - above for above, below in zip(rules, rules[1:])])
    return heights


def decode_qr_codes(pdf):
    """Payloads of the QR codes printed on a PDF's first page: each embedded code image is
    extracted (pdfimages) and read back by zbarimg, one image at a time."""
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/doc.pdf"
        with open(path, "wb") as handle:
            handle.write(pdf)
        subprocess.run(["pdfimages", "-png", "-f", "1", "-l", "1", path, f"{folder}/code"], check=True)
        images = sorted(name for name in os.listdir(folder) if name.endswith(".png"))
        result = subprocess.run(["zbarimg", "-q", "--raw", *[f"{folder}/{name}" for name in images]],
                                capture_output=True, text=True)
    return sorted(result.stdout.split())


def qr_widths_mm(pdf):
    """Printed width, in millimetres, of every image (the QR codes) in a PDF."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        listing = subprocess.run(["pdfimages", "-list", handle.name], check=True,
                                 capture_output=True, text=True).stdout
    widths = []
    for line in listing.splitlines()[2:]:
        columns = line.split()
        if columns[2] == "image":  # skip soft masks
            widths.append(int(columns[3]) / int(columns[12]) * 25.4)
    return widths


class PdfReportMixin:
    """For report tests on HttpCase: the tools they need checked, wkhtmltopdf pointed at the
    test server, and one way to render a real PDF."""

    required_tools = ("wkhtmltopdf", "pdftotext", "pdfinfo")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = [tool for tool in cls.required_tools if not shutil.which(tool)]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} required (wkhtmltopdf, poppler-utils, zbar-tools): "
                               "run 'make deps'")

    def setUp(self):
        super().setUp()
        # wkhtmltopdf fetches the report styles from this test server
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())

    def render_pdf(self, xmlid, records, user=None, **context):
        reports = self.env["ir.actions.report"].with_context(force_report_rendering=True, **context)
        if user:
            reports = reports.with_user(user)
        pdf, kind = reports._render_qweb_pdf(xmlid, res_ids=records.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf


@tagged("post_install", "-at_install")
class TestLabelReports(PdfReportMixin, HttpCase):
    """item 6 labels and the item 17 chest badge, rendered by wkhtmltopdf into real PDFs."""

    required_tools = ("wkhtmltopdf", "pdftotext", "zbarimg")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit = cls.env["hr.department"].create({"name": "Label unit (test)", "bodycam_code": "TSL"})
        cls.cameras = cls.env["mchs.bodycam.camera"].create([{"department_id": cls.unit.id} for _ in range(2)])
        cls.cards = cls.env["mchs.bodycam.card"].create([{"department_id": cls.unit.id} for _ in range(25)])
        cls.inspector = cls.env["hr.employee"].create({
            "name": "Әлия Бекова", "department_id": cls.unit.id, "barcode": "4300000001",
            "job_title": "Мемлекеттік инспектор"})

    def _render(self, xmlid, records):
        return self.render_pdf(xmlid, records)

    def test_single_labels(self):
        pdf = self._render("mchs_bodycam.action_report_camera_label", self.cameras)
        text = pdf_text(pdf)
        for camera in self.cameras:
            self.assertIn(camera.inventory_number, text)
        self.assertEqual(pdf_pages(pdf), 2, "one label per page")
        # printed at their real size: 26 mm codes on 60 x 40 mm labels
        self.assertEqual(len(qr_widths_mm(pdf)), 2)
        for width in qr_widths_mm(pdf):
            self.assertAlmostEqual(width, 26, delta=1)
        # a scanner reads back the signed payload, which resolves to the bodycam (item 6)
        self.assertEqual(decode_qr_codes(pdf), [self.cameras[0]._label_payload()])
        card_text = pdf_text(self._render("mchs_bodycam.action_report_card_label", self.cards[:1]))
        self.assertIn("TSL-MC-00001", card_text)

    def test_label_sheet(self):
        pdf = self._render("mchs_bodycam.action_report_card_label_sheet", self.cards)
        text = pdf_text(pdf)
        for card in self.cards:
            self.assertIn(card.inventory_number, text)
        self.assertEqual(pdf_pages(pdf), 2, "21 labels per A4 sheet")
        widths = qr_widths_mm(pdf)
        self.assertEqual(len(widths), 25)
        for width in widths:
            self.assertAlmostEqual(width, 24, delta=1)
        self.assertEqual(decode_qr_codes(pdf), sorted(card._label_payload() for card in self.cards[:21]))

    def test_chest_badge(self):
        pdf = self._render("mchs_bodycam.action_report_chest_badge", self.inspector)
        text = " ".join(pdf_text(pdf).split())
        self.assertIn("Назар аударыңыз! Жазба жүргізілуде.", text)  # item 17, verbatim
        self.assertIn("Внимание! Ведётся запись.", text)
        self.assertIn("Әлия Бекова", text)
        self.assertIn("4300000001", text)
        self.assertAlmostEqual(qr_widths_mm(pdf)[0], 26, delta=1)
        self.assertEqual(decode_qr_codes(pdf), [self.inspector._bodycam_badge_payload()])

    def _people(self):
        """The label unit's responsible person, administrator, head and inspector, and another
        unit's responsible person, each with a user and an employee."""
        people = {}
        other = self.env["hr.department"].create({"name": "Other label unit (test)", "bodycam_code": "TSO"})
        for role, group, unit in (("responsible", "responsible", self.unit), ("admin", "admin", self.unit),
                                  ("head", "head", self.unit), ("inspector", "inspector", self.unit),
                                  ("other", "responsible", other)):
            user = new_test_user(self.env, login=f"t.label.{role}", groups=f"mchs_bodycam.group_bodycam_{group}")
            self.env["hr.employee"].create({"name": f"t.label.{role}", "user_id": user.id, "department_id": unit.id})
            people[role] = user
        return people

    def test_who_printed_which_label_is_recorded(self):
        """item 6: only the responsible person and the bodycam administrator print labels and
        badges, for their own unit, and every print, PDF or HTML, is recorded."""
        people = self._people()
        Log = self.env["mchs.bodycam.label.print"]
        pdf = self.render_pdf("mchs_bodycam.action_report_camera_label", self.cameras, user=people["responsible"])
        printed = Log.search([("user_id", "=", people["responsible"].id)])
        self.assertEqual(sorted(printed.mapped("item")), sorted(self.cameras.mapped("inventory_number")))
        self.assertEqual((set(printed.mapped("kind")), printed.camera_id, printed.department_id),
                         ({"C"}, self.cameras, self.unit))
        self.assertEqual(decode_qr_codes(pdf), [self.cameras[0]._label_payload()])  # the first page's
        # the HTML rendering is recorded too
        reports = self.env["ir.actions.report"].with_user(people["admin"])
        html, _kind = reports._render_qweb_html("mchs_bodycam.action_report_card_label", self.cards[:3].ids)
        self.assertIn(self.cards[0].inventory_number, html.decode())
        self.assertEqual(Log.search([("user_id", "=", people["admin"].id)]).card_id, self.cards[:3])
        # the chest badge, printed by a responsible person who has no HR rights
        self.assertFalse(people["responsible"].has_group("hr.group_hr_user"))
        pdf = self.render_pdf("mchs_bodycam.action_report_chest_badge", self.inspector, user=people["responsible"])
        self.assertEqual(decode_qr_codes(pdf), [self.inspector._bodycam_badge_payload()])
        self.assertEqual(Log.search([("kind", "=", "E")]).employee_id, self.inspector)
        # refused: the head and the inspector print nothing, nor does another unit's responsible person
        before = Log.search_count([])
        for user, report, records in ((people["head"], "mchs_bodycam.action_report_camera_label", self.cameras),
                                      (people["inspector"], "mchs_bodycam.action_report_chest_badge", self.inspector),
                                      (people["other"], "mchs_bodycam.action_report_camera_label", self.cameras),
                                      (people["other"], "mchs_bodycam.action_report_chest_badge", self.inspector)):
            with self.subTest(user=user.login, report=report), self.assertRaises(AccessError):
                reports.with_user(user)._render_qweb_pdf(report, res_ids=records.ids)
        self.assertEqual(Log.search_count([]), before)
        # the unit's head, responsible person and administrator read the log; nobody changes it
        self.assertEqual(len(Log.with_user(people["head"]).search([])), before)
        self.assertFalse(Log.with_user(people["other"]).search([]))
        with self.assertRaises(AccessError):
            Log.with_user(people["inspector"]).search([])
        with self.assertRaises(AccessError):
            Log.with_user(people["admin"]).search([], limit=1).write({"item": "nothing"})

    def test_odoos_own_badge_prints_the_chest_badge(self):
        """Odoo's employee badge prints the bare badge ID, which the desk refuses: the product's
        users get the chest badge of item 17 instead (issue 12, point 7)."""
        people = self._people()
        pdf = self.render_pdf("hr.hr_employee_print_badge", self.inspector, user=people["admin"])
        self.assertIn("Назар аударыңыз! Жазба жүргізілуде.", " ".join(pdf_text(pdf).split()))
        self.assertEqual(decode_qr_codes(pdf), [self.inspector._bodycam_badge_payload()])
        self.assertEqual(self.env["mchs.bodycam.label.print"].search([]).user_id, people["admin"])

    def test_badge_requires_badge_id(self):
        nobody = self.env["hr.employee"].create({"name": "No badge", "department_id": self.unit.id})
        with self.assertRaisesRegex(UserError, "no badge ID"):
            self._render("mchs_bodycam.action_report_chest_badge", nobody)
