"""Query plans and times of the recordings list, a camera/date search and the retention count.

    python3 bench/bench_recording_queries.py -c <odoo config> -d <database with mchs_bodycam>
        [--rows 1000000] [--keep]

Inside one transaction: creates a unit, its storage server (two new temp directories), 50
bodycams, bulk-inserts N recordings of that unit with one INSERT ... SELECT generate_series
(starts spread evenly over the last 4 years, in id order as ingest would store them; cameras
cycled; every 250th recording held by a legal basis, every 1000th (offset) linked to a released
one), ANALYZEs, then times each query (median of 5 runs after one warm-up) and prints the scan
nodes of EXPLAIN (ANALYZE, BUFFERS). When a query scans the whole recordings table where an
index would help, it says so, and measures the query again with that index created inside the
transaction (dropped again right after; the addon is not changed). Everything is rolled back at
the end unless --keep. Runs as the superuser: record rules are not applied.
"""
import argparse
import secrets
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

TABLE = "mchs_bodycam_recording"
HOLD_EVERY = 250          # recording i is held when i % 250 == 0
RELEASED_EVERY = 1000     # ... linked to a released basis (only) when i % 1000 == 125
RELEASED_OFFSET = 125
RUNS = 5


class Recorder:
    """Records the SQL a callable sends, by wrapping the cursor's execute on the instance."""

    def __init__(self, cr):
        self.cr = cr
        self.queries = []

    def __call__(self, func):
        original = self.cr.execute

        def execute(query, params=None, log_exceptions=True):
            self.queries.append((query, params))
            return original(query, params, log_exceptions)

        self.cr.execute = execute
        try:
            return func()
        finally:
            del self.cr.execute  # back to the class's method


def as_text(cr, query, params):
    if isinstance(query, SQL):
        query, params = query.code, query.params
    return cr.mogrify(query, params).decode()


def build(env, rows, dirs):
    cr = env.cr
    code = "QB" + secrets.token_hex(3).upper()
    unit = env["hr.department"].create({"name": f"Query bench {code}", "bodycam_code": code})
    storage = env["mchs.bodycam.storage"].create({
        "name": f"Query bench {code}", "department_id": unit.id,
        "primary_path": dirs[0], "backup_path": dirs[1]})
    cameras = env["mchs.bodycam.camera"].create([{"department_id": unit.id} for _ in range(50)])
    env.flush_all()
    salt = secrets.token_hex(4)
    now = datetime.now().replace(microsecond=0)
    t0 = now - relativedelta(years=4)
    span = (now - t0).total_seconds()
    start = time.perf_counter()
    # start: evenly from t0 to now in id order plus up to 6 h of jitter; device clock off by
    # -60..+59 s; 5-64 minutes long; received 1-24 h after the end; 50 MB - 2 GB.
    cr.execute(SQL("""
        INSERT INTO mchs_bodycam_recording
            (sha256, size, storage_id, department_id, company_id, camera_id, filename,
             device_start, device_end, start, "end", received_at, create_uid, write_uid, create_date, write_date,
             state)
        SELECT md5(%(salt)s || i) || md5(i || %(salt)s),
               50000000 + mod(i::bigint * 7919, 1950000000),
               %(storage)s, %(unit)s, %(company)s,
               (%(cameras)s::int[])[1 + mod(i, 50)],
               'REC_' || lpad(i::text, 8, '0') || '.mp4',
               s.start + make_interval(secs => mod(i, 120) - 60),
               s.start + make_interval(secs => mod(i, 120) - 60) + make_interval(mins => 5 + mod(i, 60)),
               s.start,
               s.start + make_interval(mins => 5 + mod(i, 60)),
               s.start + make_interval(mins => 5 + mod(i, 60)) + make_interval(hours => 1 + mod(i, 24)),
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC', 'stored'
          FROM generate_series(1, %(rows)s) AS i,
               LATERAL (SELECT %(t0)s::timestamp
                               + make_interval(secs => %(span)s * (i - 1) / %(rows)s)
                               + make_interval(secs => mod(i * 2654435761, 21600)::int) AS start) AS s
         ORDER BY i
    """, salt=salt, storage=storage.id, unit=unit.id, company=unit.company_id.id, cameras=cameras.ids,
        uid=env.uid, rows=rows, t0=t0, span=span))
    cr.execute(SQL("SELECT min(id) FROM mchs_bodycam_recording WHERE storage_id = %s", storage.id))
    first_id = cr.fetchone()[0]
    inserted = time.perf_counter() - start

    # legal bases: four held ones sharing every 250th recording, one released one
    held_ids = list(range(first_id - 1 + HOLD_EVERY, first_id + rows - 1 + 1, HOLD_EVERY))
    released_ids = list(range(first_id - 1 + RELEASED_OFFSET, first_id + rows - 1 + 1, RELEASED_EVERY))
    Evidence = env["mchs.bodycam.evidence"].with_context(tracking_disable=True, mail_notrack=True)
    base = {"department_id": unit.id, "basis_type": "request", "basis_date": now.date(),
            "issuing_body": "Query bench", "recipient": "court"}
    chunks = [held_ids[k::4] for k in range(4)]
    evidences = Evidence.create([dict(base, basis_number=f"QB-{k}", recording_ids=[(6, 0, chunk)])
                                 for k, chunk in enumerate(chunks) if chunk])
    released = Evidence.create(dict(base, basis_number="QB-released", recording_ids=[(6, 0, released_ids)]))
    released.action_release()
    env.flush_all()
    start2 = time.perf_counter()
    cr.execute(f"ANALYZE {TABLE}")
    cr.execute("ANALYZE mchs_bodycam_evidence_recording_rel")
    cr.execute("ANALYZE mchs_bodycam_evidence")
    analyzed = time.perf_counter() - start2
    print(f"generated {rows:,} recordings of unit {code} (id {unit.id}), 50 bodycams, "
          f"{len(held_ids):,} held by {len(evidences)} bases, {len(released_ids):,} linked to a released one")
    print(f"  INSERT ... SELECT generate_series: {inserted:.1f} s; evidence + ANALYZE: "
          f"{time.perf_counter() - start - inserted - analyzed:.1f} s + {analyzed:.1f} s; "
          f"total {time.perf_counter() - start:.1f} s")
    cr.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{TABLE}')), pg_size_pretty(pg_relation_size('{TABLE}'))")
    total, heap = cr.fetchone()
    print(f"  table {TABLE}: {heap} heap, {total} with indexes")
    return unit, cameras, now, first_id, set(held_ids)


