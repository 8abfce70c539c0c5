"""`betternets roster FILE`: students' names, emails and LMS ids into the nbgrader gradebook.

FILE is a CSV with a header naming its columns: `id` (the student's nbgrader id: the
submission folder's name, the hub's user name) and any of `first_name`, `last_name`,
`email`, `lms_user_id`, `section`, `sis_user_id`. The first four go through nbgrader's
own `Gradebook.update_or_create_student`, so formgrader, `nbgrader export` and
`betternets export` show the names and emails, and Canvas's `ID` column gets the
`lms_user_id`. nbgrader's gradebook has no place for a section or an institution's
(SIS) id, so those two are kept beside it, in betternets' own
`<course>/betternets/roster.json`, which lasts from run to run and fills the Canvas
export's `Section` and `SIS User ID` columns. An empty cell leaves what is kept; a
student missing from the file is kept. Ids are taken in Unicode NFC, as grading
takes folder names, so that a roster's spelling and a folder's are one student.
"""
from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

from .course import open_gradebook
from .rows import atomic_write

FIELDS = ("first_name", "last_name", "email", "lms_user_id")     # the gradebook's
KEPT_BESIDE = ("section", "sis_user_id")                          # roster.json's


def read_roster(path: Path) -> list[dict[str, str]]:
    """The rows of a roster CSV: {"id": ..., field: value for its non-empty fields}.
    ValueError names a missing `id` column, an empty id or a repeated one."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        if "id" not in header:
            raise ValueError(f"{path}: the roster needs an 'id' column (has: "
                             f"{', '.join(header) or 'no header'}); others: "
                             f"{', '.join(FIELDS + KEPT_BESIDE)}")
        rows, seen = [], set()
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()
                   if isinstance(v, str)}
            sid = unicodedata.normalize("NFC", row.get("id", ""))
            if not sid:
                raise ValueError(f"{path}, line {line}: empty id")
            if sid in seen:
                raise ValueError(f"{path}, line {line}: id {sid!r} appears twice")
            seen.add(sid)
            rows.append({"id": sid, **{f: row[f] for f in FIELDS + KEPT_BESIDE if row.get(f)}})
    return rows


def load_roster(workspace: Path, path: Path) -> int:
    """Write every student of the roster at `path` into the gradebook of nbgrader
    `workspace` (created or updated); how many students."""
    rows = read_roster(path)
    with open_gradebook(workspace) as gb:
        for row in rows:
            gb.update_or_create_student(row["id"], **{f: row[f] for f in FIELDS if f in row})
    kept = kept_beside(workspace)
    for row in rows:
        extra = {f: row[f] for f in KEPT_BESIDE if f in row}
        if extra:
            kept[row["id"]] = {**kept.get(row["id"], {}), **extra}
    if kept:
        atomic_write(_kept_path(workspace), json.dumps(kept, indent=1, sort_keys=True))
    return len(rows)


def _kept_path(workspace: Path) -> Path:
    return Path(workspace) / "betternets" / "roster.json"


def kept_beside(workspace: Path) -> dict[str, dict[str, str]]:
    """{student id: {"section": ..., "sis_user_id": ...}} as rosters left them; {} where
    none did (or the file is not one of ours)."""
    try:
        data = json.loads(_kept_path(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): {f: str(v[f]) for f in KEPT_BESIDE if isinstance(v, dict) and f in v}
            for k, v in data.items()}
