"""The `betternets` command.

    betternets release [--root DIR] [--course DIR]   lectures/ from solutions/ (nbgrader)
    betternets grade SUBMISSIONS --out CSV       grade a class; one row per student and test
        [--jobs N] [--scheduler ADDR] [--db-url URL] [--timeout S] [--show-hidden] [--force]
    betternets feedback --out DIR                HTML feedback per student of the last grading
    betternets export --format canvas|moodle|csv --out FILE   the gradebook's scores for an LMS
    betternets roster FILE                       students' names/emails/LMS ids into the gradebook
    betternets similarity [SUBMISSIONS]          pairs of submissions with unusually similar answers
    betternets site --out DIR                    static walkthrough site of the solved notebooks

These are instructor commands: they need the betternets-grader package
(autograder/), which students do not get. Each is parsed and run by the
grader's command line (`betternets grade ...` is `betternets-grader grade ...`),
so `betternets grade --help` lists every option with its default. Each works
on a course folder (the folder holding solutions/NN_topic.ipynb): `--root DIR`,
or else the working directory or its nearest parent holding solutions/. Its
nbgrader workspace is `--course DIR` (default: course/ in the course folder).
"""
from __future__ import annotations

import argparse
import sys

COMMANDS = {"release": "generate lectures/ from solutions/",
            "grade": "grade a folder of submissions",
            "feedback": "write HTML feedback of the last grading",
            "export": "write the gradebook's scores as a file an LMS imports",
            "roster": "students' names, emails and LMS ids into the gradebook",
            "similarity": "pairs of submissions with unusually similar answers",
            "site": "build the static self-study site from the solved notebooks"}


def _instructor():
    try:
        import betternets_grader  # noqa: F401
    except ImportError:
        sys.exit("betternets: this is an instructor command; install the grader first:\n"
                 "    pip install -e autograder")


def _forward(argv: list[str]) -> int:
    """An instructor command, handed to the grader's command line."""
    _instructor()
    from betternets_grader.cli import main as grader_main
    return grader_main(argv, prog="betternets")


def build_parser() -> argparse.ArgumentParser:
    """The commands, for `betternets --help` (each one's options are the grader's)."""
    parser = argparse.ArgumentParser(prog="betternets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in COMMANDS.items():
        sub.add_parser(name, help=what, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] and argv[0] in COMMANDS:
        return _forward(argv)
    build_parser().parse_args(argv)   # --help, or an error for anything else
    return 2


if __name__ == "__main__":
    sys.exit(main())
