"""Verification of detached CMS signatures made with NCA RK keys (issue 13).

The journal's receipts and returns (columns 4 and 5), the item 9 certification, the
commission's destruction act (item 12), the annual check (item 13) and the materials sent to a
court (item 14) are signed in the browser through NCALayer: it returns a CMS SignedData,
CAdES-BES, detached (the document's bytes are not inside), with one signer and optionally an
RFC 3161 timestamp token in the unsigned attributes. This module checks such a signature
against the document's bytes and the NCA certificates an administrator trusts, and returns the
signer's facts. It imports nothing from Odoo, so it is tested alone; the Odoo layer translates
the refusals by their ``code``.

Verified here, without any external service:

* **RSA** (PKCS #1 v1.5) with SHA-256, SHA-384 or SHA-512 (``cryptography``);
* **GOST 34.10-2015**, 256 bits (signature ``1.2.398.3.10.1.1.2.3.1``, key
  ``1.2.398.3.10.1.1.2.1``, curve ``1.2.398.3.10.1.1.2.1.1`` = tc26 256 paramSetA, Streebog-256
  ``1.2.398.3.10.1.3.2``) and 512 bits (``…2.3.2``, key ``…2.2``, curve ``…2.2.1`` = tc26 512
  paramSetA, Streebog-512 ``1.2.398.3.10.1.3.3``), with ``gostcrypto``.

  NCA (Kalkan) encodes them so: the public key is ``x ‖ y``, each coordinate little-endian;
  the signature value is ``r ‖ s``, each half little-endian; the message digest attribute holds
  Streebog's output in the byte order the standard prints it (as gostcrypto returns it), and
  the signature's ``e`` is that output read as a little-endian integer. This was checked on a
  CMS (over ``test123``) and a certificate that Kalkan made with NCA's GOST TEST 2022 CA, both
  512-bit (see ``_gost_verify``); no real 256-bit signature was at hand, it is read the same way.

Not verified here: **GOST 34.310-2004** (``1.2.398.3.10.1.1.1.2``, key ``…1.1.1``, digest
GOST 34.311-95 ``1.2.398.3.10.1.3.1``), RSA-PSS, SHA-1 signatures and certificates with a
critical extension this module does not know. They raise :class:`UnsupportedSignature`; the
caller sends such a CMS to NCANode (``POST /cms/verify``) when one is configured, or refuses it.
Revocation (OCSP, CRL) is not checked here either: the facts carry the certificate's OCSP and
CRL addresses for a caller that checks it.

The checks, in this order (the first failure raises :class:`SignatureRefused`):

1. size and format: at most ``max_size`` bytes, a ContentInfo with SignedData, detached, one
   signer, signed attributes with the content type ``data``, the signer's certificate inside
   (and at most ``MAX_CERTIFICATES``);
2. the ``messageDigest`` attribute equals the digest of the document's bytes;
3. the signature over the signed attributes verifies with the signer's certificate (and an
   ESS signing-certificate attribute, when present, names that certificate);
4. the signing time: a timestamp token's ``genTime`` when present (its imprint must be the
   digest of this signature value, its TSA signature and chain must verify, the TSA key must
   be a timestamping key), else the ``signingTime`` attribute, else ``now``; never later than
   ``now`` (plus a small clock skew), nor earlier than ``signed_after`` when the caller gives
   one. A token whose TSA signs in an algorithm not verified here is reported unverified
   (``timestamp_verified`` False) and the signed attribute's time is used, as without a token;
5. the chain from the signer's certificate up to a certificate the caller trusts (an NCA root,
   or an intermediate an administrator uploaded): each certificate's signature by its issuer,
   each one valid at the signing time, issuers are CAs (basic constraints, keyCertSign, path
   length), no unknown critical extension;
6. the signer's certificate is a signing key as NCA issues them (extended key usage
   ``1.3.6.1.5.5.7.3.4`` and key usage nonRepudiation), not an authentication key;
7. the IIN, when the caller expects one.
"""

import base64
import binascii
import contextlib
import datetime
import functools
import hashlib
import re
from dataclasses import dataclass, field

from asn1crypto import cms, core, pem, tsp, x509  # noqa: F401 (tsp registers the ESS attributes)
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from gostcrypto import gosthash, gostsignature

MAX_CMS_SIZE = 256 * 1024
"""A CMS from NCALayer (certificate chain and timestamp included) is well under 32 KiB."""

MAX_CHAIN_LENGTH = 8
MAX_CERTIFICATES = 16  # in one SignedData; NCALayer sends the signer's and at most its chain
MAX_ISSUER_CANDIDATES = 4  # certificates tried as the issuer of one link (each try may cost a GOST verification)
CLOCK_SKEW = datetime.timedelta(minutes=5)

CODES = (
    "too_large", "wrong_format", "digest_mismatch", "bad_signature", "bad_timestamp",
    "bad_signing_time", "untrusted_chain", "expired", "not_yet_valid", "not_signing_key",
    "wrong_signer", "unsupported_algorithm", "unsupported_extension",
)
"""Every refusal's ``code``; the Odoo layer has one translated message per code."""

