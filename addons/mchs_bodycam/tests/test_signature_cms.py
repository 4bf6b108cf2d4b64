"""lib/cms.py: the verification of NCALayer's detached CMS (issue 13), without a database.

The journal's columns 4-5, the item 9 certification, the destruction act (item 12), the audit
(item 13) and the court package (item 14) will be signed with NCA keys; these tests attack the
verifier with the signatures of a test PKI made at run time (tests/signature_pki.py).
"""

import base64
import datetime
import hashlib
import os

from asn1crypto import cms, pem

from odoo.tests import BaseCase, tagged

from odoo.addons.mchs_bodycam.lib import cms as signature
from odoo.addons.mchs_bodycam.lib.cms import SignatureRefused, UnsupportedSignature

from . import signature_pki
from .signature_pki import ForeignKey, Holder, issue_certificate, make_name, now, timestamp_authority

DOCUMENT = "%PDF-1.7\n% Destruction act No. 2026/3, item 12 — жою актісі\n".encode() + os.urandom(2048)


def _replace_signature(der, transform):
    """The CMS ``der`` with its signer's signature value replaced by ``transform(value)``.

    The bytes are replaced in place: re-encoding with asn1crypto would fail on GOST keys.
    """
    value = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signature"].native
    changed = transform(value)
    assert len(changed) == len(value) and der.count(value) == 1
    return der.replace(value, changed)


def _flip(value, position=-1):
    changed = bytearray(value)
    changed[position] ^= 0x01
    return bytes(changed)


