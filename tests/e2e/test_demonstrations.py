"""Each notebook demonstration's claim, asserted from the numbers its figure is drawn from.

The notebooks call the same functions (betternets.demos), with the student's exercise functions
passed in; here the reference solutions (betternets_grader.reference) stand in for them. Where a
notebook runs one or three seeds, the claim is checked over five, so the text does not rest on a
lucky seed. Every margin below is smaller than the smallest one measured over those seeds.
"""
from __future__ import annotations

import numpy as np
import pytest

import betternets_grader
from betternets import surfaces
from betternets.demos import activations
from betternets.demos import generalization as gen
from betternets.demos import second_order

SEEDS = range(5)


@pytest.fixture(scope="module")
def digits():
    """X_train, X_val, X_test, y_train, y_val, y_test as notebook 03 splits them."""
    return gen.digits_split(betternets_grader.reference("train_val_test_split"))


def test_more_data_generalizes_better_at_equal_steps(digits):
    """03 section 3: after the same 1000 steps, 200 images give a lower training loss, a higher
    validation loss and a train/validation gap at least twice that of all 1079 images."""
    X_train, X_val, _, y_train, y_val, _ = digits
    for seed in SEEDS:
        small, full = gen.compare_training_sizes(X_train, y_train, X_val, y_val, small=200,
                                                 steps=1000, seed=seed).values()
        assert small["step"][-1] == full["step"][-1] == 1000
        assert small["train_loss"][-1] < full["train_loss"][-1]
        assert small["val_loss"][-1] > full["val_loss"][-1] + 0.03
        gap_small = small["val_loss"][-1] - small["train_loss"][-1]
        gap_full = full["val_loss"][-1] - full["train_loss"][-1]
        assert gap_small > 2 * gap_full, (seed, gap_small, gap_full)


def test_augmentation_raises_validation_accuracy_at_equal_steps(digits):
    """03 section 4: half of 150 images re-augmented each epoch (rotation <= 10 degrees, shift
    <= 1 pixel) beat the plain images in validation accuracy on every seed, same 2000 steps."""
    X_train, X_val, _, y_train, y_val, _ = digits
    augment = gen.augment_some(betternets_grader.reference("augment_images"), fraction=0.5,
                               max_degrees=10, max_shift=1)
    runs = gen.compare_augmentation(X_train, y_train, X_val, y_val, augment, n=150, steps=2000,
                                    seeds=SEEDS)
    for plain, augmented in zip(runs["plain"], runs["augmented"]):
        assert plain["step"][-1] == augmented["step"][-1] == 2000
        assert augmented["val_acc"][-1] > plain["val_acc"][-1] + 0.005
        # the text says so too: the validation cross-entropy does not improve with it
        assert augmented["val_loss"][-1] > plain["val_loss"][-1]


