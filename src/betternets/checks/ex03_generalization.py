"""Self-checks for notebook 03: better generalization.

Hand-computed values, invariants and statistics with tolerances from the
sampling distribution (`stats.py`); no reference implementation here.
"""
from __future__ import annotations

import numpy as np

from . import expect, stats
from .calls import Rng
from .core import VISIBLE, CheckFailed

P = stats.DEFAULT_P_FAIL


def _parts(value, k, name):
    if not isinstance(value, (tuple, list)) or len(value) != k:
        raise CheckFailed(f"{name} should return {k} values, got {type(value).__name__}",
                          "return them as a tuple in the order the docstring gives")
    return list(value)


def _ids_data(N):
    ids = np.arange(N)
    return np.column_stack([ids.astype(float), -ids.astype(float)]), ids + 100


# --------------------------------------------------------------------------- splits


@VISIBLE.property("train_test_split", "example",
                  "N = 13, test_fraction = 0.2: 10 training rows and round(2.6) = 3 test rows, "
                  "every row exactly once, labels with their rows")
def train_test_split__example(call):
    X, y = _ids_data(13)
    X_tr, X_te, y_tr, y_te = (np.asarray(v) for v in _parts(
        call("train_test_split", X, y, Rng(0), test_fraction=0.2), 4, "train_test_split"))
    expect.true(X_tr.shape == (10, 2) and X_te.shape == (3, 2),
                f"X_train has shape {X_tr.shape} and X_test {X_te.shape}; expected (10, 2) and "
                "(3, 2)", "test size is round(N * test_fraction); return X_train, X_test, "
                "y_train, y_test")
    ids = np.concatenate([X_tr[:, 0], X_te[:, 0]]).astype(int)
    expect.true(sorted(ids) == list(range(13)), "the rows of X_train and X_test are not every "
                "row exactly once", "split a permutation: rng.permutation(N)")
    expect.true(np.array_equal(y_tr, X_tr[:, 0].astype(int) + 100)
                and np.array_equal(y_te, X_te[:, 0].astype(int) + 100),
                "some labels are not next to their rows", "index X and y with the same indices")


@VISIBLE.property("train_test_split", "random",
                  "the test set depends on the seed (and is not always the last rows)")
def train_test_split__random(call):
    X, y = _ids_data(100)
    tests = [frozenset(np.asarray(_parts(call("train_test_split", X, y, Rng(s)), 4,
                                         "train_test_split")[1])[:, 0].astype(int))
             for s in (1, 2, 3)]
    expect.true(len(set(tests)) > 1, "three seeds gave the same test set",
                "shuffle with the rng you are given")
    expect.true(tests[0] != frozenset(range(80, 100)), "the test set is the last 20 rows",
                "shuffle before splitting")


@VISIBLE.property("train_val_test_split", "example",
                  "N = 13 with (0.6, 0.2, 0.2): sizes 7, 3, 3, every row exactly once")
def train_val_test_split__example(call):
    X, y = _ids_data(13)
    parts = [np.asarray(v) for v in _parts(call("train_val_test_split", X, y, Rng(0)), 6,
                                           "train_val_test_split")]
    sizes = [len(p) for p in parts]
    expect.true(sizes == [7, 3, 3, 7, 3, 3], f"sizes {sizes}, expected [7, 3, 3, 7, 3, 3] for "
                "(X_train, X_val, X_test, y_train, y_val, y_test)",
                "val and test get round(13 * 0.2) = 3 rows each; training the rest")
    ids = np.concatenate([parts[k][:, 0] for k in range(3)]).astype(int)
    expect.true(sorted(ids) == list(range(13)), "the three parts are not every row exactly once",
                "cut one permutation into three pieces")


@VISIBLE.property("train_val_test_split", "bad_fractions",
                  "fractions that do not sum to 1 raise ValueError")
def train_val_test_split__bad_fractions(call):
    X, y = _ids_data(10)
    expect.raises_value_error(call, "train_val_test_split", X, y, Rng(0),
                              fractions=(0.5, 0.5, 0.5), mentions="fractions")


# --------------------------------------------------------------------------- bias and variance


@VISIBLE.property("bias_variance", "example",
                  "predictions [[1, 2], [3, 4]] for y = [2, 2] give bias^2 0.5 and variance 1")
