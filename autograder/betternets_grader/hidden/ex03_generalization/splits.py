"""Hidden checks of `train_test_split` and `train_val_test_split`.

The rows of X carry their id, so where every row went can be traced.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import P, _parts, _same_seed_same_result


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


# --------------------------------------------------------------------------- train_test_split

TTS_SIZES = [(13, 0.2), (10, 0.2), (7, 0.3), (50, 0.26), (101, 0.1), (1000, 0.35), (11, 0.15),
             (37, 0.33)]


@HIDDEN.property("train_test_split", "sizes",
                 "test size round(N * test_fraction), the rest for training, over several N")
def train_test_split__sizes(call):
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
def train_test_split__partition(call):
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
def train_test_split__order(call):
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
def train_test_split__pairs(call):
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
def train_test_split__shuffled(call):
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
def train_test_split__rng(call):
    X, y = _split_data(60)
    _same_seed_same_result(call, "train_test_split", lambda s: (X, y, Rng(s), 0.2),
                           "train_test_split")


@HIDDEN.property("train_test_split", "value_error",
                 "test_fraction outside (0, 1) raises ValueError naming test_fraction")
def train_test_split__value_error(call):
    X, y = _split_data(20)
    for bad in (1.5, -0.2):
        expect.raises_value_error(call, "train_test_split", X, y, Rng(0), test_fraction=bad,
                                  mentions="test_fraction")


@HIDDEN.property("train_test_split", "edges",
                 "test_fraction 0 and 1 are ValueErrors: a fraction lies strictly inside (0, 1)")
def train_test_split__edges(call):
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
def train_val_test_split__sizes(call):
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
def train_val_test_split__partition(call):
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
def train_val_test_split__order(call):
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
def train_val_test_split__shuffled(call):
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
def train_val_test_split__value_error(call):
    X, y = _split_data(20)
    for bad in ((0.6, 0.3, 0.2), (0.8, 0.3, -0.1), (0.7, 0.3, 0.0)):
        expect.raises_value_error(call, "train_val_test_split", X, y, Rng(0), fractions=bad,
                                  mentions="fractions")


@HIDDEN.property("train_val_test_split", "sum_within",
                 "fractions must sum to 1 within 1e-9: off by 1.25e-9 is a ValueError, "
                 "off by 5e-10 is accepted")
def train_val_test_split__sum_within(call):
    X, y = _split_data(20)
    expect.raises_value_error(call, "train_val_test_split", X, y, Rng(0),
                              fractions=(0.6, 0.2, 0.2 + 1.25e-9), mentions="fractions")
    parts = _parts(call("train_val_test_split", X, y, Rng(0), fractions=(0.6, 0.2, 0.2 + 5e-10)),
                   6, "train_val_test_split")
    expect.true([len(p) for p in parts[:3]] == [12, 4, 4],
                f"fractions summing to 1 + 5e-10 gave sizes {[len(p) for p in parts[:3]]}, "
                "expected [12, 4, 4]", "compare abs(sum(fractions) - 1) with 1e-9, not == 1")
