"""Self-checks for notebook 04: first-order optimizers, momentum to Adam.

An update rule is judged by the weights it produces over several steps. The check drives the
rule itself: it calls `update(w, g, state, ...)` again and again, passes back the state the rule
returned, and chooses the gradients. Expected values here are hand-computed special cases
(constant gradients, f(w) = w^2 / 2); the hidden checks compare whole trajectories with the
reference.

The test inputs below (gradient functions and the probe rules for `run_optimizer`) are sent to
the student's code by name through `Fn`, so they live in this importable module.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import expect
from .calls import Fn
from .core import VISIBLE, CheckFailed

MODULE = "betternets.checks.ex04_first_order_optimizers"


# --------------------------------------------------------------------------- test inputs

def identity_grad(w):
    """Gradient of f(w) = sum w^2 / 2: g = w."""
    return np.array(w, dtype=float)


def ones_grad(w):
    """Gradient of f(w) = sum w: g = 1 everywhere."""
    return np.ones(np.shape(w))


def quadratic_grad(w):
    """Gradient of 0.1 x^2 + 2 y^2 (betternets.surfaces.quadratic_2d): (0.2 x, 4 y)."""
    x, y = np.asarray(w, dtype=float)
    return np.array([0.2 * x, 4.0 * y])


def bowl_grad(w):
    """Gradient of sum_i c_i w_i^2 / 2 with curvatures c from 0.5 to 4 over the elements of w."""
    w = np.asarray(w, dtype=float)
    return np.linspace(0.5, 4.0, w.size).reshape(w.shape) * w


def wavy_grad(w):
    """Gradient of sum w^2 / 2 - cos(3 w) / 6: g = w + sin(3 w) / 2 (curved, so look-ahead shows)."""
    w = np.asarray(w, dtype=float)
    return w + 0.5 * np.sin(3.0 * w)


def sign_rule(w, g, state, *, lr):
    """A test rule (sign-SGD): w - lr sign(g); keeps no state."""
    return np.asarray(w, dtype=float) - lr * np.sign(g), {}


def counting_rule(w, g, state, *, lr):
    """A test rule with a step counter k in its state: w - lr k g on the k-th call."""
    k = state.get("k", 0) + 1
    return np.asarray(w, dtype=float) - lr * k * np.asarray(g, dtype=float), {"k": k}


def lookahead_probe(w, grad_fn, state, *, lr, shift=1.0):
    """A test rule of the Nesterov form: takes grad_fn itself and returns w - lr grad_fn(w + shift)."""
    w = np.asarray(w, dtype=float)
    if not callable(grad_fn):
        raise TypeError(f"expected the gradient function itself, got {type(grad_fn).__name__}")
    return w - lr * np.asarray(grad_fn(w + shift), dtype=float), {}


# run_optimizer recognizes a Nesterov-type rule by its signature (second parameter named
# grad_fn); some students check the name instead. The probe satisfies both conventions.
lookahead_probe.__name__ = lookahead_probe.__qualname__ = "nesterov_update"

IDENTITY = Fn(f"{MODULE}:identity_grad")
ONES = Fn(f"{MODULE}:ones_grad")
QUADRATIC = Fn(f"{MODULE}:quadratic_grad")
BOWL = Fn(f"{MODULE}:bowl_grad")
WAVY = Fn(f"{MODULE}:wavy_grad")
SIGN_RULE = Fn(f"{MODULE}:sign_rule")
COUNTING_RULE = Fn(f"{MODULE}:counting_rule")
LOOKAHEAD_PROBE = Fn(f"{MODULE}:lookahead_probe")


# --------------------------------------------------------------------------- driving a rule

IN_PLACE_HINTS = {
    "argument 1": "compute a new array, w_new = w - ..., instead of changing w itself "
                  "(w -= ..., w[...] = ...)",
    "argument 2": "leave g as it is: g * g, not g *= g or g **= 2",
    "argument 3": "build a new state dict with new arrays (m = beta * m + ..., not m *= beta or "
                  "state['m'] = ...), and leave the one passed in as it was",
}


def in_place_hint(mutated: list[str]) -> str:
    """What to change, for each argument a rule modified in place (w, g or the state)."""
    return "; ".join(IN_PLACE_HINTS[m] for m in mutated if m in IN_PLACE_HINTS) or \
        "make new arrays instead of changing the ones passed in"


def _after(call, exercise: str, prop: str, what: str) -> None:
    """Judge `what` only once the property `prop` (the rule itself) holds: a default is read off
    the same update, so a wrong update must not be blamed on the signature."""
    first = VISIBLE.get(exercise, prop)
    try:
        first.run(call)
    except CheckFailed:
        raise CheckFailed(f"{what} not judged yet: the update itself fails \"{first.description}\"",
                          "fix the update first (see that property's message); this property "
                          "then checks only the defaults") from None


def step(call, name: str, w, g, state, *, strict: bool = False, **hyper) -> tuple[np.ndarray, Any]:
    """One call of an update rule on copies of w, g and state; returns copies of (w_new, state_new).

    With strict=True it fails if the rule modified w, g or state in place (the `pure` properties);
    other properties judge only the weights, so an in-place slip costs the `pure` points alone.
    """
    rec = call.record(name, np.array(w, dtype=float), copy.deepcopy(g), copy.deepcopy(state),
                      **hyper)
    if strict and rec.mutated:
        which = ", ".join(rec.mutated)
        what = "the state dict it was given" if "argument 3" in rec.mutated else "its input"
        raise CheckFailed(f"{name} changed {what} in place ({which})", in_place_hint(rec.mutated))
    value = rec.value
    if not (isinstance(value, tuple) and len(value) == 2):
        raise CheckFailed(f"{name} returned {type(value).__name__}, expected a pair (w_new, state_new)",
                          "end with `return w_new, new_state`")
    w_new, state_new = value
    if not isinstance(state_new, dict):
        raise CheckFailed(f"{name} returned a state of type {type(state_new).__name__}, expected a dict",
                          "return the state as a dict, e.g. {'v': v}")
    w_new = expect.same_shape(np.array(w_new, dtype=float), np.shape(w), f"{name}'s w_new")
    return w_new, copy.deepcopy(state_new)


def trajectory(call, name: str, w0, grads, *, strict: bool = False, **hyper) -> list[np.ndarray]:
    """Weights after each step, starting from state {}, the state carried between calls.

    `grads` is a list of gradients (or of Fn tokens, for nesterov_update)."""
    w, state, path = np.array(w0, dtype=float), {}, []
    for g in grads:
        w, state = step(call, name, w, g, state, strict=strict, **hyper)
        path.append(w)
    return path


def compare_path(path, expected, name: str, *, rtol=1e-7, atol=1e-10, hint="", grads=None):
    """Every step's weights equal the expected ones; names the first step that differs."""
    for k, (got, exp) in enumerate(zip(path, expected), start=1):
        try:
            expect.close(got, exp, f"after step {k}, w", rtol=rtol, atol=atol,
                         inputs=None if grads is None else grads[k - 1])
        except CheckFailed as exc:
            message = exc.message.replace("(input", "(gradient")
            raise CheckFailed(f"{name}: {message}", hint or exc.hint) from None


