"""Issue 13 against a real Odoo server (--workers 2) on a copy of the demo database.

What the addon's suite cannot show, because its tests share one transaction: a refused signature
is rolled back with its request, yet its attempt stays in the document's chatter, written by the
real user; and nothing of it is stored. The demo users call JSON-RPC with their password
(= login), as the web client does.
"""
import base64
import hashlib
import hmac

import pytest

from live import Client, RpcError, demo_copy, odoo_server
from test_hardening import CHECKS

DB = "mchs_signature"


@pytest.fixture(scope="module")
def server(mchs, tmp_path_factory):
    """The demo with qualified signing turned on, served with two HTTP workers."""
    with demo_copy(mchs, DB, str(tmp_path_factory.mktemp("storage"))):
        mchs.query(DB, "UPDATE res_company SET bodycam_signing = TRUE RETURNING id")
        with odoo_server(mchs, DB, str(tmp_path_factory.mktemp("log"))) as base_url:
            yield base_url


def badge_payload(mchs, barcode):
    """An inspector's badge label, signed as the label printer signs it (the vault's key)."""
    key = mchs.query(DB, "SELECT value FROM mchs_bodycam_vault WHERE scope = 'qr' AND name = 'key'")[0][0]
    message = f"MBC1.E.{barcode}"
    return f"{message}.{base64.b32encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()[:16]}"


def draft_act(mchs):
    return mchs.query(DB, "SELECT id FROM mchs_bodycam_destruction WHERE state = 'draft' ORDER BY id")[0][0]


def refusals(mchs, act_id):
    return mchs.query(DB, """
        SELECT m.body, p.name FROM mail_message m JOIN res_partner p ON p.id = m.author_id
         WHERE m.model = 'mchs.bodycam.destruction' AND m.res_id = %s AND m.body LIKE %s ORDER BY m.id""",
                      (act_id, "%Signature refused%"))


@pytest.mark.parametrize("cms", ["not a signature", "MIIB" + "A" * 64])
def test_a_refused_signature_stays_in_the_chatter_and_nothing_is_stored(server, mchs, cms):
    act_id = draft_act(mchs)
    before = len(refusals(mchs, act_id))
    stored = mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_signature")[0][0]  # the demo's own (issue 13)
    member = Client(server, DB, "bc.commission")
    # the act's signing flow tells the browser what to sign, as the seat's holder (item 12)
    action = member.call("mchs.bodycam.destruction", "action_confirm", [act_id])
    assert action["tag"] == "mchs_bodycam_sign" and action["params"]["purpose"] == "destruction"
    with pytest.raises(RpcError) as refused:
        member.call("mchs.bodycam.destruction", "action_sign", [act_id], "destruction", cms)
    assert refused.value.name == "odoo.exceptions.UserError"
    logged = refusals(mchs, act_id)
    assert len(logged) == before + 1, "the refused attempt survives the request's rollback"
    author = mchs.query(DB, "SELECT p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                            "WHERE u.login = 'bc.commission'")[0][0]
    assert logged[-1][1] == author, "written as the member who tried, not as the superuser"
    assert mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_signature")[0][0] == stored
    assert mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_destruction_confirmation "
                          "WHERE destruction_id = %s", (act_id,))[0][0] == 0


def test_a_refused_desk_signature_leaves_no_row_and_stays_on_the_bodycam(server, mchs):
    """The desk setting (issue 13): the inspector's receipt signed with garbage is refused with
    its request; no row is written, the bodycam stays available, and the attempt stays in the
    bodycam's chatter, written as the responsible person at the desk."""
    mchs.query(DB, "UPDATE res_company SET bodycam_sign_desk = TRUE RETURNING id")
    camera_id, seal = mchs.query(DB, """
        SELECT c.id, c.seal_number FROM mchs_bodycam_camera c
          JOIN hr_department d ON d.id = c.department_id AND d.bodycam_code = 'ALM'
         WHERE c.state = 'available' AND c.seal_number IS NOT NULL
           AND EXISTS (SELECT 1 FROM mchs_bodycam_card card WHERE card.camera_id = c.id) ORDER BY c.id LIMIT 1""")[0]
    badge = mchs.query(DB, """
        SELECT e.barcode FROM hr_employee e JOIN hr_department d ON d.id = e.department_id AND d.bodycam_code = 'ALM'
         WHERE e.barcode IS NOT NULL AND e.identification_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM mchs_bodycam_custody c WHERE c.inspector_id = e.id AND c.state = 'issued'
                  AND c.struck IS NOT TRUE) ORDER BY e.id LIMIT 1""")[0][0]
    rows = "SELECT count(*) FROM mchs_bodycam_custody"
    before = (mchs.query(DB, rows)[0][0], mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_signature")[0][0])
    desk = Client(server, DB, "bc.responsible")
    args = [camera_id, badge_payload(mchs, badge), dict(CHECKS, check_seal_number=seal)]
    request = desk.call("mchs.bodycam.custody", "desk_issue", *args)["sign"]
    assert request["data"] and request["moment"], request
    with pytest.raises(RpcError) as refused:
        desk.call("mchs.bodycam.custody", "desk_issue", *args, "not a signature", request["moment"])
    assert refused.value.name == "odoo.exceptions.UserError"
    assert (mchs.query(DB, rows)[0][0], mchs.query(DB, "SELECT count(*) FROM mchs_bodycam_signature")[0][0]) == before
    assert mchs.query(DB, "SELECT state FROM mchs_bodycam_camera WHERE id = %s", (camera_id,)) == [("available",)]
    logged = mchs.query(DB, """
        SELECT p.name FROM mail_message m JOIN res_partner p ON p.id = m.author_id
         WHERE m.model = 'mchs.bodycam.camera' AND m.res_id = %s AND m.body LIKE %s""",
                        (camera_id, "%Signature refused%"))
    author = mchs.query(DB, "SELECT p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                            "WHERE u.login = 'bc.responsible'")[0][0]
    assert logged == [(author,)], logged
