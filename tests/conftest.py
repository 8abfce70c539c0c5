import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")
os.environ.setdefault("BETTERNETS_STATIC", "1")


@pytest.hookimpl(trylast=True)  # after pytest's own summary, just before its closing count
def pytest_terminal_summary(terminalreporter):
    """One line naming what a missing system package left untested, and how to install it."""
    from system import SKIP_PREFIX
    from system_packages import install_command
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if SKIP_PREFIX in reason:
            name = reason.split(SKIP_PREFIX, 1)[1].split(":", 1)[0]
            counts[name] = counts.get(name, 0) + 1
    if counts:
        what = ", ".join(f"{n} ({k} test{'s' * (k > 1)})" for n, k in sorted(counts.items()))
        terminalreporter.write_line(
            f"NOT COVERED on this machine: {what}; install with: {install_command(sorted(counts))}"
            " (or run `make setup` as root), then `make test` again")
