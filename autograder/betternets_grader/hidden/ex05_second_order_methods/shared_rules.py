"""The shared contract's rules for notebook 05, made by `betternets.checks.contract`: float64
answers for integer-valued input and at 1e30 (whose square overflows float32); new objects
from the iterative methods started where there is nothing to do (a converged start must not
come back as the caller's own array); and the Armijo condition at its true scale in `bfgs`.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import contract, expect
from betternets.checks.calls import Fn
from betternets.checks.core import CheckFailed
from betternets.checks.ex05_second_order_methods import HALF, result_and_path

from ... import HIDDEN
from . import reference as ref

SQUARE = (Fn("betternets.checks.functions:square_sum"),
          Fn("betternets.checks.functions:square_sum_grad"))
_H = np.array([[4, 1], [1, 3]])

FLOAT64 = {  # exercise: cases (args, kwargs)
    "newton_step": [((np.array([1, -2]), np.array([3, 1]), _H), {})],
    # integer-valued w and d; then Armijo tests decided in the 8th digit: on |w|^2 / 2 from
    # w = 1/3 along d = -0.6 the full step passes exactly when c <= 0.1 (in float64;
    # w or d rounded to float32 moves that edge by 3e-8), and a d truncated to an integer
    # (-0.5 -> 0) makes every step pass at c = 0.9
    "backtracking_line_search": [((*SQUARE, np.array([1, 2]), np.array([-1, -3])), {}),
                                 ((*HALF, np.array([2, 0]), np.array([-1, 0])), {}),
                                 ((*HALF, np.array([1 / 3]), np.array([-0.6])), {"c": 0.1 - 2e-8}),
                                 ((*HALF, np.array([1 / 3]), np.array([-0.6])), {"c": 0.1 + 1e-8}),
                                 ((*HALF, np.array([1.0]), np.array([-0.5])), {"c": 0.9})],
    "fletcher_reeves_beta": [((np.array([1, 2]), np.array([3, -1])), {}),
                             ((np.array([1e30, 1.0]), np.array([2e30, 1.0])), {})],
    "polak_ribiere_beta": [((np.array([3, 2]), np.array([1, -1])), {}),
                           ((np.array([3e30, 1.0]), np.array([2e30, 1.0])), {})],
    "bfgs_update": [((np.eye(2, dtype=int), np.array([1, 2]), np.array([2, 3])), {})],
}
for _name, _cases in FLOAT64.items():
    contract.register(HIDDEN, _name, "float64",
                      "float64 answers for integer-valued input"
                      + (", right at 1e30" if "beta" in _name else "")
                      + (", and Armijo tests decided in float64 (an edge 1e-8 wide)"
                         if _name == "backtracking_line_search" else ""),
                      contract.float64(_name, _cases, getattr(ref, _name), rtol=1e-12))


def _same_label(got, expected, what):
    if got != expected:
        raise CheckFailed(f"{what} gave {got!r}, expected {expected!r}",
                          "compute the eigenvalues of np.asarray(H, dtype=float)")


contract.register(HIDDEN, "classify_critical_point", "integer",
                  "an integer-valued Hessian is classified as its float twin",
                  contract.matches("classify_critical_point",
                                   [((np.array([[2, 0], [0, 3]]),), {}),
                                    ((np.array([[2, 0], [0, -3]]),), {}),
                                    ((np.array([[-1, 0], [0, -4]]),), {})],
                                   ref.classify_critical_point, judge=_same_label))


def _same_result(got, expected, what):
    """(w, path) as the reference's, to 1e-10: the start point and any later points."""
    w0 = np.asarray(expected[1])[0]
    w, path = result_and_path(got, w0, what)
    expect.close(w, expected[0], f"the w of {what}", rtol=1e-10, atol=1e-12)
    expect.close(path, expected[1], f"the path of {what}", rtol=1e-10, atol=1e-12,
                 hint="f(w + a d) <= f(w) + c a grad.d, with the slope grad.d as a number: "
                 "the Armijo bound shrinks with a")


_SPD = np.array([[4.0, 1.0], [1.0, 3.0]])
_X0 = np.array([1.0, 2.0])
NEW_OBJECTS = {  # exercise: cases started where there is nothing to do
    "linear_cg": [((_SPD, _SPD @ _X0, _X0.copy()), {})],
    "nonlinear_cg": [((*HALF, np.zeros(2)), {})],
    "bfgs": [((*HALF, np.zeros(2)), {})],
}
for _name, _cases in NEW_OBJECTS.items():
    contract.register(HIDDEN, _name, "new_objects",
                      "started at the answer, returns a new array (never the start given)",
                      contract.new_objects(_name, _cases, getattr(ref, _name),
                                           judge=_same_result))

_F = "betternets.checks.functions"
WINDOWS = [((*SQUARE, np.array([1.0])), {})] + [
    ((Fn(f"{_F}:{name}"), Fn(f"{_F}:{name}_grad"), np.zeros(1)), {})
    for name in ("armijo_window", "armijo_narrow")]
for _name in ("nonlinear_cg", "bfgs"):
    contract.register(HIDDEN, _name, "armijo_scale",
                      "Armijo's bound f(w) + 1e-4 alpha grad.d, at its scale: on f = w^2 from "
                      "[1] the path is [1, 0], and two bowls decide the first step within "
                      "1e-4 alpha",
                      contract.matches(_name, WINDOWS, getattr(ref, _name), judge=_same_result))
