import numpy as np
import pytest

from betternets.gradcheck import (GradientReport, away_from_kinks, check_gradient,
                                  numerical_gradient, relative_error)


def cubic_sum(x):
    return float(np.sum(x**3) + x.flat[0] * x.flat[-1])


def cubic_sum_grad(x):
    g = 3 * x**2
    g.flat[0] += x.flat[-1]
    g.flat[-1] += x.flat[0]
    return g


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_matches_exact_for_any_shape(shape):
    x = np.random.default_rng(0).normal(size=shape)
    numeric = numerical_gradient(cubic_sum, x)
    assert numeric.shape == shape
    np.testing.assert_allclose(numeric, cubic_sum_grad(x), rtol=1e-7, atol=1e-8)


def test_numerical_gradient_leaves_x_unchanged_and_uses_h():
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v.copy())
        return float(np.sum(v**2))

    numerical_gradient(f, x, h=0.25)
    np.testing.assert_array_equal(x, before)
    steps = {round(float(np.max(np.abs(v - before))), 12) for v in seen}
    assert steps == {0.25}
    assert len(seen) == 2 * x.size


def test_numerical_gradient_is_central_second_order():
    # for f = x^3 central differences give 3x^2 + h^2 exactly
    numeric = numerical_gradient(lambda v: float(v[0] ** 3), np.array([2.0]), h=1e-2)
    assert numeric[0] == pytest.approx(12.0 + 1e-4, rel=1e-9)


def test_numerical_gradient_accepts_integer_arrays():
    numeric = numerical_gradient(lambda v: float(np.sum(v**2)), np.array([1, 2, 3]))
    np.testing.assert_allclose(numeric, [2.0, 4.0, 6.0], rtol=1e-8)


def test_numerical_gradient_rejects_bad_h():
    with pytest.raises(ValueError, match="h"):
        numerical_gradient(np.sum, np.ones(2), h=0.0)


def test_relative_error_formula_worst_element_and_floor():
    a = np.array([1.0, 2.0, 0.0])
    b = np.array([1.0, 1.0, 0.0])
    assert relative_error(a, b) == pytest.approx(1.0 / 3.0)
    assert relative_error(b, a) == relative_error(a, b)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)
    assert isinstance(relative_error(a, b), float)
    with pytest.raises(ValueError, match="shape"):
        relative_error(np.ones(2), np.ones(3))


def test_check_gradient_accepts_right_and_rejects_wrong_gradient():
    x = np.random.default_rng(1).normal(size=(3, 2))
    good = check_gradient(cubic_sum, cubic_sum_grad, x)
    assert isinstance(good, GradientReport) and good.ok
    assert good.max_relative_error < 1e-8

    def wrong(v):
        g = cubic_sum_grad(v)
        g[2, 1] *= 1.5
        return g

    bad = check_gradient(cubic_sum, wrong, x)
    assert not bad.ok
    assert bad.worst_index == (2, 1)
    assert bad.max_relative_error == pytest.approx(0.2, rel=1e-4)  # |1.5g - g| / 2.5|g|
    text = str(bad)
    assert "(2, 1)" in text and "analytic" in text and "numeric" in text and "relative error" in text


def test_check_gradient_skips_kinks():
    x = np.array([0.5, 1e-6, -0.7])  # the middle element sits on relu's kink
    relu_sum = lambda v: float(np.sum(np.maximum(v, 0)))
    relu_grad = lambda v: (v > 0).astype(float)
    assert not check_gradient(relu_sum, relu_grad, x).ok
    report = check_gradient(relu_sum, relu_grad, x, kink=lambda v: np.abs(v) < 1e-4)
    assert report.ok and report.worst_index != (1,)


def test_check_gradient_rejects_wrong_shape():
    with pytest.raises(ValueError, match="grad_f"):
        check_gradient(cubic_sum, lambda v: np.zeros(2), np.ones(3))


def test_away_from_kinks_moves_only_close_elements():
    x = np.array([0.0, 5e-4, -5e-4, 0.5, 1.0002])
    moved = away_from_kinks(x, kinks=(0.0, 1.0), margin=1e-3)
    np.testing.assert_allclose(moved, [2e-3, 2.5e-3, -2.5e-3, 0.5, 1.0022])
    assert x[0] == 0.0  # input untouched
    assert np.all(np.abs(moved[[0, 1, 2]]) >= 1e-3)
