"""Notebook 01: the reference against independent formulas, and the solution against the reference."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from betternets.checks import ex01_activations as visible
from betternets.checks import functions
from betternets_grader.hidden.numerics import gradient as numerical_gradient
from betternets_grader import answers, exercises
from checkout import SOLUTIONS
from betternets_grader.hidden import ex01_activations as ref
from betternets_grader.hidden.ex01_activations import noise

# the elementwise activations and their derivatives: f(z, ...) and f_grad(z, ...), by the registry
PAIRS = [(ex, f"{ex}_grad") for ex in exercises("01_activations")
         if f"{ex}_grad" in exercises("01_activations")]
ELEMENTWISE = [name for pair in PAIRS for name in pair]
EXTREME = np.array([-1e4, -1e3, -710.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 710.0, 1e3, 1e4])


@pytest.fixture(scope="module")
def z():
    rng = np.random.default_rng(0)
    return np.concatenate([rng.normal(scale=3, size=200), rng.uniform(-30, 30, size=200)])


def test_reference_against_independent_formulas(z):
    beta = 0.3
    independent = {
        "sigmoid": special.expit(z),
        "tanh": np.tanh(z),
        "lecun_tanh": 1.7159 * np.tanh(2 * z / 3),
        "relu": np.clip(z, 0, None),
        "leaky_relu": np.maximum(z, beta * z),
        "softplus": np.logaddexp(0, z),
        "elu": np.where(z > 0, z, beta * (np.exp(np.minimum(z, 0)) - 1)),
        "sigmoid_grad": special.expit(z) * special.expit(-z),
        "tanh_grad": 1 / np.cosh(z) ** 2,
        "lecun_tanh_grad": 1.7159 * 2 / 3 / np.cosh(2 * z / 3) ** 2,
        "relu_grad": np.heaviside(z, 0.0),
        "leaky_relu_grad": np.heaviside(z, 0.0) * (1 - beta) + beta,
        "softplus_grad": special.expit(z),
        "elu_grad": np.where(z > 0, 1.0, beta * np.exp(np.minimum(z, 0))),
    }
    for name, expected in independent.items():
        fn = getattr(ref, name)
        got = fn(z, beta=beta) if name.startswith(("leaky", "elu")) else fn(z)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.parametrize("f,g", PAIRS)
def test_reference_derivatives_against_central_differences(z, f, g):
    z = z[np.abs(z) > 1e-3]
    h = 1e-5
    fd = (getattr(ref, f)(z + h) - getattr(ref, f)(z - h)) / (2 * h)
    np.testing.assert_allclose(getattr(ref, g)(z), fd, rtol=1e-7, atol=1e-9)


def test_conventions_at_zero():
    zero = np.array([0.0, -0.0])
    assert np.all(ref.relu_grad(zero) == 0)
    assert np.all(ref.leaky_relu_grad(zero, beta=0.07) == 0.07)
    assert np.all(ref.elu_grad(zero, beta=0.6) == 0.6)
    assert np.all(ref.relu(zero) == 0) and np.all(ref.elu(zero) == 0)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_reference_has_no_overflow_and_keeps_shapes(name):
    fn = getattr(ref, name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = fn(EXTREME)
    assert np.all(np.isfinite(out))
    assert fn(0.3).shape == ()
    assert fn(np.zeros((2, 3, 4))).shape == (2, 3, 4)


def test_rectified_moments_match_closed_forms():
    # For X ~ N(z, s^2): E[max(0, X)] = z Phi(z/s) + s phi(z/s) and
    # E[max(0, X)^2] = (z^2 + s^2) Phi(z/s) + z s phi(z/s).
    for z in [-2.0, -1.0, -0.4, 0.0, 0.6, 1.5, 3.0, 6.0]:
        s = np.sqrt(special.expit(z))
        phi, Phi = stats.norm.pdf(z / s), stats.norm.cdf(z / s)
        m1, m2, _, _ = noise.rectified_moments(z)
        assert m1 == pytest.approx(z * Phi + s * phi, rel=1e-8, abs=1e-14)
        assert m2 == pytest.approx((z * z + s * s) * Phi + z * s * phi, rel=1e-8, abs=1e-14)


def test_noisy_relu_statistics_are_calibrated():
    """Over many seeds, the standardised statistics the hidden checks judge are ~ N(0, 1)."""
    devs_mean, devs_var = [], []
    z = np.repeat(np.array(noise.NOISY_Z), noise.NOISY_N)
    for seed in range(60):
        out = ref.noisy_relu(z, np.random.default_rng(10_000 + seed)).reshape(
            len(noise.NOISY_Z), noise.NOISY_N)
        for z0, row in zip(noise.NOISY_Z, out):
            mean, var, var_sq = noise.rectified_mean_var(z0)
            devs_mean.append((row.mean() - mean) / np.sqrt(var / row.size))
            devs_var.append((row.var(ddof=1) - var) / np.sqrt(var_sq / row.size))
    for devs in (np.array(devs_mean), np.array(devs_var)):
        assert abs(devs.mean()) < 0.3                 # 360 draws: sd of the mean ~0.05
        assert 0.8 < devs.std() < 1.2
        assert np.abs(devs).max() < 5.0               # the checks allow ~6.6


def test_noisy_relu_reference_is_seeded_and_nonnegative():
    z = np.linspace(-3, 3, 101)
    a = ref.noisy_relu(z, np.random.default_rng(1))
    assert np.array_equal(a, ref.noisy_relu(z, np.random.default_rng(1)))
    assert not np.array_equal(a, ref.noisy_relu(z, np.random.default_rng(2)))
    assert np.all(a >= 0)


def test_layer_gradient_norms_against_numerical_gradients():
    rng = np.random.default_rng(5)
    sizes = [3, 4, 4, 2]
    weights = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes, sizes[1:])]
    X = rng.normal(size=(5, 3))

    def loss(ws):
        A = X
        for W, b in ws:
            A = np.tanh(A @ W + b)
        return float(np.sum(A))

    expected = []
    for l, (W, _b) in enumerate(weights):
        def loss_of_W(W_try, l=l):
            return loss([(W_try, b_) if i == l else (W_, b_) for i, (W_, b_) in
                         enumerate(weights)])
        expected.append(np.linalg.norm(numerical_gradient(loss_of_W, W)))
    got = ref.layer_gradient_norms(X, weights, np.tanh, lambda z: 1 - np.tanh(z) ** 2)
    np.testing.assert_allclose(got, expected, rtol=1e-7)


def test_sigmoid_gradients_vanish_in_the_reference():
    rng = np.random.default_rng(0)
    weights = [(rng.normal(size=(16, 16)) / 4, np.zeros(16)) for _ in range(12)]
    norms = ref.layer_gradient_norms(rng.normal(size=(32, 16)), weights, special.expit,
                                     stats.logistic.pdf)
    assert norms[0] / norms[-1] < 1e-5
    assert np.all(np.diff(np.log(norms)) > 0)  # every layer closer to the output gets more


def test_test_activations_have_the_right_derivatives():
    z = np.linspace(-4, 4, 41) + 0.05
    h = 1e-5
    for f, g in [(np.arctan, functions.arctan_slope), (functions.softsign, functions.softsign_slope),
                 (special.expit, stats.logistic.pdf), (np.square, functions.twice)]:
        np.testing.assert_allclose(g(z), (f(z + h) - f(z - h)) / (2 * h), rtol=1e-7, atol=1e-10)


@pytest.fixture(scope="module")
def solution():
    return answers.build_namespace(answers.load(SOLUTIONS / "01_activations.ipynb"))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_solution_agrees_with_reference(solution, z, name):
    fn, expected_fn = solution[name], getattr(ref, name)
    for beta in ([None, 0.2] if name.startswith(("leaky", "elu")) else [None]):
        kw = {} if beta is None else {"beta": beta}
        for inputs in (z, z.reshape(20, 20), EXTREME, 0.7, 0.0):
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                got = fn(inputs, **kw)
            np.testing.assert_allclose(got, expected_fn(inputs, **kw), rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name} {kw}")
            assert np.shape(got) == np.shape(inputs)


def test_solution_noisy_relu_agrees_with_reference(solution):
    z = np.concatenate([np.linspace(-5, 5, 200), EXTREME])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = solution["noisy_relu"](z, np.random.default_rng(3))
    # Both draw one standard normal per element in C order, so the streams agree exactly.
    np.testing.assert_allclose(got, ref.noisy_relu(z, np.random.default_rng(3)), rtol=1e-12)


def test_solution_layer_gradient_norms_agrees_with_reference(solution):
    rng = np.random.default_rng(9)
    sizes = [6, 5, 5, 4, 3]
    weights = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes, sizes[1:])]
    X = rng.normal(size=(8, 6))
    for f, g in [(np.sin, np.cos), (special.expit, stats.logistic.pdf)]:
        np.testing.assert_allclose(solution["layer_gradient_norms"](X, weights, f, g),
                                   ref.layer_gradient_norms(X, weights, f, g), rtol=1e-12)


def test_visible_checks_do_not_reach_the_reference():
    modules = sorted(Path(visible.__file__).parent.glob("*.py"))
    assert len(modules) > 1, modules   # the package's topic modules, not only its __init__
    for module in modules:
        assert "betternets_grader" not in module.read_text(), module  # no import of the hidden side


# ---------------------------------------------------------------- output_delta (section 6)

def _costs(a, y):
    """The two costs of one sigmoid output (Nielsen ch. 3), written out independently."""
    return {"quadratic": 0.5 * (a - y) ** 2,
            "cross_entropy": -(y * np.log(a) + (1 - y) * np.log(1 - a))}


def test_output_delta_is_the_cost_derivative_in_z():
    """delta = dC/dz of C(sigmoid(z)), by central differences of the costs themselves."""
    rng = np.random.default_rng(17)
    z, y = rng.uniform(-6, 6, size=50), rng.uniform(0, 1, size=50)
    h = 1e-6
    for cost in ("quadratic", "cross_entropy"):
        numeric = (_costs(special.expit(z + h), y)[cost]
                   - _costs(special.expit(z - h), y)[cost]) / (2 * h)
        np.testing.assert_allclose(ref.output_delta(special.expit(z), y, cost), numeric,
                                   rtol=1e-6, atol=1e-9, err_msg=cost)


def test_solution_output_delta_agrees_with_reference(solution):
    rng = np.random.default_rng(18)
    a, y = rng.uniform(size=(4, 5)), rng.integers(0, 2, size=(4, 5))
    for cost in ("quadratic", "cross_entropy"):
        got = solution["output_delta"](a, y, cost)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, ref.output_delta(a, y, cost), rtol=1e-12, atol=1e-15)
        for bad in [(a, y[:2], cost), (a + 1.0, y, cost)]:
            with pytest.raises(ValueError):
                solution["output_delta"](*bad)
    with pytest.raises(ValueError, match="cost"):
        solution["output_delta"](a, y, "hinge")


def test_demonstration_saturated_neuron_learns_slowly_with_the_quadratic_cost():
    """The claims of the text under demo-slowdown-3, from its own `train_neuron` with the
    reference delta: started saturated (w = b = 2), the quadratic cost's output is still above 0.9
    after 150 epochs and above 0.15 after 300, while cross-entropy is at 0.10 after 50 (below 0.1) and 0.01 after 300; started
    unsaturated, quadratic is at 0.39 after 50 epochs and cross-entropy lower."""
    import nbformat
    nb = nbformat.read(SOLUTIONS / "01_activations.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if c.get("id") == "demo-slowdown-3")
    definition = source.split("\n\n\nstarts")[0]
    namespace = {"np": np, "output_delta": ref.output_delta}
    exec(compile(definition, "demo-slowdown-3", "exec"), namespace)
    train = namespace["train_neuron"]
    quadratic, cross_entropy = train(2.0, 2.0, "quadratic"), train(2.0, 2.0, "cross_entropy")
    assert quadratic[0] > 0.98 and cross_entropy[0] > 0.98
    assert quadratic[150] > 0.9 and quadratic[300] > 0.15
    assert cross_entropy[50] < 0.1 and cross_entropy[300] < 0.015
    quadratic, cross_entropy = train(0.6, 0.9, "quadratic"), train(0.6, 0.9, "cross_entropy")
    assert quadratic[50] < 0.4 and cross_entropy[50] < quadratic[50]
