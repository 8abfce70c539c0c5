"""The one central-difference function of the hidden checks (`betternets_grader.hidden.numerics`)."""
from __future__ import annotations

import numpy as np

from betternets_grader.hidden import numerics


def test_central_difference_of_a_cube_is_the_slope_plus_h_squared():
    # ((t + h)^3 - (t - h)^3) / (2h) = 3 t^2 + h^2 exactly, so the error is O(h^2)
    t = np.array([-2.0, 0.0, 0.5, 3.0])
    got = numerics.central_difference(lambda s: s ** 3, t, 0.1)
    assert np.allclose(got, 3 * t ** 2 + 0.01, rtol=1e-12, atol=1e-12)


def test_gradient_of_a_coupled_function_and_the_callers_x_untouched():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    before = x.copy()

    def f(v):  # sum sin(v) v^2 + (sum v)^2 / 2: gradient cos(v) v^2 + 2 v sin(v) + sum v
        return float(np.sum(np.sin(v) * v ** 2) + 0.5 * np.sum(v) ** 2)

    got = numerics.gradient(f, x)
    exact = np.cos(x) * x ** 2 + 2 * x * np.sin(x) + x.sum()
    assert got.shape == x.shape
    assert np.allclose(got, exact, rtol=1e-7, atol=1e-8)
    assert np.array_equal(x, before)
