"""Known mistakes of notebook 05, recognised by behaviour (for named hints).

On f(w) = w1^2 + 2 w2^2 (gradient (2 w1, 4 w2), Hessian diag(2, 4)) a Newton
step from any point lands on the minimum at 0; the detectors say where the
student's step lands instead. The BFGS detector checks which secant equation
the update satisfies.
"""
from __future__ import annotations

import numpy as np

from .core import VISIBLE

W = np.array([1.0, 1.0])
H = np.diag([2.0, 4.0])
G = np.array([2.0, 4.0])   # the gradient of w1^2 + 2 w2^2 at W


@VISIBLE.mistake("newton_step", "a Newton step uphill",
                 "your step lands at 2w instead of the minimum: subtract the Newton direction, "
                 "w - lr * p with H p = g")
def _(call):
    return np.allclose(np.asarray(call("newton_step", W, G, H), dtype=float), 2 * W)


@VISIBLE.mistake("newton_step", "multiplying by H instead of solving with it",
                 "the step uses H^-1 g: solve H p = g (np.linalg.solve(H, g)) instead of H @ g")
def _(call):
    return np.allclose(np.asarray(call("newton_step", W, G, H), dtype=float), W - H @ G)


@VISIBLE.mistake("polak_ribiere_beta", "Polak-Ribiere without the max(0, .)",
                 "PR+ never returns a negative beta: a negative value means restart, "
                 "so return max(0, ...)")
def _(call):
    return float(call("polak_ribiere_beta", np.array([0.5, 0.0]), np.array([1.0, 0.0]))) < -1e-9


@VISIBLE.mistake("bfgs_update", "the Hessian (B) update applied to the inverse",
                 "the inverse update must satisfy H_new @ y = s; yours satisfies H_new @ s = y, "
                 "the secant equation of the Hessian B: use (I - rho s y^T) H (I - rho y s^T) "
                 "+ rho s s^T")
def _(call):
    s, y = np.array([1.0, 0.0]), np.array([2.0, 1.0])
    H_new = np.asarray(call("bfgs_update", np.eye(2), s, y), dtype=float)
    return np.allclose(H_new @ s, y) and not np.allclose(H_new @ y, s)
