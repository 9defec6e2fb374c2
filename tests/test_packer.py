"""The AMI template, checked without AWS: formatting, and every property the
AMI must have, read from the parsed HCL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scripts.image import TEMPLATE, load_template, provisioner, variables

from .conftest import ROOT, run


@pytest.fixture(scope="module")
def template():
    return load_template()


def source(template: dict) -> dict:
    return template["source"][0]["amazon-ebs"]["ubuntu"]


def check_imdsv2(template: dict) -> None:
    ebs = source(template)
    assert ebs["metadata_options"][0]["http_tokens"] == "required"
    assert ebs["metadata_options"][0]["http_endpoint"] == "enabled"
    assert ebs["imds_support"] == "v2.0"


def test_packer_fmt():
    if shutil.which("packer") is None:
        pytest.skip("packer is not installed (this distribution's archive has none)")
    result = run(["packer", "fmt", "-check", "-diff", "packer/"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugins_are_declared(template):
    plugins = template["packer"][0]["required_plugins"][0]
    assert plugins["amazon"]["source"] == "github.com/hashicorp/amazon"
    assert plugins["ansible"]["source"] == "github.com/hashicorp/ansible"


def test_source_is_canonicals_newest_ubuntu(template):
    ami_filter = source(template)["source_ami_filter"][0]
    assert ami_filter["owners"] == ["099720109477"]
    assert ami_filter["most_recent"] is True
    assert (
        "ubuntu-${local.codename}-${var.ubuntu_version}-amd64-server-"
        in ami_filter["filters"]["name"]
    )
    assert variables(template)["ubuntu_version"] == "24.04"
    validation = template["variable"][0]["ubuntu_version"]["validation"][0]["condition"]
    assert '"22.04", "24.04"' in validation


def test_instance_type_defaults_to_g6_xlarge(template):
    assert variables(template)["instance_type"] == "g6.xlarge"
    assert source(template)["instance_type"] == "${var.instance_type}"


def test_imdsv2_is_required_on_the_instance_and_the_ami(template):
    check_imdsv2(template)


def test_imdsv2_check_fails_when_tokens_are_optional(tmp_path):
    broken = tmp_path / "broken.pkr.hcl"
    broken.write_text(
        TEMPLATE.read_text().replace(
            'http_tokens                 = "required"', 'http_tokens                 = "optional"'
        )
    )
    with pytest.raises(AssertionError):
        check_imdsv2(load_template(broken))


def test_ssh_goes_through_ssm_with_no_inbound_port(template):
    ebs = source(template)
    assert ebs["ssh_interface"] == "session_manager"
    assert ebs["communicator"] == "ssh"
    assert "temporary_security_group_source_cidrs" not in ebs
    assert "ssh_keypair_name" not in ebs
    dynamic = ebs["dynamic"][0]["temporary_iam_instance_profile_policy_document"]
    actions = dynamic["content"][0]["Statement"][0]["Action"]
    assert "ssmmessages:OpenDataChannel" in actions


def test_root_volume_is_gp3_and_fits_the_venv(template):
    (volume,) = source(template)["launch_block_device_mappings"]
    assert volume["volume_type"] == "gp3"
    assert volume["volume_size"] == "${var.root_volume_size_gb}"
    assert variables(template)["root_volume_size_gb"] >= 30
    assert volume["delete_on_termination"] is True


def test_ami_is_encrypted_and_copied_to_regions(template):
    ebs = source(template)
    assert ebs["encrypt_boot"] is True
    assert ebs["kms_key_id"] == "${var.kms_key_id}"
    assert ebs["ami_regions"] == "${var.ami_regions}"
    assert variables(template)["ami_regions"] == []


def test_ami_name_and_tags(template):
    locals_ = template["locals"][0]
    assert locals_["ami_name"] == "ml-power-nowcast-ubuntu${var.ubuntu_version}-${local.timestamp}"
    assert source(template)["ami_name"] == "${local.ami_name}"
    tags = locals_["tags"]
    assert tags["GitCommit"] == "${var.git_commit}"
    assert tags["NvidiaDriverBranch"] == "${var.nvidia_driver_branch}"
    assert tags["StackLockSha256"] == "${local.stack_lock}"
    assert tags["SourceAmi"] == "{{ .SourceAMI }}"
    assert "requirements.txt" in locals_["stack_lock"]
    assert source(template)["tags"] == "${local.tags}"


def test_manifest_post_processor(template):
    (post,) = template["build"][0]["post-processor"]
    assert post["manifest"]["output"] == "${path.root}/manifest.json"
    assert post["manifest"]["custom_data"]["git_commit"] == "${var.git_commit}"


def test_provisioner_runs_site_yml_with_the_image_settings(template):
    block = provisioner(template)
    assert block["playbook_file"] == "${path.root}/../playbooks/site.yml"
    inventory = Path(block["inventory_directory"].replace("${path.root}", str(TEMPLATE.parent)))
    assert (inventory / "group_vars/all.yml").is_file()
    assert "image_hygiene_enabled=true" in block["extra_arguments"]
    assert re.search(r"ANSIBLE_COLLECTIONS_PATH=.*collections", " ".join(block["ansible_env_vars"]))
    assert (ROOT / "playbooks/site.yml").is_file()
