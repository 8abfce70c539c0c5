"""Known mistakes of notebook 00, recognised by behaviour (for named hints)."""
from __future__ import annotations

import numpy as np

from .calls import Fn
from .core import VISIBLE

CUBE = Fn("betternets.checks.functions:cube_sum")


@VISIBLE.mistake("numerical_gradient", "a forward difference",
                 "(f(x + h) - f(x)) / h has error O(h); use (f(x + h) - f(x - h)) / (2h)")
def _(call):
    x = np.array([1.0, 2.0])
    got = np.asarray(call("numerical_gradient", CUBE, x, h=0.1), dtype=float)
    return np.allclose(got, 3 * x**2 + 3 * x * 0.1 + 0.01, rtol=1e-6)


@VISIBLE.mistake("numerical_gradient", "x left modified",
                 "put every element back (x[i] = original) or work on a copy")
def _(call):
    return bool(call.record("numerical_gradient", CUBE, np.array([0.5, 1.5])).mutated)


@VISIBLE.mistake("relative_error", "an average instead of the worst element",
                 "take np.max of the elementwise ratios, not np.mean")
def _(call):
    got = call("relative_error", np.ones(4), np.array([1.0, 1.0, 1.0, 3.0]))
    return np.isclose(float(got), 0.5 / 4)


@VISIBLE.mistake("relative_error", "a missing 1e-8 floor",
                 "divide by np.maximum(1e-8, |a| + |b|) so that zeros give 0, not NaN")
def _(call):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = call("relative_error", np.zeros(2), np.zeros(2))
    return bool(np.isnan(got))
