"""Notebook 04, instructor side: the reference of every exercise and its hidden checks.

The reference: first-order update rules, momentum to Adam, and their driver.

Every rule has the form `update(w, g, state, *, hyper...) -> (w_new, state_new)`; `state` is `{}`
on the first call, the rule never modifies its arguments and returns a new state dict.
Sources: DLB Algorithms 8.1-8.7, J88 (delta-bar-delta), DHS11, TH12, KB14 Algorithm 1.

The hidden checks, judged against the reference. The check drives every update rule itself: it chooses the gradients (large ones, tiny ones of
1e-3 to 1e-4 where the placement of eps shows, and zero entries), passes back the state the
student's rule returned, and compares the weights after every step with the reference's
trajectory. The state is judged only by the weights it produces; the state passed in must stay
unchanged: the `pure` properties fail on any in-place change; the others judge the weights only,
so an in-place slip costs the `pure` points alone.

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module.
"""
from __future__ import annotations

import inspect

import numpy as np

from betternets.checks import contract, expect
from betternets.checks.calls import Fn
from betternets.checks.core import CheckFailed
from betternets.checks import ex04_first_order_optimizers as vis
from betternets.checks.ex04_first_order_optimizers import (
    BOWL, COUNTING_RULE, IDENTITY, LOOKAHEAD_PROBE, ONES, QUADRATIC, SIGN_RULE, WAVY,
    compare_path, step, trajectory,
)

from .. import HIDDEN, reference


# --------------------------------------------------------------------------- reference

def _zeros(w):
    return np.zeros(np.shape(w), dtype=float)


def sgd_update(w, g, state, *, lr):
    """w - lr g (DLB Alg. 8.1)."""
    return np.asarray(w, dtype=float) - lr * np.asarray(g, dtype=float), {}


def momentum_update(w, g, state, *, lr, beta=0.9):
    """v = beta v - lr g; w + v (DLB Alg. 8.2)."""
    v = beta * state.get("v", _zeros(w)) - lr * np.asarray(g, dtype=float)
    return np.asarray(w, dtype=float) + v, {"v": v}


def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
    """v = beta v - lr grad_fn(w + beta v); w + v (DLB Alg. 8.3)."""
    w = np.asarray(w, dtype=float)
    v_old = state.get("v", _zeros(w))
    v = beta * v_old - lr * np.asarray(grad_fn(w + beta * v_old), dtype=float)
    return w + v, {"v": v}


def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
    """Per-weight rates: + kappa where bar g > 0, * (1 - phi) where < 0; w - rate g;
    bar = (1 - theta) g + theta bar (J88)."""
    g = np.asarray(g, dtype=float)
    rate = state.get("rate", np.full(np.shape(w), float(lr0)))
    bar = state.get("bar", _zeros(w))
    agree = bar * g
    rate = np.where(agree > 0, rate + kappa, np.where(agree < 0, rate * (1 - phi), rate))
    w_new = np.asarray(w, dtype=float) - rate * g
    return w_new, {"rate": rate, "bar": (1 - theta) * g + theta * bar}


def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
    """r = r + g g; w - lr g / (eps + sqrt(r)) (DHS11, DLB Alg. 8.4)."""
    g = np.asarray(g, dtype=float)
    r = state.get("r", _zeros(w)) + g * g
    return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}


def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
    """r = rho r + (1 - rho) g g; w - lr g / sqrt(eps + r) (TH12, DLB Alg. 8.5)."""
    g = np.asarray(g, dtype=float)
    r = rho * state.get("r", _zeros(w)) + (1 - rho) * g * g
    return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}


def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """t += 1; m, v moving averages of g, g g; w - lr m_hat / (sqrt(v_hat) + eps) (KB14 Alg. 1)."""
    g = np.asarray(g, dtype=float)
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", _zeros(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", _zeros(w)) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


def takes_grad_fn(update) -> bool:
    """The course's convention: a rule whose second parameter is named grad_fn gets grad_fn."""
    try:
        params = list(inspect.signature(update).parameters)
    except (TypeError, ValueError):
        return False
    return len(params) >= 2 and params[1] == "grad_fn"


