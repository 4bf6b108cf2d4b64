"""The agent's configuration, a TOML file (see the project README, "The dock agent")."""
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field

DEFAULT_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".wav", ".mp3", ".jpg", ".jpeg")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    server_url: str
    token: str
    state_file: str
    mounts: list
    devices: dict = field(default_factory=dict)
    id_file: str = "BODYCAM.TXT"
    extensions: tuple = DEFAULT_EXTENSIONS
    device_timezone: str = "UTC"
    filename_pattern: str = r"(?P<start>\d{8}[_T-]?\d{6})"
    scan_interval_seconds: float = 30
    delete_after_upload: bool = True
    max_rate_bytes_per_second: int = 0
    retry_min_seconds: float = 2
    retry_max_seconds: float = 300
    refused_retry_seconds: float = 3600
    request_timeout_seconds: float = 120
    once_give_up_seconds: float = 600
    ca_file: str = None
    accept_language: str = None

    @property
    def timezone(self):
        return zoneinfo.ZoneInfo(self.device_timezone)

    @property
    def filename_re(self):
        return re.compile(self.filename_pattern)


def load(path):
    """The Config of the TOML file at ``path``; raises ConfigError with what is wrong."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    token = data.pop("token", None)
    token_file = data.pop("token_file", None)
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as error:
            raise ConfigError(f"cannot read the token file {token_file}: {error}") from error
    identify = data.pop("identify", {})
    if "id_file" in identify:
        data["id_file"] = identify["id_file"]
    data["devices"] = {str(key): _device(key, value) for key, value in data.pop("devices", {}).items()}
    if "extensions" in data:
        data["extensions"] = tuple(extension.lower() for extension in data["extensions"])
    missing = [name for name in ("server_url", "state_file", "mounts") if not data.get(name)]
    if missing or not token:
        raise ConfigError(f"{path} lacks {', '.join(missing + ([] if token else ['token or token_file']))}")
    unknown = set(data) - set(Config.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
    config = Config(token=token, **data)
    try:
        config.timezone, config.filename_re  # noqa: B018 (checked now rather than at the first file)
    except (zoneinfo.ZoneInfoNotFoundError, re.error, ValueError) as error:
        raise ConfigError(f"{path}: {error}") from error
    if "start" not in config.filename_re.groupindex:
        raise ConfigError(f"{path}: filename_pattern needs a group named 'start'")
    config.state_file = os.path.abspath(config.state_file)
    return config


def _device(key, value):
    if not isinstance(value, dict) or not value.get("camera"):
        raise ConfigError(f"devices.{key} needs camera = \"<inventory number>\" (and card = \"...\")")
    return {"camera": str(value["camera"]), "card": str(value.get("card") or "") or None}