def bias_variance__example(call):
    bias2, var = _parts(call("bias_variance", np.array([[1.0, 2.0], [3.0, 4.0]]),
                             np.array([2.0, 2.0])), 2, "bias_variance")
    expect.close(bias2, 0.5, "bias^2", rtol=1e-9,
                 hint="mean over points of (mean over models - y)^2")
    expect.close(var, 1.0, "variance", rtol=1e-9,
                 hint="mean over points of the variance over models (np.var, axis 0)")


# --------------------------------------------------------------------------- penalties


@VISIBLE.property("l2_penalty", "example", "[[1, 2]] and [[2]] with lam=1, n=2 give 2.25")
def l2_penalty__example(call):
    expect.close(call("l2_penalty", [np.array([[1.0, 2.0]]), np.array([[2.0]])], 1.0, 2), 2.25,
                 "l2_penalty", rtol=1e-9, hint="lam / (2n) * (1 + 4 + 4) = 9 / 4")


@VISIBLE.property("l2_penalty_grad", "example", "W = [[1, -2]], lam=3, n=6 gives [[0.5, -1]]")
def l2_penalty_grad__example(call):
    expect.close(call("l2_penalty_grad", np.array([[1.0, -2.0]]), 3.0, 6),
                 np.array([[0.5, -1.0]]), "l2_penalty_grad", rtol=1e-9, hint="(lam / n) * W")


@VISIBLE.property("l1_penalty", "example", "[[1, -2]] and [[3]] with lam=1, n=2 give 3")
def l1_penalty__example(call):
    expect.close(call("l1_penalty", [np.array([[1.0, -2.0]]), np.array([[3.0]])], 1.0, 2), 3.0,
                 "l1_penalty", rtol=1e-9, hint="lam / n * (|1| + |-2| + |3|)")


@VISIBLE.property("l1_penalty_grad", "example", "W = [[2, 0, -3]], lam=1, n=4 gives [[0.25, 0, -0.25]]")
def l1_penalty_grad__example(call):
    W = np.array([[2.0, 0.0, -3.0]])
    expect.close(call("l1_penalty_grad", W, 1.0, 4), np.array([[0.25, 0.0, -0.25]]),
                 "l1_penalty_grad", rtol=1e-9, atol=0, inputs=W,
                 hint="(lam / n) * np.sign(W); sign(0) = 0")


@VISIBLE.property("sgd_l2_update", "example",
                  "W = [[1, -2]], dW = [[0.5, 0.5]], lr=0.1, lam=10, n=10: [[0.85, -1.85]]")
def sgd_l2_update__example(call):
    got = call("sgd_l2_update", np.array([[1.0, -2.0]]), np.array([[0.5, 0.5]]), 0.1, 10.0, 10)
    expect.close(got, np.array([[0.85, -1.85]]), "sgd_l2_update", rtol=1e-9,
                 hint="(1 - lr lam / n) W - lr dW = 0.9 W - 0.05")


@VISIBLE.property("sgd_l1_update", "example",
                  "W = [[1, -2, 0]], dW = 0, lr=0.1, lam=10, n=10: [[0.9, -1.9, 0]]")
def sgd_l1_update__example(call):
    W = np.array([[1.0, -2.0, 0.0]])
    got = call("sgd_l1_update", W, np.zeros_like(W), 0.1, 10.0, 10)
    expect.close(got, np.array([[0.9, -1.9, 0.0]]), "sgd_l1_update", rtol=1e-9, atol=1e-15,
                 inputs=W, hint="W - lr (lam/n) sign(W) - lr dW: towards 0, and sign(0) = 0")


# --------------------------------------------------------------------------- clipping


@VISIBLE.property("clip_by_value", "example", "[-5, -0.5, 0.5, 5] clipped at 1 is [-1, -0.5, 0.5, 1]")
def clip_by_value__example(call):
    g = np.array([-5.0, -0.5, 0.5, 5.0])
    expect.close(call("clip_by_value", g, 1.0), np.array([-1.0, -0.5, 0.5, 1.0]),
                 "clip_by_value", rtol=1e-12, inputs=g, hint="np.clip(g, -clip, clip)")


@VISIBLE.property("clip_by_norm", "example",
                  "[[3], [4]] (norm 5) with max_norm 1 gives [[0.6], [0.8]] and norm 5")
def clip_by_norm__example(call):
    clipped, norm = _parts(call("clip_by_norm", [np.array([3.0]), np.array([4.0])], 1.0), 2,
                           "clip_by_norm")
    expect.true(isinstance(clipped, (list, tuple)) and len(clipped) == 2,
                "the first value should be a list of 2 arrays", "return ([g * scale, ...], norm)")
    expect.close(np.concatenate([np.ravel(c) for c in clipped]), np.array([0.6, 0.8]),
                 "the clipped gradients", rtol=1e-9,
                 hint="one norm over ALL arrays: sqrt(3^2 + 4^2) = 5; scale all by 1/5")
    expect.close(norm, 5.0, "the returned norm", rtol=1e-9, hint="the norm before clipping")


