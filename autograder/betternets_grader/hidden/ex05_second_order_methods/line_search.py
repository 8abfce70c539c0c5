"""Hidden checks of `backtracking_line_search`, and the Armijo edge cases that
`nonlinear_cg` and `bfgs` are judged on too (`armijo_edges`).
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks import ex05_second_order_methods as fns
from betternets.checks import functions
from betternets.checks.calls import Fn
from betternets.checks.ex05_second_order_methods import (
    ILL, QUAD, ROSEN, armijo_holds, result_and_path)

from ... import HIDDEN, reference
from .reference import backtracking_line_search


# --------------------------------------------------------------------------- line search

LINE_CASES = [  # (function pair name, w, d or None for -grad, kwargs)
    ("rosenbrock", [-1.2, 1.0], None, {}),
    ("rosenbrock", [0.3, -0.4], None, {"alpha0": 2.0, "rho": 0.3}),
    ("rosenbrock", [1.5, 1.5], None, {"c": 0.5}),
    ("quad", [0.5, -1.0, 2.0, 0.3], None, {"alpha0": 3.0, "rho": 0.7, "c": 0.3}),
    ("half_square", [1.0, -2.0], [-4.0, 8.0], {"alpha0": 4.0, "c": 0.5}),
    ("ill", list(np.linspace(-1.0, 1.0, 10)), None, {"rho": 0.8}),
]


def _line_cases():
    for name, w, d, kw in LINE_CASES:
        f, grad = fns.LOCAL[name]
        w = np.array(w)
        d = -grad(w) if d is None else np.array(d)
        token = {"rosenbrock": ROSEN, "quad": QUAD, "half_square": fns.HALF, "ill": ILL}[name]
        yield name, token, f, grad, w, d, kw


def _line_steps(call, cases) -> list:
    """The student's step on each line-search case, all in one round trip."""
    return call.values(("backtracking_line_search", (*token, w, d), kw)
                       for _, token, _, _, w, d, kw in cases)


@HIDDEN.property("backtracking_line_search", "armijo",
                 "the returned step satisfies Armijo, for several c, rho and alpha0")
def backtracking_line_search__armijo(call):
    cases = list(_line_cases())
    for (name, _token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
        alpha = float(alpha)
        c = kw.get("c", 1e-4)
        expect.true(alpha > 0 and armijo_holds(f, grad, w, d, alpha, c),
                    f"on {name} with {kw or 'the defaults'}: alpha = {alpha:.6g} does not satisfy "
                    "f(w + alpha d) <= f(w) + c alpha grad.d",
                    "the right side is f(w) + c * alpha * grad(w).d; grad.d < 0 along a "
                    "descent direction, so f must drop")


@HIDDEN.property("backtracking_line_search", "largest",
                 "the step is alpha0 rho^k and the step before it (alpha / rho) fails Armijo")
def backtracking_line_search__largest(call):
    cases = list(_line_cases())
    for (name, _token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
        alpha = float(alpha)
        alpha0, rho, c = kw.get("alpha0", 1.0), kw.get("rho", 0.5), kw.get("c", 1e-4)
        k = np.log(alpha / alpha0) / np.log(rho) if alpha > 0 else np.inf
        expect.true(np.isfinite(k) and abs(k - round(k)) < 1e-6 and round(k) >= 0,
                    f"on {name}: alpha = {alpha:.6g} is not alpha0 * rho^k "
                    f"(alpha0 = {alpha0}, rho = {rho})",
                    "start at alpha0 and multiply by rho; use the arguments, not fixed numbers")
        if round(k) > 0:
            expect.true(not armijo_holds(f, grad, w, d, alpha / rho, c),
                        f"on {name} with {kw or 'the defaults'}: alpha / rho = {alpha / rho:.6g} "
                        "already satisfies Armijo, so the search went too far",
                        "stop at the first (largest) step that satisfies the condition")


@HIDDEN.property("backtracking_line_search", "values", "equals the reference step")
def backtracking_line_search__values(call):
    cases = list(_line_cases())
    for (name, _token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
        expect.close(alpha, backtracking_line_search(f, grad, w, d, **kw),
                     f"the step on {name} with {kw or 'the defaults'}", rtol=1e-12,
                     hint="largest alpha0 * rho^k with f(w + a d) <= f(w) + c a grad.d")


def armijo_edges(call, name):
    """First steps on a/2 w^2 from w0 = 1, where Armijo's test at alpha = 1 is decided by a hair
    (see betternets.checks.functions): c = 1e-4 and the sign of c alpha g.d both show."""
    w0 = np.array([1.0])
    for fn, what in [("armijo_edge", "a = 1.99975: alpha = 1 passes with c = 1e-4"),
                     ("armijo_over", "a = 2.0001: alpha = 1 fails, alpha = 0.5 passes")]:
        f, g = getattr(functions, fn), getattr(functions, fn + "_grad")
        w, path = result_and_path(call(name, Fn(f"betternets.checks.functions:{fn}"),
                                       Fn(f"betternets.checks.functions:{fn}_grad"), w0,
                                       max_iter=3), w0, name)
        _, expected = reference(name)(f, g, w0, max_iter=3)
        expect.close(path[:len(expected)], expected, f"{name}'s first steps on {what}",
                     rtol=1e-9, atol=1e-12,
                     hint="Armijo: accept alpha when f(w + alpha d) <= f(w) + c alpha g.d with "
                          "c = 1e-4 (g.d < 0, so the bar lies below f(w)); else alpha *= 0.5")
