"""Notebook 03, instructor side: the reference of every exercise and its hidden checks.

The reference: better generalization.

Splits, the bias-variance decomposition, L2/L1 penalties and weight decay,
gradient clipping, dropout and its alternatives (DropConnect, Shakeout,
Whiteout, Zoneout), image augmentation and early stopping. Formulas follow
`shared/EXERCISES.md`, section 03.

The hidden checks, judged against the reference. Random exercises are judged by the distribution of what they return, never by
the reference's random stream. Every statistical property makes k tests at
p_fail = 1e-7 / k each (stats.py), so a correct answer fails it with
probability below 1e-7, well under the course's 1e-6.

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module.
"""
from __future__ import annotations

from scipy import ndimage, special

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from .. import HIDDEN


# --------------------------------------------------------------------------- reference

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


# --------------------------------------------------------------------------- hidden checks

P = stats.DEFAULT_P_FAIL


# --------------------------------------------------------------------------- helpers


def _parts(value, k, name, arrays=True):
    """The k returned values (as arrays unless arrays=False), or a clear failure."""
    if not isinstance(value, (tuple, list)) or len(value) != k:
        size = f" of length {len(value)}" if hasattr(value, "__len__") else ""
        raise CheckFailed(f"{name} should return {k} values, got {type(value).__name__}{size}",
                          "return them as a tuple in the order the docstring gives")
    return [np.asarray(v) for v in value] if arrays else list(value)


def _split_data(N):
    """X rows carry their id in column 0; y = 3 id + 1, so pairs can be traced."""
    ids = np.arange(N)
    return np.column_stack([ids.astype(float), 0.5 * ids + 100.0]), ids * 3 + 1


def _ids(X_part, what, rows=None):
    X_part = np.asarray(X_part, dtype=float)
    if X_part.ndim != 2 or X_part.shape[1] != 2:
        raise CheckFailed(f"{what} has shape {X_part.shape}; expected rows of X, shape (n, 2)",
                          "return X_train, X_test, y_train, y_test in that order, rows of X whole")
    if rows is not None and len(X_part) != rows:
        raise CheckFailed(f"{what} has {len(X_part)} rows, expected {rows}")
    return X_part[:, 0].astype(int)


def _half_up(x):
    """round() for values that are not exactly halfway (the checks avoid ties)."""
    return int(np.floor(x + 0.5))


