"""TEST-ONLY public key infrastructure for the signature tests (issue 13). Never use in production.

Every run makes, in memory, NCA-like certificates and CMS signatures: nothing here is committed
key material, and the keys die with the test process (openssl gets them through a temporary
directory that is removed at once).

* :class:`TestPki` builds an RSA root, an intermediate and user certificates as NCA issues them
  (IIN in SERIALNUMBER, EKU emailProtection + the individual's policy OID, key usage
  nonRepudiation), an authentication-only key, an expired and a not-yet-valid certificate, a
  chain from a root nobody trusts, a timestamping authority, and a GOST 34.10-2015 root (512)
  with 256- and 512-bit users.
* :func:`build_cms` writes a CAdES-BES SignedData (detached or attached, with or without a
  timestamp token); :func:`openssl_cms` makes the same with ``openssl cms -sign``.

GOST values are written in NCA's layout (``x ‖ y`` and ``r ‖ s`` each half little-endian,
Streebog output read as a little-endian integer), spelled out here independently of
``lib/cms.py``; :func:`gost_textbook_verify` checks a signature with the plain formulas of
GOST 34.10 in that layout, so a test can tell the layout apart from the library's.
"""

import datetime
import hashlib
import os
import secrets
import subprocess
import tempfile

from asn1crypto import cms, core, keys, ocsp, pem, tsp, x509
from asn1crypto import crl as asn1_crl
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


def gost_textbook_verify(kind, spki_point_le, digest, signature):
    """GOST 34.10 verification written from the formulas, reading NCA's little-endian layout."""
    curve = gostsignature.CURVES_R_1323565_1_024_2019[_GOST[kind][2]]
    signer = gostsignature.new(gostsignature.MODE_256 if kind == "gost256" else gostsignature.MODE_512, curve)
    p, a, q = signer._p, signer._a, signer._q
    size = len(spki_point_le) // 2
    point = (int.from_bytes(spki_point_le[:size], "little"), int.from_bytes(spki_point_le[size:], "little"))
    r, s = int.from_bytes(signature[:size], "little"), int.from_bytes(signature[size:], "little")
    if not (0 < r < q and 0 < s < q):
        return False

    def add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
            return None
        if P == Q:
            slope = (3 * P[0] * P[0] + a) * pow(2 * P[1], -1, p) % p
        else:
            slope = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x = (slope * slope - P[0] - Q[0]) % p
        return x, (slope * (P[0] - x) - P[1]) % p

    def mul(k, P):
        result = None
        while k:
            if k & 1:
                result = add(result, P)
            P, k = add(P, P), k >> 1
        return result

    e = int.from_bytes(digest, "little") % q or 1
    v = pow(e, -1, q)
    C = add(mul(s * v % q, (signer._x, signer._y)), mul(-r * v % q, point))
    return C is not None and C[0] % q == r


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


