"""The Odoo side of the signature tests (issue 13): a commission whose members hold certificates
of the test PKI (tests/signature_pki.py), NCA's test roots and intermediates trusted by the
bodycam administrator, and qualified signing on."""

import base64

from .common import RetentionCase
from .signature_pki import shared_pki

EMPLOYEE_IIN = "880404600111"  # the organisation employee's certificate of the test PKI


class SignatureCase(RetentionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = shared_pki()
        # the bodycam administrator uploads NCA's certificates, as the files come (DER or PEM)
        Trusted = cls.env["mchs.bodycam.trusted.certificate"].with_user(cls.admin_user)
        cls.trusted = Trusted.create([{"certificate": base64.b64encode(blob), "filename": name}
                                     for name, blob in zip(("root_rsa.cer", "nca_rsa.pem", "root_gost.cer",
                                                            "nca_gost.cer"), cls.pki.trusted)])
        # HR's identification numbers: the IIN each member's certificate carries
        cls.holders = {cls.head: cls.pki.user, cls.responsible: cls.pki.other_user,
                       cls.commission: cls.pki.employee, cls.other_inspector: cls.pki.gost256_user}
        for employee, iin in ((cls.head, cls.pki.IIN), (cls.responsible, cls.pki.OTHER_IIN),
                              (cls.commission, EMPLOYEE_IIN), (cls.other_inspector, cls.pki.GOST_IIN)):
            employee.identification_id = iin
        cls.company.bodycam_signing = True

    def _request(self, document, purpose, user):
        """(employee, seat, bytes) the server has ``user`` sign for ``purpose`` of ``document``."""
        return document.with_user(user)._signature_request(purpose)

    def _sign(self, document, purpose, user, holder=None, **options):
        """``user`` signs ``purpose`` of ``document`` as NCALayer would, with ``holder``'s key (by
        default the certificate of the employee the server asks to sign)."""
        employee, _seat, data = self._request(document, purpose, user)
        holder = holder or self.holders[employee]
        signature = base64.b64encode(holder.sign_cms(data, **options)).decode()
        return document.with_user(user).action_sign(purpose, signature)

    def _signatures(self, document):
        return self.env["mchs.bodycam.signature"].search(
            [("res_model", "=", document._name), ("res_id", "=", document.id)])
