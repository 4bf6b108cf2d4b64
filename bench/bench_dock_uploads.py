"""Docks uploading at once through the resumable dock API against a raw copy (items 10, 11).

    python3 bench/bench_dock_uploads.py -c <odoo config> -d <database with mchs_bodycam>
        [--docks 4,8] [--size-mb 1024] [--workers 2] [--port 18479] [--folder DIR] [--storage local|s3]
        [--chunk-mb N]

Creates, committed, a unit, its storage server (primary and backup in a new folder under
--folder, default the temp dir), one dock (with its token) and one bodycam per dock; starts
``odoo-bin --workers N --max-cron-threads 1`` on --port with Odoo's default time and memory limits;
writes one random source file of --size-mb per dock; then, for each count of docks, in the same
run and on the same file system:

1. raw: that many ``cp`` at once of the source files to one folder, then ``sync`` (one copy);
   then twice that many (to a primary and a backup folder), then ``sync`` (two copies, which is
   what the product writes), then every copy read back from the disk through ``sha256sum`` at
   once (what the product checks before a recording exists);
2. product: that many dock processes at once, each sending its file through
   ``/mchs_bodycam/dock/v2/uploads`` (open, chunks, finish, then asking for the state until the
   background job has read both copies back and stored the recording), while the RSS of every
   process of the server is sampled every 100 ms. Each chunk request's time is measured by the
   client (queueing for a free worker included) and by the server (its access log).

Everything it created is removed at the end (records by SQL, the recordings with their guard
trigger disabled in that transaction; the folder). MB here is MiB. It prints figures and asserts
nothing.

``--storage s3`` measures the object store kind (issue 10, point 1) instead: each round starts a
fresh Ceph RGW (tools/rgw.sh, BlueStore on a sparse file in the folder) with two new Object Lock
buckets, points the storage server at them, and compares the product with raw boto3 uploads of
the same files to the same RGW (``upload_file``, 8 MiB parts, one at a time per process: one
copy; both buckets; both buckets then both copies read back through SHA-256), at once, in the
same run. ``--chunk-mb`` sets the docks' chunk (the storage server's setting; by default its
kind's: 8 MiB on local folders, 16 MiB, two parts, on the object store).
"""
import argparse
import hashlib
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

import psutil

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from mchs_dock_agent.client import DockClient, Refused

MB = 1 << 20
RGW_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "rgw.sh")
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
         "mail_notrack": True}
ACCESS_LOG_RE = re.compile(r'"PUT /mchs_bodycam/dock/v2/uploads/\w+\?offset=\d+ HTTP/1\.\d" 200 - \d+ ([\d.]+) ([\d.]+)')


# ---------------------------------------------------------------------------- database fixture

def setup(database, folder, docks, max_mb, chunk_mb=None):
    """Unit, storage (local folders; an s3 round points it at its RGW), docks (+ tokens) and
    bodycams, committed."""
    code = "BENCH" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(3))
    with Registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        unit = env["hr.department"].create({"name": f"Bench dock uploads {code}", "bodycam_code": code})
        storage = env["mchs.bodycam.storage"].create({
            "name": f"Bench dock uploads {code}", "department_id": unit.id,
            "primary_path": os.path.join(folder, "primary"), "backup_path": os.path.join(folder, "backup"),
            "max_upload_mb": max_mb, "max_clock_skew_hours": 24, "reserve_mb": 0,
            **({"upload_chunk_mb": chunk_mb} if chunk_mb else {})})
        dock_records = env["mchs.bodycam.dock"].create(
            [{"name": f"{code}-DOCK-{number}", "department_id": unit.id} for number in range(docks)])
        tokens = [dock.action_generate_token()["params"]["message"] for dock in dock_records]
        cameras = env["mchs.bodycam.camera"].create([{"department_id": unit.id} for _ in range(docks)])
        fixture = {"code": code, "unit": unit.id, "storage": storage.id, "docks": dock_records.ids,
                   "cameras": cameras.ids, "equipment": cameras.equipment_id.ids,
                   "inventory_numbers": cameras.mapped("inventory_number")}
        cr.commit()
    return fixture, tokens


