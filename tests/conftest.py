"""Helpers for the repository's tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command in the repository with plain (uncoloured) output."""
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "NO_COLOR": "1"}
    env.update(kwargs.pop("env", {}))
    return subprocess.run(
        argv, cwd=kwargs.pop("cwd", ROOT), env=env, text=True, capture_output=True, **kwargs
    )