# --------------------------------------------------------------------------- dropout family


def _mask_ok(mask, p, shape, what):
    mask = expect.same_shape(mask, shape, what)
    scale = 1.0 / (1.0 - p)
    expect.true(bool(np.all((mask == 0) | np.isclose(mask, scale, rtol=1e-12, atol=0))),
                f"{what} holds values other than 0 and 1/(1-p_drop) = {scale:g}",
                "a dropped unit's mask entry is 0, a kept one's 1/(1-p_drop)")
    return mask


@VISIBLE.property("dropout_forward", "mask",
                  "mask has A's shape with values 0 and 1/(1-p_drop), out = A * mask")
def dropout_forward__mask(call):
    A = np.arange(1.0, 13.0).reshape(3, 4)
    out, mask = _parts(call("dropout_forward", A, 0.5, Rng(0)), 2, "dropout_forward")
    mask = _mask_ok(mask, 0.5, A.shape, "mask")
    expect.close(out, A * mask, "out against A * mask", rtol=1e-12)


@VISIBLE.property("dropout_forward", "fraction", "p_drop = 0.25 drops about a quarter of 20000 units")
def dropout_forward__fraction(call):
    out, _ = _parts(call("dropout_forward", np.ones((100, 200)), 0.25, Rng(1)), 2,
                    "dropout_forward")
    out = expect.same_shape(out, (100, 200), "out")
    stats.check_fraction(int(np.sum(out == 0)), out.size, 0.25, "dropped units", P,
                         "p_drop is the probability to drop a unit")


@VISIBLE.property("dropout_forward", "test_time", "train=False returns (A unchanged, None)")
def dropout_forward__test_time(call):
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    out, mask = _parts(call("dropout_forward", A, 0.5, Rng(0), train=False), 2, "dropout_forward")
    expect.close(out, A, "out with train=False", rtol=0, atol=0,
                 hint="inverted dropout needs no scaling at test time")
    expect.true(mask is None, "mask with train=False should be None")


@VISIBLE.property("dropout_backward", "example", "dout [[1, 2], [3, 4]] through mask [[0, 2], [2, 0]]")
def dropout_backward__example(call):
    got = call("dropout_backward", np.array([[1.0, 2.0], [3.0, 4.0]]),
               np.array([[0.0, 2.0], [2.0, 0.0]]))
    expect.close(got, np.array([[0.0, 4.0], [6.0, 0.0]]), "dropout_backward", rtol=1e-12,
                 hint="dout * mask")


@VISIBLE.property("dropout_backward", "no_mask", "mask None passes dout through")
def dropout_backward__no_mask(call):
    dout = np.array([1.0, -1.0])
    expect.close(call("dropout_backward", dout, None), dout, "dropout_backward(dout, None)",
                 rtol=0, atol=0, hint="at test time there is no mask: return dout (a copy)")


@VISIBLE.property("dropconnect_forward", "example",
                  "mask shaped like W with values 0 and 1/(1-p_drop); Z = X @ (W * mask) + b")
def dropconnect_forward__example(call):
    X = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    W = np.arange(1.0, 7.0).reshape(3, 2)
    b = np.array([0.5, -0.5])
    Z, mask = _parts(call("dropconnect_forward", X, W, b, 0.5, Rng(0)), 2, "dropconnect_forward")
    mask = _mask_ok(mask, 0.5, W.shape, "mask")
    expect.close(Z, X @ (W * mask) + b, "Z against X @ (W * mask) + b", rtol=1e-12,
                 hint="mask the weights, not the inputs or the outputs; keep the bias")


@VISIBLE.property("shakeout_weights", "example",
                  "W = [[1, -2], [0, 3]], tau = 0.5, c = 1: kept rows [3, -5] and [0, 7], "
                  "dropped rows [-1, 1] and [0, -1]")
