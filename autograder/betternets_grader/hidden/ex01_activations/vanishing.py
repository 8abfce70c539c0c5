"""Hidden checks of `layer_gradient_norms`: the gradient norm of every layer of a deep network.

The test activations are given by name (Fn tokens: sin, arctan, softsign, the logistic), so
these checks never depend on the student's own sigmoid; 12 sigmoid layers show the vanishing
gradient the notebook is about.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit
from scipy.stats import logistic

from betternets.checks import expect
from betternets.checks.functions import (
    ARCTAN, ARCTAN_SLOPE, COS, LOGISTIC, LOGISTIC_SLOPE, SIN, SOFTSIGN, SOFTSIGN_SLOPE,
    arctan_slope, softsign, softsign_slope,
)

from ... import HIDDEN
from .reference import layer_gradient_norms

def _network(rng, sizes, scale=1.0):
    return [(rng.normal(scale=scale, size=(a, b)) / np.sqrt(a), rng.normal(scale=0.1, size=b))
            for a, b in zip(sizes[:-1], sizes[1:])]


PAIRS = [(SIN, COS, np.sin, np.cos), (ARCTAN, ARCTAN_SLOPE, np.arctan, arctan_slope),
         (SOFTSIGN, SOFTSIGN_SLOPE, softsign, softsign_slope)]
LGN_HINT = ("forward: Z_l = A_(l-1) @ W_l + b_l, A_l = activation(Z_l); backward from dL/dA = 1: "
            "dZ_l = dA_l * activation_grad(Z_l), dW_l = A_(l-1)^T @ dZ_l, "
            "dA_(l-1) = dZ_l @ W_l^T; return the Frobenius norms, first layer first")


@HIDDEN.property("layer_gradient_norms", "values",
                 "matches the reference for 1, 3 and 6 layers with three test activations")
def layer_gradient_norms__values(call):
    rng = np.random.default_rng(1401)
    for depth, (fa, fg, a, g) in zip([1, 3, 6], PAIRS):
        sizes = [5] + [int(n) for n in rng.integers(2, 7, size=depth)]
        weights = _network(rng, sizes, scale=1.5)
        X = rng.normal(size=(7, 5))
        expected = layer_gradient_norms(X, weights, a, g)
        expect.close(call("layer_gradient_norms", X, weights, fa, fg), expected,
                     f"layer_gradient_norms for {depth} layers of sizes {sizes}", rtol=1e-8,
                     atol=1e-12, hint=LGN_HINT)


@HIDDEN.property("layer_gradient_norms", "vanishing_sigmoid",
                 "12 sigmoid layers: the norms match the reference and fall towards the input")
def layer_gradient_norms__vanishing_sigmoid(call):
    rng = np.random.default_rng(1402)
    weights = _network(rng, [16] * 13)
    X = rng.normal(size=(32, 16))
    expected = layer_gradient_norms(X, weights, expit, logistic.pdf)
    got = expect.same_shape(call("layer_gradient_norms", X, weights, LOGISTIC, LOGISTIC_SLOPE),
                            expected.shape, "layer_gradient_norms for 12 layers",
                            "one norm per layer")
    ratio = got[0] / got[-1] if got[-1] else np.inf
    expected_ratio = expected[0] / expected[-1]
    hint = LGN_HINT
    if np.allclose(got[::-1], expected, rtol=1e-6):
        hint = "your norms come last layer first; return them first layer first"
    expect.close(ratio, expected_ratio, "first-layer norm / last-layer norm with sigmoid",
                 rtol=1e-6, hint=hint)
    expect.close(got, expected, "layer_gradient_norms for 12 sigmoid layers", rtol=1e-6,
                 atol=1e-14, hint=hint)


@HIDDEN.property("layer_gradient_norms", "pure", "X and the weights are left unchanged")
def layer_gradient_norms__pure(call):
    rng = np.random.default_rng(1403)
    X, weights = rng.normal(size=(6, 4)), _network(rng, [4, 5, 3])
    expect.pure_values(call, "layer_gradient_norms", [((X, weights, SIN, COS), {})],
                       lambda X, w, a, g: layer_gradient_norms(X, w, np.sin, np.cos),
                       rtol=1e-8, atol=1e-12)
