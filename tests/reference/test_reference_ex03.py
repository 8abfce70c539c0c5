"""Notebook 03: the reference against independent formulas, and the solution cells against it."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, stats

from betternets_grader import answers
from checkout import SOLUTIONS
from betternets_grader.hidden import ex03_generalization as ref

NOTEBOOK = SOLUTIONS / "03_generalization.ipynb"


@pytest.fixture(scope="module")
def sol():
    return answers.build_namespace(answers.load(NOTEBOOK))


# --------------------------------------------------------------------------- reference


def test_splits_sizes_partition_and_pairs():
    for N, f in [(13, 0.2), (7, 0.3), (1000, 0.35)]:
        X = np.arange(N)[:, None] * np.ones((1, 3))
        y = np.arange(N) * 2
        Xtr, Xte, ytr, yte = ref.train_test_split(X, y, np.random.default_rng(0), f)
        n_test = int(np.floor(N * f + 0.5))
        assert len(Xte) == len(yte) == n_test and len(Xtr) == len(ytr) == N - n_test
        assert sorted(np.concatenate([Xtr[:, 0], Xte[:, 0]])) == list(range(N))
        assert np.array_equal(ytr, Xtr[:, 0] * 2) and np.array_equal(yte, Xte[:, 0] * 2)
    X, y = np.arange(20)[:, None], np.arange(20)
    parts = ref.train_val_test_split(X, y, np.random.default_rng(1), (0.7, 0.2, 0.1))
    assert [len(p) for p in parts] == [14, 4, 2, 14, 4, 2]
    assert sorted(np.concatenate([p[:, 0] for p in parts[:3]])) == list(range(20))
    for bad in [(0.6, 0.3, 0.2), (0.7, 0.3, 0.0)]:
        with pytest.raises(ValueError, match="fractions"):
            ref.train_val_test_split(X, y, np.random.default_rng(0), bad)
    with pytest.raises(ValueError, match="test_fraction"):
        ref.train_test_split(X, y, np.random.default_rng(0), 1.5)


def test_bias_variance_decomposition_and_loops():
    rng = np.random.default_rng(0)
    p, y = rng.normal(size=(6, 11)), rng.normal(size=11)
    b2, var = ref.bias_variance(p, y)
    loop_b2 = sum((sum(p[m, j] for m in range(6)) / 6 - y[j]) ** 2 for j in range(11)) / 11
    loop_var = sum(stats.tvar(p[:, j]) * 5 / 6 for j in range(11)) / 11   # tvar has ddof=1
    assert np.isclose(b2, loop_b2) and np.isclose(var, loop_var)
    assert np.isclose(b2 + var, np.mean((p - y) ** 2))


def _central(f, W, h=1e-6):
    g = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[i] = h
        g[i] = (f(W + e) - f(W - e)) / (2 * h)
    return g


def test_penalties_and_their_gradients():
    rng = np.random.default_rng(1)
    W = rng.uniform(0.1, 1, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))
    lam, n = 0.7, 9
    assert np.isclose(ref.l2_penalty([W, 2 * W], lam, n), lam / (2 * n) * 5 * np.linalg.norm(W) ** 2)
    assert np.isclose(ref.l1_penalty([W, -W], lam, n), 2 * lam / n * np.abs(W).sum())
    assert np.allclose(ref.l2_penalty_grad(W, lam, n),
                       _central(lambda V: ref.l2_penalty([V], lam, n), W), atol=1e-7)
    assert np.allclose(ref.l1_penalty_grad(W, lam, n),
                       _central(lambda V: ref.l1_penalty([V], lam, n), W), atol=1e-7)
    assert ref.l1_penalty_grad(np.zeros(3), 1.0, 1).tolist() == [0.0, 0.0, 0.0]


def test_updates_are_gradient_steps_on_the_penalized_cost():
    rng = np.random.default_rng(2)
    W, dW = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    lr, lam, n = 0.1, 4.0, 20
    assert np.allclose(ref.sgd_l2_update(W, dW, lr, lam, n), W - lr * (dW + ref.l2_penalty_grad(W, lam, n)))
    assert np.allclose(ref.sgd_l1_update(W, dW, lr, lam, n), W - lr * (dW + ref.l1_penalty_grad(W, lam, n)))
    assert np.all(np.abs(ref.sgd_l2_update(W, 0 * dW, lr, lam, n)) < np.abs(W))   # towards 0


def test_clipping():
    g = np.array([-3.0, 0.2, 5.0])
    assert ref.clip_by_value(g, 1.0).tolist() == [-1.0, 0.2, 1.0]
    clipped, norm = ref.clip_by_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
    assert norm == 5.0 and np.isclose(clipped[0][0], 0.6) and np.isclose(clipped[1][0, 0], 0.8)
    small = [np.array([0.1, 0.2])]
    out, norm = ref.clip_by_norm(small, 1.0)
    assert np.array_equal(out[0], small[0]) and np.isclose(norm, np.sqrt(0.05))


def test_dropout_family_statistics():
    rng = np.random.default_rng(3)
    out, mask = ref.dropout_forward(np.ones((300, 300)), 0.3, rng)
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    assert abs(np.mean(mask == 0) - 0.3) < 0.01 and abs(out.mean() - 1) < 0.02
    A = rng.normal(size=(3, 4))
    same, none = ref.dropout_forward(A, 0.5, rng, train=False)
    assert none is None and np.array_equal(same, A) and same is not A
    assert np.array_equal(ref.dropout_backward(A, mask[:3, :4]), A * mask[:3, :4])
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    Z, m = ref.dropconnect_forward(X, W, b, 0.5, rng)
    assert m.shape == W.shape and np.allclose(Z, X @ (W * m) + b)
    # Shakeout: E[W~] = W in closed form, and a zero weight stays 0.
    W = np.array([[0.5, -1.0, 0.0]])
    tau, c = 0.3, 0.4
    kept = (W + c * tau * np.sign(W)) / (1 - tau)
    assert np.allclose((1 - tau) * kept + tau * (-c * np.sign(W)), W)
    Wt, keep = ref.shakeout_weights(np.tile(W, (20000, 1)), tau, c, rng)
    assert keep.dtype == bool and abs(keep.mean() - 0.7) < 0.015
    assert np.allclose(Wt.mean(axis=0), W[0], atol=0.02) and np.all(Wt[:, 2] == 0)
    # Whiteout: per-connection noise e_ij ~ N(0, sigma^2 |w|^-gamma + lam) summed with weights w_ij.
    W = np.array([[0.5, 2.0], [-1.5, 0.3]])
    sigma, gamma, lam = 0.7, 1.2, 0.05
    direct = (W ** 2 * (sigma ** 2 * np.abs(W) ** (-gamma) + lam)).sum(axis=0)
    assert np.allclose(ref.whiteout_noise_variance(W, sigma, gamma, lam), direct)
    Z = ref.whiteout_forward(np.zeros((40000, 2)), W, np.zeros(2), sigma, gamma, lam, rng)
    assert np.allclose(Z.var(axis=0), direct, rtol=0.05)
    # Zoneout.
    h = ref.zoneout(-np.ones((200, 200)), np.ones((200, 200)), 0.25, rng)
    assert abs(np.mean(h == -1) - 0.25) < 0.01
    assert np.allclose(ref.zoneout(np.zeros(2), np.ones(2), 0.25, rng, train=False), 0.75)


def test_augment_images_properties():
    rng = np.random.default_rng(4)
    imgs = rng.random((5, 8, 8)).astype(np.float32)
    before = imgs.copy()
    out = ref.augment_images(imgs, rng, max_degrees=20, max_shift=1, drop_prob=0.1, noise_std=0.1)
    assert out.shape == imgs.shape and out.dtype == np.float32 and np.array_equal(imgs, before)
    assert np.array_equal(ref.augment_images(imgs, rng, 0.0, 0), imgs)
    # one image against scipy's rotate + whole-pixel shift with the same draws
    one = rng.random((1, 8, 8))
    r = np.random.default_rng(9)
    angle = r.uniform(-30, 30)
    dy, dx = r.integers(-1, 2, size=2)
    expected = ndimage.shift(ndimage.rotate(one[0], angle, reshape=False, order=1, mode="constant"),
                             (dy, dx), order=0, mode="constant")
    assert np.allclose(ref.augment_images(one, np.random.default_rng(9), 30.0, 1)[0], expected)
    const = ref.augment_images(np.ones((50, 16, 16)), rng, 0.0, 0, drop_prob=0.3)
    assert abs(np.mean(const == 0) - 0.3) < 0.02 and set(np.unique(const)) == {0.0, 1.0}


@pytest.mark.parametrize("losses,patience,min_delta,want", [
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 2, 0.0, (3, 1)),
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 10, 0.0, (5, 5)),
    ([1.0, 0.5, 0.5, 0.5, 0.6], 2, 0.0, (3, 1)),
    ([1.0, 0.95, 0.92, 0.85, 0.84, 0.83, 0.82], 10, 0.1, (6, 3)),
    ([1.0, 1.1, 1.2, 0.1], 2, 0.0, (2, 0)),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, 0.0, (3, 0)),
])
def test_early_stopping_cases(losses, patience, min_delta, want):
    assert ref.early_stopping(losses, patience, min_delta) == want


# --------------------------------------------------------------------------- solution = reference


def test_solution_cells_agree_with_the_reference(sol):
    rng = np.random.default_rng(5)
    ws = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    W, dW = rng.normal(size=(4, 3)) * (rng.random((4, 3)) > 0.2), rng.normal(size=(4, 3))
    p, y = rng.normal(size=(5, 7)), rng.normal(size=7)
    assert np.allclose(sol["bias_variance"](p, y), ref.bias_variance(p, y))
    for name in ("l2_penalty", "l1_penalty"):
        assert np.isclose(sol[name](ws, 0.3, 17), getattr(ref, name)(ws, 0.3, 17))
    for name in ("l2_penalty_grad", "l1_penalty_grad"):
        assert np.allclose(sol[name](W, 0.3, 17), getattr(ref, name)(W, 0.3, 17))
    for name in ("sgd_l2_update", "sgd_l1_update"):
        assert np.allclose(sol[name](W, dW, 0.1, 3.0, 17), getattr(ref, name)(W, dW, 0.1, 3.0, 17))
    assert np.allclose(sol["clip_by_value"](5 * dW, 1.2), ref.clip_by_value(5 * dW, 1.2))
    for max_norm in (0.5, 100.0):
        got, norm = sol["clip_by_norm"]([W, dW], max_norm)
        want, want_norm = ref.clip_by_norm([W, dW], max_norm)
        assert np.isclose(norm, want_norm) and all(np.allclose(a, b) for a, b in zip(got, want))
    assert np.allclose(sol["dropout_backward"](dW, W), ref.dropout_backward(dW, W))
    assert np.allclose(sol["dropout_backward"](dW, None), dW)
    assert np.allclose(sol["zoneout"](W, dW, 0.3, rng, train=False), ref.zoneout(W, dW, 0.3, rng, train=False))
    curve = list(1 / (1 + np.arange(30)) + rng.normal(scale=0.02, size=30))
    for patience, md in [(2, 0.0), (5, 0.01), (40, 0.0)]:
        assert sol["early_stopping"](curve, patience, md) == ref.early_stopping(curve, patience, md)
    X = np.arange(26.0).reshape(13, 2)
    for fn, args in (("train_test_split", ()), ("train_val_test_split", ())):
        got = sol[fn](X, np.arange(13), np.random.default_rng(0), *args)
        want = getattr(ref, fn)(X, np.arange(13), np.random.default_rng(0), *args)
        assert all(np.array_equal(a, b) for a, b in zip(got, want))


def test_random_solution_cells_follow_the_reference_rule(sol):
    """Same generator, same draws: the solution and the reference draw in the same order."""
    A = np.random.default_rng(6).normal(size=(6, 5))
    for fn, args in (("dropout_forward", (A, 0.4)),
                     ("dropconnect_forward", (A, A.T, np.ones(6), 0.4)),
                     ("shakeout_weights", (A, 0.4, 0.3)),
                     ("whiteout_forward", (A, A.T, np.ones(6), 0.5, 1.0, 0.1)),
                     ("zoneout", (A, -A, 0.4))):
        got = sol[fn](*args, np.random.default_rng(7))
        want = getattr(ref, fn)(*args, np.random.default_rng(7))
        got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
        assert all(np.allclose(a, b) for a, b in zip(got, want)), fn
    imgs = np.random.default_rng(8).random((4, 8, 8))
    kw = dict(max_degrees=20.0, max_shift=1, drop_prob=0.2, noise_std=0.1)
    assert np.allclose(sol["augment_images"](imgs, np.random.default_rng(9), **kw),
                       ref.augment_images(imgs, np.random.default_rng(9), **kw))


def test_augment_angles_are_recovered_from_the_reference_rotation():
    """The hidden `angles` and `interpolation` properties recover each rotation angle: on the
    reference's own output the recovered angle is the drawn one to < 1e-6 degrees and the
    rotation it implies reproduces every pixel to < 1e-7 (the properties allow 1e-6), also
    for angles near 0, where the pixel grids align."""
    from betternets_grader.hidden.ex03_generalization import augmentation, rotation
    images = augmentation._rotation_probe(100)
    for seed, max_degrees in [(0, 20.0), (1, 0.8), (2, 0.01)]:
        drawn = np.random.default_rng(seed).uniform(-max_degrees, max_degrees, size=100)
        out = ref.augment_images(images, np.random.default_rng(seed), max_degrees=max_degrees,
                                 max_shift=0)
        angles, worst = rotation.recover_angles(out, images[0], max_degrees)
        assert np.abs(angles - drawn).max() < 1e-6
        assert worst.max() < 1e-7
