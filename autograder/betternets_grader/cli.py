"""The instructor commands: `betternets-grader`, and `betternets`, which forwards them here.

    release [--root DIR] [--course DIR]         lectures/ from solutions/ (nbgrader)
    grade SUBMISSIONS --out CSV                 grade a class; one row per student and test cell
        [--jobs N] [--scheduler ADDR] [--db-url URL] [--timeout S] [--show-hidden] [--force]
        [--similarity-threshold X|off]
        [--duedate NAME=WHEN ...]
    feedback --out DIR                          HTML feedback per student of the last grading
    export --format canvas|moodle|csv --out FILE   the gradebook's scores for an LMS
    roster FILE                                 students' names/emails/LMS ids into the gradebook
    similarity [SUBMISSIONS] [--threshold X] [--out CSV]   pairs of unusually similar answers
    site --out DIR                              static walkthrough site of the solved notebooks
    mutants NOTEBOOK [--exercise NAME] [--jobs N]   mutation score of the checks

Each works on a course folder (the folder holding solutions/NN_topic.ipynb):
`--root DIR`, or else the working directory or its nearest parent holding
solutions/. Its nbgrader workspace is `--course DIR` (default: course/ in the
course folder). The limits of `grade` (time, memory, disk, output) take their defaults from
`engine.settings.Settings`, which takes them from the kernel's `Limits`.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from .engine.settings import Settings
from .export import FORMATS
from .similarity import DEFAULT_THRESHOLD


def counted(n: int, noun: str) -> str:
    """'1 pair', '2 pairs': a count and its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _progress(iterable, desc=""):
    from betternets.progress import progress
    return progress(iterable, desc=desc, disable=False)


# ---------------------------------------------------------------- options

def add_course_options(p: argparse.ArgumentParser, course_dir: bool = True) -> None:
    """The options every course command (release, grade, feedback, site) shares: an option
    they all take is declared here, once. `course_dir`: the command uses the nbgrader
    workspace."""
    p.add_argument("--root", default=None, metavar="DIR",
                   help="the course folder, holding solutions/ (default: the working "
                        "directory or its nearest parent holding solutions/)")
    if course_dir:
        p.add_argument("--course", default=None, metavar="DIR",
                       help="nbgrader workspace to use (default: course/ in the course folder)")


def course_of(args: argparse.Namespace):
    """(course folder, nbgrader workspace): --root, else the folder found from the working
    directory (a ValueError "no course found", exit 2, where there is none); --course,
    else course/ in that folder."""
    from .course import Course
    root = Course(args.root) if args.root else Course.find()
    course = getattr(args, "course", None)
    return root, Path(course) if course else root.workspace


def add_settings_options(p: argparse.ArgumentParser) -> None:
    """One option per field of `Settings`, its default and help taken from the field."""
    for f in fields(Settings):
        flag = f.metadata.get("flag") or "--" + f.name.replace("_", "-")
        if isinstance(f.default, bool):   # on by default: the option turns it off
            p.add_argument("--no-" + flag[2:], dest=f.name, action="store_false",
                           default=f.default, help=f"do not {f.metadata['help']}")
        else:
            p.add_argument(flag, dest=f.name, type=type(f.default), default=f.default,
                           metavar=f.metadata["metavar"] or None,
                           help=f"{f.metadata['help']} (default: %(default)s)")


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings(**{f.name: getattr(args, f.name) for f in fields(Settings)})


def _duedate(text: str) -> tuple[str, str]:
    """NAME=WHEN of `--duedate`, split (the time is read by nbgrader's parser later)."""
    name, sep, when = text.partition("=")
    if not sep or not name.strip() or not when.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=WHEN")
    return name.strip(), when.strip()


# ---------------------------------------------------------------- commands

def cmd_release(args) -> int:
    from .course import release
    from .provenance import header
    root, workspace = course_of(args)
    print(header("released"))
    for path in release(root, course=workspace, progress=_progress):
        print(f"released {path}")
    return 0


def cmd_grade(args) -> int:
    from .feedback import score_table
    from .grade import GradeOptions, grade
    root, workspace = course_of(args)
    report = Path(args.report) if args.report else workspace / "report.html"
    options = GradeOptions(course=workspace, jobs=args.jobs, scheduler=args.scheduler,
                           db_url=args.db_url, settings=settings_of(args),
                           show_hidden=args.show_hidden, force=args.force, report=report,
                           similarity_threshold=args.similarity_threshold,
                           duedates=dict(args.duedate))
    run = grade(Path(args.submissions), Path(args.out), root, options, progress=_progress)
    rows = run.csv_rows
    print(score_table(rows))
    print(f"{len(rows)} rows written to {args.out}; class report: {report}")
    print(f"{run.graded} notebooks graded, {run.reused} unchanged since the last run reused, "
          f"{run.seconds:.1f} s, " + ("sandboxed" if run.sandboxed else "UNSANDBOXED"))
    if run.similar_pairs:
        print(f"{counted(len(run.similar_pairs), 'pair')} of submissions with unusually "
              "similar answers: see the class report")
    return 0


def cmd_feedback(args) -> int:
    from .feedback import feedback
    workspace = Path(args.course) if args.course else course_of(args)[1]  # no course folder needed
    written = feedback(Path(args.out), course=workspace)
    print(f"{counted(len(written), 'feedback file')} written to {args.out}")
    return 0


