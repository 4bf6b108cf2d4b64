"""Revocation of a signer's certificate, by OCSP or by the CRL (issue 13).

Used only when the company turns it on (the deployment's network must reach NCA's OCSP
responder or its CRL distribution points); otherwise a signature records "revocation not
checked". Both answers are signed by NCA: an OCSP answer by the issuing CA or by a responder
certificate that CA issued for OCSP signing, a CRL by the issuing CA. Their signatures are
checked with lib/cms.py (RSA, GOST 34.10-2015), so a forged "good" is refused. Like lib/cms.py
it imports nothing from Odoo.
"""

import datetime
import hashlib
import os
from dataclasses import dataclass

import requests
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp, x509

from . import cms

STATUSES = [("not_checked", "Revocation not checked"), ("good_ocsp", "Not revoked (OCSP)"),
            ("good_crl", "Not revoked (CRL)")]
OID_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9"
TIMEOUT = 30
MAX_OCSP_SIZE = 64 * 1024
MAX_CRL_SIZE = 128 * 1024 * 1024  # NCA's full CRLs are tens of MiB
CLOCK_SKEW = datetime.timedelta(minutes=5)


class RevocationError(Exception):
    """The revocation could not be established (no answer, a bad or stale answer)."""


@dataclass(frozen=True)
class RevocationStatus:
    status: str  # "good_ocsp" or "good_crl" (not revoked), or "revoked"
    source: str  # the responder's or the CRL's address
    revoked_at: datetime.datetime = None

    @property
    def revoked(self):
        return self.status == "revoked"


def _now(now):
    return now or datetime.datetime.now(datetime.timezone.utc)


