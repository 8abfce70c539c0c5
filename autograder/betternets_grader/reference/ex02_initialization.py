"""Reference for notebook 02: weight initialization, activation statistics, pre-training.

Every initializer returns an (n_in, n_out) float64 array (batch-first: Z = X @ W + b);
biases start at zero. Randomness comes only from the `rng` argument.
"""
from __future__ import annotations

import numpy as np


def _check_sizes(**sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def zeros_init(n_in, n_out):
    """W = 0 (every unit identical: the symmetry problem)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return np.zeros((int(n_in), int(n_out)))


def normal_init(n_in, n_out, rng, std=1.0):
    """W_ij ~ N(0, std^2)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, std, size=(int(n_in), int(n_out)))


def lecun_normal_init(n_in, n_out, rng):
    """W_ij ~ N(0, 1/n_in): standard deviation 1/sqrt(n_in) (LeC98)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(int(n_in), int(n_out)))


XAVIER_GAIN = {"tanh": 1.0, "sigmoid": 4.0}


def xavier_uniform_init(n_in, n_out, rng, activation="tanh"):
    """W_ij ~ U[-r, r], r = sqrt(6/(n_in+n_out)) for tanh, 4 r for sigmoid (GB10 eq. 16, DLT)."""
    if activation not in XAVIER_GAIN:
        raise ValueError(f"activation must be 'tanh' or 'sigmoid', got {activation!r}")
    _check_sizes(n_in=n_in, n_out=n_out)
    r = XAVIER_GAIN[activation] * np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(int(n_in), int(n_out)))


def he_uniform_init(n_in, n_out, rng):
    """W_ij ~ U[-r, r], r = sqrt(6/n_in): Var[W] = 2/n_in (He15)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    r = np.sqrt(6.0 / n_in)
    return rng.uniform(-r, r, size=(int(n_in), int(n_out)))


def he_normal_init(n_in, n_out, rng):
    """W_ij ~ N(0, 2/n_in) (He15)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(int(n_in), int(n_out)))


def activation_stats(X, init, activation, depth, width, rng):
    """Per-layer [mean, std] of A_l = activation(A_{l-1} @ W_l), A_0 = X, zero biases.

    W_1 = init(X.shape[1], width, rng), then W_l = init(width, width, rng) for l = 2..depth,
    drawn in that order from rng. Statistics over all samples and units of A_l, std with ddof=0.
    Returns an array of shape (depth, 2).
    """
    _check_sizes(depth=depth, width=width)
    A = np.asarray(X, dtype=float)
    stats = np.empty((int(depth), 2))
    for layer in range(int(depth)):
        W = np.asarray(init(A.shape[1], int(width), rng), dtype=float)
        A = activation(A @ W)
        stats[layer] = A.mean(), A.std()
    return stats


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
    """One greedy layer: autoencoder H = sigmoid(X W + b), X_hat = H V + c.

    Mini-batch SGD (batches of 32, reshuffled every epoch with rng) on
    E = (1/N) sum_i ||x_hat_i - x_i||^2 / 2, from W, V ~ U[-r, r] with
    r = sqrt(6/(n_in + n_hidden)) and zero biases. Returns the encoder (W, b);
    epochs=0 returns the untrained start.
    """
    X = np.asarray(X, dtype=float)
    _check_sizes(n_hidden=n_hidden)
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    N, n_in = X.shape
    r = np.sqrt(6.0 / (n_in + n_hidden))
    W = rng.uniform(-r, r, size=(n_in, int(n_hidden)))
    V = rng.uniform(-r, r, size=(int(n_hidden), n_in))
    b, c = np.zeros(int(n_hidden)), np.zeros(n_in)
    for _ in range(int(epochs)):
        order = rng.permutation(N)
        for start in range(0, N, 32):
            xb = X[order[start:start + 32]]
            H = _sigmoid(xb @ W + b)
            D = (H @ V + c - xb) / len(xb)          # dE/dX_hat on this batch
            dV, dc = H.T @ D, D.sum(axis=0)
            dZ = (D @ V.T) * H * (1.0 - H)           # back through the sigmoid
            dW, db = xb.T @ dZ, dZ.sum(axis=0)
            W, b, V, c = W - lr * dW, b - lr * db, V - lr * dV, c - lr * dc
    return W, b


def best_linear_reconstruction_error(X, W, b):
    """Mean squared error per pixel of X from the code sigmoid(X W + b) through the best
    affine decoder (least squares), i.e. how much of X the encoder keeps."""
    X = np.asarray(X, dtype=float)
    H = _sigmoid(X @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float))
    H1 = np.column_stack([H, np.ones(len(H))])
    D, *_ = np.linalg.lstsq(H1, X, rcond=None)
    return float(np.mean((H1 @ D - X) ** 2))
