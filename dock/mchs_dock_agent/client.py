"""The dock API of mchs_bodycam, resumable upload (``/mchs_bodycam/dock/v2/uploads``), over
http.client: one connection per request, as the server closes each one."""
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

UPLOADS = "/mchs_bodycam/dock/v2/uploads"


class Unreachable(Exception):
    """The server did not answer: down, unreachable, or the connection broke."""


class Refused(Exception):
    """The server answered with an error: ``status``, its stable ``code`` and ``message``, and
    the whole JSON ``answer`` (an offset to resume from, for example)."""

    def __init__(self, status, answer):
        self.status = status
        self.answer = answer
        self.code = answer.get("error", f"http_{status}")
        super().__init__(f"{status} {self.code}: {answer.get('message', '')}")

    @property
    def transient(self):
        """Worth trying again later without any change on the dock's side: the server is busy,
        full, or failed; a wrong token is fixed on the server, so it is tried again too."""
        return self.status >= 500 or self.status == 401 or self.code in ("busy", "offset_mismatch", "incomplete")


class DockClient:
    def __init__(self, server_url, token, timeout=120, ca_file=None, max_rate=0, accept_language=None):
        parts = urlsplit(server_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not a server URL: {server_url!r}")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.prefix = parts.path
        self.token = token
        self.timeout = timeout
        self.max_rate = max_rate
        self.accept_language = accept_language
        self.context = ssl.create_default_context(cafile=ca_file) if parts.scheme == "https" else None

    # ------------------------------------------------------------------ the protocol

    def open(self, camera, card, start, end, size, sha256, filename):
        """Open (or find) the upload of a file: its state, id, chunk size and the offset held;
        or state 'done' when the server already holds the file verified."""
        body = json.dumps({"camera": camera, "card": card, "start": start, "end": end, "size": size,
                           "sha256": sha256, "filename": filename}).encode()
        return self.request("POST", UPLOADS, body, "application/json")[1]

    def status(self, upload_id):
        return self.request("GET", f"{UPLOADS}/{upload_id}")[1]

    def put(self, upload_id, offset, chunk):
        return self.request("PUT", f"{UPLOADS}/{upload_id}?offset={offset}", chunk, "application/octet-stream")[1]

    def finish(self, upload_id):
        """(status, answer): 200/201 with the recording, or 202 while the server checks."""
        return self.request("POST", f"{UPLOADS}/{upload_id}/finish", b"")

    def abort(self, upload_id):
        return self.request("DELETE", f"{UPLOADS}/{upload_id}")[1]

    # ------------------------------------------------------------------ HTTP

    def request(self, method, path, body=None, content_type=None):
        """(status, JSON answer); raises Refused for an error answer, Unreachable when there is
        none."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.accept_language:
            headers["Accept-Language"] = self.accept_language
        if body is not None:
            headers["Content-Length"] = str(len(body))
        connection = self._connection()
        try:
            connection.putrequest(method, self.prefix + path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            if body:
                self._send(connection, body)
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Unreachable(f"{method} {path}: {error}") from error
        finally:
            connection.close()
        try:
            answer = json.loads(raw)
        except ValueError:
            raise Unreachable(f"{method} {path}: HTTP {status} without a JSON answer") from None
        if status >= 400:
            raise Refused(status, answer)
        return status, answer

    def _connection(self):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _send(self, connection, body, piece=64 << 10):
        """Send ``body``, no faster than max_rate bytes a second when it is set."""
        view = memoryview(body)
        started = time.monotonic()
        for offset in range(0, len(view), piece):
            connection.send(view[offset:offset + piece])
            if self.max_rate:
                ahead = (offset + piece) / self.max_rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
