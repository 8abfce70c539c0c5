"""Self-checks for notebook 02: weight initialization.

Initializers are judged by the distribution of what they return (statistical
tests from `stats.py`, tolerances from the sampling distribution), never by
matching a random stream. This module also holds the test inputs that checks
pass to `activation_stats` by name (`Fn`): test initializers and a leaky ReLU. None of
them is an answer to an exercise (this module ships to students): the uniform one is
LeCun's (no exercise), the activation leaks with slope 1e-3 (`leaky_relu` is an
exercise with its own slope parameter, `relu` one with none).
"""
from __future__ import annotations

import numpy as np

from . import expect, stats
from .calls import Fn, Rng
from .core import VISIBLE

# --------------------------------------------------------------------------- test inputs


def leaky_test_activation(z):
    """max(z, 0) + 1e-3 min(z, 0), elementwise: a test activation passed by name."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + 1e-3 * np.minimum(z, 0.0)


def constant_test_init(n_in, n_out, rng):
    """W = 1/n_in everywhere (draws nothing): every unit outputs the mean of its inputs."""
    return np.full((int(n_in), int(n_out)), 1.0 / n_in)


def uniform_test_init(n_in, n_out, rng):
    """W ~ U[-sqrt(3/n_in), sqrt(3/n_in)] drawn with rng.random: variance 1/n_in."""
    r = np.sqrt(3.0 / n_in)
    return (2.0 * rng.random((int(n_in), int(n_out))) - 1.0) * r


def shifted_test_init(n_in, n_out, rng):
    """W ~ N(0.3/sqrt(n_in), 1.44/n_in) drawn with rng.standard_normal: a positive mean."""
    return (0.3 + 1.2 * rng.standard_normal((int(n_in), int(n_out)))) / np.sqrt(n_in)


CONSTANT_INIT = Fn("betternets.checks.ex02_initialization:constant_test_init")
UNIFORM_INIT = Fn("betternets.checks.ex02_initialization:uniform_test_init")
SHIFTED_INIT = Fn("betternets.checks.ex02_initialization:shifted_test_init")
LEAKY_RELU = Fn("betternets.checks.ex02_initialization:leaky_test_activation")
TANH = Fn("numpy:tanh")

SIZE_HINT = ("return an array of shape (n_in, n_out): one row per input, one column per unit, "
             "so that Z = X @ W works for X of shape (N, n_in)")

# --------------------------------------------------------------------------- shared judges


def shape_and_float(value, n_in: int, n_out: int, name: str) -> np.ndarray:
    expect.true(isinstance(value, np.ndarray),
                f"{name} returned {type(value).__name__}, expected a numpy array")
    if value.shape == (n_out, n_in):
        expect.true(False, f"{name}({n_in}, {n_out}, ...) has shape {value.shape}: rows and "
                    "columns are swapped", SIZE_HINT)
    expect.same_shape(value, (n_in, n_out), f"{name}({n_in}, {n_out}, ...)", SIZE_HINT)
    expect.true(np.issubdtype(value.dtype, np.floating),
                f"{name} returned dtype {value.dtype}, expected floats",
                "use float zeros (np.zeros gives float64) or rng's float draws")
    return value


def same_seed_same_matrix(call, name: str, *args, **kwargs) -> None:
    """Same seed gives the same matrix, other seeds a different one, no global RNG."""
    first = expect.no_global_rng(call, name, *args, Rng(7), **kwargs)
    again = call(name, *args, Rng(7), **kwargs)
    other = call(name, *args, Rng(8), **kwargs)
    expect.true(np.array_equal(np.asarray(first), np.asarray(again)),
                f"{name} gave different matrices for two generators with the same seed",
                "draw every random number from the rng argument (rng.normal, rng.uniform, ...)")
    expect.true(not np.array_equal(np.asarray(first), np.asarray(other)),
                f"{name} gave the same matrix for generators with different seeds",
                "draw from the rng you are given, not from a generator you create yourself")


def rejects_bad_sizes(call, name: str, *extra) -> None:
    expect.raises_value_error(call, name, 0, 5, *extra, mentions="n_in")
    expect.raises_value_error(call, name, 4, -3, *extra, mentions="n_out")


def stats_hint(std_expected: str) -> str:
    return (f"the entries should have standard deviation {std_expected}; rng.normal(0, s) "
            "takes the standard deviation s, not the variance, and n_in is the number of "
            "rows (inputs), n_out the number of columns")


# --------------------------------------------------------------------------- zeros_init


@VISIBLE.property("zeros_init", "zeros", "zeros_init(3, 5) is a (3, 5) float array of zeros")
def zeros_init__zeros(call):
    W = shape_and_float(call("zeros_init", 3, 5), 3, 5, "zeros_init")
    expect.true(not np.any(W), "zeros_init(3, 5) has non-zero entries")


@VISIBLE.property("zeros_init", "bad_sizes", "n_in = 0 or n_out < 0 raise ValueError")
def zeros_init__bad_sizes(call):
    rejects_bad_sizes(call, "zeros_init")


# --------------------------------------------------------------------------- normal_init


@VISIBLE.property("normal_init", "shape", "normal_init(20, 30, rng) has shape (20, 30)")
def normal_init__shape(call):
    shape_and_float(call("normal_init", 20, 30, Rng(0)), 20, 30, "normal_init")


@VISIBLE.property("normal_init", "std",
                  "with std=3 the entries have standard deviation 3 (statistical test)")
def normal_init__std(call):
    W = np.asarray(call("normal_init", 100, 200, Rng(1), std=3.0), dtype=float)
    stats.check_variance(W, 9.0, "normal_init(100, 200, rng, std=3)", known_mean=0.0,
                         hint=stats_hint("std = 3 (variance 9)"))


@VISIBLE.property("normal_init", "rng", "same seed, same matrix; no global random state")
def normal_init__rng(call):
    same_seed_same_matrix(call, "normal_init", 5, 6)


# --------------------------------------------------------------------------- lecun_normal_init


@VISIBLE.property("lecun_normal_init", "shape", "lecun_normal_init(20, 30, rng) has shape (20, 30)")
def lecun_normal_init__shape(call):
    shape_and_float(call("lecun_normal_init", 20, 30, Rng(0)), 20, 30, "lecun_normal_init")


@VISIBLE.property("lecun_normal_init", "std",
                  "entries have standard deviation 1/sqrt(n_in) (n_in = 100, n_out = 400)")
def lecun_normal_init__std(call):
    W = np.asarray(call("lecun_normal_init", 100, 400, Rng(2)), dtype=float)
    stats.check_variance(W, 1 / 100, "lecun_normal_init(100, 400, rng)", known_mean=0.0,
                         hint=stats_hint("1/sqrt(n_in) = 0.1"))


@VISIBLE.property("lecun_normal_init", "rng", "same seed, same matrix; no global random state")
def lecun_normal_init__rng(call):
    same_seed_same_matrix(call, "lecun_normal_init", 5, 6)


# --------------------------------------------------------------------------- xavier_uniform_init


@VISIBLE.property("xavier_uniform_init", "shape",
                  "xavier_uniform_init(20, 30, rng) has shape (20, 30)")
def xavier_uniform_init__shape(call):
    shape_and_float(call("xavier_uniform_init", 20, 30, Rng(0)), 20, 30, "xavier_uniform_init")


@VISIBLE.property("xavier_uniform_init", "tanh_bounds",
                  "for tanh, entries lie in [-r, r] with r = sqrt(6/(n_in + n_out)) = 0.1")
def xavier_uniform_init__tanh_bounds(call):
    W = np.asarray(call("xavier_uniform_init", 200, 400, Rng(3), activation="tanh"), dtype=float)
    stats.check_uniform(W, -0.1, 0.1, "xavier_uniform_init(200, 400, rng, 'tanh')",
                        hint="r = sqrt(6 / (n_in + n_out)); the factor 4 is for sigmoid only")


@VISIBLE.property("xavier_uniform_init", "bad_activation",
                  "an unknown activation name raises ValueError")
def xavier_uniform_init__bad_activation(call):
    expect.raises_value_error(call, "xavier_uniform_init", 4, 5, Rng(0), activation="relu",
                              mentions="activation")


# --------------------------------------------------------------------------- he inits


@VISIBLE.property("he_uniform_init", "shape", "he_uniform_init(20, 30, rng) has shape (20, 30)")
def he_uniform_init__shape(call):
    shape_and_float(call("he_uniform_init", 20, 30, Rng(0)), 20, 30, "he_uniform_init")


@VISIBLE.property("he_uniform_init", "bounds",
                  "entries are uniform in [-r, r], r = sqrt(6/n_in) = 0.2 for n_in = 150")
def he_uniform_init__bounds(call):
    W = np.asarray(call("he_uniform_init", 150, 300, Rng(4)), dtype=float)
    stats.check_uniform(W, -0.2, 0.2, "he_uniform_init(150, 300, rng)",
                        hint="r = sqrt(6 / n_in), with n_in the number of rows")


@VISIBLE.property("he_normal_init", "shape", "he_normal_init(20, 30, rng) has shape (20, 30)")
def he_normal_init__shape(call):
    shape_and_float(call("he_normal_init", 20, 30, Rng(0)), 20, 30, "he_normal_init")


@VISIBLE.property("he_normal_init", "std",
                  "entries have standard deviation sqrt(2/n_in) = 0.1 for n_in = 200")
def he_normal_init__std(call):
    W = np.asarray(call("he_normal_init", 200, 300, Rng(5)), dtype=float)
    stats.check_variance(W, 2 / 200, "he_normal_init(200, 300, rng)", known_mean=0.0,
                         hint=stats_hint("sqrt(2/n_in)"))


# --------------------------------------------------------------------------- activation_stats


@VISIBLE.property("activation_stats", "hand_computed",
                  "with W = 1/n_in everywhere and tanh, layer l holds tanh applied l times to "
                  "each sample's input mean; mean and population std over all of A_l")
def activation_stats__hand_computed(call):
    X = np.repeat(np.array([[-1.0], [0.5], [2.0]]), 4, axis=1)   # rows of constant values
    got = call("activation_stats", X, CONSTANT_INIT, TANH, 3, 6, Rng(0))
    expected, values = [], np.array([-1.0, 0.5, 2.0])
    for _ in range(3):
        values = np.tanh(values)    # every unit of a sample holds the same value
        expected.append([values.mean(), values.std()])
    expect.close(got, np.array(expected), "activation_stats with W = 1/n_in, tanh, depth 3",
                 rtol=1e-9, atol=1e-12,
                 hint="row l is [A_l.mean(), A_l.std()] over all samples and units of the "
                      "activation output A_l (population std, ddof=0); no row for the input X")


@VISIBLE.property("activation_stats", "reproducible",
                  "same seed, same statistics; shape (depth, 2)")
def activation_stats__reproducible(call):
    X = np.linspace(-1, 1, 40).reshape(8, 5)
    first = call("activation_stats", X, UNIFORM_INIT, TANH, 4, 7, Rng(3))
    expect.same_shape(first, (4, 2), "activation_stats(..., depth=4, width=7)",
                      "one row per layer: [mean, std]")
    again = call("activation_stats", X, UNIFORM_INIT, TANH, 4, 7, Rng(3))
    expect.close(again, first, "activation_stats run twice with the same seed", rtol=0, atol=0,
                 hint="draw the weights only through init(n_in, n_out, rng) with the rng given")


# --------------------------------------------------------------------------- pretrain_autoencoder_layer


@VISIBLE.property("pretrain_autoencoder_layer", "shapes",
                  "returns (W, b) of the encoder: W (n_in, n_hidden), b (n_hidden,)")
def pretrain_autoencoder_layer__shapes(call):
    X = np.random.default_rng(0).random((50, 9))
    out = call("pretrain_autoencoder_layer", X, 4, Rng(0), epochs=2)
    expect.true(isinstance(out, tuple) and len(out) == 2,
                f"expected a pair (W, b), got {type(out).__name__}")
    expect.same_shape(out[0], (9, 4), "W of the encoder", "W maps n_in inputs to n_hidden units")
    expect.same_shape(out[1], (4,), "b of the encoder", "one bias per hidden unit")


@VISIBLE.property("pretrain_autoencoder_layer", "code_improves",
                  "on 200 digits, the trained code keeps clearly more of X than the untrained "
                  "start (epochs=0), judged by the best linear decoder")
def pretrain_autoencoder_layer__code_improves(call):
    from betternets.data import load_digits
    X = load_digits(flat=True)[0][-200:]
    W0, b0 = call("pretrain_autoencoder_layer", X, 10, Rng(2), epochs=0)
    W1, b1 = call("pretrain_autoencoder_layer", X, 10, Rng(2))
    e0, e1 = code_error(X, W0, b0), code_error(X, W1, b1)
    expect.true(np.isfinite(e0) and np.isfinite(e1),
                f"the code is not finite: reconstruction error {e1:.4g} after training, "
                f"{e0:.4g} at the untrained start (epochs=0)",
                "look for overflow: a too large learning rate, or exp of a large -Z")
    ratio = e1 / e0 if e0 > 0 else float("inf")
    expect.true(e1 < 0.85 * e0,
                f"the trained code keeps too little of X: its best linear reconstruction error "
                f"{e1:.3g} is {ratio:.0%} of the untrained start's {e0:.3g} (epochs=0); "
                f"training should bring it to 85% or less",
                "with epochs=0 return the encoder you start from; check the sign of the update "
                "(W - lr * dW), that the encoder's W and b are updated too, and mini-batches")


def code_error(X, W, b) -> float:
    """Mean squared error per entry of X rebuilt from the code sigmoid(X W + b) by the best
    affine decoder (least squares). Judges an encoder without its own decoder."""
    X = np.asarray(X, dtype=float)
    Z = X @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)
    H = 0.5 * (1.0 + np.tanh(0.5 * Z))        # sigmoid without overflow
    H1 = np.column_stack([H, np.ones(len(H))])
    D, *_ = np.linalg.lstsq(H1, X, rcond=None)
    return float(np.mean((H1 @ D - X) ** 2))


# --------------------------------------------------------------------------- known mistakes (named hints)
#
# Each named mistake is recognised once, by behaviour, here; `check` names it under a failure.
#
# Each detector draws one large matrix and looks at its spread: a sample of
# 40,000 weights pins the standard deviation to about 0.4 %, so the mistakes
# below (factors of 2 and more) cannot be confused with a correct answer.

N_IN, N_OUT = 100, 400  # fan-in and fan-out far apart, so that mixing them up shows


def _std(call, name: str, *args, **kwargs) -> float:
    """The spread of the weights around 0 (nan when they are not centred at 0)."""
    W = np.asarray(call(name, *args, **kwargs), dtype=float)
    std = float(np.std(W))
    return std if abs(float(np.mean(W))) < 0.1 * std else float("nan")


def _near(value: float, target: float, rel: float = 0.05) -> bool:
    return abs(value - target) <= rel * target


@VISIBLE.mistake("normal_init", "std used as a variance",
                 "rng.normal(0, scale) takes the standard deviation as scale: pass std itself, "
                 "not std ** 2")
def normal_init__looks_like_std_used_as_variance(call):
    return _near(_std(call, "normal_init", N_IN, N_OUT, Rng(11), std=0.5), 0.25)


for _name, _variance, _label in [("lecun_normal_init", 1.0, "1/n_in"), ("he_normal_init", 2.0, "2/n_in")]:
    def _variance_as_std(call, name=_name, variance=_variance):
        return _near(_std(call, name, N_IN, N_OUT, Rng(12)), variance / N_IN)

    VISIBLE.mistake(_name, "the variance used as the standard deviation",
                    f"the variance is {_label}; rng.normal wants its square root, "
                    f"sqrt({_label}), as the scale")(_variance_as_std)


for _name, _variance in [("lecun_normal_init", 1.0), ("he_normal_init", 2.0), ("he_uniform_init", 2.0)]:
    def _fan_out(call, name=_name, variance=_variance):
        return _near(_std(call, name, N_IN, N_OUT, Rng(13)), np.sqrt(variance / N_OUT))

    VISIBLE.mistake(_name, "fan-out instead of fan-in",
                    "the weights of a layer with n_in inputs need variance proportional to "
                    "1/n_in (the signal adds up over the inputs); you divide by n_out")(_fan_out)


@VISIBLE.mistake("xavier_uniform_init", "the slide's tanh/sigmoid swap",
                 "the factor 4 belongs to the sigmoid (its slope at 0 is 1/4, tanh's is 1): "
                 "r = sqrt(6/(n_in + n_out)) for tanh, 4 r for sigmoid")
def xavier_uniform_init__looks_like_slide_s_tanh_sigmoid_swap(call):
    tanh = np.abs(np.asarray(call("xavier_uniform_init", N_IN, N_OUT, Rng(14), activation="tanh")))
    sigm = np.abs(np.asarray(call("xavier_uniform_init", N_IN, N_OUT, Rng(14), activation="sigmoid")))
    return float(tanh.max()) > 2 * float(sigm.max())