def shakeout_weights__example(call):
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    kept_rows = np.array([[3.0, -5.0], [0.0, 7.0]])
    dropped_rows = np.array([[-1.0, 1.0], [0.0, -1.0]])
    for seed in range(4):
        W_t, keep = _parts(call("shakeout_weights", W, 0.5, 1.0, Rng(seed)), 2,
                           "shakeout_weights")
        keep = np.asarray(keep)
        expect.true(keep.shape == (2,) and keep.dtype == bool,
                    f"keep has shape {keep.shape} and dtype {keep.dtype}; expected a boolean "
                    "vector with one entry per row of W", "keep = rng.random(n_in) >= tau")
        W_t = expect.same_shape(W_t, W.shape, "W_tilde")
        only_kept = np.isclose(W_t, kept_rows) & ~np.isclose(W_t, dropped_rows)
        only_dropped = np.isclose(W_t, dropped_rows) & ~np.isclose(W_t, kept_rows)
        if np.any(only_kept.any(axis=1) & only_dropped.any(axis=1)):
            raise CheckFailed(f"a row of W_tilde mixes kept and dropped weights: {W_t.tolist()}",
                              "draw one switch per input unit (row of W), shared by all its "
                              "outgoing weights: keep = rng.random(W.shape[0]) >= tau, then "
                              "np.where(keep[:, None], ..., ...)")
        expect.close(W_t, np.where(keep[:, None], kept_rows, dropped_rows),
                     f"W_tilde for keep = {keep.tolist()}", rtol=1e-12, atol=1e-15,
                     hint="kept: (W + c tau sign W) / (1 - tau); dropped: -c sign W")


@VISIBLE.property("shakeout_weights", "per_row",
                  "one switch per row (input unit): W = ones (200, 30), tau 0.5, c 1 gives rows "
                  "all 3 (kept) or all -1 (dropped), as keep says")
def shakeout_weights__per_row(call):
    W = np.ones((200, 30))
    W_t, keep = _parts(call("shakeout_weights", W, 0.5, 1.0, Rng(7)), 2, "shakeout_weights")
    W_t = expect.same_shape(W_t, W.shape, "W_tilde")
    keep = np.asarray(keep)
    expect.true(keep.shape == (200,), f"keep has shape {keep.shape}; expected (200,), one "
                "switch per row of W", "keep = rng.random(n_in) >= tau")
    mixed = int(np.sum(np.ptp(W_t, axis=1) > 1e-12))
    expect.true(mixed == 0, f"{mixed} of 200 rows mix kept and dropped weights",
                "draw one switch per input unit (row of W), not one per weight")
    expect.close(W_t, np.where(keep.astype(bool)[:, None], np.full(W.shape, 3.0), -1.0),
                 "W_tilde against keep", rtol=1e-12, hint="kept row: (W + c tau sign W) / (1 - tau); dropped: -c sign W")


@VISIBLE.property("whiteout_forward", "no_noise", "with sigma = 0 and lam = 0, Z = X @ W + b")
def whiteout_forward__no_noise(call):
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]])
    b = np.array([0.1, 0.2, 0.3])
    Z = call("whiteout_forward", X, W, b, 0.0, 1.0, 0.0, Rng(0))
    expect.close(Z, X @ W + b, "Z without noise", rtol=1e-12, atol=1e-12,
                 hint="Z = X @ W + b + noise; with sigma = lam = 0 the noise is 0 "
                 "(and a zero weight must not give NaN)")


@VISIBLE.property("whiteout_forward", "variance",
                  "one weight w = 2, sigma = 1, gamma = 1, lam = 0: noise variance |w|^(2-gamma) = 2")
def whiteout_forward__variance(call):
    _one_weight_variance(call, 0.0, 2.0, 2, "noise variance")


def _one_weight_variance(call, lam, variance, seed, what):
    """20000 rows through one weight w = 2 (sigma 1, gamma 1): the noise variance is
    |w|^(2-gamma) + lam w^2; the chi-square bound at p_fail = 1e-7 is about +-5.3 %."""
    Z = call("whiteout_forward", np.zeros((20000, 1)), np.array([[2.0]]), np.zeros(1), 1.0, 1.0,
             lam, Rng(seed))
    Z = expect.same_shape(Z, (20000, 1), "Z")
    stats.check_variance(Z, variance, what, P, known_mean=0.0,
                         hint="e ~ N(0, sigma^2 |w|^(-gamma) + lam) on each connection, "
                         "multiplied by w: variance sigma^2 |w|^(2-gamma) + lam w^2")


@VISIBLE.property("whiteout_forward", "lam",
                  "one weight w = 2, sigma = 1, gamma = 1, lam = 0.25: noise variance "
                  "|w|^(2-gamma) + lam w^2 = 2 + 1 = 3")
