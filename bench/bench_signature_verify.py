"""Local verification of NCALayer signatures (issue 13) against ``openssl cms -verify``.

    python3 bench/bench_signature_verify.py [--sizes-kib 10,256] [--repeat 2]

Makes the test PKI of the signature tests (addons/mchs_bodycam/tests/signature_pki.py), signs
a random document of each size with RSA-2048/SHA-256 (in Python and by ``openssl cms -sign``),
GOST 34.10-2015 256 and 512, and prints the time of ``lib/cms.verify_cms`` for each (the first
call, when the chain's certificate signatures are not cached yet, and the best of --repeat
later calls), next to ``openssl cms -verify`` on the RSA one (process start included), and
the digest throughputs (SHA-256 in C, Streebog in pure Python through gostcrypto). No
database; it prints figures only and asserts nothing.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "addons", "mchs_bodycam", "lib"), os.path.join(ROOT, "addons", "mchs_bodycam", "tests")]

import cms  # noqa: E402  (addons/mchs_bodycam/lib/cms.py, imported alone: it needs no Odoo)
import signature_pki  # noqa: E402
from gostcrypto import gosthash  # noqa: E402


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def verify_times(der, document, trusted, repeat):
    cms._certificate_signed_by.cache_clear()
    first, facts = timed(cms.verify_cms, der, document, trusted)
    warm = min(timed(cms.verify_cms, der, document, trusted)[0] for _ in range(repeat))
    return first, warm, facts


def openssl_verify(der, document, pki, folder):
    paths = {name: os.path.join(folder, name) for name in ("cms.der", "document", "trusted.pem")}
    with open(paths["cms.der"], "wb") as handle:
        handle.write(der)
    with open(paths["document"], "wb") as handle:
        handle.write(document)
    with open(paths["trusted.pem"], "wb") as handle:
        handle.write(pki.rsa_root.pem + pki.rsa_ca.pem)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", paths["cms.der"], "-content",
               paths["document"], "-CAfile", paths["trusted.pem"], "-purpose", "any", "-out", os.devnull]
    return timed(subprocess.run, command, check=True, capture_output=True)[0]


def throughput(label, function, size=1 << 20):
    data = os.urandom(size)
    seconds = timed(function, data)[0]
    print(f"  {label:<12} {size / seconds / (1 << 20):8.2f} MiB/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-kib", default="10,256")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    seconds, pki = timed(signature_pki.TestPki)
    print(f"test PKI (3 roots, 3 CAs, 11 end certificates, GOST keys in pure Python): {seconds:.2f} s")
    trusted = pki.trusted
    print("\ndigest throughput (1 MiB):")
    throughput("SHA-256", lambda data: hashlib.sha256(data).digest())
    throughput("Streebog-256", lambda data: gosthash.new("streebog256", data=data).digest())
    throughput("Streebog-512", lambda data: gosthash.new("streebog512", data=data).digest())

    print("\nverify_cms, seconds: first call (chain not cached) / best warm call; openssl cms -verify")
    with tempfile.TemporaryDirectory(prefix="mchs-bench-cms-") as folder:
        for size_kib in (int(size) for size in args.sizes_kib.split(",")):
            document = os.urandom(size_kib * 1024)
            signed = {
                "RSA-SHA256 (Python)": pki.user.sign_cms(document),
                "RSA-SHA256 (openssl)": signature_pki.openssl_cms(pki.user, document),
                "GOST-2015-256": pki.gost256_user.sign_cms(document),
                "GOST-2015-512": pki.gost512_user.sign_cms(document),
            }
            print(f"document of {size_kib} KiB:")
            for label, der in signed.items():
                first, warm, facts = verify_times(der, document, trusted, args.repeat)
                line = f"  {label:<22} {first:7.3f} / {warm:7.3f}   ({facts.algorithm}, CMS {len(der)} bytes)"
                if label.startswith("RSA"):
                    line += f"   openssl {openssl_verify(der, document, pki, folder):.3f}"
                print(line)


if __name__ == "__main__":
    main()
