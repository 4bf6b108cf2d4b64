"""The inspector's qualified signature at the Scan desk (issue 13, point 2, the optional second
setting): with *Inspectors sign at the desk* on, the receipt (Appendix 1, column 4, item 7) and
the return (column 5, item 10) of a row are the inspector's NCA signature over a canonical JSON of
the row step, verified on the server as the row's inspector's; off, the desk is as before."""

import base64
import datetime
import json

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..reports.report_journal import JournalForm
from .common import CHECKS_PASSED
from .ncalayer_standin import NcaLayerStandIn
from .signature_common import SignatureCase
from .signature_pki import shared_pki
from .test_scan_desk_tour import ScanDeskTourCase


@tagged("post_install", "-at_install")
class TestDeskSignatures(SignatureCase):
    """The responsible person's desk; the inspector holds the GOST 34.10-2015 (256) key of the
    test PKI, as a share of NCA's signers now do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.bodycam_sign_desk = True
        cls.key = cls.pki.gost256_user  # the other inspector's (SignatureCase gives them its IIN)
        cls.badge = cls.other_inspector._bodycam_badge_payload()
        cls.checklist = dict(CHECKS_PASSED, check_seal_number="S-A2")

    def _cms(self, data, holder=None):
        return base64.b64encode((holder or self.key).sign_cms(data)).decode()

    def _desk_signatures(self, camera=None):
        rows = self.env["mchs.bodycam.custody"].search([("camera_id", "in", (camera or self.camera_a2).ids)])
        return self.env["mchs.bodycam.signature"].search(
            [("res_model", "=", "mchs.bodycam.custody"), ("res_id", "in", rows.ids)])

    def _issue_request(self):
        answer = self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist)
        self.assertEqual(set(answer), {"sign"})
        return answer["sign"], base64.b64decode(answer["sign"]["data"])

    def _issue_signed(self):
        request, data = self._issue_request()
        return self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data), request["moment"])

    def test_issue_and_return_signed_and_linked(self):
        rows_before = self.env["mchs.bodycam.custody"].search_count([])
        request, data = self._issue_request()
        # asking to sign writes nothing: no row, the bodycam still available
        self.assertEqual(self.env["mchs.bodycam.custody"].search_count([]), rows_before)
        self.assertEqual(self.camera_a2.state, "available")
        self.assertEqual((request["signer"], request["url"]), (self.other_inspector.name, "wss://127.0.0.1:13579"))
        signed = json.loads(data)
        self.assertEqual((signed["purpose"], signed["step"], signed["moment"]), ("desk_issue", "issue", request["moment"]))
        self.assertEqual(signed["row"], {"book": "01-12/7", "number": self.book.next_row_number, "id": None})
        self.assertEqual((signed["bodycam"], signed["cards"]),
                         (self.camera_a2.inventory_number, [self.card_a3.inventory_number]))
        self.assertEqual(signed["inspector"], {"name": self.other_inspector.name, "iin": self.pki.GOST_IIN})
        issued = self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data),
                                         request["moment"])
        entry = self.env["mchs.bodycam.custody"].browse(issued["id"])
        self.assertEqual((entry.state, entry.issue_confirmation, entry.row_number),
                         ("issued", "signature", signed["row"]["number"]))
        receipt = self._desk_signatures()
        self.assertEqual((receipt.purpose, receipt.seat, receipt.employee_id, receipt.document),
                         ("desk_issue", "inspector", self.other_inspector, entry))
        self.assertEqual((receipt.algorithm, receipt.iin, base64.b64decode(receipt.data)),
                         ("GOST34.10-2015-256", self.pki.GOST_IIN, data))
        # the return: the row by its id and number
        answer = self.Custody.desk_return(self.camera_a2.id, self.badge)
        self.assertEqual(entry.state, "issued")
        data = base64.b64decode(answer["sign"]["data"])
        signed = json.loads(data)
        self.assertEqual((signed["step"], signed["row"]["id"], signed["row"]["number"]),
                         ("return", entry.id, entry.row_number))
        returned = self.Custody.desk_return(self.camera_a2.id, self.badge, self._cms(data), answer["sign"]["moment"])
        self.assertEqual((returned["state"], entry.return_confirmation), ("returned", "signature"))
        signatures = self._desk_signatures()
        self.assertEqual(sorted(signatures.mapped("purpose")), ["desk_issue", "desk_return"])
        self.assertEqual(entry.inspector_id, signatures.employee_id)
        # Appendix 1, columns 4 and 5 (the PDF's and the XLSX's cells), in Kazakh and in Russian
        for lang, word in (("kk_KZ", "ЭЦҚ"), ("ru_RU", "ЭЦП")):
            form = JournalForm.of(self.env, "custody", self.book, {"mchs_lang": lang})
            row = next(row for row in form.rows() if row["number"] == entry.row_number)
            for cell, purpose in ((row["cells"][2], "desk_issue"), (row["cells"][3], "desk_return")):
                with self.subTest(lang=lang, purpose=purpose):
                    serial = signatures.filtered(lambda s, p=purpose: s.purpose == p).certificate_serial
                    self.assertIn(word, cell[1])
                    self.assertIn(serial, cell[1])

    def test_wrong_signer_refused_nothing_stored(self):
        request, data = self._issue_request()
        camera_messages = self.camera_a2.message_ids
        # the head's valid RSA key is not the inspector's
        with self.assertRaisesRegex(UserError, "IIN 900101300123"):
            self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data, self.pki.user),
                                    request["moment"])
        self.assertFalse(self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera_a2.id)]))
        self.assertEqual(self.camera_a2.state, "available")
        self.assertFalse(self._desk_signatures())
        logged = self.camera_a2.message_ids - camera_messages
        self.assertIn("Signature refused", logged.body)
        # in the signer's language
        with self.assertRaisesRegex(UserError, "ЖСН 900101300123 кілтімен"):
            self.Custody.with_context(lang="kk_KZ").desk_issue(
                self.camera_a2.id, self.badge, self.checklist, self._cms(data, self.pki.user), request["moment"])
        # a return signed by another key: the row stays issued
        entry = self.env["mchs.bodycam.custody"].browse(self._issue_signed()["id"])
        answer = self.Custody.desk_return(self.camera_a2.id, self.badge)
        data = base64.b64decode(answer["sign"]["data"])
        before = entry.message_ids
        with self.assertRaisesRegex(UserError, "IIN 900101300123"):
            self.Custody.desk_return(self.camera_a2.id, self.badge, self._cms(data, self.pki.user),
                                     answer["sign"]["moment"])
        self.assertEqual((entry.state, entry.return_confirmed_at), ("issued", False))
        self.assertEqual(self._desk_signatures().mapped("purpose"), ["desk_issue"])
        self.assertIn("Signature refused", (entry.message_ids - before).body)

    def test_other_bytes_or_a_stale_request_refused(self):
        request, data = self._issue_request()
        with self.assertRaisesRegex(UserError, "other bytes"):
            self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist,
                                    self._cms(data.replace(b'"issue"', b'"return"')), request["moment"])
        # another bodycam's issue signed for this one
        with self.assertRaisesRegex(UserError, "other bytes"):
            self.Custody.desk_issue(self.camera_a.id, self.badge, dict(self.checklist, check_seal_number="S-A"),
                                    self._cms(data), request["moment"])
        # a request shown more than ten minutes ago, or none
        later = fields.Datetime.now() + datetime.timedelta(minutes=11)
        with freeze_time(later), self.assertRaisesRegex(UserError, "no longer valid"):
            self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data), request["moment"])
        with self.assertRaisesRegex(UserError, "without the moment"):
            self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data), None)
        self.assertFalse(self.env["mchs.bodycam.custody"].search([("camera_id", "in", (self.camera_a | self.camera_a2).ids)]))
        self.assertFalse(self._desk_signatures())

    def test_another_row_took_the_number(self):
        """Another desk issued a row between the request and the signature: the number signed is
        not the row's, the issue is refused and rolled back; sign again."""
        request, data = self._issue_request()
        self._issue(self.camera_a)  # row № 1, by the badge of the first inspector (the form's way)
        with self.assertRaisesRegex(UserError, "(?i)sign again"), self.cr.savepoint():
            self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist, self._cms(data), request["moment"])
        self.assertFalse(self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera_a2.id)]))
        self.assertEqual(self.camera_a2.state, "available")

    def test_a_signature_is_linked_only_to_the_row_it_signs(self):
        """The race the verification cannot see: another desk takes the book's number between the
        verification and the issue. The row written is compared with the bytes signed before the
        signature is linked; another number refuses it (the request rolls back: sign again)."""
        request, data = self._issue_request()
        verified = self.env["mchs.bodycam.signature"]._verified(
            self.camera_a2, "desk_issue", self.other_inspector, data, self._cms(data))
        self._issue(self.camera_a)  # the number the signature names
        entry = self._issue(self.camera_a2, self.other_inspector, check_seal_number="S-A2")
        self.assertEqual(entry.row_number, json.loads(data)["row"]["number"] + 1)
        with self.assertRaisesRegex(UserError, "sign again"):
            entry._desk_record_signature("issue", data, self._cms(data), verified)
        self.assertFalse(self._desk_signatures(self.camera_a | self.camera_a2))

    def test_setting_off_no_signature_needed(self):
        for signing, desk in ((True, False), (False, True), (False, False)):
            with self.subTest(signing=signing, desk=desk), self.cr.savepoint() as savepoint:
                self.company.write({"bodycam_signing": signing, "bodycam_sign_desk": desk})
                issued = self.Custody.desk_issue(self.camera_a2.id, self.badge, self.checklist)
                entry = self.env["mchs.bodycam.custody"].browse(issued["id"])
                self.assertEqual((issued["state"], entry.issue_confirmation), ("issued", "badge"))
                returned = self.Custody.desk_return(self.camera_a2.id, self.badge)
                self.assertEqual((returned["state"], entry.return_confirmation), ("returned", "badge"))
                self.assertFalse(self._desk_signatures())
                # a signature sent anyway is refused: the desk does not sign in this company
                with self.assertRaisesRegex(UserError, "do not sign at the desk"):
                    self.Custody.desk_issue(self.camera_a.id, self.badge, self.checklist, "x", "y")
                savepoint.rollback()


