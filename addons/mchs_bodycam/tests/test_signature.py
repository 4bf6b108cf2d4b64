"""Qualified electronic signatures through the Odoo layer (issue 13): what is signed, who signs,
how each bad input is refused (translated, nothing stored, the attempt in the chatter), the
signature kept as signed, re-verified years later, and printed on the documents."""

import base64
import datetime
import hashlib
import json
import zipfile

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL, mute_logger

from . import signature_pki
from .pki_services import PkiServices
from ..lib import cms as cms_lib
from .ncalayer_standin import NcaLayerStandIn
from .signature_common import SignatureCase
from .signature_pki import ForeignKey, Holder, issue_certificate, make_name
from .test_reports import PdfReportMixin, flat, pdf_text


def keep(pdf, name):
    """MCHS_KEEP_PDF=folder keeps the printed documents, to look at their layout."""
    import os
    if os.environ.get("MCHS_KEEP_PDF"):
        with open(os.path.join(os.environ["MCHS_KEEP_PDF"], f"signatures-{name}.pdf"), "wb") as out:
            out.write(pdf)


def qr_codes(pdf):
    """Payloads of every QR code printed in a PDF (pdfimages, then zbarimg)."""
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/doc.pdf", "wb") as handle:
            handle.write(pdf)
        subprocess.run(["pdfimages", "-png", f"{folder}/doc.pdf", f"{folder}/code"], check=True)
        images = sorted(name for name in os.listdir(folder) if name.endswith(".png"))
        result = subprocess.run(["zbarimg", "-q", "--raw", *[f"{folder}/{name}" for name in images]],
                                capture_output=True, text=True)
    return result.stdout.split()


def _tamper(der):
    """The CMS with the last byte of its signature value flipped (in place: GOST re-encoding
    with asn1crypto would fail)."""
    from asn1crypto import cms
    value = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signature"].native
    changed = value[:-1] + bytes([value[-1] ^ 1])
    return der.replace(value, changed)


