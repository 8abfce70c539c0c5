"""Finding students' notebooks in a submissions folder.

Two layouts are accepted, and may be mixed:

    SUBMISSIONS/<student>/<assignment>.ipynb                  (a plain folder per student)
    SUBMISSIONS/<student>/<assignment>/<assignment>.ipynb     (nbgrader's submitted/ layout)

An nbgrader course directory may be given instead: only its `submitted/` folder is
graded. It is recognised by nbgrader's files (nbgrader_config.py, gradebook.db) or by
`submitted/` beside nbgrader's own folders (source/, release/, autograded/, feedback/),
which are never students. A plain folder with `submitted/` in it is decided from the
class as a whole (no folder beside `submitted/` holds students' notebooks), never from
one student's folder name, so a student called "submitted" is just a student.

Only regular files are graded, and only inside student folders that are real
folders: symbolic links (to the solution, to another student's notebook or folder),
FIFOs, devices and sockets are skipped, and every
skipped entry is reported with the reason. A file is read without following links
and without blocking, and only up to `MAX_BYTES`. Student names are the folder
names as valid text in Unicode NFC, so that two spellings of one name are one student;
when several folders spell one name, `_spellings` decides which is graded and reports the
others.
"""
from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .texts import valid_name, valid_text

MAX_BYTES = 64 * 1024 * 1024      # the largest notebook read
MAX_DEPTH = 4                     # folders searched below a student's folder


@dataclass(frozen=True)
class Submission:
    """`note`: what the instructor must know of how its folder became this student (a name
    not in UTF-8, another spelling of the name not graded); said in the CSV's reasons."""
    student: str
    assignment: str
    path: Path
    note: str = ""


@dataclass(frozen=True)
class Stray:
    """An entry that looks like a submission but is not one we can grade (`graded`: a
    folder that was graded, with something the instructor must know of its name)."""
    student: str
    path: Path
    reason: str
    graded: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", valid_text(self.reason))

    @property
    def shown(self) -> str:
        """The entry's path as valid text (a folder's name may not be UTF-8)."""
        return valid_text(str(self.path))

    @property
    def verb(self) -> str:
        return "noted" if self.graded else "skipped"


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISREG, "a file")):
        if test(mode):
            return word
    return "not a regular file"


