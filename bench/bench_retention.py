"""Retention (item 12) and the annual integrity audit (item 13) at scale: proposing the due
recordings among a million, a destruction act of a hundred thousand real files run by the
background job step by step, and the audit's re-hashing against coreutils sha256sum.

    python3 bench/bench_retention.py -c <odoo config> -d <new database name>
        [--recordings 1000000] [--destroy 100000] [--audit-files 200 --audit-mb 8]
        [--parts 1,2,3] [--slow-timeout 120] [--keep] [--reuse-db] [--folder /tmp] [--odoo-bin PATH]

The destruction commits and marks recordings destroyed for good (the database refuses to delete a
recording), so the script works in a throwaway database: it creates DB (it must not exist),
installs mchs_bodycam there without demo data (odoo-bin -i ... --stop-after-init) and drops it at
the end unless --keep. --reuse-db runs in an existing database instead and never drops it (what
it commits stays there). Its files live in a new directory under --folder (default the temp dir),
removed at the end unless --keep. Nothing is written to the repository.

1. Proposal among N recordings (--recordings): one unit with 50 bodycams, N recordings bulk-
   inserted with one INSERT ... SELECT generate_series (starts spread evenly over the last 4
   years in id order, as bench_recording_queries.py; every 250th held by a legal basis), committed
   and VACUUM ANALYZEd. Then, each a warm-up and the median of 5 runs with EXPLAIN (ANALYZE,
   BUFFERS) scan nodes: search_count of _retention_due_domain(today) for the unit, and the act's
   _propose() (the one INSERT ... SELECT of the due lines, each run in a savepoint rolled back).
   A sequential scan of the recordings table is reported, and unless --no-whatif the index that
   would serve is created inside a transaction, measured, and dropped (the addon is not changed).
   The lines table is left as the install leaves it (never analyzed). At the very end (1c, only
   in a database the script created): every destruction line deleted, the lines table VACUUM
   ANALYZEd while empty (what autovacuum does after a first act was cancelled), the INSERT's
   plan printed and _propose() timed again under a statement_timeout (--slow-timeout, 120 s).
   Autovacuum is off on the lines table during the run (its timing would pick the plan), reset
   at the end.
2. Destruction of M recordings (--destroy): another unit whose storage's two locations are
   folders under the run's directory; M random files of 1-4 KiB written with their real SHA-256
   names on both locations, registered by one INSERT ... SELECT unnest (all past retention). A
   commission (chairman = head, responsible person, anti-corruption officer, one member; users
   and employees of the unit) proposes the act, every member confirms it, then the job runs as
   ir.cron does: _process_step(BATCH_SIZE of the model) on a registry cursor, cr.commit() after
   each step. Prints the total, the steps, the time of each phase (moving aside / purging / final
   marking), the process's RSS growth (VmHWM reset through /proc/self/clear_refs), then checks
   that no file is left on either location and that M recordings are destroyed.
3. Audit throughput: a third unit with F files of S MiB (--audit-files, --audit-mb) on both
   locations. The commission's audit runs to completion (commit after each step) and
   `find <primary> <backup> -type f -print0 | xargs -0 sha256sum` reads the same files; both cold
   (`sync; echo 3 > /proc/sys/vm/drop_caches` before each, when the process may write it: root)
   and warm (files in the page cache). Prints the time, MiB/s and the ratio of each, and the
   time of the audit's phases. Also sha256sum with two processes (xargs -P 2), since the audit
   hashes the two copies of a recording on two threads.

No timed assertion anywhere: the script prints figures. Runs as the superuser except where a
member of the commission acts (new act/audit, confirmations, audit start).
"""
import argparse
import hashlib
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

import psycopg2
import psycopg2.errors
from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import SQL

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_recording_queries import TABLE, Recorder, as_text, explain, measure  # noqa: E402

RUNS = 5
HOLD_EVERY = 250
MIB = 1024 * 1024


# ---------------------------------------------------------------------------- helpers

def pg_connect(dbname):
    config = odoo.tools.config
    params = {"dbname": dbname, "host": config["db_host"], "port": config["db_port"],
              "user": config["db_user"], "password": config["db_password"]}
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value})
    conn.autocommit = True
    return conn