def cleanup(database, fixture):
    with Registry(database).cursor() as cr:
        cr.execute("DELETE FROM mchs_bodycam_upload WHERE storage_id = %s", [fixture["storage"]])
        # Recordings are evidence and their guard refuses every DELETE (items 12, 13): a benchmark's
        # throwaway rows go with the guard off for this transaction only.
        cr.execute("ALTER TABLE mchs_bodycam_recording DISABLE TRIGGER mchs_bodycam_recording_lock")
        cr.execute("DELETE FROM mchs_bodycam_recording WHERE storage_id = %s", [fixture["storage"]])
        recordings = cr.rowcount
        cr.execute("ALTER TABLE mchs_bodycam_recording ENABLE TRIGGER mchs_bodycam_recording_lock")
        cr.execute("DELETE FROM mchs_bodycam_dock WHERE id = ANY(%s)", [fixture["docks"]])
        cr.execute("DELETE FROM mchs_bodycam_storage WHERE id = %s", [fixture["storage"]])
        cr.execute("DELETE FROM mchs_bodycam_camera WHERE id = ANY(%s)", [fixture["cameras"]])
        cr.execute("DELETE FROM maintenance_equipment WHERE id = ANY(%s)", [fixture["equipment"]])
        for model, ids in (("mchs.bodycam.camera", fixture["cameras"]), ("maintenance.equipment", fixture["equipment"]),
                           ("hr.department", [fixture["unit"]])):
            cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)", [model, ids])
            cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = ANY(%s)", [model, ids])
        cr.execute("SELECT bodycam_camera_sequence_id, bodycam_card_sequence_id FROM hr_department WHERE id = %s",
                   [fixture["unit"]])
        sequence_ids = [sid for sid in (cr.fetchone() or ()) if sid]
        cr.execute("DELETE FROM hr_department WHERE id = %s", [fixture["unit"]])
        for sequence_id in sequence_ids:
            cr.execute("DELETE FROM ir_sequence WHERE id = %s", [sequence_id])
            cr.execute(f"DROP SEQUENCE IF EXISTS ir_sequence_{sequence_id:03d}")
        cr.commit()
    print(f"cleanup: removed unit {fixture['code']}, its storage, docks, bodycams and {recordings} recording(s)")


# ---------------------------------------------------------------------------- server

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, folder):
    odoo_bin = args.odoo_bin or os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    log_path = os.path.join(folder, "odoo-server.log")
    command = [sys.executable, odoo_bin, "-c", args.config, "-d", args.database, "--db-filter", f"^{args.database}$",
               "--http-port", str(args.port), "--http-interface", "127.0.0.1", "--gevent-port", str(free_port()),
               "--workers", str(args.workers), "--max-cron-threads", "1",
               # Odoo's defaults, as in production
               "--limit-time-real", "120", "--limit-time-cpu", "60", "--limit-memory-soft", str(2048 * MB),
               "--limit-memory-hard", str(2560 * MB), "--log-level", "info", "--logfile", log_path]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    client = DockClient(f"http://127.0.0.1:{args.port}", "warm-up")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Odoo server exited with code {process.returncode}; see {log_path}")
        try:
            client.status("0" * 32)
        except Refused:  # 401: it answers
            return process, log_path
        except Exception:  # noqa: BLE001 (not up yet)
            time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"the Odoo server did not answer on port {args.port} within 120 s")


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


