import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from .mchs_bodycam_signature import PURPOSES


class MchsBodycamSignableMixin(models.AbstractModel):
    """A document signed with NCA keys through NCALayer when the company turns qualified signing
    on (issue 13).

    A document lists its ``_signature_purposes``; for each purpose it says who signs and what
    (``_signature_request_<purpose>``: the seat's employee, the seat in words and the canonical
    bytes of the document as it stands, after checking that the current user may take the step
    now) and what the signature does (``_signature_done_<purpose>``). Its button returns
    ``_signing_action(purpose)``: the browser signs the bytes with NCALayer
    (static/src/signature/) and sends the CMS to ``action_sign``, which rebuilds the bytes,
    verifies the signature as the seat's holder's and only then takes the step. The step is
    never taken without it while signing is on.
    """

    _name = "mchs.bodycam.signable.mixin"
    _description = "Document signed with NCA keys"
    _signature_purposes = ()

    signature_ids = fields.One2many("mchs.bodycam.signature", "res_id", string="Signatures", readonly=True,
                                    domain=lambda self: [("res_model", "=", self._name)])
    signature_count = fields.Integer(compute="_compute_signature_count")
    signing_required = fields.Boolean(compute="_compute_signing_required",
                                      help="The company signs this document with NCA keys (issue 13).")

    def _compute_signature_count(self):
        counts = dict(self.env["mchs.bodycam.signature"]._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]))
        for document in self:
            document.signature_count = counts.get(document.id, 0)

    @api.depends("company_id.bodycam_signing")
    def _compute_signing_required(self):
        for document in self:
            document.signing_required = document._signing_required()

    def _signing_required(self):
        return bool((self.company_id or self.env.company).bodycam_signing)

    def _signature_request(self, purpose):
        """(employee, seat, bytes) of the signature ``purpose`` the current user would give now."""
        self.ensure_one()
        if purpose not in self._signature_purposes:
            raise UserError(self.env._("%(document)s is not signed for this purpose.", document=self._description))
        return getattr(self, f"_signature_request_{purpose}")()

    def _signed_unit(self):
        """The unit in the signed bytes, whatever the signer's language (its name is translatable)."""
        # sudo: the unit's code is configuration; the signer signs what it is
        unit = self.department_id.sudo().with_context(lang="en_US")
        return {"unit": unit.name or "", "unit_code": unit.bodycam_code or ""}

    def _signed_bytes(self, purpose, facts):
        return self.env["mchs.bodycam.signature"]._signed_bytes(self, purpose, facts)

    def _signatures_of(self, purpose, employee=None):
        """The document's signatures for ``purpose`` (by ``employee`` when given)."""
        self.ensure_one()
        # sudo: whether a seat has signed is the document's business, whoever looks
        return self.sudo().signature_ids.filtered(
            lambda signature: signature.purpose == purpose and (employee is None or signature.employee_id == employee)
        ).sudo(False)

    def _signing_action(self, purpose):
        """The browser's signing flow for ``purpose`` (a client action, static/src/signature/)."""
        self.ensure_one()
        if not self._signing_required():
            raise UserError(self.env._("Qualified signing is off for this company."))
        employee, seat, data = self._signature_request(purpose)
        company = self.company_id or self.env.company
        return {
            "type": "ir.actions.client",
            "tag": "mchs_bodycam_sign",
            "params": {
                "model": self._name, "res_id": self.id, "purpose": purpose,
                "title": dict(self.env["mchs.bodycam.signature"]._fields["purpose"]._description_selection(
                    self.env)).get(purpose, ""),
                "signer": employee.name, "seat": seat,
                "data": base64.b64encode(data).decode(),
                "url": company.bodycam_ncalayer_url,
                "locale": "ru" if (self.env.lang or "").startswith("ru") else "kk",
            },
        }

    def action_sign(self, purpose, signature):
        """The signature the browser made with NCALayer (base64 CMS) for ``purpose``: verified
        against the document as it stands now, as the signature of the seat's holder, stored, and
        the step it signs taken (issue 13)."""
        self.ensure_one()
        self.check_access("read")
        if purpose not in dict(PURPOSES) or purpose not in self._signature_purposes:
            raise UserError(self.env._("%(document)s is not signed for this purpose.", document=self._description))
        if not self._signing_required():
            raise UserError(self.env._("Qualified signing is off for this company."))
        employee, seat, data = self._signature_request(purpose)
        record = self.env["mchs.bodycam.signature"]._sign(self, purpose, employee, seat, data, signature)
        return getattr(self, f"_signature_done_{purpose}")(record) or True

    def action_view_signatures(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "mchs.bodycam.signature", "view_mode": "list,form",
                "name": self.env._("Signatures of %(document)s", document=self.display_name),
                "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
                "context": {"create": False}}
