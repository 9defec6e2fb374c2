"""Each role documents every variable: defaults, argument specs and comments agree."""

from __future__ import annotations

import re
import sys

import pytest
import yaml

from .conftest import ROOT, run

ROLES = sorted(path.name for path in (ROOT / "roles").iterdir() if path.is_dir())


def _load(path):
    return yaml.safe_load(path.read_text()) or {}


@pytest.mark.parametrize("role", ROLES)
def test_defaults_equal_argument_spec(role):
    defaults = _load(ROOT / "roles" / role / "defaults/main.yml")
    spec = _load(ROOT / "roles" / role / "meta/argument_specs.yml")["argument_specs"]
    options = spec["main"]["options"]
    assert sorted(defaults) == sorted(options)
    for name, value in defaults.items():
        assert options[name].get("default") == value, f"{name}: spec default differs"
        assert options[name].get("description"), f"{name}: no description"


@pytest.mark.parametrize("role", ROLES)
def test_variables_carry_the_role_prefix_and_a_comment(role):
    text = (ROOT / "roles" / role / "defaults/main.yml").read_text()
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"^([a-z0-9_]+):", line)
        if match:
            assert match.group(1).startswith(role + "_"), match.group(1)
            assert lines[number - 1].startswith("#"), f"{match.group(1)} has no comment above it"


@pytest.mark.parametrize("role", ROLES)
def test_preflight_entry_point_checks_the_same_options(role):
    spec = _load(ROOT / "roles" / role / "meta/argument_specs.yml")["argument_specs"]
    assert spec["preflight"]["options"] == spec["main"]["options"]
    assert (ROOT / "roles" / role / "tasks/preflight.yml").is_file()


def test_role_readmes_match_the_argument_specs():
    result = run([sys.executable, "scripts/role_readme.py", "--check"])
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_shows_every_argument(role):
    result = run(["ansible-doc", "-t", "role", f"powernowcast.mlhost.{role}"])
    assert result.returncode == 0, result.stderr
    options = _load(ROOT / "roles" / role / "meta/argument_specs.yml")["argument_specs"]["main"][
        "options"
    ]
    for name in options:
        assert name in result.stdout, name
