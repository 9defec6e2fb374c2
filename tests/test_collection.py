"""The roles as an installed collection: built, installed into an empty
collections path and used by FQCN, without this repository."""

from __future__ import annotations

import tarfile

import pytest

from .conftest import ROOT, local_host, playbook_on, run

HOST = "mlpn-collection"
PLAYBOOK = """
- name: Use the installed collection
  hosts: all
  become: true
  roles:
    - role: powernowcast.mlhost.ca_certificates
      vars:
        ca_certificates_extra:
          - "{{ lookup('ansible.builtin.file', '%s') }}"
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("collection")
    built = run(
        ["ansible-galaxy", "collection", "build", "--force", "--output-path", str(work), str(ROOT)]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = work.glob("powernowcast-mlhost-*.tar.gz")
    print(f"collection tarball: {tarball.name}, {tarball.stat().st_size / 1024:.0f} KiB")
    path = work / "collections"
    # Outside the repository: no ansible.cfg, only the installed copy.
    env = {"ANSIBLE_COLLECTIONS_PATH": str(path), "ANSIBLE_CONFIG": None}
    done = run(
        [
            "ansible-galaxy",
            "collection",
            "install",
            "--offline",
            "--no-deps",
            "-p",
            str(path),
            str(tarball),
        ],
        cwd=work,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (path / "ansible_collections/powernowcast/mlhost/roles/ml_stack").is_dir()
    return work, tarball, env


def test_tarball_is_small_and_carries_no_build_outputs(installed):
    _, tarball, _ = installed
    assert tarball.stat().st_size < 1024 * 1024
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "roles/nvidia_driver/tasks/main.yml" in names
    assert "requirements.txt" in names
    for bad in (
        ".venv/",
        ".cache/",
        "molecule/",
        ".git/",
        "collections/",
        "__pycache__",
        "node_modules",
    ):
        assert not [n for n in names if bad in n + "/"], bad


def test_ansible_doc_reads_the_installed_roles(installed):
    work, _, env = installed
    result = run(
        ["ansible-doc", "-t", "role", "powernowcast.mlhost.nvidia_driver"], cwd=work, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "nvidia_driver_method" in result.stdout
    assert str(work / "collections") in result.stdout


@pytest.mark.podman
def test_an_installed_role_converges_by_fqcn(installed):
    work, _, env = installed
    with local_host(HOST):
        certificate = sorted((ROOT / "tests/data").glob("*.pem"))[0]
        playbook = work / "use.yml"
        playbook.write_text(PLAYBOOK % certificate)
        argv = [
            *playbook_on(HOST),
            "-e",
            "ansible_python_interpreter=/usr/bin/python3",
            str(playbook),
        ]
        first = run(argv, cwd=work, env=env)
        assert first.returncode == 0, first.stdout[-3000:]
        assert (
            str(work / "collections")
            in run(
                ["ansible-galaxy", "collection", "list", "powernowcast.mlhost"], cwd=work, env=env
            ).stdout
        )
        installed_cert = run(
            [
                "podman",
                "exec",
                HOST,
                "sh",
                "-c",
                "ls /usr/local/share/ca-certificates/ml-power-nowcast/",
            ]
        ).stdout
        assert installed_cert.startswith("extra-")
        second = run(argv, cwd=work, env=env)
        assert "changed=0" in second.stdout
