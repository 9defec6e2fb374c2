"""The hosts' lock: hash-pinned, valid for every supported Python, the original pins kept."""

from __future__ import annotations

import re

from .conftest import ROOT

ORIGINAL = {
    "xgboost": "3.0.4",
    "mlflow": "3.3.2",
    "fastapi": "0.116.1",
    "torch": "2.8.0",
    "pandas": "2.3.2",
    "numpy": "2.3.2",
    "scikit-learn": "1.7.1",
}


def _entries(path):
    text = (ROOT / path).read_text().replace("\\\n", " ")
    return [line for line in text.splitlines() if line and not line.startswith(("#", " "))]


def test_every_requirement_is_pinned_with_hashes():
    entries = _entries("requirements.txt")
    assert len(entries) > 90
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9._-]+==[^ ;]+", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_original_pins_are_in_the_lock():
    pins = dict(
        re.match(r"^([a-z0-9-]+)==([^ ;]+)", e).groups() for e in _entries("requirements.txt")
    )
    for name, version in ORIGINAL.items():
        assert pins.get(name) == version, name
        assert f"{name}=={version}" in (ROOT / "requirements.in").read_text()


def test_lock_covers_python_311_and_312():
    """Packages that differ by Python version are locked for both (uv's universal lock)."""
    text = (ROOT / "requirements.txt").read_text()
    assert "python_full_version < '3.12'" in text or "python_full_version >= '3.12'" in text
    header = text.splitlines()[1]
    assert "make lock" in header
    assert "--python-version 3.11" in (ROOT / "Makefile").read_text()
