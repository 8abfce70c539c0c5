"""Property makers for the rules every exercise's contract shares (EXERCISES.md, Conventions).

Each maker writes one rule once; a notebook's checks use it table-driven, one property per
exercise and rule:

    float64(name, cases, reference)      float64 answers, right at the extremes, for float64
                                         and integer-valued input (1e-50 and 1e40 included)
    new_objects(name, cases, reference)  the inputs byte for byte as they were, and no output
                                         that is an input or a view of one; a state returned
                                         as a new dict
    seeded(name, case_for)               the same seed gives the same output, two seeds
                                         different ones, and np.random's global state is
                                         never drawn from
    every_item_changed(name, case)       every item of a batch processed (none skipped)
    matches(name, cases, reference)      exact answers on the edge cases of a table (every
                                         element, every epoch, every edge)
    refuses(name, cases)                 every bad input raises ValueError naming the argument

A case is `(args, kwargs)`. The calls of one property go to the student's kernel in one
batch (`Caller.many`) where no call depends on another; only `refuses` calls one at a time,
since a batch stops at the first call that raises.

None and NaN never pass: a value that is not numbers, or NaN where the reference is a
number, fails every maker (`expect.close`, and `seeded` compares with NaN unequal).
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from . import expect
from .calls import Caller, Rng, resolve
from .core import CheckFailed, Registry

Case = tuple   # (args, kwargs)
Prop = Callable[[Caller], None]


def register(registry: Registry, exercise: str, prop: str, description: str, run: Prop) -> None:
    """Register a made property under its own name `<exercise>__<prop>` (as a `def` is
    named), so that tracebacks and profiles say which check ran, and as a check of the
    module that registers it (its notebook's home, which the registry's tests look for)."""
    run.__name__ = run.__qualname__ = f"{exercise}__{prop}"
    run.__module__ = sys._getframe(1).f_globals.get("__name__", run.__module__)
    registry.property(exercise, prop, description)(run)


def _calls(name: str, cases: Iterable[Case]) -> list[tuple]:
    return [(name, tuple(args), dict(kwargs)) for args, kwargs in cases]


def _expected(reference: Callable, args: tuple, kwargs: dict) -> Any:
    """The reference's answer to a case, its tokens resolved (an `Rng` as a generator, an
    `Fn` as its function), as the student's function gets them."""
    return reference(*resolve(tuple(args), {}), **resolve(dict(kwargs), {}))


def _show(args: tuple, kwargs: dict, limit: int = 80) -> str:
    """A short text of a case's arguments for a failure message."""
    text = ", ".join([np.array2string(np.asarray(a), threshold=6, precision=3)
                      if isinstance(a, np.ndarray) else repr(a) for a in args]
                     + [f"{k}={v!r}" for k, v in kwargs.items()])
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _parts(value: Any, pick: Callable[[Any], Sequence[Any]] | None, what: str) -> list:
    if pick is None:
        return [value]
    try:
        return list(pick(value))
    except (TypeError, IndexError, KeyError):
        raise CheckFailed(f"{what} returned {type(value).__name__}, not the values the "
                          "contract lists", "return them as a tuple, in the documented order"
                          ) from None


def is_float64(value: Any, what: str) -> np.ndarray:
    """The value as an array, failing unless it is float64 numbers (a Python float counts)."""
    if value is None or isinstance(value, (bool, np.bool_)):
        raise CheckFailed(f"{what} returned {value!r}, not float64 numbers",
                          "return the computed array")
    arr = np.asarray(value) if isinstance(value, (np.ndarray, np.generic, float, int)) else None
    if arr is None or arr.dtype != np.float64:
        kind = type(value).__name__ if arr is None else str(arr.dtype)
        raise CheckFailed(f"{what} returned {kind}, expected float64",
                          "compute in float64: np.asarray(x, dtype=float) first, and no "
                          "float32, integer or boolean result (e.g. (z > 0).astype(float))")
    return arr


