"""Text that leaves the grader, made safe: escaped, capped, written atomically; the CSV.

The CSV has one row per student and test cell (a `verdicts.Verdict`, its `FIELDS`).
Every text that reaches the CSV, the class report or the terminal goes through
`escape_controls` (no control character of a student's can move a cursor, ring,
erase or forge a line), reasons are capped at `MAX_REASON` characters, and the
CSV's text fields never start with `=`, `+`, `-` or `@` (a spreadsheet would take
them for a formula). Files are written atomically: a temporary file beside the
target, then a rename.
"""
from __future__ import annotations

import csv
import io
import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

from . import answers
from .verdicts import FIELDS, Verdict

MAX_REASON = 300


_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


@functools.lru_cache(maxsize=None)
def _controls(keep: str) -> re.Pattern:
    """The control characters (C0, DEL, C1, bidirectional marks and overrides, BOM) but `keep`."""
    but = f"(?![{re.escape(keep)}])" if keep else ""
    return re.compile(f"{but}[{_CONTROLS}]")


def _escaped(match: re.Match) -> str:
    ch = match.group()
    return _NAMED.get(ch, f"\\x{ord(ch):02x}") if ord(ch) < 256 else f"\\u{ord(ch):04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """Every control character (C0, DEL, C1, bidirectional overrides) written as an escape
    such as \\x1b, so that no text of a student's can move a terminal's cursor, ring,
    erase or reorder what is shown; characters in `keep` (e.g. newline) stay."""
    return _controls(keep).sub(_escaped, text)


def cap(text: str, limit: int = MAX_REASON) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def clean(text: str, limit: int = 10_000) -> str:
    """Captured output: colour codes removed, other control characters escaped, capped."""
    text = escape_controls(_ANSI.sub("", text or ""), keep="\n\t")
    data = text.encode("utf-8", "replace")
    if len(data) > limit:
        text = data[:limit].decode("utf-8", "ignore") + \
            f"\n... [output cut: {len(data) - limit} more bytes]"
    return text


def one_line(text: str, limit: int = 240) -> str:
    """One line of at most `limit` characters, control characters escaped."""
    line = escape_controls(" ".join(_ANSI.sub("", str(text)).split()))
    return line if len(line) <= limit else line[:limit - 3] + "..."


def csv_text(value) -> str:
    """A CSV text field: control characters escaped, a leading formula sign neutralised."""
    text = escape_controls(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def test_cells_of(assignment: str, solutions: Path) -> list[tuple[str, float]]:
    """(grade_id, points) of every test cell of an assignment's source notebook in `solutions`."""
    nb = answers.load(solutions / f"{assignment}.ipynb")
    return [(gid, pts) for gid, pts, _ in answers.test_cells(nb)]


def atomic_write(path: Path, data: bytes | str) -> None:
    """`data` into `path` through a temporary file and a rename: a reader sees the old
    file or the new one, never a part; a failure (a full disk) leaves no half file and
    raises OSError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def csv_bytes(rows: Iterable[Verdict]) -> bytes:
    """The CSV: a header of `FIELDS`, then one line per verdict."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        d = {k: getattr(row, k) for k in FIELDS}
        d["reason"] = cap(escape_controls(str(d["reason"])))
        for k in ("student", "assignment", "grade_id", "status", "reason"):
            d[k] = csv_text(d[k])
        writer.writerow(d)
    return buf.getvalue().encode("utf-8")


def write_csv(rows: Iterable[Verdict], out_csv: Path) -> None:
    atomic_write(Path(out_csv), csv_bytes(rows))