# --------------------------------------------------------------------------- sgd_update

@VISIBLE.property("sgd_update", "values", "one step is w - lr * g")
def sgd_update__values(call):
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 0.0])
    w_new, _ = step(call, "sgd_update", w, g, {}, lr=0.1)
    expect.close(w_new, [0.95, -1.9, 0.5], "sgd_update(w, g, {}, lr=0.1)", rtol=1e-12, inputs=g,
                 hint="step against the gradient: w - lr * g (the slide's + is a typo)")


@VISIBLE.property("sgd_update", "pure", "leaves w, g and the state unchanged; returns (w_new, dict)")
def sgd_update__pure(call):
    w, state = step(call, "sgd_update", np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2)), {},
                    strict=True, lr=0.5)
    step(call, "sgd_update", w, np.ones((2, 2)), state, strict=True, lr=0.5)


# --------------------------------------------------------------------------- momentum_update

@VISIBLE.property("momentum_update", "constant_gradient",
                  "with a constant gradient, v after k steps is -lr g (1 + beta + ... + beta^(k-1))")
def momentum_update__constant_gradient(call):
    g = np.array([1.0, -2.0])
    path = trajectory(call, "momentum_update", np.zeros(2), [g] * 3, lr=0.1, beta=0.5)
    # v1 = -0.1 g, v2 = -0.15 g, v3 = -0.175 g; w3 = v1 + v2 + v3 = -0.425 g
    expected = [-0.1 * g, -0.25 * g, -0.425 * g]
    compare_path(path, expected, "momentum_update", rtol=1e-12,
                 hint="v = beta * v - lr * g, then w + v; keep v in the returned state")


