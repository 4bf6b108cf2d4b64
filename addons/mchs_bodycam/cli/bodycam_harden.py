"""``odoo-bin bodycam_harden``: give the evidence and journal tables to an owner role of their own.

Run by a DBA (a PostgreSQL superuser), once after installing or upgrading the module (items 9,
12, 13, 14). Odoo's runtime role then keeps only what the workflows need on those tables:
SELECT, INSERT, UPDATE of the columns that may still change in some state, and DELETE where a
draft may be deleted. It no longer owns the tables, their triggers, the triggers' functions,
or the schema, so it can no longer disable or drop a lock, truncate, or rewrite or delete
evidence. ``--release`` gives everything back to Odoo's role, for a module upgrade.
"""
# pylint: disable=print-used  # an odoo-bin command: what it prints is its output
import argparse
import getpass
import sys

import psycopg2
from psycopg2 import sql

import odoo
from odoo.cli import Command

from ..models.mchs_bodycam_lock_mixin import ALL, AllBut


def hardened_tables(env):
    """{table: (columns Odoo may update, whether it may delete)} of every locked model and of
    its many2many tables, from the models' own lock declarations."""
    tables = {}
    for model in env.registry.values():
        if model._abstract or not hasattr(model, "_lock_changeable") or not model._lock_changeable:
            continue
        records = env[model._name]
        columns = {name for name, field in records._fields.items() if field.store and field.column_type}
        changeable = set()
        for names in model._lock_changeable.values():
            changeable |= columns if names == ALL or isinstance(names, AllBut) else set(names)
        tables[model._table] = (sorted((changeable & columns) | {"write_uid", "write_date"}),
                                bool(model._lock_deletable))
        for name in records._lock_many2many_fields():
            tables[records._fields[name].relation] = ([], True)
    return dict(sorted(tables.items()))


def lock_functions(cursor):
    cursor.execute(r"SELECT proname FROM pg_proc WHERE proname LIKE 'mchs\_bodycam\_%\_lock%'")
    return sorted(row[0] for row in cursor.fetchall())


class BodycamHarden(Command):
    """Give the bodycam evidence and journal tables to a separate owner role (items 9, 12, 13)"""

    name = "bodycam_harden"

    def run(self, args):
        parser = argparse.ArgumentParser(
            prog="odoo-bin bodycam_harden", description=self.__doc__,
            epilog="Other options (-c, --db_host, --db_port, -r/--db_user for Odoo's runtime role...) are Odoo's "
                   "own. Connects as --dba-user (a PostgreSQL superuser; password from PGPASSWORD).")
        parser.add_argument("-d", "--database", required=True)
        parser.add_argument("--owner", required=True, help="the role that will own the tables (created NOLOGIN)")
        parser.add_argument("--release", action="store_true",
                            help="give the tables back to Odoo's role (before a module upgrade)")
        parser.add_argument("--dba-user", default="postgres", help="the superuser to connect as (postgres)")
        options, odoo_args = parser.parse_known_args(args)
        odoo.tools.config.parse_config([*odoo_args, "-d", options.database])
        config = odoo.tools.config
        runtime_role = config["db_user"] or getpass.getuser()
        if options.owner == runtime_role:
            sys.exit("the owner role must not be Odoo's runtime role")
        registry = odoo.modules.registry.Registry(options.database)
        with registry.cursor() as cr:
            tables = hardened_tables(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
        connection = psycopg2.connect(dbname=options.database, user=options.dba_user,
                                      host=config["db_host"] or None, port=config["db_port"] or None)
        try:
            with connection, connection.cursor() as cursor:
                if options.release:
                    self._release(cursor, runtime_role, tables)
                else:
                    self._harden(cursor, options.database, options.owner, runtime_role, tables)
        finally:
            connection.close()
        action = "given back to" if options.release else "now owned by"
        print(f"{len(tables)} evidence and journal tables of {options.database} are {action} "
              f"{runtime_role if options.release else options.owner}")

    @staticmethod
    def _harden(cursor, database, owner, runtime, tables):
        owner_id, runtime_id, database_id = sql.Identifier(owner), sql.Identifier(runtime), sql.Identifier(database)
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(owner_id))
        # Owning the public schema (PostgreSQL 15 gives it to the database's owner) would let Odoo's
        # role drop any table in it: the owner role takes it; Odoo's role keeps creating its own
        # tables there. The database stays Odoo's role's: Odoo lists the databases its role owns.
        cursor.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
        cursor.execute(sql.SQL("GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {} TO {}").format(database_id, runtime_id))
        cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(runtime_id))
        for table, (columns, deletable) in tables.items():
            table_id = sql.Identifier(table)
            cursor.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(table_id, owner_id))
            cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(table_id, runtime_id))
            cursor.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(table_id, runtime_id))
            if columns:
                cursor.execute(sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), table_id, runtime_id))
            if deletable:
                cursor.execute(sql.SQL("GRANT DELETE ON {} TO {}").format(table_id, runtime_id))
            cursor.execute("""
                SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns
                 WHERE table_name = %s AND column_name = 'id'
            """, [table])
            sequence = cursor.fetchone()
            if sequence and sequence[0]:
                cursor.execute(sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(
                    sql.SQL(sequence[0]), runtime_id))
        for function in lock_functions(cursor):
            cursor.execute(sql.SQL("ALTER FUNCTION {}() OWNER TO {}").format(sql.Identifier(function), owner_id))

    @staticmethod
    def _release(cursor, runtime, tables):
        runtime_id = sql.Identifier(runtime)
        for table in tables:
            cursor.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(table), runtime_id))
        for function in lock_functions(cursor):
            cursor.execute(sql.SQL("ALTER FUNCTION {}() OWNER TO {}").format(sql.Identifier(function), runtime_id))
        cursor.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(runtime_id))
