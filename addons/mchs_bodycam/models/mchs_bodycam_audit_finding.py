from odoo import api, fields, models


class MchsBodycamAuditFinding(models.Model):
    """What the annual audit found (item 13): a broken chain, an access by someone else than
    the head or the responsible person, a refused attempt, or a file missing, changed,
    different between the locations, unknown to the registry or left after its destruction."""

    _name = "mchs.bodycam.audit.finding"
    _description = "Finding of the annual audit"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "audit_id, id"
    # item 13: what the audit found is kept as found
    _lock_state_sql = "'found'"
    _lock_changeable = {"found": set()}
    _lock_user_creatable = {}

    audit_id = fields.Many2one("mchs.bodycam.audit", required=True, ondelete="cascade", index=True)
    kind = fields.Selection([
        ("chain", "Broken access chain"),
        ("unauthorized", "Access by another person"),
        ("refused", "Refused attempt"),
        ("missing", "Missing file"),
        ("changed", "Changed file"),
        ("mismatch", "Primary and backup differ"),
        ("unknown", "Unknown file"),
        ("not_destroyed", "File left after destruction"),
        ("integrity", "Journals differ from their seals"),
    ], required=True, readonly=True)
    kind_label = fields.Char(compute="_compute_kind_label")
    location = fields.Selection([("primary", "Primary"), ("backup", "Backup")], readonly=True)
    recording_id = fields.Many2one("mchs.bodycam.recording", readonly=True, ondelete="restrict")
    access_id = fields.Many2one("mchs.bodycam.access", string="Access row", readonly=True, ondelete="restrict")
    access_sequence = fields.Integer(related="access_id.sequence", string="Row №")
    sha256 = fields.Char(string="SHA-256", readonly=True)
    detail = fields.Char(readonly=True)

    def _lock_state(self):
        return "found"

    @api.depends("kind")
    def _compute_kind_label(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for finding in self:
            finding.kind_label = labels.get(finding.kind, "")
