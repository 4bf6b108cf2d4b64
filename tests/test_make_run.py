"""Issue 14: a newcomer clones the project into a ``mktemp -d`` folder (as root here: a folder
no other user can enter, where the postgres user cannot reach a cluster) and types ``make run``:
the product answers on /web/login with its demo, and ``make stop`` stops it. Issue 10:
``make run STORAGE=s3`` does the same on a local Ceph RGW with Object Lock."""
import contextlib
import os
import shutil
import subprocess
import tempfile

import requests
from live import Client, free_port

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def _private_clone():
    """A clone in a ``mktemp -d`` folder, its ``make`` environment on free ports, and ``make
    stop`` after the test, which must stop the server."""
    folder = tempfile.mkdtemp(prefix="mchs-clone-")  # mode 700, like `mktemp -d`
    clone = os.path.join(folder, "mchs_bodycam")
    http_port, pg_port = free_port(), free_port()
    env = dict(os.environ, MCHS_RUN_HTTP_PORT=str(http_port), MCHS_RUN_PG_PORT=str(pg_port))
    url = f"http://127.0.0.1:{http_port}"
    try:
        subprocess.run(["git", "clone", "--quiet", REPO, clone], check=True, timeout=120)
        yield clone, env, url
    finally:
        stop = subprocess.run(["make", "stop"], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        cluster = os.path.realpath(os.path.join(clone, ".run", "pgdata"))
        shutil.rmtree(folder, ignore_errors=True)
        if cluster.startswith("/var/tmp/mchs-bodycam-"):
            shutil.rmtree(os.path.dirname(cluster), ignore_errors=True)
    assert stop.returncode == 0, stop.stderr[-2000:]
    try:
        requests.get(f"{url}/web/login", timeout=5)
        raise AssertionError("Odoo still answers after make stop")
    except requests.ConnectionError:
        pass


def _make_run(clone, env, *args):
    run = subprocess.run(["make", "run", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def test_make_run_from_a_private_clone(mchs):
    with _private_clone() as (clone, env, url):
        _make_run(clone, env)
        login = requests.get(f"{url}/web/login", timeout=30)
        assert login.status_code == 200 and "login" in login.text
        demo = subprocess.run(["make", "run"], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        assert demo.returncode == 0 and "already running" in demo.stderr, demo.stderr[-2000:]


def test_make_run_on_the_object_store(mchs):
    """Issue 10: the demo on a local RGW. Its story runs on the store as it happened: last
    year's act destroyed the expired recordings and the audit ran (items 12, 13), although the
    demo acts at last year's moments (the store checks signatures against its own clock)."""
    with _private_clone() as (clone, env, url):
        run = _make_run(clone, env, "STORAGE=s3")
        assert "Ceph RGW" in run.stdout, run.stdout[-2000:]
        admin = Client(url, "mchs_bodycam_s3", "admin", "admin")

        def search_read(model, fields):
            return admin.call(model, "search_read", [], fields=fields)

        assert {storage["kind"] for storage in search_read("mchs.bodycam.storage", ["kind"])} == {"s3"}
        done = [act for act in search_read("mchs.bodycam.destruction", ["state", "destroy_count", "error"])
                if act["state"] == "done"]
        assert len(done) == 1 and done[0]["destroy_count"] > 0 and not done[0]["error"], done
        assert "done" in {audit["state"] for audit in search_read("mchs.bodycam.audit", ["state"])}
        uploads = search_read("mchs.bodycam.upload", ["state", "size"])
        assert "done" in {upload["state"] for upload in uploads}, uploads
