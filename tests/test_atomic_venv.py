"""The ML stack's venv is swapped atomically: an interrupted install leaves the
previous venv in use, the next converge finishes with zero drift, and a
package added by hand is removed by the next converge."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time

import pytest

from .conftest import ROOT, local_host, playbook_on, run

HOST = "mlpn-atomic"
ROOT_DIR = "/opt/atomic-test"
VENV = f"{ROOT_DIR}/venv"


def converge(lock: str, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    extra = {
        "ml_stack_lock_file": str(ROOT / lock),
        "ml_stack_root": ROOT_DIR,
        "ml_stack_venv_path": VENV,
        "ml_stack_import_check": ["six"],
        "ml_stack_keep_packages": ["power-nowcast"],
    }
    argv = [
        *playbook_on(HOST),
        "-e",
        "@inventories/local/group_vars/all/image.yml",
        "-e",
        "@inventories/local/group_vars/all/local.yml",
        "-e",
        json.dumps(extra),
        "tests/playbooks/ml_stack.yml",
    ]
    if popen:
        return subprocess.Popen(argv, cwd=ROOT, start_new_session=True, **popen)
    return run(argv)


def host(command: str) -> str:
    return subprocess.run(
        ["podman", "exec", HOST, "sh", "-c", command], capture_output=True, text=True, check=True
    ).stdout.strip()


def changed(result) -> int:
    return int(re.findall(r"changed=(\d+)", result.stdout)[-1])


@pytest.fixture(scope="module")
def fresh_host():
    with local_host(HOST) as name:
        yield name


@pytest.mark.podman
def test_interrupted_install_keeps_the_previous_venv_then_converges(fresh_host):
    first = converge("tests/data/small-lock.txt")
    assert first.returncode == 0, first.stdout[-3000:]
    small = host(f"readlink {VENV}")

    # A lock change builds a new venv beside the current one: kill the
    # converge (and the installer on the host) while it installs.
    process = converge("requirements.txt", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while "uv pip sync" not in host("ps -eo args") and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(5)
    subprocess.run(["podman", "exec", HOST, "pkill", "-KILL", "-f", "uv pip sync"], check=False)
    process.send_signal(signal.SIGKILL)
    process.wait()
    venvs = host(f"ls {ROOT_DIR}/venvs").split()
    assert len(venvs) == 2, venvs  # the old venv and the unfinished one
    assert host(f"readlink {VENV}") == small
    assert host(f"{VENV}/bin/python -c 'import six; print(six.__version__)'") == "1.17.0"

    # The next converge finishes the new venv, switches the link and removes the rest.
    second = converge("requirements.txt")
    assert second.returncode == 0, second.stdout[-3000:]
    big = host(f"readlink {VENV}")
    assert big != small
    assert host(f"ls {ROOT_DIR}/venvs").split() == [big.rsplit("/", 1)[1]]
    assert (
        host(f"{VENV}/bin/python -c 'import torch, xgboost; print(xgboost.__version__)'") == "3.0.4"
    )

    # Zero drift: converging again changes nothing.
    again = converge("requirements.txt")
    assert again.returncode == 0
    assert changed(again) == 0, again.stdout[-3000:]


@pytest.mark.podman
def test_a_package_added_by_hand_is_removed(fresh_host):
    # Back to the small lock (another atomic swap), then drift by hand.
    back = converge("tests/data/small-lock.txt")
    assert back.returncode == 0, back.stdout[-3000:]
    before = host(f"readlink {VENV}")
    host(
        f"/opt/ml-power-nowcast/tools/uv/bin/uv pip install --quiet --python {VENV}/bin/python "
        "--cache-dir /var/cache/ml-power-nowcast/uv tabulate"
    )
    assert "tabulate" in host(
        f"/opt/ml-power-nowcast/tools/uv/bin/uv pip freeze --python {VENV}/bin/python"
    )
    result = converge("tests/data/small-lock.txt")
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed(result) > 0
    assert host(f"readlink {VENV}") != before
    frozen = host(f"/opt/ml-power-nowcast/tools/uv/bin/uv pip freeze --python {VENV}/bin/python")
    assert "tabulate" not in frozen
