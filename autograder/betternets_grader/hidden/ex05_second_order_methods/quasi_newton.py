"""Hidden checks of `bfgs_update` and `bfgs`.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks import ex05_second_order_methods as fns
from betternets.checks import functions
from betternets.checks.calls import Fn
from betternets.checks.ex05_second_order_methods import (
    ILL, QUAD, ROSEN, WELL, result_and_path)

from ... import HIDDEN
from .reference import bfgs, bfgs_update, _bfgs
from .matrices import random_rotation, symmetric


# --------------------------------------------------------------------------- bfgs_update

def _update_cases(seed):
    rng = np.random.default_rng(seed)
    for n in (2, 4, 7):
        H = symmetric(random_rotation(rng, n), rng.uniform(0.2, 3.0, size=n))
        s = rng.normal(size=n)
        y = symmetric(random_rotation(rng, n), rng.uniform(0.5, 4.0, size=n)) @ s  # y.s > 0
        yield H, s, y


@HIDDEN.property("bfgs_update", "values", "matches the BFGS inverse update on random inputs")
def bfgs_update__values(call):
    for H, s, y in _update_cases(5041):
        got = expect.pure(call, "bfgs_update", H, s, y)
        expect.close(got, bfgs_update(H, s, y), f"bfgs_update in {len(s)}-D", rtol=1e-7,
                     atol=1e-10, hint="(I - rho s y^T) H (I - rho y s^T) + rho s s^T, "
                     "rho = 1/(y.s)")


@HIDDEN.property("bfgs_update", "secant", "H_new @ y == s on random inputs")
def bfgs_update__secant(call):
    cases = list(_update_cases(5042))
    for (H, s, y), got in zip(cases, call.values(("bfgs_update", c) for c in cases)):
        H_new = expect.same_shape(got, H.shape, "bfgs_update's result")
        expect.close(H_new @ y, s, f"H_new @ y in {len(s)}-D", rtol=1e-7, atol=1e-10,
                     hint="the inverse update maps y to s; rho = 1/(y.s), not 1/(s.s); the "
                          "direct (Hessian) update maps s to y instead")


@HIDDEN.property("bfgs_update", "symmetric_pd",
                 "the result is symmetric and positive definite when y.s > 0")
def bfgs_update__symmetric_pd(call):
    cases = list(_update_cases(5043))
    for (H, _s, _y), got in zip(cases, expect.pure_many(call, [("bfgs_update", c)
                                                               for c in cases])):
        H_new = expect.same_shape(got, H.shape, "bfgs_update's result")
        expect.close(H_new, H_new.T, "H_new against its transpose", rtol=1e-8, atol=1e-10,
                     hint="(I - rho s y^T) on the left, its transpose (I - rho y s^T) on the right")
        lam = np.linalg.eigvalsh((H_new + H_new.T) / 2)
        expect.true(lam.min() > 0, f"H_new has eigenvalue {lam.min():.3g} although y.s > 0",
                    "check the formula against the docstring")


# --------------------------------------------------------------------------- bfgs

@HIDDEN.property("bfgs", "values",
                 "its iterates match the reference on a quadratic and on Rosenbrock")
def bfgs__values(call):
    for token, name, w0, limit in [(QUAD, "quad", np.zeros(4), None),
                                   (ILL, "ill", np.ones(10), None),
                                   (ROSEN, "rosenbrock", np.array([-1.2, 1.0]), 25)]:
        w, path = result_and_path(call("bfgs", *token, w0), w0, "bfgs")
        _, expected = bfgs(*fns.LOCAL[name], w0)
        expected = expected[:limit]
        m = len(expected)
        expect.true(len(path) >= m, f"on {name} your path has {len(path) - 1} steps, "
                    f"the reference takes {m - 1} or more", "stop only when norm(g) < tol")
        expect.close(path[:m], expected, f"bfgs path on {name}", rtol=1e-6, atol=1e-9,
                     hint="H_inv = I at the start, d = -H_inv g, Armijo line search "
                          "(alpha0 = 1), then H_inv = bfgs update with s = w_new - w, "
                          "y = g_new - g")


@HIDDEN.property("bfgs", "rosenbrock",
                 "from four starts on Rosenbrock it needs at most twice the iterations of "
                 "scipy.optimize.minimize(method='BFGS')")
def bfgs__rosenbrock(call):
    from scipy.optimize import minimize
    for start in [(-1.2, 1.0), (-1.5, 2.0), (0.0, 0.0), (2.0, 2.0)]:
        w0 = np.array(start)
        w, path = result_and_path(call("bfgs", *ROSEN, w0), w0, "bfgs")
        nit = minimize(fns.rosenbrock_f, w0, jac=fns.rosenbrock_grad, method="BFGS",
                       options={"gtol": 1e-6, "norm": 2}).nit
        expect.close(w, [1.0, 1.0], f"bfgs's result from {start}", rtol=0, atol=1e-5)
        expect.true(len(path) - 1 <= 2 * nit, f"from {start} you took {len(path) - 1} "
                    f"iterations; scipy's BFGS takes {nit}",
                    "without a working update of H, BFGS is gradient descent")


@HIDDEN.property("bfgs", "straight",
                 "skips the update when y.s = 0 exactly (a straight stretch: no NaN)")
def bfgs__straight(call):
    # along w_0 the trough is straight: every step has y = 0, so H_inv stays I and the path
    # goes (0, 0), (-1, 0), ..., (-4, 0) exactly
    w0 = np.zeros(2)
    w, path = result_and_path(call("bfgs", Fn("betternets.checks.functions:straight_trough"),
                                   Fn("betternets.checks.functions:straight_trough_grad"), w0,
                                   max_iter=4), w0, "bfgs")
    _, expected = bfgs(functions.straight_trough, functions.straight_trough_grad, w0,
                           max_iter=4)
    expect.close(path, expected, "bfgs path on w_0 + w_1^2/2 from (0, 0), 4 steps", rtol=0,
                 atol=1e-12, hint="update H_inv only when y.s > 0; y.s = 0 would divide by 0")


@HIDDEN.property("bfgs", "skip_update",
                 "skips the update when y.s <= 0 (a concave stretch of a double well)")
def bfgs__skip_update(call):
    w0 = np.array([0.3, 0.1])
    w, path = result_and_path(call("bfgs", *WELL, w0, max_iter=50), w0, "bfgs")
    _, expected, skipped = _bfgs(*fns.LOCAL["double_well"], w0, max_iter=50)
    assert skipped == [0]
    m = len(expected)
    expect.true(len(path) >= m, f"your path has {len(path) - 1} steps, the reference takes "
                f"{m - 1}", "stop only when norm(g) < tol")
    expect.close(path[:m], expected, "bfgs path on x^4/4 - x^2/2 + y^2/2 from (0.3, 0.1)",
                 rtol=1e-6, atol=1e-9, hint="the first step has y.s < 0: keep H_inv as it is "
                 "then (updating would make it indefinite)")
    expect.close(w, [1.0, 0.0], "bfgs's result on the double well", rtol=0, atol=1e-5)
