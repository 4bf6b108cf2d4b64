"""The dock agent (dock/, mchs_dock_agent) against a real server with workers (issue 10, point
4; items 5, 10, 11): folders stand in for the mass-storage mounts of docked bodycams."""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

ALMATY = ZoneInfo("Asia/Almaty")


def agent_command():
    script = shutil.which("mchs-dock-agent")
    return [script] if script else [sys.executable, "-m", "mchs_dock_agent"]


class Station:
    """A charging station: its mounts folder, the agent's configuration and state, its log."""

    def __init__(self, server, folder, token_index=0, **settings):
        self.server = server
        self.folder = folder
        self.media = folder / "media"
        self.media.mkdir()
        self.config = folder / "agent.toml"
        self.log = folder / "agent.log"
        self.devices = {}
        self.settings = dict({"retry_min_seconds": 0.5, "retry_max_seconds": 2, "once_give_up_seconds": 60,
                              "device_timezone": "Asia/Almaty"}, **settings)
        self.token_index = token_index
        self.write_config()

    def write_config(self):
        lines = [f'server_url = "{self.server.url}"', f'token = "{self.server.setup["tokens"][self.token_index]}"',
                 f'state_file = "{self.folder / "state" / "agent.json"}"', f'mounts = ["{self.media}/*"]']
        lines += [f"{key} = {value!r}".replace("'", '"') if isinstance(value, str) else f"{key} = {value}"
                  for key, value in self.settings.items()]
        lines += ["[identify]", 'id_file = "BODYCAM.TXT"', "[devices]"]
        lines += [f'"{label}" = {{ camera = "{camera}", card = "{card}" }}'
                  for label, (camera, card) in self.devices.items()]
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def dock(self, label, camera=None, card=None, id_file=None):
        """A bodycam docked as the mount ``label``, known by the devices map (camera and card)
        or by an id file on its card."""
        mount = self.media / label
        (mount / "DCIM").mkdir(parents=True)
        if camera:
            self.devices[label] = (camera, card)
            self.write_config()
        if id_file:
            (mount / "BODYCAM.TXT").write_text(id_file, encoding="utf-8")
        return mount

    def record(self, mount, minutes_ago, size, seed=b""):
        """A recording the bodycam wrote: named by its start on the device's clock (Almaty
        time), last written at its end."""
        start = datetime.now(ALMATY).replace(microsecond=0) - timedelta(minutes=minutes_ago)
        path = mount / "DCIM" / f"{start:%Y%m%d_%H%M%S}_0001.MP4"
        path.write_bytes(seed + os.urandom(size - len(seed)))
        end = (start + timedelta(minutes=10)).timestamp()
        os.utime(path, (end, end))
        return path

    def run(self, *extra, wait=True):
        handle = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 (closed by the caller's wait)
        process = subprocess.Popen([*agent_command(), "-c", str(self.config), *extra], stdout=handle,
                                   stderr=subprocess.STDOUT)
        handle.close()
        if wait:
            process.wait(timeout=300)
        return process

    def text(self):
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recordings_with(server, digest):
    return server.query("SELECT id, card_id IS NOT NULL FROM mchs_bodycam_recording WHERE sha256 = %s", [digest])


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_normal_run_uploads_and_wipes_each_file(dock_server, tmp_path):
    """Two docked bodycams, one known by its volume label in the devices map, one by the id
    file on its card; an unknown third one is logged and left alone. Every file is stored,
    verified on both copies, then deleted from its card (items 5, 10)."""
    server = dock_server
    station = Station(server, tmp_path)
    camera_a, camera_b = server.setup["cameras"][1], server.setup["cameras"][2]
    by_label = station.dock("BODYCAM_A", camera=camera_a, card=server.setup["camera_cards"][camera_a][0])
    by_file = station.dock("NO_NAME", id_file=f"camera={camera_b}\ncard={server.setup['camera_cards'][camera_b][0]}\n")
    unknown = station.dock("SOMEONES_PHONE")
    files = [station.record(by_label, 300, 1000), station.record(by_label, 200, server.setup["chunk_size"] + 777),
             station.record(by_file, 100, 50_000)]
    stranger = station.record(unknown, 90, 2000)
    digests = [sha(path) for path in files]
    process = station.run("--once")
    log = station.text()
    assert process.returncode == 0, log
    for path, digest in zip(files, digests):
        assert not path.exists(), f"{path} was not wiped:\n{log}"
        assert recordings_with(server, digest) == [(recordings_with(server, digest)[0][0], True)]
        assert f"{path}: stored and verified as recording" in log
    assert stranger.exists() and "unknown device at" in log and "SOMEONES_PHONE" in log
    assert (by_file / "BODYCAM.TXT").exists()
    assert re.search(r"uploading \d+ bytes as upload [0-9a-f]{32} from offset 0", log)


def test_restart_in_the_middle_of_a_file_resumes_from_the_servers_offset(dock_server, tmp_path):
    server = dock_server
    chunk = server.setup["chunk_size"]
    station = Station(server, tmp_path, max_rate_bytes_per_second=4 * chunk)
    camera = server.setup["cameras"][1]
    mount = station.dock("BODYCAM_R", camera=camera, card=server.setup["camera_cards"][camera][0])
    path = station.record(mount, 400, 4 * chunk + 10)
    digest = sha(path)
    process = station.run("--once", wait=False)
    held = wait_for(lambda: server.query(
        "SELECT received FROM mchs_bodycam_upload WHERE sha256 = %s AND received >= %s", [digest, chunk]),
        120, "the first chunk stored")
    process.send_signal(signal.SIGKILL)  # the PC loses power, say
    process.wait(timeout=30)
    assert path.exists()
    assert held[0][0] < 4 * chunk + 10
    process = station.run("--once")
    log = station.text()
    assert process.returncode == 0, log
    resumed = re.search(r"resuming upload ([0-9a-f]{32}) at (\d+) of", log)
    assert resumed and int(resumed.group(2)) >= chunk, log
    assert server.query("SELECT name, state FROM mchs_bodycam_upload WHERE sha256 = %s", [digest]) == \
        [(resumed.group(1), "done")], "the same upload was resumed"
    assert len(recordings_with(server, digest)) == 1
    assert not path.exists()


def test_server_down_then_up(dock_server, tmp_path):
    """The agent keeps trying, with growing pauses, while the server is down, and uploads
    once it is back."""
    server = dock_server
    station = Station(server, tmp_path)
    camera = server.setup["cameras"][2]
    mount = station.dock("BODYCAM_D", camera=camera, card=server.setup["camera_cards"][camera][0])
    path = station.record(mount, 500, 30_000)
    digest = sha(path)
    server.stop()
    try:
        process = station.run("--once", wait=False)
        wait_for(lambda: station.text().count("trying again in") >= 2, 60, "the agent retrying")
        assert path.exists()
    finally:
        server.start()
    assert process.wait(timeout=120) == 0, station.text()
    assert not path.exists()
    assert len(recordings_with(server, digest)) == 1
    assert "Connection refused" in station.text()
    assert "stored and verified as recording" in station.text()


def test_refused_file_and_full_server_keep_the_file(dock_server, tmp_path):
    """A file the server refuses (its card was not in that bodycam) is logged and stays on
    the card, and is not sent again at every pass; a full server keeps the file too."""
    server = dock_server
    station = Station(server, tmp_path, once_give_up_seconds=3)
    camera = server.setup["cameras"][2]
    wrong_card = server.setup["spare_card"]
    refused_mount = station.dock("BODYCAM_X", camera=camera, card=wrong_card)
    refused = station.record(refused_mount, 600, 4000)
    process = station.run("--once")
    log = station.text()
    assert process.returncode == 0, log
    assert refused.exists()
    assert "refused by the server (card_not_in_camera" in log and "stays on the card" in log
    process = station.run("--once")
    assert station.text().count("refused by the server") == 1, "a refused file is not sent again at once"
    # the storage server is full: nothing is sent, the file stays
    full_mount = station.dock("BODYCAM_F", camera=camera, card=server.setup["camera_cards"][camera][0])
    kept = station.record(full_mount, 700, 5000)
    server.query("UPDATE mchs_bodycam_storage SET reserve_mb = 1000000000 WHERE id = %s RETURNING id",
                 [server.setup["storage"]])
    try:
        process = station.run("--once")
    finally:
        server.query("UPDATE mchs_bodycam_storage SET reserve_mb = 64 WHERE id = %s RETURNING id",
                     [server.setup["storage"]])
    assert process.returncode == 1, station.text()
    assert kept.exists() and "storage_full" in station.text()
    assert not recordings_with(server, sha(kept))


@pytest.fixture(autouse=True)
def _server_is_up(dock_server):
    """A test that stopped the server leaves it running for the next one."""
    yield
    if dock_server.process is None:
        dock_server.start()
