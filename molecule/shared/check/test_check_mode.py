"""Check mode on the converged host: the scenario's converge playbook reports no changes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def converge_playbook() -> Path:
    """The scenario's own converge.yml, or playbooks/site.yml (the base config's)."""
    own = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"]) / "converge.yml"
    return own if own.is_file() else ROOT / "playbooks/site.yml"


def test_check_mode_reports_no_changes(host):
    """A check-mode run on the converged host changes nothing and fails nothing."""
    result = subprocess.run(
        [
            "ansible-playbook",
            "--check",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            "--limit",
            host.backend.name,
            str(converge_playbook()),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_NOCOLOR": "1"},
    )
    recap = re.search(r"ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert recap, result.stdout[-4000:]
    assert recap.groups() == ("0", "0", "0"), result.stdout[-6000:]
