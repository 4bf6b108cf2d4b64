import json

from werkzeug.exceptions import HTTPException

from odoo import models
from odoo.http import request

# the dock API (items 10, 11) answers JSON, errors included: a dock parses every answer
DOCK_API_PREFIX = "/mchs_bodycam/dock/"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """An error Odoo meets around a dock route (no such address, a form body too large, an
        unforeseen exception: logged by Odoo) is answered as JSON with a stable code too."""
        if not request.httprequest.path.startswith(DOCK_API_PREFIX):
            return super()._handle_error(exception)
        status = exception.code if isinstance(exception, HTTPException) and exception.code else 500
        request.env.cr.rollback()  # a database error left the transaction failed; it is dropped anyway
        env = request.env(context=dict(request.env.context, lang=cls._dock_lang()))
        code, message = cls._dock_http_error(env, status)
        return cls._dock_response(status, {"error": code, "message": message})

    @classmethod
    def _dock_http_error(cls, env, status):
        """(code, translated message) of an HTTP status met outside a dock route's own checks."""
        known = {
            400: ("bad_request", env._("The request is malformed.")),
            404: ("not_found", env._("The dock API has no such address.")),
            405: ("method_not_allowed", env._("This address does not take this HTTP method.")),
            411: ("length_required", env._("Send the file's length (Content-Length).")),
            413: ("too_large", env._("The request is larger than this address accepts.")),
            415: ("unsupported_media_type", env._(
                "Send the file as application/octet-stream, not as a form.")),
        }
        return known.get(status, ("internal" if status >= 500 else f"http_{status}", env._(
            "The server met an unexpected error and logged it: try again later.")))

    @classmethod
    def _dock_lang(cls):
        """The language of an answer before the dock is known: the one it asks for
        (Accept-Language) if installed, else English."""
        wanted = request.best_lang
        installed = dict(request.env["res.lang"].sudo().get_installed())  # sudo: no user before the token
        return wanted if wanted in installed else "en_US"

    @classmethod
    def _dock_response(cls, status, payload, headers=()):
        return request.make_response(json.dumps(payload), status=status,
                                     headers=[("Content-Type", "application/json"), *headers])
