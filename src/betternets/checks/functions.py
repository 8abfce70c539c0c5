"""Functions that checks pass to students' code as inputs (by name, see `calls.Fn`).

These are test inputs with known derivatives, not answers to any exercise.
Each function f takes an array (of any shape, unless said) and returns a float;
`<f>_grad` is its gradient. The update rules are inputs for `run_optimizer`;
the test activations at the end (each with its slope) inputs for `layer_gradient_norms`.
"""
from __future__ import annotations

import functools

import numpy as np

from .calls import Fn


def cube_sum(x: np.ndarray) -> float:
    """f(x) = sum x^3; gradient 3 x^2; central differences with step h give 3 x^2 + h^2."""
    return float(np.sum(np.asarray(x) ** 3))


def exp3_sum(x: np.ndarray) -> float:
    """f(x) = sum e^(3x); gradient 3 e^(3x); strongly curved, so a forward difference shows."""
    return float(np.sum(np.exp(3.0 * np.asarray(x))))


def sin_weighted(x: np.ndarray) -> float:
    """f(x) = sum_i sin(x_i) * x_i^2 + (sum_i x_i)^2 / 2: couples every element."""
    x = np.asarray(x)
    return float(np.sum(np.sin(x) * x ** 2) + 0.5 * np.sum(x) ** 2)


def sin_weighted_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of `sin_weighted`: cos(x) x^2 + 2 x sin(x) + sum(x)."""
    x = np.asarray(x, dtype=float)
    return np.cos(x) * x ** 2 + 2 * x * np.sin(x) + np.sum(x)


# Quadratics a/2 |w|^2 on which Armijo's test (c = 1e-4) is decided at the first trial step
# alpha = 1 by a hair: from w0 = 1 along d = -g it accepts iff a <= 2 - 2c. With a = 1.99975
# c = 1e-4 accepts alpha = 1 and c = 1.5e-4 rejects it; with a = 2.0001 the right test rejects
# alpha = 1 and a test with the sign of the c-term flipped accepts it.
ARMIJO_EDGE, ARMIJO_OVER = 1.99975, 2.0001


def armijo_edge(w: np.ndarray) -> float:
    """f(w) = a/2 |w|^2 with a = 1.99975 (alpha = 1 passes Armijo with c = 1e-4, not 1.5e-4)."""
    return float(0.5 * ARMIJO_EDGE * np.sum(np.asarray(w, dtype=float) ** 2))


def armijo_edge_grad(w: np.ndarray) -> np.ndarray:
    return ARMIJO_EDGE * np.asarray(w, dtype=float)


def armijo_over(w: np.ndarray) -> float:
    """f(w) = a/2 |w|^2 with a = 2.0001 (alpha = 1 fails Armijo; it passes with the sign flipped)."""
    return float(0.5 * ARMIJO_OVER * np.sum(np.asarray(w, dtype=float) ** 2))


def armijo_over_grad(w: np.ndarray) -> np.ndarray:
    return ARMIJO_OVER * np.asarray(w, dtype=float)


def straight_trough(w: np.ndarray) -> float:
    """f(w) = w_0 + w_1^2 / 2: straight (zero curvature) along w_0, so a step along it has y.s = 0."""
    w = np.asarray(w, dtype=float)
    return float(w[0] + 0.5 * w[1] ** 2)


def straight_trough_grad(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return np.array([1.0, w[1]])


def look_ahead_rule(w, grad_fn, state, *, lr, shift=1.0):
    """An update rule of the Nesterov form (its second parameter is grad_fn) under a name of its
    own: w - lr grad_fn(w + shift). run_optimizer must know it by that parameter, not by name."""
    w = np.asarray(w, dtype=float)
    if not callable(grad_fn):
        raise TypeError(f"expected the gradient function itself, got {type(grad_fn).__name__}")
    return w - lr * np.asarray(grad_fn(w + shift), dtype=float), {}


# functools.partial(rule, ...) keeps the rule's parameters but has no __name__ at all
partial_look_ahead_rule = functools.partial(look_ahead_rule, shift=0.5)


# Test activations of notebook 01: `layer_gradient_norms` gets an activation and its slope.

def arctan_slope(z):
    """Derivative of numpy's arctan: 1 / (1 + z^2)."""
    z = np.asarray(z, dtype=float)
    return 1.0 / (1.0 + z * z)


