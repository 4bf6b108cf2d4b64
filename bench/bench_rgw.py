#!/usr/bin/env python3
"""The object store side of issue 10's benchmark: a throwaway Ceph RGW (tools/rgw.sh), its start
time and idle RSS, and the raw boto3 PUT throughput that the product's uploads are compared with,
beside the product's own S3 backend (store_stream to two buckets under COMPLIANCE retention) on
the same RGW in the same run. Prints figures; asserts nothing.

    python3 bench/bench_rgw.py [--size-mb 256] [--count 4] [--store memstore|bluestore] [--keep DIR]

The RGW is started in a temporary folder (or DIR) and stopped at the end. `--store bluestore`
puts it on a sparse file (big objects); memstore holds the data in RAM.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from types import ModuleType

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RGW = os.path.join(REPO, "tools", "rgw.sh")
MIB = 1024 * 1024


def _lib():
    """The addon's storage modules, imported without Odoo."""
    package = ModuleType("mchs_lib")
    package.__path__ = [os.path.join(REPO, "addons", "mchs_bodycam", "lib")]
    sys.modules["mchs_lib"] = package
    from mchs_lib import storage, storage_s3  # noqa: PLC0415 - after the package exists
    return storage, storage_s3


def _rss_mb(folder):
    total = 0
    for name in ("mon.a", "osd.0", "client.rgw"):
        with open(os.path.join(folder, "run", f"{name}.pid"), encoding="ascii") as handle:
            pid = handle.read().strip()
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            total += next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
    return total / 1024


def _env(folder):
    output = subprocess.run(["bash", RGW, "env", folder], check=True, capture_output=True, text=True).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in output.splitlines())


def _throughput(label, size, count, seconds):
    print(f"{label:<58} {count * size / MIB / seconds:8.1f} MiB/s  ({count} x {size // MIB} MiB in {seconds:.1f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--count", type=int, default=4, help="objects, sent in parallel")
    parser.add_argument("--store", choices=("memstore", "bluestore"), default="bluestore")
    parser.add_argument("--keep", help="use (and keep) this folder for the RGW")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="mchs-bench-rgw-")
    size, count = args.size_mb * MIB, args.count
    need_mb = 3 * count * args.size_mb + 1024  # raw PUTs, then two copies each, and slack
    env = dict(os.environ, RGW_STORE=args.store, RGW_SIZE=str(max(need_mb, 2048)))
    started = time.monotonic()
    subprocess.run(["bash", RGW, "start", folder], check=True, env=env)
    print(f"RGW start ({args.store}, first start: mkfs included)       {time.monotonic() - started:8.1f} s")
    try:
        subprocess.run(["bash", RGW, "stop", folder], check=True)
        started = time.monotonic()
        subprocess.run(["bash", RGW, "start", folder], check=True, env=env)
        print(f"RGW start again                                             {time.monotonic() - started:8.1f} s")
        time.sleep(2)
        print(f"RGW idle RSS (mon + osd + radosgw)                          {_rss_mb(folder):8.1f} MiB")
        _bench(_env(folder), size, count)
        print(f"RGW RSS after the runs                                      {_rss_mb(folder):8.1f} MiB")
    finally:
        subprocess.run(["bash", RGW, "stop", folder], check=False)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _bench(env, size, count):
    storage, storage_s3 = _lib()
    settings = (env["MCHS_S3_ENDPOINT"], env["MCHS_S3_ACCESS_KEY"], env["MCHS_S3_SECRET_KEY"])

    def backend(name):
        bucket = storage_s3.S3Backend(settings[0], name, settings[1], settings[2])
        bucket.create_bucket()
        return bucket

    raw, primary, backup = backend("bench-raw"), backend("bench-primary"), backend("bench-backup")
    bodies = [os.urandom(size) for _ in range(count)]
    client = raw.client

    def raw_put(body):
        client.upload_fileobj(_Bytes(body), raw.bucket, f"raw/{uuid.uuid4().hex}")

    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(raw_put, bodies))
    _throughput("raw boto3 PUT (upload_fileobj, 8 MiB parts), one copy", size, count, time.monotonic() - started)

    until = datetime.utcnow() + timedelta(days=1)

    def product(body):
        chunks = (body[start:start + MIB] for start in range(0, len(body), MIB))
        storage.store_stream(chunks, [primary, backup], expected_size=len(body),
                             declared_sha256=hashlib.sha256(body).hexdigest(), retain_until=until)

    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(product, bodies))
    _throughput("product store_stream, two buckets, COMPLIANCE (bytes sent once)", size, count,
                time.monotonic() - started)


class _Bytes:
    """bytes as a file object for upload_fileobj, without a copy."""

    def __init__(self, data):
        self.view, self.position = memoryview(data), 0

    def read(self, size=-1):
        end = len(self.view) if size is None or size < 0 else self.position + size
        chunk = bytes(self.view[self.position:end])
        self.position += len(chunk)
        return chunk


if __name__ == "__main__":
    main()
