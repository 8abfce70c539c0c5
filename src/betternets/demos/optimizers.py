"""Notebook 04's demonstration of the slides' "the learning rate is the most difficult to set;
momentum helps but introduces new parameters": how far a rule gets in a fixed number of steps,
over a grid of its hyper-parameters.

The rules are the student's update functions ``update(w, g, state, **hyper) -> (w, state)``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from betternets.surfaces import Surface


def final_distance(update: Callable, surface: Surface, w0, n_steps: int, **hyper) -> float:
    """||w_T - w*|| after n_steps of update on surface from w0 (inf if the run blew up)."""
    w, state = np.array(w0, dtype=float), {}
    with np.errstate(all="ignore"):
        for _ in range(n_steps):
            w, state = update(w, surface.grad(w), state, **hyper)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
                return float("inf")
    return float(np.linalg.norm(w - surface.minimum))


def sweep(update: Callable, surface: Surface, w0, n_steps: int, lrs: Sequence[float],
          betas: Sequence[float] | None = None) -> np.ndarray:
    """final_distance for every learning rate (and every beta, if given): shape (len(lrs),) or
    (len(betas), len(lrs))."""
    if betas is None:
        return np.array([final_distance(update, surface, w0, n_steps, lr=lr) for lr in lrs])
    return np.array([[final_distance(update, surface, w0, n_steps, lr=lr, beta=beta)
                      for lr in lrs] for beta in betas])


def good_band(lrs: Sequence[float], distances: np.ndarray, tol: float) -> tuple[float, float]:
    """(smallest, largest) learning rate whose final distance is below tol; (nan, nan) if none."""
    good = np.asarray(lrs, dtype=float)[np.asarray(distances) < tol]
    return (float(good.min()), float(good.max())) if good.size else (np.nan, np.nan)
