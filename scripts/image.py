"""`make image`: the local twin of the AMI.

Reads the Packer template's ansible provisioner and runs ansible-playbook the
way Packer does (same playbook, inventory folder, extra arguments and
environment) against a fresh local Ubuntu host, with the local hosts' settings
on top. Then turns the cleaned host into the image
localhost/ml-power-nowcast:<ubuntu>-<time>, starts a new container from that
image and trains on it.

Usage: python scripts/image.py [--ubuntu 24.04] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hcl2

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "packer" / "ml-power-nowcast.pkr.hcl"
CODENAMES = {"22.04": "jammy", "24.04": "noble"}
BUILD = "ml-power-nowcast-image-build"
# Disk the build takes at its peak, measured: the build container (8 GB), then
# its compressed export (4 GB) and Podman's copy of it while the image's layer
# (8 GB) is written.
NEED_GB = 18
# The base images' settings (scripts/build-base-image.sh).
IMAGE_SETTINGS = ["--change", 'CMD ["/sbin/init"]', "--change", "STOPSIGNAL SIGRTMIN+3"]
# What the build machine needs on top of the image's settings (CA certificates,
# the shared uv cache, driver pins its mirror has): applied after Packer's own.
LOCAL_SETTINGS = ROOT / "inventories/local/group_vars/all/local.yml"
SEED = """
mkdir -p /root/.ssh /root/.cache/pip/http
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleBuildKey build@packer' >/root/.ssh/authorized_keys
echo 'aws configure list' >/root/.bash_history
echo cached >/root/.cache/pip/http/entry
"""


def unquote(value):
    """python-hcl2 keeps the quotes of strings and adds block markers: drop both."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def load_template(path: Path = TEMPLATE) -> dict:
    with path.open() as stream:
        return unquote(hcl2.load(stream))


def variables(template: dict) -> dict[str, object]:
    return {
        name: spec.get("default") for block in template["variable"] for name, spec in block.items()
    }


def provisioner(template: dict) -> dict:
    (build,) = template["build"]
    (ansible,) = [p["ansible"] for p in build["provisioner"] if "ansible" in p]
    return ansible


def resolve(text: str, template: dict, overrides: dict[str, str]) -> str:
    """Fill in ${path.root}, ${var.x} and the simple ${local.x} the provisioner uses."""
    values = {**variables(template), **overrides}
    locals_ = {k: v for block in template["locals"] for k, v in block.items()}

    def one(match: re.Match) -> str:
        kind, name = match.group(1), match.group(2)
        if kind == "path":
            return str(TEMPLATE.parent)
        if kind == "var":
            return str(values[name])
        return resolve(str(locals_[name]), template, overrides)

    return re.sub(r"\$\{(path|var|local)\.([a-z_]+)\}", one, text)


