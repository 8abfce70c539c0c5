"""When a submission came in, how late it was, and the penalty the course's late policy gives.

The time is nbgrader's: `timestamp.txt` beside the notebook in the submitted/ layout
(`<student>/<assignment>/timestamp.txt`, written by `nbgrader submit` and kept by
`nbgrader collect`), parsed by nbgrader's own `nbgrader.utils.parse_utc` (a naive time is
UTC; "2026-12-01 17:00:00.5 Europe/Berlin" and ISO offsets are converted to UTC), as
`CourseDirectory.get_existing_timestamp` does. The due date is the gradebook's: the
assignment's `duedate` (`nbgrader db assignment add NAME --duedate=...`, or `betternets grade
--duedate NAME=WHEN`) plus the student's extension; seconds late is nbgrader's
`SubmittedAssignment.total_seconds_late`, max(0, timestamp - (duedate + extension)).

The penalty is the course's late policy, the one stock `nbgrader autograde` applies: the
plug-in `c.AssignLatePenalties.plugin_class` (nbgrader's `LateSubmissionPlugin`, methods
`none` and `zero`, or `nbgrader_ext.LatePenalty`) is asked with the notebook's score, and
its answer is clamped to [0, score] as `AssignLatePenalties` does, then stored in
`SubmittedNotebook.late_submission_penalty` (by `gradebook.Writer`), where `nbgrader export`
and the feedback's GetGrades read it. Only the parsing and the policy are nbgrader's; the
text a person reads (`Lateness.describe`) is written here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from betternets.checks.status import Status

from .rows import one_line
from .submissions import Submission, read_notebook
from .verdicts import Verdict

TIMESTAMP = "timestamp.txt"              # nbgrader's name for a submission's time
SECRET = "submission_secret.txt"         # nbgrader's key to a submission's released feedback
SIDE_FILES = (TIMESTAMP, SECRET)         # the files nbgrader keeps beside a submission
PENALTY_ID = "late_penalty"              # grade_id of a late notebook's extra CSV row
MAX_TIMESTAMP_BYTES = 1024


def submission_folder(sub: Submission) -> Path | None:
    """The folder of `sub` in nbgrader's submitted/ layout (`<student>/<assignment>/`), where
    its timestamp.txt lives; None for a flat `<student>/<assignment>.ipynb`."""
    return sub.path.parent if sub.path.parent.name == sub.assignment else None


def read_timestamp(folder: Path | None) -> tuple[datetime | None, str]:
    """(UTC time, '') of `folder/timestamp.txt` by nbgrader's rules; (None, why) when there is
    none, it is empty or cannot be parsed. Read as a submission file is (no link followed,
    never blocking, at most 1 KiB), since the student's side wrote it."""
    if folder is None:
        return None, ""
    path = folder / TIMESTAMP
    try:
        text = read_notebook(path, limit=MAX_TIMESTAMP_BYTES).decode("utf-8", "replace").strip()
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"{path} cannot be read ({exc.strerror or exc}): its time is unknown"
    if not text:
        return None, f"{path} is empty: its time is unknown"
    from nbgrader.utils import parse_utc
    try:
        return parse_utc(text), ""
    except (ValueError, OverflowError, TypeError):
        return None, f"{path} holds no time nbgrader can read ({one_line(text, 60)!r})"


def duration(seconds: float) -> str:
    """'2 days 0 h', '5 h 12 min', '3 min 20 s': how late, for a person."""
    s = int(round(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' * (days != 1)} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s"


def _points(x: float) -> str:
    return f"{x:g} point{'s' * (x != 1)}"


@dataclass(frozen=True)
class Lateness:
    """One submission's time against its due date, and the penalty in points (clamped)."""
    student: str
    assignment: str
    submitted: datetime | None        # UTC, naive (nbgrader's convention)
    due: datetime | None              # UTC, the assignment's due date plus any extension
    seconds_late: float = 0.0
    penalty: float = 0.0              # points taken off, in [0, score]
    policy: str = ""                  # the late policy, in words
    problem: str = ""                 # why the time is unknown (an unreadable timestamp.txt)

    @property
    def late(self) -> bool:
        return self.seconds_late > 0

    def describe(self) -> str:
        """'submitted 2 days 0 h late (due ..., submitted ...): penalty 6 points, <policy>'."""
        return (f"submitted {duration(self.seconds_late)} late (due {self.due:%Y-%m-%d %H:%M:%S} "
                f"UTC, submitted {self.submitted:%Y-%m-%d %H:%M:%S} UTC): penalty "
                f"{_points(self.penalty)}, {self.policy}")

    def row(self) -> Verdict | None:
        """The CSV row of a late notebook (score -penalty, max 0, status `late`); None on time."""
        if not self.late:
            return None
        return Verdict(self.student, self.assignment, PENALTY_ID,
                       -self.penalty if self.penalty else 0.0, 0.0, Status.LATE, self.describe())


def late_policy(config):
    """The course's late-penalty plug-in, configured as `nbgrader autograde` configures it
    (`AssignLatePenalties.plugin_class` and the plug-in's own settings from `config`)."""
    from nbgrader.preprocessors import AssignLatePenalties
    assigner = AssignLatePenalties(config=config)
    assigner.log.setLevel(logging.ERROR)
    assigner.init_plugin()
    plugin = assigner.plugin_inst
    plugin.log.setLevel(logging.ERROR)   # nbgrader's plug-ins log each call at info level
    return plugin


def policy_text(plugin) -> str:
    """The late policy in words: the plug-in's own `describe()`, or its class and method."""
    if hasattr(plugin, "describe"):
        return plugin.describe()
    method = getattr(plugin, "penalty_method", None)
    name = type(plugin).__name__
    return f"late policy {name}" + (f" penalty_method {method!r}" if method else "")


def penalty(plugin, student: str, score: float, seconds_late: float) -> float | None:
    """The plug-in's penalty for a notebook scoring `score`, `seconds_late` late, clamped to
    [0, score] as nbgrader's AssignLatePenalties does; None (what nbgrader stores) when on
    time or when the plug-in gives none."""
    if seconds_late <= 0:
        return None
    given = plugin.late_submission_penalty(student, score, seconds_late)
    if given is None:
        return None
    return float(min(max(float(given), 0.0), score))


def parse_duedates(specs: dict[str, str | datetime], assignments: list[str]) -> dict[str, datetime]:
    """{assignment: UTC due date} from `NAME: WHEN` pairs (`--duedate NAME=WHEN`), WHEN read by
    nbgrader's parse_utc as `nbgrader db assignment add --duedate` reads it (naive means
    UTC); a ValueError naming the pair for an unknown assignment or an unreadable time."""
    from nbgrader.utils import parse_utc
    due = {}
    for name, when in specs.items():
        if name not in assignments:
            raise ValueError(f"--duedate {name}=...: {name} is not a notebook of this course "
                             f"(one of: {', '.join(assignments)})")
        try:
            due[name] = parse_utc(when)
        except (ValueError, OverflowError, TypeError) as exc:
            raise ValueError(f"--duedate {name}={when}: not a time nbgrader reads "
                             f"(e.g. 2026-12-01 17:00:00 Europe/Berlin): {exc}") from None
    return due


def record_duedates(api, due: dict[str, datetime]) -> None:
    """Each assignment's due date in the gradebook, where `nbgrader db assignment add
    --duedate` puts it (formgrader shows it; later runs and stock nbgrader use it)."""
    if not due:
        return
    from nbgrader.api import Gradebook
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for name, when in due.items():
            gb.update_or_create_assignment(name, duedate=when)
