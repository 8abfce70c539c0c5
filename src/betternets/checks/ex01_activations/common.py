"""What the checks of notebook 01 share, with the grader's hidden checks too: the logarithms
the hand-worked values use, the extreme inputs, and three checks of a returned value
(no overflow warning, finite, a single number for a Python float).
"""
from __future__ import annotations

import numpy as np

from .. import expect
from ..calls import Caller
from ..core import CheckFailed

LN2, LN3 = float(np.log(2.0)), float(np.log(3.0))
EXTREME = np.array([-1e4, -1e3, -800.0, -50.0, 0.0, 50.0, 800.0, 1e3, 1e4])


def no_overflow(call: Caller, name: str, *args, **kwargs):
    """Call `name`; fail if numpy warned of overflow, an invalid value or a division by zero.

    Underflow (e^-10000 rounding to 0) is harmless and allowed: it is the point of the
    stable formulas. (`expect.no_warnings` would reject it, so this check filters it out.)
    """
    rec = call.record(name, *args, **kwargs)
    bad = [w for w in rec.warnings if "underflow" not in w]
    if bad:
        raise CheckFailed(f"{name} warned: {bad[0]}",
                          "an exponential of a large number overflows; rewrite it so that "
                          "exp only ever sees values <= 0 (e.g. use e^-|z|)")
    return rec.value


def finite(value, what: str, inputs=None) -> np.ndarray:
    arr = expect.as_array(value, what)
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))[0]
        where = ""
        if inputs is not None and np.shape(inputs) == arr.shape:
            where = f" (input {np.ravel(inputs)[bad]:.6g})"
        raise CheckFailed(f"{what} is {np.ravel(arr)[bad]} at flat index {bad}{where}",
                          "inf/inf or inf - inf gives NaN: an exponential overflowed; use e^-|z| "
                          "so that exp only ever sees values <= 0")
    return arr


def scalar_ok(value, expected: float, what: str, rtol: float = 1e-9, atol: float = 1e-12):
    """A Python-float input gives a single number (shape ()) with the right value."""
    if np.shape(value) != ():
        raise CheckFailed(f"{what} returned shape {np.shape(value)}, expected a single number",
                          "for a Python float input, return a 0-d result: np.where, np.exp, ... "
                          "on np.asarray(z) do that")
    expect.close(value, expected, what, rtol=rtol, atol=atol)


def grid(lo=-6.0, hi=6.0, n=25):
    """n evenly spaced z from lo to hi."""
    return np.linspace(lo, hi, n)
