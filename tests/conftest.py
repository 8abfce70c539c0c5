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
    """One line naming what a missing (or unusable) system package left untested, and how
    to cover it."""
    from system import SKIP_PREFIX, UNUSABLE_PREFIX
    from system_packages import install_command
    counts: dict[str, dict[str, int]] = {SKIP_PREFIX: {}, UNUSABLE_PREFIX: {}}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for prefix, by_name in counts.items():
            if prefix in reason:
                name = reason.split(prefix, 1)[1].split(":", 1)[0]
                by_name[name] = by_name.get(name, 0) + 1

    def listed(by_name: dict[str, int]) -> str:
        return ", ".join(f"{n} ({k} test{'s' * (k > 1)})" for n, k in sorted(by_name.items()))

    parts = []
    if counts[SKIP_PREFIX]:
        parts.append(f"{listed(counts[SKIP_PREFIX])}; install with: "
                     f"{install_command(sorted(counts[SKIP_PREFIX]))} (or run `make setup` as "
                     "root), then `make test` again")
    if counts[UNUSABLE_PREFIX]:
        parts.append(f"installed but unusable here: {listed(counts[UNUSABLE_PREFIX])} (see the "
                     "skip reasons; `make test` starts PostgreSQL itself)")
    if parts:
        terminalreporter.write_line("NOT COVERED on this machine: " + "; ".join(parts))