@tagged("post_install", "-at_install")
class TestSignatureVerification(SignatureCase):
    """``_verify_cms`` (the contract for tests) and the refusals of bad input, through the model."""

    def setUp(self):
        super().setUp()
        self._old_recording("2022-03-01 10:00:00")
        self.act = self._act()
        self.Signature = self.env["mchs.bodycam.signature"]

    def test_verify_cms_returns_the_signers_facts(self):
        data = b'{"document":"test"}'
        for holder, algorithm, iin in ((self.pki.user, "RSA-SHA256", self.pki.IIN),
                                       (self.pki.gost256_user, "GOST34.10-2015-256", self.pki.GOST_IIN),
                                       (self.pki.gost512_user, "GOST34.10-2015-512", self.pki.GOST_IIN)):
            with self.subTest(algorithm=algorithm):
                facts = self.Signature._verify_cms(holder.sign_cms(data), data)
                self.assertEqual((facts.iin, facts.algorithm), (iin, algorithm))
                self.assertEqual(int(facts.certificate.serial, 16), holder.asn1.serial_number)
                with self.assertRaisesRegex(UserError, "does not verify"):
                    self.Signature._verify_cms(_tamper(holder.sign_cms(data)), data)
                with self.assertRaisesRegex(UserError, "other bytes"):
                    self.Signature._verify_cms(holder.sign_cms(data), data + b" ")

    def test_refusals_are_translated(self):
        data = b"{}"
        ru = self.Signature.with_context(lang="ru_RU")
        with self.assertRaises(UserError) as caught:
            ru._verify_cms(self.pki.auth.sign_cms(data), data)
        self.assertIn("не является ключом подписи", caught.exception.args[0])
        kk = self.Signature.with_context(lang="kk_KZ")
        with self.assertRaises(UserError) as caught:
            kk._verify_cms(self.pki.expired.sign_cms(data), data)
        self.assertIn("мерзімі", caught.exception.args[0])

    def test_nothing_trusted_nothing_signed(self):
        self.trusted.action_archive()
        with self.assertRaisesRegex(UserError, "No NCA certificate is trusted"):
            self.Signature._verify_cms(self.pki.user.sign_cms(b"x"), b"x")

    def _assert_refused(self, message, make_cms, user=None):
        """The head's confirmation of the act with ``make_cms(data)`` as the CMS: refused with
        ``message``, nothing stored, the attempt in the act's chatter."""
        user = user or self.head_user
        _employee, _seat, data = self._request(self.act, "destruction", user)
        before = self.act.message_ids
        with self.assertRaisesRegex(UserError, message):
            self.act.with_user(user).action_sign("destruction", make_cms(data))
        self.assertFalse(self._signatures(self.act))
        self.assertFalse(self.act.confirmation_ids)
        self.assertEqual(self.act.state, "draft")
        logged = self.act.message_ids - before
        self.assertEqual(len(logged), 1)
        self.assertIn("Signature refused", logged.body)
        self.assertEqual(logged.author_id, user.partner_id)

    def test_bad_input_is_refused_and_logged(self):
        b64 = lambda der: base64.b64encode(der).decode()  # noqa: E731
        padded = lambda data: b64(self.pki.user.sign_cms(data, certificates=[self.pki.user.der] * 300))  # noqa: E731
        cases = {
            "over other bytes": ("other bytes", lambda data: b64(self.pki.user.sign_cms(data + b"\n"))),
            "wrong signer": ("IIN 850202400456", lambda data: b64(self.pki.other_user.sign_cms(data))),
            "expired": ("expired", lambda data: b64(self.pki.expired.sign_cms(data))),
            "not yet valid": ("valid only from", lambda data: b64(self.pki.future.sign_cms(data))),
            "untrusted chain": ("does not chain up", lambda data: b64(self.pki.rogue_user.sign_cms(data))),
            "authentication key": ("not a signing key", lambda data: b64(self.pki.auth.sign_cms(data))),
            "garbage": ("cannot be read", lambda data: "bm90IGEgc2lnbmF0dXJl"),
            "attached": ("attached CMS", lambda data: b64(self.pki.user.sign_cms(data, attached=True))),
            "oversized": ("at most", padded),
            "tampered": ("does not verify", lambda data: b64(_tamper(self.pki.user.sign_cms(data)))),
        }
        for label, (message, make_cms) in cases.items():
            with self.subTest(label):
                self._assert_refused(message, make_cms)

    def test_gost_2015_valid_and_tampered(self):
        """The member whose key is GOST 34.10-2015 (256): tampered refused, valid accepted."""
        user, holder = self.other_inspector_user, self.pki.gost256_user
        self._assert_refused("does not verify", lambda data: base64.b64encode(_tamper(holder.sign_cms(data))).decode(),
                             user=user)
        self._assert_refused("other bytes", lambda data: base64.b64encode(holder.sign_cms(data + b" ")).decode(),
                             user=user)
        self._sign(self.act, "destruction", user)
        signature = self._signatures(self.act)
        self.assertEqual((signature.algorithm, signature.iin, signature.employee_id),
                         ("GOST34.10-2015-256", self.pki.GOST_IIN, self.other_inspector))

    def test_gost_34_310_2004_needs_ncanode(self):
        key = ForeignKey()
        legacy = Holder(issue_certificate(make_name("ЕСКІ ГОСТ", iin=self.pki.IIN), key, self.pki.rsa_ca.asn1.subject,
                                          self.pki.rsa_ca.key), key, chain=[self.pki.rsa_ca.der])
        self._assert_refused("no NCANode is configured",
                             lambda data: base64.b64encode(legacy.sign_cms(data)).decode())
        # with NCANode configured, it decides (the stand-in checks the digest)
        services = PkiServices(self.pki.rsa_ca).start()
        self.addCleanup(services.stop)
        self.company.bodycam_ncanode_url = services.url
        self._assert_refused("NCANode refused", lambda data: base64.b64encode(legacy.sign_cms(data + b"x")).decode())
        self._sign(self.act, "destruction", self.head_user, holder=legacy)
        signature = self._signatures(self.act)
        self.assertEqual((signature.verified_by, signature.iin, signature.algorithm),
                         ("ncanode", self.pki.IIN, "ECGOST34310"))
        self.assertEqual(services.requests[-1][0], "/cms/verify")
        sent = json.loads(services.requests[-1][1])
        self.assertEqual(base64.b64decode(sent["data"]), base64.b64decode(signature.data))

    def test_employee_without_iin_cannot_sign(self):
        self.head.identification_id = False
        with self.assertRaisesRegex(UserError, "has no IIN"):
            self.act.with_user(self.head_user).action_confirm()


