"""Installation-level checks on the databases built by ``make test``."""
import os
import shutil

import pytest

from conftest import DEMO_LOGINS

MODULE = "mchs_bodycam"


def module_state(mchs, db):
    rows = mchs.query(db, "SELECT state FROM ir_module_module WHERE name = %s", (MODULE,))
    return rows[0][0] if rows else None


def table_exists(mchs, db, table):
    rows = mchs.query(db, "SELECT to_regclass(%s) IS NOT NULL", (table,))
    return rows[0][0]


def count(mchs, db, table):
    return mchs.query(db, 'SELECT count(*) FROM "%s"' % table)[0][0]


@pytest.mark.parametrize("which", ["db_demo", "db_nodemo"])
def test_module_installed(mchs, which):
    db = getattr(mchs, which)
    assert module_state(mchs, db) == "installed", f"{MODULE} is not installed in {db}"


@pytest.mark.parametrize("which", ["db_demo", "db_nodemo"])
def test_no_module_left_half_installed(mchs, which):
    db = getattr(mchs, which)
    rows = mchs.query(
        db,
        "SELECT name, state FROM ir_module_module "
        "WHERE state IN ('to install', 'to upgrade', 'to remove')",
    )
    assert rows == [], f"modules left in a transient state in {db}: {rows}"


def test_demo_data_loaded(mchs):
    cameras = count(mchs, mchs.db_demo, "mchs_bodycam_camera")
    cards = count(mchs, mchs.db_demo, "mchs_bodycam_card")
    assert cameras >= 12, f"only {cameras} demo cameras in {mchs.db_demo}"
    assert cards >= 24, f"only {cards} demo memory cards in {mchs.db_demo}"


def test_demo_is_the_ministry_with_only_its_units(mchs):
    """Issue 12, point 9: the demo company is the ministry, and no sample department of Odoo's hr
    module shows in the product's lists: every active department is a unit with a bodycam code."""
    assert mchs.query(mchs.db_demo, "SELECT name FROM res_company") == [
        ("Қазақстан Республикасы Төтенше жағдайлар министрлігі",)]
    foreign = mchs.query(mchs.db_demo, "SELECT name->>'en_US' FROM hr_department WHERE active AND bodycam_code IS NULL")
    assert foreign == [], foreign


def test_demo_commission(mchs):
    """Items 12, 13: last year's commission with a completed act and audit, this year's act under review."""
    acts = mchs.query(mchs.db_demo, """
        SELECT commission.year, act.state, count(line.id) FILTER (WHERE line.excluded IS NOT TRUE)
          FROM mchs_bodycam_destruction act
          JOIN mchs_bodycam_commission commission ON commission.id = act.commission_id
          LEFT JOIN mchs_bodycam_destruction_line line ON line.destruction_id = act.id
         GROUP BY 1, 2 ORDER BY 1""")
    assert [(state, lines > 0) for _year, state, lines in acts] == [("done", True), ("draft", True)], acts
    destroyed = mchs.query(mchs.db_demo, """
        SELECT count(*) FROM mchs_bodycam_recording
         WHERE state = 'destroyed' AND destruction_id IS NOT NULL AND length(sha256) = 64""")[0][0]
    assert destroyed == acts[0][2], "every line of the completed act is a destroyed recording"
    audits = mchs.query(mchs.db_demo, "SELECT state, chain_ok FROM mchs_bodycam_audit")
    assert audits == [("done", True)], audits


def test_demo_signatures(mchs):
    """Issue 13: the demo signs with its own certification authority ("DEMO — not NCA RK"), trusted
    like NCA's: each member's confirmation of last year's act, the audit act, the item 9
    certification of last year's book, the evidence manifest, and for one day the inspectors' receipts and returns
    at the desk (Appendix 1, columns 4 and 5), in RSA and GOST 34.10-2015."""
    signatures = mchs.query(mchs.db_demo, """
        SELECT purpose, count(*), bool_and(certificate_issuer LIKE 'CN=DEMO — not NCA RK%%'),
               bool_and(data_sha256 = encode(sha256(decode(convert_from(data, 'UTF8'), 'base64')), 'hex'))
          FROM mchs_bodycam_signature GROUP BY 1 ORDER BY 1""")
    assert signatures == [("audit", 1, True, True), ("certification", 1, True, True), ("desk_issue", 2, True, True),
                          ("desk_return", 2, True, True), ("destruction", 3, True, True),
                          ("evidence", 1, True, True)], signatures
    algorithms = mchs.query(mchs.db_demo, "SELECT DISTINCT algorithm FROM mchs_bodycam_signature ORDER BY 1")
    assert algorithms == [("GOST34.10-2015-256",), ("RSA-SHA256",)], algorithms
    unsigned = mchs.query(mchs.db_demo, """
        SELECT count(*) FROM mchs_bodycam_destruction_confirmation confirmation
          JOIN mchs_bodycam_destruction act ON act.id = confirmation.destruction_id
         WHERE act.state = 'done' AND confirmation.signature_id IS NULL""")[0][0]
    assert unsigned == 0, "every confirmation of the completed act is a signature"
    desk = mchs.query(mchs.db_demo, """
        SELECT count(*) FROM mchs_bodycam_custody custody
          JOIN mchs_bodycam_signature signature ON signature.res_model = 'mchs.bodycam.custody'
               AND signature.res_id = custody.id AND signature.employee_id = custody.inspector_id
         WHERE custody.issue_confirmation = 'signature' AND custody.return_confirmation = 'signature'""")[0][0]
    assert desk == 4, "the desk's signed rows carry their inspector's receipt and return"
    trusted = mchs.query(mchs.db_demo, "SELECT subject FROM mchs_bodycam_trusted_certificate WHERE active ORDER BY id")
    assert all("DEMO — not NCA RK" in subject for subject, in trusted) and len(trusted) == 4, trusted


