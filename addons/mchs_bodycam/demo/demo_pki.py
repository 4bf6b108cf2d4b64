"""The demo's own certification authority, "DEMO — not NCA RK" (issue 13).

The demo shows qualified signatures that really verify, without NCA's keys: it makes at install a
throw-away RSA root and intermediate named "DEMO — not NCA RK" (lib/pki_builder.py, the builder
of the signature tests), trusts them as an administrator trusts NCA's, and gives each demo signer
a signing certificate with their IIN in SERIALNUMBER. The private keys live in the installing
process only; nothing is stored but the certificates and the signatures. A real deployment
trusts NCA's certificates instead, and archives these two (Settings › Bodycams).

One GOST 34.10-2015 signer (256-bit key, under a GOST 512-bit root and intermediate, as NCA's
GOST 2022 CAs) shows that both algorithms NCA issues verify on the server.
"""
from datetime import timedelta

from ..lib.pki_builder import make_ca, make_root, make_user

NAMES = {
    "rsa": ("DEMO — not NCA RK — root (RSA)", "DEMO — not NCA RK — intermediate (RSA)"),
    "gost512": ("DEMO — not NCA RK — root (GOST)", "DEMO — not NCA RK — intermediate (GOST)"),
}
ROOT_YEARS = 10
USER_YEARS = 2

_BY_DATABASE = {}


class DemoPki:
    """The demo's roots, intermediates and signers' keys, made once per database install."""

    def __init__(self, start):
        self.start = start
        self.cas = {}
        for kind, (root_name, ca_name) in NAMES.items():
            end = start + timedelta(days=365 * ROOT_YEARS)
            root = make_root(root_name, kind, start, end)
            self.cas[kind] = (root, make_ca(ca_name, kind, root, start, end))
        self._holders = {}

    @property
    def trusted(self):
        """(file name, DER) of what the administrator uploads: each root and intermediate."""
        return [(f"demo_{label}_{kind}.cer", holder.der) for kind, pair in self.cas.items()
                for label, holder in zip(("root", "intermediate"), pair)]

    def holder(self, iin, name, kind="rsa"):
        """The signing certificate and key of the person with ``iin`` (made at first use), valid
        from the demo's start for two years; ``kind``: "rsa" or "gost256"."""
        if iin not in self._holders:
            ca = self.cas["gost512" if kind.startswith("gost") else "rsa"][1]
            self._holders[iin] = make_user(ca, iin, name.upper(), kind=kind, not_before=self.start,
                                           not_after=self.start + timedelta(days=365 * USER_YEARS))
        return self._holders[iin]


def demo_pki(database, start=None):
    """The demo PKI of ``database`` (made with ``start`` the first time)."""
    if database not in _BY_DATABASE:
        # the keys live in the installing process only: the demo signs while it is loaded
        assert start, "the demo's certification authority is made by _qualified_signing first"
        _BY_DATABASE[database] = DemoPki(start)
    return _BY_DATABASE[database]
