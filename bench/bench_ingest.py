"""Recording ingest through the dock endpoint against cp + cp + sha256sum (items 10, 11).

    python3 bench/bench_ingest.py -c <odoo config> -d <database with mchs_bodycam>
        [--size-mb 1024] [--big-size-mb 4096] [--port 18469] [--no-start-server] [--folder DIR]

Creates, committed, a unit, its storage server (primary and backup inside the folder), a dock
with a token and a bodycam; starts an Odoo server of its own (``odoo-bin --workers 0`` on
--port) unless --no-start-server names a running one; then

1. writes a random file of --size-mb and times, in the same run and on the same filesystem as
   the storage, ``cp file A; cp file B; sync; sha256sum file`` against one upload of the file
   to ``POST /mchs_bodycam/dock/v1/recordings`` (streamed from disk, never held in memory);
2. uploads a random file of --big-size-mb while sampling the server process's RSS every 50 ms,
   and prints its baseline, peak and growth (and the kernel's VmHWM).

Everything it created is removed at the end: the records (SQL deletes, the recordings with their
guard trigger disabled inside that transaction), the server it started, the folder with the files. MB here is MiB
(2**20 bytes). It prints figures only and asserts nothing.
"""
import argparse
import http.client
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import psutil

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

MB = 1 << 20
ENDPOINT = "/mchs_bodycam/dock/v1/recordings"
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True,
         "mail_notrack": True}


# ---------------------------------------------------------------------------- database fixture

def setup(database, folder, max_mb):
    """Unit, storage, dock (+ token) and bodycam, committed; returns a dict of ids and the token."""
    code = "BENCH" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(3))
    with Registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        unit = env["hr.department"].create({"name": f"Bench ingest {code}", "bodycam_code": code})
        storage = env["mchs.bodycam.storage"].create({
            "name": f"Bench ingest {code}", "department_id": unit.id,
            "primary_path": os.path.join(folder, "primary"), "backup_path": os.path.join(folder, "backup"),
            "max_upload_mb": max_mb, "max_clock_skew_hours": 24,
        })
        dock = env["mchs.bodycam.dock"].create({"name": f"{code}-DOCK-BENCH", "department_id": unit.id})
        token = dock.action_generate_token()["params"]["message"]
        camera = env["mchs.bodycam.camera"].create({"department_id": unit.id})
        fixture = {"code": code, "unit": unit.id, "storage": storage.id, "dock": dock.id, "camera": camera.id,
                   "equipment": camera.equipment_id.id, "inventory_number": camera.inventory_number}
        cr.commit()
    return fixture, token


def cleanup(database, fixture):
    with Registry(database).cursor() as cr:
        # Recordings are evidence and their guard refuses every DELETE (items 12, 13): a benchmark's
        # throwaway rows go with the guard off for this transaction's statement only.
        cr.execute("ALTER TABLE mchs_bodycam_recording DISABLE TRIGGER mchs_bodycam_recording_guard")
        cr.execute("DELETE FROM mchs_bodycam_recording WHERE storage_id = %s OR dock_id = %s OR camera_id = %s",
                   [fixture["storage"], fixture["dock"], fixture["camera"]])
        recordings = cr.rowcount
        cr.execute("ALTER TABLE mchs_bodycam_recording ENABLE TRIGGER mchs_bodycam_recording_guard")
        cr.execute("DELETE FROM mchs_bodycam_dock WHERE id = %s", [fixture["dock"]])
        cr.execute("DELETE FROM mchs_bodycam_storage WHERE id = %s", [fixture["storage"]])
        cr.execute("DELETE FROM mchs_bodycam_camera WHERE id = %s", [fixture["camera"]])
        cr.execute("DELETE FROM maintenance_equipment WHERE id = %s", [fixture["equipment"]])
        for model, res_id in (("mchs.bodycam.camera", fixture["camera"]),
                              ("maintenance.equipment", fixture["equipment"]),
                              ("hr.department", fixture["unit"])):
            cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = %s", [model, res_id])
            cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = %s", [model, res_id])
        cr.execute("SELECT bodycam_camera_sequence_id, bodycam_card_sequence_id FROM hr_department WHERE id = %s",
                   [fixture["unit"]])
        sequence_ids = [sid for sid in (cr.fetchone() or ()) if sid]
        cr.execute("DELETE FROM hr_department WHERE id = %s", [fixture["unit"]])
        for sequence_id in sequence_ids:
            cr.execute("DELETE FROM ir_sequence WHERE id = %s", [sequence_id])
            # 'standard' sequences are backed by a PostgreSQL sequence of this name.
            cr.execute(f"DROP SEQUENCE IF EXISTS ir_sequence_{sequence_id:03d}")
        cr.commit()
    print(f"cleanup: removed unit {fixture['code']}, its storage, dock, bodycam and {recordings} recording(s)")