OID_SIGNING_EKU = "1.3.6.1.5.5.7.3.4"
OID_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
OID_INDIVIDUAL = "1.2.398.3.3.4.1.1"
OID_ORGANISATION = "1.2.398.3.3.4.1.2"

RSA_KEY = "1.2.840.113549.1.1.1"
GOST256_KEY = "1.2.398.3.10.1.1.2.1"
GOST512_KEY = "1.2.398.3.10.1.1.2.2"
GOST256_SIGNATURE = "1.2.398.3.10.1.1.2.3.1"
GOST512_SIGNATURE = "1.2.398.3.10.1.1.2.3.2"
STREEBOG256 = "1.2.398.3.10.1.3.2"
STREEBOG512 = "1.2.398.3.10.1.3.3"
SHA1 = "1.3.14.3.2.26"
SHA256 = "2.16.840.1.101.3.4.2.1"
SHA384 = "2.16.840.1.101.3.4.2.2"
SHA512 = "2.16.840.1.101.3.4.2.3"

_DIGESTS = {
    SHA256: lambda data: hashlib.sha256(data).digest(),
    SHA384: lambda data: hashlib.sha384(data).digest(),
    SHA512: lambda data: hashlib.sha512(data).digest(),
    STREEBOG256: lambda data: bytes(gosthash.new("streebog256", data=data).digest()),
    STREEBOG512: lambda data: bytes(gosthash.new("streebog512", data=data).digest()),
}
# SHA-1 only where a collision gains nothing: timestamp imprints and ESS v1 certificate hashes.
_WEAK_DIGESTS = dict(_DIGESTS, **{SHA1: lambda data: hashlib.sha1(data).digest()})

# signature algorithm OID -> (key type, digest OID or None when the digest comes from elsewhere)
_SIGNATURE_ALGORITHMS = {
    RSA_KEY: ("rsa", None),
    "1.2.840.113549.1.1.11": ("rsa", SHA256),
    "1.2.840.113549.1.1.12": ("rsa", SHA384),
    "1.2.840.113549.1.1.13": ("rsa", SHA512),
    GOST256_SIGNATURE: ("gost256", STREEBOG256),
    GOST512_SIGNATURE: ("gost512", STREEBOG512),
    GOST256_KEY: ("gost256", STREEBOG256),
    GOST512_KEY: ("gost512", STREEBOG512),
}
_KEY_TYPES = {RSA_KEY: "rsa", GOST256_KEY: "gost256", GOST512_KEY: "gost512"}
_GOST_CURVES = {  # NCA's parameter OIDs and the tc26 curves they name
    "1.2.398.3.10.1.1.2.1.1": ("gost256", "id-tc26-gost-3410-2012-256-paramSetA"),
    "1.2.398.3.10.1.1.2.2.1": ("gost512", "id-tc26-gost-3410-12-512-paramSetA"),
}
_ALGORITHM_NAMES = {
    ("rsa", SHA256): "RSA-SHA256", ("rsa", SHA384): "RSA-SHA384", ("rsa", SHA512): "RSA-SHA512",
    ("gost256", STREEBOG256): "GOST34.10-2015-256", ("gost512", STREEBOG512): "GOST34.10-2015-512",
}
_KNOWN_UNSUPPORTED = {
    "1.2.398.3.10.1.1.1.1": "GOST 34.310-2004",
    "1.2.398.3.10.1.1.1.2": "GOST 34.310-2004",
    "1.2.398.3.10.1.3.1": "GOST 34.311-95",
    "1.3.6.1.4.1.6801.1.2.2": "GOST 34.310-2004",
    "1.2.840.113549.1.1.5": "RSA-SHA1",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    SHA1: "SHA-1",
}
# Critical extensions this module evaluates (or that carry no constraint for it).
_UNDERSTOOD_CRITICAL = {
    "key_usage", "extended_key_usage", "basic_constraints", "certificate_policies",
    "subject_alt_name", "issuer_alt_name", "key_identifier", "authority_key_identifier",
    "crl_distribution_points", "freshest_crl", "authority_information_access",
}
_NAME_LABELS = {
    "common_name": "CN", "surname": "SURNAME", "serial_number": "SERIALNUMBER", "country_name": "C",
    "locality_name": "L", "state_or_province_name": "ST", "organization_name": "O",
    "organizational_unit_name": "OU", "given_name": "G", "email_address": "E",
    "street_address": "STREET", "title": "T", "business_category": "BC",
}


class SignatureRefused(Exception):
    """A signature this module will not accept; ``code`` is one of :data:`CODES`.

    ``message`` is English with ``%(name)s`` placeholders filled from ``params``; the Odoo layer
    shows its own translation of the code with the same params.
    """

    def __init__(self, code, message, **params):
        assert code in CODES, code
        self.code = code
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)


