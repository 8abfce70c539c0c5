"""`betternets roster FILE`: students' names, emails and LMS ids into the nbgrader gradebook.

FILE is a CSV with a header naming its columns: `id` (the student's nbgrader id: the
submission folder's name, the hub's user name) and any of `first_name`, `last_name`,
`email`, `lms_user_id`. Each row goes through nbgrader's own
`Gradebook.update_or_create_student`, so formgrader, `nbgrader export` and
`betternets export` show the names and emails, and Canvas's `ID` column gets the
`lms_user_id`. An empty cell leaves what the gradebook holds; a student of the
gradebook missing from the file is kept. Ids are taken in Unicode NFC, as grading
takes folder names, so that a roster's spelling and a folder's are one student.
"""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from .export import open_gradebook

FIELDS = ("first_name", "last_name", "email", "lms_user_id")


def read_roster(path: Path) -> list[dict[str, str]]:
    """The rows of a roster CSV: {"id": ..., field: value for its non-empty fields}.
    ValueError names a missing `id` column, an empty id or a repeated one."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        if "id" not in header:
            raise ValueError(f"{path}: the roster needs an 'id' column (has: "
                             f"{', '.join(header) or 'no header'}); others: {', '.join(FIELDS)}")
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
            rows.append({"id": sid, **{f: row[f] for f in FIELDS if row.get(f)}})
    return rows


def load_roster(workspace: Path, path: Path) -> int:
    """Write every student of the roster at `path` into the gradebook of nbgrader
    `workspace` (created or updated); how many students."""
    rows = read_roster(path)
    with open_gradebook(workspace) as gb:
        for row in rows:
            gb.update_or_create_student(row["id"], **{f: row[f] for f in FIELDS if f in row})
    return len(rows)
