"""TEST-ONLY stand-in for NCALayer (issue 13): a WebSocket server that answers like it.

NCALayer is the desktop program through which a browser page signs with an NCA key: the page
opens ``wss://127.0.0.1:13579``, NCALayer first sends ``{"result": {"version": "1.4"}}``, then
answers each request. This stand-in speaks the same protocol on plain ``ws://`` on the loopback
(the page's NCALayer URL is configurable), signing with a key of the test PKI
(tests/signature_pki.py), so the browser tours sign end to end without NCALayer:

* ``kz.gov.pki.knca.basics`` / ``sign`` with ``args`` ``{allowedStorages, format: "cms", data,
  signingParams: {decode, encapsulate, digested, tsaProfile}, signerParams: {extKeyUsageOids,
  chain}, locale}`` answers ``{"status": true, "body": {"result": [<base64 CMS>, …]}}`` (one
  CMS per data item), ``{"status": true, "body": {}}`` when the user cancels, and
  ``{"status": false, "code", "message"}`` on an error;
* the legacy ``kz.gov.pki.knca.commonUtils`` / ``createCAdESFromBase64`` with ``args``
  ``[storage, "SIGNATURE", <base64>, attached]`` answers ``{"code": "200", "responseObject":
  <base64 CMS>}``, and ``{"code": "500", "message": "action.canceled"}`` when cancelled.

``answer`` chooses what the next requests get: ``"sign"`` (default), ``"cancel"`` or
``"error"``; ``requests`` keeps every request received, for the test to inspect. A
``tsaProfile`` in the request adds a timestamp token from ``tsa`` when one is given.

    with NcaLayerStandIn(pki.user, tsa=pki.tsa) as ncalayer:
        ...  # point the page at ncalayer.url
"""

import base64
import binascii
import json
import logging
import threading

from websockets.sync.server import serve

from . import signature_pki

# websockets logs every connection at INFO; the stand-in says only what goes wrong
_logger = logging.getLogger(__name__)
_logger.setLevel(logging.WARNING)

BASICS = "kz.gov.pki.knca.basics"
COMMON_UTILS = "kz.gov.pki.knca.commonUtils"


class NcaLayerStandIn:
    """A WebSocket server on 127.0.0.1 answering like NCALayer 1.4, signing with ``holder``."""

    def __init__(self, holder, *, tsa=None, host="127.0.0.1", port=0, version="1.4"):
        self.holder = holder
        self.tsa = tsa
        self.version = version
        self.answer = "sign"
        self.error_code = "EKU_NOT_FOUND"
        self.error_message = "No key with the requested extended key usage"
        self.requests = []
        self._lock = threading.Lock()
        self._server = serve(self._serve, host, port, compression=None, logger=_logger)
        self._thread = threading.Thread(target=self._server.serve_forever, name="ncalayer-standin", daemon=True)

    @property
    def url(self):
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- protocol ---------------------------------------------------------------------------------

    def _serve(self, connection):
        connection.send(json.dumps({"result": {"version": self.version}}))
        for message in connection:
            try:
                request = json.loads(message)
            except ValueError:
                request = {"unparsable": message}
            with self._lock:
                self.requests.append(request)
                answer = self.answer
            connection.send(json.dumps(self._answer(request, answer)))

    def _answer(self, request, answer):
        module, method = request.get("module"), request.get("method")
        if (module, method) == (BASICS, "sign"):
            return self._basics_sign(request.get("args") or {}, answer)
        if (module, method) == (COMMON_UTILS, "createCAdESFromBase64"):
            return self._create_cades(request.get("args") or [], answer)
        if module == COMMON_UTILS:
            return {"code": "500", "message": f"Unknown method {method}"}
        return {"status": False, "code": "MODULE_NOT_FOUND", "message": f"Unknown module {module}"}

    def _basics_sign(self, args, answer):
        if answer == "cancel":
            return {"status": True, "body": {}}
        if answer == "error":
            return {"status": False, "code": self.error_code, "message": self.error_message}
        params = args.get("signingParams") or {}
        if args.get("format") != "cms" or params.get("digested"):
            return {"status": False, "code": "UNSUPPORTED", "message": "Only CMS over the data itself is signed here"}
        items = args.get("data")
        items = items if isinstance(items, list) else [items]
        try:
            contents = [base64.b64decode(item, validate=True) if params.get("decode") else str(item).encode()
                        for item in items]
        except (binascii.Error, ValueError, TypeError):
            return {"status": False, "code": "BAD_DATA", "message": "data is not base64"}
        timestamp = params.get("tsaProfile") is not None
        result = [self._sign(content, attached=bool(params.get("encapsulate")), timestamp=timestamp)
                  for content in contents]
        return {"status": True, "body": {"result": result}}

    def _create_cades(self, args, answer):
        if answer == "cancel":
            return {"code": "500", "message": "action.canceled"}
        if answer == "error" or len(args) != 4 or args[1] != "SIGNATURE":
            return {"code": "500", "message": self.error_message}
        try:
            content = base64.b64decode(args[2], validate=True)
        except (binascii.Error, ValueError, TypeError):
            return {"code": "500", "message": "data is not base64"}
        return {"code": "200", "responseObject": self._sign(content, attached=bool(args[3]), timestamp=False)}

    def _sign(self, content, *, attached, timestamp):
        stamp = signature_pki.timestamp_authority(self.tsa) if timestamp and self.tsa else None
        der = signature_pki.build_cms(self.holder, content, attached=attached, timestamp=stamp)
        return base64.b64encode(der).decode()
