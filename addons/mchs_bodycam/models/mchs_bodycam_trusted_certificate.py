import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import cms


class MchsBodycamTrustedCertificate(models.Model):
    """An NCA root or intermediate certificate an administrator trusts (issue 13).

    Signatures are accepted only when the signer's certificate chains up to one of these, at the
    moment it signed. NCA publishes them at pki.gov.kz (the root and the intermediate of each
    algorithm): each file is uploaded as it is downloaded, DER or PEM. The certificate's subject,
    issuer and validity are read from it and shown; it cannot be changed afterwards, only
    archived. Archived certificates still anchor the signatures made while they were trusted, so
    that those re-verify years later.
    """

    _name = "mchs.bodycam.trusted.certificate"
    _description = "Trusted NCA certificate"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "active desc, not_after desc, id"
    _rec_name = "subject"
    # issue 13: a trusted certificate is kept as uploaded; it is only archived (or restored), and
    # never deleted, so that the signatures it anchored re-verify
    _lock_state_sql = "'trusted'"
    _lock_changeable = {"trusted": {"active", "filename"}}

    active = fields.Boolean(default=True)
    certificate = fields.Binary(string="Certificate file", required=True, attachment=False,
                                help="The .cer (DER) or .pem file published by NCA.")
    filename = fields.Char()
    subject = fields.Char(readonly=True)
    issuer = fields.Char(readonly=True)
    serial = fields.Char(readonly=True)
    not_before = fields.Datetime(string="Valid from", readonly=True)
    not_after = fields.Datetime(string="Valid until", readonly=True)
    key_algorithm = fields.Char(string="Key", readonly=True)
    is_ca = fields.Boolean(string="Certification authority", readonly=True)
    is_root = fields.Boolean(string="Root", readonly=True)
    sha256 = fields.Char(string="SHA-256 fingerprint", readonly=True)
    is_valid_now = fields.Boolean(string="Valid today", compute="_compute_is_valid_now")

    _sql_constraints = [
        ("sha256_uniq", "unique(sha256)", "This certificate is already trusted."),
    ]

    def _compute_is_valid_now(self):
        now = fields.Datetime.now()
        for record in self:
            record.is_valid_now = bool(record.not_before and record.not_before <= now <= record.not_after)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.update(self._facts_of(vals.get("certificate")))
            known = self.with_context(active_test=False).search([("sha256", "=", vals["sha256"])], limit=1)
            if known:
                raise UserError(self.env._("%(subject)s is already trusted (archived certificates are restored from the "
                                           "list's Archived filter).", subject=known.subject))
        return super().create(vals_list)

    def _lock_state(self):
        return "trusted"

    @api.model
    def _facts_of(self, certificate):
        """The fields read from an uploaded certificate (base64 of its DER or PEM file)."""
        try:
            blob = base64.b64decode(certificate or b"", validate=False)
            facts = cms.load_certificates([blob])
        except (binascii.Error, ValueError, cms.SignatureRefused):
            raise UserError(self.env._(
                "This file is not a certificate: upload the .cer or .pem file of NCA's root or intermediate "
                "certificate.")) from None
        if len(facts) != 1:
            raise UserError(self.env._(
                "This file holds %(count)s certificates: upload each of NCA's certificates on its own.", count=len(facts)))
        fact = facts[0]
        if not fact.is_ca:
            raise UserError(self.env._(
                "%(subject)s is not a certification authority's certificate: only NCA's root and intermediate "
                "certificates are trusted here, never a person's.", subject=fact.common_name or fact.subject))
        return {
            "certificate": base64.b64encode(fact.der),
            "subject": fact.subject,
            "issuer": fact.issuer,
            "serial": fact.serial,
            "not_before": fact.not_before.replace(tzinfo=None),
            "not_after": fact.not_after.replace(tzinfo=None),
            "key_algorithm": fact.key_algorithm,
            "is_ca": fact.is_ca,
            "is_root": fact.subject == fact.issuer,
            "sha256": fact.sha256,
        }

    @api.model
    def _anchors(self, include_archived=False):
        """DER of the trusted certificates; archived ones too when re-verifying (class docstring)."""
        # sudo: every signer's verification uses the trust store, whoever signs
        records = self.sudo().with_context(active_test=not include_archived).search([])
        return [base64.b64decode(record.certificate) for record in records]
