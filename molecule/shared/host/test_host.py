"""Checks of a converged host, run by Molecule's verify step."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENV = "/opt/ml-power-nowcast/venv"
STACK = {
    "torch": "2.8.0",
    "xgboost": "3.0.4",
    "mlflow": "3.3.2",
    "fastapi": "0.116.1",
    "sklearn": "1.7.1",
    "pandas": "2.3.2",
}


def test_python_version(host, hostvars):
    version = hostvars["python_version"]
    out = host.check_output(f"{VENV}/bin/python -c 'import sys; print(sys.version)'")
    assert out.startswith(version + ".")


def test_venv_is_a_link_owned_by_root_and_readable(host):
    link = host.file(VENV)
    assert link.is_symlink
    target = host.file(link.linked_to)
    assert target.is_directory
    assert target.user == "root"
    assert target.group == "root"
    assert target.mode & 0o005 == 0o005, oct(target.mode)
    assert re.fullmatch(r"/opt/ml-power-nowcast/venvs/[0-9a-f]{16}-\d{8}T\d{6}", link.linked_to)


LOCK_CHECK = r"""
import importlib.metadata, sys
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
text = open(sys.argv[1]).read().replace("\\\n", " ")
expected = {}
for line in text.splitlines():
    line = line.strip()
    if not line or line.startswith(("#", "-")):
        continue
    requirement = Requirement(line.split(" --hash")[0])
    if requirement.marker is None or requirement.marker.evaluate():
        expected[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
installed = {
    canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()
}
installed.pop("power-nowcast", None)
print(len(expected))
for name in sorted(set(expected) | set(installed)):
    if expected.get(name) != installed.get(name):
        print(f"{name}: lock {expected.get(name)} venv {installed.get(name)}")
"""


def test_venv_equals_the_lock_exactly(host):
    """Every package of the lock that applies to this host, at its version, and nothing else."""
    lock = host.file(VENV).linked_to.replace("/venvs/", "/locks/").rsplit("-", 1)[0] + ".txt"
    host.run(f"cat > /tmp/lock_check.py <<'EOF'\n{LOCK_CHECK}\nEOF")
    out = host.check_output(f"{VENV}/bin/python /tmp/lock_check.py {lock}").splitlines()
    assert int(out[0]) > 90
    assert out[1:] == []


def test_stack_imports_with_the_pinned_versions(host):
    code = "; ".join(f"import {m}; print({m}.__version__)" for m in STACK)
    versions = host.check_output(f"{VENV}/bin/python -c '{code}'").split()
    assert [v.split("+")[0] for v in versions] == list(STACK.values())


def test_login_shell_finds_power_nowcast(host, hostvars):
    user = hostvars["ml_code_user"]
    found = host.check_output(f"su - {user} -c 'command -v power-nowcast'")
    assert found == f"{VENV}/bin/power-nowcast"
    assert host.run(f"su - {user} -c 'power-nowcast --version'").stdout.startswith(
        "power-nowcast 0.1.0"
    )
    # without a login shell (SSM's aws_ssm connection, cron) it is found too
    assert host.check_output("readlink /usr/local/bin/power-nowcast") == f"{VENV}/bin/power-nowcast"


def test_release_file_names_the_commit(host):
    release = json.loads(host.file("/opt/ml-power-nowcast/release.json").content_string)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%H"], capture_output=True, text=True
    )
    assert release["commit"] == (head.stdout.strip() or "unknown")
    assert release["wheel"].startswith("power_nowcast-0.1.0-")
    installed = host.file(f"{VENV}/.power-nowcast-installed").content_string.strip()
    assert installed == release["wheel_sha256"]


def test_ml_user_owns_its_folders(host, hostvars):
    user = hostvars["ml_code_user"]
    assert host.user(user).exists
    assert host.user(user).uid != 0
    for folder in ("", "/data", "/mlflow", "/runs"):
        path = host.file(f"/var/lib/ml-power-nowcast{folder}")
        assert path.is_directory
        assert path.user == user
        assert path.mode == 0o750


def test_controller_ca_certificates_are_trusted(host):
    bundle = host.file("/etc/ssl/certs/ca-certificates.crt").content_string
    local = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt"))
    for certificate in local:
        body = "".join(certificate.read_text().split("-----")[2].split())
        assert body[:64] in "".join(bundle.split()), certificate
    assert "cert = /etc/ssl/certs/ca-certificates.crt" in host.file("/etc/pip.conf").content_string
    assert "system-certs = true" in host.file("/etc/uv/uv.toml").content_string
