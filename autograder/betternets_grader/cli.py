"""The `betternets-grader` command: instructor tools of the grader package.

    betternets-grader mutants NOTEBOOK [--exercise NAME] [--jobs N]   mutation score of the checks
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or argv[0] != "mutants":
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    from .mutants import main as mutants
    return mutants(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
