"""tools/rgw.sh, the throwaway Ceph RGW of the tests and of `make run STORAGE=s3` (issue 10):
the one make test started answers with the keys it exported and listens on loopback only; a
cluster of its own keeps its objects across a stop and a start."""
import os
import re
import subprocess
import time

import boto3
import pytest
from botocore.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RGW = os.path.join(REPO, "tools", "rgw.sh")
CEPH_PROGRAMS = ("ceph-mon", "ceph-osd", "radosgw")


def _client(endpoint, access_key, secret_key):
    return boto3.client("s3", endpoint_url=endpoint, region_name="default", aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key,
                        config=Config(request_checksum_calculation="when_required",
                                      response_checksum_validation="when_required", s3={"addressing_style": "path"}))


def _exported():
    names = ("MCHS_S3_ENDPOINT", "MCHS_S3_ACCESS_KEY", "MCHS_S3_SECRET_KEY")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not set: make test starts the RGW and exports them")
    return [os.environ[name] for name in names]


def test_the_rgw_of_make_test_answers_with_the_exported_keys():
    endpoint, access_key, secret_key = _exported()
    assert re.match(r"^http://127\.0\.0\.1:\d+$", endpoint)
    client = _client(endpoint, access_key, secret_key)
    client.list_buckets()
    with pytest.raises(Exception, match="InvalidAccessKeyId|SignatureDoesNotMatch"):
        _client(endpoint, access_key, "wrong").list_buckets()


def test_ceph_listens_on_loopback_only():
    _exported()
    sockets = subprocess.run(["ss", "-H", "-ltnp"], check=True, capture_output=True, text=True).stdout
    ceph = [line for line in sockets.splitlines() if any(f'"{program}"' in line for program in CEPH_PROGRAMS)]
    assert ceph, "no Ceph daemon listens: is the RGW of make test running?"
    for line in ceph:
        local = line.split()[3]
        assert local.startswith("127.0.0.1:"), f"a Ceph daemon listens beyond loopback: {line}"


def test_a_cluster_keeps_its_objects_across_stop_and_start(tmp_path):
    folder = str(tmp_path / "rgw")
    try:
        started = time.monotonic()
        subprocess.run(["bash", RGW, "start", folder], check=True, capture_output=True)
        first_start = time.monotonic() - started
        settings = dict(line.removeprefix("export ").split("=", 1) for line in subprocess.run(
            ["bash", RGW, "env", folder], check=True, capture_output=True, text=True).stdout.splitlines())
        client = _client(settings["MCHS_S3_ENDPOINT"], settings["MCHS_S3_ACCESS_KEY"], settings["MCHS_S3_SECRET_KEY"])
        client.create_bucket(Bucket="keep", ObjectLockEnabledForBucket=True)
        client.put_object(Bucket="keep", Key="k", Body=b"kept across a restart")
        subprocess.run(["bash", RGW, "stop", folder], check=True, capture_output=True)
        subprocess.run(["bash", RGW, "start", folder], check=True, capture_output=True)
        assert client.get_object(Bucket="keep", Key="k")["Body"].read() == b"kept across a restart"
        for path in ("log/client.rgw.log", "log/cluster.log", "run/client.rgw.asok", "run/osd.0.asok", "osd"):
            assert os.path.exists(os.path.join(folder, path)), f"{path} is inside the cluster's folder"
        print(f"first start (mkfs included): {first_start:.1f} s")
    finally:
        subprocess.run(["bash", RGW, "stop", folder], check=False, capture_output=True)