def _http(method, url, *, body=None, limit):
    try:
        with requests.request(method, url, data=body, timeout=TIMEOUT, stream=True,
                              headers={"Content-Type": "application/ocsp-request"} if body else {}) as response:
            if response.status_code != 200:
                raise RevocationError(f"{url} answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise RevocationError(f"{url} answered more than {limit} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.RequestException as error:
        raise RevocationError(f"{url} could not be reached ({error.__class__.__name__})") from error


# ---------------------------------------------------------------------------------------------
# OCSP (RFC 6960)
# ---------------------------------------------------------------------------------------------

def check_ocsp(cert_der, issuer_der, *, url=None, now=None):
    """Ask the OCSP responder (``url``, or the one the certificate names) about ``cert_der``."""
    cert = x509.Certificate.load(cert_der)
    url = url or next(iter(cert.ocsp_urls), None)
    if not url:
        raise RevocationError("the certificate names no OCSP responder")
    nonce = os.urandom(16)
    cert_id = {"hash_algorithm": {"algorithm": "sha1"},
               "issuer_name_hash": hashlib.sha1(cert.issuer.dump()).digest(),
               "issuer_key_hash": hashlib.sha1(cms.public_key_bits(issuer_der)).digest(),
               "serial_number": cert.serial_number}
    request = ocsp.OCSPRequest({"tbs_request": {
        "request_list": [{"req_cert": cert_id}],
        "request_extensions": [{"extn_id": "nonce", "critical": False, "extn_value": nonce}],
    }})
    answer = _http("POST", url, body=request.dump(), limit=MAX_OCSP_SIZE)
    return read_ocsp_response(answer, cert, issuer_der, nonce=nonce, url=url, now=now)


def read_ocsp_response(answer, cert, issuer_der, *, nonce=None, url="", now=None):
    """The status an OCSP answer gives ``cert`` (asn1crypto Certificate), once its signature, its
    responder, its freshness and its nonce are checked."""
    now = _now(now)
    try:
        response = ocsp.OCSPResponse.load(answer)
        status = response["response_status"].native
        if status != "successful":
            raise RevocationError(f"the responder answered '{status}'")
        basic = response["response_bytes"]["response"].parsed
        data = basic["tbs_response_data"]
        message = data.dump()
        signature_oid = basic["signature_algorithm"]["algorithm"].dotted
        signature = basic["signature"].native
        responders = [certificate.dump() for certificate in (basic["certs"] or [])]
        singles = [single for single in data["responses"]
                   if single["cert_id"]["serial_number"].native == cert.serial_number]
        extensions = {extension["extn_id"].native: extension["extn_value"].native
                      for extension in (data["response_extensions"] or [])}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RevocationError(f"the OCSP answer is not well formed ({error.__class__.__name__})") from error
    if not _ocsp_signed(issuer_der, responders, signature_oid, message, signature):
        raise RevocationError("the OCSP answer is not signed by the certificate's issuer")
    if nonce is not None and "nonce" in extensions and extensions["nonce"] != nonce:
        raise RevocationError("the OCSP answer is for another request (nonce)")
    if not singles:
        raise RevocationError("the OCSP answer does not name the certificate")
    single = singles[0]
    this_update, next_update = single["this_update"].native, single["next_update"].native
    if this_update > now + CLOCK_SKEW or (next_update and next_update < now - CLOCK_SKEW):
        raise RevocationError("the OCSP answer is not current")
    cert_status = single["cert_status"]
    if cert_status.name == "good":
        return RevocationStatus("good_ocsp", url)
    if cert_status.name == "revoked":
        return RevocationStatus("revoked", url, cert_status.chosen["revocation_time"].native)
    raise RevocationError("the responder does not know the certificate")


def _ocsp_signed(issuer_der, responders, signature_oid, message, signature):
    """Signed by the issuer itself, or by a responder certificate it issued for OCSP signing."""
    signers = [issuer_der]
    for responder in responders:
        eku = x509.Certificate.load(responder).extended_key_usage_value
        if eku and OID_OCSP_SIGNING in [purpose.dotted for purpose in eku] and cms.issued_by(responder, issuer_der):
            signers.append(responder)
    try:
        return any(cms.signed_by(signer, signature_oid, message, signature) for signer in signers)
    except cms.SignatureRefused as refusal:
        raise RevocationError(refusal.message) from refusal


# ---------------------------------------------------------------------------------------------
# CRL (RFC 5280)
# ---------------------------------------------------------------------------------------------

def check_crl(cert_der, issuer_der, *, now=None):
    """Look ``cert_der`` up in the CRL its certificate names (the first that answers)."""
    cert = x509.Certificate.load(cert_der)
    urls = [url for point in cert.crl_distribution_points for url in _urls(point) if url.startswith("http")]
    if not urls:
        raise RevocationError("the certificate names no CRL")
    errors = []
    for url in urls:
        try:
            return read_crl(_http("GET", url, limit=MAX_CRL_SIZE), cert, issuer_der, url=url, now=now)
        except RevocationError as error:
            errors.append(str(error))
    raise RevocationError("; ".join(errors))


def read_crl(answer, cert, issuer_der, *, url="", now=None):
    """The status a CRL gives ``cert``, once its signature, issuer and freshness are checked."""
    now = _now(now)
    try:
        certificate_list = asn1_crl.CertificateList.load(answer)
        tbs = certificate_list["tbs_cert_list"]
        message = tbs.dump()
        signature_oid = certificate_list["signature_algorithm"]["algorithm"].dotted
        signature = certificate_list["signature"].native
        issuer_name = tbs["issuer"]
        this_update, next_update = tbs["this_update"].native, tbs["next_update"].native
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RevocationError(f"the CRL at {url} is not well formed ({error.__class__.__name__})") from error
    if issuer_name != cert.issuer:
        raise RevocationError(f"the CRL at {url} is another authority's")
    try:
        signed = cms.signed_by(issuer_der, signature_oid, message, signature)
    except cms.SignatureRefused as refusal:
        raise RevocationError(refusal.message) from refusal
    if not signed:
        raise RevocationError(f"the CRL at {url} is not signed by the certificate's issuer")
    if this_update > now + CLOCK_SKEW or (next_update and next_update < now - CLOCK_SKEW):
        raise RevocationError(f"the CRL at {url} is out of date")
    for revoked in tbs["revoked_certificates"] or []:
        if revoked["user_certificate"].native == cert.serial_number:
            return RevocationStatus("revoked", url, revoked["revocation_date"].native)
    return RevocationStatus("good_crl", url)


def _urls(point):
    name = point["distribution_point"]
    if name.name != "full_name":
        return []
    return [general.native for general in name.chosen if general.name == "uniform_resource_identifier"]