def _pair_count(dropped, p, what, p_fail):
    """Disjoint pairs of neighbours (rows 2i, 2i+1 and columns 2j, 2j+1) are independent:
    both dropped with probability p^2."""
    d = np.asarray(dropped, dtype=bool)
    rows = d[0:d.shape[0] // 2 * 2:2] & d[1:d.shape[0] // 2 * 2:2]
    cols = d[:, 0:d.shape[1] // 2 * 2:2] & d[:, 1:d.shape[1] // 2 * 2:2]
    hint = "draw one independent random number per element (rng.random(shape)), not per row or column"
    stats.check_fraction(int(rows.sum()), rows.size, p * p,
                         f"{what}: neighbouring rows both dropped", p_fail / 2, hint)
    stats.check_fraction(int(cols.sum()), cols.size, p * p,
                         f"{what}: neighbouring columns both dropped", p_fail / 2, hint)


def _same_seed_same_result(call, name, args_for_seed, what):
    a = expect.no_global_rng(call, name, *args_for_seed(5))
    b = call(name, *args_for_seed(5))
    c = call(name, *args_for_seed(6))
    fa, fb, fc = ([np.asarray(v, dtype=float) for v in (x if isinstance(x, (tuple, list)) else [x])
                   if v is not None] for x in (a, b, c))
    if not all(np.array_equal(u, v) for u, v in zip(fa, fb)):
        raise CheckFailed(f"{what}: two calls with the same seed gave different results",
                          "draw every random number from the rng argument, nothing else")
    if all(np.array_equal(u, v) for u, v in zip(fa, fc)):
        raise CheckFailed(f"{what}: two different seeds gave exactly the same result",
                          "use the rng you are given, not a generator of your own with a fixed seed")


# --------------------------------------------------------------------------- train_test_split

TTS_SIZES = [(13, 0.2), (10, 0.2), (7, 0.3), (50, 0.26), (101, 0.1), (1000, 0.35), (11, 0.15),
             (37, 0.33)]


@HIDDEN.property("train_test_split", "sizes",
                 "test size round(N * test_fraction), the rest for training, over several N")
def _(call):
    for N, f in TTS_SIZES:
        X, y = _split_data(N)
        X_tr, X_te, y_tr, y_te = _parts(call("train_test_split", X, y, Rng(N), test_fraction=f),
                                        4, "train_test_split")
        n_test = _half_up(N * f)
        if len(X_te) != n_test or len(y_te) != n_test or len(X_tr) != N - n_test \
                or len(y_tr) != N - n_test:
            raise CheckFailed(f"N = {N}, test_fraction = {f}: sizes train {len(X_tr)}/{len(y_tr)}, "
                              f"test {len(X_te)}/{len(y_te)}; expected test {n_test} "
                              f"(round({N * f:.4g})) and train {N - n_test}",
                              "use round(N * test_fraction): int() cuts 2.6 down to 2")


@HIDDEN.property("train_test_split", "partition",
                 "training and test rows are disjoint and together hold every row exactly once")
def _(call):
    for N, f in [(200, 0.3), (31, 0.2)]:
        X, y = _split_data(N)
        X_tr, X_te, _, _ = _parts(call("train_test_split", X, y, Rng(7), test_fraction=f),
                                  4, "train_test_split")
        ids = np.concatenate([_ids(X_tr, "X_train"), _ids(X_te, "X_test")])
        counts = np.bincount(ids, minlength=N)
        if len(ids) != N or counts.max() != 1 or counts.min() != 1:
            repeated = int((counts > 1).sum())
            missing = int((counts == 0).sum())
            raise CheckFailed(f"N = {N}: {repeated} rows appear more than once and {missing} rows "
                              "are missing across X_train and X_test",
                              "split one permutation (rng.permutation(N)); do not sample with "
                              "replacement")


@HIDDEN.property("train_test_split", "order",
                 "returns X_train, X_test, y_train, y_test in that order")
def _(call):
    X, y = _split_data(50)
    X_tr, X_te, y_tr, y_te = _parts(call("train_test_split", X, y, Rng(3), test_fraction=0.2),
                                    4, "train_test_split")
    expected = [("X_train", (40, 2)), ("X_test", (10, 2)), ("y_train", (40,)), ("y_test", (10,))]
    for (name, shape), got in zip(expected, (X_tr, X_te, y_tr, y_te)):
        if got.shape != shape:
            raise CheckFailed(f"N = 50, test_fraction = 0.2: {name} (position "
                              f"{[e[0] for e in expected].index(name) + 1}) has shape {got.shape}, "
                              f"expected {shape}",
                              "the order is X_train, X_test, y_train, y_test")


@HIDDEN.property("train_test_split", "pairs", "every label stays with its own row of X")
def _(call):
    X, y = _split_data(120)
    X_tr, X_te, y_tr, y_te = _parts(call("train_test_split", X, y, Rng(4), test_fraction=0.25),
                                    4, "train_test_split")
    for what, Xp, yp in (("training", X_tr, y_tr), ("test", X_te, y_te)):
        ids = _ids(Xp, f"X of the {what} set")
        if yp.shape != ids.shape or not np.array_equal(yp, ids * 3 + 1):
            raise CheckFailed(f"in the {what} set some labels do not belong to their rows of X",
                              "index X and y with the same permutation")
        if not np.array_equal(np.asarray(Xp, float)[:, 1], 0.5 * ids + 100.0):
            raise CheckFailed(f"in the {what} set some rows of X were changed or mixed up",
                              "take whole rows: X[indices]")


@HIDDEN.property("train_test_split", "shuffled",
                 "the test set is a random subset: centred over the rows, new for each seed")
def _(call):
    N, f = 1000, 0.2
    X, y = _split_data(N)
    tests = []
    seeds = (11, 12, 13, 14)
    splits = call.values(("train_test_split", (X, y, Rng(seed)), {"test_fraction": f})
                         for seed in seeds)
    for seed, split in zip(seeds, splits):
        _, X_te, _, _ = _parts(split, 4, "train_test_split")
        ids = _ids(X_te, "X_test", rows=200)
        stats.check_mean(ids, (N - 1) / 2, np.sqrt((N * N - 1) / 12),
                         f"row numbers in the test set (seed {seed})", P / 4,
                         "shuffle before splitting: the test set must not be the last (or "
                         "first) rows")
        tests.append(np.sort(ids))
    if all(np.array_equal(tests[0], t) for t in tests[1:]):
        raise CheckFailed("four different seeds gave the same test set",
                          "draw the permutation from the rng argument")


@HIDDEN.property("train_test_split", "rng",
                 "randomness only from rng: the same seed gives the same split, np.random untouched")
def _(call):
    X, y = _split_data(60)
    _same_seed_same_result(call, "train_test_split", lambda s: (X, y, Rng(s), 0.2),
                           "train_test_split")


@HIDDEN.property("train_test_split", "value_error",
                 "test_fraction outside (0, 1) raises ValueError naming test_fraction")
def _(call):
    X, y = _split_data(20)
    for bad in (1.5, -0.2):
        expect.raises_value_error(call, "train_test_split", X, y, Rng(0), test_fraction=bad,
                                  mentions="test_fraction")


@HIDDEN.property("train_test_split", "edges",
                 "test_fraction 0 and 1 are ValueErrors: a fraction lies strictly inside (0, 1)")
def _(call):
    X, y = _split_data(20)
    for bad in (0.0, 1.0):
        expect.raises_value_error(call, "train_test_split", X, y, Rng(0), test_fraction=bad,
                                  mentions="test_fraction")


# --------------------------------------------------------------------------- train_val_test_split

TVT_SIZES = [(13, (0.6, 0.2, 0.2)), (100, (0.5, 0.3, 0.2)), (37, (0.7, 0.15, 0.15)),
             (1000, (0.6, 0.2, 0.2)), (11, (0.5, 0.25, 0.25)), (20, (0.7, 0.2, 0.1))]
TVT_NAMES = ["X_train", "X_val", "X_test", "y_train", "y_val", "y_test"]


@HIDDEN.property("train_val_test_split", "sizes",
                 "validation and test sizes round(N f), the rest for training, over several N")
def _(call):
    for N, fr in TVT_SIZES:
        X, y = _split_data(N)
        parts = _parts(call("train_val_test_split", X, y, Rng(N), fractions=fr), 6,
                       "train_val_test_split")
        n_val, n_test = _half_up(N * fr[1]), _half_up(N * fr[2])
        want = [N - n_val - n_test, n_val, n_test] * 2
        got = [len(p) for p in parts]
        if got != want:
            raise CheckFailed(f"N = {N}, fractions = {fr}: sizes {got} for ({', '.join(TVT_NAMES)}), "
                              f"expected {want}",
                              "val and test get round(N * f); training gets the rest. Fractions "
                              "like (0.7, 0.2, 0.1) sum to 1 only within rounding: compare with "
                              "a tolerance")


@HIDDEN.property("train_val_test_split", "partition",
                 "the three parts are disjoint and together hold every row exactly once")
def _(call):
    for N in (150, 29):
        X, y = _split_data(N)
        parts = _parts(call("train_val_test_split", X, y, Rng(8)), 6, "train_val_test_split")
        ids = np.concatenate([_ids(parts[k], TVT_NAMES[k]) for k in range(3)])
        counts = np.bincount(ids, minlength=N)
        if len(ids) != N or counts.max() != 1 or counts.min() != 1:
            raise CheckFailed(f"N = {N}: {int((counts > 1).sum())} rows appear more than once and "
                              f"{int((counts == 0).sum())} are missing across the three parts",
                              "cut one permutation into three consecutive pieces")


@HIDDEN.property("train_val_test_split", "order",
                 "returns X_train, X_val, X_test, y_train, y_val, y_test, labels with their rows")
def _(call):
    X, y = _split_data(100)
    parts = _parts(call("train_val_test_split", X, y, Rng(9), fractions=(0.5, 0.3, 0.2)), 6,
                   "train_val_test_split")
    shapes = [(50, 2), (30, 2), (20, 2), (50,), (30,), (20,)]
    for k, (name, shape) in enumerate(zip(TVT_NAMES, shapes)):
        if parts[k].shape != shape:
            raise CheckFailed(f"N = 100, fractions = (0.5, 0.3, 0.2): {name} (position {k + 1}) "
                              f"has shape {parts[k].shape}, expected {shape}",
                              "the order is X_train, X_val, X_test, y_train, y_val, y_test")
    for k in range(3):
        if not np.array_equal(parts[k + 3], _ids(parts[k], TVT_NAMES[k]) * 3 + 1):
            raise CheckFailed(f"{TVT_NAMES[k + 3]} does not hold the labels of the rows in "
                              f"{TVT_NAMES[k]}", "index X and y with the same indices")


@HIDDEN.property("train_val_test_split", "shuffled",
                 "validation and test sets are random subsets, new for each seed")
def _(call):
    N = 1000
    X, y = _split_data(N)
    seen = []
    seeds = (21, 22, 23)
    splits = call.values(("train_val_test_split", (X, y, Rng(seed))) for seed in seeds)
    for seed, split in zip(seeds, splits):
        parts = _parts(split, 6, "train_val_test_split")
        for k in (1, 2):
            ids = _ids(parts[k], TVT_NAMES[k], rows=200)
            stats.check_mean(ids, (N - 1) / 2, np.sqrt((N * N - 1) / 12),
                             f"row numbers in {TVT_NAMES[k]} (seed {seed})", P / 6,
                             "shuffle before splitting")
        seen.append(np.sort(_ids(parts[2], "X_test")))
    if all(np.array_equal(seen[0], s) for s in seen[1:]):
        raise CheckFailed("three different seeds gave the same test set",
                          "draw the permutation from the rng argument")
    _same_seed_same_result(call, "train_val_test_split", lambda s: (X[:40], y[:40], Rng(s)),
                           "train_val_test_split")


@HIDDEN.property("train_val_test_split", "value_error",
                 "fractions not positive or not summing to 1 raise ValueError naming fractions")
def _(call):
    X, y = _split_data(20)
    for bad in ((0.6, 0.3, 0.2), (0.8, 0.3, -0.1), (0.7, 0.3, 0.0)):
        expect.raises_value_error(call, "train_val_test_split", X, y, Rng(0), fractions=bad,
                                  mentions="fractions")


# --------------------------------------------------------------------------- bias_variance


@HIDDEN.property("train_val_test_split", "sum_within",
                 "fractions must sum to 1 within 1e-9: off by 1.25e-9 is a ValueError, "
                 "off by 5e-10 is accepted")
def _(call):
    X, y = _split_data(20)
    expect.raises_value_error(call, "train_val_test_split", X, y, Rng(0),
                              fractions=(0.6, 0.2, 0.2 + 1.25e-9), mentions="fractions")
    parts = _parts(call("train_val_test_split", X, y, Rng(0), fractions=(0.6, 0.2, 0.2 + 5e-10)),
                   6, "train_val_test_split")
    expect.true([len(p) for p in parts[:3]] == [12, 4, 4],
                f"fractions summing to 1 + 5e-10 gave sizes {[len(p) for p in parts[:3]]}, "
                "expected [12, 4, 4]", "compare abs(sum(fractions) - 1) with 1e-9, not == 1")


def _bv(call, p, y):
    bias2, var = _parts(call("bias_variance", p, y), 2, "bias_variance")
    return float(bias2), float(var)


@HIDDEN.property("bias_variance", "values", "matches the formulas on random predictions")
def _(call):
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
def _(call):
    rng = np.random.default_rng(3002)
    p = rng.normal(size=(5, 9))
    y = rng.normal(size=9)
    bias2, var = _bv(call, p, y)
    expect.close(bias2 + var, np.mean((p - y) ** 2), "bias^2 + variance", rtol=1e-9,
                 hint="this identity holds with the population variance (np.var, ddof=0)")


@HIDDEN.property("bias_variance", "single_model",
                 "one model: variance 0 and bias^2 equal to its mean squared error")
def _(call):
    p = np.array([[1.0, 2.0, 4.0]])
    y = np.array([0.0, 2.0, 2.0])
    bias2, var = _bv(call, p, y)
    expect.close(var, 0.0, "variance of a single model", atol=1e-12)
    expect.close(bias2, 5.0 / 3.0, "bias^2 of a single model", rtol=1e-9)


# --------------------------------------------------------------------------- penalties


def _weights(rng):
    return [rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 2))]


@HIDDEN.property("l2_penalty", "values", "matches lam/(2n) * sum of squares on random weights")
def _(call):
    rng = np.random.default_rng(3101)
    for lam, n in [(0.7, 50), (3.0, 1000), (0.01, 7)]:
        ws = _weights(rng)
        expect.close(call("l2_penalty", ws, lam, n), l2_penalty(ws, lam, n),
                     f"l2_penalty(lam={lam}, n={n})", rtol=1e-9,
                     hint="lam / (2 n) times the sum of w^2 over every matrix")


