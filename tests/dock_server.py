"""A real Odoo server for the dock API tests (items 10, 11): ``odoo-bin --workers 2`` on a free
port, on a copy of the no-demo database, with a unit, its storage server in a throwaway folder,
two docks with their tokens, four bodycams with their cards, two of them issued (open duties of
the Appendix 1 journal)."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.request import urlopen

# run by ``odoo-bin shell``; prints one JSON line with what the tests need
SETUP_SCRIPT = r"""
import json
from datetime import timedelta
from odoo import fields
from odoo.addons.mchs_bodycam.lib.storage import UPLOAD_CHUNK_SIZE

code, folder, settings = CODE, FOLDER, SETTINGS
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
unit = env["hr.department"].create({"name": f"Dock tests {code}", "bodycam_code": code})

def person(login, group, barcode=None):
    user = env["res.users"].create({"name": login, "login": login, "password": login,
        "groups_id": [(6, 0, env.ref(f"mchs_bodycam.{group}").ids)]})
    employee = env["hr.employee"].create({"name": login, "user_id": user.id, "department_id": unit.id,
                                          "barcode": barcode})
    return user, employee

responsible_user, responsible = person(f"{code.lower()}.responsible", "group_bodycam_responsible")
inspectors = [person(f"{code.lower()}.inspector{number}", "group_bodycam_inspector",
                     barcode=f"{abs(hash(code)) % 10**9:09d}{number}")[1] for number in (1, 2)]
for role, employee in (("responsible", responsible), ("head", responsible)):
    env["mchs.bodycam.designation"].create({"department_id": unit.id, "role": role, "employee_id": employee.id,
                                            "date_start": "2020-01-01"})
book = env["mchs.bodycam.journal"].create({"kind": "custody", "department_id": unit.id,
                                           "registration_number": code, "registration_date": "2020-01-08"})
book.action_register()
Camera, Card = env["mchs.bodycam.camera"], env["mchs.bodycam.card"]
cameras = Camera.create([{"department_id": unit.id, "card_slot_count": 2} for _ in range(4)])
cards = Card.create([{"department_id": unit.id} for _ in range(5)])
spare = Card.create({"department_id": unit.id})
installed = fields.Datetime.now() - timedelta(days=30)
camera_cards = list(zip(cameras, (cards[:2], cards[2:3], cards[3:4], cards[4:5])))
for camera, camera_cards_of in camera_cards:
    for card in camera_cards_of:
        card._install_into(camera, when=installed)
    camera._apply_seal(f"{code}-S-{camera.id}")
storage = env["mchs.bodycam.storage"].create(dict({
    "name": f"Dock tests {code}", "department_id": unit.id, "primary_path": f"{folder}/primary",
    "backup_path": f"{folder}/backup", "max_upload_mb": 4096, "reserve_mb": 64}, **settings))
docks, tokens = [], []
for number in (1, 2):
    dock = env["mchs.bodycam.dock"].create({"name": f"{code}-DOCK-{number}", "department_id": unit.id})
    tokens.append(dock.action_generate_token()["params"]["message"])
    docks.append(dock.id)
checks = {"check_operable": True, "battery_level": 95, "check_datetime": True, "clock_offset_seconds": 0,
          "check_quality": True, "check_inventory_label": True, "check_seal_intact": True, "check_placement": True, "check_badge_worn": True}
duties = {}
# Two open duties issued six hours ago: the clock is moved back (as the demo does) because a
# signed Appendix 1 row cannot be rewritten afterwards (item 9).
from freezegun import freeze_time
with freeze_time(fields.Datetime.now() - timedelta(hours=6)):
    for camera, inspector in ((cameras[0], inspectors[0]), (cameras[3], inspectors[1])):
        entry = env["mchs.bodycam.custody"].with_user(responsible_user).create(dict(
            checks, camera_id=camera.id, inspector_id=inspector.id, check_seal_number=camera.seal_number))
        entry._confirm_by_badge(inspector.sudo()._bodycam_badge_payload(), "issue")
        entry.action_issue()
        duties[camera.inventory_number] = entry.id
