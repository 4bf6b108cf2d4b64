"""A real Odoo server for the top-level tests: a copy of the demo database with its own copy of
the recordings' files, served by odoo-bin as production runs it (``--workers 2``, a cron
worker), and JSON-RPC clients logged in as the demo users (password = login)."""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Client:
    """One logged-in user of the server, over JSON-RPC."""

    def __init__(self, base_url, db, login, password=None):
        self.base_url = base_url
        self.http = requests.Session()
        self.uid = self._post("/web/session/authenticate",
                              {"db": db, "login": login, "password": password or login})["uid"]

    def _post(self, path, params):
        response = self.http.post(self.base_url + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                  timeout=120)
        response.raise_for_status()
        answer = response.json()
        if "error" in answer:
            data = answer["error"]["data"]
            raise RpcError(data["name"], data["message"])
        return answer.get("result")  # omitted when the method returned None

    def call(self, model, method, *args, **kwargs):
        return self._post(f"/web/dataset/call_kw/{model}/{method}",
                          {"model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def get(self, path, **kwargs):
        return self.http.get(self.base_url + path, timeout=120, **kwargs)


@contextlib.contextmanager
def demo_copy(mchs, db, folder):
    """A copy of the demo database named ``db``, with its filestore and its own copy of the
    storage servers' local folders under ``folder``; dropped afterwards."""
    mchs.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    mchs.execute(f'CREATE DATABASE "{db}" TEMPLATE "{mchs.db_demo}"')
    filestore = os.path.join(mchs.data_dir, "filestore")
    shutil.rmtree(os.path.join(filestore, db), ignore_errors=True)  # left by a run that was killed
    if os.path.isdir(os.path.join(filestore, mchs.db_demo)):
        shutil.copytree(os.path.join(filestore, mchs.db_demo), os.path.join(filestore, db))
    try:
        rows = mchs.query(db, "SELECT id, primary_path, backup_path FROM mchs_bodycam_storage "
                              "WHERE kind IS NULL OR kind = 'local'")
        for storage_id, primary, backup in rows:
            copies = [os.path.join(folder, f"{storage_id}-{which}") for which in ("primary", "backup")]
            for source, target in zip((primary, backup), copies):
                shutil.copytree(source, target)
            mchs.query(db, "UPDATE mchs_bodycam_storage SET primary_path = %s, backup_path = %s WHERE id = %s "
                           "RETURNING id", (copies[0], copies[1], storage_id))
        yield db
    finally:
        mchs.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(os.path.join(filestore, db), ignore_errors=True)


@contextlib.contextmanager
def odoo_server(mchs, db, folder, *extra):
    """odoo-bin serving ``db`` with two HTTP workers and a cron worker; yields its base URL.
    Afterwards, an ERROR or CRITICAL line in its log fails the caller."""
    port = free_port()
    log = os.path.join(folder, "odoo.log")
    # the console (the gevent worker's complaints of a missing library, say) goes to a file too
    with open(os.path.join(folder, "console.txt"), "wb") as console:
        process = subprocess.Popen(
            ["python3", mchs.odoo_bin, "-c", mchs.conf, "-d", db, "--db-filter", f"^{db}$", "--http-port", str(port),
             "--gevent-port", str(free_port()), "--workers", "2", "--max-cron-threads", "1", "--log-level", "info",
             "--logfile", log, *extra],
            stdout=console, stderr=subprocess.STDOUT, start_new_session=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 180
            while True:
                try:
                    if requests.get(f"{base_url}/web/login", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                assert process.poll() is None, f"odoo-bin exited:\n{_tail(log)}"
                assert time.time() < deadline, f"odoo-bin did not answer:\n{_tail(log)}"
                time.sleep(1)
            yield base_url
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the server we started and its workers
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with open(log, encoding="utf-8") as handle:
        errors = [line for line in handle if " ERROR " in line or " CRITICAL " in line]
    # a refused request logs no error; anything else would be a defect
    assert not errors, "".join(errors[:20])


def _tail(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()[-4000:]
    except FileNotFoundError:
        return ""


def odoo_command(mchs, *args, stdin=None):
    """``odoo-bin <addons path> args...`` (the addon's own commands are found through it)."""
    return subprocess.run(["python3", mchs.odoo_bin, f"--addons-path={mchs.addons_path}", *args],
                          input=stdin, capture_output=True, text=True, timeout=900)
