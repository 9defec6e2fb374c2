"""The GRID install step: it installs AWS's GRID driver on the host it runs on,
so it needs an NVIDIA EC2 instance (G6f), root, and AWS credentials that can
read the driver bucket. `make test-grid` runs it; `make test` deselects it
(marker grid) and does not count it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run

pytestmark = pytest.mark.grid

ARGV = ["ansible-playbook", "-i", "localhost,", "tests/playbooks/grid.yml"]


def test_grid_driver_installs_for_every_kernel_and_runs():
    first = run(ARGV)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]

    versions = sorted(p.name for p in Path("/var/lib/dkms/nvidia").iterdir())
    assert len(versions) == 1, f"expected one GRID driver in DKMS, found {versions}"
    version = versions[0]
    status = run(["dkms", "status", "nvidia"]).stdout
    for kernel in sorted(p.name for p in Path("/lib/modules").iterdir()):
        if Path("/lib/modules", kernel, "build").exists():
            assert f"nvidia/{version}, {kernel}, x86_64: installed" in status, status

    smi = run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"])
    assert smi.returncode == 0, smi.stderr
    assert version in smi.stdout, smi.stdout
    for state in ("is-enabled", "is-active"):
        gridd = run(["systemctl", state, "nvidia-gridd"]).stdout.strip()
        assert gridd in ("enabled", "active"), f"nvidia-gridd {state}: {gridd}"

    again = run(ARGV)
    assert "changed=0" in again.stdout, again.stdout[-3000:]
    check = run([*ARGV, "--check"])
    assert check.returncode == 0, check.stdout[-3000:]
    assert "changed=0" in check.stdout, check.stdout[-3000:]
