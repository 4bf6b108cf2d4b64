"""Short committed transactions for the dock API (items 10, 11), which must lose nothing when
docks upload at once.

A dock's request stores bytes first and registers them in the database afterwards. If the
registration met a serialization failure inside Odoo's own request transaction, Odoo would run
the whole request again with its body already read. So the dock routes run their database steps
here instead: each step in a transaction of its own on the request's cursor, committed at once,
and run again on a fresh snapshot after a concurrency failure; the body is never needed again.
Steps that would collide (two registrations for one bodycam, two writers of one upload) are put
in line by session-level advisory locks, which commit and rollback do not release.

A caller that owns its transaction (loading demo data, a test) sets the context key
IN_CALLER_TRANSACTION: the steps then run in that transaction, neither committed nor rolled back.
"""
import random
import time
from contextlib import contextmanager

import psycopg2
from psycopg2 import errors

RETRIED = (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable)
TRIES = 8
# advisory lock namespaces (the first key of pg_advisory_lock(int, int)): Order 495, item 10
LOCK_UPLOAD = 49510
LOCK_CAMERA = 49511
IN_CALLER_TRANSACTION = "mchs_bodycam_in_caller_transaction"


class Busy(Exception):
    """Another request holds the lock asked for without waiting."""


def run_committed(env, step, unique=()):
    """Run ``step()`` on ``env``'s cursor in a transaction of its own and commit; returns what
    it returned. A serialization failure, a deadlock, or the violation of a unique constraint
    named in ``unique`` (a concurrent transaction inserted the same row first) rolls back and
    runs ``step`` again on a fresh snapshot, up to TRIES times with a short random pause.
    Anything else rolls back and is raised. Whatever the cursor did before is rolled back first:
    the caller has only read."""
    if env.context.get(IN_CALLER_TRANSACTION):
        return step()
    env.cr.rollback()
    for attempt in range(1, TRIES + 1):
        try:
            result = step()
            env.flush_all()
            env.cr.commit()
            return result
        except errors.UniqueViolation as error:
            env.cr.rollback()
            if error.diag.constraint_name not in unique or attempt == TRIES:
                raise
        except RETRIED:
            env.cr.rollback()
            if attempt == TRIES:
                raise
        except BaseException:
            env.cr.rollback()
            raise
        time.sleep(random.uniform(0, 0.02 * 2 ** attempt))
    raise AssertionError("unreachable")


@contextmanager
def advisory_lock(env, namespace, key, wait=True):
    """Hold the session-level advisory lock (namespace, key) on ``env``'s connection for the
    block. Without ``wait``, raise Busy at once when another session holds it. The block starts
    on a fresh snapshot (what was read before waiting may be stale)."""
    cr = env.cr
    if wait:
        cr.execute("SELECT pg_advisory_lock(%s, %s)", [namespace, key])
    else:
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        if not cr.fetchone()[0]:
            raise Busy(f"lock {namespace}/{key} is held")
    if not env.context.get(IN_CALLER_TRANSACTION):
        cr.rollback()
    try:
        yield
    finally:
        try:
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
        except psycopg2.Error:  # the block left its transaction failed
            cr.rollback()
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
