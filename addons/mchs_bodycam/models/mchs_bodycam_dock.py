import hashlib
import logging
import os
import re
import secrets
from datetime import datetime

from odoo import api, fields, models

from .mchs_bodycam_recording import IngestError

_logger = logging.getLogger(__name__)
INBOX_NAME_RE = re.compile(r"^([A-Z0-9/-]+)__([A-Z0-9/-]+)__(\d{8}T\d{6})__(\d{8}T\d{6})__([\w.() -]{1,200})$")


class MchsBodycamDock(models.Model):
    """A charging dock that uploads recordings by itself while the bodycam charges (item 11).

    Its token is shown once, when it is generated, and only its SHA-256 is kept."""

    _name = "mchs.bodycam.dock"
    _description = "Bodycam docking station"
    _check_company_auto = True

    name = fields.Char(required=True)
    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True)
    token_hash = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    token_hint = fields.Char(string="Token ends with", readonly=True, copy=False)
    active = fields.Boolean(default=True, help="Archive the dock to revoke its token.")
    inbox_path = fields.Char(
        string="Inbox folder",
        help="Item 10: a workstation that reads memory cards drops the files here, named "
             "CAMERA__CARD__START__END__name (START and END as YYYYMMDDTHHMMSS in UTC, CARD '-' when "
             "unknown); they are stored like a dock's uploads and removed from the inbox.")

    @staticmethod
    def _hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def action_generate_token(self):
        """A new token, shown once in a notification and never stored in clear."""
        self.ensure_one()
        self.check_access("write")  # the bodycam administrator's (the hash is written as superuser)
        token = secrets.token_urlsafe(32)
        # sudo: the hash field is hidden from everyone; the caller may manage this dock.
        self.sudo().write({"token_hash": self._hash_token(token), "token_hint": token[-4:]})
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {
                "title": self.env._("Token of %s: copy it into the dock now, it is not shown again", self.name),
                "message": token, "sticky": True, "type": "warning",
            },
        }

    def action_open_uploads(self):
        """Items 10, 11: the dock's upload history."""
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.upload", "view_mode": "list,form",
                "name": self.env._("Uploads of %s", self.name), "domain": [("dock_id", "=", self.id)],
                "context": {"create": False}}

    @api.model
    def _authenticate(self, token):
        """The active dock whose token this is, or an empty recordset."""
        if not token:
            return self.browse()
        # sudo: docks call without a user; only the matching active dock is returned.
        return self.sudo().search([("token_hash", "=", self._hash_token(token))], limit=1)

    # ------------------------------------------------------------------ folder import (item 10)

    @api.model
    def _cron_import_inboxes(self, commit=True):
        """Import every dock's inbox; ``commit`` after each file, because a file removed from
        the inbox must never be left without its committed recording."""
        # sudo: housekeeping of every unit's storage, whoever runs the import
        self.env["mchs.bodycam.storage"].sudo().search([])._remove_stale_parts()
        imported = refused = 0
        for dock in self.search([("inbox_path", "!=", False)]):
            done, failed = dock._import_inbox(commit=commit)
            imported, refused = imported + done, refused + failed
        return imported, refused

    def _import_inbox(self, commit=True):
        self.ensure_one()
        imported = refused = 0
        if not os.path.isdir(self.inbox_path or ""):
            _logger.warning("bodycam dock %s: inbox %s does not exist", self.name, self.inbox_path)
            return 0, 0
        for name in sorted(os.listdir(self.inbox_path)):
            path = os.path.join(self.inbox_path, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            try:
                camera, card, start, end, filename = self._parse_inbox_name(name)
                with open(path, "rb") as handle:
                    self.env["mchs.bodycam.recording"]._ingest(
                        self, camera, card, start, end, iter(lambda: handle.read(1 << 20), b""),
                        os.fstat(handle.fileno()).st_size, filename=filename)
            except IngestError as error:
                self._refuse_inbox_file(path, str(error))
                refused += 1
                continue
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit  # the recording is safe before its source goes
            os.unlink(path)
            imported += 1
        return imported, refused

    def _parse_inbox_name(self, name):
        match = INBOX_NAME_RE.match(name)
        if not match:
            raise IngestError(400, "bad_filename", self.env._(
                "%s is not named CAMERA__CARD__START__END__name (item 10).", name))
        camera, card, start, end, filename = match.groups()
        try:
            when = [datetime.strptime(value, "%Y%m%dT%H%M%S") for value in (start, end)]
        except ValueError as error:  # 13th month, 25th hour...: refused like any bad name
            raise IngestError(400, "bad_times", self.env._(
                "%(name)s does not hold real dates and times: %(error)s.", name=name, error=error)) from error
        return camera, None if card == "-" else card, when[0], when[1], filename

    def _refuse_inbox_file(self, path, reason):
        """A refused file goes to the inbox's refused/ folder with the reason beside it."""
        folder = os.path.join(os.path.dirname(path), "refused")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, os.path.basename(path))
        os.replace(path, target)
        with open(f"{target}.reason.txt", "w", encoding="utf-8") as handle:
            handle.write(reason + "\n")
        _logger.info("bodycam dock %s: %s refused: %s", self.name, os.path.basename(path), reason)
