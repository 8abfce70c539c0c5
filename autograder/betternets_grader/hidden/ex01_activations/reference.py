"""Notebook 01, the reference of every exercise: activation functions, their derivatives,
vanishing gradients and the output layer's delta.

Every function takes an array of any shape (or a Python float), returns a new float array of
the same shape, and never overflows for |z| up to 1e4 (the exponentials only ever see z <= 0).
Formulas follow `shared/EXERCISES.md`, section 01. The reference of exercise `x` is the
function `x` here (`reference("x")`).
"""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "lecun_tanh", "lecun_tanh_grad",
           "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "softplus", "softplus_grad",
           "elu", "elu_grad", "noisy_relu", "layer_gradient_norms", "output_delta"]

LECUN_A = 1.7159
LECUN_B = 2.0 / 3.0


def _z(z):
    return np.asarray(z, dtype=float)


def sigmoid(z):
    """1 / (1 + e^-z), as e^-|z| based branches: no overflow."""
    z = _z(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """s (1 - s) with s = sigmoid(z); equals e^-|z| / (1 + e^-|z|)^2."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """2 sigmoid(2z) - 1 = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|)."""
    z = _z(z)
    e = np.exp(-2.0 * np.abs(z))
    return np.sign(z) * (1.0 - e) / (1.0 + e)


def tanh_grad(z):
    """1 - tanh(z)^2."""
    return 1.0 - tanh(z) ** 2


def lecun_tanh(z):
    """1.7159 tanh(2z/3) (LeCun et al. 1998)."""
    return LECUN_A * tanh(LECUN_B * _z(z))


def lecun_tanh_grad(z):
    """1.7159 (2/3) (1 - tanh(2z/3)^2)."""
    return LECUN_A * LECUN_B * tanh_grad(LECUN_B * _z(z))


def relu(z):
    """max(0, z)."""
    return np.maximum(_z(z), 0.0)


def relu_grad(z):
    """1 where z > 0, else 0 (so 0 at z == 0)."""
    return (_z(z) > 0).astype(float)


def leaky_relu(z, beta=0.01):
    """z where z > 0, else beta z."""
    z = _z(z)
    return np.where(z > 0, z, beta * z)


def leaky_relu_grad(z, beta=0.01):
    """1 where z > 0, else beta (so beta at z == 0)."""
    z = _z(z)
    return np.where(z > 0, 1.0, float(beta))


def softplus(z):
    """ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)."""
    z = _z(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    """sigmoid(z)."""
    return sigmoid(z)


def elu(z, beta=1.0):
    """z where z > 0, else beta (e^z - 1) (Clevert et al. 2015, their alpha)."""
    z = _z(z)
    return np.where(z > 0, z, beta * np.expm1(np.minimum(z, 0.0)))


def elu_grad(z, beta=1.0):
    """1 where z > 0, else beta e^z (so beta at z == 0)."""
    z = _z(z)
    return np.where(z > 0, 1.0, beta * np.exp(np.minimum(z, 0.0)))


def noisy_relu(z, rng):
    """max(0, z + e), e ~ N(0, sigmoid(z)): the noise VARIANCE is sigmoid(z) (Nair and Hinton 2010)."""
    z = _z(z)
    noise = rng.standard_normal(z.shape) * np.sqrt(sigmoid(z))
    return np.maximum(z + noise, 0.0)


def layer_gradient_norms(X, weights, activation, activation_grad):
    """Frobenius norms of dL/dW_l, first layer first, for L = sum(A_last).

    Forward A_l = activation(A_{l-1} @ W_l + b_l), A_0 = X; backward
    dZ_l = dA_l * activation_grad(Z_l), dW_l = A_{l-1}^T dZ_l, dA_{l-1} = dZ_l W_l^T.
    """
    A = np.asarray(X, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"X must be a 2-D array (N, n_in), got shape {A.shape}")
    inputs, pre = [], []
    for l, (W, b) in enumerate(weights):
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if W.ndim != 2 or W.shape[0] != A.shape[1] or b.shape != (W.shape[1],):
            raise ValueError(f"weights[{l}] has W {W.shape} and b {b.shape}, which do not fit "
                             f"inputs of width {A.shape[1]}")
        Z = A @ W + b
        inputs.append(A)
        pre.append(Z)
        A = activation(Z)
    dA = np.ones_like(A)
    norms = np.zeros(len(pre))
    for l in reversed(range(len(pre))):
        dZ = dA * activation_grad(pre[l])
        norms[l] = np.linalg.norm(inputs[l].T @ dZ)
        dA = dZ @ np.asarray(weights[l][0], dtype=float).T
    return norms


def output_delta(a, y, cost):
    """dC/dz of sigmoid output units a = sigma(z) with targets y (Nielsen, Neural Networks and
    Deep Learning, ch. 3): quadratic C = (a - y)^2 / 2 gives (a - y) sigma'(z) = (a - y) a (1 - a);
    cross-entropy C = -[y ln a + (1 - y) ln(1 - a)] gives a - y (sigma'(z) cancels). float64."""
    a, y = np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.shape != y.shape:
        raise ValueError(f"a and y must have the same shape, got {a.shape} and {y.shape}")
    if np.any((a < 0.0) | (a > 1.0)):
        raise ValueError("every a must lie in [0, 1]")
    if cost == "quadratic":
        return (a - y) * a * (1.0 - a)
    if cost == "cross_entropy":
        return a - y
    raise ValueError(f"cost must be 'quadratic' or 'cross_entropy', got {cost!r}")
