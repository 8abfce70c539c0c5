"""Notebook 00, instructor side: the reference of every exercise and its hidden checks.

The reference: numerical gradients and the relative error.

The hidden checks judge the student's functions against it.

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import contract, expect
from betternets.checks.calls import Fn

from .. import HIDDEN
from . import numerics
from betternets.checks import functions


# --------------------------------------------------------------------------- reference

def numerical_gradient(f, x, h=1e-5):
    """Central differences (f(x + h e_i) - f(x - h e_i)) / (2h) for every element of x."""
    return numerics.gradient(f, x, h)


def relative_error(a, b):
    """max |a - b| / max(1e-8, |a| + |b|), elementwise, as a float."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# --------------------------------------------------------------------------- hidden checks

CUBE = Fn("betternets.checks.functions:cube_sum")
EXP3 = Fn("betternets.checks.functions:exp3_sum")
SIN = Fn("betternets.checks.functions:sin_weighted")


@HIDDEN.property("numerical_gradient", "values",
                 "matches central differences on coupled functions of 1-, 2- and 3-D arrays")
def numerical_gradient__values(call):
    rng = np.random.default_rng(1001)
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        x = rng.uniform(-1.5, 1.5, size=shape)
        expected = numerical_gradient(functions.sin_weighted, x)
        expect.close(call("numerical_gradient", SIN, x), expected,
                     f"numerical_gradient on an array of shape {shape}", rtol=1e-6, atol=1e-7,
                     inputs=x, hint="move one element at a time and put it back afterwards")


@HIDDEN.property("numerical_gradient", "central",
                 "uses central differences: error O(h^2), not O(h)")
def numerical_gradient__central(call):
    x = np.array([-0.5, 0.0, 0.4])
    exact = 3 * np.exp(3 * x)
    got = call("numerical_gradient", EXP3, x, h=1e-3)
    # Central: relative error h^2 * 9 / 6 = 1.5e-6; forward: h * 3 / 2 = 1.5e-3.
    expect.close(got, exact, "numerical_gradient(sum e^(3x), h=1e-3)", rtol=2e-5, atol=0,
                 inputs=x, hint="a forward difference (f(x+h) - f(x)) / h is only first-order "
                 "accurate; use (f(x+h) - f(x-h)) / (2h)")


@HIDDEN.property("numerical_gradient", "step_h", "uses the step h it is given")
def numerical_gradient__step_h(call):
    x = np.array([1.0, -2.0, 0.5])
    # For sum x^3, central differences give exactly 3 x^2 + h^2.
    got = call("numerical_gradient", CUBE, x, h=0.1)
    expect.close(got, 3 * x ** 2 + 0.01, "numerical_gradient(sum x^3, h=0.1)", rtol=1e-9,
                 atol=1e-9, inputs=x, hint="use the argument h, not a fixed step")


@HIDDEN.property("numerical_gradient", "x_restored",
                 "leaves x exactly as it was, for 1-D and 2-D x")
def numerical_gradient__x_restored(call):
    rng = np.random.default_rng(1002)
    cases = [((SIN, rng.normal(size=shape)), {}) for shape in [(4,), (2, 3)]]
    expect.pure_values(call, "numerical_gradient", cases,
                       lambda f, x: functions.sin_weighted_grad(x), rtol=1e-6, atol=1e-6)


@HIDDEN.property("relative_error", "values", "matches the reference on random arrays")
def relative_error__values(call):
    rng = np.random.default_rng(1003)
    for shape in [(7,), (3, 5)]:
        a = rng.normal(size=shape)
        b = a + rng.normal(scale=1e-3, size=shape) * rng.integers(0, 2, size=shape)
        expect.close(call("relative_error", a, b), relative_error(a, b),
                     f"relative_error on arrays of shape {shape}", rtol=1e-9)


@HIDDEN.property("relative_error", "worst_element",
                 "reports the worst element (a max), not an average")
