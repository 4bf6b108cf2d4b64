import json
import logging

from werkzeug.exceptions import ClientDisconnected

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.mchs_bodycam_recording import IngestError

_logger = logging.getLogger(__name__)
CHUNK_SIZE = 1 << 20


def _json(status, payload):
    return request.make_response(json.dumps(payload), status=status,
                                 headers=[("Content-Type", "application/json")])


class MchsBodycamDock(http.Controller):
    @http.route("/mchs_bodycam/dock/v1/recordings", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False, max_content_length=None)
    def upload_recording(self, camera=None, card=None, start=None, end=None, sha256=None, filename=None, **_kw):
        """A dock uploads a recording while the bodycam charges (item 11).

        ``Authorization: Bearer <dock token>``; query: camera and card inventory numbers, start and
        end as the device saw them (UTC), optional sha256 computed by the device and file name;
        body: the file, streamed to both storage locations while it is hashed (never held in
        memory). Answers JSON: the recording's id and SHA-256, or an error with a 4xx status."""
        token = request.httprequest.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        dock = request.env["mchs.bodycam.dock"]._authenticate(token)
        if not dock:
            _logger.warning("bodycam dock upload refused: unknown or revoked token")
            return _json(401, {"error": "unauthorized", "message": "unknown or revoked dock token"})
        # A dock is a machine, not a user: the upload runs as the system user and the
        # recording names the dock it came from.
        env = request.env(user=SUPERUSER_ID,
                          context=dict(request.env.context, lang=dock.department_id.company_id.partner_id.lang))
        length = request.httprequest.content_length
        # Odoo 18 does not expose the request body as a stream; werkzeug's own request does
        # (bounded by Content-Length), so a 4 GB upload is read in chunks, never held whole.
        stream = request.httprequest._HTTPRequest__wrapped.stream

        def chunks():
            remaining = length or 0
            while remaining > 0:
                chunk = stream.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

        try:
            recording, created = env["mchs.bodycam.recording"]._ingest(
                dock, camera, card, start, end, chunks(), length, declared_sha256=sha256, filename=filename)
        except IngestError as error:
            _logger.info("bodycam dock %s upload refused: %s", dock.name, error.code)
            return _json(error.status, {"error": error.code, "message": str(error)})
        except (ClientDisconnected, OSError) as error:
            return _json(400, {"error": "truncated", "message": f"the upload broke off: {error}"})
        return _json(201 if created else 200, {"id": recording.id, "sha256": recording.sha256,
                                               "size": int(recording.size), "created": created})