def packer_command(
    template: dict, inventory: Path, overrides: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    """The ansible-playbook command and environment Packer's provisioner runs."""
    block = provisioner(template)
    argv = [
        "ansible-playbook",
        "-e",
        "packer_build_name=ml-power-nowcast",
        "-e",
        "packer_builder_type=amazon-ebs",
        "-i",
        str(inventory),
        *[resolve(arg, template, overrides) for arg in block.get("extra_arguments", [])],
    ]
    env = dict(
        resolve(item, template, overrides).split("=", 1)
        for item in block.get("ansible_env_vars", [])
    )
    playbook = resolve(block["playbook_file"], template, overrides)
    return [*argv, "-e", f"@{LOCAL_SETTINGS}", playbook], env


def sh(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, text=True, **kwargs)


def step(message: str) -> None:
    print(f"== {message}", flush=True)


# Bytes of each part of the image, measured inside a container of it.
SIZES = {
    "venv": "du -sb /opt/ml-power-nowcast/venvs | cut -f1",
    "driver": (
        "{ find /lib/modules -path '*nvidia*' -type f;"
        " dpkg -L $(dpkg-query -W -f '${Package} ' '*nvidia*' 2>/dev/null) 2>/dev/null; }"
        " | sort -u | xargs -r -d '\\n' stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}'"
    ),
    "code": (
        "du -sbc /opt/ml-power-nowcast/dist"
        " /opt/ml-power-nowcast/venv/lib/python3*/site-packages/power_nowcast | tail -n 1 | cut -f1"
    ),
}


def sizes(container: str) -> dict[str, int]:
    """Bytes of the venv, the NVIDIA driver and the nowcast code in the image."""
    return {
        part: int(
            sh("podman", "exec", container, "bash", "-c", command, capture_output=True).stdout
        )
        for part, command in SIZES.items()
    }


def image_size(tag: str) -> int:
    out = sh("podman", "image", "inspect", "--format", "{{.Size}}", tag, capture_output=True).stdout
    return int(out.strip())


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def check_disk() -> None:
    """Stop before building when Podman's storage lacks the room for the image."""
    storage = sh("podman", "info", "--format", "{{.Store.GraphRoot}}", capture_output=True)
    for path in dict.fromkeys([storage.stdout.strip(), tempfile.gettempdir()]):
        free = shutil.disk_usage(path).free / 1e9
        if free < NEED_GB:
            fail(
                f"make image needs about {NEED_GB} GB free in {path}; {free:.1f} GB are."
                " Remove the images of earlier runs ('podman images localhost/ml-power-nowcast',"
                " then 'podman rmi IMAGE') or free space there, then run it again"
                " (TMPDIR moves the temporary files)."
            )


def make_image(tag: str, keep: bool) -> None:
    """The build container's files as the image. An export compressed with zstd
    and then imported takes half the disk of 'podman commit', which holds two
    uncompressed copies of the layer in /var/tmp while it writes the layer."""
    sh("podman", "pause", BUILD, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="ml-power-nowcast-image-") as tmp:
        archive = f"{tmp}/rootfs.tar.zst"
        export = 'set -o pipefail; podman export "$1" | zstd -T0 -3 -q -o "$2"'
        sh("bash", "-c", export, "export", BUILD, archive)
        if keep:
            sh("podman", "unpause", BUILD, stdout=subprocess.DEVNULL)
        else:
            sh("podman", "rm", "--force", BUILD, stdout=subprocess.DEVNULL)
        sh("podman", "import", "--quiet", *IMAGE_SETTINGS, archive, tag, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ubuntu", choices=list(CODENAMES), help="the Ubuntu release (default: the template's)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the build container")
    args = parser.parse_args()
    check_disk()
    try:
        return build_and_train(args.ubuntu, args.keep)
    except subprocess.CalledProcessError as error:
        command = " ".join(map(str, error.cmd))
        print(f"error: {command} failed (exit {error.returncode})", file=sys.stderr)
        if not args.keep:
            # The build container takes 8 GB the next run needs; --keep keeps it.
            subprocess.run(["podman", "rm", "--force", "--ignore", BUILD], capture_output=True)
            print(f"removed the build container '{BUILD}' (--keep keeps it)", file=sys.stderr)
        return 1


def build_and_train(ubuntu: str | None, keep: bool) -> int:
    started = time.monotonic()
    template = load_template()
    ubuntu = ubuntu or str(variables(template)["ubuntu_version"])
    overrides = {"ubuntu_version": ubuntu}
    run_host = "ml-power-nowcast-image"
    timestamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    tag = f"localhost/ml-power-nowcast:{ubuntu}-{timestamp}"

    step(f"starting a fresh Ubuntu {ubuntu} host '{BUILD}'")
    sh("scripts/local-host.sh", BUILD, CODENAMES[ubuntu], cwd=ROOT)
    base = sh(
        "scripts/build-base-image.sh", CODENAMES[ubuntu], cwd=ROOT, capture_output=True
    ).stdout.strip()
    # What an EC2 build instance carries and the image must not: the key
    # pair's authorized_keys, a shell history, a pip cache.
    sh("podman", "exec", BUILD, "sh", "-c", SEED)

    block = provisioner(template)
    inventory_dir = Path(resolve(block["inventory_directory"], template, overrides))
    with tempfile.NamedTemporaryFile(
        "w", dir=inventory_dir, prefix="packer-provisioner-ansible", suffix=".ini"
    ) as inventory:
        inventory.write(f"{BUILD} ansible_connection=containers.podman.podman\n")
        inventory.flush()
        argv, env = packer_command(template, Path(inventory.name), overrides)
        step("running Packer's ansible provisioner: " + " ".join(argv))
        sh(*argv, cwd=ROOT, env={**os.environ, **env})
    converged = time.monotonic()

    step(f"making the image {tag} from '{BUILD}'")
    make_image(tag, keep)
    made = time.monotonic()

    step(f"training in a new container '{run_host}' started from the image")
    sh("scripts/local-host.sh", run_host, tag, cwd=ROOT)
    sh(
        "ansible-playbook",
        "-i",
        f"{run_host},",
        "-c",
        "containers.podman.podman",
        "-e",
        "ansible_python_interpreter=/usr/bin/python3",
        "playbooks/train.yml",
        cwd=ROOT,
    )
    report = json.loads((ROOT / ".cache/train" / run_host / "report.json").read_text())
    mae = {row["model"]: row["mae_mw"] for row in report["holdout"]["results"]}
    parts = sizes(run_host)
    total, base_size = image_size(tag), image_size(base)
    info = {
        "image": tag,
        "base_image": base,
        "seconds": {
            "build": round(converged - started),
            "image": round(made - converged),
            "total": round(time.monotonic() - started),
        },
        "bytes": {
            "image": total,
            "base": base_size,
            **parts,
            # the kernel, Python and the rest the roles install
            "other": total - base_size - sum(parts.values()),
        },
        "mae_mw": mae,
    }
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts/image.json").write_text(json.dumps(info, indent=2) + "\n")
    gib = 1024**3
    print(
        f"image {tag}: {total / gib:.2f} GiB (base {base_size / gib:.2f}, driver"
        f" {parts['driver'] / gib:.2f}, venv {parts['venv'] / gib:.2f},"
        f" code {parts['code'] / 1024:.0f} KiB, other {info['bytes']['other'] / gib:.2f})"
    )
    print(
        f"xgboost MAE {mae['xgboost']:.2f} MW (persistence {mae['persistence']:.2f} MW)"
        " from a container of the image"
    )
    seconds = info["seconds"]
    print(
        f"make image took {seconds['total']} s (converge {seconds['build']} s,"
        f" image {seconds['image']} s)"
    )
    print(
        f"the container '{run_host}' is still running: 'podman exec -it {run_host} bash'"
        f" to look inside, 'podman rm -f {run_host}' and 'podman rmi {tag}' to remove them"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
