"""The NCALayer stand-in of the browser tours answers like NCALayer (issue 13)."""

import base64
import json

import websocket

from odoo.tests import BaseCase, tagged

from odoo.addons.mchs_bodycam.lib import cms as signature

from . import signature_pki
from .ncalayer_standin import NcaLayerStandIn

DOCUMENT = "Жою актісі № 2026/3 — акт уничтожения".encode()


def basics_sign(data, *, tsa=True, encapsulate=False, locale="kk"):
    """The request the page sends (issue 13, "The request")."""
    return {"module": "kz.gov.pki.knca.basics", "method": "sign", "args": {
        "allowedStorages": None,
        "format": "cms",
        "data": data,
        "signingParams": {"decode": True, "encapsulate": encapsulate, "digested": False,
                          **({"tsaProfile": {}} if tsa else {})},
        "signerParams": {"extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"], "chain": None},
        "locale": locale,
    }}


def create_cades(data, attached=False):
    return {"module": "kz.gov.pki.knca.commonUtils", "method": "createCAdESFromBase64",
            "args": ["PKCS12", "SIGNATURE", data, attached]}


@tagged("post_install", "-at_install")
class TestNcaLayerStandIn(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = signature_pki.shared_pki()
        cls.ncalayer = NcaLayerStandIn(cls.pki.user, tsa=cls.pki.tsa).start()
        cls.addClassCleanup(cls.ncalayer.stop)

    def setUp(self):
        super().setUp()
        self.ncalayer.answer = "sign"
        self.socket = websocket.create_connection(self.ncalayer.url, timeout=20)
        self.addCleanup(self.socket.close)
        # NCALayer speaks first; the page skips this
        self.assertEqual(json.loads(self.socket.recv()), {"result": {"version": "1.4"}})

    def call(self, request):
        self.socket.send(json.dumps(request))
        return json.loads(self.socket.recv())

    def verify(self, b64):
        return signature.verify_cms(b64, DOCUMENT, self.pki.trusted)

    def test_loopback_url(self):
        self.assertRegex(self.ncalayer.url, r"^ws://127\.0\.0\.1:\d+$")

    def test_basics_sign_with_timestamp(self):
        answer = self.call(basics_sign(base64.b64encode(DOCUMENT).decode()))
        self.assertIs(answer["status"], True)
        (cms_b64,) = answer["body"]["result"]
        facts = self.verify(cms_b64)
        self.assertEqual((facts.iin, facts.signing_time_source), (self.pki.IIN, "timestamp"))
        request = self.ncalayer.requests[-1]
        self.assertEqual(request["args"]["signerParams"]["extKeyUsageOids"], ["1.3.6.1.5.5.7.3.4"])
        self.assertEqual(request["args"]["locale"], "kk")

    def test_basics_sign_several_and_attached(self):
        other = "Тексеру актісі".encode()
        answer = self.call(basics_sign([base64.b64encode(DOCUMENT).decode(), base64.b64encode(other).decode()], tsa=False))
        first, second = answer["body"]["result"]
        self.assertEqual(self.verify(first).signing_time_source, "signed_attributes")
        self.assertEqual(signature.verify_cms(second, other, self.pki.trusted).iin, self.pki.IIN)
        attached = self.call(basics_sign(base64.b64encode(DOCUMENT).decode(), encapsulate=True))["body"]["result"][0]
        with self.assertRaises(signature.SignatureRefused) as caught:
            self.verify(attached)
        self.assertEqual(caught.exception.params["reason"], "attached")

    def test_basics_cancel_and_error(self):
        self.ncalayer.answer = "cancel"
        self.assertEqual(self.call(basics_sign(base64.b64encode(DOCUMENT).decode())), {"status": True, "body": {}})
        self.ncalayer.answer = "error"
        answer = self.call(basics_sign(base64.b64encode(DOCUMENT).decode()))
        self.assertEqual((answer["status"], answer["code"]), (False, "EKU_NOT_FOUND"))
        self.assertTrue(answer["message"])
        self.ncalayer.answer = "sign"
        self.assertIs(self.call(basics_sign("not base64!"))["status"], False)

    def test_legacy_create_cades_from_base64(self):
        answer = self.call(create_cades(base64.b64encode(DOCUMENT).decode()))
        self.assertEqual(answer["code"], "200")
        self.assertEqual(self.verify(answer["responseObject"]).iin, self.pki.IIN)
        self.ncalayer.answer = "cancel"
        self.assertEqual(self.call(create_cades(base64.b64encode(DOCUMENT).decode())),
                         {"code": "500", "message": "action.canceled"})

    def test_unknown_module(self):
        answer = self.call({"module": "kz.gov.pki.knca.unknown", "method": "x", "args": {}})
        self.assertIs(answer["status"], False)
        self.assertEqual(len(self.ncalayer.requests[-1]), 3)