def test_no_demo_data_without_demo(mchs):
    assert count(mchs, mchs.db_nodemo, "mchs_bodycam_camera") == 0
    assert count(mchs, mchs.db_nodemo, "mchs_bodycam_card") == 0


def test_demo_users(mchs):
    rows = mchs.query(
        mchs.db_demo,
        "SELECT u.login, p.lang FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
        "WHERE u.login = ANY(%s)",
        (list(DEMO_LOGINS),),
    )
    found = dict(rows)
    assert sorted(found) == sorted(DEMO_LOGINS), f"demo users missing: {set(DEMO_LOGINS) - set(found)}"
    bad = {login: lang for login, lang in found.items() if lang not in ("kk_KZ", "ru_RU")}
    assert not bad, f"demo users with a language other than kk_KZ/ru_RU: {bad}"


def test_no_demo_users_without_demo(mchs):
    rows = mchs.query(mchs.db_nodemo, "SELECT login FROM res_users WHERE login = ANY(%s)",
                      (list(DEMO_LOGINS),))
    assert rows == []


UNINSTALL_SCRIPT = """
mod = env['ir.module.module'].search([('name', '=', 'mchs_bodycam')])
assert mod, 'module mchs_bodycam not found'
mod.button_immediate_uninstall()
env.cr.commit()
print('UNINSTALL-DONE')
"""


def test_uninstall_is_clean(mchs):
    db = "mchs_uninstall"
    filestore = os.path.join(mchs.data_dir, "filestore")
    mchs.execute(f'DROP DATABASE IF EXISTS "{db}"')
    mchs.execute(f'CREATE DATABASE "{db}" TEMPLATE "{mchs.db_demo}"')
    if os.path.isdir(os.path.join(filestore, mchs.db_demo)):
        shutil.copytree(os.path.join(filestore, mchs.db_demo), os.path.join(filestore, db))
    try:
        proc = mchs.run_odoo("shell", "-c", mchs.conf, "-d", db, "--no-http",
                             "--log-level=warn", stdin=UNINSTALL_SCRIPT)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"odoo-bin shell exited {proc.returncode}:\n{output[-4000:]}"
        assert "UNINSTALL-DONE" in proc.stdout, output[-4000:]
        bad = [line for line in output.splitlines()
               if " ERROR " in line or " CRITICAL " in line or "Traceback" in line]
        assert not bad, "errors while uninstalling:\n" + "\n".join(bad[:20]) + "\n" + output[-4000:]
        assert module_state(mchs, db) == "uninstalled"
        assert not table_exists(mchs, db, "mchs_bodycam_camera")
        assert not table_exists(mchs, db, "mchs_bodycam_card")
    finally:
        mchs.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(os.path.join(filestore, db), ignore_errors=True)


def test_demo_obeys_the_custody_rules(mchs):
    """Items 7, 23, issue 11: in the demo journals, no bodycam is out to two inspectors at once and
    no inspector holds two bodycams at once (struck rows hold nothing, item 9; a row closed by a loss
    or damage holds nothing from then on, item 23)."""
    for column in ("camera_id", "inspector_id"):
        overlaps = mchs.query(mchs.db_demo, f"""
            SELECT a.row_number, b.row_number
              FROM mchs_bodycam_custody a
              JOIN mchs_bodycam_custody b ON b.{column} = a.{column} AND b.id > a.id
             WHERE a.state <> 'draft' AND b.state <> 'draft' AND a.struck IS NOT TRUE AND b.struck IS NOT TRUE
               AND tsrange(a.issue_datetime, coalesce(a.return_datetime, a.closed_datetime, 'infinity'))
                   && tsrange(b.issue_datetime, coalesce(b.return_datetime, b.closed_datetime, 'infinity'))""")  # noqa: S608
        assert overlaps == [], f"rows sharing a {column} at the same time: {overlaps}"
    rows = mchs.query(mchs.db_demo, "SELECT count(*) FROM mchs_bodycam_custody WHERE state <> 'draft'")[0][0]
    assert rows > 20, "the demo has weeks of journal rows"