def pg_run(dbname, statement, params=None):
    conn = pg_connect(dbname)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def create_database(args):
    if pg_run("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]):
        if not args.reuse_db:
            sys.exit(f"database {args.database} exists: give a new name (the script creates and drops it), "
                     f"or --reuse-db to run in it and keep what the run commits")
        print(f"database {args.database}: existing, reused (not dropped)")
        return False
    started = time.perf_counter()
    pg_run("postgres", f'CREATE DATABASE "{args.database}" ENCODING \'unicode\' LC_COLLATE \'C\' TEMPLATE template0')
    command = [sys.executable, args.odoo_bin, "-c", args.config, "-d", args.database, "-i", "mchs_bodycam",
               "--without-demo=all", "--stop-after-init", "--log-level=warn"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:])
        drop_database(args.database)
        sys.exit("installing mchs_bodycam failed")
    print(f"database {args.database}: created, mchs_bodycam installed without demo data "
          f"({time.perf_counter() - started:.1f} s)")
    return True


def drop_database(name):
    Registry.delete(name)
    odoo.sql_db.close_db(name)
    pg_run("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"database {name}: dropped")


def vacuum_analyze(dbname, *tables):
    started = time.perf_counter()
    for table in tables:
        pg_run(dbname, f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def proc_status(key):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # MiB
    return 0.0


def write_proc(path, value):
    """Write to a /proc control file; False when not allowed (not root, old kernel)."""
    try:
        with open(path, "w") as handle:
            handle.write(value)
        return True
    except OSError:
        return False


def reset_peak_rss():
    """VmHWM back to the current RSS (Linux >= 4.0)."""
    return write_proc("/proc/self/clear_refs", "5")


def drop_page_cache():
    os.sync()
    return write_proc("/proc/sys/vm/drop_caches", "3\n")


def fmt_s(seconds):
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def new_code(prefix):
    return prefix + secrets.token_hex(3).upper()


def make_unit(env, prefix, folders, cameras=20):
    code = new_code(prefix)
    unit = env["hr.department"].create({"name": f"Retention bench {code}", "bodycam_code": code})
    storage = env["mchs.bodycam.storage"].create({
        "name": f"Retention bench {code}", "department_id": unit.id,
        "primary_path": folders[0], "backup_path": folders[1]})
    camera_ids = env["mchs.bodycam.camera"].create([{"department_id": unit.id} for _ in range(cameras)]).ids
    return unit, storage, camera_ids


def make_unit_with_commission(env, code, folders):
    """A unit with its storage and cameras, its complete commission, and the moment it was made."""
    unit, storage, camera_ids = make_unit(env, code, folders)
    commission, users = make_commission(env, unit)
    env.flush_all()
    return unit, storage, camera_ids, commission, users, datetime.now().replace(microsecond=0)


def make_commission(env, unit):
    """Item 12's commission of the unit for this year: the head chairs, the responsible person,
    the anti-corruption officer and one more member, each a user of the unit in the right group."""
    code = unit.bodycam_code.lower()
    seats = [("chairman", "head"), ("responsible", "responsible"), ("anti_corruption", "commission"),
             ("member", "commission")]
    users, members = {}, []
    for role, group in seats:
        login = f"bench.{code}.{role}"
        user = env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login,
            "groups_id": [(6, 0, env.ref(f"mchs_bodycam.group_bodycam_{group}").ids)]})
        employee = env["hr.employee"].create({"name": login, "user_id": user.id, "department_id": unit.id})
        users[role] = user
        members.append((0, 0, {"employee_id": employee.id, "role": role}))
    commission = env["mchs.bodycam.commission"].create({
        "department_id": unit.id, "year": fields.Date.context_today(env["res.users"]).year,
        "decision": "bench", "member_ids": members})
    commission._check_can_act()
    return commission, users