@HIDDEN.property("l2_penalty", "all_matrices", "sums over every matrix of the list")
def _(call):
    ws = [np.zeros((2, 2)), np.array([[1.0, -2.0]]), np.array([[0.5], [0.5]])]
    expect.close(call("l2_penalty", ws, 2.0, 1), 5.5, "l2_penalty of three matrices, lam=2, n=1",
                 rtol=1e-9, hint="loop over the whole list; each matrix adds its sum of squares")


@HIDDEN.property("l2_penalty", "half", "the factor is lam/(2n), not lam/n")
def _(call):
    expect.close(call("l2_penalty", [np.array([[2.0]])], 1.0, 1), 2.0,
                 "l2_penalty([[2]], lam=1, n=1)", rtol=1e-9,
                 hint="the 1/2 makes the gradient (lam/n) w")


@HIDDEN.property("l2_penalty_grad", "values", "matches (lam/n) W on random matrices")
def _(call):
    rng = np.random.default_rng(3102)
    for lam, n in [(0.7, 50), (5.0, 3)]:
        W = rng.normal(size=(4, 6))
        expect.close(call("l2_penalty_grad", W, lam, n), l2_penalty_grad(W, lam, n),
                     f"l2_penalty_grad(lam={lam}, n={n})", rtol=1e-9, hint="(lam / n) * W")


@HIDDEN.property("l2_penalty_grad", "derivative",
                 "agrees with central differences of lam/(2n) * sum W^2")
def _(call):
    rng = np.random.default_rng(3103)
    W, lam, n = rng.normal(size=(3, 2)), 1.3, 10
    h, num = 1e-5, np.zeros_like(W)
    for i in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[i] = h
        num[i] = (l2_penalty([W + e], lam, n) - l2_penalty([W - e], lam, n)) / (2 * h)
    expect.close(call("l2_penalty_grad", W, lam, n), num, "l2_penalty_grad against central "
                 "differences", rtol=1e-5, atol=1e-9,
                 hint="the derivative of lam/(2n) w^2 is (lam/n) w: the 2 cancels the 1/2")


@HIDDEN.property("l2_penalty_grad", "pure", "leaves W unchanged")
def _(call):
    expect.pure(call, "l2_penalty_grad", np.array([[1.0, -2.0], [0.5, 3.0]]), 0.5, 4)


@HIDDEN.property("l1_penalty", "values", "matches lam/n * sum |w| on random weights")
def _(call):
    rng = np.random.default_rng(3201)
    for lam, n in [(0.7, 50), (3.0, 1000), (0.01, 7)]:
        ws = _weights(rng)
        expect.close(call("l1_penalty", ws, lam, n), l1_penalty(ws, lam, n),
                     f"l1_penalty(lam={lam}, n={n})", rtol=1e-9,
                     hint="lam / n times the sum of |w| over every matrix")


@HIDDEN.property("l1_penalty", "all_matrices", "sums over every matrix of the list")
def _(call):
    ws = [np.zeros((2, 2)), np.array([[1.0, 2.0]]), np.array([[0.5], [0.5]])]
    expect.close(call("l1_penalty", ws, 2.0, 1), 8.0, "l1_penalty of three matrices, lam=2, n=1",
                 rtol=1e-9, hint="loop over the whole list")


@HIDDEN.property("l1_penalty", "absolute", "negative weights count by their absolute value")
def _(call):
    expect.close(call("l1_penalty", [np.array([[-1.0, -2.0], [3.0, 0.0]])], 1.0, 2), 3.0,
                 "l1_penalty([[-1, -2], [3, 0]], lam=1, n=2)", rtol=1e-9,
                 hint="sum |w|, not w")


@HIDDEN.property("l1_penalty_grad", "values", "matches (lam/n) sign(W) on random matrices")
def _(call):
    rng = np.random.default_rng(3202)
    for lam, n in [(0.7, 50), (5.0, 3)]:
        W = rng.normal(size=(5, 4))
        expect.close(call("l1_penalty_grad", W, lam, n), l1_penalty_grad(W, lam, n),
                     f"l1_penalty_grad(lam={lam}, n={n})", rtol=1e-9, hint="(lam / n) * sign(W)")


@HIDDEN.property("l1_penalty_grad", "sign_zero", "is exactly 0 where W == 0 (sign(0) = 0)")
def _(call):
    W = np.array([[0.0, 1.5], [-2.0, 0.0], [0.0, -0.0]])
    expect.close(call("l1_penalty_grad", W, 2.0, 4), 0.5 * np.sign(W),
                 "l1_penalty_grad with zero weights", atol=0, rtol=1e-12, inputs=W,
                 hint="np.sign(0) is 0; W / |W| gives NaN and W >= 0 gives 1")


@HIDDEN.property("l1_penalty_grad", "derivative",
                 "agrees with central differences of lam/n * sum |W| away from 0")
def _(call):
    rng = np.random.default_rng(3203)
    W = rng.uniform(0.2, 2.0, size=(3, 3)) * rng.choice([-1.0, 1.0], size=(3, 3))
    lam, n, h = 1.3, 10, 1e-5
    num = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[i] = h
        num[i] = (l1_penalty([W + e], lam, n) - l1_penalty([W - e], lam, n)) / (2 * h)
    expect.close(call("l1_penalty_grad", W, lam, n), num, "l1_penalty_grad against central "
                 "differences", rtol=1e-5, atol=1e-9, inputs=W)


@HIDDEN.property("sgd_l2_update", "values", "matches (1 - lr lam/n) W - lr dW on random inputs")
def _(call):
    rng = np.random.default_rng(3301)
    for lr, lam, n in [(0.1, 5.0, 100), (0.5, 0.3, 7), (0.01, 50.0, 1000)]:
        W, dW = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
        expect.close(call("sgd_l2_update", W, dW, lr, lam, n), sgd_l2_update(W, dW, lr, lam, n),
                     f"sgd_l2_update(lr={lr}, lam={lam}, n={n})", rtol=1e-9, atol=1e-12)


@HIDDEN.property("sgd_l2_update", "decay", "with dW = 0 every weight shrinks towards 0 by (1 - lr lam/n)")
def _(call):
    W = np.array([[2.0, -3.0], [0.5, 0.0]])
    expect.close(call("sgd_l2_update", W, np.zeros_like(W), 0.5, 2.0, 10), 0.9 * W,
                 "sgd_l2_update with dW = 0, lr=0.5, lam=2, n=10", rtol=1e-12, inputs=W,
                 hint="weight decay multiplies w by (1 - lr lam / n): towards 0, not towards 1")


@HIDDEN.property("sgd_l2_update", "data_term", "with lam = 0 it is plain SGD: W - lr dW")
def _(call):
    W, dW = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[0.4, -2.0], [1.0, 0.0]])
    expect.close(call("sgd_l2_update", W, dW, 0.25, 0.0, 50), W - 0.25 * dW,
                 "sgd_l2_update with lam = 0", rtol=1e-12,
                 hint="dW is already averaged over the mini-batch: subtract lr * dW, not "
                 "lr/n * dW")


@HIDDEN.property("sgd_l2_update", "pure", "leaves W and dW unchanged")
def _(call):
    expect.pure(call, "sgd_l2_update", np.array([[1.0, -2.0]]), np.array([[0.3, 0.1]]), 0.1, 1.0, 10)


@HIDDEN.property("sgd_l1_update", "values", "matches W - lr (lam/n) sign(W) - lr dW on random inputs")
def _(call):
    rng = np.random.default_rng(3302)
    for lr, lam, n in [(0.1, 5.0, 100), (0.5, 0.3, 7), (0.01, 50.0, 1000)]:
        W, dW = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
        expect.close(call("sgd_l1_update", W, dW, lr, lam, n), sgd_l1_update(W, dW, lr, lam, n),
                     f"sgd_l1_update(lr={lr}, lam={lam}, n={n})", rtol=1e-9, atol=1e-12)


@HIDDEN.property("sgd_l1_update", "shrinks", "with dW = 0 every nonzero weight moves lr lam/n towards 0")
def _(call):
    W = np.array([[2.0, -3.0], [0.5, -0.25]])
    expect.close(call("sgd_l1_update", W, np.zeros_like(W), 0.5, 2.0, 10), W - 0.1 * np.sign(W),
                 "sgd_l1_update with dW = 0, lr=0.5, lam=2, n=10", rtol=1e-12, inputs=W,
                 hint="subtract lr (lam/n) sign(w): the slide's + sign pushes weights away from 0")


@HIDDEN.property("sgd_l1_update", "zero", "a zero weight gets no penalty step (sign(0) = 0)")
def _(call):
    W, dW = np.array([[0.0, 1.0], [0.0, -1.0]]), np.array([[0.5, 0.0], [-1.0, 0.0]])
    expect.close(call("sgd_l1_update", W, dW, 0.1, 10.0, 10), W - 0.1 * np.sign(W) - 0.1 * dW,
                 "sgd_l1_update with zero weights", rtol=1e-12, atol=1e-15, inputs=W,
                 hint="use np.sign, which is 0 at 0")


