"""The Molecule scenarios, end to end: create, check mode on the fresh host,
converge, idempotence, verify (check mode with no changes first), train, destroy."""

from __future__ import annotations

import subprocess
import time

import pytest

from .conftest import ROOT

SCENARIOS = ["default", "jammy", "nvidia_dkms"]


@pytest.mark.podman
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario):
    started = time.monotonic()
    # Output streams to the terminal (pytest -s) so progress shows on long steps.
    result = subprocess.run(["molecule", "test", "-s", scenario], cwd=ROOT)
    elapsed = time.monotonic() - started
    print(f"molecule test -s {scenario}: exit {result.returncode} in {elapsed:.0f} s")
    assert result.returncode == 0
