"""Self-checks for notebook 00: gradient checking."""
from __future__ import annotations

import numpy as np

from . import expect
from .calls import Fn
from .core import VISIBLE

CUBE = Fn("betternets.checks.functions:cube_sum")


@VISIBLE.property("numerical_gradient", "cube",
                  "the gradient of sum(x^3) is 3 x^2 (to about 1e-9)")
def numerical_gradient__cube(call):
    x = np.array([-1.5, 0.0, 0.5, 2.0])
    grad = call("numerical_gradient", CUBE, x)
    expect.close(grad, 3 * x ** 2 + 1e-10, "numerical_gradient(sum x^3)", rtol=1e-6, atol=1e-6,
                 inputs=x, hint="use (f(x + h e_i) - f(x - h e_i)) / (2h), one element at a time")


@VISIBLE.property("numerical_gradient", "shape",
                  "the gradient has the shape of x (here a 2-D x)")
def numerical_gradient__shape(call):
    x = np.arange(6.0).reshape(2, 3) / 4
    grad = call("numerical_gradient", CUBE, x)
    expect.same_shape(grad, x.shape, "numerical_gradient(f, x of shape (2, 3))",
                      "loop over np.ndindex(x.shape) so that any shape works")


@VISIBLE.property("numerical_gradient", "x_restored",
                  "x holds its original values afterwards")
def numerical_gradient__x_restored(call):
    expect.pure(call, "numerical_gradient", CUBE, np.array([0.25, -1.0, 3.0]))


@VISIBLE.property("relative_error", "identical", "two equal arrays have relative error 0")
def relative_error__identical(call):
    a = np.array([[1.0, -2.0], [0.0, 3.5]])
    got = call("relative_error", a, a.copy())
    expect.close(got, 0.0, "relative_error(a, a)", atol=0)


@VISIBLE.property("relative_error", "small_example",
                  "relative_error([1, 2], [1, 2.2]) is 0.2 / 4.2 (the worst element)")
def relative_error__small_example(call):
    got = call("relative_error", np.array([1.0, 2.0]), np.array([1.0, 2.2]))
    expect.close(got, 0.2 / 4.2, "relative_error([1, 2], [1, 2.2])", rtol=1e-9,
                 hint="divide |a - b| by max(1e-8, |a| + |b|) elementwise, then take the max")


@VISIBLE.property("relative_error", "is_float", "the result is a single float")
def relative_error__is_float(call):
    got = call("relative_error", np.ones((2, 2)), np.full((2, 2), 1.5))
    expect.true(np.ndim(got) == 0, f"relative_error returned shape {np.shape(got)}, expected a "
                "single number", "take the maximum over all elements")


# --------------------------------------------------------------------------- known mistakes (named hints)
#
# Each named mistake is recognised once, by behaviour, here; `check` names it under a failure.


@VISIBLE.mistake("numerical_gradient", "a forward difference",
                 "(f(x + h) - f(x)) / h has error O(h); use (f(x + h) - f(x - h)) / (2h)")
def numerical_gradient__looks_like_forward_difference(call):
    x = np.array([1.0, 2.0])
    got = np.asarray(call("numerical_gradient", CUBE, x, h=0.1), dtype=float)
    return np.allclose(got, 3 * x**2 + 3 * x * 0.1 + 0.01, rtol=1e-6)


@VISIBLE.mistake("numerical_gradient", "x left modified",
                 "put every element back (x[i] = original) or work on a copy")
def numerical_gradient__looks_like_x_left_modified(call):
    return bool(call.record("numerical_gradient", CUBE, np.array([0.5, 1.5])).mutated)


@VISIBLE.mistake("relative_error", "an average instead of the worst element",
                 "take np.max of the elementwise ratios, not np.mean")
def relative_error__looks_like_average_worst_element(call):
    got = call("relative_error", np.ones(4), np.array([1.0, 1.0, 1.0, 3.0]))
    return np.isclose(float(got), 0.5 / 4)


@VISIBLE.mistake("relative_error", "a missing 1e-8 floor",
                 "divide by np.maximum(1e-8, |a| + |b|) so that zeros give 0, not NaN")
def relative_error__looks_like_missing_1e_8_floor(call):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = call("relative_error", np.zeros(2), np.zeros(2))
    return bool(np.isnan(got))
