"""A tiny multilayer perceptron in numpy, with pluggable activations, initializers and update rules.

Parameters are a list of ``(W, b)`` pairs, W of shape (n_in, n_out), b of shape (n_out,), and a
layer computes ``Z = A @ W + b`` (batch first). Hidden layers apply an ``Activation``; the output
layer is linear and feeds a softmax with cross-entropy loss.

An update rule is a plain function ``update(w, g, state, **hyper) -> (w_new, state_new)`` where
``state`` is a dict that belongs to one parameter array (empty at the start).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from betternets.progress import progress as progress_bar

Params = list[tuple[np.ndarray, np.ndarray]]


class Activation(NamedTuple):
    """An elementwise nonlinearity a = f(z) and its derivative grad(z) = f'(z)."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow via exp(-|z|)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


SIGMOID = Activation("sigmoid", _sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)))
TANH = Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2)
RELU = Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64))
IDENTITY = Activation("identity", lambda z: np.array(z, dtype=np.float64), np.ones_like)

ACTIVATIONS = {a.name: a for a in (SIGMOID, TANH, RELU, IDENTITY)}


def activation_by_name(name: str) -> Activation:
    """The built-in Activation called name ('sigmoid', 'tanh', 'relu' or 'identity')."""
    key = str(name).lower()
    if key not in ACTIVATIONS:
        raise ValueError(f"name must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[key]


def scaled_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """W ~ N(0, 1 / n_in): the default initializer."""
    return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)


def init_mlp(sizes: list[int], rng: np.random.Generator,
             init: Callable[[int, int, np.random.Generator], np.ndarray] | None = None) -> Params:
    """[(W_1, b_1), ...] with W_l = init(sizes[l-1], sizes[l], rng) and b_l = 0."""
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(f"sizes must list at least two positive integers, got {sizes!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    init = scaled_normal if init is None else init
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = np.asarray(init(int(n_in), int(n_out), rng), dtype=np.float64)
        if W.shape != (n_in, n_out):
            raise ValueError(f"init must return shape (n_in, n_out) = {(n_in, n_out)}, got {W.shape}")
        params.append((W, np.zeros(int(n_out))))
    return params


def _check_inputs(params: Params, X: np.ndarray, y: np.ndarray | None = None):
    X = np.asarray(X, dtype=np.float64)
    n_in = params[0][0].shape[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"X must have shape (N, {n_in}), got {X.shape}")
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must be integer labels of shape ({len(X)},), got {y.dtype} {y.shape}")
    return X, y


def forward(params: Params, X: np.ndarray, activation: Activation,
            dropout: float | None = None, rng: np.random.Generator | None = None):
    """Hidden A = activation(A_prev @ W + b) (inverted dropout if asked); logits = A @ W + b."""
    X, _ = _check_inputs(params, X)
    p = 0.0 if dropout is None else float(dropout)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must be a drop probability in [0, 1), got {dropout!r}")
    if p > 0 and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator when dropout > 0")
    inputs, pre, masks = [], [], []
    A = X
    for W, b in params[:-1]:
        inputs.append(A)
        Z = A @ W + b
        A = activation.f(Z)
        mask = None
        if p > 0:
            mask = (rng.random(A.shape) >= p) / (1.0 - p)  # keep with prob 1-p, rescale survivors
            A = A * mask
        pre.append(Z)
        masks.append(mask)
    W, b = params[-1]
    inputs.append(A)
    return A @ W + b, {"inputs": inputs, "pre": pre, "masks": masks}


def backward(params: Params, cache: dict, dlogits: np.ndarray, activation: Activation) -> Params:
    """Backpropagation: dW = A_prev^T dZ, db = sum_rows dZ, dA_prev = dZ W^T, dZ = dA * f'(Z)."""
    grads = []
    dZ = np.asarray(dlogits, dtype=np.float64)
    for layer in reversed(range(len(params))):
        W, _ = params[layer]
        grads.append((cache["inputs"][layer].T @ dZ, dZ.sum(axis=0)))
        if layer > 0:
            dA = dZ @ W.T
            if cache["masks"][layer - 1] is not None:
                dA = dA * cache["masks"][layer - 1]
            dZ = dA * activation.grad(cache["pre"][layer - 1])
    return grads[::-1]


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """loss = -mean_i log softmax(logits_i)[y_i]; dlogits = (softmax(logits) - onehot(y)) / N."""
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, n_classes), got {logits.shape}")
    N, C = logits.shape
    if y.shape != (N,) or not np.issubdtype(y.dtype, np.integer) or (N and (y.min() < 0 or y.max() >= C)):
        raise ValueError(f"y must be {N} integer labels in 0..{C - 1}")
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp never overflows
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(np.mean(log_probs[np.arange(N), y]))
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1.0
    return loss, dlogits / N


