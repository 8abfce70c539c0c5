"""The `betternets` command.

    betternets release [--course DIR]            lectures/ from solutions/ (nbgrader)
    betternets grade SUBMISSIONS --out CSV       grade a class; one row per student and test
        [--jobs N] [--scheduler ADDR] [--db-url URL] [--timeout S] [--show-hidden] [--force]
    betternets feedback --out DIR                HTML feedback per student of the last grading
    betternets site --out DIR                    static walkthrough site of the solved notebooks

release, grade, feedback and site are instructor commands: they need the
betternets-grader package (autograder/), which students do not get. Each works
on a course folder (the folder holding solutions/NN_topic.ipynb): `--root DIR`,
or else the working directory or its nearest parent holding solutions/. Its
nbgrader workspace is `--course DIR` (default: course/ in the course folder).
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


def _course(args):
    """(course folder, nbgrader workspace) of an instructor command: --root, else the folder
    found from the working directory (a ValueError "no course found", exit 2, where there is
    none); --course, else course/ in that folder."""
    _instructor()
    from betternets_grader.course import Course
    root = Course(args.root) if args.root else Course.find()
    course = getattr(args, "course", None)
    return root, Path(course) if course else root.workspace


def _progress(iterable, desc=""):
    from .progress import progress
    return progress(iterable, desc=desc, disable=False)


def cmd_release(args) -> int:
    _instructor()
    from betternets_grader.course import release
    root, workspace = _course(args)
    for path in release(root, course=workspace, progress=_progress):
        print(f"released {path}")
    return 0


def cmd_grade(args) -> int:
    _instructor()
    from betternets_grader.engine.judge import Settings
    from betternets_grader.grade import Run, grade, score_table
    settings = Settings(timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                        memory_mb=args.memory, output_bytes=args.output_bytes,
                        disk_mb=args.disk,
                        sandbox=not args.no_sandbox)
    run = Run()
    root, workspace = _course(args)
    report = Path(args.report) if args.report else workspace / "report.html"
    rows = grade(Path(args.submissions), Path(args.out), root, course=workspace,
                 progress=_progress, jobs=args.jobs, scheduler=args.scheduler,
                 db_url=args.db_url, settings=settings, show_hidden=args.show_hidden,
                 force=args.force, report=report, run_info=run)
    print(score_table(rows))
    print(f"{len(rows)} rows written to {args.out}; class report: {report}")
    print(f"{run.graded} notebooks graded, {run.reused} unchanged since the last run reused, "
          f"{run.seconds:.1f} s, " + ("sandboxed" if run.sandboxed else "UNSANDBOXED"))
    return 0


def cmd_feedback(args) -> int:
    _instructor()
    from betternets_grader.grade import feedback
    workspace = Path(args.course) if args.course else _course(args)[1]  # no course folder needed
    written = feedback(Path(args.out), course=workspace)
    print(f"{len(written)} feedback files written to {args.out}")
    return 0


def cmd_site(args) -> int:
    _instructor()
    from betternets_grader.site import build_site
    index = build_site(Path(args.out), root=_course(args)[0], progress=_progress)
    print(f"site written: open {index} in a browser")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="betternets", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    course = dict(default=None, metavar="DIR", help="nbgrader course directory to use "
                                                    "(default: course/ in the course folder)")
    root = dict(default=None, metavar="DIR", help="the course folder, holding solutions/ "
                "(default: the working directory or its nearest parent holding solutions/)")

    p = sub.add_parser("release", help="generate lectures/ from solutions/")
    p.add_argument("--root", **root)
    p.add_argument("--course", **course)
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("submissions", help="folder of <student>/<assignment>.ipynb")
    p.add_argument("--out", default="results.csv", help="CSV to write (default: results.csv)")
    p.add_argument("--root", **root)
    p.add_argument("--course", **course)
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: the number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask distributed scheduler to grade on instead")
    p.add_argument("--db-url", default=None,
                   help="nbgrader gradebook URL, e.g. postgresql://... (default: SQLite "
                        "gradebook.db in the course directory)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds per answer cell and per call (default: 30)")
    p.add_argument("--notebook-timeout", type=float, default=300.0,
                   help="seconds per submission notebook (default: 300)")
    p.add_argument("--memory", type=int, default=2048,
                   help="memory limit of a student's kernel and all its processes, in MB "
                        "(default: 2048)")
    p.add_argument("--disk", type=int, default=256,
                   help="size of a kernel's scratch folder and of its /tmp, in MB "
                        "(default: 256)")
    p.add_argument("--output-bytes", type=int, default=10_000,
                   help="output kept per cell (default: 10000 bytes)")
    p.add_argument("--show-hidden", action="store_true",
                   help="show hidden checks' messages and code in the feedback")
    p.add_argument("--force", action="store_true",
                   help="regrade everything, even notebooks unchanged since the last run")
    p.add_argument("--no-sandbox", action="store_true",
                   help="do not use bubblewrap (the report then says unsandboxed)")
    p.add_argument("--report", default=None,
                   help="class report HTML to write (default: COURSE/report.html)")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("feedback", help="write HTML feedback of the last grading")
    p.add_argument("--out", default="feedback", help="folder to write (default: feedback)")
    p.add_argument("--root", **root)
    p.add_argument("--course", **course)
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("site", help="build the static self-study site from the solved notebooks")
    p.add_argument("--out", default="site", help="folder to write (default: site)")
    p.add_argument("--root", **root)
    p.set_defaults(run=cmd_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError) as exc:
        print(f"betternets {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
