"""Journal rows that outlive the refusal they record (items 6, 13).

A refusal usually ends its request with an error, and Odoo rolls the request's transaction
back: a journal row written in it would vanish with it. ``write_apart`` writes such a row
through a cursor of its own, committed at once, before the refusal is raised.
"""
import logging
import threading

import psycopg2.errors

from odoo.modules import module as odoo_module

_logger = logging.getLogger(__name__)


def write_apart(env, write, advisory_lock=None):
    """Run ``write(env)`` in a transaction of its own and commit it; return its result, which
    must be plain values (ids), not records: that transaction's cursor is closed afterwards.

    ``advisory_lock`` is the ``(key1, key2)`` of the transaction-level advisory lock ``write``
    takes, if any. When the current transaction already holds it, or the other transaction
    would wait for one of its locks, ``write`` runs in the current transaction instead (the row
    is then kept only if the current transaction commits)."""
    if not _apart_possible(env, advisory_lock):
        return write(env)
    try:
        with env.registry.cursor() as cr:
            # each statement sees what other transactions committed: a journal's next row
            # follows the last committed one, not a snapshot taken before its lock was granted
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            # a lock the current transaction holds would never be released while we wait
            cr.execute("SET LOCAL lock_timeout = '3s'")
            return write(env(cr=cr))
    except psycopg2.errors.LockNotAvailable:
        _logger.warning("journal row written in the refused transaction: a lock it holds is needed")
        return write(env)


def _apart_possible(env, advisory_lock):
    # In TransactionCase tests the registry is not in test mode: a new cursor is a real separate
    # connection that cannot see the test's uncommitted rows and would wait on its locks. Tests
    # therefore write in their own transaction; tests/test_integrity_server.py proves the real
    # behaviour (the row survives the refused request) against a running server. Odoo's test
    # runner sets current_test, pytest-odoo (before Odoo 19) only the thread's testing flag, and
    # HttpCase puts the registry in test mode.
    if odoo_module.current_test or getattr(threading.current_thread(), "testing", False) \
            or env.registry.in_test_mode():
        return False
    # while a module installs or upgrades, what the row refers to is not committed yet
    if not env.registry.ready:
        return False
    if advisory_lock:
        env.cr.execute("""
            SELECT 1 FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
               AND classid = %s AND objid = %s AND objsubid = 2
        """, list(advisory_lock))
        if env.cr.fetchone():
            return False
    return True