def explain(cr, text):
    cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + text)
    return [row[0] for row in cr.fetchall()]


def measure(env, label, func, show_sql=False):
    """Median wall time of func over RUNS runs after one warm-up, and the plan of each query
    it sent that reads the recordings table."""
    cr = env.cr
    env.invalidate_all()
    recorder = Recorder(cr)
    result = recorder(func)
    times = []
    for _ in range(RUNS):
        env.invalidate_all()
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    print(f"\n{label}")
    print(f"  median {statistics.median(times):.1f} ms (runs: {', '.join(f'{t:.1f}' for t in times)}); "
          f"{len(recorder.queries)} SQL quer{'y' if len(recorder.queries) == 1 else 'ies'}; result {result!r}")
    seq_scans = []
    for query, params in recorder.queries:
        text = as_text(cr, query, params)
        if TABLE not in text:
            continue
        if show_sql:
            print("  SQL: " + " ".join(text.split()))
        plan = explain(cr, text)
        for line in plan:
            if line is plan[0] or "->" in line or "SubPlan" in line or "Sort Method" in line \
                    or "Rows Removed" in line or "Execution Time" in line:
                print("   |" + line)
            if f"Seq Scan on {TABLE}" in line:
                seq_scans.append(line.strip())
    return statistics.median(times), result, seq_scans


