"""A THROW-AWAY public key infrastructure shaped like NCA RK's, for the signature tests and the
demo only (issue 13). Never use it in production: nothing it makes is a qualified signature.

Every call makes new keys in memory; nothing here is committed key material and the keys die
with the process. It builds NCA-like certificates (IIN in SERIALNUMBER, EKU emailProtection +
the individual's policy OID, key usage nonRepudiation), RSA-2048 or GOST 34.10-2015 (256, 512)
keys that sign in NCA's layout (``x ‖ y`` and ``r ‖ s`` each half little-endian, Streebog
output read as a little-endian integer), and CAdES-BES SignedData (:func:`build_cms`), spelled
out independently of ``lib/cms.py``, which verifies them.

tests/signature_pki.py builds the tests' PKI on it; demo/mchs_bodycam_demo.py the demo's
("DEMO — not NCA RK"). Imported alone (no Odoo) by bench/.
"""

import datetime
import hashlib
import secrets

from asn1crypto import cms, core, keys, pem, x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from gostcrypto import gosthash, gostsignature

UTC = datetime.timezone.utc

OID_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"  # NCA's signing keys
OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"  # NCA's authentication keys
OID_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
OID_INDIVIDUAL = "1.2.398.3.3.4.1.1"
OID_EMPLOYEE = "1.2.398.3.3.4.1.2"
OID_NCA_POLICY = "1.2.398.3.3.2"

_GOST = {  # kind: (key OID, curve OID, tc26 curve, signature OID, digest OID, streebog, bytes)
    "gost256": ("1.2.398.3.10.1.1.2.1", "1.2.398.3.10.1.1.2.1.1", "id-tc26-gost-3410-2012-256-paramSetA",
                "1.2.398.3.10.1.1.2.3.1", "1.2.398.3.10.1.3.2", "streebog256", 32),
    "gost512": ("1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.2.1", "id-tc26-gost-3410-12-512-paramSetA",
                "1.2.398.3.10.1.1.2.3.2", "1.2.398.3.10.1.3.3", "streebog512", 64),
}


def now():
    return datetime.datetime.now(UTC).replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------

class TestKey:
    """A throw-away RSA-2048 or GOST 34.10-2015 key that signs in NCA's encoding."""

    def __init__(self, kind):
        self.kind = kind
        if kind == "rsa":
            self._private = rsa.generate_private_key(65537, 2048, backend=default_backend())
            self.spki_der = self._private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            self.signature_oid, self.digest_oid = "1.2.840.113549.1.1.11", "2.16.840.1.101.3.4.2.1"
            return
        key_oid, curve_oid, curve, self.signature_oid, self.digest_oid, self._streebog, size = _GOST[kind]
        self._size = size
        self._signer = gostsignature.new(gostsignature.MODE_256 if size == 32 else gostsignature.MODE_512,
                                         gostsignature.CURVES_R_1323565_1_024_2019[curve])
        self._q = self._signer._q
        self._d = secrets.randbelow(self._q - 1) + 1
        x_y = bytes(self._signer.public_key_generate(bytearray(self._d.to_bytes(size, "big"))))
        self.point = (int.from_bytes(x_y[:size], "big"), int.from_bytes(x_y[size:], "big"))
        # NCA: OCTET STRING of x ‖ y, each little-endian, in the BIT STRING
        point = core.OctetString(self.point[0].to_bytes(size, "little") + self.point[1].to_bytes(size, "little"))
        oid = lambda dotted: core.ObjectIdentifier(dotted).dump()  # noqa: E731
        algorithm = _der(0x30, oid(key_oid) + _der(0x30, oid(curve_oid) + oid(self.digest_oid)))
        self.spki_der = _der(0x30, algorithm + _der(0x03, b"\x00" + point.dump()))

    def digest(self, data):
        if self.kind == "rsa":
            return hashlib.sha256(data).digest()
        return bytes(gosthash.new(self._streebog, data=data).digest())

    def sign(self, message):
        """The signature value as NCA writes it."""
        if self.kind == "rsa":
            return self._private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        size = self._size
        e = int.from_bytes(self.digest(message), "little") % self._q or 1  # NCA: little-endian
        r_s = bytes(self._signer.sign(bytearray(self._d.to_bytes(size, "big")), bytearray(e.to_bytes(size, "big"))))
        r, s = int.from_bytes(r_s[:size], "big"), int.from_bytes(r_s[size:], "big")
        return r.to_bytes(size, "little") + s.to_bytes(size, "little")  # NCA: r ‖ s, little-endian

    def private_pem(self):
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())