def float64(name: str, cases: Sequence[Case], reference: Callable, *, rtol: float = 1e-9,
            atol: float = 0.0, pick: Callable[[Any], Sequence[Any]] | None = None,
            random: bool = False, hint: str = "") -> Prop:
    """Every case gives float64 values equal to the reference's (within rtol, atol); `pick`
    chooses the float parts of a returned tuple. The cases hold the extremes (1e-50, 1e40)
    float32 or integer arithmetic gets wrong, and integer-valued input arrays. The
    reference gets the cases' tokens resolved (an `Rng` as a generator, an `Fn` as its
    function). A `random` answer is not compared with the reference's draws: its parts
    must have the reference's shape and be finite float64 numbers, not all the same."""
    def prop(call: Caller) -> None:
        for (args, kwargs), got in zip(cases, call.values(_calls(name, cases))):
            what = f"{name}({_show(args, kwargs)})"
            parts = _parts(got, pick, what)
            expected = _parts(_expected(reference, args, kwargs), pick, what)
            if len(parts) != len(expected):
                raise CheckFailed(f"{what} returned {len(parts)} values, expected "
                                  f"{len(expected)}", "return them in the documented order")
            for part, exp in zip(parts, expected):
                arr = is_float64(part, what)
                if not random:
                    expect.close(arr, exp, what, rtol=rtol, atol=atol, hint=hint or
                                 "float32 turns 1e40 into inf and 1e-50 into 0; work in float64")
                    continue
                expect.same_shape(arr, np.shape(exp), what)
                expect.true(bool(np.all(np.isfinite(arr))) and (arr.size < 2 or np.ptp(arr) > 0),
                            f"{what} is not finite random numbers", hint)
    return prop


def new_objects(name: str, cases: Sequence[Case], reference: Callable,
                judge: Callable[[Any, Any, str], None] | None = None) -> Prop:
    """Every case leaves its arguments byte for byte as they were and returns new objects:
    no returned array is an argument or a view of one, a returned state is a new dict, and
    the value is not None (`expect.pure_many`). The cases are those where handing the input
    back is the tempting shortcut (nothing to clip, no mask, already converged). The value
    must also be like the reference's, by `judge(value, expected, what)` or else by its
    structure (`like`): doing nothing earns no purity."""
    def prop(call: Caller) -> None:
        values = expect.pure_many(call, _calls(name, cases))
        for (args, kwargs), value in zip(cases, values):
            expected = _expected(reference, args, kwargs)
            (judge or like)(value, expected, f"{name}({_show(args, kwargs)})")
    return prop