def try_index(env, label, ddl, func):
    """Create a candidate index inside the transaction, measure again, drop it."""
    cr = env.cr
    started = time.perf_counter()
    cr.execute(ddl)
    cr.execute(f"ANALYZE {TABLE}")
    print(f"\n  what-if: {ddl} (built in {time.perf_counter() - started:.1f} s, dropped after)")
    median, _result, seq = measure(env, f"{label} WITH THAT INDEX", func)
    cr.execute("DROP INDEX bench_whatif_idx")
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="commit the generated data instead of rolling back")
    parser.add_argument("--no-whatif", action="store_true", help="do not measure the recommended indexes")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config])
    dirs = [tempfile.mkdtemp(prefix="bq-primary-"), tempfile.mkdtemp(prefix="bq-backup-")]
    recommendations = []
    try:
        with Registry(args.database).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT version()")
            print(cr.fetchone()[0].split(",")[0])
            unit, cameras, now, first_id, held = build(env, args.rows, dirs)
            Recording = env["mchs.bodycam.recording"]
            print(f"model default order: {Recording._order!r}")

            # (a) the list view
            def list_view():
                return len(Recording.search_fetch([("department_id", "=", unit.id)],
                                                  ["camera_id", "start", "end", "size"],
                                                  limit=80, order="device_start desc, id desc"))
            label_a = "(a) list: search_fetch(department_id = unit, limit 80, order device_start desc, id desc)"
            a_ms, _r, a_seq = measure(env, label_a, list_view, show_sql=True)
            if a_seq:
                recommendations.append((
                    label_a, a_seq,
                    "no index serves ORDER BY device_start DESC, id DESC: every list page of a unit reads and "
                    "sorts all its recordings. Recommend index (department_id, device_start DESC, id DESC) "
                    "(or at least device_start).",
                    f"CREATE INDEX bench_whatif_idx ON {TABLE} (department_id, device_start DESC, id DESC)",
                    list_view, a_ms))

            # (b) one bodycam, one month
            camera = cameras[7]
            month_start = (now - relativedelta(years=2)).replace(day=1, hour=0, minute=0, second=0)
            month_end = month_start + relativedelta(months=1)

            def camera_month():
                return len(Recording.search([("camera_id", "=", camera.id), ("start", ">=", month_start),
                                             ("start", "<", month_end)]))
            label_b = f"(b) search(camera_id = one bodycam, {month_start:%Y-%m-%d} <= start < {month_end:%Y-%m-%d})"
            b_ms, b_count, b_seq = measure(env, label_b, camera_month, show_sql=True)
            if b_seq:
                recommendations.append((label_b, b_seq, "Recommend index (camera_id, start).",
                                        f"CREATE INDEX bench_whatif_idx ON {TABLE} (camera_id, start)",
                                        camera_month, b_ms))

            # (c) retention: the application's own domain (item 12: 3 years, not on legal hold)
            domain = Recording._retention_due_domain(now.date(), unit.company_id) + [("department_id", "=", unit.id)]
            cutoff = next(value for name, _op, value in domain if name == "start")

            def retention_orm():
                return Recording.search_count(domain)
            label_c = f"(c1) retention, ORM search_count(_retention_due_domain(today) + unit: start < {cutoff:%Y-%m-%d})"
            c_ms, c_orm, c_seq = measure(env, label_c, retention_orm, show_sql=True)

            raw = SQL("""
                SELECT count(*) FROM mchs_bodycam_recording r
                 WHERE r.department_id = %s AND r.start < %s AND r.state = 'stored'
                   AND NOT EXISTS (SELECT 1 FROM mchs_bodycam_evidence_recording_rel rel
                                     JOIN mchs_bodycam_evidence e ON e.id = rel.evidence_id
                                    WHERE rel.recording_id = r.id AND e.state = 'held')
            """, unit.id, cutoff)

            def retention_sql():
                cr.execute(raw)
                return cr.fetchone()[0]
            label_c2 = "(c2) retention, raw SQL count(*) ... AND NOT EXISTS (held basis)"
            c2_ms, c_sql, c2_seq = measure(env, label_c2, retention_sql)

            # on_legal_hold's _search: check it against what was generated
            cr.execute(SQL("SELECT count(*) FROM mchs_bodycam_recording WHERE department_id = %s AND start < %s",
                           unit.id, cutoff))
            old = cr.fetchone()[0]
            cr.execute(SQL("""SELECT count(*) FROM mchs_bodycam_recording
                               WHERE department_id = %s AND start < %s AND id = ANY(%s)""",
                           unit.id, cutoff, sorted(held)))
            old_held = cr.fetchone()[0]
            held_orm = Recording.search_count([("department_id", "=", unit.id), ("on_legal_hold", "=", True)])
            sample_released = Recording.browse(first_id - 1 + RELEASED_OFFSET)
            sample_held = Recording.browse(first_id - 1 + HOLD_EVERY)
            ok = (c_orm == c_sql == old - old_held and held_orm == len(held)
                  and not sample_released.on_legal_hold and sample_held.on_legal_hold)
            print(f"\non_legal_hold check: {'OK' if ok else 'MISMATCH'} — recordings before the cutoff {old:,}, "
                  f"of them held {old_held:,}; due: ORM {c_orm:,}, SQL {c_sql:,}, expected {old - old_held:,}; "
                  f"ORM on_legal_hold = True: {held_orm:,} (expected {len(held):,}); released-only recording "
                  f"held: {sample_released.on_legal_hold}")
            if c_seq or c2_seq:
                recommendations.append((
                    label_c, c_seq + c2_seq,
                    "the retention count reads the whole table; with several units in the table an index "
                    "(department_id, start) lets it read only the unit's old rows. Here all rows are of one "
                    "unit and a quarter of them are due, so the gain measured below is the lower bound.",
                    f"CREATE INDEX bench_whatif_idx ON {TABLE} (department_id, start)",
                    retention_orm, c_ms))

            print("\n=== summary ===")
            print(f"(a) list page           {a_ms:8.1f} ms")
            print(f"(b) camera + month      {b_ms:8.1f} ms ({b_count} recordings)")
            print(f"(c1) retention ORM      {c_ms:8.1f} ms ({c_orm:,} due)")
            print(f"(c2) retention raw SQL  {c2_ms:8.1f} ms ({c_sql:,} due)")
            if not recommendations:
                print("no sequential scan of the recordings table: no index recommended")
            for label, seq, text, ddl, func, before in recommendations:
                print(f"\nRECOMMENDATION for {label}:\n  {seq[0]}\n  {text}")
                if not args.no_whatif:
                    after = try_index(env, label, ddl, func)
                    print(f"  => {before:.1f} ms without, {after:.1f} ms with {ddl.split(' ON ')[1]}")

            if args.keep:
                cr.commit()
                print(f"\nkept: unit {unit.bodycam_code} (id {unit.id}); storage directories {dirs[0]}, {dirs[1]}")
            else:
                cr.rollback()
                print("\nrolled back")
    finally:
        if not args.keep:
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