@tagged("post_install", "-at_install")
class TestSignedSteps(SignatureCase):
    """What is signed (issue 13, point 2): the step waits for a verified signature of the seat's
    holder while signing is on, and stays a plain confirmation while it is off."""

    def setUp(self):
        super().setUp()
        self._old_recording("2022-03-01 10:00:00")
        self._old_recording("2022-04-01 10:00:00")
        self.act = self._act()

    def test_off_confirmations_stay(self):
        self.company.bodycam_signing = False
        self.assertIs(self.act.with_user(self.head_user).action_confirm(), True)
        self.assertEqual(self.act.confirmation_ids.user_id, self.head_user)
        self.assertFalse(self.act.confirmation_ids.signature_id)
        with self.assertRaisesRegex(UserError, "signing is off"):
            self._sign(self.act, "destruction", self.responsible_user, holder=self.pki.other_user)

    def test_on_the_button_opens_the_signing_flow(self):
        action = self.act.with_user(self.head_user).action_confirm()
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "mchs_bodycam_sign"))
        params = action["params"]
        self.assertEqual((params["model"], params["res_id"], params["purpose"], params["url"]),
                         (self.act._name, self.act.id, "destruction", "wss://127.0.0.1:13579"))
        signed = json.loads(base64.b64decode(params["data"]))
        self.assertEqual((signed["seat"]["iin"], signed["seat"]["role"], signed["act"]["number"]),
                         (self.pki.IIN, "chairman", self.act.name))
        self.assertEqual(signed["act"]["destroyed"]["count"], 2)
        # nothing confirmed yet: the step waits for the signature
        self.assertFalse(self.act.confirmation_ids)
        self.assertEqual(self.act.state, "draft")

    def test_members_sign_the_act(self):
        for user in self.member_users:
            self._sign(self.act, "destruction", user)
        self.assertEqual(self.act.state, "destroying")
        signatures = self._signatures(self.act)
        self.assertEqual(len(signatures), 4)
        self.assertEqual(self.act.confirmation_ids.signature_id, signatures)
        self.assertEqual(set(signatures.mapped("algorithm")), {"RSA-SHA256", "GOST34.10-2015-256"})
        self.assertEqual(set(signatures.mapped("seat")), {"chairman", "responsible", "anti_corruption", "member"})
        for signature in signatures:
            data = base64.b64decode(signature.data)
            self.assertEqual(signature.data_sha256, hashlib.sha256(data).hexdigest())
            self.assertEqual(signature.employee_id._bodycam_iin(), signature.iin)
            self.assertEqual(signature.revocation, "not_checked")
            self.assertEqual(signature.verification, "valid")
            self.assertEqual(signature.signing_time_source, "signed_attributes")
            self.assertIn("IIN", signature.certificate_subject)
        # a member signs once
        with self.assertRaisesRegex(UserError, "Act .* is"):
            self._sign(self.act, "destruction", self.head_user)

    def test_another_members_signature_does_not_confirm(self):
        """The head submits the responsible person's valid signature of the head's own bytes."""
        _employee, _seat, data = self._request(self.act, "destruction", self.head_user)
        with self.assertRaisesRegex(UserError, "IIN 850202400456"):
            self.act.with_user(self.head_user).action_sign(
                "destruction", base64.b64encode(self.pki.other_user.sign_cms(data)).decode())
        # and the responsible person's signature of their own bytes does not confirm for the head
        _employee, _seat, theirs = self._request(self.act, "destruction", self.responsible_user)
        with self.assertRaisesRegex(UserError, "other bytes"):
            self.act.with_user(self.head_user).action_sign(
                "destruction", base64.b64encode(self.pki.user.sign_cms(theirs)).decode())
        self.assertFalse(self.act.confirmation_ids)

    def test_a_signature_of_an_earlier_act_is_refused(self):
        """The act changed after the bytes were shown (a recording excluded): sign again."""
        _employee, _seat, data = self._request(self.act, "destruction", self.head_user)
        self.act.line_ids[:1].with_user(self.head_user).write({"excluded": True, "exclusion_reason": "complaint"})
        with self.assertRaisesRegex(UserError, "other bytes"):
            self.act.with_user(self.head_user).action_sign(
                "destruction", base64.b64encode(self.pki.user.sign_cms(data)).decode())
        # after back to review, a new round needs a new signature
        self._sign(self.act, "destruction", self.head_user)
        old = self._signatures(self.act)
        self.act.with_user(self.head_user).action_back_to_review()
        with self.assertRaisesRegex(UserError, "other bytes"):
            self.act.with_user(self.head_user).action_sign("destruction", base64.b64encode(
                base64.b64decode(old.cms)).decode())







    def test_audit_act_signed_by_the_checker(self):
        """Item 13: the checker signs the audit act once the audit is done, once."""
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        with self.assertRaisesRegex(UserError, "not done"):
            audit.with_user(self.head_user).action_sign_act()
        audit.with_user(self.head_user).action_start()
        self._run(audit)
        self.assertEqual(audit.state, "done")
        with self.assertRaisesRegex(UserError, "Only the checker"):
            audit.with_user(self.responsible_user).action_sign_act()
        self.assertEqual(audit.with_user(self.head_user).action_sign_act()["tag"], "mchs_bodycam_sign")
        self.assertFalse(self._signatures(audit))
        self._sign(audit, "audit", self.head_user)
        signature = self._signatures(audit)
        self.assertEqual((signature.purpose, signature.seat, signature.employee_id), ("audit", "checker", self.head))
        signed = json.loads(base64.b64decode(signature.data))
        self.assertEqual(signed["audit"]["recordings_checked"], 2)
        self.assertEqual(signed["audit"]["checker"]["iin"], self.pki.IIN)
        self.assertIn("signed by", audit.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "already signed"):
            audit.with_user(self.head_user).action_sign_act()
        # with signing off, the act has no signing step
        self.company.bodycam_signing = False
        with self.assertRaisesRegex(UserError, "signing is off"):
            audit.with_user(self.head_user).action_sign_act()

    def test_audit_signature_is_of_the_audit_as_found(self):
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        audit.with_user(self.head_user).action_start()
        self._run(audit)
        _employee, _seat, data = self._request(audit, "audit", self.head_user)
        before = audit.message_ids
        with self.assertRaisesRegex(UserError, "IIN 850202400456"):
            audit.with_user(self.head_user).action_sign("audit", base64.b64encode(
                self.pki.other_user.sign_cms(data)).decode())
        with self.assertRaisesRegex(UserError, "other bytes"):
            audit.with_user(self.head_user).action_sign("audit", base64.b64encode(
                self.pki.user.sign_cms(data.replace(b'"chain_ok":true', b'"chain_ok":false'))).decode())
        self.assertFalse(self._signatures(audit))
        self.assertEqual(len(audit.message_ids - before), 2)


    def test_book_certified_by_the_responsible_person(self):
        """Item 9: closing a book is the responsible person's signed certification."""
        entry = self._issue()
        action = self.book.with_user(self.responsible_user).action_close()
        self.assertEqual(action["tag"], "mchs_bodycam_sign")
        self.assertEqual(self.book.state, "registered")
        with self.assertRaisesRegex(UserError, "Only the responsible person"):
            self.book.with_user(self.head_user)._signature_request("certification")
        # the head's valid key does not certify for the responsible person
        _employee, _seat, data = self._request(self.book, "certification", self.responsible_user)
        with self.assertRaisesRegex(UserError, "IIN 900101300123"):
            self.book.with_user(self.responsible_user).action_sign(
                "certification", base64.b64encode(self.pki.user.sign_cms(data)).decode())
        self.assertEqual(self.book.state, "registered")
        self._sign(self.book, "certification", self.responsible_user)
        self.assertEqual((self.book.state, self.book.date_end), ("closed", self.unit_a._bodycam_today()))
        signature = self._signatures(self.book)
        self.assertEqual((signature.purpose, signature.seat, signature.employee_id),
                         ("certification", "responsible", self.responsible))
        signed = json.loads(base64.b64decode(signature.data))
        self.assertEqual(signed["book"]["rows"], entry.row_number)
        self.assertEqual(signed["book"]["registration_number"], "01-12/7")
        self.assertEqual(len(signed["book"]["chain"]["head"]), 64)
        with self.assertRaisesRegex(UserError, "Only a registered"):
            self.book.with_user(self.responsible_user).action_close()

    def test_book_closes_as_before_when_signing_is_off(self):
        self.company.bodycam_signing = False
        self.assertIs(self.book.with_user(self.responsible_user).action_close(), True)
        self.assertEqual(self.book.state, "closed")
        self.assertFalse(self._signatures(self.book))


    def test_evidence_manifest_signed_by_the_head(self):
        """Item 14: with signing on, the package is built only once the head has signed its
        manifest as it stands; the package carries the signed bytes, the CMS and the printed
        signature."""
        recording = self.act.line_ids[:1].recording_id
        self.storage.with_user(self.head_user)._set_password("special-pass-2026")
        evidence = self.env["mchs.bodycam.evidence"].with_user(self.head_user).create({
            "recording_ids": [(6, 0, recording.ids)], "basis_type": "request", "basis_number": "7/26",
            "basis_date": "2026-11-20", "issuing_body": "Prosecutor's office", "recipient": "court"})
        with self.assertRaisesRegex(UserError, "signs the manifest"):
            evidence.with_user(self.head_user)._export_package()
        with self.assertRaisesRegex(UserError, "Only the head"):
            evidence.with_user(self.responsible_user).action_sign_manifest()
        self._sign(evidence, "evidence", self.head_user)
        with self.assertRaisesRegex(UserError, "already signed"):
            evidence.with_user(self.head_user).action_sign_manifest()
        path = evidence.with_user(self.responsible_user)._export_package()
        with zipfile.ZipFile(path) as package:
            signed = package.read("manifest.signed.json")
            der = package.read("manifest.signed.json.p7s")
            manifest = json.loads(package.read("manifest.json"))
            pdf = package.read("manifest.pdf")
        facts = cms_lib.verify_cms(der, signed, self.pki.trusted, expected_iin=self.pki.IIN)
        self.assertEqual(json.loads(signed)["files"][0]["sha256"], recording.sha256)
        self.assertEqual(manifest["signature"]["sha256"], hashlib.sha256(signed).hexdigest())
        self.assertEqual(facts.data_sha256, manifest["signature"]["sha256"])
        text = flat(pdf_text(pdf, "-raw"))
        signature = self._signatures(evidence)
        self.assertIn(signature.iin, text)
        self.assertIn(signature.certificate_serial, "".join(text.split()))
        # a recording added later: the signature no longer covers the basis, the package waits
        other = self.act.line_ids[1:2].recording_id
        evidence.with_user(self.head_user).write({"recording_ids": [(4, other.id)]})
        with self.assertRaisesRegex(UserError, "signs the manifest"):
            evidence.with_user(self.head_user)._export_package()