def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
    """Path (n_steps + 1, d) of `update` from w0; row 0 is w0."""
    w = np.array(w0, dtype=float)
    state: dict = {}
    path = [w.copy()]
    nesterov = takes_grad_fn(update)
    for _ in range(int(n_steps)):
        w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
        w = np.asarray(w, dtype=float)
        path.append(w.copy())
    return np.array(path)


# --------------------------------------------------------------------------- hidden checks

START = np.array([-5.0, -2.0])  # start on 0.1 x^2 + 2 y^2, as in d2l


def ref_path(rule, w0, grads, **hyper):
    """The reference's weights after each step (for nesterov_update `grads` are functions)."""
    w, state, path = np.array(w0, dtype=float), {}, []
    for g in grads:
        w, state = rule(w, g, state, **hyper)
        path.append(w)
    return path


def gradient_mix(rng, shape, n):
    """n gradients: large ones, tiny ones (1e-3 to 1e-4, where eps placement shows), zero entries."""
    grads = []
    for k in range(n):
        scale = [5.0, 1.0, 1e-3, 1e-4, 30.0, 3e-4][k % 6]
        g = rng.normal(scale=scale, size=shape)
        g[rng.random(shape) < 0.25] = 0.0
        grads.append(g)
    grads[0].flat[0] = 0.0  # a zero entry on the first step, where the moments are still 0
    return grads


def check_values(call, name, cases, hint):
    """cases: (w0, grads, hyper) triples; the whole trajectory must match the reference."""
    rule = reference(name)
    for w0, grads, hyper in cases:
        path = trajectory(call, name, w0, grads, **hyper)
        expected = ref_path(rule, w0, grads, **hyper)
        shown = ", ".join(f"{k}={v:g}" for k, v in hyper.items()) or "default hyper-parameters"
        try:
            compare_path(path, expected, name, hint=hint)
        except CheckFailed as exc:
            raise CheckFailed(f"{exc.message} ({shown}, w of shape {np.shape(w0)})",
                              exc.hint) from None


def mixed_cases(seed, hypers, n=6):
    rng = np.random.default_rng(seed)
    shapes = [(4,), (2, 3), (5,)]
    return [(rng.normal(size=shapes[i % 3]), gradient_mix(rng, shapes[i % 3], n), h)
            for i, h in enumerate(hypers)]


def steps_to_tol(call, name, w0, grad, tol, n_max, token=None, target=None, **hyper):
    """Steps until ||w - target|| < tol, driving the student's rule; None if not reached."""
    w, state = np.array(w0, dtype=float), {}
    target = np.zeros_like(w) if target is None else np.asarray(target, dtype=float)
    for k in range(1, n_max + 1):
        w, state = step(call, name, w, token if token is not None else grad(w), state, **hyper)
        if not np.all(np.isfinite(w)):
            return None
        if np.linalg.norm(w - target) < tol:
            return k
    return None


def converges(call, name, n_max, hint, token=None, tol=1e-3, **hyper):
    k = steps_to_tol(call, name, START, vis.quadratic_grad, tol, n_max, token=token, **hyper)
    shown = ", ".join(f"{a}={b:g}" for a, b in hyper.items())
    expect.true(k is not None, f"{name} ({shown}) did not bring w from (-5, -2) to within {tol:g} "
                f"of the minimum of 0.1 x^2 + 2 y^2 in {n_max} steps", hint)
    return k


def pure_run(call, name, grads, **hyper):
    """A trajectory whose only purpose is the purity test of `step` at every call."""
    w = np.array([[0.5, -1.0], [2.0, 0.0]])
    trajectory(call, name, w, grads, strict=True, **hyper)


PURE_GRADS = [np.array([[0.3, -0.2], [0.0, 1.0]]), np.array([[0.1, 0.4], [-0.5, 1.0]]),
              np.array([[-0.3, 0.2], [0.5, 0.0]])]


# --------------------------------------------------------------------------- sgd_update

@HIDDEN.property("sgd_update", "values", "6-step trajectories match w - lr g")
def sgd_update__values(call):
    check_values(call, "sgd_update", mixed_cases(4001, [{"lr": 0.1}, {"lr": 0.7}]),
                 "w - lr * g: a minus sign, and the lr you are given")


