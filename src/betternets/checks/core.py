"""Checks as named properties, and how their verdicts are reported.

A property is a function `prop(call)` that asks the student's code for values
through `call` (see `calls.py`) and raises `CheckFailed` with a plain-words
message when they are wrong. It is registered under an exercise name:

    @VISIBLE.property("sigmoid", "range", "sigmoid(z) lies in (0, 1)")
    def sigmoid__range(call):
        ...

A check's function is named `<exercise>__<property>` like its test cell's grade_id
(`test_sigmoid__range`), a named mistake's `<exercise>__looks_like_<its label>`; the
registry, not the name, is what finds it.

`evaluate` turns a property into a `Result`; `report` prints results one line
each; `raise_if_failed` makes a test cell fail (nbgrader counts a cell that
raises as failed) with a short message instead of a long traceback.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

from .calls import Caller, MissingAnswer, NotImplementedYet, StudentError
from .status import Status


class CheckFailed(AssertionError):
    """A property does not hold. `message` says what differs; `hint` what to look at."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Property:
    exercise: str
    name: str
    description: str
    run: Callable[[Caller], None]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer, recognised by how the student's function behaves."""
    exercise: str
    label: str          # "Adam without bias correction"
    hint: str           # what to change
    detect: Callable[[Caller], bool]


@dataclass(frozen=True)
class Result:
    exercise: str
    prop: str
    description: str
    status: Status
    message: str = ""
    hint: str = ""
    unimplemented: bool = False   # the function still raises the stub's NotImplementedError
    missing_name: str = ""        # status MISSING: the function that is not defined

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED

    def line(self, detail: bool = True) -> str:
        """'✓ name: property', and for a failure (with `detail`) what differs and a hint."""
        mark = "\u2713" if self.passed else "\u2717"
        if self.unimplemented:
            return f"{mark} {self.exercise}: not implemented yet" + (
                f"\n    Hint: {self.hint}" if detail and self.hint else "")
        text = f"{mark} {self.exercise}: {self.description}"
        if not self.passed and detail:
            text += f"\n    {capped(self.message)}"
            if self.hint:
                text += f"\n    Hint: {capped(self.hint)}"
        return text


MAX_MESSAGE = 2000
"""The longest message or hint a check line shows (a student's exception message can be
as long as the kernel's reply: a line stays readable, and a notebook's feedback bounded)."""