@HIDDEN.property("sgd_l1_update", "pure", "leaves W and dW unchanged")
def _(call):
    expect.pure(call, "sgd_l1_update", np.array([[1.0, -2.0]]), np.array([[0.3, 0.1]]), 0.1, 1.0, 10)


# --------------------------------------------------------------------------- clipping


@HIDDEN.property("clip_by_value", "values", "matches clipping into [-clip, clip] on random arrays")
def _(call):
    rng = np.random.default_rng(3401)
    for shape, clip in [((20,), 1.5), ((4, 5), 0.3), ((2, 3, 4), 2.0)]:
        g = 3 * rng.normal(size=shape)
        expect.close(call("clip_by_value", g, clip), clip_by_value(g, clip),
                     f"clip_by_value(g of shape {shape}, clip={clip})", rtol=1e-12, inputs=g)


@HIDDEN.property("clip_by_value", "negative", "large negative entries become -clip")
def _(call):
    g = np.array([-10.0, -2.0, -0.5, 0.5, 10.0])
    expect.close(call("clip_by_value", g, 1.0), np.array([-1.0, -1.0, -0.5, 0.5, 1.0]),
                 "clip_by_value([-10, -2, -0.5, 0.5, 10], 1)", rtol=1e-12, inputs=g,
                 hint="clip both ends: np.clip(g, -clip, clip)")


@HIDDEN.property("clip_by_value", "inside", "entries inside [-clip, clip] are unchanged")
def _(call):
    g = np.array([[0.3, -0.7], [0.0, 0.99]])
    expect.close(call("clip_by_value", g, 1.0), g, "clip_by_value of a small gradient",
                 rtol=1e-12, inputs=g, hint="clipping by value changes only the large entries")


@HIDDEN.property("clip_by_value", "pure", "leaves g unchanged")
def _(call):
    expect.pure(call, "clip_by_value", np.array([3.0, -4.0, 0.5]), 1.0)


def _clip_norm(call, grads, max_norm):
    clipped, norm = _parts(call("clip_by_norm", grads, max_norm), 2, "clip_by_norm", arrays=False)
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        raise CheckFailed(f"clip_by_norm should return a list of {len(grads)} arrays first",
                          "return a list with one clipped array per gradient")
    return [np.asarray(c, dtype=float) for c in clipped], float(norm)


@HIDDEN.property("clip_by_norm", "global",
                 "one global norm over all arrays: each array small, together too large")
def _(call):
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]  # norms 3 and 4, global 5
    clipped, _ = _clip_norm(call, grads, 4.5)
    for k, (c, g) in enumerate(zip(clipped, grads)):
        expect.close(c, g * 0.9, f"array {k} after clip_by_norm(max_norm=4.5, global norm 5)",
                     rtol=1e-9, hint="the norm is sqrt of the sum of squares over ALL arrays; "
                     "every array is scaled by the same max_norm / norm")


@HIDDEN.property("clip_by_norm", "norm_before", "reports the global norm before clipping")
def _(call):
    rng = np.random.default_rng(3402)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    _, norm = _clip_norm(call, grads, 0.5)
    expect.close(norm, clip_by_norm(grads, 0.5)[1], "the returned norm", rtol=1e-9,
                 hint="return the norm measured before scaling, not after (which is max_norm)")


@HIDDEN.property("clip_by_norm", "below", "a gradient already below max_norm is returned unchanged")
def _(call):
    grads = [np.array([0.3, -0.4]), np.array([[0.1], [0.2]])]
    clipped, norm = _clip_norm(call, grads, 10.0)
    for k, (c, g) in enumerate(zip(clipped, grads)):
        expect.close(c, g, f"array {k} when the norm is below max_norm", rtol=1e-12,
                     hint="scale only when the norm is above max_norm")
    expect.close(norm, np.sqrt(0.3), "the returned norm", rtol=1e-9)


@HIDDEN.property("clip_by_norm", "values", "matches the reference on random lists of arrays")
def _(call):
    rng = np.random.default_rng(3403)
    for max_norm in (0.7, 3.0, 50.0):
        grads = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(2, 2, 2))]
        clipped, norm = _clip_norm(call, grads, max_norm)
        want, want_norm = clip_by_norm(grads, max_norm)
        for k, (c, w) in enumerate(zip(clipped, want)):
            expect.close(c, w, f"array {k} (max_norm={max_norm})", rtol=1e-9, atol=1e-12)
        expect.close(norm, want_norm, f"norm (max_norm={max_norm})", rtol=1e-9)


@HIDDEN.property("clip_by_norm", "pure", "leaves the gradient arrays unchanged")
def _(call):
    expect.pure(call, "clip_by_norm", [np.array([30.0, 40.0]), np.array([[5.0]])], 1.0)


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
def _(call):
    A = np.ones((400, 250))
    for p, seed in ((0.3, 41), (0.75, 42)):
        out, _ = _dropout(call, A, p, seed)
        out = expect.same_shape(out, A.shape, "out")
        stats.check_fraction(int(np.sum(out == 0)), out.size, p, f"dropped units at p_drop = {p}",
                             P / 2, "p_drop is the probability to DROP: keep where "
                             "rng.random(shape) >= p_drop")


@HIDDEN.property("dropout_forward", "mask_values",
                 "mask holds 0 and 1/(1-p_drop) only, and out = A * mask")
def _(call):
    rng = np.random.default_rng(3501)
    A = rng.normal(size=(30, 20))
    out, mask = _dropout(call, A, 0.4, 43)
    mask = _mask_values(mask, 0.4, A.shape, "mask", "inverted dropout scales the kept units by "
                        "1/(1-p_drop) during training")
    expect.close(out, A * mask, "out against A * mask", rtol=1e-12, atol=1e-15)


@HIDDEN.property("dropout_forward", "expectation", "keeps the expectation: mean of out for A = 1 is 1")
def _(call):
    out, _ = _dropout(call, np.ones((400, 250)), 0.5, 44)
    stats.check_mean(out, 1.0, 1.0, "mean of dropout_forward(ones, p_drop=0.5)", P,
                     "scale the kept units by 1/(1-p_drop) so that E[out] = A")


@HIDDEN.property("dropout_forward", "per_unit",
                 "a new random decision for every unit of every example (no shared rows or columns)")
def _(call):
    out, _ = _dropout(call, np.ones((400, 250)), 0.3, 45)
    _pair_count(np.asarray(out) == 0, 0.3, "dropout mask", P)


@HIDDEN.property("dropout_forward", "test_mode", "train=False returns an unchanged copy of A and mask None")
def _(call):
    A = np.random.default_rng(3502).normal(size=(6, 5))
    out, mask = _dropout(call, A, 0.5, 46, train=False)
    expect.close(out, A, "out with train=False", rtol=0, atol=0,
                 hint="inverted dropout already scaled during training: at test time A passes "
                 "unchanged")
    expect.true(mask is None, f"mask with train=False is {type(mask).__name__}, expected None")


@HIDDEN.property("dropout_forward", "rng", "randomness only from rng: same seed, same mask")
def _(call):
    A = np.ones((10, 8))
    _same_seed_same_result(call, "dropout_forward", lambda s: (A, 0.5, Rng(s)), "dropout_forward")


@HIDDEN.property("dropout_forward", "value_error", "p_drop outside [0, 1) raises ValueError naming p_drop")
def _(call):
    for bad in (1.0, -0.1):
        expect.raises_value_error(call, "dropout_forward", np.ones((2, 2)), bad, Rng(0),
                                  mentions="p_drop")


@HIDDEN.property("dropout_forward", "p_zero", "p_drop = 0 is valid: every unit kept, mask all 1")
def _(call):
    A = np.random.default_rng(3602).normal(size=(6, 5))
    out, mask = _dropout(call, A, 0.0, 3)
    expect.close(out, A, "dropout_forward(A, p_drop=0) output", rtol=0, atol=0,
                 hint="a probability of exactly 0 is valid: check 0 <= p_drop < 1")
    expect.close(np.asarray(mask, dtype=float), np.ones(A.shape), "the mask at p_drop = 0",
                 rtol=0, atol=0)


@HIDDEN.property("dropout_backward", "values", "matches dout * mask on random inputs")
def _(call):
    rng = np.random.default_rng(3601)
    for p in (0.2, 0.5):
        dout = rng.normal(size=(7, 9))
        mask = (rng.random((7, 9)) >= p) / (1 - p)
        expect.close(call("dropout_backward", dout, mask), dout * mask, f"dropout_backward (p={p})",
                     rtol=1e-12, atol=1e-15, hint="the gradient goes through the same mask, "
                     "scale included")


