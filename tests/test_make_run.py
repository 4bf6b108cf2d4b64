"""Issue 14: a newcomer clones the project into a ``mktemp -d`` folder (as root here: a folder
no other user can enter, where the postgres user cannot reach a cluster) and types ``make run``:
the product answers on /web/login with its demo, and ``make stop`` stops it."""
import os
import shutil
import subprocess
import tempfile

import requests
from live import free_port

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_make_run_from_a_private_clone(mchs):
    folder = tempfile.mkdtemp(prefix="mchs-clone-")  # mode 700, like `mktemp -d`
    clone = os.path.join(folder, "mchs_bodycam")
    http_port, pg_port = free_port(), free_port()
    env = dict(os.environ, MCHS_RUN_HTTP_PORT=str(http_port), MCHS_RUN_PG_PORT=str(pg_port))
    try:
        subprocess.run(["git", "clone", "--quiet", REPO, clone], check=True, timeout=120)
        run = subprocess.run(["make", "run"], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        login = requests.get(f"http://127.0.0.1:{http_port}/web/login", timeout=30)
        assert login.status_code == 200 and "login" in login.text
        demo = subprocess.run(["make", "run"], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        assert demo.returncode == 0 and "already running" in demo.stderr, demo.stderr[-2000:]
    finally:
        stop = subprocess.run(["make", "stop"], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        cluster = os.path.realpath(os.path.join(clone, ".run", "pgdata"))
        shutil.rmtree(folder, ignore_errors=True)
        if cluster.startswith("/var/tmp/mchs-bodycam-"):
            shutil.rmtree(os.path.dirname(cluster), ignore_errors=True)
    assert stop.returncode == 0, stop.stderr[-2000:]
    try:
        requests.get(f"http://127.0.0.1:{http_port}/web/login", timeout=5)
        raise AssertionError("Odoo still answers after make stop")
    except requests.ConnectionError:
        pass