@VISIBLE.property("momentum_update", "default_beta", "beta defaults to 0.9")
def momentum_update__default_beta(call):
    _after(call, "momentum_update", "constant_gradient", "the default beta")
    g = np.array([2.0])
    path = trajectory(call, "momentum_update", np.zeros(1), [g] * 2, lr=0.5)
    # v1 = -lr g = -1, so the second step v2 = w2 - w1 = beta v1 - lr g gives the beta used
    beta_used = float((np.ravel(path[1])[0] - np.ravel(path[0])[0] + 1.0) / -1.0)
    hint = ("without beta your steps are those of beta = 0.1 = 1 - 0.9: beta multiplies v "
            "(v = beta * v - lr * g), it is not a friction" if abs(beta_used - 0.1) < 1e-9 else
            f"without beta your steps are those of beta = {beta_used:.4g}: the signature is "
            "momentum_update(w, g, state, *, lr, beta=0.9)")
    compare_path(path, [[-1.0], [-1.9 - 1.0]], "momentum_update without beta", rtol=1e-12,
                 hint=hint)


@VISIBLE.property("momentum_update", "pure", "leaves w, g and the state passed in unchanged")
def momentum_update__pure(call):
    trajectory(call, "momentum_update", np.array([1.0, -1.0]), [np.array([0.3, 0.1])] * 3,
               strict=True, lr=0.1)


# --------------------------------------------------------------------------- nesterov_update

@VISIBLE.property("nesterov_update", "lookahead",
                  "on f = w^2 / 2 from w = 1 (lr 0.1, beta 0.9) two steps give 0.9, 0.729 "
                  "(plain momentum: 0.72)")
def nesterov_update__lookahead(call):
    path = trajectory(call, "nesterov_update", np.array([1.0]), [IDENTITY] * 2, lr=0.1, beta=0.9)
    # v1 = -0.1 * 1 = -0.1, w1 = 0.9; look-ahead 0.9 - 0.09 = 0.81; v2 = -0.09 - 0.081 = -0.171
    if abs(float(np.ravel(path[1])[0]) - 0.72) < 1e-9:
        raise CheckFailed("nesterov_update: after step 2 w is 0.72, the value of plain momentum",
                          "take the gradient at the look-ahead point w + beta * v, not at w")
    compare_path(path, [[0.9], [0.729]], "nesterov_update", rtol=1e-12,
                 hint="v = beta * v - lr * grad_fn(w + beta * v); then w + v")


@VISIBLE.property("nesterov_update", "pure", "leaves w and the state passed in unchanged")
def nesterov_update__pure(call):
    trajectory(call, "nesterov_update", np.array([1.0, -2.0, 0.5]), [IDENTITY] * 3,
               strict=True, lr=0.1)


# --------------------------------------------------------------------------- delta_bar_delta_update

def _rates(path, w0, grads):
    """Per-step rates recovered from the weights: rate_k = (w_(k-1) - w_k) / g_k."""
    ws = [np.asarray(w0, dtype=float)] + [np.asarray(w) for w in path]
    return [(ws[k] - ws[k + 1]) / grads[k] for k in range(len(grads))]


@VISIBLE.property("delta_bar_delta_update", "rates",
                  "rates start at lr0, grow by kappa while the sign agrees, shrink by (1 - phi) "
                  "when it flips")