class UnsupportedSignature(SignatureRefused):
    """An algorithm or certificate feature this module does not verify: needs NCANode.

    ``code`` is ``unsupported_algorithm`` (``params['algorithm']`` names it) or
    ``unsupported_extension`` (``params['extension']``).
    """


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about its holder, as NCA issues them."""

    subject: str
    issuer: str
    serial: str  # hexadecimal, upper case, as NCA prints it
    not_before: datetime.datetime
    not_after: datetime.datetime
    iin: str  # from SERIALNUMBER=IIN…, or ""
    bin: str  # from OU=BIN… (an organisation's certificate), or ""
    common_name: str
    surname: str
    given_name: str  # NCA's G= attribute holds the patronymic
    organisation: str
    email: str
    owner_type: str  # "individual", "organisation" or ""
    policy_oids: tuple
    key_algorithm: str  # "rsa", "gost256", "gost512" or the OID
    is_ca: bool
    ocsp_urls: tuple
    crl_urls: tuple
    sha256: str  # fingerprint of the DER, hexadecimal
    der: bytes = field(repr=False)


@dataclass(frozen=True)
class SignerFacts:
    """The result of :func:`verify_cms`: who signed, when, with what."""

    certificate: CertificateFacts
    chain: tuple  # CertificateFacts from the signer's certificate up to the trusted one
    algorithm: str  # "RSA-SHA256", "GOST34.10-2015-256", "GOST34.10-2015-512"...
    signing_time: datetime.datetime
    signing_time_source: str  # "timestamp", "signed_attributes" or "verification"
    claimed_signing_time: datetime.datetime  # the signingTime attribute, or None
    timestamp_time: datetime.datetime  # genTime of the timestamp token, or None
    timestamp_authority: str  # the TSA certificate's subject, or ""
    timestamp_verified: bool  # False when there is no token or its algorithm needs NCANode
    data_sha256: str

    @property
    def iin(self):
        return self.certificate.iin

    @property
    def subject(self):
        return self.certificate.subject

    @property
    def issuer(self):
        return self.certificate.issuer

    @property
    def serial(self):
        return self.certificate.serial

    @property
    def not_before(self):
        return self.certificate.not_before

    @property
    def not_after(self):
        return self.certificate.not_after


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def verify_cms(signature, data, trusted, *, expected_iin=None, now=None, signed_after=None,
               max_size=MAX_CMS_SIZE):
    """Verify a detached CMS ``signature`` (DER, base64 or PEM) over ``data`` (bytes).

    ``trusted``: the certificates the caller trusts (NCA roots and intermediates), each DER or
    PEM bytes (a PEM may hold several). ``expected_iin``: the IIN the signer must have.
    ``now``: the verification time (default: the current UTC time); a CMS without any signing
    time is checked at it. ``signed_after``: the earliest acceptable signing time (the moment the
    signed bytes were frozen). Returns :class:`SignerFacts`; raises :class:`SignatureRefused`
    (or :class:`UnsupportedSignature`, to be sent to NCANode).
    """
    now = _utc(now or datetime.datetime.now(datetime.timezone.utc))
    signed_after = signed_after and _utc(signed_after)
    signed_data = _load_signed_data(decode_cms(signature, max_size=max_size))
    _require_detached(signed_data)
    anchors = _Anchors(_load_certs(trusted, "trusted certificate"))
    signer = _check_signer(signed_data, data, what="signature")
    timestamp = _check_timestamp(signer.info, anchors)
    claimed = signer.claimed_time
    if timestamp and timestamp.verified:
        signing_time, source = timestamp.time, "timestamp"
    elif claimed:
        signing_time, source = claimed, "signed_attributes"
    else:
        signing_time, source = now, "verification"
    _check_signing_time(signing_time, now, signed_after)
    chain = _build_chain(signer.certificate, signer.pool, anchors, signing_time)
    _check_signing_key(signer.certificate)
    facts = SignerFacts(
        certificate=chain[0].facts,
        chain=tuple(cert.facts for cert in chain),
        algorithm=signer.algorithm,
        signing_time=signing_time,
        signing_time_source=source,
        claimed_signing_time=claimed,
        timestamp_time=timestamp.time if timestamp else None,
        timestamp_authority=timestamp.authority if timestamp else "",
        timestamp_verified=bool(timestamp and timestamp.verified),
        data_sha256=hashlib.sha256(data).hexdigest(),
    )
    if expected_iin is not None and facts.iin != expected_iin:
        raise SignatureRefused(
            "wrong_signer", "The document was signed with the key of IIN %(iin)s, not %(expected_iin)s.",
            iin=facts.iin or "-", expected_iin=expected_iin)
    return facts


def signer_certificate(signature, *, max_size=MAX_CMS_SIZE):
    """:class:`CertificateFacts` of the signer's certificate inside a CMS, without verifying anything.

    For a CMS another verifier (NCANode) checks: the caller still reads who signed from the
    certificate itself. Raises ``wrong_format`` for anything but a SignedData with one signer
    whose certificate it carries.
    """
    signed_data = _load_signed_data(decode_cms(signature, max_size=max_size))
    with _parsing("signature"):
        infos = list(signed_data["signer_infos"])
        if len(infos) != 1:
            raise _wrong_format("signer_count", f"the signature has {len(infos)} signers, one is expected")
        pool = [_Cert.from_choice(choice, "signature") for choice in list(signed_data["certificates"] or [])]
        return _find_signer_certificate(infos[0]["sid"], pool, "signature").facts


def signed_by(issuer_der, signature_oid, message, signature):
    """Whether the key of the certificate ``issuer_der`` made ``signature`` over ``message`` with the
    algorithm ``signature_oid`` (RSA or NCA's GOST-2015, as for CMS): for OCSP answers and CRLs.
    Raises :class:`UnsupportedSignature` for an algorithm not verified here."""
    return _Cert.load(issuer_der, what="certificate").key.verify(signature_oid, None, message, signature)


def issued_by(cert_der, issuer_der):
    """Whether ``issuer_der``'s key signed the certificate ``cert_der``."""
    return _certificate_signed_by(bytes(cert_der), bytes(issuer_der))


def public_key_bits(cert_der):
    """The bits of a certificate's subjectPublicKey (what an OCSP CertID hashes)."""
    with _parsing("certificate"):
        spki = x509.Certificate.load(cert_der)["tbs_certificate"]["subject_public_key_info"].dump()
        return _SubjectPublicKeyInfo.load(spki)["public_key"].native


def decode_cms(signature, *, max_size=MAX_CMS_SIZE):
    """The DER bytes of a CMS given as DER, base64 (NCALayer's answer) or PEM."""
    if isinstance(signature, str):
        signature = signature.encode("ascii", "replace")
    if not isinstance(signature, (bytes, bytearray)) or not signature:
        raise _wrong_format("garbage", "no signature was given")
    if len(signature) > max_size * 2:  # base64 is 4/3 of DER; refuse before decoding
        raise _too_large(len(signature), max_size)
    der = bytes(signature)
    if pem.detect(der):
        der = (_pem_blocks(der) or [b""])[0]
    elif der[:1] != b"\x30":
        try:
            der = base64.b64decode(re.sub(rb"\s+", b"", der), validate=True)
        except (binascii.Error, ValueError):
            raise _wrong_format("garbage", "it is neither DER nor base64") from None
    if len(der) > max_size:
        raise _too_large(len(der), max_size)
    return der


def load_certificates(blobs):
    """:class:`CertificateFacts` of certificates given as DER or PEM bytes (a PEM may hold several).

    Raises ``wrong_format`` for anything else: the settings screen where an administrator
    uploads NCA's certificates shows these facts, and :func:`verify_cms` takes the same bytes.
    """
    return [cert.facts for cert in _load_certs(blobs, "certificate")]


def _load_certs(blobs, what):
    certs = []
    try:
        for blob in blobs:
            blob = blob.encode() if isinstance(blob, str) else bytes(blob)
            for der in (_pem_blocks(blob) if pem.detect(blob) else [blob]):
                certs.append(_Cert.load(der, what))
    except (SignatureRefused, TypeError) as exc:
        raise SignatureRefused("wrong_format", "This is not a certificate (DER or PEM): %(detail)s.",
                               reason="certificate", detail=getattr(exc, "params", {}).get("detail", str(exc))) from exc
    return certs


# ---------------------------------------------------------------------------------------------
# Format
# ---------------------------------------------------------------------------------------------

def _wrong_format(reason, detail):
    return SignatureRefused("wrong_format", "The signature is not a detached CMS: %(detail)s.",
                            reason=reason, detail=detail)


def _too_large(size, limit):
    return SignatureRefused("too_large", "The signature is %(size)s bytes; at most %(limit)s are accepted.",
                            size=size, limit=limit)


@contextlib.contextmanager
def _parsing(what):
    """Turn asn1crypto's errors on malformed input into ``wrong_format``."""
    try:
        yield
    except SignatureRefused:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise _wrong_format("garbage", f"the {what} is not well formed ({exc.__class__.__name__})") from exc


def _pem_blocks(blob):
    with _parsing("PEM text"):
        return [der for _type, _headers, der in pem.unarmor(blob, multiple=True)]


def _load_signed_data(der):
    with _parsing("signature"):
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise _wrong_format("not_signed_data", "it holds no SignedData")
        return info["content"]


def _require_detached(signed_data):
    with _parsing("signature"):
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "data":
            raise _wrong_format("content_type", "the signed content is not plain data")
        if not isinstance(encap["content"], core.Void):
            raise _wrong_format("attached", "the document is inside it (an attached CMS)")


# ---------------------------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------------------------

class _AlgorithmIdentifier(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class _SubjectPublicKeyInfo(core.Sequence):
    """SubjectPublicKeyInfo read without asn1crypto's key types (which lack NCA's GOST)."""

    _fields = [("algorithm", _AlgorithmIdentifier), ("public_key", core.OctetBitString)]


class _GostKeyParameters(core.Sequence):
    _fields = [("curve", core.ObjectIdentifier), ("digest", core.ObjectIdentifier, {"optional": True})]


class _Cert:
    """One parsed certificate with what the checks need; ``facts`` for the caller."""

    def __init__(self, asn1, der):
        self.asn1 = asn1
        self.der = der
        self.fingerprint = hashlib.sha256(der).hexdigest()
        tbs = asn1["tbs_certificate"]
        self.tbs_der = tbs.dump()
        self.subject = asn1.subject
        self.issuer = asn1.issuer
        self.signature_oid = asn1["signature_algorithm"]["algorithm"].dotted
        self.signature_value = asn1["signature_value"].native
        self.key = _PublicKey.from_spki(tbs["subject_public_key_info"].dump())
        self.not_before = asn1.not_valid_before
        self.not_after = asn1.not_valid_after
        self.critical = set(asn1.critical_extensions)
        basic = asn1.basic_constraints_value
        self.is_ca = bool(basic and basic["ca"].native)
        self.path_length = basic["path_len_constraint"].native if basic else None
        self.key_usage = set(asn1.key_usage_value.native) if asn1.key_usage_value else None
        eku = asn1.extended_key_usage_value
        self.ext_key_usage = {purpose.dotted for purpose in eku} if eku else set()
        self.facts = self._facts()

    @classmethod
    def load(cls, der, what):
        with _parsing(what):
            asn1 = x509.Certificate.load(der, strict=True)
            return cls(asn1, der)

    @classmethod
    def from_choice(cls, choice, what):
        if choice.name != "certificate":
            raise _wrong_format("certificate", f"the {what} holds a certificate of another kind")
        return cls.load(choice.chosen.dump(), what)

    def _facts(self):
        attributes = _name_attributes(self.subject)
        policies = self.ext_key_usage | {
            policy["policy_identifier"].dotted for policy in (self.asn1.certificate_policies_value or [])}
        nca_policies = tuple(sorted(oid for oid in policies if oid.startswith("1.2.398.3.3.4.1.")))
        if OID_INDIVIDUAL in nca_policies:
            owner_type = "individual"
        elif any(oid == OID_ORGANISATION or oid.startswith(OID_ORGANISATION + ".") for oid in nca_policies):
            owner_type = "organisation"
        else:
            owner_type = ""
        serial_number = attributes.get("serial_number", "")
        unit = attributes.get("organizational_unit_name", "")
        return CertificateFacts(
            subject=_format_name(self.subject),
            issuer=_format_name(self.issuer),
            serial=_serial_hex(self.asn1.serial_number),
            not_before=self.not_before,
            not_after=self.not_after,
            iin=serial_number[3:] if re.fullmatch(r"IIN\d{12}", serial_number) else "",
            bin=unit[3:] if re.fullmatch(r"BIN\d{12}", unit) else "",
            common_name=attributes.get("common_name", ""),
            surname=attributes.get("surname", ""),
            given_name=attributes.get("given_name", ""),
            organisation=attributes.get("organization_name", ""),
            email=attributes.get("email_address", ""),
            owner_type=owner_type,
            policy_oids=nca_policies,
            key_algorithm=self.key.kind,
            is_ca=self.is_ca,
            ocsp_urls=tuple(self.asn1.ocsp_urls),
            crl_urls=tuple(url for point in self.asn1.crl_distribution_points for url in _point_urls(point)),
            sha256=self.fingerprint,
            der=self.der,
        )

    def label(self):
        return self.facts.common_name or self.facts.subject


def _serial_hex(serial):
    """The serial number's bytes in hexadecimal, as NCA prints it (``0FF06211…``)."""
    return serial.to_bytes(max(1, (serial.bit_length() + 8) // 8), "big", signed=True).hex().upper()


def _point_urls(point):
    name = point["distribution_point"]
    if name.name != "full_name":
        return []
    return [general.native for general in name.chosen if general.name == "uniform_resource_identifier"]


def _name_attributes(name):
    attributes = {}
    for rdn in name.chosen:
        for attribute in rdn:
            key = attribute["type"].native
            attributes.setdefault(key, str(attribute["value"].native))
    return attributes


def _format_name(name):
    parts = []
    for rdn in name.chosen:
        for attribute in rdn:
            key = _NAME_LABELS.get(attribute["type"].native, attribute["type"].dotted)
            value = re.sub(r'([,+"\\<>;])', r"\\\1", str(attribute["value"].native))
            parts.append(f"{key}={value}")
    return ", ".join(parts)


class _Anchors:
    """The caller's trusted certificates, found by subject or by their exact bytes."""

    def __init__(self, certificates):
        self.certs = certificates
        self.fingerprints = {cert.fingerprint for cert in self.certs}

    def __contains__(self, cert):
        return cert.fingerprint in self.fingerprints


# ---------------------------------------------------------------------------------------------
# Keys and signatures
# ---------------------------------------------------------------------------------------------

class _PublicKey:
    """An RSA or NCA GOST-2015 public key, or an unsupported one (refused when used)."""

    def __init__(self, kind, algorithm_oid, material, curve=None):
        self.kind = kind
        self.algorithm_oid = algorithm_oid
        self.material = material  # cryptography RSA key, or the GOST point x‖y little-endian
        self.curve = curve

    @classmethod
    def from_spki(cls, spki_der):
        spki = _SubjectPublicKeyInfo.load(spki_der)
        oid = spki["algorithm"]["algorithm"].dotted
        kind = _KEY_TYPES.get(oid)
        if kind == "rsa":
            try:
                key = serialization.load_der_public_key(spki_der, backend=default_backend())
            except (ValueError, UnsupportedAlgorithm) as exc:
                raise ValueError("bad RSA key") from exc
            if not isinstance(key, rsa.RSAPublicKey):
                raise ValueError("not an RSA key")
            return cls(kind, oid, key)
        if kind in ("gost256", "gost512"):
            parameters = _GostKeyParameters.load(spki["algorithm"]["parameters"].dump())
            curve_kind, curve = _GOST_CURVES.get(parameters["curve"].dotted, (None, None))
            point = core.OctetString.load(spki["public_key"].native).native
            if curve_kind != kind:  # another curve: refused as unsupported when the key is used
                return cls(parameters["curve"].dotted, oid, point)
            return cls(kind, oid, point, curve)
        return cls(oid, oid, None)

    def algorithm(self, signature_oid, digest_oid=None):
        """(key type, digest OID) of a signature made with this key, or None if they don't match.

        Raises UnsupportedSignature when the algorithm or the key is not verified here.
        """
        kind, implied_digest = _SIGNATURE_ALGORITHMS.get(signature_oid, (None, None))
        if kind is None:
            raise _unsupported(signature_oid)
        if self.kind not in ("rsa", "gost256", "gost512"):
            raise _unsupported(self.kind)
        digest_oid = digest_oid or implied_digest
        if digest_oid not in _DIGESTS:
            raise _unsupported(digest_oid)
        if self.kind != kind or (implied_digest and digest_oid != implied_digest):
            return None  # e.g. a GOST signature claimed for an RSA key
        if kind == "rsa" and digest_oid not in _RSA_HASHES:
            raise _unsupported(digest_oid)
        if kind != "rsa" and digest_oid != {"gost256": STREEBOG256, "gost512": STREEBOG512}[kind]:
            return None
        return kind, digest_oid

    def verify(self, signature_oid, digest_oid, message, signature):
        """Whether ``signature`` over ``message`` verifies with this key."""
        algorithm = self.algorithm(signature_oid, digest_oid)
        if algorithm is None:
            return False
        kind, digest_oid = algorithm
        if kind == "rsa":
            return _rsa_verify(self.material, digest_oid, message, signature)
        return _gost_verify(kind, self.curve, self.material, _DIGESTS[digest_oid](message), signature)


def _unsupported(oid):
    return UnsupportedSignature(
        "unsupported_algorithm", "The algorithm %(algorithm)s is not verified locally; it needs NCANode.",
        algorithm=f"{_KNOWN_UNSUPPORTED[oid]} ({oid})" if oid in _KNOWN_UNSUPPORTED else oid)


_RSA_HASHES = {SHA256: hashes.SHA256, SHA384: hashes.SHA384, SHA512: hashes.SHA512}


def _rsa_verify(key, digest_oid, message, signature):
    try:
        key.verify(signature, message, padding.PKCS1v15(), _RSA_HASHES[digest_oid]())
    except InvalidSignature:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _gost_curve(kind, curve):
    mode = gostsignature.MODE_256 if kind == "gost256" else gostsignature.MODE_512
    return gostsignature.new(mode, gostsignature.CURVES_R_1323565_1_024_2019[curve])


def _gost_verify(kind, curve, point_le, digest, signature):
    """GOST 34.10-2015 verification in NCA's encoding (module docstring).

    gostcrypto takes big-endian ``x ‖ y`` and ``r ‖ s`` and reads the digest as a big-endian
    integer, so every half and the digest are reversed here. Cross-checked during development
    against NCA's GOST TEST 2022 intermediate certificate and a CMS that Kalkan made over
    ``test123`` (public test material, not kept in this repository): of the byte orders tried for
    the key, the signature and the digest, only this one verifies both.
    """
    size = 32 if kind == "gost256" else 64
    if len(point_le) != 2 * size or len(signature) != 2 * size or len(digest) != size:
        return False
    public_key = point_le[:size][::-1] + point_le[size:][::-1]
    r_s = signature[:size][::-1] + signature[size:][::-1]
    try:
        return bool(_gost_curve(kind, curve).verify(bytearray(public_key), bytearray(digest[::-1]), bytearray(r_s)))
    except (gostsignature.GOSTSignatureError, ZeroDivisionError, ValueError):
        return False


@functools.lru_cache(maxsize=512)
def _certificate_signed_by(cert_der, issuer_der):
    """Whether ``issuer``'s key signed ``cert`` (cached: NCA's chain is checked once per process)."""
    cert = _Cert.load(cert_der, what="certificate")
    issuer = _Cert.load(issuer_der, what="certificate")
    return issuer.key.verify(cert.signature_oid, None, cert.tbs_der, cert.signature_value)


# ---------------------------------------------------------------------------------------------
# Signer
# ---------------------------------------------------------------------------------------------

@dataclass
class _Signer:
    info: cms.SignerInfo
    certificate: _Cert
    pool: list  # every certificate the SignedData carries
    algorithm: str
    claimed_time: datetime.datetime  # the signingTime attribute, or None


def _check_signer(signed_data, content, what):
    """Checks 1-3 of the module docstring for the only signer of ``signed_data`` over ``content``."""
    with _parsing(what):
        infos = list(signed_data["signer_infos"])
        if len(infos) != 1:
            raise _wrong_format("signer_count", f"the {what} has {len(infos)} signers, one is expected")
        info = infos[0]
        choices = list(signed_data["certificates"] or [])
        if len(choices) > MAX_CERTIFICATES:
            raise _wrong_format("certificate_count", f"the {what} carries {len(choices)} certificates")
        pool = [_Cert.from_choice(choice, what) for choice in choices]
        certificate = _find_signer_certificate(info["sid"], pool, what)
        if isinstance(info["signed_attrs"], core.Void):
            raise _wrong_format("no_signed_attributes", f"the {what} has no signed attributes")
        digest_oid = info["digest_algorithm"]["algorithm"].dotted
        signature_oid = info["signature_algorithm"]["algorithm"].dotted
        content_type = _native_attribute(info, "content_type")
        if content_type != signed_data["encap_content_info"]["content_type"].native:
            raise _wrong_format("content_type", f"the {what}'s content type attribute does not match")
        message_digest = _native_attribute(info, "message_digest")
        if message_digest is None:
            raise _wrong_format("no_signed_attributes", f"the {what} has no message digest attribute")
        # DER of the SET OF attributes, as signed: the [0] IMPLICIT tag becomes SET's
        signed_attributes = b"\x31" + info["signed_attrs"].dump()[1:]
        signature = info["signature"].native
        ess = [_attribute(info, name) for name in ("signing_certificate_v2", "signing_certificate")]
        claimed_time = _native_attribute(info, "signing_time")
    algorithm = certificate.key.algorithm(signature_oid, digest_oid)  # unsupported ones go to NCANode
    if _DIGESTS[digest_oid](content) != message_digest:
        raise SignatureRefused("digest_mismatch", "The document's bytes are not the ones that were signed.")
    if algorithm is None or not certificate.key.verify(signature_oid, digest_oid, signed_attributes, signature):
        raise SignatureRefused("bad_signature", "The signature does not verify with the signer's certificate.")
    _check_ess_certificate(ess, certificate)
    return _Signer(info, certificate, pool, _ALGORITHM_NAMES[algorithm], claimed_time and _utc(claimed_time))


def _find_signer_certificate(sid, pool, what):
    if sid.name == "issuer_and_serial_number":
        issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
        found = [cert for cert in pool if cert.issuer == issuer and cert.asn1.serial_number == serial]
    else:
        key_id = sid.chosen.native
        found = [cert for cert in pool if cert.asn1.key_identifier == key_id]
    if not found:
        raise _wrong_format("no_signer_certificate", f"the {what} does not include the signer's certificate")
    return found[0]


def _attribute(info, name, unsigned=False):
    """The value of the signer's (signed or unsigned) attribute ``name``, or None."""
    attributes = info["unsigned_attrs" if unsigned else "signed_attrs"]
    if isinstance(attributes, core.Void):
        return None
    for attribute in attributes:
        if attribute["type"].native == name:
            values = attribute["values"]
            if len(values) != 1:
                raise _wrong_format("attributes", f"the attribute {name} has {len(values)} values")
            return values[0]
    return None


def _native_attribute(info, name):
    value = _attribute(info, name)
    return None if value is None else value.native


def _check_ess_certificate(ess, certificate):
    """An ESS signing-certificate attribute (CAdES), when present, must name the signer's certificate."""
    for attribute, default_digest in zip(ess, (SHA256, SHA1)):
        if attribute is None:
            continue
        with _parsing("signing certificate attribute"):
            first = attribute["certs"][0]
            digest_oid = first["hash_algorithm"]["algorithm"].dotted if "hash_algorithm" in first else default_digest
            expected = first["cert_hash"].native
        if digest_oid not in _WEAK_DIGESTS:
            raise _unsupported(digest_oid)
        if _WEAK_DIGESTS[digest_oid](certificate.der) != expected:
            raise SignatureRefused("bad_signature", "The signature names another certificate than the signer's.")


# ---------------------------------------------------------------------------------------------
# Signing time and timestamp
# ---------------------------------------------------------------------------------------------

@dataclass
class _Timestamp:
    time: datetime.datetime
    authority: str
    verified: bool


def _check_timestamp(info, anchors):
    """The signature's timestamp token (None when it has none), verified when it can be.

    A token over another signature, or whose TSA signature or chain fails, is refused. A token
    in an algorithm not verified here (an older GOST TSA) is reported unverified, and the
    signing time falls back to the signed attribute, as for a CMS without a token.
    """
    with _parsing("timestamp token"):
        token = _attribute(info, "signature_time_stamp_token", unsigned=True)
        if token is None:
            return None
        if token["content_type"].native != "signed_data":
            raise _bad_timestamp("it holds no SignedData")
        signed_data = token["content"]
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "tst_info" or isinstance(encap["content"], core.Void):
            raise _bad_timestamp("it holds no TSTInfo")
        tst_der = encap["content"].__bytes__()
        tst_info = tsp.TSTInfo.load(tst_der, strict=True)
        imprint = tst_info["message_imprint"]
        imprint_oid = imprint["hash_algorithm"]["algorithm"].dotted
        hashed = imprint["hashed_message"].native
        gen_time = _utc(tst_info["gen_time"].native)
        signature_value = info["signature"].native
    if imprint_oid not in _WEAK_DIGESTS:
        return _Timestamp(gen_time, "", verified=False)
    if _WEAK_DIGESTS[imprint_oid](signature_value) != hashed:
        raise _bad_timestamp("it stamps another signature")
    try:
        signer = _check_signer(signed_data, tst_der, what="timestamp token")
        chain = _build_chain(signer.certificate, signer.pool, anchors, gen_time)
    except UnsupportedSignature:
        return _Timestamp(gen_time, "", verified=False)
    except SignatureRefused as refusal:
        raise _bad_timestamp(refusal.message.rstrip(".")) from refusal
    if OID_TIME_STAMPING not in chain[0].ext_key_usage:
        raise _bad_timestamp("its certificate is not a timestamping key")
    return _Timestamp(gen_time, chain[0].facts.subject, verified=True)


def _utc(moment):
    """An aware UTC datetime (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _bad_timestamp(reason):
    return SignatureRefused("bad_timestamp", "The signature's timestamp is not valid: %(reason)s.", reason=reason)


def _check_signing_time(signing_time, now, signed_after):
    if signing_time > now + CLOCK_SKEW or (signed_after and signing_time < signed_after - CLOCK_SKEW):
        raise SignatureRefused("bad_signing_time", "The signing time %(at)s is not plausible.",
                               at=signing_time.isoformat())


# ---------------------------------------------------------------------------------------------
# Chain
# ---------------------------------------------------------------------------------------------

def _untrusted(cert, reason):
    return SignatureRefused("untrusted_chain", "The certificate %(subject)s is not trusted: %(reason)s.",
                            subject=cert.label(), reason=reason)


def _build_chain(leaf, pool, anchors, at):
    """Check 5 of the module docstring; the chain from ``leaf`` to a trusted certificate."""
    chain = [leaf]
    trusted = leaf in anchors
    while True:
        current = chain[-1]
        if current.subject == current.issuer:  # a root: the chain ends here
            if not trusted:
                raise _untrusted(current, "its chain ends at a root certificate that is not trusted")
            break
        candidates = [cert for cert in anchors.certs if cert.subject == current.issuer]
        if not trusted:
            candidates += [cert for cert in pool if cert.subject == current.issuer and cert not in anchors]
        candidates = [cert for cert in candidates if cert.fingerprint not in {c.fingerprint for c in chain}]
        if not candidates:
            if trusted:  # a trusted intermediate whose root was not given
                break
            raise _untrusted(current, "its issuer is not among the trusted certificates")
        issuer = next((cert for cert in candidates[:MAX_ISSUER_CANDIDATES]
                       if _certificate_signed_by(current.der, cert.der)), None)
        if issuer is None:
            raise _untrusted(current, "its signature does not verify with its issuer's key")
        chain.append(issuer)
        trusted = trusted or issuer in anchors
        if len(chain) > MAX_CHAIN_LENGTH:
            raise _untrusted(leaf, "its chain is too long")
    for position, cert in enumerate(chain):
        _check_certificate(cert, position, at)
    return chain


def _check_certificate(cert, position, at):
    unknown = sorted(cert.critical - _UNDERSTOOD_CRITICAL)
    if unknown:
        raise UnsupportedSignature(
            "unsupported_extension", "The certificate has a critical extension %(extension)s that is not "
            "checked locally; it needs NCANode.", extension=unknown[0])
    if at < cert.not_before:
        raise SignatureRefused(
            "not_yet_valid", "The certificate %(subject)s is valid only from %(not_before)s (signed at %(at)s).",
            subject=cert.label(), not_before=cert.not_before.isoformat(), at=at.isoformat())
    if at > cert.not_after:
        raise SignatureRefused(
            "expired", "The certificate %(subject)s expired on %(not_after)s (signed at %(at)s).",
            subject=cert.label(), not_after=cert.not_after.isoformat(), at=at.isoformat())
    if position == 0:
        return
    if not cert.is_ca:
        raise _untrusted(cert, "it is not a certification authority's certificate")
    if cert.key_usage is not None and "key_cert_sign" not in cert.key_usage:
        raise _untrusted(cert, "its key may not sign certificates")
    if cert.path_length is not None and position - 1 > cert.path_length:
        raise _untrusted(cert, "its path length constraint is exceeded")


def _check_signing_key(cert):
    """Check 6: NCA's signing keys have EKU emailProtection and key usage nonRepudiation."""
    if OID_SIGNING_EKU not in cert.ext_key_usage or "non_repudiation" not in (cert.key_usage or ()):
        raise SignatureRefused(
            "not_signing_key", "The certificate %(subject)s is not a signing key (it is probably the "
            "authentication key).", subject=cert.label())
