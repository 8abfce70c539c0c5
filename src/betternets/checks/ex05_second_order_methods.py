"""Self-checks for notebook 05: Newton, conjugate gradients and BFGS.

The module also holds the test functions that checks hand to `backtracking_line_search`,
`nonlinear_cg` and `bfgs` by name (`Fn("betternets.checks.ex05_second_order_methods:...")`):
each maps a 1-D array to a float, with its exact gradient beside it.
"""
from __future__ import annotations

import numpy as np

from betternets import surfaces

from . import expect
from .calls import Fn
from .core import VISIBLE, CheckFailed

HERE = "betternets.checks.ex05_second_order_methods"


# --------------------------------------------------------------------------- test functions

def rosenbrock_f(w):
    """Rosenbrock's banana (1 - x)^2 + 100 (y - x^2)^2; minimum at (1, 1)."""
    return surfaces.rosenbrock.f(w)


def rosenbrock_grad(w):
    return surfaces.rosenbrock.grad(w)


def half_square_f(w):
    """f(w) = |w|^2 / 2, gradient w."""
    w = np.asarray(w, dtype=float)
    return float(0.5 * w @ w)


def half_square_grad(w):
    return np.asarray(w, dtype=float).copy()


def _spd(seed, eigenvalues):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    return (q * np.asarray(eigenvalues, dtype=float)) @ q.T, rng.normal(size=len(eigenvalues))


# A fixed rotated quadratic 0.5 w^T A w - b^T w in 4-D, eigenvalues 1 ... 40.
QUAD_A, QUAD_B = _spd(5, [1.0, 3.0, 10.0, 40.0])
QUAD_MIN = np.linalg.solve(QUAD_A, QUAD_B)


def quad_f(w):
    w = np.asarray(w, dtype=float)
    return float(0.5 * w @ QUAD_A @ w - QUAD_B @ w)


def quad_grad(w):
    return QUAD_A @ np.asarray(w, dtype=float) - QUAD_B


# An ill-conditioned quadratic in 10-D: eigenvalues log-spaced from 1 to 100, rotated.
ILL_A, ILL_B = _spd(7, np.logspace(0.0, 2.0, 10))
ILL_MIN = np.linalg.solve(ILL_A, ILL_B)


def ill_f(w):
    w = np.asarray(w, dtype=float)
    return float(0.5 * w @ ILL_A @ w - ILL_B @ w)


def ill_grad(w):
    return ILL_A @ np.asarray(w, dtype=float) - ILL_B


def double_well_f(w):
    """x^4/4 - x^2/2 + y^2/2: concave in x near 0, so a step can give y.s < 0."""
    x, y = np.asarray(w, dtype=float)
    return float(0.25 * x ** 4 - 0.5 * x ** 2 + 0.5 * y ** 2)


def double_well_grad(w):
    x, y = np.asarray(w, dtype=float)
    return np.array([x ** 3 - x, y])


ROSEN = (Fn(f"{HERE}:rosenbrock_f"), Fn(f"{HERE}:rosenbrock_grad"))
HALF = (Fn(f"{HERE}:half_square_f"), Fn(f"{HERE}:half_square_grad"))
QUAD = (Fn(f"{HERE}:quad_f"), Fn(f"{HERE}:quad_grad"))
ILL = (Fn(f"{HERE}:ill_f"), Fn(f"{HERE}:ill_grad"))
WELL = (Fn(f"{HERE}:double_well_f"), Fn(f"{HERE}:double_well_grad"))
LOCAL = {"rosenbrock": (rosenbrock_f, rosenbrock_grad), "half_square": (half_square_f,
         half_square_grad), "quad": (quad_f, quad_grad), "ill": (ill_f, ill_grad),
         "double_well": (double_well_f, double_well_grad)}


# --------------------------------------------------------------------------- helpers

def result_and_path(value, w0, name):
    """(w, path) from a `(w, path)` return; the path as a (k + 1, n) array starting at w0.

    A path that leaves out the start point is accepted: w0 is put in front.
    """
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise CheckFailed(f"{name} should return a pair (w, path), got {type(value).__name__}",
                          "end with `return w, np.array(path)`")
    w0 = np.asarray(w0, dtype=float)
    w = expect.same_shape(value[0], w0.shape, f"the w returned by {name}")
    try:
        path = np.asarray([np.asarray(p, dtype=float) for p in value[1]], dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"the path returned by {name} is not a list of points",
                          "append a copy of w after every step (path.append(w.copy()))") from None
    if path.ndim != 2 or path.shape[1] != w0.size:
        raise CheckFailed(f"the path returned by {name} has shape {path.shape}, expected "
                          f"(steps + 1, {w0.size})", "append a copy of w after every step")
    if len(path) == 0 or not np.allclose(path[0], w0, rtol=0, atol=1e-12):
        path = np.vstack([w0[None, :], path])
    if not np.allclose(path[-1], w, rtol=1e-12, atol=1e-12):
        raise CheckFailed(f"the last point of {name}'s path {path[-1]} is not the w it "
                          f"returned {w}", "append w to the path after every step, and return "
                          "the last one")
    return w, path