@tagged("post_install", "-at_install")
class TestSignatureKept(SignatureCase):
    """A signature cannot be changed or deleted (the lock mechanism) and re-verifies years later."""

    def setUp(self):
        super().setUp()
        self._old_recording("2022-03-01 10:00:00")
        self.act = self._act()
        self._sign(self.act, "destruction", self.head_user)
        self.signature = self._signatures(self.act)

    def test_frozen_for_everyone(self):
        signature = self.signature
        frozen = {"iin": "111111111111", "certificate_serial": "00", "signing_time": fields.Datetime.now(),
                  "data_sha256": "0" * 64, "employee_id": self.responsible.id, "res_id": signature.res_id + 1,
                  "cms": base64.b64encode(b"x"), "verification": "valid", "reverification": "invalid"}
        for user in (self.head_user, self.admin_user, self.env.ref("base.user_admin")):
            for name, value in frozen.items():
                with self.subTest(user=user.login, field=name), self.assertRaises(UserError), self.cr.savepoint():
                    signature.with_user(user).write({name: value})
        for name, value in frozen.items():
            if name == "reverification":
                continue
            with self.subTest(sudo=name), self.assertRaises(UserError), self.cr.savepoint():
                signature.sudo().write({name: value})
        with self.assertRaises(UserError), self.cr.savepoint():
            signature.sudo().unlink()
        with self.assertRaises(UserError), self.cr.savepoint():
            self.env["mchs.bodycam.signature"].with_user(self.head_user).create({"res_model": "x", "res_id": 1})
        self.env.flush_all()
        for column in ("iin", "certificate_serial", "signing_time", "data", "data_sha256", "cms", "employee_id"):
            with self.subTest(sql=column), mute_logger("odoo.sql_db"), \
                    self.assertRaisesRegex(IntegrityError, "is locked"), self.cr.savepoint():
                self.cr.execute(SQL("UPDATE mchs_bodycam_signature SET %s = NULL WHERE id = %s",
                                    SQL.identifier(column), signature.id))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.cr.execute("DELETE FROM mchs_bodycam_signature WHERE id = %s", [signature.id])
        with mute_logger("odoo.sql_db"), self.assertRaises(Exception), self.cr.savepoint():
            self.cr.execute("TRUNCATE mchs_bodycam_signature CASCADE")

    def test_stored_hash_matches_the_stored_bytes(self):
        """A row whose SHA-256 is not that of its signed bytes is refused by the database."""
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(IntegrityError, "data_sha256_matches"), \
                self.cr.savepoint():
            self.cr.execute("""
                INSERT INTO mchs_bodycam_signature (res_model, res_id, purpose, company_id, user_id, employee_id,
                       signing_time, cms, data, data_sha256, verified_at, verified_by, verification, revocation)
                SELECT res_model, res_id, purpose, company_id, user_id, employee_id, signing_time, cms,
                       %s, data_sha256, verified_at, verified_by, verification, revocation
                  FROM mchs_bodycam_signature WHERE id = %s
            """, [base64.b64encode(b'{"changed":true}'), self.signature.id])

    def test_reverified_years_later(self):
        signature = self.signature
        expires = signature.certificate_not_after
        with freeze_time(expires + datetime.timedelta(days=3 * 365)):
            results = signature.with_user(self.responsible_user)._reverify()
        self.assertEqual(results[signature], (True, ""))
        self.assertEqual(signature.reverification, "valid")
        # the archived root still anchors what it signed while it was trusted
        self.trusted.action_archive()
        with freeze_time(expires + datetime.timedelta(days=3 * 365)):
            self.assertTrue(signature._reverify()[signature][0])
        # bytes changed behind the lock's back no longer verify
        self.env.flush_all()
        self.cr.execute("ALTER TABLE mchs_bodycam_signature DISABLE TRIGGER mchs_bodycam_signature_lock")
        self.cr.execute("ALTER TABLE mchs_bodycam_signature DROP CONSTRAINT mchs_bodycam_signature_data_sha256_matches")
        self.cr.execute("UPDATE mchs_bodycam_signature SET data = %s, data_sha256 = %s WHERE id = %s",
                        [base64.b64encode(b"{}"), hashlib.sha256(b"{}").hexdigest(), signature.id])
        signature.invalidate_recordset()
        ok, detail = signature._reverify()[signature]
        self.assertFalse(ok)
        self.assertIn("other bytes", detail)
        self.assertEqual(signature.reverification, "invalid")

    def test_gost256_reverified_years_later(self):
        self._assert_gost_reverified_years_later(self.pki.gost256_user, "GOST34.10-2015-256")

    def test_gost512_reverified_years_later(self):
        self._assert_gost_reverified_years_later(self.pki.gost512_user, "GOST34.10-2015-512")

    def _assert_gost_reverified_years_later(self, holder, algorithm):
        """A member's GOST 34.10-2015 signature, re-verified from its stored bytes three years after
        the certificate's end: valid, as validity is judged at the signing time; stored bytes or a
        stored CMS changed behind the lock's back: not valid."""
        self._sign(self.act, "destruction", self.other_inspector_user, holder=holder)
        signature = self._signatures(self.act).filtered(lambda s: s.employee_id == self.other_inspector)
        self.assertEqual((signature.algorithm, signature.iin), (algorithm, self.pki.GOST_IIN))
        later = signature.certificate_not_after + datetime.timedelta(days=3 * 365)
        with freeze_time(later):
            self.assertEqual(signature.with_user(self.responsible_user)._reverify()[signature], (True, ""))
        self.assertEqual(signature.reverification, "valid")
        stored_data, stored_cms = base64.b64decode(signature.data), base64.b64decode(signature.cms)
        self.env.flush_all()
        self.cr.execute("ALTER TABLE mchs_bodycam_signature DISABLE TRIGGER mchs_bodycam_signature_lock")
        tampered = stored_data.replace(b'"purpose":"destruction"', b'"purpose":"audit"')
        self.assertNotEqual(tampered, stored_data)
        cases = {"other bytes": (tampered, stored_cms), "does not verify": (stored_data, _tamper(stored_cms))}
        for message, (data, der) in cases.items():
            with self.subTest(message):
                self.cr.execute("UPDATE mchs_bodycam_signature SET data = %s, data_sha256 = %s, cms = %s WHERE id = %s",
                                [base64.b64encode(data), hashlib.sha256(data).hexdigest(), base64.b64encode(der),
                                 signature.id])
                signature.invalidate_recordset()
                with freeze_time(later):
                    ok, detail = signature._reverify()[signature]
                self.assertFalse(ok)
                self.assertIn(message, detail)
                self.assertEqual(signature.reverification, "invalid")


