"""The `betternets` command.

    betternets release [--course DIR]            lectures/ from solutions/ (nbgrader)
    betternets grade SUBMISSIONS --out CSV       grade a class; one row per student and test
    betternets feedback --out DIR                HTML feedback per student of the last grading
    betternets site --out DIR                    static walkthrough site of the solved notebooks

release, grade and feedback are instructor commands: they need the
betternets-grader package (autograder/), which students do not get.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _instructor():
    try:
        import betternets_grader  # noqa: F401
    except ImportError:
        sys.exit("betternets: this is an instructor command; install the grader first:\n"
                 "    pip install -e autograder")


def _progress(iterable, desc=""):
    from .progress import progress
    return progress(iterable, desc=desc, disable=False)


def cmd_release(args) -> int:
    _instructor()
    from betternets_grader.course import release
    for path in release(course=Path(args.course), progress=_progress):
        print(f"released {path}")
    return 0


def cmd_grade(args) -> int:
    _instructor()
    from betternets_grader.grade import grade, score_table
    rows = grade(Path(args.submissions), Path(args.out), course=Path(args.course),
                 progress=_progress)
    print(score_table(rows))
    print(f"{len(rows)} rows written to {args.out}")
    return 0


def cmd_feedback(args) -> int:
    _instructor()
    from betternets_grader.grade import feedback
    written = feedback(Path(args.out), course=Path(args.course))
    print(f"{len(written)} feedback files written to {args.out}")
    return 0


def cmd_site(args) -> int:
    _instructor()
    from betternets_grader.site import build_site
    index = build_site(Path(args.out), progress=_progress)
    print(f"site written: open {index} in a browser")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="betternets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    course = dict(default="course", help="nbgrader course directory to use (default: course)")

    p = sub.add_parser("release", help="generate lectures/ from solutions/")
    p.add_argument("--course", **course)
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("submissions", help="folder of <student>/<assignment>.ipynb")
    p.add_argument("--out", default="results.csv", help="CSV to write (default: results.csv)")
    p.add_argument("--course", **course)
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("feedback", help="write HTML feedback of the last grading")
    p.add_argument("--out", default="feedback", help="folder to write (default: feedback)")
    p.add_argument("--course", **course)
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("site", help="build the static self-study site from the solved notebooks")
    p.add_argument("--out", default="site", help="folder to write (default: site)")
    p.set_defaults(run=cmd_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"betternets {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