def insert_recordings(env, unit, storage, camera_ids, t0, t1, shas=None, sizes=None, rows=None):
    """One INSERT ... SELECT: either ``rows`` generated recordings (sha256 md5()||md5(), 50 MB -
    2 GB), or one per given (sha256, size); starts spread evenly from t0 to t1 in id order plus up
    to 6 h of jitter, 5-64 minutes long, device clock off by -60..+59 s. Returns the first id."""
    cr = env.cr
    salt = secrets.token_hex(4)
    span = (t1 - t0).total_seconds()
    if shas is None:
        source = SQL("""SELECT i, md5(%(salt)s || i) || md5(i || %(salt)s) AS sha,
                               (50000000 + mod(i::bigint * 7919, 1950000000))::numeric AS size
                          FROM generate_series(1, %(rows)s) AS i""", salt=salt, rows=rows)
    else:
        rows = len(shas)
        source = SQL("""SELECT i::int AS i, sha, size
                          FROM unnest(%s::varchar[], %s::numeric[]) WITH ORDINALITY AS u(sha, size, i)""",
                     shas, sizes)
    cr.execute(SQL("""
        INSERT INTO mchs_bodycam_recording
            (sha256, size, storage_id, department_id, company_id, camera_id, filename, state,
             device_start, device_end, start, "end", received_at, create_uid, write_uid, create_date, write_date)
        SELECT g.sha, g.size, %(storage)s, %(unit)s, %(company)s,
               (%(cameras)s::int[])[1 + mod(g.i, %(ncam)s)],
               'REC_' || lpad(g.i::text, 8, '0') || '.mp4', 'stored',
               s.start + make_interval(secs => mod(g.i, 120) - 60),
               s.start + make_interval(secs => mod(g.i, 120) - 60) + make_interval(mins => 5 + mod(g.i, 60)),
               s.start,
               s.start + make_interval(mins => 5 + mod(g.i, 60)),
               s.start + make_interval(mins => 5 + mod(g.i, 60)) + make_interval(hours => 1 + mod(g.i, 24)),
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM (%(source)s) AS g,
               LATERAL (SELECT %(t0)s::timestamp
                               + make_interval(secs => %(span)s * (g.i - 1) / %(rows)s)
                               + make_interval(secs => mod(g.i * 2654435761, 21600)::int) AS start) AS s
         ORDER BY g.i
    """, source=source, storage=storage.id, unit=unit.id, company=unit.company_id.id, cameras=camera_ids,
        ncam=len(camera_ids), uid=env.uid, rows=rows, t0=t0, span=span))
    cr.execute(SQL("SELECT min(id), count(*) FROM mchs_bodycam_recording WHERE storage_id = %s", storage.id))
    return cr.fetchone()


def write_files(folders, count, size_of, chunk=None):
    """``count`` random files, the i-th ``size_of(i)`` bytes, named by their SHA-256 under
    <root>/<aa>/<bb>/ on every folder, read-only as the storage leaves them."""
    made = set()
    shas, sizes = [], []
    for i in range(count):
        data = os.urandom(size_of(i))
        sha = hashlib.sha256(data).hexdigest()
        sub = os.path.join(sha[:2], sha[2:4])
        for root in folders:
            folder = os.path.join(root, sub)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            path = os.path.join(folder, sha)
            with open(path, "xb") as handle:
                handle.write(data)
            os.chmod(path, 0o440)
        shas.append(sha)
        sizes.append(len(data))
    return shas, sizes


def count_tree(root):
    files = dirs = empty = 0
    for folder, subdirs, names in os.walk(root):
        dirs += len(subdirs)
        files += len(names)
        if folder != root and not subdirs and not names:
            empty += 1
    return files, dirs, empty


def print_plan(cr, text, title):
    plan = explain(cr, text)
    print(f"  EXPLAIN (ANALYZE, BUFFERS) {title}:")
    seq = []
    for line in plan:
        if line is plan[0] or "->" in line or "SubPlan" in line or "Rows Removed" in line \
                or "Execution Time" in line or "Index Cond" in line or "Filter:" in line \
                or line.startswith("Trigger"):
            print("   |" + line)
        if f"Seq Scan on {TABLE}" in line:
            seq.append(line.strip())
    return seq


# ---------------------------------------------------------------------------- 1. proposal

