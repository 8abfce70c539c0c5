"""Known mistakes of notebook 04, recognised by behaviour (for named hints).

The detectors run a rule for a step or two on a fixed gradient and look at
the size of the steps: Adam's first step is about lr whatever the gradient,
momentum's second step on a constant gradient is (1 + beta) times its first.
"""
from __future__ import annotations

import numpy as np

from .core import VISIBLE

W0 = np.array([1.0, -2.0, 0.5])
G = np.array([0.3, -1.5, 2.0])


def _steps(call, name: str, n: int, g=G, **hyper) -> list[np.ndarray]:
    """The sizes |w_k - w_(k-1)| of n steps on the constant gradient g, state carried."""
    w, state, steps = W0.copy(), {}, []
    for _ in range(n):
        w_new, state = call(name, w, g, state, **hyper)
        w_new = np.asarray(w_new, dtype=float)
        steps.append(np.abs(w_new - w))
        w = w_new
    return steps


@VISIBLE.mistake("adam_update", "Adam without bias correction",
                 "your first step is about 3.16 * lr instead of lr: divide m by (1 - beta1**t) "
                 "and v by (1 - beta2**t) before the step (keep the uncorrected m and v in the state)")
def _(call):
    (first,) = _steps(call, "adam_update", 1, lr=0.01)
    return np.allclose(first, 0.01 * 0.1 / np.sqrt(0.001), rtol=1e-3)


@VISIBLE.mistake("adam_update", "an Adam step counter that is not kept",
                 "your first step is right but the second is about 1.34 * lr: keep t in the "
                 "state and add 1 at every call, so that the bias correction fades")
def _(call):
    first, second = _steps(call, "adam_update", 2, lr=0.01)
    return np.allclose(first, 0.01, rtol=1e-3) and np.allclose(second, 0.01 * 1.9 / np.sqrt(1.999),
                                                                 rtol=1e-3)


@VISIBLE.mistake("rmsprop_update", "epsilon outside the square root in RMSProp",
                 "the notebook's RMSProp divides by sqrt(eps + r); with eps outside, "
                 "eps + sqrt(r), a gradient whose square is not large next to eps takes too "
                 "large a step: with eps = 1e-6, about 3.3 times at |g| = 1e-3 and 30 times at "
                 "|g| = 1e-4 on the first step")
def _(call):
    g = np.full(3, 1e-4)
    (first,) = _steps(call, "rmsprop_update", 1, g=g, lr=1.0, rho=0.9, eps=1e-6)
    return np.allclose(first, 1e-4 / (1e-6 + np.sqrt(0.1) * 1e-4), rtol=1e-3)


@VISIBLE.mistake("momentum_update", "momentum whose velocity is not carried",
                 "on a constant gradient the second step should be (1 + beta) times the first; "
                 "yours is the same: return the new v in the state and start from state['v']")
def _(call):
    first, second = _steps(call, "momentum_update", 2, lr=0.1, beta=0.9)
    return np.allclose(first, 0.1 * np.abs(G)) and np.allclose(second, first)


@VISIBLE.mistake("adam_update", "epsilon inside the square root in Adam",
                 "Adam (KB14, Algorithm 1) divides by sqrt(v_hat) + eps, eps outside the root; "
                 "yours divides by sqrt(v_hat + eps), so a gradient whose square is near eps "
                 "takes a step clearly smaller than lr (about 0.71 lr at |g| = 1e-4)")
def _(call):
    g = np.array([1e-4, -1e-4, 3e-4])
    (first,) = _steps(call, "adam_update", 1, g=g, lr=0.01)
    return np.allclose(first, 0.01 * np.abs(g) / np.sqrt(g * g + 1e-8), rtol=1e-4)
