"""Hidden checks of the L2 and L1 penalties, their gradients and the SGD updates
with weight decay.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect

from ... import HIDDEN
from ..numerics import gradient
from .reference import (l1_penalty, l1_penalty_grad, l2_penalty, l2_penalty_grad, sgd_l1_update,
                        sgd_l2_update)


# --------------------------------------------------------------------------- penalties


def _weights(rng):
    return [rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 2))]


def _matches_reference(name, reference, seed, cases, draw, hint="", **tolerance):
    """The property "values": `name` equals `reference` on the arrays `draw(rng)` followed by
    the numbers of each case (in the order given), a new draw for every case."""
    def values(call):
        rng = np.random.default_rng(seed)
        for case in cases:
            args = (*draw(rng), *case.values())
            expect.close(call(name, *args), reference(*args),
                         f"{name}({', '.join(f'{k}={v}' for k, v in case.items())})",
                         hint=hint, **tolerance)
    return values


PENALTY = [{"lam": 0.7, "n": 50}, {"lam": 3.0, "n": 1000}, {"lam": 0.01, "n": 7}]
GRAD = [{"lam": 0.7, "n": 50}, {"lam": 5.0, "n": 3}]
UPDATE = [{"lr": 0.1, "lam": 5.0, "n": 100}, {"lr": 0.5, "lam": 0.3, "n": 7},
          {"lr": 0.01, "lam": 50.0, "n": 1000}]


def _update_arrays(rng):
    return rng.normal(size=(4, 3)), rng.normal(size=(4, 3))


# name, description, reference, seed, cases, the arrays drawn, hint, tolerance: each exercise's
# first property, in the order of the exercises
VALUES = [
    ("l2_penalty", "matches lam/(2n) * sum of squares on random weights", l2_penalty, 3101,
     PENALTY, lambda rng: (_weights(rng),), "lam / (2 n) times the sum of w^2 over every matrix",
     {"rtol": 1e-9}),
    ("l2_penalty_grad", "matches (lam/n) W on random matrices", l2_penalty_grad, 3102, GRAD,
     lambda rng: (rng.normal(size=(4, 6)),), "(lam / n) * W", {"rtol": 1e-9}),
    ("l1_penalty", "matches lam/n * sum |w| on random weights", l1_penalty, 3201, PENALTY,
     lambda rng: (_weights(rng),), "lam / n times the sum of |w| over every matrix",
     {"rtol": 1e-9}),
    ("l1_penalty_grad", "matches (lam/n) sign(W) on random matrices", l1_penalty_grad, 3202, GRAD,
     lambda rng: (rng.normal(size=(5, 4)),), "(lam / n) * sign(W)", {"rtol": 1e-9}),
    ("sgd_l2_update", "matches (1 - lr lam/n) W - lr dW on random inputs", sgd_l2_update, 3301,
     UPDATE, _update_arrays, "", {"rtol": 1e-9, "atol": 1e-12}),
    ("sgd_l1_update", "matches W - lr (lam/n) sign(W) - lr dW on random inputs", sgd_l1_update,
     3302, UPDATE, _update_arrays, "", {"rtol": 1e-9, "atol": 1e-12}),
]
for _name, _description, _reference, _seed, _cases, _draw, _hint, _tolerance in VALUES:
    HIDDEN.property(_name, "values", _description)(
        _matches_reference(_name, _reference, _seed, _cases, _draw, _hint, **_tolerance))


@HIDDEN.property("l2_penalty", "all_matrices", "sums over every matrix of the list")
def l2_penalty__all_matrices(call):
    ws = [np.zeros((2, 2)), np.array([[1.0, -2.0]]), np.array([[0.5], [0.5]])]
    expect.close(call("l2_penalty", ws, 2.0, 1), 5.5, "l2_penalty of three matrices, lam=2, n=1",
                 rtol=1e-9, hint="loop over the whole list; each matrix adds its sum of squares")


@HIDDEN.property("l2_penalty", "half", "the factor is lam/(2n), not lam/n")
def l2_penalty__half(call):
    expect.close(call("l2_penalty", [np.array([[2.0]])], 1.0, 1), 2.0,
                 "l2_penalty([[2]], lam=1, n=1)", rtol=1e-9,
                 hint="the 1/2 makes the gradient (lam/n) w")


@HIDDEN.property("l2_penalty_grad", "derivative",
                 "agrees with central differences of lam/(2n) * sum W^2")
def l2_penalty_grad__derivative(call):
    rng = np.random.default_rng(3103)
    W, lam, n = rng.normal(size=(3, 2)), 1.3, 10
    num = gradient(lambda V: l2_penalty([V], lam, n), W, 1e-5)
    expect.close(call("l2_penalty_grad", W, lam, n), num, "l2_penalty_grad against central "
                 "differences", rtol=1e-5, atol=1e-9,
                 hint="the derivative of lam/(2n) w^2 is (lam/n) w: the 2 cancels the 1/2")


@HIDDEN.property("l2_penalty_grad", "pure", "leaves W unchanged")
def l2_penalty_grad__pure(call):
    expect.pure_values(call, "l2_penalty_grad", [((np.array([[1.0, -2.0], [0.5, 3.0]]), 0.5, 4),
                                                  {})], l2_penalty_grad, rtol=1e-12)


@HIDDEN.property("l1_penalty", "all_matrices", "sums over every matrix of the list")
def l1_penalty__all_matrices(call):
    ws = [np.zeros((2, 2)), np.array([[1.0, 2.0]]), np.array([[0.5], [0.5]])]
    expect.close(call("l1_penalty", ws, 2.0, 1), 8.0, "l1_penalty of three matrices, lam=2, n=1",
                 rtol=1e-9, hint="loop over the whole list")


@HIDDEN.property("l1_penalty", "absolute", "negative weights count by their absolute value")
def l1_penalty__absolute(call):
    expect.close(call("l1_penalty", [np.array([[-1.0, -2.0], [3.0, 0.0]])], 1.0, 2), 3.0,
                 "l1_penalty([[-1, -2], [3, 0]], lam=1, n=2)", rtol=1e-9,
                 hint="sum |w|, not w")


@HIDDEN.property("l1_penalty_grad", "sign_zero", "is exactly 0 where W == 0 (sign(0) = 0)")
def l1_penalty_grad__sign_zero(call):
    W = np.array([[0.0, 1.5], [-2.0, 0.0], [0.0, -0.0]])
    expect.close(call("l1_penalty_grad", W, 2.0, 4), 0.5 * np.sign(W),
                 "l1_penalty_grad with zero weights", atol=0, rtol=1e-12, inputs=W,
                 hint="np.sign(0) is 0; W / |W| gives NaN and W >= 0 gives 1")


@HIDDEN.property("l1_penalty_grad", "derivative",
                 "agrees with central differences of lam/n * sum |W| away from 0")
def l1_penalty_grad__derivative(call):
    rng = np.random.default_rng(3203)
    W = rng.uniform(0.2, 2.0, size=(3, 3)) * rng.choice([-1.0, 1.0], size=(3, 3))
    lam, n = 1.3, 10
    num = gradient(lambda V: l1_penalty([V], lam, n), W, 1e-5)
    expect.close(call("l1_penalty_grad", W, lam, n), num, "l1_penalty_grad against central "
                 "differences", rtol=1e-5, atol=1e-9, inputs=W)


@HIDDEN.property("sgd_l2_update", "decay", "with dW = 0 every weight shrinks towards 0 by (1 - lr lam/n)")
def sgd_l2_update__decay(call):
    W = np.array([[2.0, -3.0], [0.5, 0.0]])
    expect.close(call("sgd_l2_update", W, np.zeros_like(W), 0.5, 2.0, 10), 0.9 * W,
                 "sgd_l2_update with dW = 0, lr=0.5, lam=2, n=10", rtol=1e-12, inputs=W,
                 hint="weight decay multiplies w by (1 - lr lam / n): towards 0, not towards 1")


@HIDDEN.property("sgd_l2_update", "data_term", "with lam = 0 it is plain SGD: W - lr dW")
def sgd_l2_update__data_term(call):
    W, dW = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[0.4, -2.0], [1.0, 0.0]])
    expect.close(call("sgd_l2_update", W, dW, 0.25, 0.0, 50), W - 0.25 * dW,
                 "sgd_l2_update with lam = 0", rtol=1e-12,
                 hint="dW is already averaged over the mini-batch: subtract lr * dW, not "
                 "lr/n * dW")


@HIDDEN.property("sgd_l2_update", "pure", "leaves W and dW unchanged")
def sgd_l2_update__pure(call):
    expect.pure_values(call, "sgd_l2_update", [((np.array([[1.0, -2.0]]), np.array([[0.3, 0.1]]),
                                                 0.1, 1.0, 10), {})], sgd_l2_update, rtol=1e-12)


@HIDDEN.property("sgd_l1_update", "shrinks", "with dW = 0 every nonzero weight moves lr lam/n towards 0")
def sgd_l1_update__shrinks(call):
    W = np.array([[2.0, -3.0], [0.5, -0.25]])
    expect.close(call("sgd_l1_update", W, np.zeros_like(W), 0.5, 2.0, 10), W - 0.1 * np.sign(W),
                 "sgd_l1_update with dW = 0, lr=0.5, lam=2, n=10", rtol=1e-12, inputs=W,
                 hint="subtract lr (lam/n) sign(w): the slide's + sign pushes weights away from 0")


@HIDDEN.property("sgd_l1_update", "zero", "a zero weight gets no penalty step (sign(0) = 0)")
def sgd_l1_update__zero(call):
    W, dW = np.array([[0.0, 1.0], [0.0, -1.0]]), np.array([[0.5, 0.0], [-1.0, 0.0]])
    expect.close(call("sgd_l1_update", W, dW, 0.1, 10.0, 10), W - 0.1 * np.sign(W) - 0.1 * dW,
                 "sgd_l1_update with zero weights", rtol=1e-12, atol=1e-15, inputs=W,
                 hint="use np.sign, which is 0 at 0")


@HIDDEN.property("sgd_l1_update", "pure", "leaves W and dW unchanged")
def sgd_l1_update__pure(call):
    expect.pure_values(call, "sgd_l1_update", [((np.array([[1.0, -2.0]]), np.array([[0.3, 0.1]]),
                                                 0.1, 1.0, 10), {})], sgd_l1_update, rtol=1e-12)
