import numpy as np
import pytest

from betternets import surfaces
from betternets.surfaces import Surface


def central_gradient(f, w, h=1e-6):
    """Independent reference: a plain loop of central differences."""
    g = np.zeros(len(w))
    for i in range(len(w)):
        e = np.zeros(len(w))
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g


def central_hessian(grad, w, h=1e-6):
    """Column i of the Hessian = central difference of the (exact) gradient along e_i."""
    H = np.zeros((len(w), len(w)))
    for i in range(len(w)):
        e = np.zeros(len(w))
        e[i] = h
        H[:, i] = (grad(w + e) - grad(w - e)) / (2 * h)
    return H


ALL = [surfaces.quadratic_2d, surfaces.rosenbrock, surfaces.saddle, surfaces.beale,
       surfaces.ill_conditioned(2, condition=10), surfaces.ill_conditioned(5, condition=100)]
IDS = [s.name for s in ALL]


def sample_points(surface, count=6):
    rng = np.random.default_rng(0)
    n = len(surface.grad(np.zeros(5 if "n=5" in surface.name else 2)))
    if surface.bounds is not None:
        (x0, x1), (y0, y1) = surface.bounds
        return [np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)]) for _ in range(count)]
    return [rng.uniform(-2, 2, size=n) for _ in range(count)]


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_gradient_is_exact(surface):
    for w in sample_points(surface):
        np.testing.assert_allclose(surface.grad(w), central_gradient(surface.f, w),
                                   rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_hessian_is_exact_and_symmetric(surface):
    for w in sample_points(surface):
        H = surface.hess(w)
        np.testing.assert_allclose(H, H.T)
        np.testing.assert_allclose(H, central_hessian(surface.grad, w), rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("surface", [s for s in ALL if s.minimum is not None], ids=lambda s: s.name)
def test_minimum_has_zero_gradient_and_positive_curvature(surface):
    np.testing.assert_allclose(surface.grad(surface.minimum), 0.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(surface.hess(surface.minimum)) > 0)
    rng = np.random.default_rng(1)
    for _ in range(5):  # nearby points are higher
        w = surface.minimum + 1e-2 * rng.normal(size=surface.minimum.shape)
        assert surface.f(w) > surface.f(surface.minimum)


def test_known_values():
    assert surfaces.quadratic_2d.f(np.array([1.0, 1.0])) == pytest.approx(2.1)
    assert surfaces.rosenbrock.f(np.array([0.0, 0.0])) == pytest.approx(1.0)
    assert surfaces.rosenbrock.f(np.array([1.0, 1.0])) == 0.0
    assert surfaces.beale.f(np.array([3.0, 0.5])) == pytest.approx(0.0, abs=1e-14)
    assert surfaces.saddle.f(np.array([1.0, 2.0])) == pytest.approx(-3.0)


def test_saddle_has_no_minimum_but_a_critical_point_at_zero():
    assert surfaces.saddle.minimum is None
    np.testing.assert_array_equal(surfaces.saddle.grad(np.zeros(2)), 0.0)
    eig = np.linalg.eigvalsh(surfaces.saddle.hess(np.zeros(2)))
    assert eig.min() < 0 < eig.max()


def test_ill_conditioned_spectrum_and_bounds():
    s = surfaces.ill_conditioned(4, condition=1000)
    eig = np.sort(np.linalg.eigvalsh(s.hess(np.zeros(4))))
    np.testing.assert_allclose(eig, [1, 10, 100, 1000])
    assert s.bounds is None and s.minimum.shape == (4,)
    assert surfaces.ill_conditioned(2).bounds is not None
    with pytest.raises(ValueError, match="n"):
        surfaces.ill_conditioned(0)
    with pytest.raises(ValueError, match="condition"):
        surfaces.ill_conditioned(3, condition=0.5)


def test_surfaces_are_frozen_and_check_w():
    s = surfaces.rosenbrock
    assert isinstance(s, Surface)
    with pytest.raises(AttributeError):
        s.name = "other"
    with pytest.raises(ValueError):
        s.minimum[0] = 3.0
    with pytest.raises(ValueError, match="w"):
        s.f(np.zeros(3))
    for surface in (surfaces.quadratic_2d, surfaces.rosenbrock, surfaces.saddle, surfaces.beale):
        (x0, x1), (y0, y1) = surface.bounds
        assert x0 < x1 and y0 < y1
        if surface.minimum is not None:
            assert x0 <= surface.minimum[0] <= x1 and y0 <= surface.minimum[1] <= y1


def test_functions_do_not_modify_w():
    w = np.array([0.3, -0.4])
    for surface in (surfaces.quadratic_2d, surfaces.rosenbrock, surfaces.saddle, surfaces.beale):
        surface.f(w), surface.grad(w), surface.hess(w)
        np.testing.assert_array_equal(w, [0.3, -0.4])
