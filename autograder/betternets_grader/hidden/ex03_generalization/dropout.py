"""Hidden checks of inverted dropout (forward and backward) and DropConnect.

Judged by the distribution of the masks they draw, never by the reference's random stream.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import P, _pair_count, _parts, _same_seed_same_result
from .reference import dropout_backward


# --------------------------------------------------------------------------- dropout


def _dropout(call, A, p, seed, **kw):
    out, mask = _parts(call("dropout_forward", A, p, Rng(seed), **kw), 2, "dropout_forward",
                       arrays=False)
    return np.asarray(out, dtype=float), mask


def _mask_values(mask, p, shape, what, hint):
    mask = expect.same_shape(mask, shape, what, "the mask has one entry per element of A")
    scale = 1.0 / (1.0 - p)
    ok = (mask == 0) | np.isclose(mask, scale, rtol=1e-12, atol=0)
    if not ok.all():
        bad = mask[~ok][0]
        raise CheckFailed(f"{what} holds the value {bad:.6g}; expected only 0 and 1/(1-p) = "
                          f"{scale:.6g} (p = {p})", hint)
    return mask


@HIDDEN.property("dropout_forward", "fraction", "drops a fraction p_drop of the units (p_drop 0.3 and 0.75)")
def dropout_forward__fraction(call):
    A = np.ones((400, 250))
    for p, seed in ((0.3, 41), (0.75, 42)):
        out, _ = _dropout(call, A, p, seed)
        out = expect.same_shape(out, A.shape, "out")
        stats.check_fraction(int(np.sum(out == 0)), out.size, p, f"dropped units at p_drop = {p}",
                             P / 2, "p_drop is the probability to DROP: keep where "
                             "rng.random(shape) >= p_drop")


@HIDDEN.property("dropout_forward", "mask_values",
                 "mask holds 0 and 1/(1-p_drop) only, and out = A * mask")
def dropout_forward__mask_values(call):
    rng = np.random.default_rng(3501)
    A = rng.normal(size=(30, 20))
    out, mask = _dropout(call, A, 0.4, 43)
    mask = _mask_values(mask, 0.4, A.shape, "mask", "inverted dropout scales the kept units by "
                        "1/(1-p_drop) during training")
    expect.close(out, A * mask, "out against A * mask", rtol=1e-12, atol=1e-15)


@HIDDEN.property("dropout_forward", "expectation", "keeps the expectation: mean of out for A = 1 is 1")
def dropout_forward__expectation(call):
    out, _ = _dropout(call, np.ones((400, 250)), 0.5, 44)
    stats.check_mean(out, 1.0, 1.0, "mean of dropout_forward(ones, p_drop=0.5)", P,
                     "scale the kept units by 1/(1-p_drop) so that E[out] = A")


@HIDDEN.property("dropout_forward", "per_unit",
                 "a new random decision for every unit of every example (no shared rows or columns)")
def dropout_forward__per_unit(call):
    out, _ = _dropout(call, np.ones((400, 250)), 0.3, 45)
    _pair_count(np.asarray(out) == 0, 0.3, "dropout mask", P)


@HIDDEN.property("dropout_forward", "test_mode", "train=False returns an unchanged copy of A and mask None")
def dropout_forward__test_mode(call):
    A = np.random.default_rng(3502).normal(size=(6, 5))
    out, mask = _dropout(call, A, 0.5, 46, train=False)
    expect.close(out, A, "out with train=False", rtol=0, atol=0,
                 hint="inverted dropout already scaled during training: at test time A passes "
                 "unchanged")
    expect.true(mask is None, f"mask with train=False is {type(mask).__name__}, expected None")


@HIDDEN.property("dropout_forward", "rng", "randomness only from rng: same seed, same mask")
def dropout_forward__rng(call):
    A = np.ones((10, 8))
    _same_seed_same_result(call, "dropout_forward", lambda s: (A, 0.5, Rng(s)), "dropout_forward")


@HIDDEN.property("dropout_forward", "value_error", "p_drop outside [0, 1) raises ValueError naming p_drop")
def dropout_forward__value_error(call):
    for bad in (1.0, -0.1):
        expect.raises_value_error(call, "dropout_forward", np.ones((2, 2)), bad, Rng(0),
                                  mentions="p_drop")


@HIDDEN.property("dropout_forward", "p_zero", "p_drop = 0 is valid: every unit kept, mask all 1")
def dropout_forward__p_zero(call):
    A = np.random.default_rng(3602).normal(size=(6, 5))
    out, mask = _dropout(call, A, 0.0, 3)
    expect.close(out, A, "dropout_forward(A, p_drop=0) output", rtol=0, atol=0,
                 hint="a probability of exactly 0 is valid: check 0 <= p_drop < 1")
    expect.close(np.asarray(mask, dtype=float), np.ones(A.shape), "the mask at p_drop = 0",
                 rtol=0, atol=0)


@HIDDEN.property("dropout_backward", "values", "matches dout * mask on random inputs")
def dropout_backward__values(call):
    rng = np.random.default_rng(3601)
    for p in (0.2, 0.5):
        dout = rng.normal(size=(7, 9))
        mask = (rng.random((7, 9)) >= p) / (1 - p)
        expect.close(call("dropout_backward", dout, mask), dout * mask, f"dropout_backward (p={p})",
                     rtol=1e-12, atol=1e-15, hint="the gradient goes through the same mask, "
                     "scale included")


@HIDDEN.property("dropout_backward", "none_mask", "mask None (test time) passes dout unchanged")
def dropout_backward__none_mask(call):
    dout = np.array([[1.0, -2.0], [0.5, 3.0]])
    expect.close(expect.pure(call, "dropout_backward", dout, None), dout,
                 "dropout_backward(dout, None)",
                 rtol=0, atol=0, hint="if mask is None, return a copy of dout")


@HIDDEN.property("dropout_backward", "pure", "leaves dout and mask unchanged")
def dropout_backward__pure(call):
    expect.pure_values(call, "dropout_backward",
                       [((np.array([[1.0, 2.0]]), np.array([[0.0, 2.0]])), {})],
                       dropout_backward, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- DropConnect


def _dropconnect(call, X, W, b, p, seed):
    Z, mask = _parts(call("dropconnect_forward", X, W, b, p, Rng(seed)), 2, "dropconnect_forward")
    return Z, mask


@HIDDEN.property("dropconnect_forward", "consistent", "Z = X @ (W * mask) + b for the mask returned")
def dropconnect_forward__consistent(call):
    rng = np.random.default_rng(3701)
    X, W, b = rng.normal(size=(30, 6)), rng.normal(size=(6, 4)), rng.normal(size=4)
    Z, mask = _dropconnect(call, X, W, b, 0.5, 47)
    mask = expect.same_shape(mask, W.shape, "mask", "DropConnect masks weights: mask shaped like W")
    expect.close(Z, X @ (W * mask) + b, "Z against X @ (W * mask) + b", rtol=1e-9, atol=1e-12,
                 hint="multiply W by the mask, then X @ (W * mask) + b; the bias is never dropped")


@HIDDEN.property("dropconnect_forward", "mask_values", "mask shaped like W, values 0 and 1/(1-p_drop)")
def dropconnect_forward__mask_values(call):
    W = np.ones((8, 5))
    _, mask = _dropconnect(call, np.ones((2, 8)), W, np.zeros(5), 0.25, 48)
    _mask_values(mask, 0.25, W.shape, "mask", "scale the kept weights by 1/(1-p_drop)")


@HIDDEN.property("dropconnect_forward", "fraction", "drops a fraction p_drop of the weights")
def dropconnect_forward__fraction(call):
    W = np.ones((400, 250))
    _, mask = _dropconnect(call, np.ones((1, 400)), W, np.zeros(250), 0.3, 49)
    mask = expect.same_shape(mask, W.shape, "mask")
    stats.check_fraction(int(np.sum(mask == 0)), mask.size, 0.3, "dropped weights at p_drop = 0.3",
                         P, "p_drop is the probability to drop a weight")


@HIDDEN.property("dropconnect_forward", "per_weight",
                 "each weight has its own switch (not whole units: rows or columns of W)")
def dropconnect_forward__per_weight(call):
    W = np.ones((400, 250))
    _, mask = _dropconnect(call, np.ones((1, 400)), W, np.zeros(250), 0.3, 50)
    mask = expect.same_shape(mask, W.shape, "mask")
    _pair_count(mask == 0, 0.3, "DropConnect mask", P)


@HIDDEN.property("dropconnect_forward", "rng", "randomness only from rng: same seed, same mask")
def dropconnect_forward__rng(call):
    X, W, b = np.ones((3, 4)), np.ones((4, 5)), np.zeros(5)
    _same_seed_same_result(call, "dropconnect_forward", lambda s: (X, W, b, 0.5, Rng(s)),
                           "dropconnect_forward")


@HIDDEN.property("dropconnect_forward", "value_error",
                 "p_drop outside [0, 1) (1, 1.5, -0.1) raises ValueError naming p_drop")
def dropconnect_forward__value_error(call):
    X, W, b = np.ones((2, 3)), np.ones((3, 2)), np.zeros(2)
    for bad in (1.0, 1.5, -0.1):
        expect.raises_value_error(call, "dropconnect_forward", X, W, b, bad, Rng(0),
                                  mentions="p_drop")


@HIDDEN.property("dropconnect_forward", "p_zero", "p_drop = 0 is valid: Z = X @ W + b, mask all 1")
def dropconnect_forward__p_zero(call):
    rng = np.random.default_rng(3702)
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    Z, mask = _dropconnect(call, X, W, b, 0.0, 4)
    expect.close(Z, X @ W + b, "dropconnect_forward(..., p_drop=0)", rtol=1e-12, atol=1e-12,
                 hint="a probability of exactly 0 is valid: check 0 <= p_drop < 1")
    expect.close(mask, np.ones(W.shape), "the mask at p_drop = 0", rtol=0, atol=0)
