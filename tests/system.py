"""Tests that need a system package: skipped with a reason where it is missing, failed in CI.

    from system import require
    require("bubblewrap", "the sandbox tests")

The list of packages, and how each is found, is `scripts/system_packages.py`
(shared with `make setup` and `.ci/run`). Outside CI a missing package skips
the test with the reason "missing system package NAME: ..."; conftest.py sums
those skips up in one line at the end of the run, with the command that would
install them. Under CI=true nothing may be skipped: a missing package fails.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import system_packages  # noqa: E402

SKIP_PREFIX = "missing system package "
UNUSABLE_PREFIX = "unusable system package "


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(package: str, what: str, works: bool | None = None) -> None:
    """Skip (fail in CI) unless `package` is installed and, where given, `works` is true."""
    installed = system_packages.present(package)
    if installed and works is not False:
        return
    problem = "is not installed" if not installed else "is installed but does not work here"
    if in_ci():
        pytest.fail(f"{package} {problem}, but CI installs it: {what} cannot be tested",
                    pytrace=False)
    prefix = SKIP_PREFIX if not installed else UNUSABLE_PREFIX
    pytest.skip(f"{prefix}{package}: {what} not tested ({package} {problem})")
