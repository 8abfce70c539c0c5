"""Notebook 05: the reference against independent formulas, and the solution against the reference."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from betternets.checks import VISIBLE, load_visible_checks
from betternets.checks import ex05_second_order_methods as fns
from betternets.checks.calls import namespace_caller
from betternets.checks.core import evaluate
from betternets_grader import HIDDEN, answers, exercises, load_hidden_checks
from checkout import SOLUTIONS
from betternets_grader.hidden.ex05_second_order_methods import reference as ref

EXERCISES = exercises("05_second_order_methods")


def spd(rng, eigenvalues):
    q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    return (q * np.asarray(eigenvalues, dtype=float)) @ q.T


def central_gradient(f, w, h=1e-6):
    grad = np.zeros_like(w)
    for i in range(len(w)):
        e = np.zeros_like(w)
        e[i] = h
        grad[i] = (f(w + e) - f(w - e)) / (2 * h)
    return grad


@pytest.fixture(scope="module")
def solution():
    return answers.build_namespace(answers.load(SOLUTIONS / "05_second_order_methods.ipynb"))


# --------------------------------------------------------------------------- test functions

@pytest.mark.parametrize("name,n", [("rosenbrock", 2), ("half_square", 3), ("quad", 4),
                                    ("ill", 10), ("double_well", 2)])
def test_check_functions_have_the_right_gradients(name, n):
    f, grad = fns.LOCAL[name]
    rng = np.random.default_rng(0)
    for _ in range(3):
        w = rng.uniform(-1.5, 1.5, size=n)
        np.testing.assert_allclose(grad(w), central_gradient(f, w), rtol=1e-6, atol=1e-5)


def test_quadratic_minima_are_where_the_gradient_vanishes():
    np.testing.assert_allclose(fns.quad_grad(fns.QUAD_MIN), 0, atol=1e-12)
    np.testing.assert_allclose(fns.ill_grad(fns.ILL_MIN), 0, atol=1e-12)
    assert np.linalg.cond(fns.ILL_A) == pytest.approx(100, rel=1e-6)


# --------------------------------------------------------------------------- reference

def test_newton_step_is_the_minimum_of_the_quadratic_model():
    rng = np.random.default_rng(1)
    A, b, w = spd(rng, [0.5, 2.0, 9.0]), rng.normal(size=3), rng.normal(size=3)
    np.testing.assert_allclose(ref.newton_step(w, A @ w - b, A), np.linalg.inv(A) @ b, rtol=1e-10)
    np.testing.assert_allclose(ref.newton_step(w, A @ w - b, A, lr=0.5),
                               w - 0.5 * np.linalg.inv(A) @ (A @ w - b), rtol=1e-10)


@pytest.mark.parametrize("eigenvalues,kind", [
    ([1.0, 2.0, 3.0], "minimum"), ([-1.0, -2.0], "maximum"), ([-1.0, -2.0, 3.0], "saddle"),
    ([1.0, 0.0], "degenerate"), ([0.0, 0.0, 0.0], "degenerate"), ([1.0, 0.0, -1.0], "saddle"),
    ([1.0, 1e-12, 2.0], "degenerate"), ([-3.0, 1e-12], "degenerate")])
def test_classify_from_constructed_eigenvalues(eigenvalues, kind):
    H = spd(np.random.default_rng(2), eigenvalues)
    assert ref.classify_critical_point(H) == kind
    # Independent check by sampling the quadratic form: a saddle goes both up and down.
    if kind == "saddle":
        v = np.random.default_rng(3).normal(size=(2000, len(eigenvalues)))
        q = np.einsum("ij,jk,ik->i", v, H, v)
        assert q.max() > 0 > q.min()


def test_line_search_on_a_quadratic_in_closed_form():
    # f = |w|^2 / 2 along d = -k w: f(w + a d) = (1 - a k)^2 f(w); Armijo <=> (1 - a k)^2 <= 1 - 2 c a k.
    w = np.array([1.0, -2.0])
    for k, alpha0, rho, c in [(1.0, 1.0, 0.5, 1e-4), (4.0, 1.0, 0.5, 1e-4), (4.0, 4.0, 0.3, 0.5)]:
        alpha = alpha0
        while (1 - alpha * k) ** 2 > 1 - 2 * c * alpha * k:
            alpha *= rho
        got = ref.backtracking_line_search(fns.half_square_f, fns.half_square_grad, w, -k * w,
                                           alpha0=alpha0, rho=rho, c=c)
        assert got == pytest.approx(alpha, rel=1e-12)


def test_betas_by_hand():
    assert ref.fletcher_reeves_beta([1.0, 2.0], [2.0, 0.0]) == pytest.approx(1.25)
    assert ref.polak_ribiere_beta([1.0, 2.0], [2.0, 0.0]) == pytest.approx(0.75)
    assert ref.polak_ribiere_beta([1.0, 0.0], [2.0, 0.0]) == 0.0


def test_linear_cg_solves_in_at_most_n_steps_with_conjugate_steps():
    rng = np.random.default_rng(4)
    for n in (2, 5, 10):
        A, b = spd(rng, np.linspace(1, 50, n)), rng.normal(size=n)
        x, path = ref.linear_cg(A, b)
        np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-8, atol=1e-10)
        assert len(path) - 1 <= n
        steps = np.diff(path, axis=0)
        gram = steps @ A @ steps.T
        off = gram - np.diag(np.diag(gram))
        assert np.abs(off).max() < 1e-8 * np.abs(np.diag(gram)).max()


def test_nonlinear_cg_restarting_every_step_is_steepest_descent():
    w = np.zeros(4)
    expected = [w]
    for _ in range(30):
        g = fns.quad_grad(w)
        if np.linalg.norm(g) < 1e-6:
            break
        w = w - ref.backtracking_line_search(fns.quad_f, fns.quad_grad, w, -g) * g
        expected.append(w)
    _, path = ref.nonlinear_cg(fns.quad_f, fns.quad_grad, np.zeros(4), beta="FR",
                               restart_every=1, max_iter=30)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-12, atol=1e-14)


def test_nonlinear_cg_converges_and_rejects_unknown_rules():
    for rule in ("FR", "PR"):
        w, _ = ref.nonlinear_cg(fns.rosenbrock_f, fns.rosenbrock_grad, [-1.2, 1.0], beta=rule,
                                max_iter=20000)
        np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-5)
        w, _ = ref.nonlinear_cg(fns.ill_f, fns.ill_grad, np.ones(10), beta=rule)
        np.testing.assert_allclose(w, fns.ILL_MIN, atol=1e-5)
    with pytest.raises(ValueError, match="beta"):
        ref.nonlinear_cg(fns.quad_f, fns.quad_grad, np.zeros(4), beta="HS")


def test_hidden_cg_comparisons_use_windows_without_ambiguity():
    # The default-restart comparisons of FR run whole: no restart for descent happens there.
    for f, g, w0 in [(fns.quad_f, fns.quad_grad, np.zeros(4)),
                     (fns.rosenbrock_f, fns.rosenbrock_grad, np.array([-1.2, 1.0]))]:
        assert ref._nonlinear_cg(f, g, w0, "FR", max_iter=60)[2] == []
    assert ref._nonlinear_cg(fns.quad_f, fns.quad_grad, np.zeros(4), "FR", restart_every=3)[2] == []
    # ... and the descent-restart comparison does restart for descent.
    assert len(ref._nonlinear_cg(fns.rosenbrock_f, fns.rosenbrock_grad, np.array([-1.2, 1.0]),
                                 "PR", restart_every=10 ** 6, max_iter=30)[2]) >= 5


def test_bfgs_update_against_the_expanded_formula_and_its_properties():
    rng = np.random.default_rng(5)
    for n in (2, 5):
        H = spd(rng, rng.uniform(0.2, 3, size=n))
        s = rng.normal(size=n)
        y = spd(rng, rng.uniform(0.5, 4, size=n)) @ s
        sy, Hy = s @ y, H @ y
        expanded = H + (sy + y @ Hy) * np.outer(s, s) / sy ** 2 - (np.outer(Hy, s) + np.outer(s, Hy)) / sy
        H_new = ref.bfgs_update(H, s, y)
        np.testing.assert_allclose(H_new, expanded, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(H_new @ y, s, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(H_new, H_new.T, atol=1e-12)
        assert np.linalg.eigvalsh(H_new).min() > 0


def test_bfgs_with_exact_line_search_recovers_the_inverse_hessian():
    rng = np.random.default_rng(6)
    n = 5
    A, b = spd(rng, np.logspace(0, 2, n)), rng.normal(size=n)
    H, w = np.eye(n), np.zeros(n)
    for _ in range(n):
        g = A @ w - b
        d = -H @ g
        s = -(g @ d) / (d @ A @ d) * d
        H = ref.bfgs_update(H, s, A @ s)
        w = w + s
    np.testing.assert_allclose(H, np.linalg.inv(A), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("start", [(-1.2, 1.0), (-1.5, 2.0), (0.0, 0.0), (2.0, 2.0)])
def test_bfgs_within_twice_scipys_iterations(start):
    w, path = ref.bfgs(fns.rosenbrock_f, fns.rosenbrock_grad, np.array(start))
    nit = minimize(fns.rosenbrock_f, np.array(start), jac=fns.rosenbrock_grad, method="BFGS",
                   options={"gtol": 1e-6, "norm": 2}).nit
    np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-6)
    assert len(path) - 1 <= 2 * nit


def test_bfgs_skips_the_update_on_the_double_well():
    w, path, skipped = ref._bfgs(fns.double_well_f, fns.double_well_grad, np.array([0.3, 0.1]))
    s, y = path[1] - path[0], fns.double_well_grad(path[1]) - fns.double_well_grad(path[0])
    assert y @ s < 0 and skipped == [0]
    np.testing.assert_allclose(w, [1.0, 0.0], atol=1e-6)


# --------------------------------------------------------------------------- checks on the reference

def _reference_namespace():
    return {name: getattr(ref, name) for name in EXERCISES}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_passes_every_check(exercise):
    load_visible_checks()
    load_hidden_checks()
    call = namespace_caller(_reference_namespace())
    props = VISIBLE.properties(exercise) + HIDDEN.properties(exercise)
    results = [evaluate(p, call) for p in props]
    assert [r.line() for r in results if not r.passed] == []


# --------------------------------------------------------------------------- solution = reference

def test_solution_newton_and_classify_agree_with_reference(solution):
    rng = np.random.default_rng(7)
    for n in (2, 4):
        for signs in ([1] * n, [1, -1] * (n // 2), [1] + [0] * (n - 1)):
            H = spd(rng, np.asarray(signs) * rng.uniform(0.5, 3, size=n))
            w, g = rng.normal(size=n), rng.normal(size=n)
            assert solution["classify_critical_point"](H) == ref.classify_critical_point(H)
            if 0 not in signs:
                np.testing.assert_allclose(solution["newton_step"](w, g, H, lr=0.7),
                                           ref.newton_step(w, g, H, lr=0.7), rtol=1e-12)


def test_solution_line_search_and_betas_agree_with_reference(solution):
    rng = np.random.default_rng(8)
    for _ in range(5):
        w = rng.uniform(-1.5, 1.5, size=2)
        d = -fns.rosenbrock_grad(w)
        kw = {"alpha0": rng.uniform(0.5, 2), "rho": rng.uniform(0.2, 0.8), "c": rng.uniform(1e-4, 0.5)}
        assert solution["backtracking_line_search"](fns.rosenbrock_f, fns.rosenbrock_grad, w, d, **kw) \
            == ref.backtracking_line_search(fns.rosenbrock_f, fns.rosenbrock_grad, w, d, **kw)
        g_new, g_old = rng.normal(size=6), rng.normal(size=6)
        for name in ("fletcher_reeves_beta", "polak_ribiere_beta"):
            assert solution[name](g_new, g_old) == pytest.approx(getattr(ref, name)(g_new, g_old),
                                                                 rel=1e-12, abs=1e-15)


def test_solution_iterative_methods_agree_with_reference(solution):
    rng = np.random.default_rng(9)
    A, b = spd(rng, np.linspace(1, 30, 6)), rng.normal(size=6)
    for mine, theirs in zip(solution["linear_cg"](A, b), ref.linear_cg(A, b)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
    for rule in ("FR", "PR"):
        for every in (None, 3, 10 ** 6):
            mine = solution["nonlinear_cg"](fns.quad_f, fns.quad_grad, np.zeros(4), beta=rule,
                                            restart_every=every)
            theirs = ref.nonlinear_cg(fns.quad_f, fns.quad_grad, np.zeros(4), beta=rule,
                                      restart_every=every)
            np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-10, atol=1e-12)
    for f, g, w0 in [(fns.rosenbrock_f, fns.rosenbrock_grad, [-1.2, 1.0]),
                     (fns.double_well_f, fns.double_well_grad, [0.3, 0.1]),
                     (fns.ill_f, fns.ill_grad, np.ones(10))]:
        np.testing.assert_allclose(solution["bfgs"](f, g, w0)[1], ref.bfgs(f, g, w0)[1],
                                   rtol=1e-9, atol=1e-12)
    H, s = spd(rng, [1.0, 2.0, 3.0]), rng.normal(size=3)
    y = spd(rng, [1.0, 5.0, 2.0]) @ s
    np.testing.assert_allclose(solution["bfgs_update"](H, s, y), ref.bfgs_update(H, s, y),
                               rtol=1e-12, atol=1e-14)


def test_armijo_edge_functions_decide_the_first_trial_step_by_a_hair():
    """The inputs of the hidden `armijo` properties: from w = 1 along d = -g, alpha = 1 passes
    Armijo iff a <= 2 - 2c (closed form), so c = 1e-4 and the sign of the c-term both show."""
    from betternets.checks import functions as F
    w = np.array([1.0])
    for f, g, a in [(F.armijo_edge, F.armijo_edge_grad, F.ARMIJO_EDGE),
                    (F.armijo_over, F.armijo_over_grad, F.ARMIJO_OVER)]:
        d = -g(w)
        for c in (1e-4, 1.5e-4, -1e-4):
            want = 1.0 if a <= 2 - 2 * c else 0.5
            assert ref.backtracking_line_search(f, g, w, d, c=c) == want, (a, c)
    assert 2 - 3e-4 < F.ARMIJO_EDGE <= 2 - 2e-4    # c = 1e-4 passes, c = 1.5e-4 does not
    assert 2 < F.ARMIJO_OVER <= 2 + 2e-4           # fails; with the sign of c flipped it passes


def test_straight_trough_gives_y_dot_s_exactly_zero():
    from betternets.checks import functions as F
    w, path = ref.bfgs(F.straight_trough, F.straight_trough_grad, np.zeros(2), max_iter=4)
    assert np.array_equal(path, [[0, 0], [-1, 0], [-2, 0], [-3, 0], [-4, 0]])