@HIDDEN.property("sgd_update", "pure", "leaves w, g and the state passed in unchanged")
def sgd_update__pure(call):
    pure_run(call, "sgd_update", PURE_GRADS, lr=0.1)


@HIDDEN.property("sgd_update", "converges",
                 "lr 0.4 brings w within 1e-3 of the minimum of 0.1 x^2 + 2 y^2 in 120 steps")
def sgd_update__converges(call):
    converges(call, "sgd_update", 120, "step against the gradient: w - lr * g", lr=0.4)


# --------------------------------------------------------------------------- momentum_update

@HIDDEN.property("momentum_update", "values", "6-step trajectories match the reference")
def momentum_update__values(call):
    check_values(call, "momentum_update",
                 mixed_cases(4002, [{"lr": 0.1}, {"lr": 0.05, "beta": 0.5}, {"lr": 0.3, "beta": 0.99}]),
                 "v = beta * v - lr * g (kept in the state); then w + v")


@HIDDEN.property("momentum_update", "pure", "leaves w, g and the state passed in unchanged")
def momentum_update__pure(call):
    pure_run(call, "momentum_update", PURE_GRADS, lr=0.1)


@HIDDEN.property("momentum_update", "faster_than_sgd",
                 "on 0.1 x^2 + 2 y^2 at lr 0.05 it reaches 1e-3 within 200 steps, fewer than SGD")
def momentum_update__faster_than_sgd(call):
    lr = 0.05
    k = converges(call, "momentum_update", 200,
                  "v = beta * v - lr * g; w + v: the velocity is added to w", lr=lr)
    sgd = _sgd_steps(lr)  # 848 steps
    expect.true(k < sgd, f"momentum needed {k} steps, SGD at the same lr {sgd}",
                "the velocity should build up along the shallow direction")


def _sgd_steps(lr, tol=1e-3):
    w, k = START.copy(), 0
    while np.linalg.norm(w) >= tol:
        w, _ = sgd_update(w, vis.quadratic_grad(w), {}, lr=lr)
        k += 1
    return k


# --------------------------------------------------------------------------- nesterov_update

@HIDDEN.property("nesterov_update", "values",
                 "6-step trajectories match the reference on curved surfaces")
def nesterov_update__values(call):
    cases = [(np.array([1.5, -0.7, 0.2]), WAVY, vis.wavy_grad, {"lr": 0.1}),
             (np.array([[1.0, -2.0], [0.5, 3.0]]), BOWL, vis.bowl_grad, {"lr": 0.2, "beta": 0.5}),
             (np.array([-1.2, 2.0]), WAVY, vis.wavy_grad, {"lr": 0.3, "beta": 0.95})]
    for w0, token, fn, hyper in cases:
        path = trajectory(call, "nesterov_update", w0, [token] * 6, **hyper)
        expected = ref_path(nesterov_update, w0, [fn] * 6, **hyper)
        compare_path(path, expected, "nesterov_update",
                     hint="v = beta * v - lr * grad_fn(w + beta * v); w + v; keep v in the state")


@HIDDEN.property("nesterov_update", "pure", "leaves w and the state passed in unchanged")
def nesterov_update__pure(call):
    pure_run(call, "nesterov_update", [BOWL] * 3, lr=0.1)


@HIDDEN.property("nesterov_update", "converges",
                 "at lr 0.2, beta 0.9 it reaches 1e-3 on 0.1 x^2 + 2 y^2 within 100 steps "
                 "(plain momentum needs 136)")
def nesterov_update__converges(call):
    converges(call, "nesterov_update", 100,
              "the look-ahead gradient damps the oscillation: evaluate grad_fn at w + beta * v",
              token=QUADRATIC, lr=0.2, beta=0.9)


# --------------------------------------------------------------------------- delta_bar_delta_update

@HIDDEN.property("delta_bar_delta_update", "values",
                 "8-step trajectories with sign flips and zero entries match the reference")