def whiteout_forward__lam(call):
    # 3 +- 5.3 % is far from 2 (lam left out) and from 2.25 (lam not multiplied by w^2)
    _one_weight_variance(call, 0.25, 3.0, 3, "noise variance with lam = 0.25")


@VISIBLE.property("zoneout", "example",
                  "training: each unit is h_prev or h_new; test: p h_prev + (1-p) h_new")
def zoneout__example(call):
    h_prev, h_new = -np.ones((50, 40)), np.ones((50, 40))
    h = expect.same_shape(call("zoneout", h_prev, h_new, 0.3, Rng(0)), (50, 40), "output")
    expect.true(bool(np.all(np.isin(h, [-1.0, 1.0]))), "some units are neither h_prev nor h_new",
                "at training time each unit copies one of the two, unchanged")
    stats.check_fraction(int(np.sum(h == -1.0)), h.size, 0.3, "units keeping h_prev", P,
                         "p is the probability to keep the previous state")
    got = call("zoneout", h_prev[:1, :3], h_new[:1, :3], 0.3, Rng(0), train=False)
    expect.close(got, np.full((1, 3), -0.3 + 0.7), "zoneout with train=False", rtol=1e-12)


@VISIBLE.property("augment_images", "basics",
                  "shape and dtype kept, input unchanged, an equal copy with all magnitudes 0")
def augment_images__basics(call):
    images = np.random.default_rng(0).random((3, 8, 8))
    rec = call.record("augment_images", images, Rng(0), max_degrees=15.0, max_shift=1,
                      drop_prob=0.1, noise_std=0.1)
    out = rec.value
    expect.true(isinstance(out, np.ndarray) and out.shape == images.shape
                and out.dtype == images.dtype,
                f"output should be an array of shape {images.shape} and dtype float64",
                "rotate with reshape=False and convert back to images.dtype")
    expect.true(not rec.mutated, "the input images were changed in place", "work on a copy")
    expect.true(bool(np.all(np.isfinite(out))) and not np.array_equal(out, images),
                "with noise_std = 0.1 the output should differ from the input, and be finite",
                "rotate, shift, drop and add noise as the docstring says")
    same = expect.pure(call, "augment_images", images, Rng(0), max_degrees=0.0, max_shift=0)
    expect.close(same, images, "output with all magnitudes 0", atol=1e-9,
                 hint="with nothing to do, return a copy of the images")


@VISIBLE.property("early_stopping", "example",
                  "[1, 0.8, 0.9, 0.85, 0.95, 0.7] with patience 2 gives (stop, best) = (3, 1)")