class RssSampler(threading.Thread):
    """RSS of every process of the server (master, HTTP workers, cron worker) every
    ``interval`` seconds."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.samples = []  # (seconds since the start, {pid: rss})
        self.names = {}
        self.done = threading.Event()

    def run(self):
        started = time.perf_counter()
        while not self.done.is_set():
            try:
                processes = [self.root, *self.root.children()]
            except psutil.Error:  # the server is gone
                return
            sample = {}
            for process in processes:
                try:
                    sample[process.pid] = process.memory_info().rss
                    self.names.setdefault(process.pid, self._role(process))
                except psutil.Error:
                    continue
            self.samples.append((time.perf_counter() - started, sample))
            self.done.wait(self.interval)

    def _role(self, process):
        if process.pid == self.root.pid:
            return "master"
        return "cron worker" if process.nice() > 0 else "HTTP worker"

    def stop(self):
        self.done.set()
        self.join()

    def report(self, quarters=4):
        """Per role, the largest RSS of its processes in each quarter of the run (processes
        restarted in between count under their role)."""
        if not self.samples:
            return ["    no sample"]
        end = self.samples[-1][0] or 1
        lines = []
        for role in ("master", "HTTP worker", "cron worker"):
            peaks = []
            for quarter in range(quarters):
                values = [rss for at, sample in self.samples if quarter * end / quarters <= at <= (quarter + 1) * end / quarters
                          for pid, rss in sample.items() if self.names.get(pid) == role]
                peaks.append(f"{max(values) / MB:6.1f}" if values else "     -")
            first = [rss for pid, rss in self.samples[0][1].items() if self.names.get(pid) == role]
            lines.append(f"    {role + 's' if role != 'master' else role:13} first {max(first, default=0) / MB:6.1f} MiB; "
                         f"largest per quarter of the run: {' '.join(peaks)} MiB")
        return lines


# ---------------------------------------------------------------------------- the two sides

def write_sources(folder, count, size_mb):
    os.makedirs(folder, exist_ok=True)
    paths = []
    for index in range(count):
        path = os.path.join(folder, f"source-{index}.bin")
        with open(path, "wb") as handle:
            for _ in range(size_mb // 4):
                handle.write(os.urandom(4 * MB))
            handle.flush()
            os.fsync(handle.fileno())
        paths.append(path)
    return paths


def timed_copies(sources, targets, read_back=False):
    """Seconds of one ``cp`` per (source, target folder) pair, all at once, then ``sync``; with
    ``read_back``, then every copy read back from the disk (O_DIRECT) through sha256sum, all at
    once, as the product checks its copies."""
    for target in set(targets):
        os.makedirs(target, exist_ok=True)
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    processes = [subprocess.Popen(["cp", source, target]) for source, target in zip(sources, targets)]
    for process in processes:
        if process.wait():
            raise SystemExit("cp failed")
    subprocess.run(["sync"], check=True)
    copied = time.perf_counter() - start
    if read_back:
        copies = [os.path.join(target, os.path.basename(source)) for source, target in zip(sources, targets)]
        readers = [subprocess.Popen(f"dd if={copy} iflag=direct bs=4M status=none | sha256sum > /dev/null", shell=True)
                   for copy in copies]
        for reader in readers:
            reader.wait()
    elapsed = time.perf_counter() - start
    for target in set(targets):
        shutil.rmtree(target)
    return copied, elapsed


def raw_local(sources, scratch):
    """Seconds by cp: one copy; two copies; two copies then read back through sha256sum."""
    one, _ = timed_copies(sources, [os.path.join(scratch, "one")] * len(sources))
    two, verified = timed_copies(sources * 2, [os.path.join(scratch, "a")] * len(sources)
                                 + [os.path.join(scratch, "b")] * len(sources), read_back=True)
    return one, two, verified


class S3Round:
    """A fresh RGW for one round (the product's recordings stay under COMPLIANCE retention, which
    only throwing the store away removes), its two Object Lock buckets, and the storage server
    pointed at them."""

    def __init__(self, args, folder, count, storage_id):
        self.folder = os.path.join(folder, f"rgw-{count}")
        size_mb = count * args.size_mb
        # raw: two copies (plus one); product: staging and recordings on both buckets; slack
        env = dict(os.environ, RGW_STORE="bluestore", RGW_SIZE=str(7 * size_mb + 4096))
        started = time.perf_counter()
        subprocess.run(["bash", RGW_SCRIPT, "start", self.folder], check=True, env=env, stdout=subprocess.DEVNULL)
        self.start_seconds = time.perf_counter() - started
        output = subprocess.run(["bash", RGW_SCRIPT, "env", self.folder], check=True, capture_output=True,
                                text=True).stdout
        self.env = dict(line.removeprefix("export ").split("=", 1) for line in output.splitlines())
        from odoo.addons.mchs_bodycam.lib.storage_s3 import S3Backend  # noqa: PLC0415 (after the config)
        self.buckets = [S3Backend(self.env["MCHS_S3_ENDPOINT"], name, self.env["MCHS_S3_ACCESS_KEY"],
                                  self.env["MCHS_S3_SECRET_KEY"]) for name in (f"bench-{count}-p", f"bench-{count}-b")]
        for bucket in self.buckets:
            bucket.create_bucket()
        with Registry(args.database).cursor() as cr:
            env_ = api.Environment(cr, SUPERUSER_ID, QUIET)
            storage = env_["mchs.bodycam.storage"].browse(storage_id)
            storage.write({"kind": "s3", "s3_endpoint": self.env["MCHS_S3_ENDPOINT"], "s3_backup_endpoint": False,
                           "s3_bucket": self.buckets[0].bucket, "s3_backup_bucket": self.buckets[1].bucket,
                           **({"upload_chunk_mb": args.chunk_mb} if args.chunk_mb else {})})
            storage._set_s3_credentials(self.env["MCHS_S3_ACCESS_KEY"], self.env["MCHS_S3_SECRET_KEY"])
            cr.commit()

    def rss_mb(self):
        total = 0
        for name in ("mon.a", "osd.0", "client.rgw"):
            with open(os.path.join(self.folder, "run", f"{name}.pid"), encoding="ascii") as handle:
                total += psutil.Process(int(handle.read().strip())).memory_info().rss
        return total / MB

    def raw(self, sources):
        """Seconds by boto3 upload_file (8 MiB parts, as the product's): one copy; both
        buckets; both buckets then both copies read back through SHA-256; all at once."""
        one = self._timed([(source, self.buckets[0], "raw-one/") for source in sources])
        pairs = [(source, bucket, "raw-two/") for bucket in self.buckets for source in sources]
        two = self._timed(pairs)
        started = time.perf_counter()
        self._timed(pairs, read_back=True)
        return one, two, two + time.perf_counter() - started

    def _transfer(self, source, bucket, prefix, read_back):
        """One upload or read-back, in its own process with its own client (a client's
        connections are not shared across a fork)."""
        from boto3.s3.transfer import TransferConfig  # noqa: PLC0415
        from odoo.addons.mchs_bodycam.lib import storage_s3  # noqa: PLC0415
        storage_s3._clients.clear()  # the parent's, inherited by the fork
        client = storage_s3.s3_client(self.env["MCHS_S3_ENDPOINT"], "default", self.env["MCHS_S3_ACCESS_KEY"],
                           self.env["MCHS_S3_SECRET_KEY"])
        key = prefix + os.path.basename(source)
        if read_back:
            digest = hashlib.sha256()
            for block in client.get_object(Bucket=bucket.bucket, Key=key)["Body"].iter_chunks(8 * MB):
                digest.update(block)
            return
        config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=1)
        client.upload_file(source, bucket.bucket, key, Config=config)

    def _timed(self, pairs, read_back=False):
        context = multiprocessing.get_context("fork")
        started = time.perf_counter()
        processes = [context.Process(target=self._transfer, args=(*pair, read_back)) for pair in pairs]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
            if process.exitcode:
                raise SystemExit("a raw S3 transfer failed")
        return time.perf_counter() - started

    def close(self):
        subprocess.run(["bash", RGW_SCRIPT, "stop", self.folder], check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(self.folder, ignore_errors=True)




def dock(url, token, camera, path, start_event, results):
    """One dock process: the whole resumable upload of ``path``; puts its timings in ``results``."""
    client = DockClient(url, token, timeout=600)
    size = os.path.getsize(path)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MB), b""):
            digest.update(block)
    sha256 = digest.hexdigest()
    start_event.wait()
    began = time.perf_counter()
    opened = client.open(camera, None, (now - timedelta(hours=2)).isoformat(), (now - timedelta(hours=1)).isoformat(),
                         size, sha256, os.path.basename(path) + ".mp4")
    upload_id, offset, chunk_size, chunk_times = opened["id"], opened["offset"], opened["chunk_size"], []
    with open(path, "rb") as handle:
        while offset < size:
            chunk = os.pread(handle.fileno(), min(chunk_size, size - offset), offset)
            sent = time.perf_counter()
            offset = client.put(upload_id, offset, chunk)["offset"]
            chunk_times.append(time.perf_counter() - sent)
    stored = time.perf_counter()
    status, answer = client.finish(upload_id)
    while answer["state"] == "verifying":
        time.sleep(0.2)
        answer = client.status(upload_id)
    results.put({"began": began, "stored": stored, "done": time.perf_counter(), "chunks": chunk_times,
                 "state": answer["state"], "verified": answer.get("verified"), "finish_status": status})


def product(args, tokens, cameras, sources, server_pid):
    """Seconds until every chunk is stored, until every file is verified; the chunk timings; RSS."""
    context = multiprocessing.get_context("fork")
    start_event, results = context.Event(), context.Queue()
    url = f"http://127.0.0.1:{args.port}"
    processes = [context.Process(target=dock, args=(url, token, camera, path, start_event, results))
                 for token, camera, path in zip(tokens, cameras, sources)]
    for process in processes:
        process.start()
    time.sleep(5 + len(sources))  # each dock hashes its file first (the agent does too, before it opens)
    sampler = RssSampler(server_pid)
    sampler.start()
    start_event.set()
    outcomes = [results.get(timeout=3600) for _ in processes]
    sampler.stop()
    for process in processes:
        process.join()
    began = min(outcome["began"] for outcome in outcomes)
    stored = max(outcome["stored"] for outcome in outcomes) - began
    done = max(outcome["done"] for outcome in outcomes) - began
    bad = [outcome for outcome in outcomes if outcome["state"] != "done" or not outcome["verified"]]
    return stored, done, [t for outcome in outcomes for t in outcome["chunks"]], sampler, bad


def server_chunk_times(log_path, offset):
    """Seconds each chunk request took inside the server (its access log: SQL time + the rest)."""
    with open(log_path, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    return [float(sql) + float(rest) for sql, rest in ACCESS_LOG_RE.findall(text)]


def forget_round(database, storage_id, folder):
    """The recordings and uploads of a round go (SQL, the guard off in that transaction) with
    their files, so that the next round stores the same sources again."""
    with Registry(database).cursor() as cr:
        cr.execute("DELETE FROM mchs_bodycam_upload WHERE storage_id = %s", [storage_id])
        cr.execute("ALTER TABLE mchs_bodycam_recording DISABLE TRIGGER mchs_bodycam_recording_lock")
        cr.execute("DELETE FROM mchs_bodycam_recording WHERE storage_id = %s", [storage_id])
        cr.execute("ALTER TABLE mchs_bodycam_recording ENABLE TRIGGER mchs_bodycam_recording_lock")
        cr.commit()
    for location in ("primary", "backup"):
        path = os.path.join(folder, location)
        if os.path.isdir(path):
            shutil.rmtree(path)
    subprocess.run(["sync"], check=True)


def spread(values):
    values = sorted(values)
    if not values:
        return "none"
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {values[-1]:.2f} s ({len(values)} requests)"


def run_round(args, count, fixture, tokens, sources, folder, server, log_path):
    total_mb = count * args.size_mb
    print(f"\n== {count} docks x {args.size_mb} MB at once ({total_mb} MB), {args.workers} workers, "
          f"{args.storage} storage ==")
    store = None
    if args.storage == "s3":
        store = S3Round(args, folder, count, fixture["storage"])
        print(f"  fresh RGW (BlueStore) started in {store.start_seconds:.1f} s, RSS {store.rss_mb():.0f} MiB")
        one, two, two_read = store.raw(sources[:count])
        raw_names = ("raw: boto3 upload_file, one copy", "raw: boto3 upload_file, both buckets",
                     "raw: the same, then both copies read back through SHA-256")
    else:
        one, two, two_read = raw_local(sources[:count], os.path.join(folder, "raw"))
        raw_names = ("raw: cp, one copy, + sync", "raw: cp, two copies (primary + backup), + sync",
                     "raw: the same, then both copies read back through sha256sum")
    log_offset = os.path.getsize(log_path)
    stored, done, client_times, sampler, bad = product(
        args, tokens[:count], fixture["inventory_numbers"][:count], sources[:count], server.pid)
    server_times = server_chunk_times(log_path, log_offset)
    rate = lambda seconds: total_mb / seconds  # noqa: E731
    print(f"  {'what':62} {'seconds':>8} {'MB/s':>8}")
    for name, seconds in zip(raw_names, (one, two, two_read)):
        print(f"  {name:62} {seconds:8.1f} {rate(seconds):8.1f}")
    print(f"  {'product: every chunk on both copies':62} {stored:8.1f} {rate(stored):8.1f}   "
          f"{one / stored:.2f} x raw one copy, {two / stored:.2f} x raw two copies")
    print(f"  {'product: both copies read back, every recording stored':62} {done:8.1f} {rate(done):8.1f}   "
          f"{two_read / done:.2f} x raw two copies read back")
    print(f"  chunk requests, seen by the docks (waiting for a worker included): {spread(client_times)}")
    print(f"  chunk requests, inside the server: {spread(server_times)}")
    print("  server RSS:")
    print("\n".join(sampler.report()))
    if store:
        print(f"  RGW RSS after the round: {store.rss_mb():.0f} MiB")
        store.close()
    if bad:
        print(f"  NOT STORED: {bad}")
    forget_round(args.database, fixture["storage"], folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--docks", default="4,8", help="counts of docks uploading at once, one round each")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18479)
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument("--chunk-mb", type=int, help="the docks' chunk (default: the storage kind's, 8 or 16 MiB)")
    parser.add_argument("--odoo-bin", help="default: odoo-bin next to the imported odoo package")
    parser.add_argument("--folder", help="where to make the storage and scratch directory (default: the temp dir)")
    parser.add_argument("--keep-log", help="copy the server's log (access log, job timings) here at the end")
    args = parser.parse_args()
    # a kill (SIGTERM) still removes what the run created
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    odoo.tools.config.parse_config(["-c", args.config])
    counts = [int(count) for count in args.docks.split(",")]
    if args.folder:
        os.makedirs(args.folder, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="bench_dock_uploads_", dir=os.path.abspath(args.folder) if args.folder else None)
    needed_mb = max(counts) * args.size_mb * 3
    print(f"folder {folder}: {shutil.disk_usage(folder).free // MB:,} MB free (needs about {needed_mb:,}); "
          f"CPUs {os.cpu_count()}")
    server = fixture = None
    try:
        # the storage's largest file: the default (8 GB), or twice the files sent; a background step
        # reads back at once as many copies as fit in it
        fixture, tokens = setup(args.database, folder, max(counts), max(8192, 2 * args.size_mb), args.chunk_mb)
        started = time.perf_counter()
        sources = write_sources(os.path.join(folder, "sources"), max(counts), args.size_mb)
        print(f"unit {fixture['code']}: {max(counts)} docks and bodycams; {len(sources)} source files of "
              f"{args.size_mb} MB written in {time.perf_counter() - started:.1f} s")
        server, log_path = start_server(args, folder)
        print(f"started odoo-bin --workers {args.workers} --max-cron-threads 1 on port {args.port}, pid {server.pid}")
        for count in counts:
            run_round(args, count, fixture, tokens, sources, folder, server, log_path)
    finally:
        if server:
            stop_server(server)
            if args.keep_log:
                shutil.copyfile(log_path, args.keep_log)
        if fixture:
            cleanup(args.database, fixture)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