def _der(tag, body):
    """One DER element (tag, definite length, body)."""
    length = len(body)
    if length < 0x80:
        return bytes([tag, length]) + body
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------

def make_name(common_name, *, iin=None, bin=None, organisation=None, surname=None, given_name=None):
    """An NCA-like subject: CN, SURNAME, SERIALNUMBER=IIN…, C=KZ, O, OU=BIN…, G."""
    attributes = {"common_name": common_name}
    if surname:
        attributes["surname"] = surname
    if iin:
        attributes["serial_number"] = f"IIN{iin}"
    attributes["country_name"] = "KZ"
    if organisation:
        attributes["organization_name"] = organisation
    if bin:
        attributes["organizational_unit_name"] = f"BIN{bin}"
    if given_name:
        attributes["given_name"] = given_name
    # in NCA's order (asn1crypto's Name.build would sort them its own way)
    rdns = [x509.Name.build({key: value}).chosen[0] for key, value in attributes.items()]
    return x509.Name(name="", value=x509.RDNSequence(rdns))


def _key_identifier(spki_der):
    return hashlib.sha1(spki_der).digest()


def issue_certificate(subject, subject_key, issuer, issuer_key, *, ca=False, path_length=None,
                      key_usage=("digital_signature", "non_repudiation"), eku=(OID_EMAIL_PROTECTION, OID_INDIVIDUAL),
                      not_before=None, not_after=None, critical_extra=None, issuer_spki=None, crl_url=None,
                      ocsp_url=None):
    """A certificate (DER) for ``subject_key`` signed by ``issuer_key``, with NCA's extensions."""
    not_before = not_before or now() - datetime.timedelta(days=30)
    not_after = not_after or not_before + datetime.timedelta(days=365)
    extensions = [
        {"extn_id": "key_usage", "critical": True, "extn_value": x509.KeyUsage(set(key_usage))},
        {"extn_id": "certificate_policies", "critical": False,
         "extn_value": [{"policy_identifier": OID_NCA_POLICY}]},
        {"extn_id": "key_identifier", "critical": False, "extn_value": _key_identifier(subject_key.spki_der)},
        {"extn_id": "authority_key_identifier", "critical": False,
         "extn_value": {"key_identifier": _key_identifier(issuer_spki or issuer_key.spki_der)}},
    ]
    if ca:
        extensions.append({"extn_id": "basic_constraints", "critical": True,
                           "extn_value": {"ca": True, "path_len_constraint": path_length}})
    if eku:
        extensions.append({"extn_id": "extended_key_usage", "critical": False, "extn_value": list(eku)})
    if crl_url:
        extensions.append({"extn_id": "crl_distribution_points", "critical": False, "extn_value": [
            {"distribution_point": {"full_name": [x509.GeneralName(name="uniform_resource_identifier",
                                                                   value=crl_url)]}}]})
    if ocsp_url:
        extensions.append({"extn_id": "authority_information_access", "critical": False, "extn_value": [
            {"access_method": "ocsp",
             "access_location": x509.GeneralName(name="uniform_resource_identifier", value=ocsp_url)}]})
    if critical_extra:
        extensions.append({"extn_id": critical_extra, "critical": True, "extn_value": core.Null().dump()})
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": secrets.randbits(150),
        "signature": {"algorithm": issuer_key.signature_oid},
        "issuer": issuer,
        "validity": {"not_before": x509.Time({"utc_time": not_before}),
                     "not_after": x509.Time({"utc_time": not_after})},
        "subject": subject,
        "subject_public_key_info": keys.PublicKeyInfo.load(subject_key.spki_der),
        "extensions": extensions,
    })
    certificate = x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": {"algorithm": issuer_key.signature_oid},
        "signature_value": issuer_key.sign(tbs.dump()),
    })
    return certificate.dump()


