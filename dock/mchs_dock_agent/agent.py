"""mchs-dock-agent: upload the recordings of docked bodycams to mchs_bodycam (Order No. 495,
items 10, 11) and wipe each from the card once the server verified both copies (item 5).

    mchs-dock-agent -c /etc/mchs-dock-agent/agent.toml [--once] [--verbose]

Without --once it scans the mounts every scan_interval_seconds, as a service. With --once it
makes one pass and exits: 0 when every file was stored or refused (refusals are logged and the
files stay), 1 when the server could not be reached before once_give_up_seconds.
"""
import argparse
import hashlib
import logging
import os
import time

from . import devices
from .client import DockClient, Refused, Unreachable
from .config import ConfigError, load
from .state import State

_logger = logging.getLogger("mchs_dock_agent")
# upload states after which the file must be sent again in a new upload
ENDED = ("failed", "expired", "aborted")


class Transient(Exception):
    """Try the file again later: the server is unreachable, busy or full."""


class Agent:
    def __init__(self, config, client=None, sleep=time.sleep):
        self.config = config
        self.client = client or DockClient(
            config.server_url, config.token, timeout=config.request_timeout_seconds, ca_file=config.ca_file,
            max_rate=config.max_rate_bytes_per_second, accept_language=config.accept_language)
        self.state = State(config.state_file)
        self.sleep = sleep
        self.unknown_logged = set()

    # ------------------------------------------------------------------ passes

    def run_forever(self):
        _logger.info("watching %s on %s", ", ".join(self.config.mounts), self.config.server_url)
        while True:
            self.run_pass(give_up_after=None)
            self.sleep(self.config.scan_interval_seconds)

    def run_pass(self, give_up_after):
        """Every recording of every docked bodycam, once; returns False when the server stayed
        out of reach for a file beyond ``give_up_after`` seconds."""
        mounts, identified = devices.docked(self.config)
        for mount in mounts:
            device = identified[mount]
            if device is None:
                if mount not in self.unknown_logged:
                    _logger.warning("unknown device at %s (known as %s): no camera in the devices map and no %s "
                                    "on it; its files stay on the card", mount,
                                    ", ".join(devices.device_keys(mount)), self.config.id_file)
                    self.unknown_logged.add(mount)
                continue
            self.unknown_logged.discard(mount)
            for recording in devices.recordings(device, self.config):
                if not self.process(device, recording, give_up_after):
                    return False  # the server is out of reach: the next files would wait as long
        return True

    def process(self, device, recording, give_up_after):
        """Upload one file, trying again with a growing pause while the server is out of reach."""
        delay, started = self.config.retry_min_seconds, time.monotonic()
        while True:
            try:
                self.upload(device, recording)
                return True
            except Transient as error:
                if give_up_after is not None and time.monotonic() - started + delay > give_up_after:
                    _logger.error("%s: giving up for now (%s); the file stays on the card", recording.path, error)
                    return False
                _logger.warning("%s: %s; trying again in %.0f s", recording.path, error, delay)
                self.sleep(delay)
                delay = min(delay * 2, self.config.retry_max_seconds)

    # ------------------------------------------------------------------ one file

    def upload(self, device, recording):
        entry = self.state.get(recording.key)
        if entry.get("status") in ("deleted", "kept"):
            return
        if entry.get("status") == "refused" and time.time() - entry["updated"] < self.config.refused_retry_seconds:
            return
        sha256 = entry.get("sha256") or self._hash(recording)
        try:
            answer = self._resume_or_open(device, recording, sha256, entry.get("upload_id"))
            while answer["state"] != "done":
                answer = self._advance(device, recording, sha256, answer)
        except Refused as error:
            if error.transient:
                raise Transient(str(error)) from error
            self.state.put(recording.key, status="refused", error=error.code, message=error.answer.get("message"))
            _logger.warning("%s refused by the server (%s: %s); the file stays on the card", recording.path,
                            error.code, error.answer.get("message"))
            return
        except Unreachable as error:
            raise Transient(str(error)) from error
        self._stored(recording, sha256, answer)

    def _resume_or_open(self, device, recording, sha256, upload_id):
        if upload_id:
            try:
                answer = self.client.status(upload_id)
                if answer["state"] not in ENDED:
                    _logger.info("%s: resuming upload %s at %s of %s bytes", recording.path, upload_id,
                                 answer.get("offset"), recording.size)
                    return answer
            except Refused as error:
                if error.code != "unknown_upload":
                    raise
        return self._open(device, recording, sha256)

    def _open(self, device, recording, sha256):
        answer = self.client.open(device.camera, device.card, recording.start, recording.end, recording.size,
                                  sha256, os.path.basename(recording.path))
        if answer["state"] != "done":
            self.state.put(recording.key, status="uploading", sha256=sha256, upload_id=answer["id"])
            _logger.info("%s: uploading %s bytes as upload %s from offset %s", recording.path, recording.size,
                         answer["id"], answer["offset"])
        return answer

    def _advance(self, device, recording, sha256, answer):
        """One step of the upload: the chunks from the offset the server holds, then finish; a
        check in progress is waited for; an upload that ended without the file starts again."""
        if answer["state"] == "open":
            return self._send(recording, answer)
        if answer["state"] == "verifying":
            self.sleep(1)
            return self.client.status(answer["id"])
        _logger.warning("%s: upload %s %s (%s); sending the file again", recording.path, answer["id"],
                        answer["state"], answer.get("error"))
        if self.state.get(recording.key).get("restarts", 0) >= 2:
            raise Refused(422, dict(answer, error=answer.get("error") or answer["state"]))
        self.state.put(recording.key, restarts=self.state.get(recording.key).get("restarts", 0) + 1)
        return self._open(device, recording, sha256)

    def _send(self, recording, answer):
        upload_id, offset, chunk_size = answer["id"], answer["offset"], answer["chunk_size"]
        reported = offset
        with open(recording.path, "rb") as handle:
            while offset < recording.size:
                chunk = os.pread(handle.fileno(), min(chunk_size, recording.size - offset), offset)
                try:
                    offset = self.client.put(upload_id, offset, chunk)["offset"]
                except Refused as error:
                    if error.code != "offset_mismatch":
                        raise
                    offset = error.answer["offset"]
                    _logger.info("%s: the server holds %s bytes; going on from there", recording.path, offset)
                if offset - reported >= recording.size / 10 or offset == recording.size:
                    _logger.info("%s: %d%% sent (%s of %s bytes)", recording.path, 100 * offset // recording.size,
                                 offset, recording.size)
                    reported = offset
        status, answer = self.client.finish(upload_id)
        if status == 202:
            _logger.info("%s: all bytes sent; the server checks both copies", recording.path)
        return answer

    def _stored(self, recording, sha256, answer):
        """The server holds the file, both copies verified against its SHA-256: the card may be
        wiped of it (items 5, 10), unless it changed meanwhile."""
        if not (answer.get("verified") and answer.get("sha256") == sha256):
            raise Transient(f"the server's answer does not confirm {sha256}: {answer}")
        self.state.put(recording.key, status="stored", recording_id=answer.get("recording_id"))
        if not self.config.delete_after_upload:
            self.state.put(recording.key, status="kept")
            _logger.info("%s: stored as recording %s; kept on the card (delete_after_upload = false)",
                         recording.path, answer.get("recording_id"))
            return
        current = os.stat(recording.path)
        if (current.st_size, current.st_mtime_ns) != (recording.size, recording.mtime_ns):
            _logger.warning("%s changed while it was uploaded; kept on the card", recording.path)
            return
        os.remove(recording.path)
        self.state.put(recording.key, status="deleted")
        _logger.info("%s: stored and verified as recording %s; deleted from the card", recording.path,
                     answer.get("recording_id"))

    def _hash(self, recording):
        _logger.info("%s: computing its SHA-256", recording.path)
        digest = hashlib.sha256()
        with open(recording.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        sha256 = digest.hexdigest()
        self.state.put(recording.key, status="hashed", sha256=sha256)
        return sha256


def main(argv=None):
    parser = argparse.ArgumentParser(prog="mchs-dock-agent", description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="the TOML configuration file")
    parser.add_argument("--once", action="store_true", help="one pass over the docked bodycams, then exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load(args.config)
    except ConfigError as error:
        _logger.error("%s", error)
        return 2
    agent = Agent(config)
    if args.once:
        return 0 if agent.run_pass(give_up_after=config.once_give_up_seconds) else 1
    try:
        agent.run_forever()
    except KeyboardInterrupt:
        return 0
    return 0
