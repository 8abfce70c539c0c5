"""Hidden checks of `output_delta`, the output layer's delta dC/dz of sigmoid units for the
quadratic and the cross-entropy cost (Nielsen, Neural Networks and Deep Learning, ch. 3).
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks.ex01_activations import scalar_ok

from ... import HIDDEN
from .reference import output_delta

COSTS = ("quadratic", "cross_entropy")
DELTA_HINT = ("quadratic: (a - y) a (1 - a); cross-entropy: a - y (Nielsen ch. 3), elementwise, "
              "on float64 copies of a and y")


@HIDDEN.property("output_delta", "values",
                 "matches the reference for both costs on random arrays of three shapes")
def output_delta__values(call):
    rng = np.random.default_rng(1701)
    for shape in [(7,), (3, 4), (2, 3, 2)]:
        a = rng.uniform(0.0, 1.0, size=shape)
        for y in (rng.uniform(0.0, 1.0, size=shape), rng.integers(0, 2, size=shape) * 1.0):
            for cost in COSTS:
                expect.close(call("output_delta", a, y, cost), output_delta(a, y, cost),
                             f"output_delta(a, y, {cost!r}) for shape {shape}", rtol=1e-10,
                             atol=1e-14, inputs=a, hint=DELTA_HINT)


@HIDDEN.property("output_delta", "saturated",
                 "saturated units, a from 0 to 1 exactly: quadratic delta near 0, "
                 "cross-entropy a - y")
def output_delta__saturated(call):
    a = np.array([0.0, 1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12, 1.0, 1.0, 0.0])
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    for cost in COSTS:
        expect.close(call("output_delta", a, y, cost), output_delta(a, y, cost),
                     f"output_delta(a, y, {cost!r}) of saturated units", rtol=1e-9, atol=1e-15,
                     inputs=a, hint="a = 0 and a = 1 are allowed: " + DELTA_HINT)


@HIDDEN.property("output_delta", "float64",
                 "integer and float32 inputs give float64; a Python float gives a single number")
def output_delta__float64(call):
    cases = [(np.array([0, 1, 1]), np.array([1, 0, 1])),
             (np.array([0.25, 0.75], dtype=np.float32), np.array([1.0, 0.0], dtype=np.float32))]
    for a, y in cases:
        for cost in COSTS:
            got = call("output_delta", a, y, cost)
            dtype = np.asarray(got).dtype
            expect.true(dtype == np.float64, f"output_delta of {a.dtype} inputs returned "
                        f"dtype {dtype}, expected float64",
                        "convert first: a = np.asarray(a, dtype=np.float64), the same for y")
            expect.close(got, output_delta(a, y, cost), f"output_delta of {a.dtype} inputs",
                         rtol=1e-12, atol=1e-15, hint=DELTA_HINT)
    for cost in COSTS:
        scalar_ok(call("output_delta", 0.9, 0.0, cost), float(output_delta(0.9, 0.0, cost)),
                  f"output_delta(0.9, 0.0, {cost!r})")


@HIDDEN.property("output_delta", "bad_input",
                 "ValueError for shapes that differ, an a outside [0, 1] and an unknown cost")
def output_delta__bad_input(call):
    # Shapes that broadcast too: numpy would combine them without a word.
    for a_shape, y_shape in [((3,), (2,)), ((2, 3), (3,)), ((1,), (4,))]:
        for cost in COSTS:
            expect.raises_value_error(call, "output_delta", np.full(a_shape, 0.5),
                                      np.zeros(y_shape), cost, mentions="shape")
    for bad in ([0.5, 1.2], [-0.1, 0.5], [0.5, 1.0 + 1e-9]):
        for cost in COSTS:
            expect.raises_value_error(call, "output_delta", np.array(bad), np.zeros(2), cost,
                                      mentions="[0, 1]")
    for cost in ("Quadratic", "cross-entropy", None):
        expect.raises_value_error(call, "output_delta", np.full(2, 0.5), np.zeros(2), cost,
                                  mentions="cost")


@HIDDEN.property("output_delta", "pure", "a and y are left unchanged")
def output_delta__pure(call):
    rng = np.random.default_rng(1705)
    expect.pure_values(call, "output_delta",
                       [((rng.uniform(size=(4, 3)), rng.uniform(size=(4, 3)), cost), {})
                        for cost in COSTS], output_delta, rtol=1e-10, atol=1e-14)
