"""Deprecate EC2 images (EnableImageDeprecation) that are not deprecated yet."""

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_ami_deprecation
short_description: Deprecate EC2 images
description:
  - Sets a deprecation time on each image that has none (EnableImageDeprecation).
  - In check mode it only reports which images it would deprecate.
author: ml-power-nowcast developers
options:
  image_ids:
    description: The images to deprecate.
    type: list
    elements: str
    required: true
  deprecate_at:
    description: When, as ISO 8601 UTC; empty is in one hour.
    type: str
    default: ""
  region:
    description: The images' region.
    type: str
    required: true
  endpoint_url:
    description: An EC2 endpoint URL instead of AWS's.
    type: str
"""

EXAMPLES = r"""
- name: Deprecate old AMIs
  powernowcast.mlhost.ec2_ami_deprecation:
    image_ids: [ami-0123456789abcdef0]
    region: us-east-1
"""

RETURN = r"""
deprecated:
  description: The images deprecated (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
"""

# Ansible modules put their documentation first, then the imports.
from datetime import UTC, datetime, timedelta  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "image_ids": {"type": "list", "elements": "str", "required": True},
            "deprecate_at": {"type": "str", "default": ""},
            "region": {"type": "str", "required": True},
            "endpoint_url": {"type": "str"},
        },
        supports_check_mode=True,
    )
    params = module.params
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client("ec2", region_name=params["region"], endpoint_url=params["endpoint_url"])
    when = params["deprecate_at"] or (datetime.now(UTC) + timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    try:
        images = (
            client.describe_images(ImageIds=params["image_ids"])["Images"]
            if params["image_ids"]
            else []
        )
        todo = sorted(image["ImageId"] for image in images if not image.get("DeprecationTime"))
        if not module.check_mode:
            for image_id in todo:
                client.enable_image_deprecation(ImageId=image_id, DeprecateAt=when)
    except (BotoCoreError, ClientError) as error:
        module.fail_json(
            msg=f"cannot deprecate {params['image_ids']} in {params['region']}: {error}"
        )
    module.exit_json(changed=bool(todo), deprecated=todo, deprecate_at=when)


if __name__ == "__main__":
    main()