def capped(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text`, cut to `limit` characters with a note of how many more there were."""
    return text if len(text) <= limit else \
        f"{text[:limit]}... [{len(text) - limit} more characters cut]"


class Registry:
    """Properties by exercise, in the order they were registered."""

    def __init__(self, label: str):
        self.label = label
        self._props: dict[str, dict[str, Property]] = {}
        self._mistakes: dict[str, list[Mistake]] = {}

    def property(self, exercise: str, name: str, description: str):
        def decorate(fn: Callable[[Caller], None]) -> Callable[[Caller], None]:
            props = self._props.setdefault(exercise, {})
            if name in props:
                raise ValueError(f"{self.label}: property {exercise}.{name} registered twice")
            props[name] = Property(exercise, name, description, fn)
            return fn
        return decorate

    def mistake(self, exercise: str, label: str, hint: str):
        """Register `detect(call) -> bool`, true when the answer behaves like this mistake."""
        def decorate(fn: Callable[[Caller], bool]) -> Callable[[Caller], bool]:
            known = self._mistakes.setdefault(exercise, [])
            if any(m.label == label for m in known):
                raise ValueError(f"{self.label}: mistake {exercise}: {label!r} registered twice")
            known.append(Mistake(exercise, label, hint, fn))
            return fn
        return decorate

    def mistakes(self, exercise: str) -> list[Mistake]:
        return list(self._mistakes.get(exercise, []))

    @contextmanager
    def aimed(self, exercise: str, call: Caller) -> Iterator[None]:
        """A failure inside points at the named mistake the answer behaves like, if any.

        The mistake is recognised by its registered detector (the one place it is detected);
        its hint is printed once, under the failures ("This looks like ..."), so the failure's
        own hint just names it instead of giving general advice that would point elsewhere.
        """
        try:
            yield
        except CheckFailed as exc:
            found = diagnose(self.mistakes(exercise), call)
            if not found:
                raise
            raise CheckFailed(exc.message, f"this looks like {found[0].label}: see below") from exc

    def exercises(self) -> list[str]:
        return list(self._props)

    def properties(self, exercise: str) -> list[Property]:
        if exercise not in self._props:
            known = ", ".join(sorted(self._props)) or "none"
            raise ValueError(f"no {self.label} checks for exercise {exercise!r}; known: {known}")
        return list(self._props[exercise].values())

    def get(self, exercise: str, name: str) -> Property:
        for prop in self.properties(exercise):
            if prop.name == name:
                return prop
        names = ", ".join(p.name for p in self.properties(exercise))
        raise ValueError(f"exercise {exercise!r} has no {self.label} property {name!r}; "
                         f"known: {names}")


def evaluate(prop: Property, call: Caller) -> Result:
    """Run one property and say in plain words how it went."""
    def result(status: Status, message: str = "", hint: str = "", **flags) -> Result:
        return Result(prop.exercise, prop.name, prop.description, status, message, hint, **flags)

    try:
        prop.run(call)
    except CheckFailed as exc:
        return result(Status.FAILED, exc.message, exc.hint)
    except NotImplementedYet as exc:
        return result(Status.FAILED, f"{exc.name} is not implemented yet",
                      f"replace the `raise NotImplementedError(...)` line in {exc.name}'s cell "
                      "with your code, run that cell, then run this one again",
                      unimplemented=True)
    except MissingAnswer as exc:
        return result(Status.MISSING, exc.message, "run the cell that defines it first",
                      missing_name=exc.name)
    except StudentError as exc:
        return result(Status.ERROR, f"your {exc.name} raised {exc.kind}: {exc.message}",
                      "call it yourself on a small input to see where it fails")
    except Exception as exc:  # noqa: BLE001 - the check itself broke on odd output
        return result(Status.ERROR, f"could not judge the answer ({type(exc).__name__}: {exc})",
                      "check the type and shape of what your function returns")
    return result(Status.PASSED)


def collapse_stubs(results: Iterable[Result], told: set[str] | None = None) -> list[Result]:
    """One result per exercise that still raises the stub's NotImplementedError.

    Every property of an untouched exercise fails the same way; a student (and the
    grader's feedback) is told "not implemented yet" once, where the first such
    property stood, instead of once per property. `told` carries the exercises
    already told across several calls (the grader's test cells of one notebook).
    """
    out: list[Result] = []
    told = set() if told is None else told
    for r in results:
        if not r.unimplemented:
            out.append(r)
        elif r.exercise not in told:
            told.add(r.exercise)
            out.append(replace(r, prop="", description="not implemented yet"))
    return out


def run_properties(props: Iterable[Property], call: Caller) -> list[Result]:
    return [evaluate(p, call) for p in props]


def diagnose(mistakes: Iterable[Mistake], call: Caller) -> list[Mistake]:
    """The known mistakes the answer behaves like (a detector that breaks says no)."""
    found = []
    for mistake in mistakes:
        try:
            if mistake.detect(call):
                found.append(mistake)
        except Exception:  # noqa: BLE001 - a stub or a crash is not this mistake
            continue
    return found


def diagnosis_lines(found: Iterable[Mistake]) -> str:
    return "\n".join(f"  This looks like {m.label}: {m.hint}" for m in found)


def report(results: list[Result], title: str | None = None) -> str:
    lines = [title] if title else []
    lines += [r.line() for r in collapse_stubs(results)]
    return "\n".join(lines)


class ChecksFailed(AssertionError):
    """Raised by a test cell whose checks failed; renders as its summary only. `unimplemented`:
    the exercise is still its stub (a live notebook goes on past it, see `betternets.unfinished`)."""

    def __init__(self, summary: str, unimplemented: bool = False):
        super().__init__(summary)
        self.summary = summary
        self.unimplemented = unimplemented

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"ChecksFailed: {self.summary}"]


def raise_if_failed(results: list[Result], what: str, named: Iterable[Mistake] = ()) -> None:
    """Fail the cell with a one-line summary; a named mistake, if any, is the summary's end."""
    failed = [r for r in results if not r.passed]
    if failed and all(r.unimplemented for r in failed):
        raise ChecksFailed(f"{what}: not implemented yet", unimplemented=True)
    if failed:
        first = failed[0].message.splitlines()[0] if failed[0].message else failed[0].description
        labels = [m.label for m in named]
        tail = f"; this looks like {' or '.join(labels)}" if labels else ""
        raise ChecksFailed(f"{what}: {len(failed)} of {len(results)} checks failed; "
                           f"first: {first}{tail}")


VISIBLE = Registry("self-check")
"""The checks students run with `check(name)`; hidden ones live with the grader."""
