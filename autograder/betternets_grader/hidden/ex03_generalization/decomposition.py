"""Hidden checks of `bias_variance`: the bias-variance decomposition.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect

from ... import HIDDEN
from .common import _parts
from .reference import bias_variance


def _bv(call, p, y):
    bias2, var = _parts(call("bias_variance", p, y), 2, "bias_variance")
    return float(bias2), float(var)


@HIDDEN.property("bias_variance", "values", "matches the formulas on random predictions")
def bias_variance__values(call):
    rng = np.random.default_rng(3001)
    for n_models, n_points in [(7, 13), (30, 4), (2, 25)]:
        y = rng.normal(size=n_points)
        p = y + 0.3 + rng.normal(scale=0.5, size=(n_models, n_points))
        got = _bv(call, p, y)
        want = bias_variance(p, y)
        expect.close(got[0], want[0], f"bias^2 for {n_models} models at {n_points} points",
                     rtol=1e-9, hint="average the models first, then square the error, then "
                     "average over points")
        expect.close(got[1], want[1], f"variance for {n_models} models at {n_points} points",
                     rtol=1e-9, hint="variance over models (axis 0, ddof=0), averaged over points")


@HIDDEN.property("bias_variance", "decomposition",
                 "bias^2 + variance equals the mean squared error averaged over models and points")
def bias_variance__decomposition(call):
    rng = np.random.default_rng(3002)
    p = rng.normal(size=(5, 9))
    y = rng.normal(size=9)
    bias2, var = _bv(call, p, y)
    expect.close(bias2 + var, np.mean((p - y) ** 2), "bias^2 + variance", rtol=1e-9,
                 hint="this identity holds with the population variance (np.var, ddof=0)")


@HIDDEN.property("bias_variance", "single_model",
                 "one model: variance 0 and bias^2 equal to its mean squared error")
def bias_variance__single_model(call):
    p = np.array([[1.0, 2.0, 4.0]])
    y = np.array([0.0, 2.0, 2.0])
    bias2, var = _bv(call, p, y)
    expect.close(var, 0.0, "variance of a single model", atol=1e-12)
    expect.close(bias2, 5.0 / 3.0, "bias^2 of a single model", rtol=1e-9)
