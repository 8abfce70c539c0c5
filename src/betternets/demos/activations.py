"""Notebook 01's demonstrations: how soon tanh and the sigmoid approach their limits, and the
same deep network trained with different activations for the same number of steps.

The activations come in as (f, f') pairs, so the notebook passes the student's own functions.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from betternets import data, nn

Fn = Callable[[np.ndarray], np.ndarray]


def z_reaching(f: Fn, fraction: float, low: float, high: float,
               z_max: float = 50.0) -> float:
    """The smallest z >= 0 where f(z) has gone `fraction` of the way from f(0) to its limit
    `high` (f rising; `low` is its other limit, unused but stated for the reader), to 1e-6."""
    start = float(f(np.array(0.0)))
    target = start + fraction * (high - start)
    lo, hi = 0.0, z_max
    while hi - lo > 1e-6:                       # bisection: f is increasing
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if float(f(np.array(mid))) < target else (lo, mid)
    return hi


def compare_activations(activations: Mapping[str, tuple[Fn, Fn, float]], depth: int = 5,
                        width: int = 32, epochs: int = 15, lr: float = 0.1, seed: int = 0):
    """{name: history} of nn.train on digits (1437 for training, 360 for validation).

    activations[name] = (f, f', gain): every network has `depth` hidden layers of `width` units,
    the same batches, learning rate and initial weights up to the gain, W = sqrt(gain) N(0, 1/n_in)
    (gain 1 for tanh and the sigmoid, 2 for ReLU: He et al. 2015, notebook 02)."""
    X, y = data.load_digits(flat=True)
    order = np.random.default_rng(seed).permutation(len(X))
    train, val = order[:1437], order[1437:]
    sizes = [X.shape[1]] + [width] * depth + [10]
    start = nn.init_mlp(sizes, np.random.default_rng(seed))
    histories = {}
    for name, (f, grad, gain) in activations.items():
        params = [(np.sqrt(gain) * W, b) for W, b in start]
        _, histories[name] = nn.train(params, X[train], y[train], activation=nn.Activation(name, f, grad),
                                      hyper={"lr": lr}, epochs=epochs, batch_size=32,
                                      rng=np.random.default_rng(seed + 1), X_val=X[val],
                                      y_val=y[val], progress=False)
    return histories