def early_stopping__example(call):
    stop, best = _parts(call("early_stopping", [1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 2), 2,
                        "early_stopping")
    expect.true((int(stop), int(best)) == (3, 1), f"got (stop, best) = ({stop}, {best}), "
                "expected (3, 1)", "epoch 1 is the best; epoch 3 is 2 epochs later")


@VISIBLE.property("early_stopping", "ties",
                  "a tie is not a new best: [1, 0.8, 0.8, 0.9, 0.95] with patience 2 gives "
                  "(stop, best) = (3, 1)")
def early_stopping__ties(call):
    stop, best = _parts(call("early_stopping", [1.0, 0.8, 0.8, 0.9, 0.95], 2), 2,
                        "early_stopping")
    expect.true((int(stop), int(best)) == (3, 1), f"got (stop, best) = ({stop}, {best}), "
                "expected (3, 1)", "a new best must be lower than the best by more than "
                "min_delta: use <, not <=, so the first of equal losses stays best")


@VISIBLE.property("early_stopping", "long_patience",
                  "patience 10 on the same list: stop at the last epoch 5, which is the best")
def early_stopping__long_patience(call):
    stop, best = _parts(call("early_stopping", [1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 10), 2,
                        "early_stopping")
    expect.true((int(stop), int(best)) == (5, 5), f"got (stop, best) = ({stop}, {best}), "
                "expected (5, 5)", "without a stop, stop_epoch is the last index")


# --------------------------------------------------------------------------- known mistakes
# Each detector recognises one realistic mistake by its behaviour on inputs worked out by hand;
# `check(name)` prints the hint when a property failed and a detector says yes.


def _arr(value):
    return np.asarray(value, dtype=float)


@VISIBLE.mistake("train_test_split", "int() truncation of the test size",
                 "int(13 * 0.2) = int(2.6) = 2; the contract rounds: round(N * test_fraction) = 3")
def train_test_split__looks_like_int_truncation_test_size(call):
    X, y = _ids_data(13)
    return len(call("train_test_split", X, y, Rng(0), test_fraction=0.2)[1]) == 2


@VISIBLE.mistake("l1_penalty_grad", "sign(0) taken as +1 (W >= 0)",
                 "at W == 0 the gradient is 0: use np.sign, which returns 0 there")
def l1_penalty_grad__looks_like_sign_0_taken_as_1(call):
    return bool(np.isclose(_arr(call("l1_penalty_grad", np.array([[0.0, -1.0]]), 1.0, 2))[0, 0], 0.5))


@VISIBLE.mistake("sgd_l2_update", "the slide's 'L2 reduces weights towards 1'",
                 "weight decay multiplies w by (1 - lr lam/n): every weight shrinks towards 0")
def sgd_l2_update__looks_like_slide_s_l2_reduces_weights(call):
    W = np.array([[2.0, 0.0]])
    got = _arr(call("sgd_l2_update", W, np.zeros_like(W), 0.5, 2.0, 10))
    return bool(np.allclose(got, [[1.9, 0.1]]))


@VISIBLE.mistake("sgd_l1_update", "the slide's + sign in the L1 update",
                 "gradient descent subtracts the penalty's gradient: W - lr (lam/n) sign(W) - lr dW")
def sgd_l1_update__looks_like_slide_s_sign_l1_update(call):
    W = np.array([[1.0, -2.0]])
    got = _arr(call("sgd_l1_update", W, np.zeros_like(W), 0.1, 10.0, 10))
    return bool(np.allclose(got, [[1.1, -2.1]]))


@VISIBLE.mistake("clip_by_norm", "clipping each array by its own norm",
                 "compute ONE norm over all arrays, sqrt(sum of all squares), and scale every "
                 "array by the same factor max_norm / norm")
def clip_by_norm__looks_like_clipping_each_array_by_its(call):
    clipped, _ = call("clip_by_norm", [np.array([3.0, 0.0]), np.array([0.0, 4.0])], 3.5)
    return (np.allclose(_arr(clipped[0]), [3.0, 0.0])
            and np.allclose(_arr(clipped[1]), [0.0, 3.5]))


@VISIBLE.mistake("dropout_forward", "dropout without rescaling (a 0/1 mask)",
                 "inverted dropout scales the kept units by 1/(1-p_drop) during training, so that "
                 "E[out] = A and nothing changes at test time")
def dropout_forward__looks_like_dropout_without_rescaling_0_1(call):
    _, mask = call("dropout_forward", np.ones((20, 20)), 0.5, Rng(3))
    mask = _arr(mask)
    return bool(np.isin(mask, [0.0, 1.0]).all() and (mask == 1.0).any())


@VISIBLE.mistake("dropout_forward", "keep and drop probabilities swapped",
                 "p_drop is the probability to DROP a unit: with p_drop = 0.9 only a tenth survive")
def dropout_forward__looks_like_keep_and_drop_probabilities_swapped(call):
    _, mask = call("dropout_forward", np.ones((100, 100)), 0.9, Rng(4))
    return bool(np.mean(_arr(mask) == 0) < 0.5)


@VISIBLE.mistake("dropout_forward", "weight scaling at test time on top of inverted dropout",
                 "with inverted dropout the test-time output is A itself; scaling by the keep "
                 "probability belongs to the other scheme (0/1 masks during training)")
def dropout_forward__looks_like_weight_scaling_at_test_time(call):
    A = np.ones((2, 2))
    out, _ = call("dropout_forward", A, 0.25, Rng(0), train=False)
    return bool(np.allclose(_arr(out), 0.75))


@VISIBLE.mistake("shakeout_weights", "the slide's rule w = a w + (1 - a) c and w = -c",
                 "kept rows become (W + c tau sign W) / (1 - tau), dropped rows -c sign(W); only "
                 "then is E[W_tilde] = W")
def shakeout_weights__looks_like_slide_s_rule_w_w(call):
    W_t, _ = call("shakeout_weights", np.full((40, 1), 2.0), 0.5, 1.0, Rng(5))
    W_t = _arr(W_t)
    return bool(np.isin(W_t, [1.5, -1.0]).all() and (W_t == 1.5).any())


@VISIBLE.mistake("early_stopping", "stopping one epoch late (e - best > patience)",
                 "stop at the first epoch e with e - best_epoch == patience")
def early_stopping__looks_like_stopping_one_epoch_late_e(call):
    stop, best = call("early_stopping", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3)
    return (int(stop), int(best)) == (4, 0)
