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

from asn1crypto import cms, core, ocsp, pem, tsp, x509
from asn1crypto import crl as asn1_crl
from gostcrypto import gostsignature

try:
    from ..lib.pki_builder import (  # noqa: F401 (the tests import the builder from here)
        _GOST, OID_CLIENT_AUTH, OID_EMAIL_PROTECTION, OID_EMPLOYEE, OID_INDIVIDUAL, OID_NCA_POLICY, OID_TIME_STAMPING,
        UTC, Holder, TestKey, _der, _key_identifier, _signed_data, build_cms, issue_certificate, make_ca, make_name,
        make_root, make_user, now)
except ImportError:  # bench/ imports this file alone, with lib/ on the path
    from pki_builder import (  # noqa: F401
        _GOST, OID_CLIENT_AUTH, OID_EMAIL_PROTECTION, OID_EMPLOYEE, OID_INDIVIDUAL, OID_NCA_POLICY, OID_TIME_STAMPING,
        UTC, Holder, TestKey, _der, _key_identifier, _signed_data, build_cms, issue_certificate, make_ca, make_name,
        make_root, make_user, now)


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
        return make_root(name, kind, start, start + datetime.timedelta(days=3650))

    def _ca(self, name, kind, root, start):
        return make_ca(name, kind, root, start, start + datetime.timedelta(days=3000))

    def _user(self, ca, iin, name, **options):
        return make_user(ca, iin, name, **options)


# ---------------------------------------------------------------------------------------------
# CMS
# ---------------------------------------------------------------------------------------------

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
