"""The Molecule scenarios, end to end: create, check mode on the fresh host,
converge, idempotence, verify (check mode with no changes first), train, destroy."""

from __future__ import annotations

import time

import pytest

from .conftest import run_shown

SCENARIOS = ["default", "jammy", "nvidia_dkms"]


@pytest.mark.podman
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario):
    started = time.monotonic()
    returncode, tail = run_shown(["molecule", "test", "-s", scenario])
    elapsed = time.monotonic() - started
    print(f"molecule test -s {scenario}: exit {returncode} in {elapsed:.0f} s")
    assert returncode == 0, f"molecule test -s {scenario} failed, its last lines:\n{tail}"
