"""Helpers for the repository's tests."""

from __future__ import annotations

import collections
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command in the repository with plain (uncoloured) output; env values of None unset."""
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "NO_COLOR": "1"}
    for name, value in kwargs.pop("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        argv, cwd=kwargs.pop("cwd", ROOT), env=env, text=True, capture_output=True, **kwargs
    )


def run_shown(argv: list[str]) -> tuple[int, str]:
    """Run a long command with its output shown as it comes (pytest -s); return
    its exit code and its last lines, for the failure message at the end of the log."""
    tail: collections.deque[str] = collections.deque(maxlen=40)
    with subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            tail.append(line)
    return process.returncode, "".join(tail)


def playbook_on(host: str) -> list[str]:
    """ansible-playbook against one local Podman host."""
    return ["ansible-playbook", "-i", f"{host},", "-c", "containers.podman.podman"]


@contextlib.contextmanager
def local_host(name: str, image: str = "noble"):
    """A local Ubuntu host booted with systemd (scripts/local-host.sh), removed afterwards."""
    started = run(["scripts/local-host.sh", name, image])
    assert started.returncode == 0, started.stderr
    try:
        yield name
    finally:
        run(["podman", "rm", "--force", name])


# validate.yml's default instance profile.
SSM_PROFILE = "ml-power-nowcast-ssm"

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def moto_server():
    """A real AWS API server (moto) on a loopback port; yields its endpoint URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("moto_server did not start")
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def aws(moto_server, monkeypatch):
    """boto3 pointed at the moto server with dummy keys; a fresh state per test."""
    import boto3

    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    urllib.request.urlopen(urllib.request.Request(moto_server + "/moto-api/reset", method="POST"))
    return lambda service: boto3.client(service, endpoint_url=moto_server, region_name="us-east-1")


@pytest.fixture
def account(aws, moto_server):
    """An account with the SSM instance profile, a subnet and a base image to snapshot."""
    ec2, iam = aws("ec2"), aws("iam")
    iam.create_role(RoleName=SSM_PROFILE, AssumeRolePolicyDocument="{}")
    iam.create_instance_profile(InstanceProfileName=SSM_PROFILE)
    iam.add_role_to_instance_profile(InstanceProfileName=SSM_PROFILE, RoleName=SSM_PROFILE)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    base = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return {"ec2": ec2, "ssm": aws("ssm"), "subnet": subnet, "base": base, "endpoint": moto_server}
