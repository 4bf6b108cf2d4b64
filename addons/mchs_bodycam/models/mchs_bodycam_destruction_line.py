from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class MchsBodycamDestructionLine(models.Model):
    """A recording proposed for destruction by an act (item 12); the commission may exclude it
    with a reason. Its details are read through the act: the commission does not browse the
    registry of recordings (item 13)."""

    _name = "mchs.bodycam.destruction.line"
    _description = "Recording of a destruction act"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "destruction_id, id"
    # item 12: a line follows its act: excluded with a reason under review, then only the
    # removal job moves it (and excludes what went on legal hold meanwhile, item 14)
    _lock_state_sql = "(SELECT act.state FROM mchs_bodycam_destruction act WHERE act.id = {row}.destruction_id)"
    _lock_changeable = {
        "draft": {"excluded", "exclusion_reason", "excluded_by_id"},
        "destroying": {"removal_state", "excluded", "exclusion_reason"},
        "failed": {"removal_state"},
    }
    _lock_deletable = {"draft"}
    _lock_user_writable = {"draft": {"excluded", "exclusion_reason"}}
    _lock_user_creatable = {}

    destruction_id = fields.Many2one("mchs.bodycam.destruction", required=True, ondelete="cascade", index=True)
    recording_id = fields.Many2one("mchs.bodycam.recording", required=True, ondelete="restrict", index=True)
    act_state = fields.Selection(related="destruction_id.state", string="Act state")
    excluded = fields.Boolean(help="Kept: the commission decided not to destroy it.")
    exclusion_reason = fields.Char(string="Why kept")
    excluded_by_id = fields.Many2one("res.users", string="Excluded by", readonly=True)
    removal_state = fields.Selection([("pending", "Pending"), ("staged", "Moved aside"), ("removed", "Removed")],
                                     default="pending", required=True, readonly=True)
    # related fields are read as superuser: the act shows what the commission decides on
    camera_id = fields.Many2one(related="recording_id.camera_id", string="Bodycam")
    inventory_number = fields.Char(related="recording_id.camera_id.inventory_number", string="Inventory number")
    inspector_id = fields.Many2one(related="recording_id.inspector_id")
    recording_start = fields.Datetime(related="recording_id.start", string="Start")
    recording_end = fields.Datetime(related="recording_id.end", string="End")
    sha256 = fields.Char(related="recording_id.sha256")
    size = fields.Float(related="recording_id.size", digits=(20, 0))
    recording_state = fields.Selection(related="recording_id.state", string="Recording state")

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # A recording is destroyed by one act: it is in at most one act that did not exclude it.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_destruction_line_one_act
            ON mchs_bodycam_destruction_line (recording_id) WHERE excluded IS NOT TRUE
        """)

    @api.constrains("excluded", "exclusion_reason")
    def _check_exclusion_reason(self):
        for line in self:
            if line.excluded and not (line.exclusion_reason or "").strip():
                raise ValidationError(self.env._("Say why the recording is kept (item 12)."))

    def _lock_state(self):
        self.ensure_one()
        return self.destruction_id.state

    def write(self, vals):
        if "excluded" not in vals or self.env.su:
            return super().write(vals)
        self._lock_check_write(vals)
        if vals["excluded"]:
            self.destruction_id.commission_id._member_of_user()
            vals = dict(vals, excluded_by_id=self.env.uid)
        else:
            vals = dict(vals, excluded_by_id=False, exclusion_reason=False)
        # the exclusion is signed by whoever makes it: a field of the step, not of the form
        return self._lock_write(vals)

    def action_review(self):
        """Open the recording for the commission's review, through the journaled access of
        item 13 (the head or the responsible person, with the special password)."""
        self.ensure_one()
        if self.recording_state != "stored":
            raise UserError(self.env._("The recording was destroyed: only its record remains."))
        action = self.recording_id.action_open_access_wizard()
        # the purpose is stored in Appendix 2: in the unit's language
        action["context"]["default_purpose"] = self.destruction_id.department_id._bodycam_env()._(
            "Commission review, destruction act %s", self.destruction_id.name)
        return action
