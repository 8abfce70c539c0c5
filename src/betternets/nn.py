"""A tiny multilayer perceptron in numpy, with pluggable activations, initializers and update rules.

Parameters are a list of ``(W, b)`` pairs, W of shape (n_in, n_out), b of shape (n_out,), and a
layer computes ``Z = A @ W + b`` (batch first). Hidden layers apply an ``Activation``; the output
layer is linear and feeds a softmax with cross-entropy loss.

An update rule is a plain function ``update(w, g, state, **hyper) -> (w_new, state_new)`` where
``state`` is a dict that belongs to one parameter array (empty at the start).

The students write the update rules (notebook 04) and the initializers (notebook 02)
themselves, so this module holds none as a function: `train` without an update rule takes
plain gradient steps, and `init_mlp` without an initializer draws N(0, 1/n_in), both inline.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from betternets.progress import progress as progress_bar

Params = list[tuple[np.ndarray, np.ndarray]]


class Activation(NamedTuple):
    """An elementwise nonlinearity a = f(z) and its derivative grad(z) = f'(z).

    Your own: ``Activation("mine", f, grad)``. The built-in ones (SIGMOID, TANH, RELU,
    IDENTITY) carry no functions: `forward` and `backward` compute them by name, inline,
    because sigmoid, tanh, ReLU and their derivatives are exercises of notebook 01.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray] | None = None
    grad: Callable[[np.ndarray], np.ndarray] | None = None


SIGMOID, TANH, RELU, IDENTITY = (Activation(n) for n in ("sigmoid", "tanh", "relu", "identity"))

ACTIVATIONS = {a.name: a for a in (SIGMOID, TANH, RELU, IDENTITY)}


def _check_activation(activation: Activation) -> None:
    if not isinstance(activation, Activation):
        raise ValueError(f"activation must be an nn.Activation, got {type(activation).__name__}")
    if (activation.f is None) != (activation.grad is None):
        raise ValueError("an Activation of your own needs both f and grad")
    if activation.f is None and activation.name not in ACTIVATIONS:
        raise ValueError(f"no built-in activation {activation.name!r}: give f and grad")


def activation_by_name(name: str) -> Activation:
    """The built-in Activation called name ('sigmoid', 'tanh', 'relu' or 'identity')."""
    key = str(name).lower()
    if key not in ACTIVATIONS:
        raise ValueError(f"name must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[key]


def init_mlp(sizes: list[int], rng: np.random.Generator,
             init: Callable[[int, int, np.random.Generator], np.ndarray] | None = None) -> Params:
    """[(W_1, b_1), ...] with W_l = init(sizes[l-1], sizes[l], rng) and b_l = 0; without
    `init`, W_l ~ N(0, 1 / sizes[l-1])."""
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(f"sizes must list at least two positive integers, got {sizes!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if init is None:
            W = rng.standard_normal((int(n_in), int(n_out))) / np.sqrt(n_in)
        else:
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
    _check_activation(activation)
    p = 0.0 if dropout is None else float(dropout)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must be a drop probability in [0, 1), got {dropout!r}")
    if p > 0 and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator when dropout > 0")
    inputs, pre, post, masks = [], [], [], []
    A = X
    for W, b in params[:-1]:
        inputs.append(A)
        Z = A @ W + b
        if activation.f is not None:
            A = activation.f(Z)
        elif activation.name == "sigmoid":   # 1 / (1 + exp(-z)), without overflow
            e = np.exp(-np.abs(Z))
            A = np.where(Z >= 0, 1.0, e) / (1.0 + e)
        elif activation.name == "tanh":
            A = np.tanh(Z)
        elif activation.name == "relu":
            A = np.maximum(Z, 0.0)
        else:
            A = np.array(Z, dtype=np.float64)
        post.append(A)
        mask = None
        if p > 0:
            mask = (rng.random(A.shape) >= p) / (1.0 - p)  # keep with prob 1-p, rescale survivors
            A = A * mask
        pre.append(Z)
        masks.append(mask)
    W, b = params[-1]
    inputs.append(A)
    return A @ W + b, {"inputs": inputs, "pre": pre, "post": post, "masks": masks}


def backward(params: Params, cache: dict, dlogits: np.ndarray, activation: Activation) -> Params:
    """Backpropagation: dW = A_prev^T dZ, db = sum_rows dZ, dA_prev = dZ W^T, dZ = dA * f'(Z).
    For the built-in activations f'(Z) comes from the layer's output A = f(Z):
    A (1 - A) (sigmoid), 1 - A^2 (tanh), [Z > 0] (ReLU), 1 (identity)."""
    grads = []
    dZ = np.asarray(dlogits, dtype=np.float64)
    for layer in reversed(range(len(params))):
        W, _ = params[layer]
        grads.append((cache["inputs"][layer].T @ dZ, dZ.sum(axis=0)))
        if layer > 0:
            dA = dZ @ W.T
            if cache["masks"][layer - 1] is not None:
                dA = dA * cache["masks"][layer - 1]
            Z, A = cache["pre"][layer - 1], cache["post"][layer - 1]
            if activation.grad is not None:
                slope = activation.grad(Z)
            elif activation.name == "sigmoid":
                slope = A * (1.0 - A)
            elif activation.name == "tanh":
                slope = 1.0 - A ** 2
            elif activation.name == "relu":
                slope = (Z > 0).astype(np.float64)
            else:
                slope = 1.0
            dZ = dA * slope
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


def predict(params: Params, X: np.ndarray, activation: Activation) -> np.ndarray:
    """The most likely class argmax_c logits[i, c] for every row of X."""
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(params: Params, X: np.ndarray, y: np.ndarray, activation: Activation) -> float:
    """Fraction of rows of X whose predicted class equals y."""
    X, y = _check_inputs(params, X, y)
    return float(np.mean(predict(params, X, activation) == y))


def train(params: Params, X: np.ndarray, y: np.ndarray, *, activation: Activation,
          update: Callable | None = None, hyper: dict | None = None, epochs: int = 10,
          batch_size: int = 32, rng: np.random.Generator, X_val: np.ndarray | None = None,
          y_val: np.ndarray | None = None, l2: float = 0.0, dropout: float = 0.0,
          progress: bool = True) -> tuple[Params, dict[str, list[float]]]:
    """Mini-batch training; returns new params and per-epoch history (losses without the L2 term).

    hyper defaults to {"lr": 0.1}; every parameter array gets its own optimizer state dict.
    Without `update`, plain gradient steps: w <- w - lr * g.
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
                if update is None:
                    W, b = W - hyper["lr"] * dW, b - hyper["lr"] * db
                else:
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