@tagged("post_install", "-at_install")
class TestDeskSignatureTour(ScanDeskTourCase):
    """The desk setting in Chromium: the inspector signs the issue and the return through NCALayer
    (the stand-in of tests/ncalayer_standin.py, with the test PKI's key of the inspector's IIN);
    a cancel or another person's key is told at the desk, and the row stays as it was."""

    DESK = "/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = shared_pki()
        cls.env["mchs.bodycam.trusted.certificate"].create(
            [{"certificate": base64.b64encode(blob)} for blob in cls.pki.trusted])
        cls.inspector.identification_id = cls.pki.IIN
        cls.unit.company_id.write({"bodycam_signing": True, "bodycam_sign_desk": True})

    def _tour(self, tour, holder, answer="sign"):
        ncalayer = NcaLayerStandIn(holder)
        ncalayer.answer = answer
        with ncalayer:
            self.unit.company_id.bodycam_ncalayer_url = ncalayer.url
            self.start_tour(self.DESK, tour, login="t.desk-user")
        return ncalayer

    def _signatures(self, entry):
        return self.env["mchs.bodycam.signature"].search(
            [("res_model", "=", entry._name), ("res_id", "=", entry.id)], order="id")

    def test_inspector_signs_issue_and_return_at_the_desk(self):
        ncalayer = self._tour("mchs_bodycam_desk_signature_issue_tour", self.pki.user)
        entry = self.env["mchs.bodycam.custody"].search([("camera_id", "=", self.camera.id)])
        self.assertEqual((entry.state, entry.row_number, entry.issue_confirmation), ("issued", 1, "signature"))
        request = ncalayer.requests[0]
        self.assertEqual((request["module"], request["method"]), ("kz.gov.pki.knca.basics", "sign"))
        signed = json.loads(base64.b64decode(request["args"]["data"]))
        self.assertEqual((signed["step"], signed["row"]["number"], signed["inspector"]["iin"]),
                         ("issue", 1, self.pki.IIN))
        self.assertEqual(self._signatures(entry).mapped("purpose"), ["desk_issue"])
        for tour, holder, answer in (("mchs_bodycam_desk_signature_cancelled_tour", self.pki.user, "cancel"),
                                     ("mchs_bodycam_desk_signature_refused_tour", self.pki.other_user, "sign")):
            with self.subTest(tour):
                self._tour(tour, holder, answer)
                self.assertEqual((entry.state, entry.return_confirmed_at), ("issued", False))
                self.assertEqual(self._signatures(entry).mapped("purpose"), ["desk_issue"])
        self._tour("mchs_bodycam_desk_signature_return_tour", self.pki.user)
        self.assertEqual((entry.state, entry.return_confirmation), ("returned", "signature"))
        self.assertEqual(self._signatures(entry).mapped("purpose"), ["desk_issue", "desk_return"])