@HIDDEN.property("dropout_backward", "none_mask", "mask None (test time) passes dout unchanged")
def _(call):
    dout = np.array([[1.0, -2.0], [0.5, 3.0]])
    expect.close(call("dropout_backward", dout, None), dout, "dropout_backward(dout, None)",
                 rtol=0, atol=0, hint="if mask is None, return a copy of dout")


@HIDDEN.property("dropout_backward", "pure", "leaves dout and mask unchanged")
def _(call):
    expect.pure(call, "dropout_backward", np.array([[1.0, 2.0]]), np.array([[0.0, 2.0]]))


# --------------------------------------------------------------------------- DropConnect


def _dropconnect(call, X, W, b, p, seed):
    Z, mask = _parts(call("dropconnect_forward", X, W, b, p, Rng(seed)), 2, "dropconnect_forward")
    return Z, mask


@HIDDEN.property("dropconnect_forward", "consistent", "Z = X @ (W * mask) + b for the mask returned")
def _(call):
    rng = np.random.default_rng(3701)
    X, W, b = rng.normal(size=(30, 6)), rng.normal(size=(6, 4)), rng.normal(size=4)
    Z, mask = _dropconnect(call, X, W, b, 0.5, 47)
    mask = expect.same_shape(mask, W.shape, "mask", "DropConnect masks weights: mask shaped like W")
    expect.close(Z, X @ (W * mask) + b, "Z against X @ (W * mask) + b", rtol=1e-9, atol=1e-12,
                 hint="multiply W by the mask, then X @ (W * mask) + b; the bias is never dropped")


@HIDDEN.property("dropconnect_forward", "mask_values", "mask shaped like W, values 0 and 1/(1-p_drop)")
def _(call):
    W = np.ones((8, 5))
    _, mask = _dropconnect(call, np.ones((2, 8)), W, np.zeros(5), 0.25, 48)
    _mask_values(mask, 0.25, W.shape, "mask", "scale the kept weights by 1/(1-p_drop)")


@HIDDEN.property("dropconnect_forward", "fraction", "drops a fraction p_drop of the weights")
def _(call):
    W = np.ones((400, 250))
    _, mask = _dropconnect(call, np.ones((1, 400)), W, np.zeros(250), 0.3, 49)
    mask = expect.same_shape(mask, W.shape, "mask")
    stats.check_fraction(int(np.sum(mask == 0)), mask.size, 0.3, "dropped weights at p_drop = 0.3",
                         P, "p_drop is the probability to drop a weight")


@HIDDEN.property("dropconnect_forward", "per_weight",
                 "each weight has its own switch (not whole units: rows or columns of W)")
def _(call):
    W = np.ones((400, 250))
    _, mask = _dropconnect(call, np.ones((1, 400)), W, np.zeros(250), 0.3, 50)
    mask = expect.same_shape(mask, W.shape, "mask")
    _pair_count(mask == 0, 0.3, "DropConnect mask", P)


@HIDDEN.property("dropconnect_forward", "rng", "randomness only from rng: same seed, same mask")
def _(call):
    X, W, b = np.ones((3, 4)), np.ones((4, 5)), np.zeros(5)
    _same_seed_same_result(call, "dropconnect_forward", lambda s: (X, W, b, 0.5, Rng(s)),
                           "dropconnect_forward")


@HIDDEN.property("dropconnect_forward", "value_error",
                 "p_drop outside [0, 1) (1, 1.5, -0.1) raises ValueError naming p_drop")
def _(call):
    X, W, b = np.ones((2, 3)), np.ones((3, 2)), np.zeros(2)
    for bad in (1.0, 1.5, -0.1):
        expect.raises_value_error(call, "dropconnect_forward", X, W, b, bad, Rng(0),
                                  mentions="p_drop")


@HIDDEN.property("dropconnect_forward", "p_zero", "p_drop = 0 is valid: Z = X @ W + b, mask all 1")
def _(call):
    rng = np.random.default_rng(3702)
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    Z, mask = _dropconnect(call, X, W, b, 0.0, 4)
    expect.close(Z, X @ W + b, "dropconnect_forward(..., p_drop=0)", rtol=1e-12, atol=1e-12,
                 hint="a probability of exactly 0 is valid: check 0 <= p_drop < 1")
    expect.close(mask, np.ones(W.shape), "the mask at p_drop = 0", rtol=0, atol=0)


# --------------------------------------------------------------------------- Shakeout


def _shakeout(call, W, tau, c, seed):
    W_t, keep = _parts(call("shakeout_weights", W, tau, c, Rng(seed)), 2, "shakeout_weights")
    W_t = expect.same_shape(W_t, np.shape(W), "W_tilde")
    if keep.shape != (np.shape(W)[0],):
        raise CheckFailed(f"keep has shape {keep.shape}, expected ({np.shape(W)[0]},): one switch "
                          "per input unit (row of W)",
                          "draw rng.random(n_in) once and apply it to whole rows")
    if keep.dtype != bool:
        raise CheckFailed(f"keep has dtype {keep.dtype}, expected bool",
                          "return keep = rng.random(n_in) >= tau (a boolean vector)")
    return W_t, keep


def _shakeout_rule(W, keep, tau, c):
    s = np.sign(W)
    return np.where(keep[:, None], (W + c * tau * s) / (1 - tau), -c * s)


@HIDDEN.property("shakeout_weights", "values",
                 "kept rows (W + c tau sign W)/(1-tau), dropped rows -c sign W, for the keep returned")
def _(call):
    rng = np.random.default_rng(3801)
    for tau, c in [(0.3, 0.5), (0.6, 2.0)]:
        W = rng.normal(size=(50, 7)) * (rng.random((50, 7)) > 0.1)
        W_t, keep = _shakeout(call, W, tau, c, 51)
        expect.close(W_t, _shakeout_rule(W, keep, tau, c), f"W_tilde (tau={tau}, c={c})",
                     rtol=1e-9, atol=1e-12, inputs=W,
                     hint="kept row: (W + c*tau*sign(W)) / (1 - tau); dropped row: -c*sign(W)")


@HIDDEN.property("shakeout_weights", "per_row", "one switch per input unit: whole rows kept or dropped")
def _(call):
    W = np.random.default_rng(3802).normal(size=(300, 6))
    W_t, keep = _shakeout(call, W, 0.5, 1.0, 52)
    dropped_entry = np.isclose(W_t, -np.sign(W), rtol=1e-9, atol=0)
    mixed = int(np.sum(dropped_entry.any(axis=1) & ~dropped_entry.all(axis=1)))
    expect.true(mixed == 0, f"{mixed} of 300 rows have some weights dropped and others kept",
                "Shakeout switches whole input units: one random number per row of W")
    expect.true(np.array_equal(dropped_entry.all(axis=1), ~keep),
                "keep does not say which rows were kept", "keep[j] is True where row j was kept")


@HIDDEN.property("shakeout_weights", "fraction", "keeps each row with probability 1 - tau")
def _(call):
    W_t, keep = _shakeout(call, np.ones((50000, 2)), 0.4, 1.0, 53)
    stats.check_fraction(int(keep.sum()), keep.size, 0.6, "kept rows at tau = 0.4", P,
                         "tau is the probability to DROP a row; keep where rng.random(n_in) >= tau")


@HIDDEN.property("shakeout_weights", "expectation", "E[W_tilde] = W (averaged over many rows)")
def _(call):
    w0 = np.array([0.5, -1.2, 0.0, 2.0])
    tau, c, n = 0.3, 0.8, 40000
    W_t, _ = _shakeout(call, np.tile(w0, (n, 1)), tau, c, 54)
    s = np.sign(w0)
    kept, dropped = (w0 + c * tau * s) / (1 - tau), -c * s
    std = np.sqrt(tau * (1 - tau)) * np.abs(kept - dropped)
    for j in range(4):
        if std[j] == 0:
            expect.close(W_t[:, j], np.zeros(n), f"column {j} (weight 0)", atol=1e-12)
        else:
            stats.check_mean(W_t[:, j], w0[j], std[j], f"mean of W_tilde for weight {w0[j]}",
                             P / 3, "the two cases must average to W: check the c*tau*sign(W) "
                             "term and the 1/(1-tau) scale")


@HIDDEN.property("shakeout_weights", "zero_weights", "a zero weight stays 0 whether its row is kept or not")
def _(call):
    W = np.zeros((200, 3))
    W[:, 0] = 1.0
    W_t, _ = _shakeout(call, W, 0.5, 1.5, 55)
    expect.close(W_t[:, 1:], np.zeros((200, 2)), "W_tilde where W == 0", atol=1e-12,
                 hint="both cases are multiples of sign(W), and sign(0) = 0")


