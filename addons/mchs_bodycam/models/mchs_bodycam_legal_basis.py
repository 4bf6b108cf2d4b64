from odoo import api, fields, models
from odoo.exceptions import ValidationError

BASIS_KINDS = [("request", "Request"), ("order", "Order"), ("resolution", "Resolution")]


class MchsBodycamLegalBasis(models.Model):
    """A request, order or resolution that a download or an export of raw recordings is made on
    (items 14, 22): bodycam recordings serve official purposes only, so a raw file leaves the
    storage server only on such a basis, and its Appendix 2 row names it. Viewing a recording
    for review and analysis (item 5) needs none. Kept as recorded: a basis is a document
    received, not something to edit."""

    _name = "mchs.bodycam.legal.basis"
    _description = "Legal basis of a download or an export (item 22)"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _lock_state_sql = "'recorded'"
    _lock_changeable = {"recorded": set()}
    _lock_user_creatable = {"recorded": {"department_id", "kind", "number", "date", "authority"}}

    department_id = fields.Many2one("hr.department", string="Unit", required=True, index=True, check_company=True,
                                    default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(related="department_id.company_id", store=True, precompute=True)
    kind = fields.Selection(BASIS_KINDS, required=True, default="request")
    number = fields.Char(required=True)
    date = fields.Date(required=True)
    authority = fields.Char(required=True, help="The body that issued the request, order or resolution.")
    access_ids = fields.One2many("mchs.bodycam.access", "legal_basis_id", string="Downloads and exports",
                                 readonly=True)

    def _lock_state(self):
        return "recorded"

    @api.constrains("number", "authority", "date")
    def _check_document(self):
        for basis in self:
            if not (basis.number or "").strip() or not (basis.authority or "").strip():
                raise ValidationError(self.env._(
                    "A legal basis has the number of the document and the body that issued it (item 22)."))
            # the unit's date: a document of this morning in Almaty is dated tomorrow in UTC
            if basis.date > basis.department_id._bodycam_today():
                raise ValidationError(self.env._(
                    "The legal basis is dated %(date)s, in the future: enter the date of the document (item 22).",
                    date=basis.date))

    @api.depends("kind", "number", "date", "authority")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for basis in self:
            basis.display_name = basis._printed_name()

    def _printed_name(self):
        """«Request № 2-04-26/1187 of 01.02.2026, Prosecutor's office», in the environment's language."""
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return self.env._("%(kind)s No. %(number)s of %(date)s, %(authority)s", kind=kinds.get(self.kind, ""),
                          number=self.number or "", date=self.date.strftime("%d.%m.%Y") if self.date else "",
                          authority=self.authority or "")