@tagged("post_install", "-at_install")
class TestRevocation(SignatureCase):
    """Revocation by OCSP or the CRL, only when configured, against real HTTP services."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.services = PkiServices(cls.pki.rsa_ca).start()
        cls.addClassCleanup(cls.services.stop)
        cls.crl_user = signature_pki.user_certificate(cls.pki, cls.pki.rsa_ca, cls.pki.IIN, "ЖҰМАБАЕВ АСҚАР",
                                                      crl_url=f"{cls.services.url}/crl",
                                                      ocsp_url=f"{cls.services.url}/ocsp")
        cls.holders[cls.head] = cls.crl_user

    def setUp(self):
        super().setUp()
        self._old_recording("2022-03-01 10:00:00")
        self.act = self._act()
        self.services.ocsp_status.clear()
        self.services.revoked_serials.clear()
        self.services.requests.clear()
        self.services.ocsp_signer = self.pki.rsa_ca
        self.services.crl_signer = self.pki.rsa_ca

    def test_not_configured_not_checked(self):
        self._sign(self.act, "destruction", self.head_user)
        self.assertEqual(self._signatures(self.act).revocation, "not_checked")
        self.assertFalse(self.services.requests)

    def test_ocsp(self):
        self.company.bodycam_revocation = "ocsp"
        serial = self.crl_user.asn1.serial_number
        self.services.ocsp_status[serial] = "revoked"
        with self.assertRaisesRegex(UserError, "was revoked"):
            self._sign(self.act, "destruction", self.head_user)
        self.services.ocsp_signer = self.pki.other_user  # a forged "good"
        self.services.ocsp_status[serial] = "good"
        with self.assertRaisesRegex(UserError, "could not be checked"):
            self._sign(self.act, "destruction", self.head_user)
        self.services.ocsp_signer = self.pki.rsa_ca
        self._sign(self.act, "destruction", self.head_user)
        signature = self._signatures(self.act)
        self.assertEqual((signature.revocation, signature.revocation_source),
                         ("good_ocsp", f"{self.services.url}/ocsp"))

    def test_crl(self):
        self.company.bodycam_revocation = "crl"
        self.services.revoked_serials.add(self.crl_user.asn1.serial_number)
        with self.assertRaisesRegex(UserError, "was revoked"):
            self._sign(self.act, "destruction", self.head_user)
        self.services.revoked_serials.clear()
        self.services.crl_signer = self.pki.rogue_ca  # a CRL in the CA's name by another key
        with self.assertRaisesRegex(UserError, "could not be checked"):
            self._sign(self.act, "destruction", self.head_user)
        self.services.crl_signer = self.pki.rsa_ca
        self._sign(self.act, "destruction", self.head_user)
        self.assertEqual(self._signatures(self.act).revocation, "good_crl")


@tagged("post_install", "-at_install")
class TestTrustedCertificates(SignatureCase):
    """What an administrator uploads in the settings, and what they see of it."""

    def test_upload_shows_the_certificate(self):
        root = self.trusted[0]
        self.assertEqual((root.is_root, root.is_ca, root.key_algorithm), (True, True, "rsa"))
        self.assertIn("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", root.subject)
        self.assertEqual(root.not_after, self.pki.rsa_root.asn1.not_valid_after.replace(tzinfo=None))
        self.assertTrue(root.is_valid_now)
        self.assertEqual(self.trusted[3].key_algorithm, "gost512")
        self.assertFalse(self.trusted[1].is_root)

    def test_refused_uploads(self):
        Trusted = self.env["mchs.bodycam.trusted.certificate"].with_user(self.admin_user)
        cases = {"not a certificate": b"hello", "certification authority": self.pki.user.der,
                 "each of NCA's certificates": self.pki.rsa_root.pem + self.pki.rsa_ca.pem,
                 "already trusted": self.pki.rsa_root.der}
        for message, blob in cases.items():
            with self.subTest(message), self.assertRaisesRegex(UserError, message), self.cr.savepoint():
                Trusted.create({"certificate": base64.b64encode(blob)})
        with self.assertRaisesRegex(UserError, "is locked"):
            self.trusted[0].with_user(self.admin_user).write({"certificate": base64.b64encode(self.pki.gost_root.der)})
        self.trusted[0].with_user(self.admin_user).action_archive()
        self.trusted[0].with_user(self.admin_user).action_unarchive()
        # kept as uploaded: never deleted (archived ones anchor older signatures), nor rewritten in SQL
        with self.assertRaisesRegex(UserError, "can no longer be deleted"), self.cr.savepoint():
            self.trusted[0].sudo().unlink()
        self.env.flush_all()
        for column in ("certificate", "sha256", "not_after", "subject"):
            with self.subTest(sql=column), mute_logger("odoo.sql_db"), \
                    self.assertRaisesRegex(IntegrityError, "is locked"), self.cr.savepoint():
                self.cr.execute(SQL("UPDATE mchs_bodycam_trusted_certificate SET %s = NULL WHERE id = %s",
                                    SQL.identifier(column), self.trusted[0].id))
        # the others may not touch the trust store
        for user in (self.head_user, self.responsible_user):
            with self.assertRaises(Exception), self.cr.savepoint():
                self.env["mchs.bodycam.trusted.certificate"].with_user(user).create(
                    {"certificate": base64.b64encode(self.pki.gost_ca.der)})

    def test_settings(self):
        with self.assertRaises(ValidationError):
            self.company.bodycam_ncalayer_url = "http://127.0.0.1:13579"
        with self.assertRaises(ValidationError):
            self.company.bodycam_ncanode_url = "ncanode.local:14579"


@tagged("post_install", "-at_install")
class TestSignaturesOnPaper(PdfReportMixin, SignatureCase, HttpCase):
    """Every printed document shows its signatures: name, IIN, serial, issuer, time and a QR code."""

    required_tools = ("wkhtmltopdf", "pdftotext", "zbarimg")

    def test_destruction_act(self):
        self._old_recording("2022-03-01 10:00:00")
        act = self._act()
        for user in self.member_users:
            self._sign(act, "destruction", user)
        pdf = self.render_pdf("mchs_bodycam.action_report_destruction_act", act, user=self.head_user,
                              tz="Asia/Almaty")
        keep(pdf, "act")
        text = flat(pdf_text(pdf, "-raw"))
        for signature in self._signatures(act):
            with self.subTest(signer=signature.employee_id.name):
                self.assertIn(signature.employee_id.name, text)
                self.assertIn(signature.iin, text)
                self.assertIn(signature.certificate_serial, "".join(text.split()))
        self.assertIn("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", text)
        codes = [code for code in qr_codes(pdf) if code.startswith("MBS1|")]
        self.assertEqual(sorted(code.split("|")[2] for code in codes),
                         sorted(str(signature.id) for signature in self._signatures(act)))

    def test_book_certification_page(self):
        self._issue()
        self.book.with_user(self.responsible_user).action_close()
        self._sign(self.book, "certification", self.responsible_user)
        signature = self._signatures(self.book)
        pdf = self.render_pdf("mchs_bodycam.action_report_journal_custody", self.book, user=self.responsible_user)
        keep(pdf, "book")
        last_page = flat(pdf_text(pdf).split("\f")[-2])
        self.assertIn(signature.iin, last_page)
        self.assertIn(signature.certificate_serial, "".join(last_page.split()))
        codes = [code for code in qr_codes(pdf) if code.startswith("MBS1|")]
        self.assertEqual([code.split("|")[2:4] for code in codes], [[str(signature.id), "certification"]])

    def test_audit_act(self):
        audit = self.env["mchs.bodycam.audit"].browse(
            self.commission_record.with_user(self.head_user).action_new_audit()["res_id"])
        audit.with_user(self.head_user).action_start()
        self._run(audit)
        self._sign(audit, "audit", self.head_user)
        signature = self._signatures(audit)
        pdf = self.render_pdf("mchs_bodycam.action_report_audit", audit, user=self.responsible_user,
                              tz="Asia/Almaty")
        keep(pdf, "audit")
        text = flat(pdf_text(pdf, "-raw"))
        self.assertIn(signature.iin, text)
        self.assertIn(signature.certificate_serial, "".join(text.split()))
        self.assertIn("Тексеруші", text)  # the checker's seat, in the unit's Kazakh
        codes = [code for code in qr_codes(pdf) if code.startswith("MBS1|")]
        self.assertEqual([code.split("|")[2:4] for code in codes], [[str(signature.id), "audit"]])


@tagged("post_install", "-at_install")
class TestSignatureTour(PdfReportMixin, SignatureCase, HttpCase):
    """Issue 13 in Chromium: each member confirms the destruction act (item 12) by signing it with
    their key through NCALayer (the stand-in of tests/ncalayer_standin.py, on ws://), the server
    verifies and records it, and the act prints with their signatures. The refusals are told to
    the user in their own words, and nothing is confirmed."""

    required_tools = ("wkhtmltopdf", "pdftotext", "zbarimg")

    def setUp(self):
        super().setUp()
        self._old_recording("2022-03-01 10:00:00")
        self.act = self._act()
        self.url = f"/odoo/action-mchs_bodycam.mchs_bodycam_destruction_action/{self.act.id}"

    def _tour(self, tour, user, holder, **standin):
        with NcaLayerStandIn(holder, **standin) as ncalayer:
            self.company.bodycam_ncalayer_url = ncalayer.url
            self.start_tour(self.url, tour, login=user.login)
        return ncalayer

    def test_members_sign_the_act_and_it_prints_with_their_signatures(self):
        for user in self.member_users:
            employee = user.employee_ids[:1]
            with self.subTest(member=user.login):
                ncalayer = self._tour("mchs_bodycam_signature_tour", user, self.holders[employee], tsa=self.pki.tsa)
                request = ncalayer.requests[0]
                self.assertEqual((request["module"], request["method"]), ("kz.gov.pki.knca.basics", "sign"))
                self.assertEqual(request["args"]["signerParams"]["extKeyUsageOids"], ["1.3.6.1.5.5.7.3.4"])
                self.assertFalse(request["args"]["signingParams"]["encapsulate"])
                signature = self._signatures(self.act).filtered(lambda s: s.employee_id == employee)
                self.assertEqual(signature.signing_time_source, "timestamp")
                self.assertEqual(self.act.confirmation_ids.filtered(
                    lambda c: c.member_id.employee_id == employee).signature_id, signature)
        self.assertEqual(self.act.state, "destroying")
        signatures = self._signatures(self.act)
        self.assertEqual(len(signatures), 4)
        pdf = self.render_pdf("mchs_bodycam.action_report_destruction_act", self.act, user=self.head_user,
                              tz="Asia/Almaty")
        keep(pdf, "tour-act")
        text = flat(pdf_text(pdf, "-raw"))
        for signature in signatures:
            self.assertIn(signature.iin, text)
            self.assertIn(signature.certificate_serial, "".join(text.split()))
        codes = [code for code in qr_codes(pdf) if code.startswith("MBS1|")]
        self.assertEqual(sorted(code.split("|")[2] for code in codes), sorted(str(s.id) for s in signatures))

    def test_refusals_are_told(self):
        cases = (
            ("mchs_bodycam_signature_refused_tour", self.pki.other_user, {}),
            ("mchs_bodycam_signature_authentication_key_tour", self.pki.auth, {}),
        )
        for tour, holder, standin in cases:
            with self.subTest(tour):
                self._tour(tour, self.head_user, holder, **standin)
                # (the refusal's chatter line is written apart from the refused request on a real
                # server; HttpCase rolls the request back whole: TestSignatureVerification shows it)
                self.assertFalse(self.act.confirmation_ids)
                self.assertFalse(self._signatures(self.act))

    def test_ncalayer_cancelled_or_missing(self):
        ncalayer = NcaLayerStandIn(self.pki.user)
        ncalayer.answer = "cancel"
        with ncalayer:
            self.company.bodycam_ncalayer_url = ncalayer.url
            self.start_tour(self.url, "mchs_bodycam_signature_cancelled_tour", login=self.head_user.login)
        ncalayer = NcaLayerStandIn(self.pki.user)
        ncalayer.answer = "error"
        with ncalayer:
            gone = ncalayer.url
            self.company.bodycam_ncalayer_url = gone
            self.start_tour(self.url, "mchs_bodycam_signature_wrong_key_tour", login=self.head_user.login)
        # NCALayer gone: nothing listens at its address any more
        self.company.bodycam_ncalayer_url = gone
        self.start_tour(self.url, "mchs_bodycam_signature_not_running_tour", login=self.head_user.login)
        self.assertFalse(self.act.confirmation_ids)
