"""Wrong input to the set-up fails early, naming what to install or change."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import ROOT, run


def test_a_python_older_than_312_is_refused_with_what_to_install(tmp_path):
    old = "/usr/bin/python3"
    version = subprocess.run(
        [old, "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
    )
    if version.stdout.strip() != "False":
        pytest.skip(f"{old} is 3.12 or newer here: no older Python to refuse")
    result = run(["scripts/setup.sh"], env={"PYTHON": old})
    assert result.returncode == 2
    assert "no Python 3.12 or newer found (PYTHON=/usr/bin/python3 is not one)" in result.stderr
    assert "apt-get install python3.12 python3.12-venv" in result.stderr
    assert "pyenv install 3.12" in result.stderr


def test_a_missing_tool_is_named_with_the_package_to_install():
    # debootstrap lives in /usr/sbin: without it on PATH it is "missing".
    result = run(["scripts/build-base-image.sh", "noble"], env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "'debootstrap' is missing" in result.stderr
    assert "apt-get install" in result.stderr


def test_an_unknown_release_is_refused():
    result = run(["scripts/build-base-image.sh", "focal"])
    assert result.returncode == 2
    assert "use noble (24.04) or jammy (22.04)" in result.stderr


@pytest.mark.podman
def test_podman_that_cannot_start_a_container_says_what_to_change(tmp_path):
    bad = tmp_path / "containers.conf"
    bad.write_text((ROOT / "containers.conf").read_text().replace('"runc"', '"no-such-runtime"'))
    result = run(
        ["scripts/local-host.sh", "mlpn-bad-runtime", "noble"], env={"CONTAINERS_CONF": str(bad)}
    )
    run(["podman", "rm", "--force", "mlpn-bad-runtime"])
    assert result.returncode == 2
    assert "Podman could not start a container" in result.stderr
    assert "CONTAINERS_CONF" in result.stderr
    assert 'runtime = "runc"' in result.stderr
