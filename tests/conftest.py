"""Top-level tests of the mchs_bodycam project (plain pytest, outside the addon).

They run against the throwaway PostgreSQL cluster and the databases that
``make test`` (tools/test.sh) prepares, described by environment variables.
"""
import configparser
import os
import subprocess
from dataclasses import dataclass

import psycopg2
import pytest

REQUIRED_ENV = (
    "MCHS_ODOO_CONF",
    "MCHS_DB_DEMO",
    "MCHS_DB_NODEMO",
    "MCHS_PG_PORT",
    "MCHS_PG_HOST",
    "MCHS_PG_BIN",
    "ODOO_BIN",
    "MCHS_ADDONS_PATH",
)

# demo users created by the addon's demo data (password = login)
DEMO_LOGINS = ("bc.inspector", "bc.responsible", "bc.head", "bc.deputy", "bc.commission", "bc.admin")


@dataclass(frozen=True)
class Env:
    conf: str
    db_demo: str
    db_nodemo: str
    pg_host: str
    pg_port: int
    pg_bin: str
    odoo_bin: str
    addons_path: str
    module: str

    def connect(self, dbname):
        conn = psycopg2.connect(host=self.pg_host, port=self.pg_port, user="odoo", dbname=dbname)
        conn.autocommit = True
        return conn

    def query(self, dbname, sql, params=None):
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cr:
                cr.execute(sql, params)
                return cr.fetchall()
        finally:
            conn.close()

    def execute(self, sql, dbname="postgres"):
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cr:
                cr.execute(sql)
        finally:
            conn.close()

    @property
    def data_dir(self):
        cp = configparser.RawConfigParser()
        cp.read(self.conf, encoding="utf-8")
        return cp.get("options", "data_dir")

    def run_odoo(self, *args, stdin=None, timeout=1800):
        return subprocess.run(
            ["python3", self.odoo_bin, *args],
            input=stdin, capture_output=True, text=True, timeout=timeout,
        )


def pytest_configure(config):
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            "tests/ needs the databases prepared by the harness; run `make test` "
            "(missing environment variables: %s)" % ", ".join(missing)
        )


@pytest.fixture(scope="session")
def mchs():
    e = os.environ
    return Env(
        conf=e["MCHS_ODOO_CONF"],
        db_demo=e["MCHS_DB_DEMO"],
        db_nodemo=e["MCHS_DB_NODEMO"],
        pg_host=e["MCHS_PG_HOST"],
        pg_port=int(e["MCHS_PG_PORT"]),
        pg_bin=e["MCHS_PG_BIN"],
        odoo_bin=e["ODOO_BIN"],
        addons_path=e["MCHS_ADDONS_PATH"],
        module=e.get("MCHS_MODULE", "mchs_bodycam"),
    )


@pytest.fixture(scope="session")
def dock_server(mchs):
    """A real Odoo server with workers for the dock API tests (see dock_server.py); resumable
    uploads above 64 MB are checked in the background."""
    from dock_server import DockServer

    server = DockServer(mchs, storage_settings={"verify_inline_mb": 64}).create()
    try:
        yield server.start()
    finally:
        server.drop()
