"""Test surfaces for optimizers, each with its exact gradient and Hessian.

A ``Surface`` bundles ``f(w) -> float``, ``grad(w) -> (n,)`` and ``hess(w) -> (n, n)`` for a 1-D
parameter vector ``w``, the location of its minimum (or None) and a plotting box ``bounds``.
Use them like ``rosenbrock.f(np.array([0.0, 0.0]))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, eq=False)
class Surface:
    """A test function f(w) with its exact gradient and Hessian."""

    name: str
    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray]
    minimum: np.ndarray | None
    bounds: Bounds | None

    def __post_init__(self) -> None:
        if self.minimum is not None:  # store a read-only copy, so nobody can move the minimum
            minimum = np.array(self.minimum, dtype=np.float64)
            minimum.flags.writeable = False
            object.__setattr__(self, "minimum", minimum)

    def __repr__(self) -> str:
        return f"Surface({self.name!r}, minimum={self.minimum}, bounds={self.bounds})"


def _vector(w: np.ndarray, n: int) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"w must be a 1-D array of length {n}, got shape {w.shape}")
    return w


# --------------------------------------------------------------------------- quadratic_2d


def _quad_f(w: np.ndarray) -> float:
    """f = 0.1 x^2 + 2 y^2."""
    x, y = _vector(w, 2)
    return float(0.1 * x**2 + 2.0 * y**2)


def _quad_grad(w: np.ndarray) -> np.ndarray:
    """grad = (0.2 x, 4 y)."""
    x, y = _vector(w, 2)
    return np.array([0.2 * x, 4.0 * y])


def _quad_hess(w: np.ndarray) -> np.ndarray:
    """H = diag(0.2, 4)."""
    _vector(w, 2)
    return np.diag([0.2, 4.0])


quadratic_2d = Surface("quadratic_2d", _quad_f, _quad_grad, _quad_hess,
                       minimum=np.zeros(2), bounds=((-6.0, 6.0), (-3.0, 3.0)))


# --------------------------------------------------------------------------- ill_conditioned


def ill_conditioned(n: int, condition: float = 100.0) -> Surface:
    """f = 0.5 * sum_i lambda_i w_i^2 with lambda_i log-spaced from 1 to condition."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not condition >= 1:
        raise ValueError(f"condition must be >= 1, got {condition!r}")
    n = int(n)
    lam = np.logspace(0.0, np.log10(condition), n)

    def f(w: np.ndarray) -> float:
        """f = 0.5 * sum_i lambda_i w_i^2."""
        w = _vector(w, n)
        return float(0.5 * np.sum(lam * w**2))

    def grad(w: np.ndarray) -> np.ndarray:
        """grad_i = lambda_i w_i."""
        return lam * _vector(w, n)

    def hess(w: np.ndarray) -> np.ndarray:
        """H = diag(lambda)."""
        _vector(w, n)
        return np.diag(lam)

    bounds = ((-1.0, 1.0), (-1.0, 1.0)) if n == 2 else None
    return Surface(f"ill_conditioned(n={n}, condition={condition:g})", f, grad, hess,
                   minimum=np.zeros(n), bounds=bounds)


# --------------------------------------------------------------------------- rosenbrock


def _rosen_f(w: np.ndarray, a: float = 1.0, b: float = 100.0) -> float:
    """f = (a - x)^2 + b (y - x^2)^2."""
    x, y = _vector(w, 2)
    return float((a - x) ** 2 + b * (y - x**2) ** 2)


def _rosen_grad(w: np.ndarray, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    """grad = (-2 (a - x) - 4 b x (y - x^2), 2 b (y - x^2))."""
    x, y = _vector(w, 2)
    return np.array([-2.0 * (a - x) - 4.0 * b * x * (y - x**2), 2.0 * b * (y - x**2)])


def _rosen_hess(w: np.ndarray, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    """H = [[2 - 4 b y + 12 b x^2, -4 b x], [-4 b x, 2 b]]."""
    x, y = _vector(w, 2)
    return np.array([[2.0 - 4.0 * b * y + 12.0 * b * x**2, -4.0 * b * x],
                     [-4.0 * b * x, 2.0 * b]])


rosenbrock = Surface("rosenbrock", _rosen_f, _rosen_grad, _rosen_hess,
                     minimum=np.array([1.0, 1.0]), bounds=((-2.0, 2.0), (-1.0, 3.0)))


# --------------------------------------------------------------------------- saddle


def _saddle_f(w: np.ndarray) -> float:
    """f = x^2 - y^2."""
    x, y = _vector(w, 2)
    return float(x**2 - y**2)


def _saddle_grad(w: np.ndarray) -> np.ndarray:
    """grad = (2 x, -2 y)."""
    x, y = _vector(w, 2)
    return np.array([2.0 * x, -2.0 * y])


def _saddle_hess(w: np.ndarray) -> np.ndarray:
    """H = diag(2, -2): one positive, one negative curvature."""
    _vector(w, 2)
    return np.diag([2.0, -2.0])


# No minimum: the only critical point, w = 0, is a saddle.
saddle = Surface("saddle", _saddle_f, _saddle_grad, _saddle_hess,
                 minimum=None, bounds=((-2.0, 2.0), (-2.0, 2.0)))


# --------------------------------------------------------------------------- beale

_BEALE_C = (1.5, 2.25, 2.625)


def _beale_f(w: np.ndarray) -> float:
    """f = sum_{i=1..3} r_i^2 with r_i = c_i - x + x y^i, c = (1.5, 2.25, 2.625)."""
    x, y = _vector(w, 2)
    return float(sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, start=1)))


def _beale_grad(w: np.ndarray) -> np.ndarray:
    """grad = sum_i 2 r_i (y^i - 1, i x y^(i-1))."""
    x, y = _vector(w, 2)
    g = np.zeros(2)
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - x + x * y**i
        g += 2.0 * r * np.array([y**i - 1.0, i * x * y ** (i - 1)])
    return g


def _beale_hess(w: np.ndarray) -> np.ndarray:
    """H = sum_i 2 (J_i J_i^T + r_i * d^2 r_i), with J_i = (y^i - 1, i x y^(i-1))."""
    x, y = _vector(w, 2)
    H = np.zeros((2, 2))
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - x + x * y**i
        J = np.array([y**i - 1.0, i * x * y ** (i - 1)])
        r_xy = i * y ** (i - 1)                                    # d^2 r / dx dy
        r_yy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0   # d^2 r / dy^2 (r_xx = 0)
        H += 2.0 * (np.outer(J, J) + r * np.array([[0.0, r_xy], [r_xy, r_yy]]))
    return H


beale = Surface("beale", _beale_f, _beale_grad, _beale_hess,
                minimum=np.array([3.0, 0.5]), bounds=((-4.5, 4.5), (-4.5, 4.5)))

SURFACES = {s.name: s for s in (quadratic_2d, rosenbrock, saddle, beale)}
