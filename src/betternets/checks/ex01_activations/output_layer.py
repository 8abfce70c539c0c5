"""Self-checks of `output_delta`, the output layer's delta dC/dz of sigmoid units, and the named
mistakes they recognise (Nielsen, Neural Networks and Deep Learning, ch. 3).
"""
from __future__ import annotations

import numpy as np

from .. import expect
from ..core import VISIBLE


# ---------------------------------------------------------------- output_delta
# Outputs a and targets y worked out by hand: the quadratic cost's delta (a - y) a (1 - a), the
# cross-entropy's a - y (Nielsen, Neural Networks and Deep Learning, ch. 3).
DELTA_A = np.array([0.5, 0.8, 0.2, 0.9])
DELTA_Y = np.array([1.0, 0.0, 0.0, 1.0])
QUADRATIC_DELTA = [-0.125, 0.128, 0.032, -0.009]
CROSS_ENTROPY_DELTA = [-0.5, 0.8, 0.2, -0.1]


# (cost, what the property checks, the delta by hand, the hint)
BY_COST = [
    ("quadratic", "quadratic cost: (a - y) a (1 - a) at a = 0.5, 0.8, 0.2, 0.9 for y = 1, 0, 0, 1",
     QUADRATIC_DELTA, "delta = (a - y) sigma'(z), and sigma'(z) = a (1 - a) for a = sigma(z)"),
    ("cross_entropy", "cross-entropy: a - y at a = 0.5, 0.8, 0.2, 0.9 for y = 1, 0, 0, 1",
     CROSS_ENTROPY_DELTA,
     "dC/da = (a - y) / (a (1 - a)) and sigma'(z) = a (1 - a) cancel: a - y"),
]
for _cost, _description, _expected, _hint in BY_COST:
    def _delta_by_hand(call, cost=_cost, expected=_expected, hint=_hint):
        expect.close(call("output_delta", DELTA_A, DELTA_Y, cost), expected,
                     f"output_delta(a, y, {cost!r})", rtol=1e-9, atol=1e-12, inputs=DELTA_A,
                     hint=hint)
    VISIBLE.property("output_delta", _cost, _description)(_delta_by_hand)


@VISIBLE.property("output_delta", "bad_cost", "a cost that is neither name raises ValueError")
def output_delta__bad_cost(call):
    expect.raises_value_error(call, "output_delta", DELTA_A, DELTA_Y, "squared",
                              mentions="cost")


def _deltas(call, cost: str) -> np.ndarray:
    return np.asarray(call("output_delta", DELTA_A, DELTA_Y, cost), dtype=float)


@VISIBLE.mistake("output_delta", "the sign flipped, y - a instead of a - y",
                 "delta = dC/dz is positive when a is above its target: a - y, not y - a")
def output_delta__looks_like_sign_flipped(call):
    return (np.allclose(_deltas(call, "quadratic"), np.negative(QUADRATIC_DELTA))
            or np.allclose(_deltas(call, "cross_entropy"), np.negative(CROSS_ENTROPY_DELTA)))


# (label, hint, the cost whose delta is wrong, the wrong delta: the other cost's)
SLOPE_MISTAKES = [
    ("sigma'(z) kept in the cross-entropy delta",
     "for cross-entropy dC/da = (a - y) / (a (1 - a)); times sigma'(z) = a (1 - a) that is "
     "a - y: the slope cancels, which is the point of the cost",
     "cross_entropy", QUADRATIC_DELTA),
    ("the quadratic delta without sigma'(z)",
     "the quadratic cost's delta is (a - y) sigma'(z) = (a - y) a (1 - a)",
     "quadratic", CROSS_ENTROPY_DELTA),
]
for _label, _hint, _cost, _wrong in SLOPE_MISTAKES:
    def _gives_other(call, cost=_cost, wrong=_wrong):
        return np.allclose(_deltas(call, cost), wrong)
    VISIBLE.mistake("output_delta", _label, _hint)(_gives_other)


@VISIBLE.mistake("output_delta", "sigma'(a) instead of sigma'(z)",
                 "a is already sigma(z): sigma'(z) = a (1 - a), do not apply the sigmoid again")
def output_delta__looks_like_sigmoid_of_a(call):
    s = 1.0 / (1.0 + np.exp(-DELTA_A))
    return np.allclose(_deltas(call, "quadratic"), (DELTA_A - DELTA_Y) * s * (1.0 - s))