def delta_bar_delta_update__rates(call):
    g = np.array([1.0, -0.5])
    grads = [g, g, g, -g]
    path = trajectory(call, "delta_bar_delta_update", np.zeros(2), grads,
                      lr0=0.1, kappa=0.05, phi=0.5, theta=0.5)
    rates = _rates(path, np.zeros(2), grads)
    # step 1: bar = 0, rate stays 0.1; steps 2, 3: + kappa; step 4: bar > 0 meets -g: * (1 - phi)
    for k, expected in enumerate([0.1, 0.15, 0.2, 0.1], start=1):
        expect.close(rates[k - 1], [expected] * 2, f"the rate used in step {k}", rtol=1e-9,
                     hint="compare the new g with bar (the average of past gradients): "
                          "rate + kappa if bar * g > 0, rate * (1 - phi) if bar * g < 0; "
                          "then w - rate * g, then update bar")


@VISIBLE.property("delta_bar_delta_update", "defaults",
                  "defaults lr0 = 0.01, kappa = 1e-3 (J88 course defaults)")
def delta_bar_delta_update__defaults(call):
    _after(call, "delta_bar_delta_update", "rates", "the defaults")
    g = np.array([1.0])
    path = trajectory(call, "delta_bar_delta_update", np.zeros(1), [g] * 2)
    compare_path(path, [[-0.01], [-0.01 - 0.011]], "delta_bar_delta_update with defaults",
                 rtol=1e-12, hint="delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, "
                                  "phi=0.1, theta=0.7)")


@VISIBLE.property("delta_bar_delta_update", "pure", "leaves w, g and the state passed in unchanged")
def delta_bar_delta_update__pure(call):
    trajectory(call, "delta_bar_delta_update", np.array([1.0, 2.0]),
               [np.array([0.5, -0.5]), np.array([0.5, 0.5]), np.array([0.5, -0.5])], strict=True)


# --------------------------------------------------------------------------- adagrad_update

@VISIBLE.property("adagrad_update", "constant_gradient",
                  "with a constant gradient g, step k moves w by lr g / (eps + sqrt(k) |g|)")
def adagrad_update__constant_gradient(call):
    g = np.array([2.0, -1e-4, 0.0])
    lr, eps = 0.5, 1e-7
    path = trajectory(call, "adagrad_update", np.zeros(3), [g] * 3, lr=lr)
    steps = [lr * g / (eps + np.sqrt(k) * np.abs(g)) for k in (1, 2, 3)]
    compare_path(path, np.cumsum(steps, axis=0) * -1, "adagrad_update", grads=[g] * 3,
                 hint="r = r + g * g (kept in the state); w - lr * g / (eps + sqrt(r)), "
                      "eps outside the root, default 1e-7")


@VISIBLE.property("adagrad_update", "pure", "leaves w, g and the state passed in unchanged")
def adagrad_update__pure(call):
    trajectory(call, "adagrad_update", np.array([1.0, -1.0]), [np.array([0.3, 0.1])] * 3, strict=True)


# --------------------------------------------------------------------------- rmsprop_update

@VISIBLE.property("rmsprop_update", "constant_gradient",
                  "with a constant gradient g, step k moves w by lr g / sqrt(eps + (1 - rho^k) g^2)")
def rmsprop_update__constant_gradient(call):
    g = np.array([3.0, -1e-3, 0.0])
    lr, rho, eps = 0.01, 0.9, 1e-6
    path = trajectory(call, "rmsprop_update", np.zeros(3), [g] * 3, lr=lr)
    steps = [lr * g / np.sqrt(eps + (1 - rho ** k) * g * g) for k in (1, 2, 3)]
    compare_path(path, np.cumsum(steps, axis=0) * -1, "rmsprop_update", grads=[g] * 3,
                 hint="r = rho * r + (1 - rho) * g * g; w - lr * g / sqrt(eps + r), "
                      "eps inside the root; defaults rho = 0.9, eps = 1e-6")


@VISIBLE.property("rmsprop_update", "pure", "leaves w, g and the state passed in unchanged")
def rmsprop_update__pure(call):
    trajectory(call, "rmsprop_update", np.array([1.0, -1.0]), [np.array([0.3, 0.1])] * 3, strict=True)


# --------------------------------------------------------------------------- adam_update

@VISIBLE.property("adam_update", "first_step",
                  "the first step has size about lr in every coordinate, whatever the gradient's size")
