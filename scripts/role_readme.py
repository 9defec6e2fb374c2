"""Write each role's README.md from its meta/argument_specs.yml and a tested playbook.

Usage: python scripts/role_readme.py [--check]
--check exits 1 when a README differs from what would be written (tests/test_roles.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Each role's example is a playbook that a Molecule scenario converges.
EXAMPLES = {"nvidia_driver": "molecule/nvidia_dkms/converge.yml"}
DEFAULT_EXAMPLE = "playbooks/site.yml"
REQUIREMENTS = {
    "ca_certificates": "Ubuntu 22.04 or 24.04.",
    "python": "Ubuntu 22.04 or 24.04; network access to Ubuntu's archive and PyPI (or a mirror).",
    "ml_stack": (
        "The python role first (or ml_stack_python and ml_stack_uv set); about 8 GB of disk."
    ),
    "ml_code": "The ml_stack role first; uv on the controller for ml_code_source: repo.",
    "nvidia_driver": (
        "Ubuntu 22.04 or 24.04 with a kernel installed (or nvidia_driver_kernel_packages). "
        "The grid method needs boto3 and AWS credentials on the controller."
    ),
    "image_hygiene": "Run it last, right before the host becomes an image.",
}


def render(role: str) -> str:
    spec = yaml.safe_load((ROOT / "roles" / role / "meta/argument_specs.yml").read_text())
    main = spec["argument_specs"]["main"]
    lines = [f"# powernowcast.mlhost.{role}", "", main["short_description"] + ".", ""]
    lines += [" ".join(paragraph.split()) + "\n" for paragraph in main.get("description", [])]
    lines += ["## Requirements", "", REQUIREMENTS[role], "", "## Role Variables", ""]
    lines += [
        "Generated from `meta/argument_specs.yml`; `ansible-doc -t role "
        f"powernowcast.mlhost.{role}` prints the same.",
        "",
    ]
    for name, option in main["options"].items():
        kind = option["type"] + (f" of {option['elements']}" if "elements" in option else "")
        choices = (
            f" One of: {', '.join(map(str, option['choices']))}." if "choices" in option else ""
        )
        default = yaml.safe_dump({name: option.get("default")}, default_flow_style=False).strip()
        lines += ["```yaml", default, "```", "", f"{option['description']} ({kind}){choices}", ""]
    example = EXAMPLES.get(role, DEFAULT_EXAMPLE)
    lines += [
        "## Dependencies",
        "",
        "None. The collections it uses are listed in the collection's `galaxy.yml`.",
        "",
        "## Example Playbook",
        "",
        f"From `{example}`, which a Molecule scenario converges on every test run:",
        "",
        "```yaml",
        (ROOT / example).read_text().rstrip(),
        "```",
        "",
        "## License",
        "",
        "Apache-2.0",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for role in sorted(path.name for path in (ROOT / "roles").iterdir()):
        readme = ROOT / "roles" / role / "README.md"
        text = render(role)
        if check:
            if not readme.exists() or readme.read_text() != text:
                stale.append(str(readme.relative_to(ROOT)))
        else:
            readme.write_text(text)
    if stale:
        print("out of date (run python scripts/role_readme.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
