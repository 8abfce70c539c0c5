"""Notebook 05's demonstrations: Newton's method with a backtracking line search, and how fast
a method's iterates approach the minimum compared with how long it runs to a tight tolerance.

``damped_newton`` takes the student's ``newton_step`` so the notebook shows their own step.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Vector = np.ndarray
NewtonStep = Callable[[Vector, Vector, np.ndarray], Vector]


def damped_newton(f: Callable[[Vector], float], grad: Callable[[Vector], Vector],
                  hess: Callable[[Vector], np.ndarray], w0, newton_step: NewtonStep, *,
                  max_iter: int = 100, tol: float = 1e-6, c: float = 1e-4,
                  rho: float = 0.5) -> tuple[Vector, np.ndarray]:
    """Newton's direction d = newton_step(w, g, H) - w with Armijo backtracking; (w, path).

    The step alpha starts at 1 (the full Newton step) and is multiplied by rho until
    f(w + alpha d) <= f(w) + c alpha g.d. Where H is not positive definite and d is no descent
    direction (g.d >= 0), d = -g is used instead. So f never rises, and near the minimum the
    full step is accepted and convergence is quadratic (NW06, section 3.3).
    """
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(max_iter):
        g = grad(w)
        if np.linalg.norm(g) < tol:
            break
        d = newton_step(w, g, hess(w)) - w
        if g @ d >= 0:
            d = -g
        alpha, f_w = 1.0, f(w)
        while f(w + alpha * d) > f_w + c * alpha * (g @ d) and alpha > 1e-12:
            alpha *= rho
        w = w + alpha * d
        path.append(w.copy())
    return w, np.array(path)


def gradient_norms(grad: Callable[[Vector], Vector], path) -> np.ndarray:
    """||grad f(w_k)|| for every iterate w_k of a path (T, n)."""
    return np.array([np.linalg.norm(grad(w)) for w in np.asarray(path, dtype=float)])


def first_iteration_within(path, point, radius: float) -> int | None:
    """The first k with ||w_k - point|| < radius, or None if the path never gets that close."""
    distances = np.linalg.norm(np.asarray(path, dtype=float) - np.asarray(point, dtype=float),
                               axis=1)
    inside = np.flatnonzero(distances < radius)
    return int(inside[0]) if inside.size else None
