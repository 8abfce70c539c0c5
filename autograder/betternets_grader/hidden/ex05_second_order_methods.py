"""Notebook 05, instructor side: the reference of every exercise and its hidden checks.

The reference: Newton, conjugate gradients and BFGS (NW06 ch. 3, 5, 6; DLB 8.6).

Paths are arrays of shape (k + 1, n): the start point, then every iterate.

The hidden checks judge against the reference (and scipy, in this process).

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks import ex05_second_order_methods as fns
from betternets.checks import functions
from betternets.checks.calls import Fn
from betternets.checks.ex05_second_order_methods import (
    ILL, QUAD, ROSEN, WELL, armijo_holds, result_and_path)

from .. import HIDDEN, reference


# --------------------------------------------------------------------------- reference

EIG_ORDER = ("minimum", "maximum", "saddle", "degenerate")


def newton_step(w, g, H, lr=1.0):
    """w - lr * H^-1 g, by solving H p = g (never forming the inverse)."""
    w, g, H = (np.asarray(a, dtype=float) for a in (w, g, H))
    return w - lr * np.linalg.solve(H, g)


def classify_critical_point(H, tol=1e-8):
    """From the eigenvalues of the symmetric Hessian H.

    Both signs present (beyond tol): "saddle" (conclusive even with zero eigenvalues);
    all > tol: "minimum"; all < -tol: "maximum"; otherwise (semi-definite with |lambda| <= tol):
    "degenerate".
    """
    H = np.asarray(H, dtype=float)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    pos, neg = np.any(lam > tol), np.any(lam < -tol)
    if pos and neg:
        return "saddle"
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    return "degenerate"


def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
    """Largest alpha0 * rho^k with f(w + alpha d) <= f(w) + c alpha grad(w).d (Armijo)."""
    w, d = np.asarray(w, dtype=float), np.asarray(d, dtype=float)
    f0, slope = f(w), float(np.dot(grad_fn(w), d))
    alpha = alpha0
    while f(w + alpha * d) > f0 + c * alpha * slope:
        alpha *= rho
    return alpha


def fletcher_reeves_beta(g_new, g_old):
    """g_new.g_new / g_old.g_old."""
    g_new, g_old = np.asarray(g_new, dtype=float), np.asarray(g_old, dtype=float)
    return float(g_new @ g_new / (g_old @ g_old))


def polak_ribiere_beta(g_new, g_old):
    """PR+: max(0, (g_new - g_old).g_new / g_old.g_old)."""
    g_new, g_old = np.asarray(g_new, dtype=float), np.asarray(g_old, dtype=float)
    return float(max(0.0, (g_new - g_old) @ g_new / (g_old @ g_old)))


def linear_cg(A, b, x0=None, tol=1e-10):
    """Conjugate gradients for SPD A x = b (NW06 Alg. 5.2); stops when ||r|| < tol."""
    A, b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float)
    r = A @ x - b
    d = -r
    path = [x.copy()]
    for _ in range(10 * len(b)):
        if np.linalg.norm(r) < tol:
            break
        Ad = A @ d
        alpha = (r @ r) / (d @ Ad)
        x = x + alpha * d
        r_new = r + alpha * Ad
        beta = (r_new @ r_new) / (r @ r)
        d = -r_new + beta * d
        r = r_new
        path.append(x.copy())
    return x, np.array(path)


def _nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
    """nonlinear_cg, also returning the iterations at which it restarted for descent."""
    if beta not in ("FR", "PR"):
        raise ValueError(f"beta must be 'FR' or 'PR', got {beta!r}")
    w = np.array(w0, dtype=float)
    n_restart = len(w) if restart_every is None else restart_every
    path, descent_restarts = [w.copy()], []
    g_old = d = None
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        if k % n_restart == 0:
            d = -g
        else:
            b = fletcher_reeves_beta(g, g_old) if beta == "FR" else polak_ribiere_beta(g, g_old)
            d = -g + b * d
            if g @ d >= 0:
                d = -g
                descent_restarts.append(k)
        alpha = backtracking_line_search(f, grad_fn, w, d)
        w = w + alpha * d
        g_old = g
        path.append(w.copy())
    return w, np.array(path), descent_restarts


def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
    """d = -g + beta d_prev (beta by FR or PR+), Armijo backtracking, restart d = -g every
    restart_every steps (default len(w0)) and whenever g.d >= 0; stop when ||g|| < tol."""
    w, path, _ = _nonlinear_cg(f, grad_fn, w0, beta, max_iter, tol, restart_every)
    return w, path


def bfgs_update(H_inv, s, y):
    """(I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T with rho = 1/(y.s) (NW06 6.17)."""
    H_inv, s, y = (np.asarray(a, dtype=float) for a in (H_inv, s, y))
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ H_inv @ V + rho * np.outer(s, s)


def _bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
    """bfgs, also returning the iterations whose update was skipped (y.s <= 0)."""
    w = np.array(w0, dtype=float)
    H = np.eye(len(w))
    g = np.asarray(grad_fn(w), dtype=float)
    path, skipped = [w.copy()], []
    for k in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        alpha = backtracking_line_search(f, grad_fn, w, d)
        w_new = w + alpha * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        if y @ s > 0:
            H = bfgs_update(H, s, y)
        else:
            skipped.append(k)
        w, g = w_new, g_new
        path.append(w.copy())
    return w, np.array(path), skipped


def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
    """Quasi-Newton (NW06 Alg. 6.1 with Armijo backtracking): H_inv = I, d = -H_inv g,
    update by bfgs_update, skipped when y.s <= 0; stop when ||g|| < tol."""
    w, path, _ = _bfgs(f, grad_fn, w0, max_iter, tol)
    return w, path


# --------------------------------------------------------------------------- hidden checks

def _rotation(rng, n):
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return q


def _sym(q, eigenvalues):
    H = (q * np.asarray(eigenvalues, dtype=float)) @ q.T
    return (H + H.T) / 2


# --------------------------------------------------------------------------- newton_step

@HIDDEN.property("newton_step", "values",
                 "matches w - lr H^-1 g on random SPD and indefinite H in 2 to 6 dimensions")
def newton_step__values(call):
    rng = np.random.default_rng(5001)
    for n in (2, 3, 6):
        for signs in (1, -1):
            lam = rng.uniform(0.5, 5.0, size=n) * np.where(np.arange(n) % 2, signs, 1)
            H = _sym(_rotation(rng, n), lam)
            w, g, lr = rng.normal(size=n), rng.normal(size=n), float(rng.uniform(0.1, 1.5))
            got = expect.pure(call, "newton_step", w, g, H, lr=lr)
            expect.close(got, newton_step(w, g, H, lr), f"newton_step in {n}-D", rtol=1e-7,
                         atol=1e-9, hint="solve H p = g; H @ g or g / diag(H) are not H^-1 g")


@HIDDEN.property("newton_step", "quadratic",
                 "one step lands on the critical point of a quadratic, for lists, integer "
                 "matrices and non-contiguous arrays")
def newton_step__quadratic(call):
    rng = np.random.default_rng(5002)
    A = _sym(_rotation(rng, 5), [0.3, 1.0, 2.0, 7.0, 20.0])
    b = rng.normal(size=5)
    w = rng.normal(size=5)
    target = np.linalg.solve(A, b)
    got = call("newton_step", w, A @ w - b, np.asfortranarray(A.T))
    expect.close(got, target, "newton_step on 0.5 w^T A w - b^T w", rtol=1e-7, atol=1e-9,
                 hint="the minimum is where A w = b: one full Newton step reaches it")
    # A saddle x^2 - y^2 + 3xy, given as Python lists of ints: Newton jumps onto the saddle.
    H = [[2, 3], [3, -2]]
    got = call("newton_step", [1.0, 2.0], [8.0, -1.0], H)
    expect.close(got, [0.0, 0.0], "newton_step on the saddle x^2 + 3xy - y^2 from (1, 2) "
                 "(H and g given as lists)", rtol=0, atol=1e-9,
                 hint="convert with np.asarray(..., dtype=float); Newton goes to any critical "
                      "point, saddles included")


@HIDDEN.property("newton_step", "lr", "lr scales the step; lr = 0 leaves w where it is")
def newton_step__lr(call):
    rng = np.random.default_rng(5003)
    H = _sym(_rotation(rng, 3), [1.0, 2.0, 4.0])
    w, g = rng.normal(size=3), rng.normal(size=3)
    rates = (0.0, 0.25, 2.0)
    steps = call.values(("newton_step", (w, g, H), {"lr": lr}) for lr in rates)
    for lr, step in zip(rates, steps):
        expect.close(step, newton_step(w, g, H, lr),
                     f"newton_step with lr={lr}", rtol=1e-7, atol=1e-9,
                     hint="return w - lr * solve(H, g)")


# --------------------------------------------------------------------------- classify

def _expect_kind(call, H, want, what, **kw):
    got = call("classify_critical_point", H, **kw)
    expect.true(got == want, f"{what}: you returned {got!r}, expected {want!r}",
                "classify by the signs of the eigenvalues (np.linalg.eigvalsh), not by the "
                "diagonal, the trace or the determinant")


@HIDDEN.property("classify_critical_point", "rotated",
                 "rotated Hessians in 2-D and 3-D: minimum, maximum and saddle")
def classify_critical_point__rotated(call):
    rng = np.random.default_rng(5011)
    for n in (2, 3):
        q = _rotation(rng, n)
        lam = rng.uniform(0.5, 3.0, size=n)
        _expect_kind(call, _sym(q, lam), "minimum", f"rotated {n}-D positive definite H")
        _expect_kind(call, _sym(q, -lam), "maximum", f"rotated {n}-D negative definite H")
        mixed = lam * np.where(np.arange(n) == 0, -1, 1)
        _expect_kind(call, _sym(q, mixed), "saddle", f"rotated {n}-D H with eigenvalues "
                     f"{np.round(mixed, 3)}")


@HIDDEN.property("classify_critical_point", "higher_dim",
                 "3-D to 6-D Hessians whose determinant and trace mislead")
def classify_critical_point__higher_dim(call):
    rng = np.random.default_rng(5012)
    cases = [([-1.0, -2.0, 3.0], "saddle"),          # det > 0, trace = 0
             ([-1.0, -1.0, 5.0], "saddle"),          # det > 0, trace > 0
             ([1.0, -1.0, -1.0, -1.0], "saddle"),    # det < 0
             ([-1.0, -2.0, -3.0, -4.0], "maximum"),  # det > 0
             ([0.5, 1.0, 2.0, 4.0, 8.0, 16.0], "minimum")]
    for lam, want in cases:
        H = _sym(_rotation(rng, len(lam)), lam)
        _expect_kind(call, H, want, f"{len(lam)}-D H with eigenvalues {lam}")


@HIDDEN.property("classify_critical_point", "degenerate",
                 "a zero eigenvalue (to tol) with no sign change is degenerate; with both signs "
                 "it is still a saddle")
def classify_critical_point__degenerate(call):
    rng = np.random.default_rng(5013)
    for lam, want in [([2.0, 0.0], "degenerate"), ([-2.0, 0.0, -1.0], "degenerate"),
                      ([1.0, 1e-12, 3.0], "degenerate"), ([0.0, 0.0, 0.0], "degenerate"),
                      ([1.0, 0.0, -1.0], "saddle")]:
        H = _sym(_rotation(rng, len(lam)), lam)
        _expect_kind(call, H, want, f"rotated H with eigenvalues {lam}")


@HIDDEN.property("classify_critical_point", "tol_boundary",
                 "an eigenvalue of exactly +-tol counts as zero (|lambda| <= tol)")
def classify_critical_point__tol_boundary(call):
    # diagonal H: eigvalsh returns the diagonal exactly, so the eigenvalue is exactly tol = 0.5
    for lam in ([1.0, 0.5], [-1.0, -0.5], [0.5, -1.0], [-0.5, 1.0]):
        _expect_kind(call, np.diag(lam), "degenerate", f"diag{tuple(lam)} with tol=0.5", tol=0.5)


@HIDDEN.property("classify_critical_point", "tol", "uses the tol it is given")
def classify_critical_point__tol(call):
    rng = np.random.default_rng(5014)
    q = _rotation(rng, 3)
    H = _sym(q, [1.0, 0.05, 2.0])
    _expect_kind(call, H, "minimum", "eigenvalues (1, 0.05, 2) with the default tol")
    _expect_kind(call, H, "degenerate", "eigenvalues (1, 0.05, 2) with tol=0.1", tol=0.1)
    _expect_kind(call, _sym(q, [-1.0, -0.05, -2.0]), "degenerate",
                 "eigenvalues (-1, -0.05, -2) with tol=0.1", tol=0.1)


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
    for (name, token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
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
    for (name, token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
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
    for (name, token, f, grad, w, d, kw), alpha in zip(cases, _line_steps(call, cases)):
        expect.close(alpha, backtracking_line_search(f, grad, w, d, **kw),
                     f"the step on {name} with {kw or 'the defaults'}", rtol=1e-12,
                     hint="largest alpha0 * rho^k with f(w + a d) <= f(w) + c a grad.d")


# --------------------------------------------------------------------------- betas

def _gradient_pairs(seed):
    rng = np.random.default_rng(seed)
    for n in (2, 5, 20):
        g_old = rng.normal(size=n)
        for scale in (0.3, 1.0, 3.0):
            yield g_old, scale * rng.normal(size=n) + 0.5 * g_old


@HIDDEN.property("fletcher_reeves_beta", "values", "matches g_new.g_new / g_old.g_old")
def fletcher_reeves_beta__values(call):
    pairs = list(_gradient_pairs(5021))
    betas = call.values(("fletcher_reeves_beta", (g_new, g_old)) for g_old, g_new in pairs)
    for (g_old, g_new), got in zip(pairs, betas):
        expect.true(np.ndim(got) == 0, "fletcher_reeves_beta should return one number",
                    "use dot products (g @ g), which give a scalar")
        expect.close(got, fletcher_reeves_beta(g_new, g_old),
                     f"fletcher_reeves_beta in {g_new.size}-D", rtol=1e-9,
                     hint="new gradient squared over old gradient squared")


@HIDDEN.property("fletcher_reeves_beta", "pure", "leaves its arguments unchanged")
def fletcher_reeves_beta__pure(call):
    expect.pure(call, "fletcher_reeves_beta", np.array([1.0, -2.0, 0.5]), np.array([3.0, 0.1, 1.0]))


@HIDDEN.property("polak_ribiere_beta", "values", "matches PR+ on random gradients")
def polak_ribiere_beta__values(call):
    pairs = list(_gradient_pairs(5022))
    betas = call.values(("polak_ribiere_beta", (g_new, g_old)) for g_old, g_new in pairs)
    for (g_old, g_new), got in zip(pairs, betas):
        expect.true(np.ndim(got) == 0, "polak_ribiere_beta should return one number",
                    "use dot products (g @ g), which give a scalar")
        expect.close(got, polak_ribiere_beta(g_new, g_old),
                     f"polak_ribiere_beta in {g_new.size}-D", rtol=1e-9, atol=1e-12,
                     hint="max(0, (g_new - g_old).g_new / g_old.g_old)")


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

def _spd_system(rng, n, eigenvalues=None):
    lam = np.linspace(1.0, 50.0, n) if eigenvalues is None else np.asarray(eigenvalues, float)
    return _sym(_rotation(rng, n), lam), rng.normal(size=n)


@HIDDEN.property("linear_cg", "values",
                 "the iterates equal the reference's (CG's iterates are unique) and x solves A x = b")
def linear_cg__values(call):
    rng = np.random.default_rng(5031)
    for n in (2, 5, 8):
        A, b = _spd_system(rng, n)
        x0 = rng.normal(size=n)
        x, path = result_and_path(expect.pure(call, "linear_cg", A, b, x0=x0), x0, "linear_cg")
        x_ref, path_ref = linear_cg(A, b, x0=x0)
        expect.close(x, x_ref, f"linear_cg's x in {n}-D", rtol=1e-7, atol=1e-8)
        m = min(len(path), len(path_ref), n + 1)
        expect.close(path[:m], path_ref[:m], f"linear_cg's path in {n}-D", rtol=1e-6, atol=1e-8,
                     hint="each iterate minimizes the error over the directions so far: "
                          "alpha = r.r / d.A d, beta = r_new.r_new / r.r, d = -r_new + beta d")
    A, b = _spd_system(rng, 4)
    x, path = result_and_path(call("linear_cg", A, b), np.zeros(4), "linear_cg")
    expect.close(A @ x, b, "A @ x with x0=None (start at zeros)", rtol=0, atol=1e-8)


@HIDDEN.property("linear_cg", "n_steps",
                 "at most n steps on random SPD systems, at most 3 with 3 distinct eigenvalues")
def linear_cg__n_steps(call):
    rng = np.random.default_rng(5032)
    for n in (3, 6, 10):
        A, b = _spd_system(rng, n)
        x, path = result_and_path(call("linear_cg", A, b), np.zeros(n), "linear_cg")
        expect.close(A @ x, b, f"A @ x in {n}-D", rtol=0, atol=1e-8)
        expect.true(len(path) - 1 <= n, f"linear_cg took {len(path) - 1} steps on a {n}x{n} "
                    "system", "conjugate directions: d = -r + beta d_prev with "
                    "beta = r_new.r_new / r.r; steepest descent needs many more steps")
    A, b = _spd_system(rng, 8, [1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 10.0, 10.0])
    x, path = result_and_path(call("linear_cg", A, b), np.zeros(8), "linear_cg")
    expect.close(A @ x, b, "A @ x with 3 distinct eigenvalues", rtol=0, atol=1e-8)
    expect.true(len(path) - 1 <= 3, f"with 3 distinct eigenvalues CG needs 3 steps; yours took "
                f"{len(path) - 1}", "stop as soon as norm(r) < tol")


@HIDDEN.property("linear_cg", "conjugate", "its steps are A-conjugate: s_i^T A s_j = 0 for i != j")
def linear_cg__conjugate(call):
    rng = np.random.default_rng(5033)
    A, b = _spd_system(rng, 6)
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


def _armijo_edges(call, name):
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


for _name in ("nonlinear_cg", "bfgs"):
    HIDDEN.property(_name, "armijo", "its line search is Armijo's with c = 1e-4 and alpha0 = 1, "
                    "rho = 0.5: decided right on quadratics at the edge of the test")(
        lambda call, name=_name: _armijo_edges(call, name))


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


# --------------------------------------------------------------------------- bfgs_update

def _update_cases(seed):
    rng = np.random.default_rng(seed)
    for n in (2, 4, 7):
        H = _sym(_rotation(rng, n), rng.uniform(0.2, 3.0, size=n))
        s = rng.normal(size=n)
        y = _sym(_rotation(rng, n), rng.uniform(0.5, 4.0, size=n)) @ s  # y.s > 0
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
    for (H, s, y), got in zip(cases, call.values(("bfgs_update", c) for c in cases)):
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