def adam_update__first_step(call):
    g = np.array([1e3, -2.0, 1e-3, -5e-5])
    w_new, _ = step(call, "adam_update", np.zeros(4), g, {}, lr=0.01)
    with VISIBLE.aimed("adam_update", call):
        expect.close(w_new, -0.01 * g / (np.abs(g) + 1e-8), "w after Adam's first step", rtol=1e-6,
                     inputs=g, hint="with bias correction m_hat = g and v_hat = g^2 at t = 1, so "
                                    "the step is lr * g / (|g| + eps); use a step counter t "
                                    "starting at 1")


@VISIBLE.property("adam_update", "bias_correction",
                  "with a constant gradient g every step is lr g / (|g| + eps), for 4 steps")
def adam_update__bias_correction(call):
    g = np.array([0.5, -3.0, 2e-3])
    path = trajectory(call, "adam_update", np.zeros(3), [g] * 4, lr=0.1)
    steps = 0.1 * g / (np.abs(g) + 1e-8)
    with VISIBLE.aimed("adam_update", call):
        compare_path(path, [-k * steps for k in (1, 2, 3, 4)], "adam_update", rtol=1e-6,
                     grads=[g] * 4, hint="t += 1 each call (kept in the state); m_hat = m / "
                                         "(1 - beta1^t), v_hat = v / (1 - beta2^t); store the "
                                         "uncorrected m and v")


@VISIBLE.property("adam_update", "pure", "leaves w, g and the state passed in unchanged")
def adam_update__pure(call):
    trajectory(call, "adam_update", np.array([1.0, -1.0]), [np.array([0.3, 0.1])] * 3, strict=True)


# --------------------------------------------------------------------------- run_optimizer

def run(call, *args, **kwargs) -> np.ndarray:
    """Call run_optimizer, check it left w0 alone, and return the path as an array."""
    rec = call.record("run_optimizer", *args, **kwargs)
    if rec.mutated:
        raise CheckFailed(f"run_optimizer changed its input in place ({', '.join(rec.mutated)})",
                          "start from a copy: w = np.array(w0, dtype=float)")
    return expect.as_array(rec.value, "run_optimizer's path")


@VISIBLE.property("run_optimizer", "path",
                  "the path has shape (n_steps + 1, d), its first row is w0 (here sign-SGD)")
def run_optimizer__path(call):
    w0 = np.array([3.0, -2.0])
    path = run(call, SIGN_RULE, ONES, w0, 4, lr=0.5)
    expect.same_shape(path, (5, 2), "run_optimizer(update, grad_fn, w0 of length 2, n_steps=4)",
                      "put w0 in the path, then one row after each of the n_steps steps")
    expect.close(path[0], w0, "the first row of the path", atol=0,
                 hint="the path starts with w0 itself")
    expect.close(path, w0 - 0.5 * np.arange(5)[:, None], "the path of sign-SGD", rtol=1e-12,
                 hint="call update(w, grad_fn(w), state, **hyper) and keep the w it returns")


@VISIBLE.property("run_optimizer", "state_carried",
                  "the state a rule returns is passed to its next call (a rule that counts its steps)")
def run_optimizer__state_carried(call):
    lr = 0.1
    path = run(call, COUNTING_RULE, IDENTITY, np.array([1.0, -2.0]), 4, lr=lr)
    # step k: w <- w - lr * k * w; the gradient is w itself
    expected = np.array([1.0, -2.0]) * np.cumprod([1.0] + [1 - lr * k for k in (1, 2, 3, 4)])[:, None]
    expect.close(path, expected, "the path of a rule that counts its calls in its state",
                 rtol=1e-12, hint="start with state = {} and keep the state each call returns: "
                                  "w, state = update(w, g, state, **hyper)")


@VISIBLE.property("run_optimizer", "nesterov",
                  "a rule whose second parameter is grad_fn gets grad_fn itself, not grad_fn(w)")
def run_optimizer__nesterov(call):
    path = run(call, LOOKAHEAD_PROBE, IDENTITY, np.array([1.0]), 3, lr=0.5)
    # w <- w - 0.5 (w + 1): 1, 0, -0.5, -0.75
    expect.close(path, [[1.0], [0.0], [-0.5], [-0.75]],
                 "the path of a rule of the form update(w, grad_fn, state, ...)", rtol=1e-12,
                 hint="for nesterov_update pass grad_fn itself; recognize it by its second "
                      "parameter's name (inspect.signature(update).parameters)")


