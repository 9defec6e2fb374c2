"""The collections pinned in requirements.yml are installed at versions that satisfy the pins."""

from __future__ import annotations

import json

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from .conftest import ROOT, run

PINS = {
    c["name"]: c["version"]
    for c in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]
}


@pytest.fixture(scope="module")
def installed():
    result = run(["ansible-galaxy", "collection", "list", "--format", "json"])
    assert result.returncode == 0, result.stderr
    versions = {}
    for collections in json.loads(result.stdout).values():
        for name, info in collections.items():
            versions.setdefault(name, info["version"])
    return versions


@pytest.mark.parametrize("name", sorted(PINS))
def test_pinned_collection_is_installed_within_its_pin(installed, name):
    assert name in installed, f"{name} is not installed"
    assert installed[name] in SpecifierSet(PINS[name]), (
        f"{name} {installed[name]} not in {PINS[name]}"
    )


def test_galaxy_yml_declares_the_same_pins():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["dependencies"] == PINS


def test_this_repository_resolves_as_the_collection():
    result = run(["ansible-doc", "-t", "role", "-l", "powernowcast.mlhost"])
    assert result.returncode == 0, result.stderr
    for role in ("ca_certificates", "python", "ml_stack", "ml_code"):
        assert f"powernowcast.mlhost.{role}" in result.stdout