@HIDDEN.property("shakeout_weights", "rng", "randomness only from rng: same seed, same switches")
def _(call):
    W = np.random.default_rng(3803).normal(size=(20, 3))
    _same_seed_same_result(call, "shakeout_weights", lambda s: (W, 0.5, 1.0, Rng(s)),
                           "shakeout_weights")


# --------------------------------------------------------------------------- Whiteout

WO_W = np.array([[0.5, -2.0, 1.0], [1.5, 0.3, -0.8], [-1.0, 0.7, 0.2]])
WO_B = np.array([0.1, -0.2, 0.3])


def _whiteout_residual(call, X, W, b, sigma, gamma, lam, seed):
    Z = call("whiteout_forward", X, W, b, sigma, gamma, lam, Rng(seed))
    Z = expect.same_shape(Z, (X.shape[0], W.shape[1]), "Z", "Z has shape (N, n_out)")
    return Z - (X @ W + b)


@HIDDEN.property("whiteout_forward", "deterministic", "with sigma = 0 and lam = 0, Z = X @ W + b exactly")
def _(call):
    X = np.random.default_rng(3901).normal(size=(10, 3))
    r = _whiteout_residual(call, X, WO_W, WO_B, 0.0, 0.5, 0.0, 56)
    expect.close(r, np.zeros_like(r), "Z - (X @ W + b) without noise", atol=1e-12)


@HIDDEN.property("whiteout_forward", "mean", "the noise has mean 0 on every unit")
def _(call):
    X = np.random.default_rng(3902).normal(size=(40000, 3))
    sigma, gamma, lam = 0.5, 0.5, 0.1
    r = _whiteout_residual(call, X, WO_W, WO_B, sigma, gamma, lam, 57)
    var = whiteout_noise_variance(WO_W, sigma, gamma, lam)
    for j in range(3):
        stats.check_mean(r[:, j], 0.0, np.sqrt(var[j]), f"mean noise on unit {j}", P / 3,
                         "add zero-mean Gaussian noise")


@HIDDEN.property("whiteout_forward", "variance",
                 "noise variance sum_i sigma^2 |w_ij|^(2-gamma) + lam w_ij^2 per unit (gamma 0.5 and 1.5)")
def _(call):
    X = np.random.default_rng(3903).normal(size=(40000, 3))
    for (sigma, gamma, lam), seed in (((0.5, 0.5, 0.1), 58), ((0.8, 1.5, 0.05), 59)):
        r = _whiteout_residual(call, X, WO_W, WO_B, sigma, gamma, lam, seed)
        var = whiteout_noise_variance(WO_W, sigma, gamma, lam)
        for j in range(3):
            stats.check_variance(r[:, j], var[j], f"noise variance on unit {j} (sigma={sigma}, "
                                 f"gamma={gamma}, lam={lam})", P / 6, known_mean=0.0,
                                 hint="e_ij has VARIANCE sigma^2 |w_ij|^(-gamma) + lam and is "
                                 "multiplied by w_ij; draw fresh noise for every example")


@HIDDEN.property("whiteout_forward", "zero_weight", "a zero weight adds no noise and no NaN")
def _(call):
    W = np.array([[0.0, 1.0], [0.0, -0.5], [1.0, 0.0]])
    X = np.random.default_rng(3904).normal(size=(40000, 3))
    r = _whiteout_residual(call, X, W, np.zeros(2), 0.6, 1.0, 0.2, 60)
    expect.true(np.isfinite(r).all(), "Z holds NaN or inf where a weight is 0",
                "for w = 0 the noise term w * e is 0; avoid computing 0 * inf")
    var = whiteout_noise_variance(W, 0.6, 1.0, 0.2)
    for j in range(2):
        stats.check_variance(r[:, j], var[j], f"noise variance on unit {j} (with zero weights)",
                             P / 2, known_mean=0.0)


@HIDDEN.property("whiteout_forward", "normal", "the noise is Gaussian")
def _(call):
    X = np.random.default_rng(3905).normal(size=(20000, 3))
    r = _whiteout_residual(call, X, WO_W, WO_B, 0.5, 0.5, 0.1, 61)
    # Each unit is scaled by its OWN sample standard deviation, so that a wrong variance is
    # left to the "variance" property (and its hint) and only the shape is judged here.
    # Estimating the scale makes Kolmogorov-Smirnov conservative (Lilliefors 1967: the
    # statistic is stochastically smaller than with a known scale), so a correct answer
    # still fails with probability below P.
    scale = np.sqrt(np.mean(r ** 2, axis=0))
    expect.true(bool(np.all(scale > 0)), "the noise is 0 on some unit",
                "add Gaussian noise w_ij * e_ij to every weight's contribution")
    stats.check_normal((r / scale).ravel(), 0.0, 1.0, "noise, scaled by its own std", P,
                       "use rng.normal / rng.standard_normal")


@HIDDEN.property("whiteout_forward", "rng", "randomness only from rng: same seed, same noise")
def _(call):
    X = np.ones((5, 3))
    _same_seed_same_result(call, "whiteout_forward",
                           lambda s: (X, WO_W, WO_B, 0.5, 0.5, 0.1, Rng(s)), "whiteout_forward")


# --------------------------------------------------------------------------- Zoneout


def _zone_inputs(shape, seed):
    rng = np.random.default_rng(seed)
    return -1.0 - rng.random(shape), 1.0 + rng.random(shape)  # never equal


def _zoneout_kept(call, p, seed, shape=(400, 250)):
    h_prev, h_new = _zone_inputs(shape, 4000 + seed)
    h = expect.same_shape(call("zoneout", h_prev, h_new, p, Rng(seed)), shape, "zoneout output")
    from_prev, from_new = h == h_prev, h == h_new
    if not (from_prev | from_new).all():
        raise CheckFailed("some units of the output are neither h_prev nor h_new",
                          "at training time each unit copies one of the two, unchanged")
    return from_prev


@HIDDEN.property("zoneout", "either", "training output takes each unit from h_prev or h_new, unchanged")
def _(call):
    _zoneout_kept(call, 0.5, 62, shape=(20, 10))


@HIDDEN.property("zoneout", "fraction", "a unit keeps h_prev with probability p (p 0.3 and 0.8)")
def _(call):
    for p, seed in ((0.3, 63), (0.8, 64)):
        kept = _zoneout_kept(call, p, seed)
        stats.check_fraction(int(kept.sum()), kept.size, p, f"units keeping h_prev at p = {p}",
                             P / 2, "p is the probability to KEEP the previous state")


@HIDDEN.property("zoneout", "per_unit", "each unit of each example has its own switch")
def _(call):
    kept = _zoneout_kept(call, 0.3, 65)
    _pair_count(kept, 0.3, "zoneout switches", P)


@HIDDEN.property("zoneout", "test_mode", "train=False returns p h_prev + (1-p) h_new")
def _(call):
    h_prev, h_new = _zone_inputs((5, 4), 66)
    got = call("zoneout", h_prev, h_new, 0.25, Rng(0), train=False)
    expect.close(got, 0.25 * h_prev + 0.75 * h_new, "zoneout with train=False", rtol=1e-12,
                 hint="at test time use the expectation p h_prev + (1 - p) h_new")


@HIDDEN.property("zoneout", "rng", "randomness only from rng, and inputs unchanged")
def _(call):
    h_prev, h_new = _zone_inputs((10, 6), 67)
    expect.pure(call, "zoneout", h_prev, h_new, 0.5, Rng(1))
    _same_seed_same_result(call, "zoneout", lambda s: (h_prev, h_new, 0.5, Rng(s)), "zoneout")


# --------------------------------------------------------------------------- augment_images


def _asymmetric_images(n, size=12, dtype=float):
    img = np.zeros((size, size))
    img[2:9, 4] = 1.0
    img[2, 4:8] = 0.8
    img[5, 4:7] = 0.6
    return np.repeat(img[None], n, axis=0).astype(dtype)


def _augment(call, images, seed, **kw):
    out = call("augment_images", images, Rng(seed), **kw)
    if not isinstance(out, np.ndarray):
        raise CheckFailed(f"augment_images returned {type(out).__name__}, expected a numpy array")
    return out


@HIDDEN.property("augment_images", "shape_dtype", "keeps shape and dtype (float64 and float32)")
def _(call):
    for dtype in (np.float64, np.float32):
        images = _asymmetric_images(6, dtype=dtype)
        out = _augment(call, images, 68, max_degrees=20.0, max_shift=2, drop_prob=0.1,
                       noise_std=0.05)
        expect.true(out.shape == images.shape, f"output shape {out.shape}, expected {images.shape}",
                    "rotate without reshaping (scipy.ndimage.rotate(..., reshape=False))")
        expect.true(out.dtype == dtype, f"output dtype {out.dtype} for {np.dtype(dtype).name} "
                    "input", "convert back at the end: out.astype(images.dtype)")