env.cr.commit()
print("SETUP=" + json.dumps({
    "unit": unit.id, "storage": storage.id, "docks": docks, "tokens": tokens, "duties": duties,
    "cameras": cameras.mapped("inventory_number"), "cards": cards.mapped("inventory_number"),
    "camera_cards": {camera.inventory_number: of.mapped("inventory_number") for camera, of in camera_cards},
    "spare_card": spare.inventory_number, "primary": storage.primary_path, "backup": storage.backup_path,
    "chunk_size": UPLOAD_CHUNK_SIZE}))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DockServer:
    """``start()`` / ``stop()`` an Odoo server (prefork workers, one cron worker) on a database
    of its own; ``setup`` holds what SETUP_SCRIPT created."""

    def __init__(self, mchs, workers=2, limit_time_real=15, storage_settings=None):
        self.mchs = mchs
        self.workers = workers
        self.limit_time_real = limit_time_real
        self.db = f"mchs_dock_{uuid.uuid4().hex[:8]}"
        self.folder = tempfile.mkdtemp(prefix="mchs-dock-server-")
        os.chmod(self.folder, 0o755)
        self.port = free_port()
        self.log_path = os.path.join(self.folder, "odoo.log")
        self.process = None
        self.setup = None
        self.storage_settings = storage_settings or {}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def create(self):
        self.mchs.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{self.mchs.db_nodemo}"')
        filestore = os.path.join(self.mchs.data_dir, "filestore")
        if os.path.isdir(os.path.join(filestore, self.mchs.db_nodemo)):
            shutil.copytree(os.path.join(filestore, self.mchs.db_nodemo), os.path.join(filestore, self.db))
        code = "DT" + uuid.uuid4().hex[:5].upper()
        script = (SETUP_SCRIPT.replace("CODE", repr(code)).replace("FOLDER", repr(self.folder))
                  .replace("SETTINGS", repr(self.storage_settings)))
        proc = self.mchs.run_odoo("shell", "-c", self.mchs.conf, "-d", self.db, "--no-http", "--log-level=warn",
                                  stdin=script, timeout=600)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("SETUP=")]
        assert lines, f"the setup script failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        self.setup = json.loads(lines[0][len("SETUP="):])
        return self

    def start(self, timeout=120):
        args = ["python3", self.mchs.odoo_bin, "-c", self.mchs.conf, "-d", self.db, "--db-filter", f"^{self.db}$",
                "--http-port", str(self.port), "--gevent-port", str(free_port()), "--workers", str(self.workers),
                "--max-cron-threads", "1", "--limit-time-real", str(self.limit_time_real),
                "--limit-time-cpu", str(self.limit_time_real), "--limit-time-real-cron", "120",
                # Odoo's own defaults, as in production (the test configuration turns them off)
                "--limit-memory-soft", str(2048 << 20), "--limit-memory-hard", str(2560 << 20),
                "--log-level", "info", "--logfile", self.log_path]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"odoo-bin exited {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                with urlopen(f"{self.url}/web/health", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"odoo-bin did not answer within {timeout} s:\n{self.log()[-4000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=30)
        self.process = None

    def drop(self):
        self.stop()
        self.mchs.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        shutil.rmtree(os.path.join(self.mchs.data_dir, "filestore", self.db), ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def query(self, sql, params=None):
        return self.mchs.query(self.db, sql, params)

    def connect(self):
        return self.mchs.connect(self.db)

    def stray_parts(self):
        """Files left in the staging folders of both locations."""
        found = []
        for location in (self.setup["primary"], self.setup["backup"]):
            staging = os.path.join(location, ".incoming")
            if os.path.isdir(staging):
                found += [os.path.join(staging, name) for name in os.listdir(staging)]
        return found

    def stored_path(self, location, sha256):
        return os.path.join(self.setup[location], sha256[:2], sha256[2:4], sha256)

