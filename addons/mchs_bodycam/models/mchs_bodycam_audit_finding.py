from odoo import api, fields, models

# found while a recording or an evidence package was served, outside any audit (item 13)
SERVED_KINDS = ("served_changed",)


class MchsBodycamAuditFinding(models.Model):
    """What the annual audit found (item 13): a broken chain, an access by someone else than
    the head or the responsible person, a refused attempt, or a file missing, changed,
    different between the locations, unknown to the registry or left after its destruction.

    A copy found changed while it was served (a recording streamed, an evidence package built,
    item 14) is a finding too, on any day: it names its unit and belongs to no audit, since the
    year's audit may not exist yet; the head and the responsible person get an activity at once,
    and the audit lists the unit's findings of its year."""

    _name = "mchs.bodycam.audit.finding"
    _description = "Finding of the annual audit"
    _inherit = ["mail.thread", "mail.activity.mixin", "mchs.bodycam.lock.mixin"]
    _order = "audit_id, id"
    # item 13: what the audit found is kept as found
    _lock_state_sql = "'found'"
    _lock_changeable = {"found": set()}
    _lock_user_creatable = {}

    audit_id = fields.Many2one("mchs.bodycam.audit", ondelete="cascade", index=True, readonly=True,
                               help="Empty for a copy found changed while it was served.")
    department_id = fields.Many2one("hr.department", string="Unit", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
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
        ("served_changed", "Changed copy found while served"),
    ], required=True, readonly=True)
    kind_label = fields.Char(compute="_compute_kind_label")
    location = fields.Selection([("primary", "Primary"), ("backup", "Backup")], readonly=True)
    recording_id = fields.Many2one("mchs.bodycam.recording", readonly=True, ondelete="restrict")
    access_id = fields.Many2one("mchs.bodycam.access", string="Access row", readonly=True, ondelete="restrict")
    access_sequence = fields.Integer(related="access_id.sequence", string="Row №")
    sha256 = fields.Char(string="SHA-256", readonly=True)
    detail = fields.Char(string="Finding value", readonly=True, help="The finding's value: a row number, a name, a refusal code, a digest.")
    detail_text = fields.Char(string="Detail", compute="_compute_detail_text")

    def _lock_state(self):
        return "found"

    @api.depends("kind")
    @api.depends_context("lang")
    def _compute_kind_label(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for finding in self:
            finding.kind_label = labels.get(finding.kind, "")

    @api.depends("kind", "detail", "access_id")
    @api.depends_context("lang")
    def _compute_detail_text(self):
        for finding in self:
            finding.detail_text = finding._detail_words()

    def _detail_words(self):
        """The finding in words, in the environment's language: the stored detail is a value, so
        that a background job's language never reaches the reader."""
        self.ensure_one()
        detail = self.detail or ""
        kind = self.kind
        if kind == "chain":
            return self.env._("The access journal's chain breaks at row %s: that row or the one before it was "
                              "changed.", detail)
        if kind == "unauthorized":
            return self.env._("%s was neither the head nor the responsible person of the unit that day.", detail)
        if kind == "refused":
            return self.sudo().access_id.with_env(self.env)._refusal_text() if self.access_id else detail
        if kind == "missing":
            return self.env._("No copy on this location.")
        if kind == "changed":
            return self.env._("The copy now hashes to %s.", detail)
        if kind == "mismatch":
            return self.env._("The primary and the backup copies differ.")
        if kind in ("unknown", "not_destroyed"):
            return self.env._("Content matches its name.") if detail == self.sha256 else \
                self.env._("Content hashes to %s.", detail or "-")
        if kind == "served_changed":
            return self.env._("The copy served hashed to %s.", detail or "-")
        return detail  # integrity: what bodycam_verify reports, a kind code and its value

    def _printed_detail(self):
        """The act's column of an access finding: who accessed, and a refusal's reason."""
        self.ensure_one()
        access = self.sudo().access_id.with_env(self.env)
        if self.kind == "chain" or not access:
            return ""
        return ", ".join(filter(None, [access.user_id.name, access._refusal_text() if self.kind == "refused" else ""]))

    @api.model
    def _record_changed_copy(self, recording, location, digest, access=None):
        """A copy of ``recording`` on ``location`` hashed to ``digest`` while it was served
        (items 13, 14): a finding of its unit and an activity for its head and responsible person.
        Returns the finding's id."""
        recording = recording.sudo()
        unit = recording.department_id
        # sudo: found by the system while serving; nobody writes findings by hand
        finding = self.sudo().create({
            "department_id": unit.id, "kind": "served_changed", "location": location,
            "recording_id": recording.id, "sha256": recording.sha256, "access_id": access and access.id,
            "detail": digest or False})
        # the note is stored: in the unit's language, not the serving request's
        env = unit._bodycam_env()
        note = env._(
            "A copy of %(file)s (%(number)s) no longer matches its SHA-256: it was found changed on the "
            "storage location \"%(location)s\" while it was served (item 13). Check the storage server.",
            location=dict(self._fields["location"]._description_selection(env))[location],
            file=recording.filename or recording.sha256, number=recording.camera_id.inventory_number)
        unit._bodycam_alert_head_and_responsible(finding, "mchs_bodycam.mail_activity_type_changed_copy", note)
        return finding.id
