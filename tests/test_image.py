"""`make image`, the local twin of the AMI: Packer's provisioner wiring applied
to a fresh host, the cleaned host made an image, trained on from a new container,
and the image's hygiene checked on its files."""

from __future__ import annotations

import json
import re
import sys

import pytest
import testinfra

from scripts import image as image_script

from .conftest import ROOT, run, run_shown

CHECKER = "mlpn-image-check"


@pytest.fixture(scope="module")
def image():
    returncode, tail = run_shown([sys.executable, "scripts/image.py"])
    assert returncode == 0, f"scripts/image.py failed, its last lines:\n{tail}"
    info = json.loads((ROOT / "artifacts/image.json").read_text())
    run(["podman", "rm", "--force", CHECKER])
    # The image's files as made: no systemd, nothing written at boot.
    started = run(
        [
            "podman",
            "run",
            "-d",
            "--name",
            CHECKER,
            "--entrypoint",
            "sleep",
            info["image"],
            "infinity",
        ]
    )
    assert started.returncode == 0, started.stderr
    yield info, testinfra.get_host(f"podman://{CHECKER}")
    run(["podman", "rm", "--force", CHECKER, "ml-power-nowcast-image"])
    # Each build is about 8 GB: the test's own is not kept.
    run(["podman", "rmi", info["image"]])


def test_too_little_disk_stops_before_anything_is_built(monkeypatch, capsys):
    """The disk check on this machine's real free space, against a need it cannot meet."""
    monkeypatch.setattr(image_script, "NEED_GB", 10**6)
    monkeypatch.setattr(sys, "argv", ["scripts/image.py"])
    with pytest.raises(SystemExit) as stopped:
        image_script.main()
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "make image needs about 1000000 GB free in /" in error
    assert "podman rmi IMAGE" in error
    assert run(["podman", "container", "exists", image_script.BUILD]).returncode == 1


@pytest.mark.podman
def test_a_container_of_the_image_trains(image):
    info, _ = image
    mae = info["mae_mw"]
    assert mae["xgboost"] <= 30
    assert mae["xgboost"] < mae["persistence"]
    assert info["image"].startswith("localhost/ml-power-nowcast:24.04-")


@pytest.mark.podman
def test_no_ssh_host_keys_or_authorized_keys(image):
    _, host = image
    assert host.run("ls /etc/ssh/ssh_host_*").rc != 0
    assert host.check_output("find /root /home /etc -name 'authorized_keys*'") == ""


@pytest.mark.podman
def test_no_shell_histories(image):
    _, host = image
    found = host.check_output(
        "find /root /home -name '.*_history' -o -name .lesshst -o -name .viminfo"
    )
    assert found == ""


@pytest.mark.podman
def test_no_pip_or_uv_cache(image):
    _, host = image
    for cache in ("/root/.cache/pip", "/root/.cache/uv"):
        assert not host.file(cache).exists, cache
    assert host.check_output("find /home -path '*/.cache/pip' -o -path '*/.cache/uv'") == ""
    assert host.check_output("ls -A /var/cache/ml-power-nowcast/uv 2>/dev/null || true") == ""


@pytest.mark.podman
def test_empty_machine_id_and_apt_lists(image):
    _, host = image
    assert host.file("/etc/machine-id").content_string == ""
    lists = host.check_output("find /var/lib/apt/lists -type f -name '*_Packages*'")
    assert lists == ""
    assert host.check_output("find /var/log -type f -size +0") == ""


@pytest.mark.podman
def test_venv_and_code_still_work(image):
    _, host = image
    versions = host.check_output(
        "/opt/ml-power-nowcast/venv/bin/python -c 'import torch, xgboost, mlflow, power_nowcast;"
        " print(torch.__version__, power_nowcast.__version__)'"
    )
    assert versions.startswith("2.8.0")
    assert versions.endswith(" 0.1.0")
    assert host.check_output("/usr/local/bin/power-nowcast --version") == "power-nowcast 0.1.0"


@pytest.mark.podman
def test_validate_playbook_on_a_container_of_the_image(image, account):
    """validate.yml end to end: the AMI lookup and the launch against moto, the
    SSM part (train and GPU check) on a container of the image, connection overridden."""
    account["ssm"].put_parameter(
        Name="/ml-power-nowcast/ami/24.04/latest", Value=account["base"], Type="String"
    )
    result = run(
        [
            "ansible-playbook",
            "-i",
            "localhost,",
            "playbooks/validate.yml",
            "-e",
            f"validate_endpoint_url={account['endpoint']}",
            "-e",
            f"validate_subnet_id={account['subnet']}",
            "-e",
            "validate_target_host=ml-power-nowcast-image",
            "-e",
            "validate_connection=containers.podman.podman",
            "-e",
            '{"validate_require_gpu": false}',
        ]
    )
    assert result.returncode == 0, result.stdout[-4000:]
    text = " ".join(result.stdout.split())
    assert "launch to ready over SSM:" in text
    assert re.search(r"xgboost MAE: \d+\.\d+ MW", text)
    assert "GPU check: no-gpu" in text
    reservations = account["ec2"].describe_instances()["Reservations"]
    states = [i["State"]["Name"] for r in reservations for i in r["Instances"]]
    assert states
    assert set(states) <= {"shutting-down", "terminated"}
