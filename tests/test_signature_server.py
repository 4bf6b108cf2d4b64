"""Issue 13 against a real Odoo server (--workers 2) on a copy of the demo database.

What the addon's suite cannot show, because its tests share one transaction: a refused signature
is rolled back with its request, yet its attempt stays in the document's chatter, written by the
real user; and nothing of it is stored. The demo users call JSON-RPC with their password
(= login), as the web client does.
"""
import pytest

from live import Client, RpcError, demo_copy, odoo_server

DB = "mchs_signature"


@pytest.fixture(scope="module")
def server(mchs, tmp_path_factory):
    """The demo with qualified signing turned on, served with two HTTP workers."""
    with demo_copy(mchs, DB, str(tmp_path_factory.mktemp("storage"))):
        mchs.query(DB, "UPDATE res_company SET bodycam_signing = TRUE RETURNING id")
        with odoo_server(mchs, DB, str(tmp_path_factory.mktemp("log"))) as base_url:
            yield base_url


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
