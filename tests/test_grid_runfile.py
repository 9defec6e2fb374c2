"""The GRID runfile selection of the nvidia_driver role, against a real S3 API (moto)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import run

BUCKET = "ec2-linux-nvidia-drivers"
KEYS = [
    "grid-17.4/NVIDIA-Linux-x86_64-550.144.03-grid-aws.run",
    "grid-18.0/NVIDIA-Linux-x86_64-570.124.06-grid-aws.run",
    "grid-18.4/NVIDIA-Linux-x86_64-570.172.08-grid-aws.run",
    "grid-19.0/NVIDIA-Linux-x86_64-580.65.06-grid-aws.run",
    "grid-19.2/NVIDIA-Linux-x86_64-580.95.05-grid-aws.run",
    "grid-19.3/NVIDIA-Linux-x86_64-580.105.08-grid-aws.run",
    "grid-19.3/README.txt",
    "grid-20.0/NVIDIA-Linux-x86_64-595.45.04-grid-aws.run",
    "latest/NVIDIA-Linux-x86_64-595.45.04-grid-aws.run",
]


@pytest.fixture
def bucket(aws):
    s3 = aws("s3")
    s3.create_bucket(Bucket=BUCKET)
    for key in KEYS:
        s3.put_object(Bucket=BUCKET, Key=key, Body=f"runfile {key}".encode())
    return s3


def select(endpoint: str, **args) -> dict:
    params = {"bucket": BUCKET, "endpoint_url": endpoint, **args}
    result = run(
        [
            "ansible",
            "localhost",
            "-m",
            "powernowcast.mlhost.nvidia_grid_runfile",
            "-a",
            json.dumps(params),
        ],
        env={"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json"},
    )
    return json.loads(result.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.mark.parametrize(
    ("branch", "version"), [(570, "570.172.08"), (580, "580.105.08"), (550, "550.144.03")]
)
def test_newest_runfile_of_the_branch_by_version_number(bucket, moto_server, branch, version):
    chosen = select(moto_server, branch=branch)
    assert chosen.get("failed") is not True, chosen
    assert chosen["version"] == version
    assert chosen["key"].endswith(f"NVIDIA-Linux-x86_64-{version}-grid-aws.run")


def test_presigned_url_downloads_the_runfile(bucket, moto_server):
    chosen = select(moto_server, branch=580)
    body = urllib.request.urlopen(chosen["url"]).read()
    assert body == f"runfile {chosen['key']}".encode()


def test_prefix_limits_the_listing(bucket, moto_server):
    chosen = select(moto_server, branch=580, prefix="grid-19.0/")
    assert chosen["version"] == "580.65.06"


def test_missing_branch_names_the_branches_found(bucket, moto_server):
    chosen = select(moto_server, branch=600)
    assert chosen["failed"] is True
    assert "no GRID runfile of branch 600" in chosen["msg"]
    assert "[550, 570, 580, 595]" in chosen["msg"]
