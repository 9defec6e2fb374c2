"""Find the newest GRID driver runfile of a branch in AWS's S3 bucket."""

from __future__ import annotations

DOCUMENTATION = r"""
module: nvidia_grid_runfile
short_description: Find the newest NVIDIA GRID driver runfile of a branch in S3
description:
  - Lists AWS's GRID driver bucket (C(ec2-linux-nvidia-drivers)) and picks the
    newest C(NVIDIA-Linux-x86_64-<version>-grid-aws.run) of the requested branch.
  - Returns a presigned URL, so that the host downloads the runfile itself.
  - Runs on the controller (delegate_to localhost); needs boto3 and AWS credentials.
author: ml-power-nowcast developers
options:
  bucket:
    description: The S3 bucket.
    type: str
    default: ec2-linux-nvidia-drivers
  prefix:
    description: Only keys under this prefix.
    type: str
    default: ""
  branch:
    description: The driver branch, e.g. 580.
    type: int
    required: true
  region:
    description: The bucket's region.
    type: str
    default: us-east-1
  endpoint_url:
    description: An S3 endpoint URL instead of AWS's.
    type: str
  expiry:
    description: Seconds the presigned URL is valid.
    type: int
    default: 3600
"""

EXAMPLES = r"""
- name: Find the newest 580 GRID driver
  powernowcast.mlhost.nvidia_grid_runfile:
    branch: 580
  delegate_to: localhost
  register: runfile
"""

RETURN = r"""
key:
  description: The runfile's key.
  returned: success
  type: str
version:
  description: The driver version, e.g. 580.65.06.
  returned: success
  type: str
size:
  description: Size in bytes.
  returned: success
  type: int
url:
  description: A presigned URL of the runfile.
  returned: success
  type: str
"""

# Ansible modules put their documentation first, then the imports.
import re  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

RUNFILE = re.compile(r"NVIDIA-Linux-x86_64-(?P<version>(?P<branch>\d+)(?:\.\d+)+)-grid-aws\.run$")


def newest_runfile(objects: list[dict], branch: int) -> dict | None:
    """The object with the highest version of the branch, or None."""
    best = None
    for item in objects:
        match = RUNFILE.search(item["Key"])
        if not match or int(match["branch"]) != branch:
            continue
        version = tuple(int(part) for part in match["version"].split("."))
        if best is None or (version, item["LastModified"]) > best[0]:
            best = ((version, item["LastModified"]), item, match["version"])
    return None if best is None else {**best[1], "Version": best[2]}


def branches(objects: list[dict]) -> list[int]:
    return sorted({int(m["branch"]) for o in objects if (m := RUNFILE.search(o["Key"]))})


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "bucket": {"type": "str", "default": "ec2-linux-nvidia-drivers"},
            "prefix": {"type": "str", "default": ""},
            "branch": {"type": "int", "required": True},
            "region": {"type": "str", "default": "us-east-1"},
            "endpoint_url": {"type": "str"},
            "expiry": {"type": "int", "default": 3600},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    except ImportError:
        module.fail_json(msg="boto3 is missing on the controller: install boto3 (make setup does)")
    client = boto3.client("s3", region_name=params["region"], endpoint_url=params["endpoint_url"])
    where = f"s3://{params['bucket']}/{params['prefix']}"
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=params["bucket"], Prefix=params["prefix"]
        )
        objects = [item for page in pages for item in page.get("Contents", [])]
        chosen = newest_runfile(objects, params["branch"])
        if chosen is None:
            module.fail_json(
                msg=f"no GRID runfile of branch {params['branch']} under {where}"
                f" (branches found: {branches(objects) or 'none'}): choose one of them"
                " with nvidia_driver_branch, or fix the bucket and prefix"
            )
        url = client.generate_presigned_url(
            "get_object",
            Params={"Bucket": params["bucket"], "Key": chosen["Key"]},
            ExpiresIn=params["expiry"],
        )
    except NoCredentialsError:
        module.fail_json(msg=f"no AWS credentials to list {where}: set AWS_PROFILE or AWS keys")
    except (BotoCoreError, ClientError) as error:
        module.fail_json(msg=f"cannot list {where}: {error}")
    module.exit_json(
        changed=False, key=chosen["Key"], version=chosen["Version"], size=chosen["Size"], url=url
    )


if __name__ == "__main__":
    main()
