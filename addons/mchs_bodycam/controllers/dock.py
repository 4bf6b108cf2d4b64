"""The dock API (items 10, 11): docks upload recordings while the bodycams charge.

Every answer is JSON with a status code and, for a refusal, a stable ``error`` code and a
``message`` in the unit's language (see the README for the protocol). The database steps run in
short committed transactions of their own (lib/transaction.py), so that a concurrency failure
never makes Odoo replay a request whose body was already stored.
"""
import contextlib
import json
import logging
import re

from werkzeug.exceptions import ClientDisconnected

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.mchs_bodycam_recording import IngestError

_logger = logging.getLogger(__name__)

ONE_SHOT = "/mchs_bodycam/dock/v1/recordings"
UPLOADS = "/mchs_bodycam/dock/v2/uploads"
# The one-shot upload is for small files: Odoo 18 offers no supported stream of a request body,
# so its body is read into memory; larger files go through the resumable upload.
ONE_SHOT_MAX_BYTES = 64 << 20
JSON_MAX_BYTES = 16 << 10
# a body at most this much above a route's limit is read and dropped before the refusal
DRAIN_MAX_BYTES = 16 << 20
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
OFFSET_RE = re.compile(r"^[0-9]{1,15}$")
# every method reaches the route, so that a wrong one is answered in JSON too
ROUTE = {"type": "http", "auth": "none", "csrf": False, "save_session": False, "readonly": False}


def _form_limit(limit):
    """A route's max_content_length. Werkzeug applies it to every body with a content type,
    and reads a body above it to the end before refusing: so it is set only for forms, which it
    parses (and the dock API refuses); other bodies are measured by the route before it reads
    them (_read_body)."""
    return lambda _controller: limit if request.httprequest.mimetype in FORM_TYPES else None



class MchsBodycamDock(http.Controller):
    @http.route(ONE_SHOT, **ROUTE, max_content_length=_form_limit(ONE_SHOT_MAX_BYTES))
    def upload_recording(self, camera=None, card=None, start=None, end=None, sha256=None, filename=None, **_kw):
        """One-shot upload of a small file: ``Authorization: Bearer <dock token>``; query:
        camera and card inventory numbers, start and end as the device saw them (UTC, or ISO
        8601 with Z or an offset), optional sha256 computed by the device and file name; body:
        the file. Answers the recording's id and SHA-256 (201, or 200 when already stored)."""
        def store(env, dock):
            body = _read_body(env, ONE_SHOT_MAX_BYTES)
            Recording = env["mchs.bodycam.recording"]
            ticket = Recording._ingest_check(dock, camera, card, start, end, len(body),
                                             declared_sha256=sha256, filename=filename)
            sha, size = Recording._ingest_store(ticket, iter([body]))
            recording, created = Recording._register_committed(ticket, sha, size)
            return 201 if created else 200, {"id": recording.id, "sha256": recording.sha256,
                                             "size": int(recording.size), "created": created}
        return _answer(("POST",), store)

    @http.route(UPLOADS, **ROUTE, max_content_length=_form_limit(JSON_MAX_BYTES))
    def open_upload(self, **_kw):
        """Open a resumable upload (JSON body: camera, card, start, end, size, sha256,
        filename), or find the live upload or the recording of the same file."""
        def open_(env, dock):
            data = _read_json(env)
            size = data.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                raise _bad_parameter(env, "size", env._("Send the file's size in bytes, a positive whole number."))
            if not data.get("sha256"):
                raise _bad_parameter(env, "sha256", env._("Send the SHA-256 the device computed for the file."))
            ticket = env["mchs.bodycam.recording"]._ingest_check(
                dock, data.get("camera"), data.get("card"), data.get("start"), data.get("end"), size,
                declared_sha256=data["sha256"], filename=data.get("filename"))
            return env["mchs.bodycam.upload"]._dock_open(ticket)
        return _answer(("POST",), open_)

    @http.route(f"{UPLOADS}/<string:upload_id>", **ROUTE, max_content_length=_form_limit(JSON_MAX_BYTES))
    def upload(self, upload_id, offset=None, **_kw):
        """GET: the upload's state and the offset held; PUT ?offset=N: one chunk as the body;
        DELETE: give the upload up."""
        def act(env, dock):
            upload = _upload_of(env, dock, upload_id)
            method = request.httprequest.method
            if method == "GET":
                return upload._dock_status()
            if method == "DELETE":
                return upload._dock_abort()
            chunk = _read_body(env, upload.chunk_size)
            if not OFFSET_RE.match(offset or ""):
                raise _bad_parameter(env, "offset", env._("Send the chunk's offset in bytes (?offset=N)."))
            return upload._dock_write(int(offset), chunk)
        return _answer(("GET", "PUT", "DELETE"), act)

    @http.route(f"{UPLOADS}/<string:upload_id>/finish", **ROUTE, max_content_length=_form_limit(JSON_MAX_BYTES))
    def finish_upload(self, upload_id, **_kw):
        """Every byte is sent: check both copies and store the recording (200/201), or start
        the check in the background (202: ask GET for the state until it is done)."""
        return _answer(("POST",), lambda env, dock: _upload_of(env, dock, upload_id)._dock_finish())