# --------------------------------------------------------------------------- known mistakes (named hints)
#
# Each named mistake is recognised once, by behaviour, here; `check` names it under a failure.
#
# The detectors run a rule for a step or two on a fixed gradient and look at
# the size of the steps: Adam's first step is about lr whatever the gradient,
# momentum's second step on a constant gradient is (1 + beta) times its first.

W0 = np.array([1.0, -2.0, 0.5])
G = np.array([0.3, -1.5, 2.0])


def _steps(call, name: str, n: int, g=G, **hyper) -> list[np.ndarray]:
    """The sizes |w_k - w_(k-1)| of n steps on the constant gradient g, state carried."""
    w, state, steps = W0.copy(), {}, []
    for _ in range(n):
        w_new, state = call(name, w, g, state, **hyper)
        w_new = np.asarray(w_new, dtype=float)
        steps.append(np.abs(w_new - w))
        w = w_new
    return steps


@VISIBLE.mistake("adam_update", "Adam without bias correction",
                 "your first step is about 3.16 * lr instead of lr: divide m by (1 - beta1**t) "
                 "and v by (1 - beta2**t) before the step (keep the uncorrected m and v in the state)")
def adam_update__looks_like_adam_without_bias_correction(call):
    (first,) = _steps(call, "adam_update", 1, lr=0.01)
    return np.allclose(first, 0.01 * 0.1 / np.sqrt(0.001), rtol=1e-3)


@VISIBLE.mistake("adam_update", "an Adam step counter that is not kept",
                 "your first step is right but the second is about 1.34 * lr: keep t in the "
                 "state and add 1 at every call, so that the bias correction fades")
def adam_update__looks_like_adam_step_counter_that_kept(call):
    first, second = _steps(call, "adam_update", 2, lr=0.01)
    return np.allclose(first, 0.01, rtol=1e-3) and np.allclose(second, 0.01 * 1.9 / np.sqrt(1.999),
                                                                 rtol=1e-3)


@VISIBLE.mistake("rmsprop_update", "epsilon outside the square root in RMSProp",
                 "the notebook's RMSProp divides by sqrt(eps + r); with eps outside, "
                 "eps + sqrt(r), a gradient whose square is not large next to eps takes too "
                 "large a step: with eps = 1e-6, about 3.3 times at |g| = 1e-3 and 30 times at "
                 "|g| = 1e-4 on the first step")
def rmsprop_update__looks_like_epsilon_outside_square_root_rmsprop(call):
    g = np.full(3, 1e-4)
    (first,) = _steps(call, "rmsprop_update", 1, g=g, lr=1.0, rho=0.9, eps=1e-6)
    return np.allclose(first, 1e-4 / (1e-6 + np.sqrt(0.1) * 1e-4), rtol=1e-3)


@VISIBLE.mistake("momentum_update", "momentum whose velocity is not carried",
                 "on a constant gradient the second step should be (1 + beta) times the first; "
                 "yours is the same: return the new v in the state and start from state['v']")
def momentum_update__looks_like_momentum_whose_velocity_carried(call):
    first, second = _steps(call, "momentum_update", 2, lr=0.1, beta=0.9)
    return np.allclose(first, 0.1 * np.abs(G)) and np.allclose(second, first)


@VISIBLE.mistake("adam_update", "epsilon inside the square root in Adam",
                 "eps is inside the square root: Adam (KB14, Algorithm 1) divides by "
                 "sqrt(v_hat) + eps, eps outside the root; yours divides by sqrt(v_hat + eps), so "
                 "a gradient whose square is near eps takes a step clearly smaller than lr "
                 "(about 0.71 lr at |g| = 1e-4)")
def adam_update__looks_like_epsilon_inside_square_root_adam(call):
    g = np.array([1e-4, -1e-4, 3e-4])
    (first,) = _steps(call, "adam_update", 1, g=g, lr=0.01)
    return np.allclose(first, 0.01 * np.abs(g) / np.sqrt(g * g + 1e-8), rtol=1e-4)