def bench_propose(registry, args, workdir, summary):
    print(f"\n===== 1. proposing the due recordings among {args.recordings:,} =====")
    folders = [os.path.join(workdir, "propose", name) for name in ("primary", "backup")]
    for folder in folders:
        os.makedirs(folder)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        unit, storage, camera_ids = make_unit(env, "RP", folders, cameras=50)
        commission, users = make_commission(env, unit)
        env.flush_all()
        now = datetime.now().replace(microsecond=0)
        started = time.perf_counter()
        first_id, rows = insert_recordings(env, unit, storage, camera_ids, now - relativedelta(years=4), now,
                                           rows=args.recordings)
        inserted = time.perf_counter() - started
        held_ids = list(range(first_id - 1 + HOLD_EVERY, first_id + rows, HOLD_EVERY))
        Evidence = env["mchs.bodycam.evidence"].with_context(tracking_disable=True, mail_notrack=True)
        base = {"department_id": unit.id, "basis_type": "request", "basis_date": now.date(),
                "issuing_body": "Retention bench", "recipient": "court"}
        Evidence.create([dict(base, basis_number=f"RP-{k}", recording_ids=[(6, 0, held_ids[k::4])])
                         for k in range(4) if held_ids[k::4]])
        # the act without its lines: each measured _propose() starts from it
        act = env["mchs.bodycam.destruction"].create({"commission_id": commission.id})
        env.flush_all()
        cr.commit()
        unit_id, act_id, company_id = unit.id, act.id, unit.company_id.id
    # not the (empty) lines table: it stays as after the install, never analyzed; see 1c
    vacuumed = vacuum_analyze(args.database, TABLE, "mchs_bodycam_evidence_recording_rel", "mchs_bodycam_evidence")
    size = pg_run(args.database, f"SELECT pg_size_pretty(pg_relation_size('{TABLE}')), "
                                 f"pg_size_pretty(pg_total_relation_size('{TABLE}')), (SELECT count(*) FROM {TABLE})")[0]
    print(f"generated {rows:,} recordings of one unit (50 bodycams, {len(held_ids):,} held), committed: "
          f"INSERT ... SELECT generate_series {inserted:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s; table {size[0]} heap, "
          f"{size[1]} with indexes, {size[2]:,} rows in all")

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Recording = env["mchs.bodycam.recording"]
        unit = env["hr.department"].browse(unit_id)
        company = env["res.company"].browse(company_id)
        act = env["mchs.bodycam.destruction"].browse(act_id)
        today = act.date
        domain = Recording._retention_due_domain(today, company) + [("department_id", "=", unit.id)]
        print(f"due on {today}: {domain}")

        def count_due():
            return Recording.search_count(domain)
        label = "(1a) search_count(_retention_due_domain(today) + unit)"
        count_ms, due, count_seq = measure(env, label, count_due, show_sql=True)

        # (1b) the act's INSERT ... SELECT of its lines, in a savepoint rolled back after each run
        def propose_once(record=None):
            cr.execute("SAVEPOINT bench_propose")
            env.invalidate_all()
            started = time.perf_counter()
            if record:
                count = record(lambda: act._propose())
            else:
                count = act._propose()
            env.flush_all()
            elapsed = (time.perf_counter() - started) * 1000
            cr.execute("SELECT count(*) FROM mchs_bodycam_destruction_line WHERE destruction_id = %s", [act.id])
            lines = cr.fetchone()[0]
            cr.execute("ROLLBACK TO SAVEPOINT bench_propose")
            env.invalidate_all()
            return lines, elapsed, count

        recorder = Recorder(cr)
        proposed, _warm, returned = propose_once(recorder)
        times = [propose_once()[1] for _ in range(RUNS)]
        propose_ms = statistics.median(times)
        print(f"\n(1b) act._propose(): INSERT INTO mchs_bodycam_destruction_line ... SELECT of the due recordings")
        print(f"  median {propose_ms:.1f} ms (runs: {', '.join(f'{t:.0f}' for t in times)}); {proposed:,} lines "
              f"inserted; {len(recorder.queries)} SQL queries in the call")
        if returned != proposed:
            print(f"  NOTE: _propose() returned {returned!r} (and logs that number on the act), not the "
                  f"{proposed:,} lines it inserted")
        insert = next(as_text(cr, q, p) for q, p in recorder.queries if "INSERT INTO mchs_bodycam_destruction_line"
                      in (q.code if isinstance(q, SQL) else q))
        print("  SQL: " + " ".join(insert.split()))
        cr.execute("SAVEPOINT bench_explain")
        propose_seq = print_plan(cr, insert, "of the INSERT")
        cr.execute("ROLLBACK TO SAVEPOINT bench_explain")
        summary["1a"] = (count_ms, due)
        summary["1b"] = (propose_ms, proposed)
        summary["1-ids"] = (unit_id, act_id)
        summary["1-insert"] = insert

        if (count_seq or propose_seq) and not args.no_whatif:
            ddl = f"CREATE INDEX bench_whatif_idx ON {TABLE} (department_id, start) WHERE state = 'stored'"
            print(f"\nRECOMMENDATION: sequential scan of {TABLE}: {(count_seq or propose_seq)[0]}")
            started = time.perf_counter()
            cr.execute(ddl)
            cr.execute(f"ANALYZE {TABLE}")
            print(f"  what-if: {ddl} (built in {time.perf_counter() - started:.1f} s, dropped after)")
            after_ms, _due, _seq = measure(env, label + " WITH THAT INDEX", count_due)
            propose_once()
            times2 = [propose_once()[1] for _ in range(RUNS)]
            print(f"  _propose() with that index: median {statistics.median(times2):.1f} ms")
            cr.execute("DROP INDEX bench_whatif_idx")
            summary["1-whatif"] = (after_ms, statistics.median(times2))
        elif not (count_seq or propose_seq):
            print(f"\nno sequential scan of {TABLE} in either plan: no index recommended")
        cr.rollback()