class TestPki:
    """The certificates of the signature tests; IINs are made up (12 digits, not real people)."""

    IIN = "900101300123"
    OTHER_IIN = "850202400456"
    GOST_IIN = "770303500789"

    def __init__(self):
        start = now() - datetime.timedelta(days=365)
        self.rsa_root = self._root("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", "rsa", start)
        self.rsa_ca = self._ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", "rsa", self.rsa_root, start)
        self.user = self._user(self.rsa_ca, self.IIN, "ЖҰМАБАЕВ АСҚАР")
        self.other_user = self._user(self.rsa_ca, self.OTHER_IIN, "СЕРІКОВА ДИНАРА")
        self.employee = self._user(self.rsa_ca, "880404600111", "ОМАРОВ ЕРЛАН", eku=(OID_EMAIL_PROTECTION, OID_EMPLOYEE),
                                   organisation="ТЖМ ТЕСТ", bin="123456789021")
        self.auth = self._user(self.rsa_ca, self.IIN, "ЖҰМАБАЕВ АСҚАР",
                               key_usage=("digital_signature", "key_encipherment"),
                               eku=(OID_CLIENT_AUTH, OID_INDIVIDUAL))
        self.expired = self._user(self.rsa_ca, self.IIN, "ЖҰМАБАЕВ АСҚАР", not_before=start,
                                  not_after=now() - datetime.timedelta(days=1))
        self.future = self._user(self.rsa_ca, self.IIN, "ЖҰМАБАЕВ АСҚАР",
                                 not_before=now() + datetime.timedelta(days=1))
        self.tsa = self._user(self.rsa_ca, None, "УАҚЫТ БЕЛГІСІ ҚЫЗМЕТІ TEST",
                              key_usage=("digital_signature", "non_repudiation"), eku=(OID_TIME_STAMPING,))
        # the same names, other keys: a root nobody trusts, and an impostor of the trusted CA
        self.rogue_root = self._root("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", "rsa", start)
        self.rogue_ca = self._ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST", "rsa", self.rogue_root, start)
        self.rogue_user = self._user(self.rogue_ca, self.IIN, "ЖҰМАБАЕВ АСҚАР")
        self.rogue_tsa = self._user(self.rogue_ca, None, "УАҚЫТ БЕЛГІСІ ҚЫЗМЕТІ TEST", eku=(OID_TIME_STAMPING,))
        # NCA's GOST 2022 CAs are 512-bit; their users have 256- or 512-bit keys
        self.gost_root = self._root("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST", "gost512", start)
        self.gost_ca = self._ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST", "gost512", self.gost_root, start)
        self.gost256_user = self._user(self.gost_ca, self.GOST_IIN, "ӘБІЛОВА ГҮЛНАР", kind="gost256",
                                       key_usage=("digital_signature", "non_repudiation", "key_encipherment"))
        self.gost512_user = self._user(self.gost_ca, self.GOST_IIN, "ӘБІЛОВА ГҮЛНАР", kind="gost512",
                                       key_usage=("digital_signature", "non_repudiation", "key_encipherment"))

    @property
    def trusted(self):
        """What an administrator uploads: the roots and intermediates (DER and PEM, as they come)."""
        return [self.rsa_root.der, self.rsa_ca.pem, self.gost_root.der, self.gost_ca.der]

    def _root(self, name, kind, start):
        key = TestKey(kind)
        subject = make_name(name)
        return Holder(issue_certificate(subject, key, subject, key, ca=True, key_usage=("key_cert_sign", "crl_sign"),
                                        eku=(), not_before=start, not_after=start + datetime.timedelta(days=3650)),
                      key)

    def _ca(self, name, kind, root, start):
        key = TestKey(kind)
        return Holder(issue_certificate(make_name(name), key, root.asn1.subject, root.key, ca=True, path_length=0,
                                        key_usage=("key_cert_sign", "crl_sign"), eku=(), not_before=start,
                                        not_after=start + datetime.timedelta(days=3000)),
                      key, chain=[root.der])

    def _user(self, ca, iin, name, *, kind="rsa", organisation=None, bin=None, **options):
        key = TestKey(kind)
        surname, given = name.split(" ", 1)
        subject = make_name(name, iin=iin, surname=surname, given_name=given, organisation=organisation, bin=bin)
        return Holder(issue_certificate(subject, key, ca.asn1.subject, ca.key, **options), key, chain=[ca.der])


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


def timestamp_authority(tsa, gen_time=None, *, imprint_of=None):
    """A callable making RFC 3161 tokens signed by ``tsa`` (see :func:`build_cms`).

    ``imprint_of`` replaces the stamped bytes (to stamp another signature than the CMS's).
    """
    def stamp(signature_value):
        tst_info = tsp.TSTInfo({
            "version": "v1",
            "policy": "1.2.398.3.3.2.6.2",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                                "hashed_message": hashlib.sha256(imprint_of or signature_value).digest()},
            "serial_number": secrets.randbits(64),
            "gen_time": gen_time or now(),
            "nonce": secrets.randbits(48),
        })
        signed_data = _signed_data(tsa, tst_info.dump(), content_type="tst_info", attached=True,
                                   signing_time=gen_time or now(), certificates=None, ess=True)
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return stamp


def openssl_cms(holder, data, *, attached=False):
    """``openssl cms -sign`` (SHA-256, DER, CAdES-BES) by ``holder``, an RSA certificate."""
    with tempfile.TemporaryDirectory(prefix="mchs-cms-") as folder:
        paths = {name: os.path.join(folder, name) for name in ("data", "cert.pem", "key.pem", "chain.pem")}
        files = {"data": data, "cert.pem": holder.pem, "key.pem": holder.key.private_pem(),
                 "chain.pem": b"".join(pem.armor("CERTIFICATE", der) for der in holder.chain)}
        for name, content in files.items():
            with open(os.open(paths[name], os.O_WRONLY | os.O_CREAT, 0o600), "wb") as handle:
                handle.write(content)
        command = ["openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-outform", "DER",
                   "-in", paths["data"], "-signer", paths["cert.pem"], "-inkey", paths["key.pem"],
                   "-certfile", paths["chain.pem"]]
        if attached:
            command.append("-nodetach")
        return subprocess.run(command, check=True, capture_output=True).stdout