class Holder:
    """A certificate with its key (and the chain certificates a signer sends along)."""

    def __init__(self, certificate, key, chain=()):
        self.der = certificate
        self.key = key
        self.chain = list(chain)
        self.asn1 = x509.Certificate.load(certificate)

    @property
    def pem(self):
        return pem.armor("CERTIFICATE", self.der)

    def sign_cms(self, data, **options):
        return build_cms(self, data, **options)


# ---------------------------------------------------------------------------------------------
# CMS
# ---------------------------------------------------------------------------------------------

def build_cms(holder, data, *, attached=False, signing_time=None, timestamp=None, certificates=None,
              ess=True, content_type="data"):
    """A CAdES-BES SignedData by ``holder`` over ``data`` (DER of the ContentInfo).

    ``timestamp``: a callable taking the signature value and returning a timestamp token
    (ContentInfo) for the unsigned attributes. ``certificates`` default to the holder's and its
    chain's; ``signing_time`` defaults to now (False: no signingTime attribute); ``ess``: add the
    ESS signing-certificate-v2 attribute naming the holder's certificate (or the one given).
    """
    signed_data = _signed_data(holder, data, content_type=content_type, attached=attached,
                               signing_time=now() if signing_time is None else signing_time,
                               certificates=certificates, ess=ess)
    if timestamp:
        info = signed_data["signer_infos"][0]
        token = timestamp(info["signature"].native)
        info["unsigned_attrs"] = [{"type": "signature_time_stamp_token", "values": [token]}]
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _signed_data(holder, content, *, content_type, attached, signing_time, certificates, ess):
    key = holder.key
    attributes = [{"type": "content_type", "values": [content_type]}]
    if signing_time:
        attributes.append({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]})
    attributes.append({"type": "message_digest", "values": [key.digest(content)]})
    if ess:
        attributes.append({"type": "signing_certificate_v2", "values": [{
            "certs": [{"cert_hash": hashlib.sha256(holder.der if ess is True else ess).digest()}]}]})
    signed_attributes = cms.CMSAttributes(attributes)
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": {"issuer_and_serial_number": {"issuer": holder.asn1.issuer,
                                             "serial_number": holder.asn1.serial_number}},
        "digest_algorithm": {"algorithm": key.digest_oid},
        "signed_attrs": signed_attributes,
        "signature_algorithm": {"algorithm": key.signature_oid},
        "signature": key.sign(signed_attributes.dump()),
    })
    encap = {"content_type": content_type}
    if attached:
        encap["content"] = core.ParsableOctetString(content) if content_type != "data" else content
    certificates = certificates if certificates is not None else [holder.der, *holder.chain]
    return cms.SignedData({
        "version": "v1" if content_type == "data" else "v3",
        "digest_algorithms": [{"algorithm": key.digest_oid}],
        "encap_content_info": encap,
        "certificates": [x509.Certificate.load(der) for der in certificates],
        "signer_infos": [signer_info],
    })


def make_root(name, kind, not_before, not_after):
    """A self-signed root CA named ``name`` with a new ``kind`` key ("rsa", "gost256", "gost512")."""
    key = TestKey(kind)
    subject = make_name(name)
    return Holder(issue_certificate(subject, key, subject, key, ca=True, key_usage=("key_cert_sign", "crl_sign"),
                                    eku=(), not_before=not_before, not_after=not_after), key)


def make_ca(name, kind, root, not_before, not_after):
    """An intermediate CA of ``root`` (path length 0), as NCA's issuing CAs."""
    key = TestKey(kind)
    return Holder(issue_certificate(make_name(name), key, root.asn1.subject, root.key, ca=True, path_length=0,
                                    key_usage=("key_cert_sign", "crl_sign"), eku=(), not_before=not_before,
                                    not_after=not_after),
                  key, chain=[root.der])


def make_user(ca, iin, name, *, kind="rsa", organisation=None, bin=None, **options):
    """A person's certificate of ``ca``: ``name`` is "SURNAME GIVEN", the IIN in SERIALNUMBER,
    and by default a signing key (``options`` of :func:`issue_certificate`)."""
    key = TestKey(kind)
    surname, given = name.split(" ", 1)
    subject = make_name(name, iin=iin, surname=surname, given_name=given, organisation=organisation, bin=bin)
    return Holder(issue_certificate(subject, key, ca.asn1.subject, ca.key, **options), key, chain=[ca.der])
