"""Gradient checking: compare an analytic gradient with central differences.

A wrong derivative rarely crashes anything; the network simply trains worse.
`check_gradient` catches such slips by comparing ``grad_f(x)`` with a numerical estimate,
element by element, and returns a verdict.

Notebook 00's two exercises are `numerical_gradient` and `relative_error`: the students
write them, and the later notebooks use their own. So this module holds neither: no
function here returns a numerical gradient or a relative error, and the verdict gives the
worst element's index and the error's order of magnitude only (one significant digit),
never the numerical gradient (a precise error would give `relative_error` back, through
a linear `f`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

ArrayFn = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class GradientReport:
    """Outcome of check_gradient: whether the worst element's relative error is below tol,
    where it is, and the error rounded to one significant digit."""

    max_relative_error: float
    worst_index: tuple[int, ...]
    ok: bool

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        where = f"worst index {self.worst_index}" if self.worst_index else "worst index ()"
        return f"{verdict}: {where}, relative error about {self.max_relative_error:.0e}"


def check_gradient(f: ArrayFn, grad_f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   h: float = 1e-5, tol: float = 1e-6,
                   kink: Callable[[np.ndarray], np.ndarray] | None = None) -> GradientReport:
    """Compare grad_f(x) with central differences of f at x, skipping elements where kink(x)
    is True: element i's error |g_i - n_i| / max(1e-8, |g_i| + |n_i|), with
    n_i = (f(x + h e_i) - f(x - h e_i)) / (2h); ok when the worst is at most tol."""
    if not h > 0:
        raise ValueError(f"h must be positive, got {h!r}")
    x = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"grad_f must return an array shaped like x {x.shape}, got {analytic.shape}")
    near = (np.zeros(x.shape, dtype=bool) if kink is None else
            np.broadcast_to(np.asarray(kink(x.copy()), dtype=bool), x.shape))
    worst, error = (), 0.0
    probe = x.copy()
    for i in np.ndindex(x.shape):
        if near[i]:
            continue   # next to a kink: not compared
        probe[i] = x[i] + h
        up = float(f(probe))
        probe[i] = x[i] - h
        down = float(f(probe))
        probe[i] = x[i]
        slope = (up - down) / (2 * h)
        ratio = abs(analytic[i] - slope) / max(1e-8, abs(analytic[i]) + abs(slope))
        if ratio > error or not worst:
            worst, error = tuple(int(k) for k in i), float(ratio)
    return GradientReport(float(f"{error:.0e}"), worst, error <= tol)


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