def user_certificate(pki, ca, iin, name, *, kind="rsa", **options):
    """A signing certificate of ``ca`` (an RSA or GOST CA of ``pki``) for ``iin``, with ``options``
    of :func:`issue_certificate` (e.g. a CRL or OCSP address)."""
    return pki._user(ca, iin, name, kind=kind, **options)


# ---------------------------------------------------------------------------------------------
# Revocation: OCSP answers and CRLs
# ---------------------------------------------------------------------------------------------

def ocsp_response(signer, cert_id, *, status="good", revoked_at=None, nonce=None, this_update=None,
                  next_update=None, delegated=False):
    """An OCSP answer (DER) about ``cert_id`` (the request's CertID) signed by ``signer`` (the CA,
    or a responder certificate it issued when ``delegated``)."""
    this_update = this_update or now() - datetime.timedelta(minutes=1)
    if status == "good":
        cert_status = ocsp.CertStatus(name="good", value=core.Null())
    elif status == "revoked":
        cert_status = ocsp.CertStatus(name="revoked", value={"revocation_time": revoked_at or now(),
                                                              "revocation_reason": "key_compromise"})
    else:
        cert_status = ocsp.CertStatus(name="unknown", value=core.Null())
    data = ocsp.ResponseData({
        "responder_id": {"by_key": _key_identifier(signer.key.spki_der)},
        "produced_at": now(),
        "responses": [{"cert_id": cert_id, "cert_status": cert_status, "this_update": this_update,
                       "next_update": next_update or this_update + datetime.timedelta(hours=12)}],
        "response_extensions": [{"extn_id": "nonce", "critical": False, "extn_value": nonce}] if nonce else None,
    })
    basic = ocsp.BasicOCSPResponse({
        "tbs_response_data": data,
        "signature_algorithm": {"algorithm": signer.key.signature_oid},
        "signature": signer.key.sign(data.dump()),
        "certs": [signer.asn1] if delegated else None,
    })
    return ocsp.OCSPResponse({"response_status": "successful",
                              "response_bytes": {"response_type": "basic_ocsp_response", "response": basic}}).dump()


def crl(issuer, revoked=(), *, this_update=None, next_update=None, signer=None):
    """A CRL (DER) of ``issuer`` listing the serial numbers ``revoked`` (signed by ``signer``, by
    default the issuer itself)."""
    this_update = this_update or now() - datetime.timedelta(hours=1)
    signer = signer or issuer
    tbs = asn1_crl.TbsCertList({
        "version": "v2",
        "signature": {"algorithm": signer.key.signature_oid},
        "issuer": issuer.asn1.subject,
        "this_update": x509.Time({"utc_time": this_update}),
        "next_update": x509.Time({"utc_time": next_update or this_update + datetime.timedelta(days=1)}),
        "revoked_certificates": [{"user_certificate": serial, "revocation_date": x509.Time({"utc_time": now()})}
                                 for serial in revoked] or None,
    })
    return asn1_crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": {"algorithm": signer.key.signature_oid},
                                     "signature": signer.key.sign(tbs.dump())}).dump()


class ForeignKey:
    """A key of an algorithm ``lib/cms.py`` does not verify (GOST 34.310-2004 by default).

    Its "signatures" are random bytes: the verifier must refuse the algorithm before it looks.
    """

    def __init__(self, key_oid="1.2.398.3.10.1.1.1.1", signature_oid="1.2.398.3.10.1.1.1.2",
                 digest_oid="1.2.398.3.10.1.3.1"):
        self.kind = key_oid
        self.signature_oid, self.digest_oid = signature_oid, digest_oid
        oid = lambda dotted: core.ObjectIdentifier(dotted).dump()  # noqa: E731
        point = core.OctetString(secrets.token_bytes(64)).dump()
        self.spki_der = _der(0x30, _der(0x30, oid(key_oid)) + _der(0x03, b"\x00" + point))

    def digest(self, data):
        return hashlib.sha256(data).digest()

    def sign(self, message):
        return secrets.token_bytes(64)


_SHARED = []


def shared_pki():
    """One :class:`TestPki` per test process (its GOST keys take a few seconds to make)."""
    if not _SHARED:
        _SHARED.append(TestPki())
    return _SHARED[0]