def like(value: Any, expected: Any, what: str) -> None:
    """`value` has the structure of `expected` (tuples and lists of the same length, None
    where it is None, a dict where it is a dict, arrays of its shapes), finite where it is
    finite and not all zero where it is not: what a random answer must be, whatever its
    draws."""
    if expected is None or isinstance(expected, dict):
        expect.true(value is None if expected is None else isinstance(value, dict),
                    f"{what} returned {type(value).__name__} where the contract has "
                    f"{type(expected).__name__}", "return the values the docstring lists")
        return
    if isinstance(expected, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(expected):
            raise CheckFailed(f"{what} returned {type(value).__name__}, expected "
                              f"{len(expected)} values", "return them in the documented order")
        for i, (v, e) in enumerate(zip(value, expected)):
            like(v, e, f"{what}[{i}]")
        return
    exp = np.asarray(expected, dtype=float)
    arr = expect.same_shape(value, exp.shape, what)
    if np.all(np.isfinite(exp)):
        expect.true(bool(np.all(np.isfinite(arr))), f"{what} is not finite")
    if np.any(exp != 0):
        expect.true(bool(np.any(arr != 0)), f"{what} is all zero")


def _arrays(value: Any, what: str) -> list[np.ndarray]:
    """The numbers of a value (an array, or a tuple of arrays and Nones), for comparison."""
    parts = list(value) if isinstance(value, (tuple, list)) else [value]
    if value is None or all(p is None for p in parts):
        raise CheckFailed(f"{what} returned None", "return the result")
    return [expect.as_array(p, what) for p in parts if p is not None]


def seeded(name: str, case_for: Callable[[Rng], Case], seeds: tuple[int, int] = (5, 6)) -> Prop:
    """Randomness only from the `rng` given: the same seed twice gives identical output (NaN
    unequal), two seeds give different output, and numpy's global state is never drawn from
    (watched in every call handed an `Rng`)."""
    def prop(call: Caller) -> None:
        first, again, other = (case_for(Rng(s)) for s in (seeds[0], seeds[0], seeds[1]))
        recs = call.many(_calls(name, [first, again, other]))
        if any(r.global_rng_used for r in recs):
            raise CheckFailed(f"{name} drew from numpy's global random state (np.random.*)",
                              "draw every random number from the rng argument")
        a, b, c = (_arrays(r.value, name) for r in recs)
        if len(a) != len(b) or not all(x.shape == y.shape and np.array_equal(x, y)
                                       for x, y in zip(a, b)):
            raise CheckFailed(f"{name}: two calls with the same seed gave different results",
                              "draw every random number from the rng argument, nothing else "
                              "(no np.random, no generator of your own)")
        if len(a) == len(c) and all(x.shape == y.shape and np.array_equal(x, y)
                                    for x, y in zip(a, c)):
            raise CheckFailed(f"{name}: two different seeds gave exactly the same result",
                              "use the rng you are given, not a generator of your own")
    return prop


def every_item_changed(name: str, case: Case, argument: int = 0, hint: str = "",
                       plausible: Callable[[np.ndarray, np.ndarray], bool] | None = None
                       ) -> Prop:
    """Each item along the first axis of the output differs from the same item of argument
    `argument` (the case makes every item change, e.g. noise on every image): an answer
    that skips an item (the first, the last: range(1, n), range(n - 1)) hands it back as it
    was. `plausible(out_item, given_item)`, when given, must hold of every item (so that
    zeros or NaN, which differ from everything, do not pass)."""
    def prop(call: Caller) -> None:
        args, kwargs = case
        given = np.asarray(args[argument])
        out = expect.same_shape(call(name, *args, **kwargs), given.shape, f"{name}'s output")
        same = [i for i in range(len(given)) if np.array_equal(out[i], given[i])]
        odd = [i for i in range(len(given)) if plausible and not plausible(out[i], given[i])]
        expect.true(not odd, f"{name}'s item {odd[0] if odd else 0} is not what the case "
                    "asks for", hint)
        expect.true(not same, f"{name} left item {same[0]} of {len(given)} as it was "
                    f"(items {same[:5]} unchanged)" if same else "",
                    hint or "process every item: range(len(x)), not range(1, n) or range(n - 1)")
    return prop


def all_of(props: Sequence[Prop]) -> Prop:
    """One property that holds when every one of `props` does (one rule over several
    cases that each need their own maker's call), failing at the first that fails."""
    def prop(call: Caller) -> None:
        for each in props:
            each(call)
    return prop


def matches(name: str, cases: Sequence[Case], reference: Callable, *,
            judge: Callable[[Any, Any, str], None] | None = None, hint: str = "") -> Prop:
    """Every case of an edge table gives the reference's answer: by `judge(got, expected,
    what)` (raising CheckFailed), or exactly (`expect.close` with no tolerance)."""
    def prop(call: Caller) -> None:
        for (args, kwargs), got in zip(cases, call.values(_calls(name, cases))):
            what = f"{name}({_show(args, kwargs)})"
            expected = _expected(reference, args, kwargs)
            if judge is not None:
                judge(got, expected, what)
            else:
                expect.close(got, expected, what, rtol=0, atol=0, hint=hint)
    return prop


def refuses(name: str, cases: Sequence[tuple[tuple, dict, str]]) -> Prop:
    """Every bad input `(args, kwargs, argument)` raises ValueError whose message names
    `argument` (one call each: a call that raises ends a batch)."""
    def prop(call: Caller) -> None:
        for args, kwargs, argument in cases:
            expect.raises_value_error(call, name, *args, mentions=argument, **kwargs)
    return prop


EXTREMES = np.array([-1e40, -3.5, -1e-50, 0.0, 1e-50, 2.25, 1e40])
"""Elementwise inputs float32 or integer arithmetic gets wrong: 1e40 overflows float32 to
inf, 1e-50 underflows it to 0 (and the sign of a tiny number decides a kink)."""
INTEGERS = np.array([[-3, -1, 0], [1, 2, 5]])
"""An integer-valued input array: the answer must still be float64."""
