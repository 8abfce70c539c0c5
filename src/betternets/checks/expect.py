"""Small judging helpers for properties. Each raises `CheckFailed` in plain words."""
from __future__ import annotations

from typing import Any

import numpy as np

from .calls import Caller, NotImplementedYet, Rng, StudentError
from .core import CheckFailed


def as_array(value: Any, what: str) -> np.ndarray:
    """The value as a float array, or a clear failure if it is not numeric."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be numbers, got {type(value).__name__}") from None
    return arr


def close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-6,
          atol: float = 1e-9, hint: str = "", inputs: Any = None,
          labels: tuple[str, str] = ("yours", "expected")) -> None:
    """`actual` equals `expected` within rtol/atol; else name the worst element.

    `inputs`, when given and of the same shape, is shown at the worst index. `labels` name the
    two values in the message: a symmetry check compares two of the student's own values
    (`("your sigmoid(-z)", "your 1 - sigmoid(z)")`), neither of which is "expected".
    """
    exp = np.asarray(expected, dtype=float)
    act = as_array(actual, what)
    if act.shape != exp.shape:
        raise CheckFailed(f"{what} has shape {act.shape}, expected {exp.shape}",
                          hint or "check which axis you sum or index over")
    bad_nan = np.isnan(act) & ~np.isnan(exp)
    if bad_nan.any():
        idx = _index(np.argmax(bad_nan), act.shape)
        raise CheckFailed(f"{what} is NaN at index {idx}{_at(inputs, idx)}", hint or
                          "NaN usually comes from inf - inf or 0 * inf: an exponential overflowed")
    err = np.abs(act - exp) - (atol + rtol * np.abs(exp))
    err = np.where(np.isnan(exp) & np.isnan(act), -1.0, err)
    if act.size and np.nanmax(err) > 0:
        idx = _index(np.nanargmax(err), act.shape)
        raise CheckFailed(f"{what} differs at index {idx}{_at(inputs, idx)}: "
                          f"{labels[0]} {act[idx]:.8g}, {labels[1]} {exp[idx]:.8g}", hint)


def _index(flat: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _at(inputs: Any, idx: tuple) -> str:
    if inputs is None:
        return ""
    arr = np.asarray(inputs)
    if arr.shape and len(idx) == arr.ndim:
        return f" (input {arr[idx]:.6g})"
    return ""


def same_shape(value: Any, shape: tuple, what: str, hint: str = "") -> np.ndarray:
    arr = as_array(value, what)
    if arr.shape != tuple(shape):
        raise CheckFailed(f"{what} has shape {arr.shape}, expected {tuple(shape)}", hint)
    return arr


def pure(call: Caller, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call `name` and fail if it changed any argument in place, returned one of them (or a
    view of one, a state dict it was given: `CallRecord.aliased`) or returned None; returns
    the value."""
    return _unchanged(name, call.record(name, *args, **kwargs))


def pure_many(call: Caller, calls: list[tuple]) -> list[Any]:
    """`pure` for several independent calls `(name, args[, kwargs])`, sent as one batch
    (`Caller.many`): their values in order; fails at the first call that changed an
    argument in place or handed one back, as a loop of `pure` would."""
    return [_unchanged(item[0], rec) for item, rec in zip(calls, call.many(calls))]


def pure_values(call: Caller, name: str, cases: list[tuple], reference, *,
                rtol: float = 1e-9, atol: float = 1e-12) -> list[Any]:
    """`pure_many` of the calls `(args, kwargs)` of `name`, each value also equal to
    `reference(*args, **kwargs)`: an answer that leaves its inputs alone by doing nothing
    (None, zeros, NaN) earns no purity."""
    values = pure_many(call, [(name, args, kwargs) for args, kwargs in cases])
    for (args, kwargs), value in zip(cases, values):
        close(value, reference(*args, **kwargs), f"{name}'s value in the purity check",
              rtol=rtol, atol=atol)
    return values


def _unchanged(name: str, rec) -> Any:
    if rec.mutated:
        raise CheckFailed(f"{name} changed its input in place ({', '.join(rec.mutated)})",
                          "work on a copy (x = x.copy()) or build a new array")
    if rec.aliased:
        raise CheckFailed(f"{name} handed back its input instead of a new object "
                          f"({', '.join(rec.aliased)})",
                          "return a new array (x.copy(), or the result of an arithmetic "
                          "operation) and a new dict for a state, even when nothing changes")
    if rec.value is None:
        raise CheckFailed(f"{name} returned None", "return the result")
    return rec.value


def no_global_rng(call: Caller, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call `name` and fail if it drew from numpy's global random state (watched only in a
    call handed an `Rng`, so one must be among the arguments)."""
    if not any(isinstance(a, Rng) for a in (*args, *kwargs.values())):
        raise TypeError(f"no_global_rng({name!r}, ...) needs an Rng argument to watch")
    rec = call.record(name, *args, **kwargs)
    if rec.global_rng_used:
        raise CheckFailed(f"{name} used numpy's global random state (np.random.*)",
                          "draw every random number from the rng argument, e.g. rng.normal(...)")
    return rec.value


def no_warnings(call: Caller, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call `name` and fail if numpy warned (overflow, invalid value, ...)."""
    rec = call.record(name, *args, **kwargs)
    if rec.warnings:
        raise CheckFailed(f"{name} warned: {rec.warnings[0]}",
                          "an exponential of a large number overflows; rewrite it so that "
                          "exp only ever sees values <= 0")
    return rec.value


def raises_value_error(call: Caller, name: str, *args: Any, mentions: str = "",
                       **kwargs: Any) -> None:
    """`name(*args)` must raise ValueError whose message mentions `mentions`."""
    try:
        call(name, *args, **kwargs)
    except NotImplementedYet:
        raise
    except StudentError as exc:
        if exc.kind != "ValueError":
            raise CheckFailed(f"{name} raised {exc.kind}, expected ValueError",
                              "raise ValueError with a message naming the bad argument") from None
        if mentions and mentions.lower() not in exc.message.lower():
            raise CheckFailed(f"{name}'s ValueError message {exc.message!r} does not name "
                              f"{mentions!r}", "say which argument is wrong") from None
        return
    raise CheckFailed(f"{name} accepted bad input {args, kwargs} without a ValueError",
                      "validate the arguments first and raise ValueError")


def true(condition: bool, message: str, hint: str = "") -> None:
    if not condition:
        raise CheckFailed(message, hint)
