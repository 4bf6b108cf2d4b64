"""Docked bodycams: the mass-storage mounts where they appear, which bodycam and card each one
is, and the recordings on it."""
import glob
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone

BY_ID_SERIAL_RE = re.compile(r"^(?:usb|ata|mmc|scsi)-(?:.*_)?([^_]+?)(?:-\d+:\d+)?(?:-part\d+)?$")


@dataclass(frozen=True)
class Device:
    mount: str
    camera: str
    card: str


@dataclass(frozen=True)
class Recording:
    path: str
    relative: str
    size: int
    mtime_ns: int
    start: str
    end: str

    @property
    def key(self):
        """The file as the agent's state knows it: a file changed since is another file."""
        return f"{self.path}|{self.size}|{self.mtime_ns}"


def docked(config):
    """(mounts of docked devices, the Device of each identified one)."""
    mounts = sorted({path for pattern in config.mounts for path in glob.glob(pattern) if os.path.isdir(path)})
    return mounts, {mount: identify(mount, config) for mount in mounts}


def identify(mount, config):
    """The bodycam and card of a mount: from the devices map, by the device's serial or volume
    label (or the mount folder's name, which udisks makes the label), else from the id file on
    the card (lines ``camera=...`` and ``card=...``). None when neither says."""
    for key in device_keys(mount):
        if key in config.devices:
            return Device(mount, config.devices[key]["camera"], config.devices[key]["card"])
    values = _read_id_file(os.path.join(mount, config.id_file))
    if values.get("camera"):
        return Device(mount, values["camera"], values.get("card"))
    return None


def device_keys(mount):
    """The names a device of ``mount`` is known by: the mount folder's name, the volume
    labels and the serials (``/dev/disk/by-label``, ``/dev/disk/by-id``) of its block device."""
    keys = [os.path.basename(os.path.normpath(mount))]
    source = _mount_source(mount)
    if source:
        keys += _links_to(source, "/dev/disk/by-label")
        for name in _links_to(source, "/dev/disk/by-id"):
            keys.append(name)
            match = BY_ID_SERIAL_RE.match(name)
            if match:
                keys.append(match.group(1))
    return list(dict.fromkeys(keys))


def recordings(device, config):
    """The recordings on the device, oldest first, with their times as the device saw them."""
    found = []
    for folder, folders, names in os.walk(device.mount):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in names:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in config.extensions:
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            if info.st_size:
                start, end = recording_times(name, info.st_mtime, config)
                found.append(Recording(path, os.path.relpath(path, device.mount), info.st_size,
                                       info.st_mtime_ns, start, end))
    return sorted(found, key=lambda recording: (recording.start, recording.relative))


def recording_times(name, mtime, config):
    """(start, end) in ISO 8601 with the offset: the start from the file name (the device's
    clock, in its timezone), the end from the time the file was last written; the end of a name
    without a time, for both."""
    end = datetime.fromtimestamp(mtime, timezone.utc).replace(microsecond=0)
    start = end
    match = config.filename_re.search(name)
    if match:
        digits = re.sub(r"\D", "", match.group("start"))
        try:
            start = datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=config.timezone)
        except ValueError:
            start = end
    if "end" in config.filename_re.groupindex and match and match.group("end"):
        end = datetime.strptime(re.sub(r"\D", "", match.group("end")), "%Y%m%d%H%M%S").replace(
            tzinfo=config.timezone)
    end = max(end, start)
    return start.isoformat(), end.isoformat()


def _read_id_file(path):
    values = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, sep, value = line.partition("=")
                if sep:
                    values[key.strip().lower()] = value.strip() or None
    except OSError:
        pass
    return values


def _mount_source(mount):
    target = os.path.realpath(mount)
    try:
        with open("/proc/self/mounts", encoding="utf-8") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) > 1 and fields[1].replace("\\040", " ") == target and fields[0].startswith("/dev/"):
                    return os.path.realpath(fields[0])
    except OSError:
        pass
    return None


def _links_to(device, folder):
    """Names of the links in ``folder`` that point to ``device`` or to the disk it is part of."""
    disk = re.sub(r"(?<=[a-z])\d+$|(?<=\d)p\d+$", "", device)
    names = []
    for link in sorted(glob.glob(os.path.join(folder, "*"))):
        if os.path.realpath(link) in (device, disk):
            names.append(os.path.basename(link).replace("\\x20", " "))
    return names