def cmd_export(args) -> int:
    from .export import export
    grades = export(course_of(args)[1], args.format, Path(args.out))
    print(f"{counted(len(grades.students), 'student')}, "
          f"{counted(len(grades.assignments), 'assignment')} written to {args.out} ({args.format})")
    return 0


def cmd_roster(args) -> int:
    from .course import prepare_course
    from .roster import load_roster
    root, workspace = course_of(args)
    if not (workspace / "nbgrader_config.py").is_file():
        prepare_course(workspace, root)
    n = load_roster(workspace, Path(args.file))
    print(f"{n} students written to the gradebook of {workspace}")
    return 0


def cmd_similarity(args) -> int:
    from .rows import atomic_write, escape_controls
    from .similarity import class_submissions, pairs_csv, similar_pairs
    root, workspace = course_of(args)
    folder = Path(args.submissions) if args.submissions else workspace / "submitted"
    pairs = similar_pairs(class_submissions(folder, root), args.threshold)
    for p in pairs:
        print(escape_controls(f"{100 * p.score:3.0f}%  {p.first} and {p.second}  {p.assignment}: "
                              + ", ".join(g for g, _ in p.exercises[:8])))
    print(f"{len(pairs)} pairs at or above {100 * args.threshold:.0f}% similarity")
    if args.out:
        atomic_write(Path(args.out), pairs_csv(pairs))
        print(f"written to {args.out}")
    return 0


def _threshold(text: str) -> float | None:
    """A similarity threshold in [0, 1], or None for 'off'."""
    if text.lower() in ("off", "none"):
        return None
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a threshold is between 0 and 1")
    return value


def cmd_site(args) -> int:
    from .site import build_site
    index = build_site(Path(args.out), root=course_of(args)[0], progress=_progress)
    print(f"site written: open {index} in a browser")
    return 0


def build_parser(prog: str = "betternets-grader") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="generate lectures/ from solutions/")
    add_course_options(p)
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("submissions", help="folder of <student>/<assignment>.ipynb")
    p.add_argument("--out", default="results.csv", help="CSV to write (default: %(default)s)")
    add_course_options(p)
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: the number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask distributed scheduler to grade on instead")
    p.add_argument("--db-url", default=None,
                   help="nbgrader gradebook URL, e.g. postgresql://... (default: SQLite "
                        "gradebook.db in the course directory)")
    add_settings_options(p)
    p.add_argument("--show-hidden", action="store_true",
                   help="show hidden checks' messages and code in the feedback")
    p.add_argument("--force", action="store_true",
                   help="regrade everything, even notebooks unchanged since the last run")
    p.add_argument("--report", default=None,
                   help="class report HTML to write (default: report.html in the workspace)")
    p.add_argument("--similarity-threshold", type=_threshold, default=DEFAULT_THRESHOLD,
                   metavar="X", help="list in the class report the pairs of submissions whose "
                   "answers are at least this similar, 0..1, or 'off' (default: %(default)s)")
    p.add_argument("--duedate", action="append", default=[], type=_duedate,
                   metavar="NAME=WHEN",
                   help="record NAME's due date in the gradebook, as `nbgrader db assignment "
                        "add NAME --duedate WHEN` does (WHEN e.g. '2026-12-01 17:00:00 "
                        "Europe/Berlin'; no zone: UTC); repeat for each assignment. Lateness "
                        "comes from each submission's timestamp.txt; the penalty from the "
                        "course's c.AssignLatePenalties.plugin_class")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("feedback", help="write HTML feedback of the last grading")
    p.add_argument("--out", default="feedback", help="folder to write (default: %(default)s)")
    add_course_options(p)
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("export", help="write the gradebook's scores as a file an LMS imports")
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="canvas (gradebook CSV), moodle (grade import CSV) or csv")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    add_course_options(p)
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("roster", help="students' names, emails and LMS ids into the gradebook")
    p.add_argument("file", metavar="FILE",
                   help="CSV with columns id[,first_name,last_name,email,lms_user_id]")
    add_course_options(p)
    p.set_defaults(run=cmd_roster)

    p = sub.add_parser("similarity", help="pairs of submissions with unusually similar answers")
    p.add_argument("submissions", nargs="?", default=None,
                   help="folder of submissions (default: submitted/ of the nbgrader workspace)")
    p.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD, metavar="X",
                   help="list pairs at least this similar, 0..1 (default: %(default)s)")
    p.add_argument("--out", default=None, metavar="CSV", help="also write the pairs as CSV")
    add_course_options(p)
    p.set_defaults(run=cmd_similarity)

    p = sub.add_parser("site", help="build the static self-study site from the solved notebooks")
    p.add_argument("--out", default="site", help="folder to write (default: %(default)s)")
    add_course_options(p, course_dir=False)
    p.set_defaults(run=cmd_site)

    sub.add_parser("mutants", add_help=False,
                   help="mutation score of the checks (mutants --help: its options)")
    return parser


def main(argv: list[str] | None = None, prog: str = "betternets-grader") -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["mutants"]:   # its own parser
        from .mutants import main as mutants
        return mutants(argv[1:])
    args = build_parser(prog).parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError) as exc:
        print(f"{prog} {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