def delta_bar_delta_update__values(call):
    cases = mixed_cases(4003, [{}, {"lr0": 0.05, "kappa": 0.01, "phi": 0.3, "theta": 0.5}], n=8)
    rng = np.random.default_rng(4004)
    g = np.array([1.0, -2.0, 0.5, 0.0])
    flips = [g * s for s in (1, 1, 1, -1, 1, 1, -1, -1)]
    cases.append((rng.normal(size=4), flips, {"lr0": 0.1, "kappa": 0.02, "phi": 0.2}))
    check_values(call, "delta_bar_delta_update", cases,
                 "order: compare g with the old bar, change the rate, step w - rate * g, "
                 "then bar = (1 - theta) * g + theta * bar")


@HIDDEN.property("delta_bar_delta_update", "rates",
                 "rates grow additively while signs agree and shrink multiplicatively when they flip")
def delta_bar_delta_update__rates(call):
    lr0, kappa, phi = 0.02, 0.004, 0.25
    signs = [1, 1, 1, 1, -1, -1, 1]
    g = np.array([2.0, -0.5])
    grads = [s * g for s in signs]
    path = trajectory(call, "delta_bar_delta_update", np.zeros(2), grads,
                      lr0=lr0, kappa=kappa, phi=phi, theta=0.6)
    rates = vis._rates(path, np.zeros(2), grads)
    expected, rate, bar = [], lr0, 0.0
    for s in signs:  # the scalar rate of every coordinate (they all see the same sign pattern)
        if bar * s > 0:
            rate += kappa
        elif bar * s < 0:
            rate *= 1 - phi
        expected.append(rate)
        bar = 0.4 * s + 0.6 * bar
    for k, (got, exp) in enumerate(zip(rates, expected), start=1):
        expect.close(got, [exp, exp], f"the rate used in step {k} (signs {signs[:k]})", rtol=1e-9,
                     hint="while bar * g > 0 add kappa (additive increase); when bar * g < 0 "
                          "multiply by (1 - phi) (multiplicative decrease)")


@HIDDEN.property("delta_bar_delta_update", "theta_one",
                 "theta = 1: bar = (1 - theta) g + theta bar stays 0, so every rate stays lr0")
def delta_bar_delta_update__theta_one(call):
    # For theta < 1 bar is (weight) * sum_k theta^k g_(t-k), so only its sign matters and any
    # positive weight in place of 1 - theta gives the same weights; theta = 1 is where the
    # weight itself shows: (1 - theta) = 0 keeps bar at 0 and the rule is SGD at lr0.
    w0 = np.array([0.5, -1.0, 2.0])
    g = np.array([1.0, -2.0, 0.5])
    grads = [g * s for s in (1, 1, -1, 1, 1)]
    path = trajectory(call, "delta_bar_delta_update", w0, grads, lr0=0.05, kappa=0.01, phi=0.3,
                      theta=1.0)
    expected = [w0 - 0.05 * sum(grads[:k]) for k in range(1, 6)]
    compare_path(path, expected, "delta_bar_delta_update with theta = 1", rtol=1e-12,
                     atol=1e-12, grads=grads,
                     hint="after the step, bar = (1 - theta) * g + theta * bar: the new gradient "
                          "has weight 1 - theta")


@HIDDEN.property("delta_bar_delta_update", "pure", "leaves w, g and the state passed in unchanged")
def delta_bar_delta_update__pure(call):
    pure_run(call, "delta_bar_delta_update", PURE_GRADS)


@HIDDEN.property("delta_bar_delta_update", "converges",
                 "lr0 0.1, kappa 0.01 reach 1e-3 on 0.1 x^2 + 2 y^2 within 100 steps")
def delta_bar_delta_update__converges(call):
    converges(call, "delta_bar_delta_update", 100,
              "the rate of the oscillating y must shrink while the rate of x grows",
              lr0=0.1, kappa=0.01)


# --------------------------------------------------------------------------- adagrad_update

@HIDDEN.property("adagrad_update", "values",
                 "6-step trajectories (large, tiny and zero gradients) match the reference")
def adagrad_update__values(call):
    check_values(call, "adagrad_update",
                 mixed_cases(4005, [{}, {"lr": 0.3}, {"lr": 0.1, "eps": 1e-4}]),
                 "r = r + g * g; w - lr * g / (eps + sqrt(r)): eps outside the root, default 1e-7")


