"""Issue 9, seals outside the database (items 9, 12, 13): ``odoo-bin bodycam_verify`` against a
copy of the demo database, whose units were sealed every evening, at the destruction, the audit
and the closing of last year's book. Each attack is made the way Odoo's own database role can,
in a database that is not hardened (the role owns the tables, so it can switch their locks off):
the command names the unit and the kind of finding and exits 1; a clean database exits 0."""
import hashlib
import json
import os

import psycopg2
import pytest
from live import demo_copy, odoo_command

DB = "mchs_seals"
ACCESS_FIELDS = ["department_id", "recording_id", "sha256", "inventory_text", "inspector_name", "user_id",
                 "action", "purpose", "remote_addr", "accessed_at", "result", "refusal"]
BASIS = "legal_basis_id"


@pytest.fixture
def demo(mchs, tmp_path):
    with demo_copy(mchs, DB, str(tmp_path)):
        yield


def verify(mchs, *args):
    result = odoo_command(mchs, "bodycam_verify", "-c", mchs.conf, "-d", DB, *args)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return result.returncode, [line.split("\t") for line in result.stdout.splitlines()]


def as_odoo_role(mchs, *statements):
    """SQL as Odoo's own database role, which owns the tables of a database not hardened."""
    connection = psycopg2.connect(host=mchs.pg_host, port=mchs.pg_port, user="odoo", dbname=DB)
    try:
        with connection, connection.cursor() as cursor:
            for statement, params in statements:
                cursor.execute(statement, params)
    finally:
        connection.close()


def kinds(findings):
    return {(unit, kind) for unit, kind, *_detail in findings}


def test_a_clean_database_verifies(mchs, demo):
    code, findings = verify(mchs, "--files")
    assert (code, findings) == (0, [])
    code, findings = verify(mchs, "--unit", "ALM")
    assert (code, findings) == (0, [])


def test_deleting_the_newest_access_row_is_found(mchs, demo):
    as_odoo_role(mchs, ("ALTER TABLE mchs_bodycam_access DISABLE TRIGGER mchs_bodycam_access_lock", None),
                 ("DELETE FROM mchs_bodycam_access WHERE id = (SELECT max(id) FROM mchs_bodycam_access)", None))
    code, findings = verify(mchs)
    assert code == 1
    assert ("ALM", "access_missing") in kinds(findings), findings


def test_rows_rewritten_with_their_hashes_recomputed_are_found(mchs, demo):
    """Two rows' purposes rewritten and the whole chain after them recomputed: the chain verifies
    again, but its head at the sealed length is not the sealed one."""
    connection = psycopg2.connect(host=mchs.pg_host, port=mchs.pg_port, user="odoo", dbname=DB)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("ALTER TABLE mchs_bodycam_access DISABLE TRIGGER mchs_bodycam_access_lock")
            cursor.execute(f"SELECT id, previous_hash, {', '.join(ACCESS_FIELDS + [BASIS])} FROM mchs_bodycam_access "
                           "WHERE department_id = (SELECT id FROM hr_department WHERE bodycam_code = 'ALM') "
                           "ORDER BY sequence")
            rows = cursor.fetchall()
            assert len(rows) >= 3
            previous = rows[0][1]
            for index, (row_id, _previous, *values) in enumerate(rows):
                values = dict(zip(ACCESS_FIELDS + [BASIS], values))
                if index in (0, 1):
                    values["purpose"] = "nothing to see"
                # a download's legal basis is chained too (item 22)
                names = ACCESS_FIELDS + ([BASIS] if values[BASIS] else [])
                content = json.dumps([str(values[name] or "") for name in names], ensure_ascii=False)
                digest = hashlib.sha256(f"{previous}|{content}".encode()).hexdigest()
                cursor.execute("UPDATE mchs_bodycam_access SET purpose = %s, previous_hash = %s, hash = %s "
                               "WHERE id = %s", (values["purpose"], previous, digest, row_id))
                previous = digest
    finally:
        connection.close()
    code, findings = verify(mchs)
    assert code == 1
    assert ("ALM", "access_rewritten") in kinds(findings), findings
    assert ("ALM", "access_chain") not in kinds(findings), "the rewritten chain verifies on its own"


def test_truncating_the_journals_is_found(mchs, demo):
    as_odoo_role(mchs, ("ALTER TABLE mchs_bodycam_access DISABLE TRIGGER USER", None),
                 ("ALTER TABLE mchs_bodycam_custody_log DISABLE TRIGGER USER", None),
                 ("ALTER TABLE mchs_bodycam_audit_finding DISABLE TRIGGER USER", None),
                 ("TRUNCATE mchs_bodycam_access, mchs_bodycam_custody_log CASCADE", None))
    code, findings = verify(mchs)
    assert code == 1
    assert {("ALM", "access_missing"), ("ALM", "custody_missing"), ("KOM", "custody_missing")} <= kinds(findings)


def test_a_journal_row_changed_behind_the_application_is_found(mchs, demo):
    as_odoo_role(mchs, ("ALTER TABLE mchs_bodycam_custody DISABLE TRIGGER mchs_bodycam_custody_lock", None),
                 ("UPDATE mchs_bodycam_custody SET issue_datetime = issue_datetime - interval '3 hours' "
                  "WHERE id = (SELECT min(id) FROM mchs_bodycam_custody WHERE state = 'closed')", None))
    code, findings = verify(mchs)
    assert code == 1
    assert ("ALM", "custody_changed") in kinds(findings), findings


def test_a_changed_copy_is_found_with_files(mchs, demo):
    primary, sha256 = mchs.query(DB, """
        SELECT s.primary_path, r.sha256 FROM mchs_bodycam_recording r JOIN mchs_bodycam_storage s
            ON s.id = r.storage_id WHERE r.state = 'stored' ORDER BY r.id LIMIT 1""")[0]
    path = f"{primary}/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    os.chmod(path, 0o600)
    with open(path, "ab") as handle:
        handle.write(b"appended")
    assert verify(mchs)[0] == 0, "without --files the copies are not read"
    code, findings = verify(mchs, "--files")
    assert code == 1
    assert ("ALM", "file_changed") in kinds(findings), findings


def test_an_unknown_unit_is_a_usage_error(mchs, demo):
    result = odoo_command(mchs, "bodycam_verify", "-c", mchs.conf, "-d", DB, "--unit", "NOPE")
    assert result.returncode == 2, result.stderr[-2000:]
