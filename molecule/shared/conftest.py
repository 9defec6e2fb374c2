"""testinfra settings shared by the scenarios: the host's variables, and the
journal printed when a check fails."""

from __future__ import annotations

import json
import os
import subprocess

import pytest


@pytest.fixture(scope="module")
def hostvars(host):
    """The host's inventory variables, as Ansible sees them."""
    result = subprocess.run(
        [
            "ansible-inventory",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            "--host",
            host.backend.name,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    host = item.funcargs.get("host") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and host is not None:
        journal = host.run("journalctl --no-pager -n 60 -p warning")
        report.sections.append(("journalctl -p warning (last 60 lines)", journal.stdout))