def refusal(path: Path) -> str:
    """'' if `path` is a regular file we may read as a submission, else why not."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return f"{_kind(st.st_mode)}, not a regular file: not graded"
    if st.st_size > MAX_BYTES:
        return f"larger than {MAX_BYTES // 2 ** 20} MB: not graded"
    return ""


def read_notebook(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a submission: never through a link, never blocking on a FIFO or a
    device, never more than `limit` bytes. OSError says why it cannot be read."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path.name} is {_kind(st.st_mode)}, not a regular file")
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise OSError(f"{path.name} is larger than {limit // 2 ** 20} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def name_of(entry: str) -> str:
    """A student's name: the folder's name as valid text (`texts.valid_name`), in NFC."""
    return unicodedata.normalize("NFC", valid_name(entry)[0])


def _spellings(top: list[os.DirEntry]) -> tuple[dict[str, str], list[Stray]]:
    """Which folder of each student is graded when several spell one name (NFC and NFD, or
    bytes that are not UTF-8), as entry name -> note, and a stray for each folder not graded.

    The rule: the folder whose name is exactly the student's name (valid UTF-8, already in
    NFC) is graded, and each other spelling is reported and not graded; when no folder is
    spelled so, none is graded (nothing says which is the student's). A lone folder whose
    name is not UTF-8 is graded under its name with U+FFFD, and noted."""
    by_name: dict[str, list[os.DirEntry]] = {}
    for e in top:
        if e.is_dir(follow_symlinks=False):
            by_name.setdefault(name_of(e.name), []).append(e)
    notes: dict[str, str] = {}
    strays: list[Stray] = []
    for student, entries in by_name.items():
        if len(entries) == 1:
            notes[entries[0].name] = valid_name(entries[0].name)[1]
            continue
        exact = [e for e in entries if e.name == student]
        others = ", ".join(repr(valid_text(e.name)) for e in entries if e.name != student)
        for e in entries:
            if e.name == student:
                notes[e.name] = (f"graded the folder {student!r} (its name is in Unicode NFC); "
                                 f"{others} spells the same name and was not graded")
            elif exact:
                strays.append(Stray(student, Path(e.path), f"another spelling of {student!r} "
                                    "(not in Unicode NFC): a second copy, not graded; graded "
                                    f"the folder {student!r}, spelled in NFC"))
            else:
                strays.append(Stray(student, Path(e.path), f"{len(entries)} folders spell "
                                    f"{student!r}, none in Unicode NFC: none graded"))
    return notes, strays


def _real_dirs(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted((e for e in it if e.is_dir(follow_symlinks=False)),
                          key=lambda e: e.name)
    except OSError:
        return []


def _holds_notebooks(folder: Path, assignments: list[str]) -> bool:
    """Does `folder` hold a notebook of the course in one of the student layouts?"""
    for name in assignments:
        for p in (folder / f"{name}.ipynb", folder / name / f"{name}.ipynb"):
            try:
                if stat.S_ISREG(os.lstat(p).st_mode):
                    return True
            except OSError:
                continue
    return False


COURSE_FOLDERS = ("source", "release", "autograded", "feedback")   # nbgrader's, never students
COURSE_FILES = ("gradebook.db", "nbgrader_config.py")


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def is_course_directory(folder: Path) -> bool:
    """Is `folder` an nbgrader course directory? It holds nbgrader_config.py or gradebook.db,
    or a submitted/ folder beside one of nbgrader's own (source/, release/, autograded/,
    feedback/). A class folder whose students are called "submitted" and "source" would be
    taken for one; a class folder with only a student called "submitted" is not."""
    if any(os.path.isfile(folder / f) and not os.path.islink(folder / f) for f in COURSE_FILES):
        return True
    return _is_dir(folder / "submitted") and any(_is_dir(folder / d) for d in COURSE_FOLDERS)


def class_folder(folder: Path, assignments: list[str]) -> Path:
    """The folder whose subfolders are the students: `folder/submitted` when `folder` is an
    nbgrader course directory (`is_course_directory`: its source/, release/, autograded/ and
    feedback/ are never students), else `folder` itself, or its `submitted/` when no other
    folder beside it holds notebooks. Decided from the whole class: if any folder beside
    `submitted` holds notebooks, `submitted` is a student like the others."""
    sub = folder / "submitted"
    if is_course_directory(folder):
        return sub
    if not _is_dir(sub):
        return folder
    others = [e for e in _real_dirs(folder) if e.name != "submitted"]
    if any(_holds_notebooks(Path(e.path), assignments) for e in others):
        return folder
    if any(_holds_notebooks(Path(e.path), assignments) for e in _real_dirs(sub)):
        return sub
    return folder


def find(folder: Path, assignments: list[str]) -> tuple[list[Submission], list[Stray]]:
    """Submissions in `folder`, one per student and assignment, and what was skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    given, folder = folder, class_folder(folder, assignments)
    found: dict[tuple[str, str], Submission] = {}
    strays: list[Stray] = []
    expected = ", ".join(a + ".ipynb" for a in assignments)
    if folder != given and not _is_dir(folder):
        return [], []   # a course directory with no (real) submitted/ folder: nothing to grade
    try:
        with os.scandir(folder) as it:
            top = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise FileNotFoundError(f"submissions folder {folder} cannot be read: {exc}") from exc
    graded, strays = _spellings(top)
    for stray in strays:
        top = [e for e in top if e.path != str(stray.path)]
    for entry in top:
        student = name_of(entry.name)
        note = graded.get(entry.name, "")
        if note:
            strays.append(Stray(student, Path(entry.path), note, graded=True))
        if not entry.is_dir(follow_symlinks=False):
            if entry.name.startswith("."):
                continue
            try:
                kind = _kind(entry.stat(follow_symlinks=False).st_mode)
            except OSError:
                kind = "unreadable"
            strays.append(Stray(student, Path(entry.path),
                                f"{kind}, not a student's folder: skipped"))
            continue
        # a student's folder: walk it without following any link
        files: list[Path] = []
        stack: list[tuple[Path, int]] = [(Path(entry.path), 0)]
        while stack:
            d, depth = stack.pop()
            try:
                with os.scandir(d) as it:
                    items = list(it)
            except OSError as exc:
                strays.append(Stray(student, d, f"cannot be read: {exc.strerror or exc}"))
                continue
            for e in items:
                if e.name == ".ipynb_checkpoints":
                    continue
                if e.is_symlink():
                    strays.append(Stray(student, Path(e.path), "a symbolic link: not "
                                        "followed, not graded"))
                elif e.is_dir(follow_symlinks=False):
                    if depth + 1 < MAX_DEPTH:
                        stack.append((Path(e.path), depth + 1))
                elif e.name.endswith(".ipynb"):
                    files.append(Path(e.path))
        for path in sorted(files):
            name = path.name[:-len(".ipynb")]
            if name not in assignments:
                strays.append(Stray(student, path, f"{path.name} is not a notebook of this "
                                    f"course (expected one of: {expected})"))
                continue
            why = refusal(path)
            if why:
                strays.append(Stray(student, path, why))
                continue
            if (student, name) in found:
                first = found[(student, name)].path
                strays.append(Stray(student, path, f"a second copy of {name}; graded "
                                    f"{first.relative_to(folder)}"))
                continue
            found[(student, name)] = Submission(student, name, path, note)
    subs = sorted(found.values(), key=lambda s: (s.student, s.assignment))
    return subs, strays
