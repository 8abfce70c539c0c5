"""Notebook 04: the reference update rules against independent formulas, and the solution
notebook's answers against the reference.

Independent forms used: closed-form sums of the moving averages (AdaGrad, RMSProp, Adam), the
heavy-ball recurrence for momentum, the two-sequence form of Nesterov on a quadratic, and a scalar
replay of the delta-bar-delta rates.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np
import pytest

from betternets.checks import ex04_first_order_optimizers as vis
from betternets_grader import answers, exercises, reference
from checkout import SOLUTIONS
from betternets_grader.hidden import ex04_first_order_optimizers as ref

NOTEBOOK = "04_first_order_optimizers"
# the update rules of the form update(w, g, state, ...), as the registry knows them
RULES = [ex for ex in exercises(NOTEBOOK)
         if list(inspect.signature(reference(ex)).parameters)[:3] == ["w", "g", "state"]]


def gradients(seed, n, shape=(5,)):
    rng = np.random.default_rng(seed)
    scales = [3.0, 1e-3, 1.0, 1e-4, 10.0, 0.5, 2e-3, 1.0]
    grads = [rng.normal(scale=scales[k % len(scales)], size=shape) for k in range(n)]
    grads[1][0] = 0.0
    return grads


def run(rule, w0, grads, **hyper):
    w, state, path = np.array(w0, dtype=float), {}, []
    for g in grads:
        state_before = {k: np.copy(v) for k, v in state.items()}
        w, new_state = rule(w, g, state, **hyper)
        for k, v in state_before.items():  # the state passed in is left as it was
            np.testing.assert_array_equal(state[k], v)
        state = new_state
        path.append(w)
    return np.array(path)


def test_sgd_is_w_minus_lr_g():
    grads = gradients(1, 6)
    w0 = np.ones(5)
    path = run(ref.sgd_update, w0, grads, lr=0.3)
    np.testing.assert_allclose(path, w0 - 0.3 * np.cumsum(grads, axis=0), rtol=1e-13)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_is_the_heavy_ball_recurrence(beta):
    grads, lr = gradients(2, 8), 0.1
    w0 = np.linspace(-1, 1, 5)
    path = run(ref.momentum_update, w0, grads, lr=lr, beta=beta)
    # w_(k+1) = w_k - lr g_k + beta (w_k - w_(k-1)), with w_(-1) = w_0
    prev, cur = w0, w0
    for k, g in enumerate(grads):
        prev, cur = cur, cur - lr * g + beta * (cur - prev)
        np.testing.assert_allclose(path[k], cur, rtol=1e-12, atol=1e-14)


def test_momentum_constant_gradient_geometric_series():
    g, lr, beta = np.array([1.0, -2.0]), 0.1, 0.9
    path = run(ref.momentum_update, np.zeros(2), [g] * 10, lr=lr, beta=beta)
    v = [-lr * g * (1 - beta ** k) / (1 - beta) for k in range(1, 11)]
    np.testing.assert_allclose(path, np.cumsum(v, axis=0), rtol=1e-12)


def test_nesterov_is_the_two_sequence_form_on_a_quadratic():
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    grad = lambda w: H @ w  # noqa: E731
    lr, beta, w0 = 0.2, 0.8, np.array([1.0, -2.0])
    path = run(ref.nesterov_update, w0, [grad] * 12, lr=lr, beta=beta)
    # y_k = w_k + beta (w_k - w_(k-1)); w_(k+1) = y_k - lr grad(y_k)
    prev, cur = w0, w0
    for k in range(12):
        y = cur + beta * (cur - prev)
        prev, cur = cur, y - lr * grad(y)
        np.testing.assert_allclose(path[k], cur, rtol=1e-12, atol=1e-14)


def test_nesterov_differs_from_momentum_and_beats_it_on_the_valley():
    q = vis.quadratic_grad
    first_hit = {}
    for rule in (ref.nesterov_update, ref.momentum_update):
        path = ref.run_optimizer(rule, q, [-5.0, -2.0], 200, lr=0.2, beta=0.9)
        first_hit[rule] = int(np.argmax(np.linalg.norm(path, axis=1) < 1e-3))
    # the numbers the hidden check `nesterov_update.converges` states: 74 and 136 steps
    assert 0 < first_hit[ref.nesterov_update] <= 100 < first_hit[ref.momentum_update]


def test_delta_bar_delta_rates_by_scalar_replay():
    lr0, kappa, phi, theta = 0.05, 0.01, 0.2, 0.6
    signs = [1, 1, -1, -1, 1, 0, 1, 1]
    g = np.array([0.7, -1.3])
    grads = [s * g for s in signs]
    path = run(ref.delta_bar_delta_update, np.zeros(2), grads, lr0=lr0, kappa=kappa, phi=phi,
               theta=theta)
    rate, bar, w = lr0, 0.0, np.zeros(2)
    for k, s in enumerate(signs):
        if bar * s > 0:
            rate += kappa
        elif bar * s < 0:
            rate *= 1 - phi
        w = w - rate * s * g
        bar = (1 - theta) * s + theta * bar
        np.testing.assert_allclose(path[k], w, rtol=1e-12, atol=1e-15)


def test_adagrad_closed_form():
    grads, lr, eps = gradients(3, 8), 0.5, 1e-7
    G = np.array(grads)
    steps = lr * G / (eps + np.sqrt(np.cumsum(G ** 2, axis=0)))
    path = run(ref.adagrad_update, np.zeros(5), grads, lr=lr)
    np.testing.assert_allclose(path, -np.cumsum(steps, axis=0), rtol=1e-12, atol=1e-15)


def test_rmsprop_closed_form():
    grads, lr, rho, eps = gradients(4, 8), 0.01, 0.8, 1e-6
    G = np.array(grads)
    T = len(G)
    r = np.array([(1 - rho) * sum(rho ** (t - i) * G[i] ** 2 for i in range(t + 1))
                  for t in range(T)])
    path = run(ref.rmsprop_update, np.zeros(5), grads, lr=lr, rho=rho)
    np.testing.assert_allclose(path, -np.cumsum(lr * G / np.sqrt(eps + r), axis=0), rtol=1e-12,
                               atol=1e-15)


def test_adam_closed_form():
    grads, lr, b1, b2, eps = gradients(5, 8), 0.01, 0.9, 0.999, 1e-8
    G = np.array(grads)
    w, expected = np.zeros(5), []
    for t in range(1, len(G) + 1):
        m = (1 - b1) * sum(b1 ** (t - i) * G[i - 1] for i in range(1, t + 1))
        v = (1 - b2) * sum(b2 ** (t - i) * G[i - 1] ** 2 for i in range(1, t + 1))
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        expected.append(w)
    path = run(ref.adam_update, np.zeros(5), grads, lr=lr)
    np.testing.assert_allclose(path, expected, rtol=1e-11, atol=1e-15)


def test_adam_first_step_has_size_lr():
    g = np.logspace(-4, 4, 9) * np.array([1, -1] * 4 + [1])
    w, _ = ref.adam_update(np.zeros(9), g, {}, lr=0.01)
    np.testing.assert_allclose(np.abs(w), 0.01, rtol=1e-3)


def test_adagrad_rate_never_rises_and_rmsprop_forgets():
    grads = [np.array([5.0])] * 20 + [np.array([0.05])] * 150
    for rule, rises in ((ref.adagrad_update, False), (ref.rmsprop_update, True)):
        path = run(rule, np.zeros(1), grads, lr=0.1)
        steps = -np.diff(np.concatenate([[0.0], path[:, 0]]))
        rates = steps / np.array(grads)[:, 0]
        assert (np.diff(rates) > 1e-12).any() == rises


def test_run_optimizer_path_and_nesterov_convention():
    path = ref.run_optimizer(ref.sgd_update, vis.identity_grad, [1.0, 2.0], 3, lr=0.5)
    np.testing.assert_allclose(path, [[1, 2], [0.5, 1], [0.25, 0.5], [0.125, 0.25]])
    assert ref.run_optimizer(ref.sgd_update, vis.identity_grad, [1.0], 0, lr=0.5).shape == (1, 1)
    assert ref.takes_grad_fn(ref.nesterov_update)
    assert ref.takes_grad_fn(functools.partial(ref.nesterov_update, beta=0.5))
    assert not ref.takes_grad_fn(ref.momentum_update)
    path = ref.run_optimizer(functools.partial(ref.nesterov_update, beta=0.5), vis.wavy_grad,
                             [1.0, -1.0], 4, lr=0.1)
    np.testing.assert_allclose(path[1:], run(ref.nesterov_update, [1.0, -1.0], [vis.wavy_grad] * 4,
                                              lr=0.1, beta=0.5))


def test_probe_rule_matches_both_conventions():
    assert vis.lookahead_probe.__name__ == "nesterov_update"
    assert list(inspect.signature(vis.lookahead_probe).parameters)[1] == "grad_fn"


def test_visible_checks_hold_no_reference():
    source = inspect.getsource(vis)
    assert len(RULES) == 6, RULES
    for name in exercises(NOTEBOOK):
        assert f"def {name}(" not in source  # its checks are named {name}__<property>


# --------------------------------------------------------------------------- the solution notebook

@pytest.fixture(scope="module")
def solution():
    return answers.build_namespace(answers.load(SOLUTIONS / "04_first_order_optimizers.ipynb"))


@pytest.mark.parametrize("name", RULES)
def test_solution_rule_agrees_with_reference(solution, name):
    for seed, hyper in [(10, {}), (11, {"lr": 0.05}) if name != "delta_bar_delta_update"
                        else (11, {"lr0": 0.05, "kappa": 0.02})]:
        if name in ("sgd_update", "momentum_update") and "lr" not in hyper:
            hyper = {"lr": 0.1}
        grads = gradients(seed, 8, shape=(2, 3))
        w0 = np.random.default_rng(seed).normal(size=(2, 3))
        np.testing.assert_allclose(run(solution[name], w0, grads, **hyper),
                                   run(getattr(ref, name), w0, grads, **hyper),
                                   rtol=1e-12, atol=1e-15)


def test_solution_nesterov_agrees_with_reference(solution):
    for grad in (vis.wavy_grad, vis.bowl_grad):
        np.testing.assert_allclose(
            run(solution["nesterov_update"], [1.0, -0.5, 2.0], [grad] * 8, lr=0.1, beta=0.7),
            run(ref.nesterov_update, [1.0, -0.5, 2.0], [grad] * 8, lr=0.1, beta=0.7), rtol=1e-12)


def test_solution_run_optimizer_agrees_with_reference(solution):
    for update, grad in [(vis.counting_rule, vis.bowl_grad), (vis.lookahead_probe, vis.wavy_grad),
                         (ref.adam_update, vis.quadratic_grad)]:
        np.testing.assert_allclose(solution["run_optimizer"](update, grad, [0.5, -1.5], 9, lr=0.1),
                                   ref.run_optimizer(update, grad, [0.5, -1.5], 9, lr=0.1),
                                   rtol=1e-12)


def test_run_optimizer_knows_a_nesterov_rule_by_its_parameter_not_its_name():
    """The inputs of the hidden `by_parameter` property: a renamed rule and a partial of it."""
    from betternets.checks import functions as F
    w0 = np.array([1.5, -0.5])
    assert not hasattr(F.partial_look_ahead_rule, "__name__")
    for rule, shift in [(F.look_ahead_rule, 1.0), (F.partial_look_ahead_rule, 0.5)]:
        path = ref.run_optimizer(rule, vis.wavy_grad, w0, 3, lr=0.2)
        w = w0.copy()
        for k in range(3):
            w = w - 0.2 * vis.wavy_grad(w + shift)
            assert np.allclose(path[k + 1], w, rtol=1e-12, atol=0)
