"""Secrets that no user reads or writes through Odoo (items 5 ¶2, 6, 13).

The QR signing key, the storage servers' special passwords (as hashes) and the object
store's credentials live in one table that is not an Odoo model: no access right, record
rule or group, Odoo's administrator included, reaches it through JSON-RPC or the ORM, and
no screen shows it. Only the addon's private methods read and write it, with SQL.

Values are text; callers store JSON when they need structure. ``scope`` names the kind of
secret (``qr``, ``storage_password``, ``s3``...), ``name`` the record it belongs to.
"""

from odoo.tools import SQL

TABLE = "mchs_bodycam_vault"


def ensure_table(cr):
    """Create the table once (called from a model's ``init``)."""
    cr.execute(SQL("""
        CREATE TABLE IF NOT EXISTS %s (
            scope varchar NOT NULL,
            name varchar NOT NULL,
            value text NOT NULL,
            written_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
            written_by integer,
            PRIMARY KEY (scope, name)
        )
    """, SQL.identifier(TABLE)))


def put(cr, scope, name, value, uid=None):
    """Set the secret ``scope``/``name`` to ``value`` (replacing any previous one)."""
    cr.execute(f"""
        INSERT INTO {TABLE} (scope, name, value, written_by) VALUES (%s, %s, %s, %s)
        ON CONFLICT (scope, name) DO UPDATE
           SET value = EXCLUDED.value, written_by = EXCLUDED.written_by, written_at = now() AT TIME ZONE 'UTC'
    """, [scope, str(name), value, uid])


def setdefault(cr, scope, name, value, uid=None):
    """The secret ``scope``/``name``, set to ``value`` first if there is none yet; two
    transactions doing this at once end with the same (first committed) value."""
    cr.execute(f"""
        INSERT INTO {TABLE} (scope, name, value, written_by) VALUES (%s, %s, %s, %s)
        ON CONFLICT (scope, name) DO NOTHING
    """, [scope, str(name), value, uid])
    return get(cr, scope, name)


def get(cr, scope, name):
    """The secret's value, or None."""
    cr.execute(f"SELECT value FROM {TABLE} WHERE scope = %s AND name = %s", [scope, str(name)])
    row = cr.fetchone()
    return row[0] if row else None


def delete(cr, scope, name):
    cr.execute(f"DELETE FROM {TABLE} WHERE scope = %s AND name = %s", [scope, str(name)])
