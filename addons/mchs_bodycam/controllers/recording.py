import os
import re
from datetime import timedelta

from odoo import fields, http
from odoo.http import Stream, request

# A granted access lets the browser's player fetch ranges of the file for this long.
ACCESS_VALIDITY = timedelta(hours=4)
EVIDENCE_PACKAGE_RE = re.compile(r"^evidence-\d+-\d{8}-\d{6}\.zip$")


class MchsBodycamRecordingStream(http.Controller):
    @http.route("/mchs_bodycam/recording/<int:recording_id>/stream", type="http", auth="user", readonly=False)
    def stream(self, recording_id, token=None, download=None, **_kw):
        """Stream a recording the access journal has already let this user open; HTTP range
        requests work, so the player can seek. Anything else is refused and journaled."""
        Access = request.env["mchs.bodycam.access"]
        # sudo: the recording is looked up to journal the attempt; it is only sent after the checks.
        recording = request.env["mchs.bodycam.recording"].sudo().browse(recording_id).exists()
        if not recording:
            return request.not_found()
        access = Access.sudo().search([
            ("recording_id", "=", recording.id), ("user_id", "=", request.env.uid), ("result", "=", "granted"),
            ("token_hash", "=", request.env["mchs.bodycam.dock"]._hash_token(token or "")),
            ("accessed_at", ">=", fields.Datetime.now() - ACCESS_VALIDITY)], limit=1)
        if not access:
            Access._log(recording, "download" if download else "view", False, "refused",
                        refusal="no valid access for this user", remote_addr=request.httprequest.remote_addr)
            return request.make_response("Access refused: open the recording from Odoo and say why (item 13).",
                                         status=403, headers=[("Content-Type", "text/plain; charset=utf-8")])
        backend = recording.storage_id._backends()[0]
        stream = Stream(type="path", path=backend.path(recording.sha256), mimetype="video/mp4",
                        download_name=recording.filename or f"{recording.sha256}.mp4",
                        etag=recording.sha256, conditional=True, public=False)
        return stream.get_response(as_attachment=bool(download), immutable=True)

    @http.route("/mchs_bodycam/evidence/<int:evidence_id>/package/<string:name>", type="http", auth="user")
    def evidence_package(self, evidence_id, name):
        """A package built for the recipient (item 14), for the unit's head or responsible person."""
        evidence = request.env["mchs.bodycam.evidence"].browse(evidence_id).exists()
        if not evidence or not evidence.has_access("read") or not EVIDENCE_PACKAGE_RE.match(name) \
                or not name.startswith(f"evidence-{evidence.id}-"):
            return request.not_found()
        path = os.path.join(evidence._package_folder(), name)
        if not os.path.isfile(path):
            return request.not_found()
        return Stream(type="path", path=path, mimetype="application/zip", download_name=name,
                      conditional=True, public=False).get_response(as_attachment=True)