@HIDDEN.property("augment_images", "untouched", "leaves the input images unchanged")
def _(call):
    images = _asymmetric_images(5) + 0.1
    rec = call.record("augment_images", images, Rng(69), max_degrees=20.0, max_shift=1,
                      drop_prob=0.2, noise_std=0.1)
    expect.true(not rec.mutated, "augment_images changed its input images in place",
                "work on a copy: out = images.astype(float) (astype copies)")


@HIDDEN.property("augment_images", "identity", "with every magnitude 0 it returns an equal copy")
def _(call):
    images = np.random.default_rng(3906).random((4, 10, 10))
    out = _augment(call, images, 70, max_degrees=0.0, max_shift=0, drop_prob=0.0, noise_std=0.0)
    expect.close(out, images, "augment_images with all magnitudes 0", rtol=0, atol=1e-9,
                 hint="max_degrees=0, max_shift=0, drop_prob=0, noise_std=0 must change nothing")


@HIDDEN.property("augment_images", "per_image",
                 "every image gets its own random transform (copies of one image come out different)")
def _(call):
    images = _asymmetric_images(40)
    out = np.asarray(expect.no_global_rng(call, "augment_images", images, Rng(71),
                                          max_degrees=30.0, max_shift=2), dtype=float)
    distinct = len({np.round(o, 6).tobytes() for o in out})
    expect.true(distinct >= 10, f"40 copies of one image gave only {distinct} different results",
                "draw a new angle and a new shift for every image, inside the loop")


@HIDDEN.property("augment_images", "shift",
                 "integer shifts move a pixel by at most max_shift, both ways, its value kept")
def _(call):
    n, size, c = 300, 9, 4
    images = np.zeros((n, size, size))
    images[:, c, c] = 1.0
    out = np.asarray(_augment(call, images, 72, max_degrees=0.0, max_shift=1), dtype=float)
    flat = out.reshape(n, -1)
    peak = flat.argmax(axis=1)
    rows, cols = np.unravel_index(peak, (size, size))
    expect.close(flat[np.arange(n), peak], np.ones(n), "the brightest pixel after an integer shift",
                 atol=1e-6, hint="shift by whole pixels, without interpolation blur")
    dy, dx = rows - c, cols - c
    expect.true(np.abs(dy).max() <= 1 and np.abs(dx).max() <= 1,
                f"a pixel moved by ({dy[np.argmax(np.abs(dy) + np.abs(dx))]}, "
                f"{dx[np.argmax(np.abs(dy) + np.abs(dx))]}) with max_shift=1",
                "draw shifts in [-max_shift, max_shift]")
    expect.true((np.maximum(dy, dx) > 0).any() and (np.minimum(dy, dx) < 0).any(),
                "over 300 images with max_shift=1 the pixel never moved both ways",
                "rng.integers(-s, s) excludes s: use rng.integers(-s, s + 1)")


@HIDDEN.property("augment_images", "shift_fill",
                 "a shift fills the pixels it uncovers with 0 (it does not wrap around)")
def _(call):
    # Deterministic for a correct answer: a bright first column can move right by at most
    # max_shift = 1, so the last column stays 0; a wrap-around (np.roll) brings it there
    # whenever dx = -1, which happens in 200 images except with probability (2/3)^200.
    images = np.zeros((200, 9, 9))
    images[:, :, 0] = 1.0
    out = np.asarray(_augment(call, images, 79, max_degrees=0.0, max_shift=1), dtype=float)
    out = expect.same_shape(out, images.shape, "augment_images output")
    wrapped = int(np.sum(np.abs(out[:, :, -1]).max(axis=1) > 1e-9))
    expect.true(wrapped == 0, f"in {wrapped} of 200 images the bright first column reappeared "
                "in the last column after a shift by at most 1",
                "fill uncovered pixels with 0 (scipy.ndimage.shift(..., mode=\"constant\", "
                "cval=0.0)), do not wrap around with np.roll")


@HIDDEN.property("augment_images", "drop",
                 "drops a fraction drop_prob of pixels to 0 and leaves the others as they were")
def _(call):
    images = np.ones((100, 16, 16))
    out = np.asarray(_augment(call, images, 73, max_degrees=0.0, max_shift=0, drop_prob=0.3),
                     dtype=float)
    zero = np.abs(out) < 1e-9
    expect.close(out[~zero], np.ones(int((~zero).sum())), "pixels that were not dropped",
                 atol=1e-9, hint="set dropped pixels to 0; do not rescale the others "
                 "(that is dropout, not augmentation)")
    stats.check_fraction(int(zero.sum()), zero.size, 0.3, "dropped pixels at drop_prob = 0.3", P,
                         "drop each pixel independently with probability drop_prob")


@HIDDEN.property("augment_images", "noise", "adds Gaussian noise of standard deviation noise_std")
def _(call):
    images = np.full((100, 16, 16), 0.5)
    out = np.asarray(_augment(call, images, 74, max_degrees=0.0, max_shift=0, noise_std=0.2),
                     dtype=float)
    r = (out - 0.5).ravel()
    stats.check_mean(r, 0.0, 0.2, "mean of the noise", P / 3)
    stats.check_variance(r, 0.04, "variance of the noise (noise_std = 0.2)", P / 3,
                         known_mean=0.0, hint="noise_std is a standard deviation: "
                         "rng.normal(0, noise_std, shape)")
    stats.check_normal(r, 0.0, 0.2, "the noise", P / 3)


@HIDDEN.property("augment_images", "drop_then_noise", "noise is added after dropping: dropped pixels are noisy too")
def _(call):
    images = np.ones((100, 16, 16))
    out = np.asarray(_augment(call, images, 75, max_degrees=0.0, max_shift=0, drop_prob=0.5,
                              noise_std=0.05), dtype=float).ravel()
    low = out[out < 0.5]
    stats.check_fraction(low.size, out.size, 0.5, "pixels near 0 at drop_prob = 0.5", P / 2)
    stats.check_variance(low, 0.0025, "spread of the dropped pixels (noise_std = 0.05)", P / 2,
                         known_mean=0.0, hint="the order is rotate, shift, drop, then noise")


def _rotation_probe(n, size=15):
    """n copies of an asymmetric shape (an "F" of three grey levels) inside a blank border of
    at least 3 pixels, so a rotation by up to 20 degrees keeps it whole and the border stays 0
    (scipy's "constant" and "grid-constant" modes agree there)."""
    img = np.zeros((size, size))
    img[4:11, 5] = 1.0
    img[4, 5:10] = 0.8
    img[7, 5:9] = 0.6
    return np.repeat(img[None], n, axis=0)


def _rotations(img, angles, pixels=None):
    """`img` rotated by each of `angles` (degrees), exactly as
    `ndimage.rotate(img, a, reshape=False, order=1, mode="constant", cval=0.0)` does it:
    output pixel o takes the bilinear value of img at R(a) (o - c) + c, with c the centre and
    R(a) = [[cos a, sin a], [-sin a, cos a]]; all angles in one `map_coordinates` call.
    `pixels` (rows, cols): only these output pixels, shape (len(angles), len(rows))."""
    angles = np.asarray(angles, dtype=float)[:, None, None]
    c, s = special.cosdg(angles), special.sindg(angles)
    centre = (np.array(img.shape) - 1) / 2
    r, q = (np.indices(img.shape) if pixels is None else np.asarray(pixels)[:, None, :]) \
        - centre[:, None, None]
    rows, cols = c * r + s * q + centre[0], -s * r + c * q + centre[1]
    out = ndimage.map_coordinates(img, [rows, cols], order=1, mode="constant", cval=0.0)
    return out if pixels is None else out[:, 0, :]


def _reach(img):
    """The output pixels a rotation of `img` by any angle can make non-zero: those within
    the farthest non-zero pixel's distance from the centre, plus 1.5 for the bilinear
    neighbours."""
    centre = (np.array(img.shape) - 1) / 2
    dist = np.hypot(*(np.indices(img.shape) - centre[:, None, None]))
    return np.nonzero(dist <= dist[img != 0].max() + 1.5)


def _golden_minimum(f, lo, hi, tol=1e-10):
    """The minimiser of each of several unimodal functions, by golden-section search, all at
    once: f(x) gives the n values at the n points x; each x stays within [lo, hi]."""
    inv = (np.sqrt(5.0) - 1) / 2
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    c, d = b - inv * (b - a), a + inv * (b - a)
    fc, fd = f(c), f(d)
    while np.max(b - a) > tol:
        left = fc < fd                       # the minimum is in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        keep, fkeep = np.where(left, c, d), np.where(left, fc, fd)
        new = np.where(left, b - inv * (b - a), a + inv * (b - a))
        fnew = f(new)
        c, fc = np.where(left, new, keep), np.where(left, fnew, fkeep)
        d, fd = np.where(left, keep, new), np.where(left, fkeep, fnew)
    return np.where(fc < fd, c, d)


