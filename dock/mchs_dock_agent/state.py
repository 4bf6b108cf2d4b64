"""What the agent remembers across restarts: per file, its SHA-256, the upload it goes through
and how it ended. Written atomically (a temporary file, fsynced, renamed)."""
import json
import os
import time

# entries of files that left the card are kept this long, then forgotten
KEEP_SECONDS = 30 * 24 * 3600


class State:
    def __init__(self, path):
        self.path = path
        self.files = {}
        try:
            with open(path, encoding="utf-8") as handle:
                self.files = json.load(handle).get("files", {})
        except FileNotFoundError:
            pass
        except ValueError:
            # a damaged state loses nothing: the server finds each upload again by its SHA-256
            os.replace(path, f"{path}.damaged")

    def get(self, key):
        return dict(self.files.get(key, {}))

    def put(self, key, **values):
        entry = self.files.setdefault(key, {})
        entry.update(values, updated=time.time())
        self.save()
        return dict(entry)

    def forget_old(self):
        limit = time.time() - KEEP_SECONDS
        for key in [key for key, entry in self.files.items()
                    if entry.get("status") == "deleted" and entry.get("updated", 0) < limit]:
            del self.files[key]

    def save(self):
        self.forget_old()
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        temporary = f"{self.path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"files": self.files}, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