def softsign(z):
    """z / (1 + |z|): a smooth, saturating test activation."""
    z = np.asarray(z, dtype=float)
    return z / (1.0 + np.abs(z))


def softsign_slope(z):
    """Derivative of `softsign`: 1 / (1 + |z|)^2."""
    z = np.asarray(z, dtype=float)
    return 1.0 / (1.0 + np.abs(z)) ** 2


def twice(z):
    """Derivative of numpy's square: 2 z."""
    return 2.0 * np.asarray(z, dtype=float)


IDENTITY, ONES = Fn("numpy:positive"), Fn("numpy:ones_like")
SQUARE, TWICE = Fn("numpy:square"), Fn(f"{__name__}:twice")
SIN, COS = Fn("numpy:sin"), Fn("numpy:cos")
ARCTAN, ARCTAN_SLOPE = Fn("numpy:arctan"), Fn(f"{__name__}:arctan_slope")
SOFTSIGN, SOFTSIGN_SLOPE = Fn(f"{__name__}:softsign"), Fn(f"{__name__}:softsign_slope")
# the logistic function and its derivative, both scipy's: a derivative written here would
# be notebook 01's `sigmoid_grad`, and this module ships to students
LOGISTIC, LOGISTIC_SLOPE = Fn("scipy.special:expit"), Fn("scipy.stats:logistic.pdf")


def square_sum(w: np.ndarray) -> float:
    """f(w) = sum w^2: from w0 = [1] a full step along -grad overshoots to -1, which the
    Armijo condition f(w + a d) <= f(w) + c a grad.d refuses (and a wrong-scale one accepts)."""
    w = np.asarray(w, dtype=float)
    return float(w @ w)


def square_sum_grad(w: np.ndarray) -> np.ndarray:
    """Gradient of `square_sum`: 2 w."""
    return 2.0 * np.asarray(w, dtype=float)


def callers_x_square_sum(v: np.ndarray) -> float:
    """f(v) = sum x^2 of the caller's x (argument 2 of the call running now, as a closure over
    the caller's variable reads it), whatever v is. Central differences of it are 0 unless
    the answer perturbs the caller's x itself instead of its own copy."""
    from .calls import live_arguments
    return float(np.sum(np.asarray(live_arguments()[0][1], dtype=float) ** 2))


# Bowls sum(a w^2 - w) on which Armijo's test with c = 1e-4 decides the first step from w0 = 0
# (gradient -1, so d = 1 and slope -1) in a window of width 1e-4 * alpha: the full step fails,
# and half a step lowers f by 7.5e-5 (`armijo_window`: passes c alpha slope = -5e-5, fails a
# bound without alpha, -1e-4) or by 2e-5 (`armijo_narrow`: fails -5e-5, passes c = 1e-5).
ARMIJO_WINDOW_A = (0.5 - 7.5e-5) / 0.25
ARMIJO_NARROW_A = (0.5 - 2e-5) / 0.25


def armijo_window(w: np.ndarray) -> float:
    w = np.asarray(w, dtype=float)
    return float(np.sum(ARMIJO_WINDOW_A * w ** 2 - w))


def armijo_window_grad(w: np.ndarray) -> np.ndarray:
    return 2 * ARMIJO_WINDOW_A * np.asarray(w, dtype=float) - 1.0


def armijo_narrow(w: np.ndarray) -> float:
    w = np.asarray(w, dtype=float)
    return float(np.sum(ARMIJO_NARROW_A * w ** 2 - w))


def armijo_narrow_grad(w: np.ndarray) -> np.ndarray:
    return 2 * ARMIJO_NARROW_A * np.asarray(w, dtype=float) - 1.0