@tagged("post_install", "-at_install")
class TestSignatureCms(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = signature_pki.shared_pki()

    def verify(self, der, data=DOCUMENT, **options):
        return signature.verify_cms(der, data, self.pki.trusted, **options)

    def assertRefused(self, code, der, data=DOCUMENT, **options):
        with self.assertRaises(SignatureRefused) as caught:
            self.verify(der, data, **options)
        self.assertEqual(caught.exception.code, code, caught.exception.message)
        self.assertIn(code, signature.CODES)
        return caught.exception

    # --- valid signatures ------------------------------------------------------------------

    def test_rsa_valid_gives_the_signers_facts(self):
        signed_at = now() - datetime.timedelta(minutes=2)
        der = self.pki.user.sign_cms(DOCUMENT, signing_time=signed_at)
        facts = self.verify(der)
        user = self.pki.user.asn1
        self.assertEqual(facts.iin, self.pki.IIN)
        self.assertEqual((facts.certificate.surname, facts.certificate.given_name), ("ЖҰМАБАЕВ", "АСҚАР"))
        self.assertEqual(facts.subject, f"CN=ЖҰМАБАЕВ АСҚАР, SURNAME=ЖҰМАБАЕВ, SERIALNUMBER=IIN{self.pki.IIN}, "
                                        "C=KZ, G=АСҚАР")
        self.assertEqual(facts.issuer, "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST, C=KZ")
        self.assertEqual(int(facts.serial, 16), user.serial_number)
        self.assertEqual((facts.not_before, facts.not_after), (user.not_valid_before, user.not_valid_after))
        self.assertEqual((facts.certificate.owner_type, facts.certificate.policy_oids),
                         ("individual", ("1.2.398.3.3.4.1.1",)))
        self.assertEqual(facts.algorithm, "RSA-SHA256")
        self.assertEqual((facts.signing_time, facts.signing_time_source), (signed_at, "signed_attributes"))
        self.assertEqual((facts.timestamp_time, facts.timestamp_verified), (None, False))
        self.assertEqual(facts.data_sha256, hashlib.sha256(DOCUMENT).hexdigest())
        self.assertEqual(facts.certificate.der, self.pki.user.der)
        self.assertEqual([link.der for link in facts.chain], [self.pki.user.der, self.pki.rsa_ca.der, self.pki.rsa_root.der])

    def test_base64_and_pem_are_the_same_signature(self):
        # NCALayer answers base64; a file may come as PEM
        der = self.pki.user.sign_cms(DOCUMENT)
        b64 = base64.b64encode(der).decode()
        wrapped = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
        for form in (b64, wrapped, pem.armor("CMS", der)):
            self.assertEqual(self.verify(form).iin, self.pki.IIN)

    def test_openssl_cms_sign_detached_sha256(self):
        der = signature_pki.openssl_cms(self.pki.user, DOCUMENT)
        facts = self.verify(der)
        self.assertEqual((facts.iin, facts.algorithm), (self.pki.IIN, "RSA-SHA256"))
        self.assertAlmostEqual(facts.signing_time, now(), delta=datetime.timedelta(minutes=2))
        self.assertRefused("digest_mismatch", der, DOCUMENT[:-1])

    def test_organisation_employee(self):
        facts = self.verify(self.pki.employee.sign_cms(DOCUMENT))
        self.assertEqual((facts.certificate.owner_type, facts.certificate.bin, facts.certificate.organisation),
                         ("organisation", "123456789021", "ТЖМ ТЕСТ"))

    def test_trusting_only_the_intermediate(self):
        # an administrator who uploaded NCA's intermediate alone
        facts = signature.verify_cms(self.pki.user.sign_cms(DOCUMENT), DOCUMENT, [self.pki.rsa_ca.der])
        self.assertEqual([link.der for link in facts.chain], [self.pki.user.der, self.pki.rsa_ca.der])

    def test_gost_2015_256_and_512(self):
        for holder, algorithm in ((self.pki.gost256_user, "GOST34.10-2015-256"),
                                  (self.pki.gost512_user, "GOST34.10-2015-512")):
            with self.subTest(algorithm):
                der = holder.sign_cms(DOCUMENT)
                facts = self.verify(der)
                self.assertEqual((facts.iin, facts.algorithm), (self.pki.GOST_IIN, algorithm))
                self.assertEqual([link.der for link in facts.chain],
                                 [holder.der, self.pki.gost_ca.der, self.pki.gost_root.der])
                self.assertRefused("digest_mismatch", der, DOCUMENT.replace(b"2026/3", b"2026/4"))
                self.assertRefused("bad_signature", _replace_signature(der, _flip))
                self.assertRefused("bad_signature", _replace_signature(der, lambda value: _flip(value, 0)))

    def test_gost_values_are_in_ncas_little_endian_layout(self):
        """r ‖ s and x ‖ y little-endian, e = Streebog read little-endian (as Kalkan writes them)."""
        for holder in (self.pki.gost256_user, self.pki.gost512_user):
            key = holder.key
            size = {"gost256": 32, "gost512": 64}[key.kind]
            message = b"signed attributes"
            value = key.sign(message)
            point = key.spki_der[-2 * size:]
            self.assertTrue(signature_pki.gost_textbook_verify(key.kind, point, key.digest(message), value))
            self.assertFalse(signature_pki.gost_textbook_verify(key.kind, point, key.digest(b"other"), value))
            # the same signature in gostcrypto's (and the RFC text's) big-endian r ‖ s is refused
            der = holder.sign_cms(DOCUMENT)
            big_endian = _replace_signature(der, lambda v: v[:size][::-1] + v[size:][::-1])
            self.assertRefused("bad_signature", big_endian)
            swapped = _replace_signature(der, lambda v: v[size:] + v[:size])
            self.assertRefused("bad_signature", swapped)

    # --- refusals ----------------------------------------------------------------------------

    def test_document_changed(self):
        der = self.pki.user.sign_cms(DOCUMENT)
        for changed in (DOCUMENT + b"\n", DOCUMENT[:-1], b"", _flip(DOCUMENT, 10)):
            self.assertRefused("digest_mismatch", der, changed)

    def test_signature_or_signed_attributes_tampered(self):
        der = self.pki.user.sign_cms(DOCUMENT)
        self.assertRefused("bad_signature", _replace_signature(der, _flip))
        # a later signing time written over the signed one
        info = cms.ContentInfo.load(der)
        attributes = info["content"]["signer_infos"][0]["signed_attrs"]
        for attribute in attributes:
            if attribute["type"].native == "signing_time":
                attribute["values"] = [cms.Time({"utc_time": now() - datetime.timedelta(days=3)})]
        self.assertRefused("bad_signature", info.dump(force=True))

    def test_signing_certificate_attribute_names_another_certificate(self):
        # CAdES: the ESS attribute binds the signature to one certificate
        self.assertEqual(self.verify(self.pki.user.sign_cms(DOCUMENT, ess=False)).iin, self.pki.IIN)
        self.assertRefused("bad_signature", self.pki.user.sign_cms(DOCUMENT, ess=self.pki.other_user.der))

    def test_wrong_signer(self):
        der = self.pki.other_user.sign_cms(DOCUMENT)
        self.assertEqual(self.verify(der).iin, self.pki.OTHER_IIN)  # the Odoo layer compares it with the seat
        refusal = self.assertRefused("wrong_signer", der, expected_iin=self.pki.IIN)
        self.assertEqual(refusal.params, {"iin": self.pki.OTHER_IIN, "expected_iin": self.pki.IIN})
        self.assertEqual(self.verify(der, expected_iin=self.pki.OTHER_IIN).iin, self.pki.OTHER_IIN)

    def test_expired_certificate(self):
        refusal = self.assertRefused("expired", self.pki.expired.sign_cms(DOCUMENT))
        self.assertEqual(refusal.params["not_after"], self.pki.expired.asn1.not_valid_after.isoformat())
        # signed while it was valid: still valid years later
        signed_at = self.pki.expired.asn1.not_valid_after - datetime.timedelta(days=2)
        facts = self.verify(self.pki.expired.sign_cms(DOCUMENT, signing_time=signed_at))
        self.assertEqual(facts.signing_time, signed_at)

    def test_not_yet_valid_certificate(self):
        refusal = self.assertRefused("not_yet_valid", self.pki.future.sign_cms(DOCUMENT))
        self.assertEqual(refusal.params["not_before"], self.pki.future.asn1.not_valid_before.isoformat())

    def test_untrusted_root(self):
        rogue = self.pki.rogue_user
        # the whole foreign chain inside the CMS: it ends at a root nobody uploaded
        full_chain = rogue.sign_cms(DOCUMENT, certificates=[rogue.der, self.pki.rogue_ca.der, self.pki.rogue_root.der])
        refusal = self.assertRefused("untrusted_chain", full_chain)
        self.assertIn("root certificate that is not trusted", refusal.message)
        # a CA named like the trusted one, with another key
        self.assertRefused("untrusted_chain", rogue.sign_cms(DOCUMENT))
        # and nothing trusted at all
        with self.assertRaises(SignatureRefused) as caught:
            signature.verify_cms(self.pki.user.sign_cms(DOCUMENT), DOCUMENT, [])
        self.assertEqual(caught.exception.code, "untrusted_chain")

    def test_issuer_must_be_a_ca(self):
        key = signature_pki.TestKey("rsa")
        subject = make_name("ЖҰМАБАЕВ АСҚАР", iin=self.pki.IIN)
        by_a_user = Holder(issue_certificate(subject, key, self.pki.other_user.asn1.subject, self.pki.other_user.key),
                           key, chain=[self.pki.other_user.der, self.pki.rsa_ca.der])
        refusal = self.assertRefused("untrusted_chain", by_a_user.sign_cms(DOCUMENT))
        self.assertIn("not a certification authority", refusal.message)

    def test_authentication_key(self):
        self.assertRefused("not_signing_key", self.pki.auth.sign_cms(DOCUMENT))
        # each half of NCA's signing profile is required: EKU emailProtection and nonRepudiation
        half_profiles = {
            "client auth EKU": {"eku": (signature_pki.OID_CLIENT_AUTH, signature_pki.OID_INDIVIDUAL)},
            "no nonRepudiation": {"key_usage": ("digital_signature", "key_encipherment")},
        }
        for label, options in half_profiles.items():
            with self.subTest(label):
                key = signature_pki.TestKey("rsa")
                subject = make_name("ЖҰМАБАЕВ АСҚАР", iin=self.pki.IIN)
                holder = Holder(issue_certificate(subject, key, self.pki.rsa_ca.asn1.subject, self.pki.rsa_ca.key,
                                                  **options), key, chain=[self.pki.rsa_ca.der])
                self.assertRefused("not_signing_key", holder.sign_cms(DOCUMENT))

    def test_attached_where_detached_expected(self):
        for der in (self.pki.user.sign_cms(DOCUMENT, attached=True),
                    signature_pki.openssl_cms(self.pki.user, DOCUMENT, attached=True)):
            refusal = self.assertRefused("wrong_format", der)
            self.assertEqual(refusal.params["reason"], "attached")

    def test_garbage(self):
        der = self.pki.user.sign_cms(DOCUMENT)
        data_only = cms.ContentInfo({"content_type": "data", "content": b"hello"}).dump()
        for garbage in (b"", "", os.urandom(600), b"\x30\x82\xff\xff" + os.urandom(100), "не подпись",
                        "bm90IGEgQ01T", der[:-20], der + b"\x00\x00", self.pki.user.der, data_only, None, 42):
            with self.subTest(garbage=garbage if not isinstance(garbage, bytes) else garbage[:12]):
                self.assertRefused("wrong_format", garbage)

    def test_two_signers(self):
        first = cms.ContentInfo.load(self.pki.user.sign_cms(DOCUMENT))
        second = cms.ContentInfo.load(self.pki.other_user.sign_cms(DOCUMENT))
        first["content"]["signer_infos"] = [first["content"]["signer_infos"][0], second["content"]["signer_infos"][0]]
        refusal = self.assertRefused("wrong_format", first.dump(force=True))
        self.assertEqual(refusal.params["reason"], "signer_count")

    def test_too_many_certificates(self):
        # each candidate issuer may cost a GOST verification: the pool is bounded
        crowded = self.pki.user.sign_cms(DOCUMENT, certificates=[self.pki.user.der] + [self.pki.rsa_ca.der] * 16)
        self.assertEqual(self.assertRefused("wrong_format", crowded).params["reason"], "certificate_count")

    def test_oversized(self):
        padded = self.pki.user.sign_cms(DOCUMENT, certificates=[self.pki.user.der] * 300)
        self.assertGreater(len(padded), signature.MAX_CMS_SIZE)
        for form in (padded, base64.b64encode(padded), base64.b64encode(padded) + b"=" * signature.MAX_CMS_SIZE):
            refusal = self.assertRefused("too_large", form)
            self.assertEqual(refusal.params["limit"], signature.MAX_CMS_SIZE)
        self.assertRefused("too_large", self.pki.user.sign_cms(DOCUMENT), max_size=1024)

    def test_signing_time_in_the_future_or_before_the_document(self):
        self.assertRefused("bad_signing_time", self.pki.user.sign_cms(DOCUMENT, signing_time=now() + datetime.timedelta(hours=1)))
        der = self.pki.user.sign_cms(DOCUMENT, signing_time=now() - datetime.timedelta(hours=1))
        self.assertRefused("bad_signing_time", der, signed_after=now())
        self.assertEqual(self.verify(der, signed_after=now() - datetime.timedelta(hours=2)).iin, self.pki.IIN)

    def test_no_signing_time_is_checked_now(self):
        facts = self.verify(self.pki.user.sign_cms(DOCUMENT, signing_time=False))
        self.assertEqual((facts.signing_time_source, facts.claimed_signing_time), ("verification", None))
        self.assertRefused("expired", self.pki.expired.sign_cms(DOCUMENT, signing_time=False))

    # --- timestamp ------------------------------------------------------------------------------

    def test_timestamp_time_is_used(self):
        stamped_at = now() - datetime.timedelta(minutes=10)
        der = self.pki.user.sign_cms(DOCUMENT, signing_time=now(), timestamp=timestamp_authority(self.pki.tsa, stamped_at))
        facts = self.verify(der)
        self.assertEqual((facts.signing_time, facts.signing_time_source), (stamped_at, "timestamp"))
        self.assertEqual((facts.timestamp_time, facts.timestamp_verified), (stamped_at, True))
        self.assertIn("УАҚЫТ БЕЛГІСІ ҚЫЗМЕТІ TEST", facts.timestamp_authority)
        self.assertNotEqual(facts.claimed_signing_time, stamped_at)

    def test_timestamp_overrides_the_claimed_time(self):
        expired = self.pki.expired
        while_valid = expired.asn1.not_valid_after - datetime.timedelta(days=3)
        # the claim alone would pass; the TSA says it was signed after the certificate expired
        self.assertEqual(self.verify(expired.sign_cms(DOCUMENT, signing_time=while_valid)).signing_time, while_valid)
        stamped = expired.sign_cms(DOCUMENT, signing_time=while_valid, timestamp=timestamp_authority(self.pki.tsa))
        self.assertRefused("expired", stamped)
        # and a timestamp from while it was valid keeps an old signature valid
        old = expired.sign_cms(DOCUMENT, signing_time=now(), timestamp=timestamp_authority(self.pki.tsa, while_valid))
        self.assertEqual(self.verify(old).signing_time, while_valid)

    def test_timestamp_refusals(self):
        cases = {
            "it stamps another signature": timestamp_authority(self.pki.tsa, imprint_of=b"another signature"),
            "is not trusted": timestamp_authority(self.pki.rogue_tsa),
            "not a timestamping key": timestamp_authority(self.pki.other_user),
        }
        for reason, tsa in cases.items():
            with self.subTest(reason):
                refusal = self.assertRefused("bad_timestamp", self.pki.user.sign_cms(DOCUMENT, timestamp=tsa))
                self.assertIn(reason, refusal.message)

    # --- needs NCANode ------------------------------------------------------------------------

    def test_gost_34_310_2004_needs_ncanode(self):
        key = ForeignKey()
        subject = make_name("ЕСКІ ГОСТ", iin=self.pki.IIN)
        legacy = Holder(issue_certificate(subject, key, self.pki.rsa_ca.asn1.subject, self.pki.rsa_ca.key), key,
                        chain=[self.pki.rsa_ca.der])
        with self.assertRaises(UnsupportedSignature) as caught:
            self.verify(legacy.sign_cms(DOCUMENT))
        self.assertEqual(caught.exception.code, "unsupported_algorithm")
        self.assertIn("GOST 34.310-2004", caught.exception.params["algorithm"])

    def test_unknown_critical_extension_needs_ncanode(self):
        key = signature_pki.TestKey("rsa")
        subject = make_name("ЖҰМАБАЕВ АСҚАР", iin=self.pki.IIN)
        odd = Holder(issue_certificate(subject, key, self.pki.rsa_ca.asn1.subject, self.pki.rsa_ca.key,
                                       critical_extra="1.2.398.3.3.99"), key, chain=[self.pki.rsa_ca.der])
        with self.assertRaises(UnsupportedSignature) as caught:
            self.verify(odd.sign_cms(DOCUMENT))
        self.assertEqual((caught.exception.code, caught.exception.params), ("unsupported_extension", {"extension": "1.2.398.3.3.99"}))

    # --- trusted certificates ---------------------------------------------------------------

    def test_load_certificates(self):
        bundle = self.pki.rsa_root.pem + self.pki.rsa_ca.pem
        facts = signature.load_certificates([bundle, self.pki.gost_root.der])
        self.assertEqual([fact.der for fact in facts], [self.pki.rsa_root.der, self.pki.rsa_ca.der, self.pki.gost_root.der])
        self.assertEqual([fact.is_ca for fact in facts], [True, True, True])
        self.assertEqual(facts[2].key_algorithm, "gost512")
        self.assertEqual(signature.load_certificates([self.pki.rsa_ca.pem.decode()])[0].der, self.pki.rsa_ca.der)
        for garbage in (b"", b"hello", self.pki.user.sign_cms(DOCUMENT), self.pki.rsa_ca.der[:-1], None):
            with self.assertRaises(SignatureRefused) as caught:
                signature.load_certificates([garbage])
            self.assertEqual((caught.exception.code, caught.exception.params["reason"]), ("wrong_format", "certificate"))