# ---------------------------------------------------------------------------- server

def start_server(args, folder):
    odoo_bin = args.odoo_bin or os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    global SERVER_LOG
    SERVER_LOG = os.path.join(folder, "odoo-server.log")
    log = open(SERVER_LOG, "wb")
    command = [sys.executable, odoo_bin, "-c", args.config, "-d", args.database, "--db-filter", f"^{args.database}$",
               "--http-port", str(args.port), "--http-interface", "127.0.0.1", "--workers", "0",
               "--max-cron-threads", "0"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            with open(log.name, errors="replace") as handle:
                sys.stdout.write(handle.read()[-4000:])
            raise SystemExit(f"the Odoo server exited with code {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            connection.request("GET", "/web/health")
            if connection.getresponse().status == 200:
                connection.close()
                return process, log
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process, log)
    raise SystemExit(f"the Odoo server did not answer on port {args.port} within 120 s")


def stop_server(process, log):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


def listening_pid(port):
    """The process listening on ``port`` on this machine (an external server), or None."""
    try:
        for connection in psutil.net_connections(kind="tcp"):
            if connection.laddr and connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
                return connection.pid
    except psutil.AccessDenied:
        pass
    return None


# ---------------------------------------------------------------------------- files, timings

def write_random_file(path, size_mb):
    chunk = 4 * MB
    remaining = size_mb * MB
    start = time.perf_counter()
    with open(path, "wb") as handle:
        while remaining:
            block = os.urandom(min(chunk, remaining))
            handle.write(block)
            remaining -= len(block)
        handle.flush()
        os.fsync(handle.fileno())
    return time.perf_counter() - start


def run(command):
    start = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, result.stdout


SERVER_LOG = None  # path of the log of the server this script started


def server_log_offset():
    return os.path.getsize(SERVER_LOG) if SERVER_LOG and os.path.exists(SERVER_LOG) else 0


def print_server_log(offset, limit=6000):
    """What the server logged since ``offset`` (after a 5xx answer)."""
    if not SERVER_LOG:
        return
    with open(SERVER_LOG, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    print("  server log:")
    for line in text[-limit:].splitlines():
        print("    | " + line)


def upload(port, token, camera, path, filename):
    """POST the file, streamed from disk; returns (seconds, HTTP status, decoded JSON answer)."""
    offset = server_log_offset()
    size = os.path.getsize(path)
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    query = urlencode({"camera": camera, "start": str(now - timedelta(hours=2)), "end": str(now - timedelta(hours=1)),
                       "filename": filename})
    headers = {"Authorization": f"Bearer {token}", "Content-Length": str(size),
               "Content-Type": "application/octet-stream"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=None, blocksize=MB)
    with open(path, "rb") as body:
        start = time.perf_counter()
        connection.request("POST", f"{ENDPOINT}?{query}", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - start
    connection.close()
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = payload[:120]
    if response.status >= 500:
        time.sleep(0.5)
        print_server_log(offset)
    return elapsed, response.status, answer


class RssSampler(threading.Thread):
    """RSS of a process every ``interval`` seconds; ``peak`` is the largest sample."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
                self.samples += 1
            except psutil.Error:
                return
            self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()


def proc_status(pid, key):
    """VmRSS / VmHWM of a process in bytes, or None."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_hwm(pid):
    """Reset the process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def storage_contents(folder, database, storage_id):
    """Files stored in primary and backup, leftover .part files, and recording rows."""
    counts = []
    for which in ("primary", "backup"):
        stored = parts = 0
        for _root, _dirs, files in os.walk(os.path.join(folder, which)):
            parts += sum(name.endswith(".part") for name in files)
            stored += sum(not name.endswith(".part") for name in files)
        counts.append(f"{which} {stored} file(s) + {parts} .part")
    with Registry(database).cursor() as cr:
        cr.execute("SELECT count(*) FROM mchs_bodycam_recording WHERE storage_id = %s", [storage_id])
        rows = cr.fetchone()[0]
    return f"{', '.join(counts)}; {rows} recording row(s)"


def fit_size(folder, size_mb, label):
    """``size_mb`` or less, so that 4x the size fits in the folder's free space."""
    free_mb = shutil.disk_usage(folder).free // MB
    if free_mb >= 4 * size_mb:
        return size_mb
    scaled = max(1, free_mb // 4)
    print(f"NOTE: {free_mb} MB free in {folder}, not room for 4 x {size_mb} MB; {label} scaled down to {scaled} MB")
    return scaled


def mbps(size_mb, seconds):
    return size_mb / seconds if seconds else float("inf")


def mib(value):
    return f"{value / MB:,.1f} MiB" if value is not None else "n/a"


# ---------------------------------------------------------------------------- the measurements

def compare(args, folder, token, camera):
    size_mb = fit_size(folder, args.size_mb, "--size-mb")
    source = os.path.join(folder, f"source-{size_mb}.bin")
    print(f"\n== {size_mb} MB: cp + cp + sync + sha256sum against one upload ==")
    print(f"writing {size_mb} MB of random data to {source} ... {write_random_file(source, size_mb):.1f} s")
    copies = os.path.join(folder, "cp")
    os.makedirs(copies)
    target_a, target_b = os.path.join(copies, "A"), os.path.join(copies, "B")

    subprocess.run(["sync"], check=True)  # nothing dirty is left to be charged to the timings
    cp_a, _ = run(["cp", source, target_a])
    cp_b, _ = run(["cp", source, target_b])
    sync, _ = run(["sync"])
    sha, output = run(["sha256sum", source])
    baseline = cp_a + cp_b + sync + sha
    baseline_sha = output.split()[0]
    print("cp + cp + sync + sha256sum (source in the page cache, copies on the storage's filesystem):")
    print(f"  cp source A   {cp_a:8.2f} s")
    print(f"  cp source B   {cp_b:8.2f} s")
    print(f"  sync          {sync:8.2f} s   (writes both copies to disk, as the upload's fsync does)")
    print(f"  sha256sum     {sha:8.2f} s")
    print(f"  total         {baseline:8.2f} s   {mbps(size_mb, baseline):7.1f} MB/s of source")
    shutil.rmtree(copies)

    subprocess.run(["sync"], check=True)
    seconds, status, answer = upload(args.port, token, camera, source, f"BENCH_{size_mb}MB.mp4")
    print("upload POST " + ENDPOINT + " (client streams the file from disk over loopback HTTP; the server")
    print("  writes primary + backup while hashing, fsyncs both, renames, commits the recording):")
    print(f"  HTTP {status} {answer if status >= 300 else ''}".rstrip())
    print(f"  total         {seconds:8.2f} s   {mbps(size_mb, seconds):7.1f} MB/s of source")
    if status < 300:
        print(f"  SHA-256 same as sha256sum's: {'yes' if answer.get('sha256') == baseline_sha else 'NO'}")
    print(f"ratio upload / (cp + cp + sync + sha256sum): {seconds / baseline:.2f}")
    os.unlink(source)


def peak_memory(args, folder, token, camera, pid, storage_id):
    size_mb = fit_size(folder, args.big_size_mb, "--big-size-mb")
    source = os.path.join(folder, f"source-{size_mb}.bin")
    print(f"\n== {size_mb} MB upload: memory of the Odoo server process (pid {pid}) ==")
    print(f"writing {size_mb} MB of random data ... {write_random_file(source, size_mb):.1f} s")
    subprocess.run(["sync"], check=True)
    hwm_reset = reset_hwm(pid)
    baseline_rss = psutil.Process(pid).memory_info().rss
    hwm_before = proc_status(pid, "VmHWM")
    sampler = RssSampler(pid)
    sampler.start()
    seconds, status, answer = upload(args.port, token, camera, source, f"BENCH_{size_mb}MB_BIG.mp4")
    sampler.stop()
    hwm_after = proc_status(pid, "VmHWM")
    print(f"  HTTP {status} {answer if status >= 300 else ''}".rstrip())
    print(f"  upload        {seconds:8.2f} s   {mbps(size_mb, seconds):7.1f} MB/s")
    print(f"  baseline RSS  {mib(baseline_rss)}")
    print(f"  peak RSS      {mib(sampler.peak)}   ({sampler.samples} samples, every 50 ms)")
    print(f"  difference    {mib(sampler.peak - baseline_rss)}")
    print(f"  VmHWM before  {mib(hwm_before)}{' (reset to current RSS)' if hwm_reset else ' (not reset: lifetime peak)'}")
    print(f"  VmHWM after   {mib(hwm_after)}   (difference {mib(None if None in (hwm_before, hwm_after) else hwm_after - hwm_before)})")
    os.unlink(source)
    print(f"  storage now: {storage_contents(folder, args.database, storage_id)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--big-size-mb", type=int, default=4096)
    parser.add_argument("--port", type=int, default=18469, help="HTTP port of the server it starts (or of a running one)")
    parser.add_argument("--no-start-server", action="store_true",
                        help="use the Odoo server already serving the database on --port")
    parser.add_argument("--odoo-bin", help="default: odoo-bin next to the imported odoo package")
    parser.add_argument("--folder", help="where to make the storage and scratch directory (default: the temp dir, "
                                         "same disk as /tmp); that directory is removed at the end")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config])

    if args.folder:
        os.makedirs(args.folder, exist_ok=True)
    # A new directory (inside --folder when given), so that removing it at the end removes only ours.
    folder = tempfile.mkdtemp(prefix="bench_ingest_", dir=os.path.abspath(args.folder) if args.folder else None)
    print(f"folder {folder}: {shutil.disk_usage(folder).free // MB:,} MB free; CPUs {os.cpu_count()}")
    server = log = fixture = None
    try:
        fixture, token = setup(args.database, folder, 2 * max(args.size_mb, args.big_size_mb) + 64)
        print(f"unit {fixture['code']}, bodycam {fixture['inventory_number']}, storage in {folder}/primary and /backup")
        if args.no_start_server:
            pid = listening_pid(args.port)
            print(f"using the server on port {args.port} (pid {pid or 'not found: no memory figures'})")
        else:
            server, log = start_server(args, folder)
            pid = server.pid
            print(f"started odoo-bin --workers 0 on port {args.port}, pid {pid}")
        # Warm-up: the first request routes and loads what the endpoint needs (refused: bad token).
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        connection.request("POST", ENDPOINT, body=b"x", headers={"Authorization": "Bearer warm-up"})
        print(f"warm-up request: HTTP {connection.getresponse().status}")
        connection.close()

        compare(args, folder, token, fixture["inventory_number"])
        if pid:
            peak_memory(args, folder, token, fixture["inventory_number"], pid, fixture["storage"])
    finally:
        if server:
            stop_server(server, log)
            print("server stopped")
        if fixture:
            cleanup(args.database, fixture)
        shutil.rmtree(folder, ignore_errors=True)
        print(f"removed {folder}")


if __name__ == "__main__":
    main()
