"""Hash chains of the journals (items 9, 13).

Each entry's hash covers the previous entry's hash and the entry's own content, so that an
entry changed, removed or inserted afterwards breaks the chain from there on. A chain alone
does not resist someone who rewrites entries and recomputes every hash after them: its head
and length are therefore sealed outside the database (see mchs.bodycam.integrity.seal).
"""
import hashlib
import json

GENESIS = "0" * 64


def content(values, names):
    """The text an entry's hash covers: ``values`` of ``names``, in that order."""
    return json.dumps([str(values.get(name) or "") for name in names], ensure_ascii=False)


def link(previous_hash, text):
    return hashlib.sha256(f"{previous_hash}|{text}".encode()).hexdigest()


def first_break(entries):
    """The sequence of the first entry that does not follow from the one before it, or None.
    ``entries`` are (sequence, previous_hash, hash, content text) in the chain's order; the
    sequences must run 1, 2, 3... without a gap."""
    previous = GENESIS
    for expected, (sequence, previous_hash, entry_hash, text) in enumerate(entries, start=1):
        if sequence != expected or previous_hash != previous or entry_hash != link(previous, text):
            return sequence
        previous = entry_hash
    return None
