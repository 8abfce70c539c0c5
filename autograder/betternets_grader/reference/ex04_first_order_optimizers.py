"""Reference for notebook 04: first-order update rules, momentum to Adam, and their driver.

Every rule has the form `update(w, g, state, *, hyper...) -> (w_new, state_new)`; `state` is `{}`
on the first call, the rule never modifies its arguments and returns a new state dict.
Sources: DLB Algorithms 8.1-8.7, J88 (delta-bar-delta), DHS11, TH12, KB14 Algorithm 1.
"""
from __future__ import annotations

import inspect

import numpy as np


def _zeros(w):
    return np.zeros(np.shape(w), dtype=float)


def sgd_update(w, g, state, *, lr):
    """w - lr g (DLB Alg. 8.1)."""
    return np.asarray(w, dtype=float) - lr * np.asarray(g, dtype=float), {}


def momentum_update(w, g, state, *, lr, beta=0.9):
    """v = beta v - lr g; w + v (DLB Alg. 8.2)."""
    v = beta * state.get("v", _zeros(w)) - lr * np.asarray(g, dtype=float)
    return np.asarray(w, dtype=float) + v, {"v": v}


def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
    """v = beta v - lr grad_fn(w + beta v); w + v (DLB Alg. 8.3)."""
    w = np.asarray(w, dtype=float)
    v_old = state.get("v", _zeros(w))
    v = beta * v_old - lr * np.asarray(grad_fn(w + beta * v_old), dtype=float)
    return w + v, {"v": v}


def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
    """Per-weight rates: + kappa where bar g > 0, * (1 - phi) where < 0; w - rate g;
    bar = (1 - theta) g + theta bar (J88)."""
    g = np.asarray(g, dtype=float)
    rate = state.get("rate", np.full(np.shape(w), float(lr0)))
    bar = state.get("bar", _zeros(w))
    agree = bar * g
    rate = np.where(agree > 0, rate + kappa, np.where(agree < 0, rate * (1 - phi), rate))
    w_new = np.asarray(w, dtype=float) - rate * g
    return w_new, {"rate": rate, "bar": (1 - theta) * g + theta * bar}


def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
    """r = r + g g; w - lr g / (eps + sqrt(r)) (DHS11, DLB Alg. 8.4)."""
    g = np.asarray(g, dtype=float)
    r = state.get("r", _zeros(w)) + g * g
    return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}


def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
    """r = rho r + (1 - rho) g g; w - lr g / sqrt(eps + r) (TH12, DLB Alg. 8.5)."""
    g = np.asarray(g, dtype=float)
    r = rho * state.get("r", _zeros(w)) + (1 - rho) * g * g
    return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}


def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """t += 1; m, v moving averages of g, g g; w - lr m_hat / (sqrt(v_hat) + eps) (KB14 Alg. 1)."""
    g = np.asarray(g, dtype=float)
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", _zeros(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", _zeros(w)) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


def takes_grad_fn(update) -> bool:
    """The course's convention: a rule whose second parameter is named grad_fn gets grad_fn."""
    try:
        params = list(inspect.signature(update).parameters)
    except (TypeError, ValueError):
        return False
    return len(params) >= 2 and params[1] == "grad_fn"


def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
    """Path (n_steps + 1, d) of `update` from w0; row 0 is w0."""
    w = np.array(w0, dtype=float)
    state: dict = {}
    path = [w.copy()]
    nesterov = takes_grad_fn(update)
    for _ in range(int(n_steps)):
        w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
        w = np.asarray(w, dtype=float)
        path.append(w.copy())
    return np.array(path)
