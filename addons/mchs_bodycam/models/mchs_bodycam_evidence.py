from odoo import api, fields, models
from odoo.exceptions import UserError

BASIS_TYPES = [("request", "Request"), ("order", "Order"), ("resolution", "Resolution")]
RECIPIENTS = [("authority", "Authorized body"), ("court", "Court"), ("both", "Authorized body and court")]


class MchsBodycamEvidence(models.Model):
    """Recordings of evidentiary value, sent with the inspection materials to the authorized
    body and/or a court on a request, order or resolution (item 14). While the basis holds them,
    the recordings are on legal hold: no destruction act can remove them."""

    _name = "mchs.bodycam.evidence"
    _description = "Evidentiary value of recordings (legal hold)"
    _inherit = ["mail.thread"]
    _order = "basis_date desc, id desc"
    _check_company_auto = True

    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True,
                                    default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(related="department_id.company_id", store=True)
    recording_ids = fields.Many2many("mchs.bodycam.recording", "mchs_bodycam_evidence_recording_rel", "evidence_id",
                                     "recording_id", string="Recordings", required=True,
                                     check_company=True, domain="[('department_id', '=', department_id)]")
    basis_type = fields.Selection(BASIS_TYPES, string="Legal basis", required=True, tracking=True)
    basis_number = fields.Char(string="Number", required=True, tracking=True)
    basis_date = fields.Date(string="Date", required=True, tracking=True)
    issuing_body = fields.Char(required=True, tracking=True)
    recipient = fields.Selection(RECIPIENTS, required=True, tracking=True)
    state = fields.Selection([("held", "On legal hold"), ("released", "Released")], default="held",
                             required=True, readonly=True, tracking=True)

    def _compute_display_name(self):
        types = dict(self._fields["basis_type"]._description_selection(self.env))
        for evidence in self:
            evidence.display_name = f"{types.get(evidence.basis_type, '')} № {evidence.basis_number or ''}"

    def write(self, vals):
        before = {evidence.id: evidence.recording_ids for evidence in self} if "recording_ids" in vals else {}
        result = super().write(vals)
        if any(evidence.state == "held" and before[evidence.id] - evidence.recording_ids
               for evidence in self if before):
            raise UserError(self.env._("Recordings on legal hold stay held until the basis is released (item 14)."))
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never_held(self):
        raise UserError(self.env._("A legal basis is kept; release it instead (item 14)."))

    def action_release(self):
        """The authorized body or the court has finished with the recordings."""
        for evidence in self:
            if evidence.state != "held":
                raise UserError(self.env._("Only a basis that holds recordings can release them."))
        self.write({"state": "released"})