def armijo_holds(f, grad_fn, w, d, alpha, c):
    """f(w + alpha d) <= f(w) + c alpha grad(w).d, with the same floating-point arithmetic."""
    w, d = np.asarray(w, dtype=float), np.asarray(d, dtype=float)
    return bool(f(w + alpha * d) <= f(w) + c * alpha * float(np.dot(grad_fn(w), d)))


def _rotation(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


# --------------------------------------------------------------------------- newton_step

@VISIBLE.property("newton_step", "quadratic",
                  "one full step lands on the minimum of a 2-D quadratic (worked by hand)")
def newton_step__quadratic(call):
    # f = 0.5 w^T H w - b^T w, H = [[3, 1], [1, 2]], b = (1, 1): minimum H^-1 b = (0.2, 0.4).
    H, w = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    g = H @ w - np.array([1.0, 1.0])            # (1, -2)
    expect.close(call("newton_step", w, g, H), [0.2, 0.4], "newton_step(w=(1, -1), g=(1, -2), "
                 "H=[[3, 1], [1, 2]])", rtol=1e-9, atol=1e-12,
                 hint="solve H p = g with np.linalg.solve(H, g) and return w - lr * p; "
                      "H @ g multiplies by H instead of dividing")


@VISIBLE.property("newton_step", "lr", "lr = 0.5 goes half way to the minimum")
def newton_step__lr(call):
    H, w = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    g = np.array([1.0, -2.0])
    expect.close(call("newton_step", w, g, H, lr=0.5), [0.6, -0.3], "newton_step(..., lr=0.5)",
                 rtol=1e-9, atol=1e-12, hint="multiply the Newton direction H^-1 g by lr")


@VISIBLE.property("newton_step", "pure", "w, g and H are left unchanged")
def newton_step__pure(call):
    expect.pure(call, "newton_step", np.array([1.0, 2.0]), np.array([0.5, -1.0]),
                np.array([[2.0, 0.5], [0.5, 1.0]]))


# --------------------------------------------------------------------------- classify

@VISIBLE.property("classify_critical_point", "diagonal",
                  "diag(2, 3) minimum, diag(-1, -2) maximum, diag(2, -2) saddle, "
                  "diag(1, 0) degenerate")
def classify_critical_point__diagonal(call):
    for diag, want in [((2.0, 3.0), "minimum"), ((-1.0, -2.0), "maximum"),
                       ((2.0, -2.0), "saddle"), ((1.0, 0.0), "degenerate")]:
        got = call("classify_critical_point", np.diag(diag))
        expect.true(got == want, f"classify_critical_point(diag{diag}) returned {got!r}, "
                    f"expected {want!r}", "look at the signs of np.linalg.eigvalsh(H), "
                    "treating |lambda| <= tol as zero")


@VISIBLE.property("classify_critical_point", "off_diagonal",
                  "[[0, 1], [1, 0]] (the surface f = xy) is a saddle")
def classify_critical_point__off_diagonal(call):
    got = call("classify_critical_point", np.array([[0.0, 1.0], [1.0, 0.0]]))
    expect.true(got == "saddle", f"classify_critical_point([[0, 1], [1, 0]]) returned {got!r}, "
                "expected 'saddle' (eigenvalues +1 and -1)",
                "the diagonal alone says nothing: use the eigenvalues")


# --------------------------------------------------------------------------- line search

@VISIBLE.property("backtracking_line_search", "worked_example",
                  "f = w^2/2 from w = 1: alpha0 = 4 backtracks to 1; d = -4 to 0.25")
def backtracking_line_search__worked_example(call):
    f, grad = HALF
    got = call("backtracking_line_search", f, grad, np.array([1.0]), np.array([-1.0]), alpha0=4.0)
    expect.close(got, 1.0, "alpha for d = -1, alpha0 = 4", rtol=1e-12,
                 hint="start at alpha0 and multiply by rho until "
                      "f(w + alpha d) <= f(w) + c alpha grad.d")
    got = call("backtracking_line_search", f, grad, np.array([1.0]), np.array([-4.0]))
    expect.close(got, 0.25, "alpha for d = -4, alpha0 = 1", rtol=1e-12,
                 hint="alpha = 1 and 0.5 overshoot (f does not drop enough); 0.25 lands on 0")


@VISIBLE.property("backtracking_line_search", "armijo",
                  "on Rosenbrock along -grad the step satisfies Armijo and twice it does not")
def backtracking_line_search__armijo(call):
    w = np.array([-1.2, 1.0])
    d = -rosenbrock_grad(w)
    alpha = float(call("backtracking_line_search", *ROSEN, w, d))
    expect.true(armijo_holds(rosenbrock_f, rosenbrock_grad, w, d, alpha, 1e-4),
                f"alpha = {alpha:.4g} does not satisfy f(w + alpha d) <= f(w) + c alpha grad.d",
                "keep shrinking while the condition fails; grad.d is negative here")
    expect.true(not armijo_holds(rosenbrock_f, rosenbrock_grad, w, d, 2 * alpha, 1e-4),
                f"alpha = {alpha:.4g} is not the largest: {2 * alpha:.4g} satisfies Armijo too",
                "stop at the first alpha0 * rho^k that satisfies the condition")


# --------------------------------------------------------------------------- betas

@VISIBLE.property("fletcher_reeves_beta", "worked_example",
                  "g_new = (1, 2), g_old = (2, 0) gives 5/4")
def fletcher_reeves_beta__worked_example(call):
    got = call("fletcher_reeves_beta", np.array([1.0, 2.0]), np.array([2.0, 0.0]))
    expect.close(got, 1.25, "fletcher_reeves_beta((1, 2), (2, 0))", rtol=1e-12,
                 hint="g_new.g_new / g_old.g_old: new gradient on top")


@VISIBLE.property("polak_ribiere_beta", "worked_example",
                  "g_new = (1, 2), g_old = (2, 0) gives 3/4")
def polak_ribiere_beta__worked_example(call):
    got = call("polak_ribiere_beta", np.array([1.0, 2.0]), np.array([2.0, 0.0]))
    expect.close(got, 0.75, "polak_ribiere_beta((1, 2), (2, 0))", rtol=1e-12,
                 hint="(g_new - g_old).g_new / g_old.g_old = (-1*1 + 2*2) / 4")


@VISIBLE.property("polak_ribiere_beta", "clipped",
                  "g_new = (1, 0), g_old = (2, 0) gives 0 (PR+ clips -1/4)")
def polak_ribiere_beta__clipped(call):
    got = call("polak_ribiere_beta", np.array([1.0, 0.0]), np.array([2.0, 0.0]))
    expect.close(got, 0.0, "polak_ribiere_beta((1, 0), (2, 0))", atol=1e-15,
                 hint="PR+ is max(0, ...): a negative beta is replaced by 0")


# --------------------------------------------------------------------------- linear_cg

@VISIBLE.property("linear_cg", "solves",
                  "solves a 3x3 SPD system in at most 3 steps; the path starts at x0")
def linear_cg__solves(call):
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    b = np.array([1.0, 2.0, 3.0])
    x0 = np.array([1.0, 1.0, 1.0])
    x, path = result_and_path(call("linear_cg", A, b, x0=x0), x0, "linear_cg")
    expect.close(A @ x, b, "A @ x", rtol=0, atol=1e-8, hint="the residual r = A x - b should "
                 "reach 0; check alpha = r.r / d.A d and the update of d")
    expect.true(len(path) - 1 <= 3, f"linear_cg took {len(path) - 1} steps on a 3x3 system",
                "conjugate directions finish in at most n steps; steepest descent does not")


# --------------------------------------------------------------------------- nonlinear_cg

@VISIBLE.property("nonlinear_cg", "quadratic",
                  "FR and PR reach the minimum of a 4-D quadratic; f never goes up")
def nonlinear_cg__quadratic(call):
    w0 = np.zeros(4)
    for rule in ("FR", "PR"):
        w, path = result_and_path(call("nonlinear_cg", *QUAD, w0, beta=rule), w0, "nonlinear_cg")
        expect.close(w, QUAD_MIN, f"nonlinear_cg(beta={rule!r}) result", rtol=0, atol=1e-5,
                     hint="use d = -g + beta d_prev and stop when norm(g) < tol")
        values = [quad_f(p) for p in path]
        expect.true(np.all(np.diff(values) <= 1e-12), f"with beta={rule!r}, f went up along "
                    "the path", "each step must use the Armijo line search along a descent "
                    "direction; restart with d = -g when g.d >= 0")


@VISIBLE.property("nonlinear_cg", "unknown_rule", "beta='XY' raises ValueError naming beta")
def nonlinear_cg__unknown_rule(call):
    expect.raises_value_error(call, "nonlinear_cg", *QUAD, np.zeros(4), beta="XY",
                              mentions="beta")


# --------------------------------------------------------------------------- bfgs_update

@VISIBLE.property("bfgs_update", "secant", "the result maps y to s, and is symmetric")
def bfgs_update__secant(call):
    s, y = np.array([1.0, 0.5]), np.array([2.0, 0.2])
    H = np.array([[1.0, 0.2], [0.2, 0.5]])
    H_new = expect.same_shape(call("bfgs_update", H, s, y), (2, 2), "bfgs_update's result")
    expect.close(H_new @ y, s, "H_new @ y", rtol=1e-9, atol=1e-12,
                 hint="rho = 1 / (y.s); H_new = (I - rho s y^T) H (I - rho y s^T) + rho s s^T")
    expect.close(H_new, H_new.T, "H_new against its transpose", rtol=1e-9, atol=1e-12,
                 labels=("your H_new", "its transpose"))


# --------------------------------------------------------------------------- bfgs

@VISIBLE.property("bfgs", "rosenbrock",
                  "reaches (1, 1) from (-1.2, 1) in at most 70 iterations (scipy needs about 33)")
def bfgs__rosenbrock(call):
    w0 = np.array([-1.2, 1.0])
    w, path = result_and_path(call("bfgs", *ROSEN, w0), w0, "bfgs")
    expect.close(w, [1.0, 1.0], "bfgs's result on Rosenbrock", rtol=0, atol=1e-5,
                 hint="stop when norm(g) < tol; update H with s = w_new - w, y = g_new - g")
    expect.true(len(path) - 1 <= 70, f"bfgs took {len(path) - 1} iterations",
                "is H updated after every step (unless y.s <= 0)? Without the update it is "
                "gradient descent")


# --------------------------------------------------------------------------- known mistakes (named hints)
#
# Each named mistake is recognised once, by behaviour, here; `check` names it under a failure.
#
# On f(w) = w1^2 + 2 w2^2 (gradient (2 w1, 4 w2), Hessian diag(2, 4)) a Newton
# step from any point lands on the minimum at 0; the detectors say where the
# student's step lands instead. The BFGS detector checks which secant equation
# the update satisfies.

W = np.array([1.0, 1.0])
H = np.diag([2.0, 4.0])
G = np.array([2.0, 4.0])   # the gradient of w1^2 + 2 w2^2 at W


@VISIBLE.mistake("newton_step", "a Newton step uphill",
                 "your step lands at 2w instead of the minimum: subtract the Newton direction, "
                 "w - lr * p with H p = g")
def newton_step__looks_like_newton_step_uphill(call):
    return np.allclose(np.asarray(call("newton_step", W, G, H), dtype=float), 2 * W)


@VISIBLE.mistake("newton_step", "multiplying by H instead of solving with it",
                 "the step uses H^-1 g: solve H p = g (np.linalg.solve(H, g)) instead of H @ g")
def newton_step__looks_like_multiplying_by_h_solving_it(call):
    return np.allclose(np.asarray(call("newton_step", W, G, H), dtype=float), W - H @ G)


@VISIBLE.mistake("polak_ribiere_beta", "Polak-Ribiere without the max(0, .)",
                 "PR+ never returns a negative beta: a negative value means restart, "
                 "so return max(0, ...)")
def polak_ribiere_beta__looks_like_polak_ribiere_without_max_0(call):
    return float(call("polak_ribiere_beta", np.array([0.5, 0.0]), np.array([1.0, 0.0]))) < -1e-9


@VISIBLE.mistake("bfgs_update", "the Hessian (B) update applied to the inverse",
                 "the inverse update must satisfy H_new @ y = s; yours satisfies H_new @ s = y, "
                 "the secant equation of the Hessian B: use (I - rho s y^T) H (I - rho y s^T) "
                 "+ rho s s^T")
def bfgs_update__looks_like_hessian_b_update_applied_inverse(call):
    s, y = np.array([1.0, 0.0]), np.array([2.0, 1.0])
    H_new = np.asarray(call("bfgs_update", np.eye(2), s, y), dtype=float)
    return np.allclose(H_new @ s, y) and not np.allclose(H_new @ y, s)
