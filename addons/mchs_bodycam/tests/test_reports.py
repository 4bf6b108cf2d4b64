import os
import shutil
import subprocess
import tempfile

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged


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

    def test_badge_requires_badge_id(self):
        nobody = self.env["hr.employee"].create({"name": "No badge", "department_id": self.unit.id})
        with self.assertRaisesRegex(UserError, "no badge ID"):
            self._render("mchs_bodycam.action_report_chest_badge", nobody)
