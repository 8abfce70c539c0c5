"""Self-checks of `layer_gradient_norms`, the gradient norm of every layer, and the named
mistakes they recognise. The test activations these checks pass to your function (by name,
see `calls.Fn`) are in `betternets.checks.functions`: test inputs, not answers to any exercise.
"""
from __future__ import annotations

import numpy as np

from .. import expect
from ..core import VISIBLE
from ..functions import COS, IDENTITY, ONES, SIN, SQUARE, TWICE


# ---------------------------------------------------------------- layer_gradient_norms

@VISIBLE.property("layer_gradient_norms", "one_square_layer",
                  "one layer a = z^2: dL/dW = 2 X^T (X W + b), its Frobenius norm")
def layer_gradient_norms__one_square_layer(call):
    # L = sum((X W + b)^2) gives dL/dW = X^T (2 Z) with Z = X W + b.
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    W, b = np.array([[0.3, -0.2, 0.1], [0.4, 0.0, -0.5]]), np.array([0.1, 0.2, -0.3])
    got = call("layer_gradient_norms", X, [(W, b)], SQUARE, TWICE)
    expect.close(got, [np.linalg.norm(2 * X.T @ (X @ W + b))],
                 "layer_gradient_norms for one layer a = z^2", rtol=1e-9,
                 hint="dZ = dL/dA * activation_grad(Z), evaluated at Z (not at A); "
                 "dW = A_prev^T @ dZ; the norm is np.linalg.norm(dW), the Frobenius norm")


@VISIBLE.property("layer_gradient_norms", "two_linear_layers",
                  "two identity layers, norms worked out by hand, first layer first")
def layer_gradient_norms__two_linear_layers(call):
    # Identity layers: dL/dZ2 = 1 (N x 3), dW2 = A1^T 1, every column the column sums of A1;
    # dL/dA1 = 1 W2^T, every row W2's row sums r, so dW1 = X^T 1 r^T = outer(colsum X, r).
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-1.0, 0.0]])
    W1, b1 = np.array([[2.0, -1.0], [0.5, 1.0]]), np.array([0.1, -0.2])
    W2, b2 = np.array([[1.0, 0.5, -0.5], [3.0, 1.0, 1.0]]), np.zeros(3)
    A1 = X @ W1 + b1
    expected = [np.linalg.norm(X.sum(axis=0)) * np.linalg.norm(W2.sum(axis=1)),
                np.sqrt(3) * np.linalg.norm(A1.sum(axis=0))]
    got = call("layer_gradient_norms", X, [(W1, b1), (W2, b2)], IDENTITY, ONES)
    expect.close(got, expected, "layer_gradient_norms for two identity layers", rtol=1e-9,
                 hint="return the norms first layer first; dA_prev = dZ @ W^T")


@VISIBLE.property("layer_gradient_norms", "shape",
                  "three layers give a 1-D array of three positive norms")
def layer_gradient_norms__shape(call):
    rng = np.random.default_rng(3)
    sizes = [4, 5, 3, 2]
    weights = [(rng.normal(size=(a, b)) / np.sqrt(a), np.zeros(b))
               for a, b in zip(sizes[:-1], sizes[1:])]
    got = expect.same_shape(call("layer_gradient_norms", rng.normal(size=(6, 4)), weights,
                                 SIN, COS), (3,), "layer_gradient_norms for 3 layers",
                            "one norm per layer, in a 1-D array")
    expect.true(bool(np.all(got > 0)), f"layer_gradient_norms returned {got}, expected "
                "positive norms")


@VISIBLE.property("layer_gradient_norms", "pure", "X and the weights are left unchanged")
def layer_gradient_norms__pure(call):
    rng = np.random.default_rng(4)
    weights = [(rng.normal(size=(3, 3)), rng.normal(size=3)) for _ in range(2)]
    expect.pure(call, "layer_gradient_norms", rng.normal(size=(5, 3)), weights, SIN, COS)


# ---------------------------------------------------------------- known mistakes (named hints)

@VISIBLE.mistake("layer_gradient_norms", "the norms in reverse order",
                 "return them first layer first (reverse the list you built backwards)")
def layer_gradient_norms__looks_like_norms_reverse_order(call):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-1.0, 0.0]])
    W1, W2 = np.array([[2.0, -1.0], [0.5, 1.0]]), np.array([[1.0, 0.5, -0.5], [3.0, 1.0, 1.0]])
    A1 = X @ W1
    right = [np.linalg.norm(X.sum(axis=0)) * np.linalg.norm(W2.sum(axis=1)),
             np.sqrt(3) * np.linalg.norm(A1.sum(axis=0))]
    got = np.asarray(call("layer_gradient_norms", X, [(W1, np.zeros(2)), (W2, np.zeros(3))],
                          IDENTITY, ONES), dtype=float)
    return got.shape == (2,) and np.allclose(got, right[::-1], rtol=1e-9)


@VISIBLE.mistake("layer_gradient_norms", "the derivative evaluated at the output A, not at Z",
                 "keep each layer's Z = A_prev @ W + b and use activation_grad(Z)")
def layer_gradient_norms__looks_like_derivative_evaluated_at_output_at(call):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    W, b = np.array([[0.3, -0.2, 0.1], [0.4, 0.0, -0.5]]), np.array([0.1, 0.2, -0.3])
    Z = X @ W + b
    got = np.asarray(call("layer_gradient_norms", X, [(W, b)], SQUARE, TWICE), dtype=float)
    return np.allclose(got, [np.linalg.norm(X.T @ (2 * Z ** 2))], rtol=1e-9)