@HIDDEN.property("adagrad_update", "rate_never_rises",
                 "the effective rate -dw / g never rises, even when gradients shrink")
def adagrad_update__rate_never_rises(call):
    g0 = np.array([10.0, -3.0, 0.5])
    grads = [g0 * f for f in (1.0, 0.5, 0.1, 0.01, 0.01, 1e-3, 2.0, 1e-4)]
    path = trajectory(call, "adagrad_update", np.zeros(3), grads, lr=0.5)
    rates = vis._rates(path, np.zeros(3), grads)
    for k in range(1, len(rates)):
        # rates recovered from the weights carry round-off of about 1e-11; a rise is far larger
        rising = rates[k] > rates[k - 1] * (1 + 1e-8)
        if rising.any():
            i = int(np.argmax(rising))
            raise CheckFailed(f"adagrad_update's effective rate rose at step {k + 1} (coordinate "
                              f"{i}): {rates[k - 1][i]:.4g} -> {rates[k][i]:.4g}",
                              "r accumulates every g * g (r = r + g * g, no decay), so "
                              "lr / (eps + sqrt(r)) can only fall")
    expect.close(path[-1], ref_path(adagrad_update, np.zeros(3), grads, lr=0.5)[-1],
                 "w after 8 steps", rtol=1e-7, atol=1e-10)


@HIDDEN.property("adagrad_update", "pure", "leaves w, g and the state passed in unchanged")
def adagrad_update__pure(call):
    pure_run(call, "adagrad_update", PURE_GRADS)


@HIDDEN.property("adagrad_update", "converges",
                 "lr 1.0 reaches 1e-3 on 0.1 x^2 + 2 y^2 within 100 steps")
def adagrad_update__converges(call):
    converges(call, "adagrad_update", 100, "w - lr * g / (eps + sqrt(r))", lr=1.0)


# --------------------------------------------------------------------------- rmsprop_update

@HIDDEN.property("rmsprop_update", "values",
                 "6-step trajectories (large, tiny and zero gradients) match the reference")
def rmsprop_update__values(call):
    check_values(call, "rmsprop_update",
                 mixed_cases(4006, [{}, {"lr": 0.01, "rho": 0.5}, {"lr": 0.003, "eps": 1e-8}]),
                 "r = rho * r + (1 - rho) * g * g; w - lr * g / sqrt(eps + r): eps inside the "
                 "root, defaults lr 0.001, rho 0.9, eps 1e-6")


@HIDDEN.property("rmsprop_update", "forgets",
                 "after 5 huge gradients and 150 unit ones, the step is back to about lr")
def rmsprop_update__forgets(call):
    lr = 0.01
    grads = [np.array([100.0, -100.0])] * 5 + [np.array([1.0, -1.0])] * 150
    w, state = np.zeros(2), {}
    for g in grads:
        w_before = w
        w, state = step(call, "rmsprop_update", w, g, state, lr=lr)
    last = np.abs(w - w_before)
    expect.true(np.all(last > 0.99 * lr / np.sqrt(1 + 1e-6)) and np.all(last < 1.01 * lr),
                f"the last step has size {last.min():.3g}, expected about lr = {lr}",
                "r = rho * r + (1 - rho) * g * g is a decaying average: old gradients fade")


@HIDDEN.property("rmsprop_update", "pure", "leaves w, g and the state passed in unchanged")
def rmsprop_update__pure(call):
    pure_run(call, "rmsprop_update", PURE_GRADS)


@HIDDEN.property("rmsprop_update", "converges",
                 "lr 0.1 reaches 1e-3 on 0.1 x^2 + 2 y^2 within 100 steps")
def rmsprop_update__converges(call):
    converges(call, "rmsprop_update", 100, "w - lr * g / sqrt(eps + r)", lr=0.1)


# --------------------------------------------------------------------------- adam_update

@HIDDEN.property("adam_update", "values",
                 "6-step trajectories (large, tiny and zero gradients) match the reference")
def adam_update__values(call):
    check_values(call, "adam_update",
                 mixed_cases(4007, [{}, {"lr": 0.01, "beta1": 0.5, "beta2": 0.9},
                                    {"lr": 0.1, "eps": 1e-4}]),
                 "t += 1; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g g; "
                 "w - lr m_hat / (sqrt(v_hat) + eps), eps outside the root; keep m, v uncorrected")


