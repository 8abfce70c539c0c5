"""Notebook 00: the reference and the solution cells agree with calculus."""
import numpy as np
import pytest

from betternets.checks import functions
from betternets_grader import answers
from checkout import SOLUTIONS
from betternets_grader.hidden import ex00_gradient_checking as ref

SOLUTION = answers.build_namespace(answers.load(SOLUTIONS / "00_gradient_checking.ipynb"))
IMPLEMENTATIONS = {
    "reference": (ref.numerical_gradient, ref.relative_error),
    "solution": (SOLUTION["numerical_gradient"], SOLUTION["relative_error"]),
}


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_numerical_gradient_matches_analytic_gradient(impl):
    numerical_gradient, _ = IMPLEMENTATIONS[impl]
    x = np.random.default_rng(0).normal(size=(3, 4))
    got = numerical_gradient(functions.sin_weighted, x)
    assert np.allclose(got, functions.sin_weighted_grad(x), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_central_difference_of_cube_is_exactly_3x2_plus_h2(impl):
    numerical_gradient, _ = IMPLEMENTATIONS[impl]
    x = np.array([0.5, -1.0, 2.0])
    assert np.allclose(numerical_gradient(functions.cube_sum, x, h=0.1), 3 * x**2 + 0.01,
                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_numerical_gradient_leaves_x_alone(impl):
    numerical_gradient, _ = IMPLEMENTATIONS[impl]
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    numerical_gradient(functions.cube_sum, x)
    assert np.array_equal(x, [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_relative_error_by_hand(impl):
    _, relative_error = IMPLEMENTATIONS[impl]
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 4.2)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)


def test_implementations_agree_on_random_inputs():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    x = rng.normal(size=(2, 3))
    errors = {k: rel(a, b) for k, (_, rel) in IMPLEMENTATIONS.items()}
    grads = {k: ng(functions.exp3_sum, x) for k, (ng, _) in IMPLEMENTATIONS.items()}
    assert len({round(e, 15) for e in errors.values()}) == 1
    for g in grads.values():
        assert np.allclose(g, grads["reference"], rtol=1e-12, atol=0)
