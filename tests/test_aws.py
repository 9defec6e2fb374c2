"""publish.yml, validate.yml and the aws_ec2 inventory against a real AWS API
server (moto). Every property is read back from the API's answers."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import SSM_PROFILE, local_host, run

# A podman that lets the wait for SSM through (the ping module) and drops the
# connection at every other module, as an SSM session that ends while the
# instance trains.
DROPPING_PODMAN = """#!/bin/sh
case "$*" in
  *AnsiballZ_ping*) ;;
  *AnsiballZ_*) echo "Error: no such container" >&2; exit 125 ;;
esac
exec podman "$@"
"""


def make_ami(account, name: str, project: str = "ml-power-nowcast") -> str:
    ec2 = account["ec2"]
    instance = ec2.run_instances(ImageId=account["base"], MinCount=1, MaxCount=1)["Instances"][0]
    image = ec2.create_image(InstanceId=instance["InstanceId"], Name=name)["ImageId"]
    # moto's CreateImage takes no tag specifications for snapshots: tag afterwards.
    ec2.create_tags(
        Resources=[image],
        Tags=[{"Key": "Project", "Value": project}, {"Key": "UbuntuVersion", "Value": "24.04"}],
    )
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    time.sleep(1.1)  # distinct creation dates
    return image


def playbook(name: str, account, *extra: str, check: bool = False):
    argv = [
        "ansible-playbook",
        "-i",
        "localhost,",
        f"playbooks/{name}.yml",
        "-e",
        f"{name}_endpoint_url={account['endpoint']}",
        *extra,
    ]
    env = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json"}
    result = run([*argv, "--check"] if check else argv, env=env)
    return result, json.loads(result.stdout[result.stdout.index("{") :])


def task(output: dict, name: str) -> dict:
    for play in output["plays"]:
        for entry in play["tasks"]:
            if entry["task"]["name"] == name:
                return next(iter(entry["hosts"].values()))
    raise KeyError(name)


def manifest(tmp_path, image: str) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "builds": [
                    {
                        "name": "ubuntu",
                        "builder_type": "amazon-ebs",
                        "packer_run_uuid": "run-2",
                        "artifact_id": f"us-east-1:{image}",
                        "custom_data": {
                            "ubuntu_version": "24.04",
                            "git_commit": "abc123",
                            "nvidia_driver_branch": "580",
                            "stack_lock_sha256": "f" * 64,
                        },
                    }
                ],
                "last_run_uuid": "run-2",
            }
        )
    )
    return str(path)


def test_publish_tags_the_ami_and_writes_the_parameter(account, tmp_path):
    image = make_ami(account, "ml-power-nowcast-ubuntu24.04-20261204000000")
    result, _ = playbook("publish", account, "-e", f"publish_manifest={manifest(tmp_path, image)}")
    assert result.returncode == 0, result.stdout[-3000:]
    parameter = account["ssm"].get_parameter(Name="/ml-power-nowcast/ami/24.04/latest")["Parameter"]
    assert parameter["Value"] == image
    tags = {
        t["Key"]: t["Value"]
        for t in account["ec2"].describe_images(ImageIds=[image])["Images"][0]["Tags"]
    }
    assert tags["GitCommit"] == "abc123"
    assert tags["NvidiaDriverBranch"] == "580"
    assert tags["StackLockSha256"] == "f" * 64
    again, _ = playbook("publish", account, "-e", f"publish_manifest={manifest(tmp_path, image)}")
    assert '"changed": 0' in again.stdout.replace(" ", "").replace('"changed":0', '"changed": 0')


def test_publish_deprecates_only_amis_older_than_the_newest(account, tmp_path):
    images = [make_ami(account, f"ml-power-nowcast-ubuntu24.04-2026120400000{i}") for i in range(3)]
    other = make_ami(account, "someone-else-ubuntu24.04", project="other")
    result, output = playbook(
        "publish",
        account,
        "-e",
        f"publish_manifest={manifest(tmp_path, images[-1])}",
        "-e",
        "publish_keep_newest=1",
        check=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    (decision,) = task(output, "Deprecate the AMIs older than the newest ones")["results"]
    assert decision["deprecated"] == sorted(images[:2])
    assert other not in decision["deprecated"]


def validate(account, *extra: str):
    return playbook(
        "validate",
        account,
        "-e",
        f"validate_subnet_id={account['subnet']}",
        "-e",
        "validate_ssm_timeout=5",
        "-e",
        "validate_ssm_bucket=ssm-transfer",
        *extra,
    )


def launched(account) -> list[dict]:
    reservations = account["ec2"].describe_instances(
        Filters=[{"Name": "tag:Purpose", "Values": ["validate"]}]
    )["Reservations"]
    return [i for r in reservations for i in r["Instances"]]


def test_validate_launches_the_newest_ami_safely_and_terminates_it_when_ssm_never_answers(account):
    older = make_ami(account, "ml-power-nowcast-ubuntu24.04-20261201000000")
    newest = make_ami(account, "ml-power-nowcast-ubuntu24.04-20261202000000")
    make_ami(account, "ml-power-nowcast-ubuntu24.04-20261203000000", project="someone-else")
    result, output = validate(account, "-e", "validate_ami_lookup=name")
    # moto runs no SSM agent: the wait times out, the play fails and terminates the instance.
    assert result.returncode != 0
    assert "never answered over SSM" in result.stdout
    assert "was terminated" in result.stdout
    (instance,) = launched(account)
    assert instance["ImageId"] == newest != older
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in instance
    # The profile is disassociated on termination: read it from the API's answer at launch.
    (at_launch,) = task(output, "Launch an instance of the AMI")["instances"]
    assert at_launch["iam_instance_profile"]["arn"].endswith(f"instance-profile/{SSM_PROFILE}")
    assert at_launch["metadata_options"]["http_tokens"] == "required"
    assert instance["InstanceType"] == "g6.xlarge"
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["Project"] == "ml-power-nowcast"
    assert tags["CostCenter"] == "ml-power-nowcast"
    assert tags["SourceAmi"] == newest
    assert instance["State"]["Name"] in ("shutting-down", "terminated")
    (group,) = account["ec2"].describe_security_groups(
        GroupIds=[instance["SecurityGroups"][0]["GroupId"]]
    )["SecurityGroups"]
    assert group["IpPermissions"] == []


@pytest.mark.podman
def test_validate_terminates_the_instance_when_it_stops_answering(account, tmp_path):
    """Ansible ends a playbook when every host of a play is unreachable: the
    terminate play must run all the same."""
    podman = tmp_path / "podman"
    podman.write_text(DROPPING_PODMAN)
    podman.chmod(0o755)
    with local_host("mlpn-validate-drop") as host:
        result, output = validate(
            account,
            "-e",
            f"validate_ami_id={account['base']}",
            "-e",
            f"validate_target_host={host}",
            "-e",
            "validate_connection=containers.podman.podman",
            "-e",
            f"ansible_podman_executable={podman}",
        )
    assert result.returncode != 0
    assert task(output, "Train the model on the host (about a minute) - xgboost")["unreachable"]
    assert "stopped answering before the checks finished" in result.stdout
    (instance,) = launched(account)
    assert instance["State"]["Name"] in ("shutting-down", "terminated")


def test_validate_reads_the_published_parameter(account, tmp_path):
    image = make_ami(account, "ml-power-nowcast-ubuntu24.04-20261204000000")
    make_ami(account, "ml-power-nowcast-ubuntu24.04-20261205000000")
    account["ssm"].put_parameter(
        Name="/ml-power-nowcast/ami/24.04/latest", Value=image, Type="String"
    )
    result, _ = validate(account)
    assert result.returncode != 0
    (instance,) = launched(account)
    assert instance["ImageId"] == image


def test_validate_without_an_ami_says_so_and_launches_nothing(account):
    result, _ = validate(account)
    assert result.returncode != 0
    assert "No AMI found" in result.stdout
    assert "Nothing was launched" in result.stdout
    assert launched(account) == []


def test_validate_without_credentials_says_what_to_check(account, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    result, _ = validate(account)
    assert result.returncode != 0
    assert "Check the AWS credentials" in result.stdout
    assert launched(account) == []


def test_inventory_groups_the_projects_instances(account, monkeypatch):
    ec2 = account["ec2"]
    ours = ec2.run_instances(
        ImageId=account["base"],
        MinCount=1,
        MaxCount=1,
        InstanceType="g6.xlarge",
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [
                    {"Key": "Project", "Value": "ml-power-nowcast"},
                    {"Key": "Purpose", "Value": "validate"},
                    {"Key": "UbuntuVersion", "Value": "24.04"},
                ],
            }
        ],
    )["Instances"][0]["InstanceId"]
    ec2.run_instances(
        ImageId=account["base"],
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Project", "Value": "x"}]}
        ],
    )
    monkeypatch.setenv("AWS_URL", account["endpoint"])
    result = run(["ansible-inventory", "-i", "inventories/aws/aws_ec2.yml", "--list"])
    assert result.returncode == 0, result.stderr
    inventory = json.loads(result.stdout)
    assert inventory["ml_power_nowcast"]["hosts"] == [ours]
    assert inventory["purpose_validate"]["hosts"] == [ours]
    assert inventory["ubuntu_24_04"]["hosts"] == [ours]
    host = inventory["_meta"]["hostvars"][ours]
    assert host["ansible_connection"] == "community.aws.aws_ssm"
    assert ours in json.dumps(host["ansible_aws_ssm_instance_id"])