@HIDDEN.property("adam_update", "first_step",
                 "the first step has size lr in every coordinate, for gradients from 1e-4 to 1e4")
def adam_update__first_step(call):
    rng = np.random.default_rng(4008)
    g = rng.choice([-1.0, 1.0], size=9) * np.logspace(-4, 4, 9)
    for lr in (0.001, 0.05):
        w_new, _ = step(call, "adam_update", np.ones(9), g, {}, lr=lr)
        expect.close(np.abs(w_new - 1.0), np.full(9, lr), f"the size of the first step (lr={lr})",
                     rtol=2e-3, inputs=g, hint="bias correction makes m_hat = g and v_hat = g^2 at "
                     "t = 1, so the first step is lr * g / (|g| + eps)")


@HIDDEN.property("adam_update", "bias_correction",
                 "with a constant gradient every step has size lr (betas 0.8 and 0.99, 6 steps)")
def adam_update__bias_correction(call):
    g = np.array([4.0, -0.02, 7e-4])
    hyper = {"lr": 0.05, "beta1": 0.8, "beta2": 0.99}
    path = trajectory(call, "adam_update", np.zeros(3), [g] * 6, **hyper)
    compare_path(path, ref_path(adam_update, np.zeros(3), [g] * 6, **hyper), "adam_update",
                 rtol=1e-6, grads=[g] * 6,
                 hint="divide m by 1 - beta1^t and v by 1 - beta2^t with t = 1, 2, ... kept in "
                      "the state; store m and v uncorrected")


@HIDDEN.property("adam_update", "pure", "leaves w, g and the state passed in unchanged")
def adam_update__pure(call):
    pure_run(call, "adam_update", PURE_GRADS)


@HIDDEN.property("adam_update", "converges",
                 "lr 0.1 reaches 1e-3 on 0.1 x^2 + 2 y^2 within 200 steps")
def adam_update__converges(call):
    converges(call, "adam_update", 200, "w - lr * m_hat / (sqrt(v_hat) + eps)", lr=0.1)


# --------------------------------------------------------------------------- run_optimizer

@HIDDEN.property("run_optimizer", "path",
                 "path of shape (n_steps + 1, d) starting with w0, for n_steps 0, 1 and 7")
def run_optimizer__path(call):
    rng = np.random.default_rng(4009)
    for n in (0, 1, 7):
        w0 = rng.normal(size=3)
        path = vis.run(call, SIGN_RULE, BOWL, w0, n, lr=0.3)
        expect.close(path, run_optimizer(vis.sign_rule, vis.bowl_grad, w0, n, lr=0.3),
                     f"run_optimizer's path with n_steps={n}", rtol=1e-12,
                     hint="the path is w0 followed by the weights after each step: "
                          "n_steps + 1 rows")


@HIDDEN.property("run_optimizer", "state_carried",
                 "the state a rule returns is passed to its next call, for 6 steps")
def run_optimizer__state_carried(call):
    w0 = np.array([0.4, -1.3, 2.0, 0.1])
    path = vis.run(call, COUNTING_RULE, BOWL, w0, 6, lr=0.05)
    expect.close(path, run_optimizer(vis.counting_rule, vis.bowl_grad, w0, 6, lr=0.05),
                 "the path of a rule that counts its calls in its state", rtol=1e-12,
                 hint="state = {} once, before the loop; then w, state = update(w, g, state, ...)")


@HIDDEN.property("run_optimizer", "nesterov",
                 "a rule of the Nesterov form gets grad_fn itself")
def run_optimizer__nesterov(call):
    w0 = np.array([1.5, -0.5])
    path = vis.run(call, LOOKAHEAD_PROBE, WAVY, w0, 5, lr=0.2)
    expect.close(path, run_optimizer(vis.lookahead_probe, vis.wavy_grad, w0, 5, lr=0.2),
                 "the path of a rule update(w, grad_fn, state, ...)", rtol=1e-12,
                 hint="recognize the rule by its second parameter, grad_fn, and pass grad_fn itself")


