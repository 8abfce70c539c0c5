"""Hidden checks of the conjugate-gradient methods: the Fletcher-Reeves and
Polak-Ribiere betas, linear CG on SPD systems and nonlinear CG with restarts.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks import ex05_second_order_methods as fns
from betternets.checks.ex05_second_order_methods import (
    ILL, QUAD, ROSEN, result_and_path)

from ... import HIDDEN
from .reference import (fletcher_reeves_beta, linear_cg, nonlinear_cg, polak_ribiere_beta,
                        _nonlinear_cg)
from .matrices import spd_system
from .line_search import armijo_edges


# --------------------------------------------------------------------------- betas

def _gradient_pairs(seed):
    rng = np.random.default_rng(seed)
    for n in (2, 5, 20):
        g_old = rng.normal(size=n)
        for scale in (0.3, 1.0, 3.0):
            yield g_old, scale * rng.normal(size=n) + 0.5 * g_old


def _beta_values(name, reference, seed, hint, **tolerance):
    """The property "values" of a beta rule: one number, the reference's, on random pairs of
    gradients of 2, 5 and 20 dimensions."""
    def values(call):
        pairs = list(_gradient_pairs(seed))
        betas = call.values((name, (g_new, g_old)) for g_old, g_new in pairs)
        for (g_old, g_new), got in zip(pairs, betas):
            expect.true(np.ndim(got) == 0, f"{name} should return one number",
                        "use dot products (g @ g), which give a scalar")
            expect.close(got, reference(g_new, g_old), f"{name} in {g_new.size}-D",
                         hint=hint, **tolerance)
    return values


HIDDEN.property("fletcher_reeves_beta", "values", "matches g_new.g_new / g_old.g_old")(
    _beta_values("fletcher_reeves_beta", fletcher_reeves_beta, 5021,
                 "new gradient squared over old gradient squared", rtol=1e-9))


@HIDDEN.property("fletcher_reeves_beta", "pure", "leaves its arguments unchanged")
def fletcher_reeves_beta__pure(call):
    expect.pure_values(call, "fletcher_reeves_beta",
                       [((np.array([1.0, -2.0, 0.5]), np.array([3.0, 0.1, 1.0])), {})],
                       fletcher_reeves_beta, rtol=1e-12)


HIDDEN.property("polak_ribiere_beta", "values", "matches PR+ on random gradients")(
    _beta_values("polak_ribiere_beta", polak_ribiere_beta, 5022,
                 "max(0, (g_new - g_old).g_new / g_old.g_old)", rtol=1e-9, atol=1e-12))


@HIDDEN.property("polak_ribiere_beta", "clipping",
                 "a negative Polak-Ribiere value becomes 0; a positive one is kept")
def polak_ribiere_beta__clipping(call):
    g_old = np.array([3.0, -1.0, 2.0])
    # PR values: 0.2 (0.2 - 1) = -0.16 -> 0; -2/14 -> 0; 2 (2 - 1) = 2; 4/14 kept.
    for g_new, want in [(0.2 * g_old, 0.0), (np.array([1.0, 0.0, 0.0]), 0.0),
                        (2.0 * g_old, 2.0), (np.array([4.0, 0.0, 2.0]), 4.0 / 14.0)]:
        expect.close(call("polak_ribiere_beta", g_new, g_old), want,
                     f"polak_ribiere_beta({g_new}, {g_old})", atol=1e-12, rtol=1e-9,
                     hint="PR+ = max(0, PR): clip negatives to 0, leave positives alone")


# --------------------------------------------------------------------------- linear_cg


@HIDDEN.property("linear_cg", "values",
                 "the iterates equal the reference's (CG's iterates are unique) and x solves A x = b")
def linear_cg__values(call):
    rng = np.random.default_rng(5031)
    for n in (2, 5, 8):
        A, b = spd_system(rng, n)
        x0 = rng.normal(size=n)
        x, path = result_and_path(expect.pure(call, "linear_cg", A, b, x0=x0), x0, "linear_cg")
        x_ref, path_ref = linear_cg(A, b, x0=x0)
        expect.close(x, x_ref, f"linear_cg's x in {n}-D", rtol=1e-7, atol=1e-8)
        m = min(len(path), len(path_ref), n + 1)
        expect.close(path[:m], path_ref[:m], f"linear_cg's path in {n}-D", rtol=1e-6, atol=1e-8,
                     hint="each iterate minimizes the error over the directions so far: "
                          "alpha = r.r / d.A d, beta = r_new.r_new / r.r, d = -r_new + beta d")
    A, b = spd_system(rng, 4)
    x, path = result_and_path(call("linear_cg", A, b), np.zeros(4), "linear_cg")
    expect.close(A @ x, b, "A @ x with x0=None (start at zeros)", rtol=0, atol=1e-8)


@HIDDEN.property("linear_cg", "n_steps",
                 "at most n steps on random SPD systems, at most 3 with 3 distinct eigenvalues")
def linear_cg__n_steps(call):
    rng = np.random.default_rng(5032)
    for n in (3, 6, 10):
        A, b = spd_system(rng, n)
        x, path = result_and_path(call("linear_cg", A, b), np.zeros(n), "linear_cg")
        expect.close(A @ x, b, f"A @ x in {n}-D", rtol=0, atol=1e-8)
        expect.true(len(path) - 1 <= n, f"linear_cg took {len(path) - 1} steps on a {n}x{n} "
                    "system", "conjugate directions: d = -r + beta d_prev with "
                    "beta = r_new.r_new / r.r; steepest descent needs many more steps")
    A, b = spd_system(rng, 8, [1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 10.0, 10.0])
    x, path = result_and_path(call("linear_cg", A, b), np.zeros(8), "linear_cg")
    expect.close(A @ x, b, "A @ x with 3 distinct eigenvalues", rtol=0, atol=1e-8)
    expect.true(len(path) - 1 <= 3, f"with 3 distinct eigenvalues CG needs 3 steps; yours took "
                f"{len(path) - 1}", "stop as soon as norm(r) < tol")


@HIDDEN.property("linear_cg", "conjugate", "its steps are A-conjugate: s_i^T A s_j = 0 for i != j")
def linear_cg__conjugate(call):
    rng = np.random.default_rng(5033)
    A, b = spd_system(rng, 6)
    x, path = result_and_path(call("linear_cg", A, b), np.zeros(6), "linear_cg")
    steps = np.diff(path, axis=0)
    expect.true(len(steps) >= 2, f"linear_cg's path has {len(steps)} step(s) on a 6x6 system",
                "append x after every step")
    gram = steps @ A @ steps.T
    scale = np.sqrt(np.outer(np.diag(gram), np.diag(gram)))
    off = np.abs(gram - np.diag(np.diag(gram))) / np.maximum(scale, 1e-300)
    i, j = np.unravel_index(np.argmax(off), off.shape)
    expect.true(off[i, j] < 1e-6, f"steps {i} and {j} are not A-conjugate "
                f"(normalized s_i^T A s_j = {off[i, j]:.2e})",
                "the new direction is d = -r + beta d_prev with beta = r_new.r_new / r.r")


# --------------------------------------------------------------------------- nonlinear_cg

def _cg_prefix(f, grad, w0, rule, **kw):
    """Reference path up to the step taken at the first restart for descent (inclusive):
    after it, counting 'every restart_every steps' from the start or from that restart differ."""
    _, path, restarts = _nonlinear_cg(f, grad, w0, rule, **kw)
    return path if not restarts else path[:restarts[0] + 2]


def _compare_cg(call, token, local, w0, rule, what, limit=60, **kw):
    kw.setdefault("max_iter", limit)
    w, path = result_and_path(call("nonlinear_cg", *token, w0, beta=rule, **kw), w0,
                              "nonlinear_cg")
    expected = _cg_prefix(*local, w0, rule, **kw)[:limit + 1]
    m = len(expected)
    expect.true(len(path) >= m, f"{what}: your path has {len(path) - 1} steps, the reference "
                f"takes at least {m - 1}", "stop only when norm(g) < tol")
    expect.close(path[:m], expected, what, rtol=1e-6, atol=1e-9,
                 hint="d = -g + beta d_prev (the slide's +g points uphill), start and restart "
                      "with d = -g every restart_every steps (default len(w0)), step with the "
                      "Armijo line search (alpha0 = 1, rho = 0.5, c = 1e-4)")


for _name in ("nonlinear_cg", "bfgs"):
    HIDDEN.property(_name, "armijo", "its line search is Armijo's with c = 1e-4 and alpha0 = 1, "
                    "rho = 0.5: decided right on quadratics at the edge of the test")(
        lambda call, name=_name: armijo_edges(call, name))


@HIDDEN.property("nonlinear_cg", "values",
                 "FR and PR+ iterates match the reference on a quadratic and on Rosenbrock")
def nonlinear_cg__values(call):
    for rule in ("FR", "PR"):
        _compare_cg(call, QUAD, fns.LOCAL["quad"], np.zeros(4), rule,
                    f"path on a 4-D quadratic with beta={rule!r}")
        _compare_cg(call, ROSEN, fns.LOCAL["rosenbrock"], np.array([-1.2, 1.0]), rule,
                    f"path on Rosenbrock with beta={rule!r}", limit=40)


@HIDDEN.property("nonlinear_cg", "rosenbrock",
                 "reaches Rosenbrock's minimum from (-1.2, 1): FR with the default restarts "
                 "(tol 1e-3), PR+ restarting only for descent (tol 1e-4)")
def nonlinear_cg__rosenbrock(call):
    # PR+ with the default restart every 2 steps needs thousands of Armijo steps here, and
    # counting "every n steps" from the start or from the last restart changes how many; with
    # restart_every=10**6 both readings of the contract take the same path.
    w0 = np.array([-1.2, 1.0])
    for rule, tol, kw in [("FR", 1e-3, {}), ("PR", 1e-4, {"restart_every": 10 ** 6})]:
        w, _ = result_and_path(call("nonlinear_cg", *ROSEN, w0, beta=rule, max_iter=5000,
                                    tol=tol, **kw), w0, "nonlinear_cg")
        grad_norm = np.linalg.norm(fns.rosenbrock_grad(w))
        expect.true(grad_norm < tol and np.allclose(w, 1, atol=1e-2),
                    f"with beta={rule!r}, {kw or 'default restarts'}, max_iter=5000 and "
                    f"tol={tol:g} you ended at {w}, gradient norm {grad_norm:.2e}",
                    "d = -g + beta d_prev; restart with d = -g whenever g.d >= 0, and every "
                    "restart_every steps")


@HIDDEN.property("nonlinear_cg", "ill_conditioned",
                 "on a 10-D quadratic with condition number 100 it converges as fast as CG "
                 "should (at most twice the reference's iterations)")
def nonlinear_cg__ill_conditioned(call):
    w0 = np.ones(10)
    for rule in ("FR", "PR"):
        w, path = result_and_path(call("nonlinear_cg", *ILL, w0, beta=rule), w0, "nonlinear_cg")
        _, path_ref = nonlinear_cg(*fns.LOCAL["ill"], w0, beta=rule)
        expect.close(w, fns.ILL_MIN, f"the minimum found with beta={rule!r}", rtol=0, atol=1e-5)
        expect.true(len(path) - 1 <= 2 * (len(path_ref) - 1),
                    f"with beta={rule!r} you took {len(path) - 1} iterations; nonlinear CG "
                    f"needs {len(path_ref) - 1}", "steepest descent is slow on ill-conditioned "
                    "problems: is beta * d_prev added to -g?")


@HIDDEN.property("nonlinear_cg", "restarts",
                 "restart_every=1 is steepest descent; restart_every=3 and restarts when "
                 "g.d >= 0 match the reference")
def nonlinear_cg__restarts(call):
    _compare_cg(call, QUAD, fns.LOCAL["quad"], np.zeros(4), "FR",
                "path with restart_every=1 (every step d = -g)", restart_every=1)
    _compare_cg(call, QUAD, fns.LOCAL["quad"], np.zeros(4), "FR",
                "path with restart_every=3 on a 4-D quadratic", restart_every=3)
    _compare_cg(call, ROSEN, fns.LOCAL["rosenbrock"], np.array([-1.2, 1.0]), "PR",
                "path on Rosenbrock with restart_every=10**6 (only restarts for descent)",
                restart_every=10 ** 6, max_iter=30)


@HIDDEN.property("nonlinear_cg", "unknown_rule",
                 "an unknown beta rule raises ValueError naming beta")
def nonlinear_cg__unknown_rule(call):
    for rule in ("HS", "fr_pr", ""):
        expect.raises_value_error(call, "nonlinear_cg", *QUAD, np.zeros(4), beta=rule,
                                  mentions="beta")
