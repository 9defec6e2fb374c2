"""DKMS built the open modules for the pinned kernel, not for the kernel the build runs."""


def test_dkms_built_the_module_for_the_pinned_kernel(host, hostvars):
    kernel = hostvars["nvidia_driver_kernel_packages"][0].removeprefix("linux-image-")
    status = host.check_output(f"dkms status -m nvidia -k {kernel}")
    assert status.endswith(": installed"), status
    assert host.file(f"/usr/src/linux-headers-{kernel}").is_directory
    running = host.check_output("uname -r")
    assert running != kernel