def loss_and_grads(params: Params, X: np.ndarray, y: np.ndarray, activation: Activation,
                   l2: float = 0.0, n: int | None = None, dropout: float = 0.0,
                   rng: np.random.Generator | None = None) -> tuple[float, Params]:
    """Cross-entropy + l2/(2n) sum ||W||^2 (weights only) and its gradients [(dW, db), ...]."""
    X, y = _check_inputs(params, X, y)
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2!r}")
    n = len(X) if n is None else n
    logits, cache = forward(params, X, activation, dropout=dropout, rng=rng)
    loss, dlogits = softmax_cross_entropy(logits, y)
    grads = backward(params, cache, dlogits, activation)
    if l2 > 0:
        loss += l2 / (2 * n) * sum(float(np.sum(W**2)) for W, _ in params)
        grads = [(dW + (l2 / n) * W, db) for (W, _), (dW, db) in zip(params, grads)]
    return loss, grads


def sgd(w: np.ndarray, g: np.ndarray, state: dict, *, lr: float) -> tuple[np.ndarray, dict]:
    """Plain gradient descent: w <- w - lr * g (no state needed)."""
    return w - lr * g, state


def predict(params: Params, X: np.ndarray, activation: Activation) -> np.ndarray:
    """The most likely class argmax_c logits[i, c] for every row of X."""
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(params: Params, X: np.ndarray, y: np.ndarray, activation: Activation) -> float:
    """Fraction of rows of X whose predicted class equals y."""
    X, y = _check_inputs(params, X, y)
    return float(np.mean(predict(params, X, activation) == y))


def train(params: Params, X: np.ndarray, y: np.ndarray, *, activation: Activation,
          update: Callable = sgd, hyper: dict | None = None, epochs: int = 10,
          batch_size: int = 32, rng: np.random.Generator, X_val: np.ndarray | None = None,
          y_val: np.ndarray | None = None, l2: float = 0.0, dropout: float = 0.0,
          progress: bool = True) -> tuple[Params, dict[str, list[float]]]:
    """Mini-batch training; returns new params and per-epoch history (losses without the L2 term).

    hyper defaults to {"lr": 0.1}; every parameter array gets its own optimizer state dict.
    """
    X, y = _check_inputs(params, X, y)
    hyper = {"lr": 0.1} if hyper is None else dict(hyper)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    params = [(W.copy(), b.copy()) for W, b in params]  # never touch the caller's arrays
    states = [({}, {}) for _ in params]
    history = {"train_loss": [], "train_acc": []}
    if X_val is not None:
        X_val, y_val = _check_inputs(params, X_val, y_val)
        history.update(val_loss=[], val_acc=[])
    N = len(X)
    for _ in progress_bar(range(int(epochs)), desc="epochs", disable=None if progress else True):
        order = rng.permutation(N)
        for start in range(0, N, int(batch_size)):
            batch = order[start:start + int(batch_size)]
            _, grads = loss_and_grads(params, X[batch], y[batch], activation, l2=l2, n=N,
                                      dropout=dropout, rng=rng)
            new_params, new_states = [], []
            for (W, b), (dW, db), (sW, sb) in zip(params, grads, states):
                W, sW = update(W, dW, sW, **hyper)
                b, sb = update(b, db, sb, **hyper)
                new_params.append((W, b))
                new_states.append((sW, sb))
            params, states = new_params, new_states
        for split, (Xs, ys) in {"train": (X, y), "val": (X_val, y_val)}.items():
            if Xs is not None:
                logits, _ = forward(params, Xs, activation)
                history[f"{split}_loss"].append(softmax_cross_entropy(logits, ys)[0])
                history[f"{split}_acc"].append(float(np.mean(np.argmax(logits, axis=1) == ys)))
    return params, history
