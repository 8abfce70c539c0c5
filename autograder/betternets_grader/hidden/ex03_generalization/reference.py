"""Notebook 03, the reference of every exercise: better generalization.

Splits, the bias-variance decomposition, L2/L1 penalties and weight decay, gradient
clipping, dropout and its alternatives (DropConnect, Shakeout, Whiteout, Zoneout), image
augmentation and early stopping. Formulas follow `shared/EXERCISES.md`, section 03.
The reference of exercise `x` is the function `x` here (`reference("x")`).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["train_test_split", "train_val_test_split", "bias_variance", "l2_penalty",
           "l2_penalty_grad", "l1_penalty", "l1_penalty_grad", "sgd_l2_update", "sgd_l1_update",
           "clip_by_value", "clip_by_norm", "dropout_forward", "dropout_backward",
           "dropconnect_forward", "shakeout_weights", "whiteout_noise_variance",
           "whiteout_forward", "zoneout", "augment_images", "early_stopping"]


# --------------------------------------------------------------------------- splits


def train_test_split(X, y, rng, test_fraction=0.2):
    """Shuffle, then the first round(N * test_fraction) rows are the test set."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    n_test = int(round(len(X) * test_fraction))
    order = rng.permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
    """Sizes round(N f_val) and round(N f_test); the rest is for training."""
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions!r}")
    X, y = np.asarray(X), np.asarray(y)
    N = len(X)
    n_val, n_test = int(round(N * fractions[1])), int(round(N * fractions[2]))
    order = rng.permutation(N)
    val, test, train = order[:n_val], order[n_val:n_val + n_test], order[n_val + n_test:]
    return X[train], X[val], X[test], y[train], y[val], y[test]


# --------------------------------------------------------------------------- bias and variance


def bias_variance(predictions, y_true):
    """(mean over points of (mean over models - y)^2, mean over points of var over models)."""
    p = np.asarray(predictions, dtype=float)
    y = np.asarray(y_true, dtype=float)
    bias_squared = float(np.mean((p.mean(axis=0) - y) ** 2))
    variance = float(np.mean(p.var(axis=0)))
    return bias_squared, variance


# --------------------------------------------------------------------------- penalties


def l2_penalty(weights, lam, n):
    """lam / (2n) * sum of w^2 over every weight matrix."""
    return float(lam / (2 * n) * sum(np.sum(np.asarray(W, dtype=float) ** 2) for W in weights))


def l2_penalty_grad(W, lam, n):
    """(lam / n) * W."""
    return (lam / n) * np.asarray(W, dtype=float)


def l1_penalty(weights, lam, n):
    """lam / n * sum of |w| over every weight matrix."""
    return float(lam / n * sum(np.sum(np.abs(np.asarray(W, dtype=float))) for W in weights))


def l1_penalty_grad(W, lam, n):
    """(lam / n) * sign(W), with sign(0) = 0."""
    return (lam / n) * np.sign(np.asarray(W, dtype=float))


def sgd_l2_update(W, dW, lr, lam, n):
    """Weight decay: (1 - lr lam / n) W - lr dW."""
    return (1 - lr * lam / n) * np.asarray(W, dtype=float) - lr * np.asarray(dW, dtype=float)


def sgd_l1_update(W, dW, lr, lam, n):
    """W - lr (lam / n) sign(W) - lr dW."""
    W = np.asarray(W, dtype=float)
    return W - lr * (lam / n) * np.sign(W) - lr * np.asarray(dW, dtype=float)


# --------------------------------------------------------------------------- clipping


def clip_by_value(g, clip):
    """Every element into [-clip, clip]."""
    return np.clip(np.asarray(g, dtype=float), -clip, clip)


def clip_by_norm(grads, max_norm):
    """Scale every array by max_norm / norm when the global norm is above max_norm."""
    grads = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads], norm


# --------------------------------------------------------------------------- dropout and friends


def _check_p(p, name):
    if not 0.0 <= p < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {p!r}")


