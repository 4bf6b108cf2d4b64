from odoo import http
from odoo.http import request


class MchsBodycamScan(http.Controller):
    @http.route("/mchs_bodycam/scan", type="json", auth="user", methods=["POST"])
    def scan(self, payload=None):
        """Resolve a scanned label (item 6) for the scan screens; see mchs.bodycam.qr._resolve."""
        return request.env["mchs.bodycam.qr"]._resolve(payload or "")
