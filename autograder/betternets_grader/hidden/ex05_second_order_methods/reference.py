"""Notebook 05, the reference of every exercise: Newton, conjugate gradients and BFGS
(NW06 ch. 3, 5, 6; DLB 8.6).

Paths are arrays of shape (k + 1, n): the start point, then every iterate.
The reference of exercise `x` is the function `x` here (`reference("x")`).
"""
from __future__ import annotations

import numpy as np

__all__ = ["newton_step", "classify_critical_point", "backtracking_line_search",
           "fletcher_reeves_beta", "polak_ribiere_beta", "linear_cg", "nonlinear_cg",
           "bfgs_update", "bfgs"]


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