def bench_propose_empty_stats(registry, args, summary):
    """1c: the same _propose() when the lines table was VACUUM ANALYZEd while empty, as autovacuum
    leaves it after the first act was cancelled (its lines deleted) on a new system."""
    unit_id, act_id = summary["1-ids"]
    print(f"\n===== 1c. proposing again, the lines table analyzed while empty =====")
    with registry.cursor() as cr:
        cr.execute("DELETE FROM mchs_bodycam_destruction_line")
        print(f"deleted the {cr.rowcount:,} lines of the earlier parts (throwaway database)")
    vacuum_analyze(args.database, "mchs_bodycam_destruction_line")
    print("VACUUM ANALYZE mchs_bodycam_destruction_line: pg_class says relpages, reltuples = "
          f"{pg_run(args.database, 'SELECT relpages, reltuples FROM pg_class WHERE relname = %s', ['mchs_bodycam_destruction_line'])[0]}")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        act = env["mchs.bodycam.destruction"].browse(act_id)
        cr.execute("EXPLAIN " + summary["1-insert"])
        print("  EXPLAIN (plan only) of the INSERT:")
        for (line,) in cr.fetchall():
            if "->" in line or line.startswith("Insert") or "Filter" in line:
                print("   |" + line)
        cr.execute("SAVEPOINT bench_slow")
        cr.execute(f"SET LOCAL statement_timeout = '{args.slow_timeout}s'")
        started = time.perf_counter()
        try:
            with odoo.tools.mute_logger("odoo.sql_db"):
                act._propose()
                env.flush_all()
            elapsed = time.perf_counter() - started
            cr.execute("SELECT count(*) FROM mchs_bodycam_destruction_line WHERE destruction_id = %s", [act.id])
            result = f"{fmt_s(elapsed)}, {cr.fetchone()[0]:,} lines"
        except psycopg2.errors.QueryCanceled:
            elapsed = time.perf_counter() - started
            result = f"cancelled by statement_timeout after {fmt_s(elapsed)}, not finished"
        cr.execute("ROLLBACK TO SAVEPOINT bench_slow")
        print(f"(1c) act._propose() with these statistics: {result} (vs {summary['1b'][0]:.0f} ms in 1b)")
        summary["1c"] = result
        cr.rollback()


# ---------------------------------------------------------------------------- 2. destruction