def _answer(methods, step):
    """Run ``step(env, dock)`` for an authenticated dock and answer its (status, payload) as
    JSON; a refusal is answered with its status, code and translated message. The dock works
    as the system user (a dock is a machine, not a user) in its unit's language."""
    IrHttp = request.env["ir.http"]
    env = request.env(user=SUPERUSER_ID, context=dict(request.env.context, lang=IrHttp._dock_lang()))
    headers = []
    try:
        if request.httprequest.method not in methods:
            headers.append(("Allow", ", ".join(methods)))
            raise IngestError(405, "method_not_allowed", env._(
                "This address takes %s only.", ", ".join(methods)), allowed=list(methods))
        token = request.httprequest.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        dock = env["mchs.bodycam.dock"]._authenticate(token)
        if not dock:
            _logger.warning("bodycam dock request refused: unknown or revoked token")
            raise IngestError(401, "unauthorized", env._("Unknown or revoked dock token."))
        env = env(context=dict(env.context, lang=dock.department_id.company_id.partner_id.lang or "en_US"))
        status, payload = step(env, dock.with_env(env))
    except IngestError as error:
        _logger.info("bodycam dock %s %s refused: %s %s", request.httprequest.method,
                     request.httprequest.path, error.status, error.code)
        if "retry_after" in error.details:
            headers.append(("Retry-After", str(error.details["retry_after"])))
        return IrHttp._dock_response(error.status, error.answer(), headers)
    return IrHttp._dock_response(status, payload)


def _read_body(env, limit):
    """The request's body as bytes, at most ``limit`` of them (checked before a byte is read)."""
    httprequest = request.httprequest
    if httprequest.mimetype in FORM_TYPES:
        raise IngestError(415, "unsupported_media_type", env._(
            "Send the file as application/octet-stream, not as a form."))
    length = httprequest.content_length
    if length is None:
        raise IngestError(411, "length_required", env._("Send the file's length (Content-Length)."))
    if length > limit:
        if length <= limit + DRAIN_MAX_BYTES:
            _drain(httprequest)
        raise IngestError(413, "too_large", env._(
            "This request takes at most %(limit)s bytes; files above %(one_shot)s MB go through the "
            "resumable upload (%(path)s).", limit=limit, one_shot=ONE_SHOT_MAX_BYTES >> 20, path=UPLOADS))
    try:
        # not cached on the request: Odoo's request objects hold each other in reference cycles,
        # which kept every chunk in memory until a garbage collection (HTTP workers grew by
        # hundreds of MiB under docks); a chunk is freed as soon as it is stored
        body = httprequest.get_data(cache=False)
    except ClientDisconnected as error:
        raise IngestError(400, "truncated", env._(
            "The upload was cut short before the whole file arrived.")) from error
    if len(body) != length:
        raise IngestError(400, "truncated", env._("The upload was cut short before the whole file arrived."))
    return body


def _drain(httprequest):
    """Read a body that is a little too large before refusing it: a server that closes a
    connection with unread data resets it, and the client may lose the answer."""
    with contextlib.suppress(ClientDisconnected):
        httprequest.get_data(cache=False)


def _read_json(env):
    body = _read_body(env, JSON_MAX_BYTES)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise IngestError(400, "bad_json", env._("Send the upload's description as a JSON object."))
    return data


def _upload_of(env, dock, upload_id):
    """The upload ``upload_id`` of the dock's unit (another unit's is not told apart from none)."""
    Upload = env["mchs.bodycam.upload"]
    upload = Upload.search([("name", "=", upload_id)], limit=1) if UPLOAD_ID_RE.match(upload_id) else Upload
    if not upload or upload.department_id != dock.department_id:
        raise IngestError(404, "unknown_upload", env._("This dock's unit has no upload %s.", upload_id[:40]))
    return upload


def _bad_parameter(env, name, message):
    return IngestError(400, "bad_parameter", message, parameter=name)
