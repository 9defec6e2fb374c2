"""Checks of the NVIDIA driver role on a host without a GPU (a container)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def driver(hostvars):
    branch = hostvars["nvidia_driver_branch"]
    kernel = hostvars["nvidia_driver_kernel_packages"][0].removeprefix("linux-image-")
    return {"branch": branch, "kernel": kernel}


def test_modules_exist_for_the_pinned_kernel(host, driver):
    modules = host.check_output(
        f"find /lib/modules/{driver['kernel']} -name 'nvidia.ko*' -o -name 'nvidia-uvm.ko*'"
    ).split()
    assert len(modules) == 2, modules
    info = host.check_output(f"modinfo -k {driver['kernel']} -F version nvidia")
    assert info.startswith(driver["branch"] + ".")


def test_driver_and_kernel_packages_are_held(host, driver):
    held = host.check_output("apt-mark showhold").split()
    assert f"nvidia-utils-{driver['branch']}-server" in held
    assert f"linux-image-{driver['kernel']}" in held
    assert f"linux-modules-{driver['kernel']}" in held


def test_userspace_matches_the_pinned_version(host, hostvars, driver):
    version = host.package(f"nvidia-utils-{driver['branch']}-server").version
    assert version == hostvars["nvidia_driver_version"]
    assert host.file("/usr/bin/nvidia-smi").exists


def test_nouveau_is_blacklisted_and_initramfs_regenerated(host, driver):
    blacklist = host.file("/etc/modprobe.d/blacklist-nouveau.conf")
    assert "blacklist nouveau" in blacklist.content_string
    initrd = host.file(f"/boot/initrd.img-{driver['kernel']}")
    assert initrd.exists
    assert initrd.mtime.timestamp() >= blacklist.mtime.timestamp()


def test_units_are_enabled(host):
    assert host.service("nvidia-persistenced").is_enabled
    assert host.service("nvidia-gpu-check").is_enabled


def test_gpu_check_says_no_gpu_and_exits_cleanly(host):
    result = host.run("systemctl start nvidia-gpu-check.service")
    assert result.rc == 0, result.stderr
    status = json.loads(host.file("/var/lib/nvidia-driver/gpu-check.json").content_string)
    assert status["status"] == "no-gpu"
    journal = host.check_output("journalctl -u nvidia-gpu-check.service --no-pager -o cat")
    assert "nvidia-gpu-check: no-gpu: no NVIDIA GPU on this host" in journal