def dropout_forward(A, p_drop, rng, train=True):
    """Inverted dropout: mask = keep / (1 - p_drop) with keep ~ Bernoulli(1 - p_drop)."""
    _check_p(p_drop, "p_drop")
    A = np.asarray(A, dtype=float)
    if not train:
        return A.copy(), None
    mask = (rng.random(A.shape) >= p_drop) / (1.0 - p_drop)
    return A * mask, mask


def dropout_backward(dout, mask):
    """dout * mask (dout unchanged, as a copy, when mask is None)."""
    dout = np.asarray(dout, dtype=float)
    return dout.copy() if mask is None else dout * mask


def dropconnect_forward(X, W, b, p_drop, rng):
    """Z = X @ (W * mask) + b with one mask entry per weight."""
    _check_p(p_drop, "p_drop")
    W = np.asarray(W, dtype=float)
    mask = (rng.random(W.shape) >= p_drop) / (1.0 - p_drop)
    return np.asarray(X, dtype=float) @ (W * mask) + b, mask


def shakeout_weights(W, tau, c, rng):
    """Row j kept (prob 1 - tau): (W + c tau sign W) / (1 - tau); dropped: -c sign W."""
    _check_p(tau, "tau")
    W = np.asarray(W, dtype=float)
    keep = rng.random(W.shape[0]) >= tau
    s = np.sign(W)
    W_tilde = np.where(keep[:, None], (W + c * tau * s) / (1.0 - tau), -c * s)
    return W_tilde, keep


def whiteout_noise_variance(W, sigma, gamma, lam):
    """Variance of the noise on each output unit: sum_i sigma^2 |w_ij|^(2-gamma) + lam w_ij^2."""
    a = np.abs(np.asarray(W, dtype=float))
    return np.sum(sigma ** 2 * a ** (2.0 - gamma) + lam * a ** 2, axis=0)


def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
    """Z = X @ W + b + noise, noise of unit j ~ N(0, sum_i sigma^2 |w_ij|^(2-gamma) + lam w_ij^2)."""
    X = np.asarray(X, dtype=float)
    var = whiteout_noise_variance(W, sigma, gamma, lam)
    noise = rng.standard_normal((X.shape[0], var.size)) * np.sqrt(var)
    return X @ np.asarray(W, dtype=float) + b + noise


def zoneout(h_prev, h_new, p, rng, train=True):
    """Train: keep h_prev with probability p per unit; test: p h_prev + (1 - p) h_new."""
    h_prev, h_new = np.asarray(h_prev, dtype=float), np.asarray(h_new, dtype=float)
    if not train:
        return p * h_prev + (1 - p) * h_new
    keep = rng.random(h_new.shape) < p
    return np.where(keep, h_prev, h_new)


# --------------------------------------------------------------------------- augmentation


def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
    """Per image: rotate, shift, drop pixels, add noise; same shape and dtype."""
    images = np.asarray(images)
    out = images.astype(float)  # a copy
    for k in range(len(out)):
        img = out[k]
        if max_degrees > 0:
            angle = rng.uniform(-max_degrees, max_degrees)
            img = ndimage.rotate(img, angle, reshape=False, order=1, mode="constant", cval=0.0)
        if max_shift > 0:
            dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
            img = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=0.0)
        out[k] = img
    if drop_prob > 0:
        out = np.where(rng.random(out.shape) < drop_prob, 0.0, out)
    if noise_std > 0:
        out = out + rng.normal(0.0, noise_std, size=out.shape)
    return out.astype(images.dtype)


# --------------------------------------------------------------------------- early stopping


def early_stopping(val_losses, patience, min_delta=0.0):
    """(stop_epoch, best_epoch): stop at the first e with e - best == patience, else the last epoch."""
    losses = [float(v) for v in val_losses]
    best, best_loss = 0, losses[0]
    for e, loss in enumerate(losses):
        if e > 0 and loss < best_loss - min_delta:
            best, best_loss = e, loss
        if e - best == patience:
            return e, best
    return len(losses) - 1, best
