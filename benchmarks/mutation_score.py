"""Mutation score of the hidden checks: every single-point mutant of every solution region,
graded through the real engine (`betternets-grader mutants`), one table row per notebook.

    .venv/bin/python benchmarks/mutation_score.py [--jobs N] [--cache DIR] [NAME ...]
    .venv/bin/python benchmarks/mutation_score.py --smoke      # 3 mutants of notebook 00, fresh cache

The run is resumable: graded mutants are kept in the cache (default build/mutants-cache/),
keyed by the mutant's source and a hash of the checks that judge it, so a rerun grades only
what changed. The last line is the wall time. The exit status is 1 when a mutant that is not
in a reviewed allowlist (autograder/betternets_grader/hidden/equivalent/) survives.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from betternets_grader import mutants
from betternets_grader.course import Course

COURSE = Course(Path(__file__).resolve().parents[1])   # this checkout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("names", nargs="*", help="notebooks (prefixes such as 03); default all")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--cache", default=str(mutants.DEFAULT_CACHE))
    p.add_argument("--smoke", action="store_true",
                   help="a quick run: 3 mutants of notebook 00 in a fresh cache")
    args = p.parse_args(argv)
    names = [n for n in COURSE.assignments() if not args.names or any(n.startswith(x) for x in args.names)]
    sample = None
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(args.cache)
        if args.smoke:
            names, sample, cache = names[:1], 3, Path(scratch)
        t0 = time.monotonic()
        rows = [(name, mutants.run(COURSE, name, jobs=args.jobs, cache=cache, sample=sample))
                for name in names]
        seconds = time.monotonic() - t0
    print(mutants.table(rows, first="notebook"))
    for name, verdicts in rows:
        for v in verdicts:
            if v.outcome == "survived":
                print(f"\nSURVIVED {name} {v.exercise} [{v.operator}]\n{v.diff}")
    print(f"wall time {seconds:.1f} s with --jobs {args.jobs}")
    return 1 if any(v.outcome == "survived" for _, vs in rows for v in vs) else 0


if __name__ == "__main__":
    sys.exit(main())