@HIDDEN.property("run_optimizer", "by_parameter",
                 "a rule is of the Nesterov form by its parameter grad_fn, whatever its name: "
                 "a renamed rule and a functools.partial of one both get grad_fn itself")
def run_optimizer__by_parameter(call):
    from betternets.checks import functions
    w0 = np.array([1.5, -0.5])
    for name, rule, what in [
            ("look_ahead_rule", functions.look_ahead_rule, "a rule named look_ahead_rule"),
            ("partial_look_ahead_rule", functions.partial_look_ahead_rule,
             "functools.partial(look_ahead_rule, shift=0.5)")]:
        path = vis.run(call, Fn(f"betternets.checks.functions:{name}"), WAVY, w0, 4, lr=0.2)
        expect.close(path, run_optimizer(rule, vis.wavy_grad, w0, 4, lr=0.2),
                     f"the path of {what}, whose second parameter is grad_fn", rtol=1e-12,
                     hint="look at the rule's parameters (inspect.signature(update).parameters), "
                          "not at its __name__: a partial has no name, a copy may have another")


@HIDDEN.property("run_optimizer", "pure", "leaves w0 unchanged and accepts w0 as a list")
def run_optimizer__pure(call):
    vis.run(call, COUNTING_RULE, IDENTITY, np.array([1.0, 2.0]), 3, lr=0.1)
    path = vis.run(call, SIGN_RULE, ONES, [1.0, 2.0], 2, lr=0.5)
    expect.close(path, [[1.0, 2.0], [0.5, 1.5], [0.0, 1.0]], "the path from w0 = [1.0, 2.0]",
                 rtol=1e-12, hint="convert first: w = np.array(w0, dtype=float)")


# --------------------------------------------------------------------------- the shared contract
# Every update rule returns a new state dict and new weights, also on its first call (state {})
# and where nothing moves, and computes in float64: integer-valued w and g give the float64
# step, and g = 1e39 (whose square overflows float32 to inf) the reference's
# (betternets.checks.contract). The reference of exercise `x` is the function `x` above.

_RULES = {  # exercise: (second argument: a gradient or nesterov's grad_fn, hyper-parameters)
    "sgd_update": (None, {"lr": 0.1}),
    "momentum_update": (None, {"lr": 0.1}),
    "nesterov_update": (IDENTITY, {"lr": 0.1}),
    "delta_bar_delta_update": (None, {}),
    "adagrad_update": (None, {}),
    "rmsprop_update": (None, {}),
    "adam_update": (None, {}),
}
_W_INT, _G_INT = np.array([1, -2, 3]), np.array([2, 1, -1])
_G_BIG = np.array([1e39, -1e-50, 3.0])

for _name, (_fn, _hyper) in _RULES.items():
    _rule = globals()[_name]
    _g = _fn if _fn is not None else _G_INT
    _state = _rule(_W_INT.astype(float), vis.identity_grad if _fn is not None else _g, {},
                   **_hyper)[1]
    contract.register(HIDDEN, _name, "new_state",
                      "returns a new state dict and new weights, on the first call (state {}) "
                      "and on the next",
                      contract.new_objects(_name, [((np.array([0.5, -1.0]), _g if _fn else
                                                     np.array([0.0, 2.0]), {}), _hyper),
                                                   ((_W_INT.astype(float), _g, _state), _hyper)],
                                           _rule))
    _cases = [((_W_INT, _g, {}), _hyper)]
    if _fn is None:
        _cases.append(((np.array([1e40, 0.1, 1 / 3]), _G_BIG, {}), _hyper))
    contract.register(HIDDEN, _name, "float64",
                      "float64 weights for integer-valued w and g"
                      + ("" if _fn else ", right for w = 1e40, 0.1, 1/3 and g = 1e39, 1e-50"),
                      contract.float64(_name, _cases, _rule, rtol=1e-9, pick=lambda v: v[:1]))

contract.register(HIDDEN, "run_optimizer", "float64",
                  "an integer-valued w0 gives the float64 path",
                  contract.float64("run_optimizer", [((SIGN_RULE, BOWL, np.array([3, -1]), 3),
                                                      {"lr": 0.25})],
                                   run_optimizer, rtol=1e-12))
