import hashlib
import logging
import os
import re
from datetime import timedelta

from odoo import api, fields, http
from odoo.http import Response, Stream, content_disposition, request
from odoo.modules.registry import Registry

from ..lib.storage import StorageError

_logger = logging.getLogger(__name__)
# A granted access lets the browser's player fetch ranges of the file for this long.
ACCESS_VALIDITY = timedelta(hours=4)
RANGE_RE = re.compile(r"^bytes=\d*-\d*$")
EVIDENCE_PACKAGE_RE = re.compile(r"^evidence-\d+-\d{8}-\d{6}\.zip$")
CHUNK_SIZE = 1 << 20


def file_chunks(path):
    with open(path, "rb") as handle:
        yield from iter(lambda: handle.read(CHUNK_SIZE), b"")


def verified_chunks(chunks, sha256, on_mismatch):
    """The recording's bytes, hashed as they are sent (item 13): when they do not hash to
    ``sha256``, ``on_mismatch(digest)`` runs before the last chunk goes out, so the reader does
    not finish before the finding is recorded. A reader who stops early leaves nothing checked."""
    digest = hashlib.sha256()
    chunks = iter(chunks)
    chunk = next(chunks, b"")
    while chunk:
        following = next(chunks, b"")
        digest.update(chunk)
        if not following and digest.hexdigest() != sha256:
            on_mismatch(digest.hexdigest())
        yield chunk
        chunk = following


def record_mismatch(dbname, uid, access_id, digest):
    """Record a changed copy found while streaming, after the request's own transaction ended
    (the body is sent once the request has returned): in a transaction of its own."""
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, uid, {})
            env["mchs.bodycam.access"].browse(access_id)._record_served_copy_changed(digest)
    except Exception:
        _logger.exception("bodycam: the changed copy served under access %s could not be recorded", access_id)
        raise


class MchsBodycamRecordingStream(http.Controller):
    @http.route("/mchs_bodycam/recording/<int:recording_id>/stream", type="http", auth="user", readonly=False)
    def stream(self, recording_id, token=None, download=None, **_kw):
        """Stream a recording the access journal has already let this user open; HTTP range
        requests work, so the player can seek. Anything else is refused and journaled.

        A whole-file request is hashed while it is sent; bytes that do not match the recorded
        SHA-256 are recorded on the access row and as a finding (item 13). A range cannot be
        checked and is served as it is."""
        Access = request.env["mchs.bodycam.access"]
        # sudo: the recording is looked up to journal the attempt; it is only sent after the checks.
        recording = request.env["mchs.bodycam.recording"].sudo().browse(recording_id).exists()
        if not recording:
            return request.not_found()
        access = Access.sudo().search([
            ("recording_id", "=", recording.id), ("user_id", "=", request.env.uid), ("result", "=", "granted"),
            ("token_hash", "=", request.env["mchs.bodycam.dock"]._hash_token(token or "")),
            ("accessed_at", ">=", fields.Datetime.now() - ACCESS_VALIDITY)], limit=1)
        refusal = self._refusal(recording, access, download)
        if refusal:
            Access._log(recording, "download" if download else "view", False, "refused",
                        refusal=refusal, remote_addr=request.httprequest.remote_addr)
            return request.make_response("Access refused: open the recording from Odoo and say why (item 13).",
                                         status=403, headers=[("Content-Type", "text/plain; charset=utf-8")])
        backend = recording.storage_id._backends()[0]
        download_name = recording.filename or f"{recording.sha256}.mp4"
        dbname, uid, access_id = request.env.cr.dbname, request.env.uid, access.id

        def on_mismatch(digest):
            record_mismatch(dbname, uid, access_id, digest)

        if recording.storage_id.kind == "s3":
            return self._object_response(backend, recording.sha256, download_name, bool(download), on_mismatch)
        path = backend.path(recording.sha256)
        stream = Stream(type="path", path=path, mimetype="video/mp4", download_name=download_name,
                        etag=recording.sha256, conditional=True, public=False)
        response = stream.get_response(as_attachment=bool(download), immutable=True)
        if response.status_code == 200 and request.httprequest.method == "GET":
            # the whole file: sent through the hash instead of the plain file
            response.response.close()
            response.response = verified_chunks(file_chunks(path), recording.sha256, on_mismatch)
        return response

    @staticmethod
    def _refusal(recording, access, download):
        """Why this request may not have the recording (a code of Appendix 2's REFUSALS), or None."""
        if not access:
            return "no_valid_access"
        if download and access.action != "download":
            # item 13: the journal says what was really done; a view is not a download
            return "view_token_download"
        if not recording.storage_id._is_password_holder(request.env.user):
            return "not_designated"
        return None

    @staticmethod
    def _object_response(backend, sha256, download_name, as_attachment, on_mismatch):
        """The recording from the primary bucket, streamed through Odoo (the store is never exposed
        to browsers); a Range header is passed on, so the player can seek. The whole object is
        verified while it is sent, as a file is."""
        byte_range = request.httprequest.headers.get("Range")
        if byte_range and not RANGE_RE.match(byte_range):
            byte_range = None
        try:
            answer = backend.get(sha256, byte_range)
        except FileNotFoundError:
            return request.not_found()
        except StorageError as error:
            if "InvalidRange" in str(error):
                return Response(status=416)
            raise
        body = answer["Body"]
        headers = {"Content-Type": "video/mp4", "Content-Length": str(answer["ContentLength"]),
                   "Accept-Ranges": "bytes", "ETag": f'"{sha256}"', "Cache-Control": "private, max-age=0",
                   "Content-Disposition": content_disposition(download_name) if as_attachment else "inline"}
        if answer.get("ContentRange"):
            headers["Content-Range"] = answer["ContentRange"]
        chunks = body.iter_chunks(CHUNK_SIZE)
        if not answer.get("ContentRange") and request.httprequest.method == "GET":
            chunks = verified_chunks(chunks, sha256, on_mismatch)

        def stream():
            try:
                yield from chunks
            finally:
                body.close()

        return Response(stream(), status=206 if answer.get("ContentRange") else 200, headers=headers,
                        direct_passthrough=True)

    @http.route("/mchs_bodycam/evidence/<int:evidence_id>/package/<string:name>", type="http", auth="user",
                readonly=False)
    def evidence_package(self, evidence_id, name):
        """A package built for the recipient (item 14), for the unit's designated head or
        responsible person; every download of it is an export of its recordings in Appendix 2
        (items 13, 22), a refused one too."""
        evidence = request.env["mchs.bodycam.evidence"].browse(evidence_id).exists()
        if not evidence or not evidence.has_access("read") or not EVIDENCE_PACKAGE_RE.match(name) \
                or not name.startswith(f"evidence-{evidence.id}-"):
            return request.not_found()
        path = os.path.join(evidence._package_folder(), name)
        if not os.path.isfile(path):
            return request.not_found()
        if not evidence._journal_package_download(name, remote_addr=request.httprequest.remote_addr):
            return request.make_response("Access refused: only the designated head and responsible person download "
                                         "the package (items 13, 14).", status=403,
                                         headers=[("Content-Type", "text/plain; charset=utf-8")])
        return Stream(type="path", path=path, mimetype="application/zip", download_name=name,
                      conditional=True, public=False).get_response(as_attachment=True)