def test_dropout_shrinks_the_overfitting_phase(digits):
    """03 section 9: without dropout the validation loss climbs well above its lowest point
    (overfitting 20 % wrong labels); with p = 0.5 it climbs less and ends lower, every seed."""
    X_train, X_val, _, y_train, y_val, _ = digits
    dropout = (betternets_grader.reference("dropout_forward"),
               betternets_grader.reference("dropout_backward"))
    for seed in SEEDS:
        runs = gen.compare_dropout(X_train, y_train, X_val, y_val, dropout, rates=(0.0, 0.5),
                                   seed=seed)
        plain, dropped = runs[0.0], runs[0.5]
        assert plain["step"][-1] == dropped["step"][-1] == 4000
        assert gen.overfitting_rise(plain) > 0.05, seed
        assert plain["train_loss"][-1] < plain["train_loss"][len(plain["step"]) // 4] / 2
        assert gen.overfitting_rise(dropped) < gen.overfitting_rise(plain), seed
        assert dropped["val_loss"][-1] < plain["val_loss"][-1] - 0.03, seed


def test_scale_images_zooms_about_the_centre():
    """The seed's scaling augmentation: factor 1 is the identity, a zoom keeps the shape."""
    images = np.random.default_rng(0).random((4, 8, 8))
    np.testing.assert_allclose(gen.scale_images(images, np.random.default_rng(1), 0.0), images,
                               atol=1e-12)
    zoomed = gen.scale_images(images, np.random.default_rng(1), 0.15)
    assert zoomed.shape == images.shape and not np.allclose(zoomed, images)


def test_damped_newton_descends_and_stays_in_the_plot():
    """05 race: Newton with backtracking from (-1.2, 1) lowers f at every step, stays inside the
    plotted box and converges; full steps do not lower f at every step (the text's contrast)."""
    rosen = surfaces.rosenbrock
    newton_step = betternets_grader.reference("newton_step")
    w0 = np.array([-1.2, 1.0])
    w_end, path = second_order.damped_newton(rosen.f, rosen.grad, rosen.hess, w0, newton_step)
    f_path = np.array([rosen.f(w) for w in path])
    assert np.all(np.diff(f_path) <= 0)
    (x0, x1), (y0, y1) = rosen.bounds
    assert np.all((path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1))
    assert np.linalg.norm(w_end - 1) < 1e-6 and len(path) - 1 < 40

    full = [w0]
    for _ in range(5):
        full.append(newton_step(full[-1], rosen.grad(full[-1]), rosen.hess(full[-1])))
    f_full = np.array([rosen.f(w) for w in full])
    assert f_full[2] > 100 * f_full[1]          # the full step's jump the text reports
    assert full[2][1] < y0                      # and it leaves the plot


def test_pr_plus_gets_close_first_and_finishes_last():
    """05 CG: from (-1.2, 1) with restarts every n, PR+ is within 0.05 of (1, 1) at least five
    times sooner than FR, yet needs more iterations than FR to reach norm(g) < 1e-6."""
    rosen = surfaces.rosenbrock
    nonlinear_cg = betternets_grader.reference("nonlinear_cg")
    w0 = np.array([-1.2, 1.0])
    paths = {rule: nonlinear_cg(rosen.f, rosen.grad, w0, beta=rule, max_iter=20000)[1]
             for rule in ("FR", "PR")}
    near = {rule: second_order.first_iteration_within(p, rosen.minimum, 0.05)
            for rule, p in paths.items()}
    assert near["PR"] is not None and near["FR"] is not None
    assert 5 * near["PR"] < near["FR"], near
    assert len(paths["PR"]) > 5 * len(paths["FR"])
    g_norms = second_order.gradient_norms(rosen.grad, paths["PR"])
    assert g_norms[-1] < 1e-6 <= g_norms[:-1].min()       # the run ends at the tolerance
    # the tail: past the point where PR+ is close, norm(g) still needs most of the run
    assert np.flatnonzero(g_norms < 1e-3)[0] > 10 * near["PR"]


def test_tanh_reaches_its_limits_twice_as_fast_as_the_sigmoid():
    """01 section 2: 99 % of the way to the upper limit at z = atanh(0.99) for tanh and at twice
    that for the sigmoid (tanh(z) = 2 sigmoid(2z) - 1)."""
    tanh, sigmoid = betternets_grader.reference("tanh"), betternets_grader.reference("sigmoid")
    z_tanh = activations.z_reaching(tanh, 0.99, -1.0, 1.0)
    z_sigmoid = activations.z_reaching(sigmoid, 0.99, 0.0, 1.0)
    assert abs(z_tanh - np.arctanh(0.99)) < 1e-5
    assert abs(z_sigmoid / z_tanh - 2.0) < 1e-5


def test_relu_trains_a_deep_network_faster_than_tanh_and_sigmoid():
    """01 section 4: five hidden layers, same steps and weights up to the gain: ReLU's median
    training loss over the last 5 of 20 epochs is below tanh's on every seed, and the sigmoid
    network stays at the uniform guess's ln 10."""
    ref = betternets_grader.reference
    pairs = {"sigmoid": (ref("sigmoid"), ref("sigmoid_grad"), 1.0),
             "tanh": (ref("tanh"), ref("tanh_grad"), 1.0),
             "ReLU": (ref("relu"), ref("relu_grad"), 2.0)}
    for seed in SEEDS:
        runs = activations.compare_activations(pairs, depth=5, width=32, epochs=20, lr=0.05,
                                               seed=seed)
        late = {name: np.median(h["train_loss"][-5:]) for name, h in runs.items()}
        assert late["ReLU"] < 0.8 * late["tanh"], (seed, late)
        assert abs(late["sigmoid"] - np.log(10)) < 0.02, (seed, late)
        assert np.median(runs["ReLU"]["val_acc"][-5:]) > 0.9


def test_the_learning_rate_is_hard_to_set_and_momentum_adds_a_knob():
    """04: on 0.1 x^2 + 2 y^2, 100 steps, SGD gets within 0.01 only in a band of learning rates
    narrower than a factor of 2, just below divergence; momentum widens the band for beta = 0.5,
    its best rate falls by more than 10x from beta 0.5 to 0.99, and beta >= 0.9 misses 0.01."""
    from betternets.demos import optimizers

    sgd = betternets_grader.reference("sgd_update")
    momentum = betternets_grader.reference("momentum_update")
    quad, w0, lrs = surfaces.quadratic_2d, [-5.0, -2.0], np.geomspace(1e-3, 1.0, 31)
    low, high = optimizers.good_band(lrs, optimizers.sweep(sgd, quad, w0, 100, lrs), 1e-2)
    assert 1.0 < high / low < 2.0 and high < 0.5
    assert optimizers.final_distance(sgd, quad, w0, 100, lr=0.55) > 1.0     # past 2/4: diverges
    betas = (0.5, 0.9, 0.99)
    grid = optimizers.sweep(momentum, quad, w0, 100, lrs, betas)
    low_m, high_m = optimizers.good_band(lrs, grid[0], 1e-2)
    assert high_m / low_m > 2 * (high / low)
    best = lrs[np.argmin(grid, axis=1)]
    assert best[0] > 10 * best[2]
    assert grid[1].min() > 1e-2 and grid[2].min() > 1e-2