def relative_error__worst_element(call):
    a = np.array([1.0, 1.0, 1.0, 1.0])
    b = np.array([1.0, 1.0, 1.0, 3.0])
    expect.close(call("relative_error", a, b), 0.5, "relative_error with one bad element",
                 rtol=1e-9, hint="take np.max of the elementwise ratios")


@HIDDEN.property("relative_error", "floor",
                 "uses the 1e-8 floor: tiny and zero values give no NaN and no blow-up")
def relative_error__floor(call):
    expect.close(call("relative_error", np.zeros(3), np.zeros(3)), 0.0,
                 "relative_error(0, 0)", atol=0, hint="divide by max(1e-8, |a| + |b|)")
    got = call("relative_error", np.array([1e-12, 0.0]), np.array([0.0, 0.0]))
    expect.close(got, 1e-4, "relative_error(1e-12, 0)", rtol=1e-9,
                 hint="the denominator is max(1e-8, |a| + |b|), not |a| + |b|")


@HIDDEN.property("relative_error", "symmetric", "relative_error(a, b) == relative_error(b, a)")
def relative_error__symmetric(call):
    a, b = np.array([2.0, -1.0, 0.3]), np.array([1.0, -1.5, 0.0])
    expect.close(call("relative_error", a, b), call("relative_error", b, a),
                 "relative_error(a, b) against relative_error(b, a)", rtol=1e-12,
                 hint="use |a| + |b| in the denominator, not |a| alone")
    expect.close(call("relative_error", a, b), relative_error(a, b),
                 "relative_error(a, b)", rtol=1e-9)


# --------------------------------------------------------------------------- the shared contract
# float64 answers for integer-valued input and at the extremes (betternets.checks.contract)

def _sin_gradient(f, x, h=1e-5):
    """The reference's central differences of sin_weighted (the function SIN names)."""
    return numerical_gradient(functions.sin_weighted, x, h)


contract.register(HIDDEN, "numerical_gradient", "float64",
                  "an integer-valued x (np.array([1, 2])) gives the float64 gradient",
                  contract.float64("numerical_gradient",
                                   [((SIN, np.array([1, 2])), {}),
                                    ((SIN, np.array([[0, -1], [3, 2]])), {})],
                                   _sin_gradient, rtol=1e-6, atol=1e-7,
                                   hint="x + h in an integer array is rounded back: work on "
                                   "a float copy, x = np.array(x, dtype=float)"))
contract.register(HIDDEN, "relative_error", "float64",
                  "a float64 number for integer input, exact at 1e-50 and 1e40",
                  contract.float64("relative_error",
                                   [((np.array([1, 2, 3]), np.array([1, 2, 4])), {}),
                                    ((np.array([1e-50, 3.0]), np.array([2e-50, 3.0])), {}),
                                    ((np.array([1e40, 0.0]), np.array([-1e40, 0.0])), {})],
                                   relative_error, rtol=1e-9))


CALLERS_X = Fn("betternets.checks.functions:callers_x_square_sum")


@HIDDEN.property("numerical_gradient", "own_copy",
                 "perturbs its own copy of x: a function reading the caller's x sees it "
                 "unchanged during the call")
def numerical_gradient__own_copy(call):
    x = np.array([0.5, -1.5, 2.0])
    reads, values = call.values([("numerical_gradient", (CALLERS_X, x)),
                                 ("numerical_gradient", (SIN, x))])
    expect.close(values, numerical_gradient(functions.sin_weighted, x), "numerical_gradient",
                 rtol=1e-6, atol=1e-7)
    expect.close(reads, np.zeros(3), "numerical_gradient of a function that reads the "
                 "caller's x", rtol=0, atol=1e-9, inputs=x,
                 hint="x = np.array(x, dtype=float) makes your own copy; np.asarray hands "
                 "you the caller's array, so x[i] += h changes theirs while f runs")
