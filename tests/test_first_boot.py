"""nvidia_driver_install_time: first-boot installs a oneshot unit instead of the
driver: enabled, run once (a done-file guards it), installing the modules of
the running kernel. Its run needs a real kernel: here the unit and script are
checked, and that nothing of the driver was installed at build time."""

from __future__ import annotations

import pytest

from .conftest import local_host, playbook_on, run

HOST = "mlpn-first-boot"
PLAYBOOK = "molecule/nvidia_dkms/converge.yml"


def host(command: str):
    return run(["podman", "exec", HOST, "sh", "-c", command])


@pytest.mark.podman
def test_first_boot_mode_installs_an_enabled_oneshot_and_no_driver():
    with local_host(HOST):
        argv = [
            *playbook_on(HOST),
            "-e",
            "ansible_python_interpreter=/usr/bin/python3",
            "-e",
            '{"nvidia_driver_install_time": "first-boot", "nvidia_driver_branch": "580"}',
            PLAYBOOK,
        ]
        first = run(argv)
        assert first.returncode == 0, first.stdout[-3000:]
        assert (
            host("systemctl is-enabled nvidia-driver-first-boot.service").stdout.strip()
            == "enabled"
        )
        unit = host("systemctl cat nvidia-driver-first-boot.service").stdout
        assert "ConditionPathExists=!/var/lib/nvidia-driver/first-boot.done" in unit
        script = host("cat /usr/local/sbin/nvidia-driver-first-boot").stdout
        assert "linux-modules-nvidia-580-server-open-$kernel" in script
        assert "systemctl disable nvidia-driver-first-boot.service" in script
        assert host("bash -n /usr/local/sbin/nvidia-driver-first-boot").returncode == 0
        assert host("dpkg -l 'nvidia-utils-*' 2>/dev/null | grep -c ^ii").stdout.strip() in (
            "",
            "0",
        )
        again = run(argv)
        assert "changed=0" in again.stdout, again.stdout[-3000:]