def _recover_angles(outs, img, max_degrees, tol=1e-10):
    """For each output, the angle whose reference rotation (bilinear, about the centre, 0 fill)
    is closest in squared error, and that error's largest pixel difference.

    A grid of 0.25 degree steps finds the neighbourhood, a golden-section search refines it to
    `tol` degrees (the squared error is unimodal near its minimum, which is 0 at the true
    angle for the contract's rotation). Every image is searched at once (`_rotations`)."""
    outs = np.asarray(outs, dtype=float)
    span = max_degrees + 1.0
    grid = np.arange(-span, span + 1e-9, 0.25)
    table = _rotations(img, grid)
    flat, tab = outs.reshape(len(outs), -1), table.reshape(len(grid), -1)
    g = grid[np.argmin((tab ** 2).sum(axis=1) - 2 * flat @ tab.T, axis=1)]  # + |out|^2
    # at 0 the pixel grids align and the error has a kink with a second local minimum on the
    # other side: search each side of 0 separately and keep the better one
    near = np.abs(g) < 0.3
    which = np.concatenate([np.arange(len(outs)), np.flatnonzero(near)])
    lo = np.concatenate([g - 0.3, np.zeros(near.sum())])
    hi = np.concatenate([np.where(near, 0.0, g + 0.3), g[near] + 0.3])

    # outside `_reach` every reference rotation is 0, so the error there does not depend on
    # the angle and the search may leave it out
    pixels = _reach(img)
    inside = outs[which][:, pixels[0], pixels[1]]

    def error(angles):
        return ((_rotations(img, angles, pixels) - inside) ** 2).sum(axis=1)

    found = _golden_minimum(error, lo, hi, tol)
    err = error(found)
    angles = found[:len(outs)].copy()
    for i, k in enumerate(which[len(outs):]):
        if err[len(outs) + i] < err[k]:
            angles[k] = found[len(outs) + i]
    worst = np.abs(_rotations(img, angles) - outs).max(axis=(1, 2))
    return angles, worst


@HIDDEN.property("augment_images", "angles",
                 "rotation angles are uniform over [-max_degrees, max_degrees], both ways "
                 "(max_degrees 20 and 0.8)")
def _(call):
    # The angle of each of 300 rotated copies is recovered to within 1e-7 degrees, far below the
    # spacing that matters to a Kolmogorov-Smirnov test on 300 values (its critical distance at
    # p = 5e-8 is about 0.16 of the CDF), so each of the two tests keeps its exact
    # false-failure probability P/2 = 5e-8 for a correct answer (1e-7 in all, < 1e-6). The
    # hard bounds allow 1e-6 degrees of recovery error.
    n = 300
    images = _rotation_probe(n)
    for seed, max_degrees in [(76, 20.0), (78, 0.8)]:
        out = np.asarray(_augment(call, images, seed, max_degrees=max_degrees, max_shift=0),
                         dtype=float)
        expect.same_shape(out, images.shape, "augment_images output")
        angles, _ = _recover_angles(out, images[0], max_degrees, tol=1e-7)
        # the rotation direction is not part of the contract: a mirrored one gives -angle
        expect.true(np.abs(angles).max() <= max_degrees + 1e-6,
                    f"an image was rotated by {np.abs(angles).max():.3g} degrees with "
                    f"max_degrees={max_degrees}", "draw angles in [-max_degrees, max_degrees]")
        stats.check_uniform(np.clip(angles, -max_degrees, max_degrees), -max_degrees,
                            max_degrees, f"rotation angles recovered from {n} images "
                            f"(max_degrees={max_degrees})", P / 2,
                            "draw the angle with rng.uniform(-max_degrees, max_degrees), a new "
                            "one for every image, and rotate every image by it (also for a "
                            "small max_degrees)")


@HIDDEN.property("augment_images", "interpolation",
                 "rotation about the centre with linear interpolation, uncovered pixels 0")
def _(call):
    # Deterministic given the recovered angle: the contract's rotation reproduces every pixel
    # to rounding (recovery error ~1e-8 degrees moves a pixel by < 1e-8), so the bound 1e-6
    # never fails a correct answer; cubic or nearest interpolation, another centre or a fill of
    # 1 differ by more than 1e-2 on this shape.
    n = 20
    images = _rotation_probe(n)
    out = np.asarray(_augment(call, images, 77, max_degrees=20.0, max_shift=0), dtype=float)
    expect.same_shape(out, images.shape, "augment_images output")
    _, worst = _recover_angles(out, images[0], 20.0)
    k = int(np.argmax(worst))
    expect.true(worst[k] <= 1e-6, f"image {k} is no bilinear rotation of the input about its "
                f"centre with 0 fill: its closest one differs by {worst[k]:.3g} at some pixel",
                'rotate with scipy.ndimage.rotate(img, angle, reshape=False, order=1, '
                'mode="constant", cval=0.0)')


# --------------------------------------------------------------------------- early_stopping


def _es(call, losses, patience, **kw):
    losses = [float(v) for v in losses]  # plain floats: they cross to the kernel as JSON
    stop, best = _parts(call("early_stopping", losses, patience, **kw), 2, "early_stopping")
    return int(stop), int(best)


def _es_expect(call, losses, patience, want, hint, **kw):
    got = _es(call, losses, patience, **kw)
    extra = "".join(f", {k}={v}" for k, v in kw.items())
    if got != tuple(want):
        raise CheckFailed(f"early_stopping({list(np.round(losses, 4))}, patience={patience}{extra}) "
                          f"returned (stop, best) = {got}, expected {tuple(want)}", hint)


@HIDDEN.property("early_stopping", "values", "matches the rule on random validation curves")
def _(call):
    rng = np.random.default_rng(4101)
    for k in range(20):
        T = int(rng.integers(5, 40))
        curve = 1.0 / (1 + 0.3 * np.arange(T)) + 0.02 * np.arange(T) * (k % 2) \
            + rng.normal(scale=0.03, size=T)
        curve = np.round(curve, 3)
        patience = int(rng.integers(1, 8))
        min_delta = [0.0, 0.0, 0.01, 0.05][k % 4]
        _es_expect(call, curve, patience, early_stopping(curve, patience, min_delta),
                   "stop at the first epoch e with e - best_epoch == patience", min_delta=min_delta)


@HIDDEN.property("early_stopping", "long_patience",
                 "patience longer than the list: stop at the last epoch, best at the lowest loss")
def _(call):
    _es_expect(call, [1.0, 0.8, 0.9, 0.7, 0.75], 10, (4, 3),
               "if no epoch is patience epochs after the best, stop_epoch is the last index")
    _es_expect(call, [0.5, 0.6], 5, (1, 0), "stop_epoch is an index into val_losses")


@HIDDEN.property("early_stopping", "ties", "an equal loss is not a new best (the first of the ties stays best)")
def _(call):
    _es_expect(call, [1.0, 0.5, 0.5, 0.5, 0.6], 2, (3, 1),
               "a new best must be strictly lower: use <, not <=")


@HIDDEN.property("early_stopping", "min_delta",
                 "an improvement counts only when it beats the best loss by more than min_delta")
def _(call):
    _es_expect(call, [1.0, 0.95, 0.94, 0.5, 0.45], 5, (4, 3),
               "compare with best_loss - min_delta", min_delta=0.1)
    _es_expect(call, [1.0, 0.95, 0.92, 0.85, 0.84, 0.83, 0.82], 10, (6, 3),
               "the reference is the loss at the best epoch; small steps below it do not move it",
               min_delta=0.1)
    _es_expect(call, [1.0, 0.97, 0.96, 0.95, 0.5], 3, (3, 0),
               "steps smaller than min_delta do not reset the patience", min_delta=0.1)


@HIDDEN.property("early_stopping", "stop_epoch", "stops exactly patience epochs after the best (no off-by-one)")
def _(call):
    _es_expect(call, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, (3, 0),
               "stop at the first epoch e with e - best_epoch == patience")
    _es_expect(call, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 2, (3, 1),
               "stop at the first epoch e with e - best_epoch == patience")


@HIDDEN.property("early_stopping", "best_before_stop", "a lower loss after the stop does not count")
def _(call):
    _es_expect(call, [1.0, 1.1, 1.2, 0.1], 2, (2, 0),
               "best_epoch is the last new best up to stop_epoch, not the minimum of the whole list")
