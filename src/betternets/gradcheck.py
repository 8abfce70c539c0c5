"""Gradient checking: compare an analytic gradient with central differences.

A wrong derivative rarely crashes anything; the network simply trains worse. These helpers
catch such slips by comparing ``grad_f(x)`` with a numerical estimate, element by element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

ArrayFn = Callable[[np.ndarray], float]


def numerical_gradient(f: ArrayFn, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h) for every element of x (any shape)."""
    if not h > 0:
        raise ValueError(f"h must be positive, got {h!r}")
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's array is never touched
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = float(f(x))
        x[i] = original - h
        f_minus = float(f(x))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@dataclass(frozen=True)
class GradientReport:
    """Outcome of check_gradient: the worst element and whether the error is below tol."""

    max_relative_error: float
    worst_index: tuple[int, ...]
    analytic: np.ndarray
    numeric: np.ndarray
    ok: bool

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        if self.worst_index == ():
            where = "worst index ()" if self.analytic.ndim == 0 else "no element compared"
        else:
            where = f"worst index {self.worst_index}"
        a = self.analytic[self.worst_index] if self.analytic.size else float("nan")
        n = self.numeric[self.worst_index] if self.numeric.size else float("nan")
        return (f"{verdict}: {where}: analytic {a:.4g} vs numeric {n:.4g}, "
                f"relative error {self.max_relative_error:.1e}")


def check_gradient(f: ArrayFn, grad_f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   h: float = 1e-5, tol: float = 1e-6,
                   kink: Callable[[np.ndarray], np.ndarray] | None = None) -> GradientReport:
    """Compare grad_f(x) with numerical_gradient(f, x), skipping elements where kink(x) is True."""
    x = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"grad_f must return an array shaped like x {x.shape}, got {analytic.shape}")
    numeric = numerical_gradient(f, x, h)
    ratios = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    if kink is not None:
        near = np.broadcast_to(np.asarray(kink(x.copy()), dtype=bool), x.shape)
        ratios = np.where(near, 0.0, ratios)  # elements next to a kink are not compared
    if ratios.size == 0:
        return GradientReport(0.0, (), analytic, numeric, True)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(ratios), ratios.shape))
    error = float(ratios[worst])
    return GradientReport(error, worst, analytic, numeric, error <= tol)


def away_from_kinks(x: np.ndarray, kinks: tuple[float, ...] = (0.0,),
                    margin: float = 1e-3) -> np.ndarray:
    """Return a copy of x where each element closer than margin to a kink moves 2*margin outwards."""
    if not margin > 0:
        raise ValueError(f"margin must be positive, got {margin!r}")
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        close = np.abs(x - k) < margin
        side = np.where(x[close] >= k, 1.0, -1.0)  # push outwards on the side the element is on
        x[close] = x[close] + side * 2 * margin
    return x
