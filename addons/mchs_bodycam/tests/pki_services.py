"""TEST-ONLY stand-ins for NCA's network services and NCANode (issue 13), as real HTTP servers.

One server on 127.0.0.1 answers:

* ``POST /ocsp``: an OCSP responder for the test PKI's RSA CA (RFC 6960), whose answer for
  each serial number is chosen by the test (``ocsp_status``: ``good``, ``revoked``,
  ``unknown``; ``ocsp_signer`` signs it, the CA by default);
* ``GET /crl``: the CA's CRL, listing ``revoked_serials`` (``crl_signer`` signs it);
* ``POST /cms/verify``: like NCANode 3 (``{"cms", "data", "revocationCheck"}`` in, ``{"status",
  "message", "valid", "signers": [{"certificates": [...], "tsp"}]}`` out). It stands in for
  the algorithms lib/cms.py does not verify (GOST 34.310-2004): it checks the message digest
  of the signed attributes (SHA-256, as ``signature_pki.ForeignKey`` writes it) and reports the
  signer's certificate as NCANode does.

``requests`` keeps every request (path, body) for the test to inspect.
"""

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms, ocsp

from . import signature_pki


class PkiServices:
    def __init__(self, ca):
        self.ca = ca
        self.ocsp_status = {}  # serial -> "good" | "revoked" | "unknown" (default good)
        self.ocsp_signer = ca
        self.ocsp_delegated = False
        self.revoked_serials = set()
        self.crl_signer = ca
        self.ncanode_revocations = []
        self.requests = []
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                services.requests.append((self.path, b""))
                if self.path == "/crl":
                    self._answer(200, signature_pki.crl(services.ca, services.revoked_serials,
                                                        signer=services.crl_signer), "application/pkix-crl")
                else:
                    self._answer(404, b"", "text/plain")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                services.requests.append((self.path, body))
                if self.path == "/ocsp":
                    self._answer(200, services._ocsp(body), "application/ocsp-response")
                elif self.path == "/cms/verify":
                    self._answer(200, json.dumps(services._ncanode(json.loads(body))).encode(), "application/json")
                else:
                    self._answer(404, b"", "text/plain")

            def _answer(self, status, body, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="pki-services", daemon=True)

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    # -- OCSP ---------------------------------------------------------------------------------

    def _ocsp(self, body):
        request = ocsp.OCSPRequest.load(body)["tbs_request"]
        cert_id = request["request_list"][0]["req_cert"]
        nonce = None
        for extension in request["request_extensions"] or []:
            if extension["extn_id"].native == "nonce":
                nonce = extension["extn_value"].native
        status = self.ocsp_status.get(cert_id["serial_number"].native, "good")
        return signature_pki.ocsp_response(self.ocsp_signer, cert_id, status=status, nonce=nonce,
                                           delegated=self.ocsp_delegated)

    # -- NCANode ---------------------------------------------------------------------------

    def _ncanode(self, request):
        der = base64.b64decode(request["cms"])
        data = base64.b64decode(request.get("data") or "")
        signed_data = cms.ContentInfo.load(der)["content"]
        info = signed_data["signer_infos"][0]
        digest = next(attribute["values"][0].native for attribute in info["signed_attrs"]
                      if attribute["type"].native == "message_digest")
        serial = info["sid"].chosen["serial_number"].native
        certificate = next(choice.chosen for choice in signed_data["certificates"]
                           if choice.chosen.serial_number == serial)
        valid = hashlib.sha256(data).digest() == digest
        return {"status": 200, "message": "OK", "valid": valid,
                "signers": [{"certificates": [self._certificate_info(certificate, request)]}]}

    def _certificate_info(self, certificate, request):
        eku = [purpose.dotted for purpose in (certificate.extended_key_usage_value or [])]
        subject = certificate.subject.native
        serial_number = subject.get("serial_number", "")
        return {
            "valid": True,
            "revocations": [dict(check) for check in self.ncanode_revocations
                            if check["by"] in (request.get("revocationCheck") or [])],
            "notBefore": certificate.not_valid_before.isoformat(),
            "notAfter": certificate.not_valid_after.isoformat(),
            "keyUsage": "SIGN" if signature_pki.OID_EMAIL_PROTECTION in eku else "AUTH",
            "serialNumber": format(certificate.serial_number, "x"),
            "signAlg": "ECGOST34310",
            "subject": {"commonName": subject.get("common_name", ""),
                        "iin": serial_number[3:] if serial_number.startswith("IIN") else None,
                        "dn": certificate.subject.human_friendly},
            "issuer": {"commonName": certificate.issuer.native.get("common_name", "")},
        }