def bench_destroy(registry, args, workdir, summary):
    n = args.destroy
    print(f"\n===== 2. destruction of {n:,} recordings with real files =====")
    folders = [os.path.join(workdir, "destroy", name) for name in ("primary", "backup")]
    for folder in folders:
        os.makedirs(folder)
    started = time.perf_counter()
    shas, sizes = write_files(folders, n, lambda i: 1024 + (i * 7919) % 3073)
    os.sync()
    written = time.perf_counter() - started
    print(f"wrote {2 * n:,} files ({n:,} x 2 locations, 1-4 KiB, {2 * sum(sizes) / MIB:.0f} MiB) in {written:.1f} s "
          f"(+ sync) under {os.path.dirname(folders[0])}")

    from odoo.addons.mchs_bodycam.models.mchs_bodycam_destruction import BATCH_SIZE as batch_size
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        unit, storage, camera_ids, commission, users, now = make_unit_with_commission(env, "RD", folders)
        started = time.perf_counter()
        # all past the retention: 4 years to 3 years and 10 days ago
        insert_recordings(env, unit, storage, camera_ids, now - relativedelta(years=4),
                          now - relativedelta(years=3, days=10), shas=shas, sizes=sizes)
        cr.commit()
        print(f"registered {n:,} recordings with one INSERT ... SELECT unnest: {time.perf_counter() - started:.1f} s")
        unit_id = unit.id
    vacuum_analyze(args.database, TABLE)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        commission = env["mchs.bodycam.commission"].search([("department_id", "=", unit_id)])
        users = {member.role: member.employee_id.user_id for member in commission.member_ids}
        Recording = env["mchs.bodycam.recording"]
        domain = Recording._retention_due_domain(fields.Date.context_today(Recording), commission.company_id) + [
            ("department_id", "=", unit_id)]
        print(f"table now holds {Recording.search_count([]):,} recordings")
        count_ms, due, _seq = measure(env, "(2a) search_count(_retention_due_domain(today) + this unit)",
                                      lambda: Recording.search_count(domain), show_sql=False)
        summary["2-count"] = (count_ms, due)
        started = time.perf_counter()
        action = commission.with_user(users["chairman"]).action_new_destruction()
        cr.commit()
        new_act = time.perf_counter() - started
        act = env["mchs.bodycam.destruction"].browse(action["res_id"])
        logged = act.message_ids.filtered(lambda m: "proposed" in (m.body or ""))[:1].body
        print(f"\naction_new_destruction (create + _propose): {new_act * 1000:.0f} ms, {act.line_count:,} lines; "
              f"the act logged: {odoo.tools.html2plaintext(logged or '')!r}")
        confirm_times = []
        for role in ("chairman", "responsible", "anti_corruption", "member"):
            started = time.perf_counter()
            act.with_user(users[role]).action_confirm()
            cr.commit()
            confirm_times.append(time.perf_counter() - started)
        print(f"4 confirmations: {', '.join(f'{t * 1000:.0f}' for t in confirm_times)} ms; act state {act.state}")
        summary["2-propose"] = (new_act, act.line_count)
        summary["2-confirm"] = confirm_times

        act = act.sudo()
        phases = {"moving aside": [], "purging": [], "final marking": []}
        commits = 0.0
        rss_before = proc_status("VmRSS")
        hwm_reset = reset_peak_rss()
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total_started = time.perf_counter()
        steps = 0
        while True:
            # which phase this step is in (not timed)
            cr.execute("""SELECT count(*) FILTER (WHERE removal_state = 'pending'),
                                 count(*) FILTER (WHERE removal_state = 'staged')
                            FROM mchs_bodycam_destruction_line WHERE destruction_id = %s AND excluded IS NOT TRUE""",
                       [act.id])
            pending, staged = cr.fetchone()
            phase = "moving aside" if pending else "purging" if staged else "final marking"
            step_started = time.perf_counter()
            remaining = act._process_step(batch_size)
            commit_started = time.perf_counter()
            cr.commit()
            now_t = time.perf_counter()
            commits += now_t - commit_started
            phases[phase].append(now_t - step_started)
            steps += 1
            if not remaining:
                break
            if steps > 10 * (n // batch_size + 10):
                print("!! the job does not end")
                break
        total = time.perf_counter() - total_started
        rss_after = proc_status("VmRSS")
        hwm = proc_status("VmHWM")
        maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(f"\nbackground job, batch size {batch_size} (the model's BATCH_SIZE), commit after each step:")
        print(f"  total {fmt_s(total)}, {steps} steps (commits {commits:.2f} s of it; phase counting "
              f"queries between steps not included)")
        for phase, durations in phases.items():
            if durations:
                extra = ""
                if len(durations) > 1:
                    third = max(len(durations) // 3, 1)
                    extra = (f", per step median {statistics.median(durations) * 1000:.0f} ms "
                             f"(min {min(durations) * 1000:.0f}, max {max(durations) * 1000:.0f}; first third "
                             f"{statistics.mean(durations[:third]) * 1000:.0f} ms, last third "
                             f"{statistics.mean(durations[-third:]) * 1000:.0f} ms)")
                print(f"  {phase:14s} {fmt_s(sum(durations)):>9s} in {len(durations)} step(s){extra}")
        print(f"  RSS {rss_before:.1f} MiB before, {rss_after:.1f} MiB after; peak (VmHWM"
              f"{' reset before' if hwm_reset else ', not reset: whole process'}) {hwm:.1f} MiB = "
              f"+{hwm - rss_before:.1f} MiB; ru_maxrss {maxrss_before:.1f} -> {maxrss_after:.1f} MiB")

        act.invalidate_recordset()
        cr.execute("SELECT state, count(*) FROM mchs_bodycam_recording WHERE department_id = %s GROUP BY state",
                   [unit_id])
        states = dict(cr.fetchall())
        cr.execute("SELECT removal_state, count(*) FROM mchs_bodycam_destruction_line WHERE destruction_id = %s "
                   "GROUP BY removal_state", [act.id])
        lines = dict(cr.fetchall())
        trees = [count_tree(folder) for folder in folders]
        ok = (act.state == "done" and states.get("destroyed") == n and not states.get("stored")
              and all(files == 0 for files, _d, _e in trees))
        print(f"\ncheck: {'OK' if ok else 'FAILED'} — act {act.name} {act.state}; recordings of the unit {states}; "
              f"lines {lines}; files left primary {trees[0][0]}, backup {trees[1][0]}")
        print(f"  directories left (empty <aa>/<bb> folders): primary {trees[0][1]:,} ({trees[0][2]:,} empty), "
              f"backup {trees[1][1]:,} ({trees[1][2]:,} empty)")
        summary["2-job"] = dict(total=total, steps=steps, phases={k: (sum(v), len(v)) for k, v in phases.items()},
                                rss=(rss_before, hwm, rss_after), ok=ok, states=states, trees=trees, commits=commits)


# ---------------------------------------------------------------------------- 3. audit

def bench_audit(registry, args, workdir, summary):
    count, mib = args.audit_files, args.audit_mb
    total_bytes = 2 * count * mib * MIB
    print(f"\n===== 3. audit vs sha256sum: {count} files x {mib} MiB on both locations "
          f"= {total_bytes / MIB:,.0f} MiB =====")
    folders = [os.path.join(workdir, "audit", name) for name in ("primary", "backup")]
    for folder in folders:
        os.makedirs(folder)
    started = time.perf_counter()
    shas, sizes = write_files(folders, count, lambda i: mib * MIB)
    os.sync()
    print(f"wrote {2 * count} files in {time.perf_counter() - started:.1f} s (+ sync)")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        unit, storage, camera_ids, commission, users, now = make_unit_with_commission(env, "RA", folders)
        insert_recordings(env, unit, storage, camera_ids, now - relativedelta(months=6), now - timedelta(days=1),
                          shas=shas, sizes=sizes)
        cr.commit()
        commission_id = commission.id
    vacuum_analyze(args.database, TABLE)

    def run_audit():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            commission = env["mchs.bodycam.commission"].browse(commission_id)
            users = {member.role: member.employee_id.user_id for member in commission.member_ids}
            action = commission.with_user(users["chairman"]).action_new_audit()
            audit = env["mchs.bodycam.audit"].browse(action["res_id"])
            audit.with_user(users["anti_corruption"]).action_start()
            cr.commit()
            audit = audit.sudo()
            phases = {}
            steps = 0
            rss_before = proc_status("VmRSS")
            reset_peak_rss()
            started = time.perf_counter()
            while True:
                phase = audit.phase
                step_started = time.perf_counter()
                remaining = audit._process_step()
                cr.commit()
                phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - step_started
                steps += 1
                if not remaining:
                    break
            elapsed = time.perf_counter() - started
            audit.invalidate_recordset()
            findings = audit.finding_ids.mapped("kind")
            result = dict(elapsed=elapsed, steps=steps, phases=phases, files=audit.file_count,
                          bytes=audit.byte_count, findings=findings, state=audit.state,
                          rss=(rss_before, proc_status("VmHWM")))
            return result

    def run_shell(parallel):
        command = f"find {folders[0]} {folders[1]} -type f -print0 | xargs -0 {'-P 2 -n 50 ' if parallel else ''}" \
                  f"sha256sum > /dev/null"
        started = time.perf_counter()
        subprocess.run(command, shell=True, check=True)
        return time.perf_counter() - started, command

    def rate(seconds):
        return total_bytes / MIB / seconds

    results = {}
    can_drop = drop_page_cache()
    if not can_drop:
        print("cannot write /proc/sys/vm/drop_caches (not root): no cold-cache figures")
    plan = ([("cold", "audit"), ("cold", "sha256sum"), ("cold", "sha256sum -P 2")] if can_drop else []) + \
        [("warm", "sha256sum"), ("warm", "audit"), ("warm", "sha256sum -P 2")]
    for cache, what in plan:
        if cache == "cold":
            drop_page_cache()
        if what == "audit":
            result = run_audit()
            seconds = result["elapsed"]
            phases = ", ".join(f"{phase} {t:.2f} s" for phase, t in result["phases"].items())
            files_phase = result["phases"].get("files", seconds)
            print(f"\n[{cache}] audit: {fmt_s(seconds)}, {rate(seconds):.0f} MiB/s; {result['steps']} steps ({phases}); "
                  f"files phase alone {rate(files_phase):.0f} MiB/s; {result['files']} files, "
                  f"{result['bytes'] / MIB:,.0f} MiB hashed; state {result['state']}, findings {result['findings'] or 'none'}; "
                  f"RSS {result['rss'][0]:.0f} MiB, peak +{max(result['rss'][1] - result['rss'][0], 0):.1f} MiB")
            results[(cache, what)] = (seconds, files_phase)
        else:
            seconds, command = run_shell(what.endswith("-P 2"))
            print(f"\n[{cache}] {what}: {fmt_s(seconds)}, {rate(seconds):.0f} MiB/s  ({command})")
            results[(cache, what)] = (seconds, seconds)
    print()
    for cache in ("cold", "warm"):
        if (cache, "audit") in results:
            audit_s = results[(cache, "audit")][0]
            for what in ("sha256sum", "sha256sum -P 2"):
                shell_s = results[(cache, what)][0]
                print(f"[{cache}] audit / {what} time ratio: {audit_s / shell_s:.2f} "
                      f"(audit {rate(audit_s):.0f} MiB/s, {what} {rate(shell_s):.0f} MiB/s)")
    summary["3"] = dict(results=results, total_bytes=total_bytes)


# ---------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True, help="a new database's name (created and dropped)")
    parser.add_argument("--recordings", type=int, default=1_000_000, help="part 1: recordings of the unit")
    parser.add_argument("--destroy", type=int, default=100_000, help="part 2: recordings destroyed")
    parser.add_argument("--audit-files", type=int, default=200, help="part 3: files per location")
    parser.add_argument("--audit-mb", type=int, default=8, help="part 3: size of each file, MiB")
    parser.add_argument("--parts", default="1,2,3")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--reuse-db", action="store_true", help="run in an existing database (never dropped)")
    parser.add_argument("--no-whatif", action="store_true", help="do not measure the recommended index")
    parser.add_argument("--slow-timeout", type=int, default=120,
                        help="1c: statement_timeout (s) of the proposal with the lines table analyzed while empty")
    parser.add_argument("--folder", default=tempfile.gettempdir(), help="where the run's directory is made")
    parser.add_argument("--odoo-bin", default=os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin"))
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config])
    parts = {part.strip() for part in args.parts.split(",")}
    print(f"{datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{pg_run('postgres', 'SELECT version()')[0][0].split(',')[0]}")
    created = create_database(args)
    workdir = tempfile.mkdtemp(prefix="benchret-", dir=args.folder)
    summary = {}
    # autovacuum would analyze the lines table at a moment of its own choosing, and its statistics
    # decide the proposal's plan (see 1c): off on that table for the run, for repeatable figures
    pg_run(args.database, "ALTER TABLE mchs_bodycam_destruction_line SET (autovacuum_enabled = false)")
    print("autovacuum disabled on mchs_bodycam_destruction_line for the run")
    try:
        registry = Registry(args.database)
        if "1" in parts:
            bench_propose(registry, args, workdir, summary)
        if "2" in parts:
            bench_destroy(registry, args, workdir, summary)
        if "3" in parts:
            bench_audit(registry, args, workdir, summary)
        if "1" in parts:
            if created:
                bench_propose_empty_stats(registry, args, summary)
            else:
                print("\n1c skipped: it deletes every destruction line, done only in a database the script created")
    finally:
        pg_run(args.database, "ALTER TABLE mchs_bodycam_destruction_line RESET (autovacuum_enabled)")
        if args.keep:
            print(f"\nkept: database {args.database}, files under {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            print(f"\nremoved {workdir}")
            if created:
                drop_database(args.database)


if __name__ == "__main__":
    main()
