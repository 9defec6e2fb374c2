"""Bad variables fail before anything changes, with a message that names them."""

from __future__ import annotations

import json
import re
import sys

import pytest

from .conftest import local_host, playbook_on, run

HOST = "mlpn-preflight"

BAD = {
    "ml_stack_venv_path": ({"ml_stack_venv_path": "venv"}, "must be an absolute path"),
    "python_version": ({"python_version": "3.10"}, "3.11 or newer"),
    "ml_stack_lock_file": (
        {"ml_stack_lock_file": "/nonexistent/requirements.txt"},
        "does not exist",
    ),
    "ml_stack_installer": ({"ml_stack_installer": "conda"}, "ml_stack_installer must be one of"),
    "nvidia_driver_method": (
        {"nvidia_driver_method": "runfile"},
        "nvidia_driver_method must be one of",
    ),
    "nvidia_driver_branch": ({"nvidia_driver_branch": "latest"}, "is not a branch number"),
    "grid 595": ({"nvidia_driver_method": "grid", "nvidia_driver_branch": "595"}, "not 595"),
    "grid 550": ({"nvidia_driver_method": "grid", "nvidia_driver_branch": "550"}, "570 or newer"),
    "ml_code_user": ({"ml_code_user": "root"}, "ml_code_user 'root' must be an unprivileged user"),
    "ca_certificates_extra": (
        {"ca_certificates_extra": ["/nonexistent.pem"]},
        "ca_certificates_extra item",
    ),
    "nvidia_driver_version": (
        {"nvidia_driver_version": "550.1-1"},
        "is not a version of branch 580",
    ),
}


@pytest.fixture(scope="module")
def fresh_host():
    with local_host(HOST) as name:
        yield name


def site(host: str, extra: dict) -> tuple[str, str]:
    result = run(
        [
            *playbook_on(host),
            "-e",
            "@inventories/image/group_vars/all.yml",
            "-e",
            json.dumps(extra),
            "playbooks/site.yml",
        ]
    )
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stdout, re.findall(r"changed=(\d+)", result.stdout)[-1]


@pytest.mark.podman
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_variable_fails_before_any_change(fresh_host, case):
    extra, message = BAD[case]
    output, changed = site(fresh_host, extra)
    assert message in " ".join(output.split()), output[-3000:]
    assert changed == "0"
    assert (
        run(["podman", "exec", fresh_host, "test", "-e", "/opt/ml-power-nowcast"]).returncode == 1
    )


def test_a_host_that_is_not_ubuntu_is_refused():
    """The controller (Debian) as the host, in check mode: refused by the first preflight."""
    result = run(
        [
            "ansible-playbook",
            "--check",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "playbooks/site.yml",
        ]
    )
    assert result.returncode != 0
    assert "supports Ubuntu only; this host runs Debian" in " ".join(result.stdout.split())
