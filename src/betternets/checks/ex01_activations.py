"""Self-checks for notebook 01: activation functions.

The checks use values you can work out by hand (sigmoid(ln 3) = 3/4, tanh(ln 2) = 3/5, ...),
symmetries (sigmoid(-z) = 1 - sigmoid(z)) and limits; they never contain the answers.

The test activations that checks of `layer_gradient_norms` pass to your function (by name, see
`calls.Fn`) are in `functions.py`: test inputs, not answers to any exercise.

About 640 lines: notebook 01 has seventeen exercises, each with its properties and named
mistakes, and a student reads the checks of one exercise in one place, under its heading.
"""
from __future__ import annotations

import numpy as np

from . import expect
from .calls import Caller, Rng
from .core import VISIBLE, CheckFailed
from . import stats
from .functions import COS, IDENTITY, ONES, SIN, SQUARE, TWICE

LN2, LN3 = float(np.log(2.0)), float(np.log(3.0))
EXTREME = np.array([-1e4, -1e3, -800.0, -50.0, 0.0, 50.0, 800.0, 1e3, 1e4])


# ---------------------------------------------------------------- helpers shared with the grader

def no_overflow(call: Caller, name: str, *args, **kwargs):
    """Call `name`; fail if numpy warned of overflow, an invalid value or a division by zero.

    Underflow (e^-10000 rounding to 0) is harmless and allowed: it is the point of the
    stable formulas. (`expect.no_warnings` would reject it, so this check filters it out.)
    """
    rec = call.record(name, *args, **kwargs)
    bad = [w for w in rec.warnings if "underflow" not in w]
    if bad:
        raise CheckFailed(f"{name} warned: {bad[0]}",
                          "an exponential of a large number overflows; rewrite it so that "
                          "exp only ever sees values <= 0 (e.g. use e^-|z|)")
    return rec.value


def finite(value, what: str, inputs=None) -> np.ndarray:
    arr = expect.as_array(value, what)
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))[0]
        where = ""
        if inputs is not None and np.shape(inputs) == arr.shape:
            where = f" (input {np.ravel(inputs)[bad]:.6g})"
        raise CheckFailed(f"{what} is {np.ravel(arr)[bad]} at flat index {bad}{where}",
                          "inf/inf or inf - inf gives NaN: an exponential overflowed; use e^-|z| "
                          "so that exp only ever sees values <= 0")
    return arr


def scalar_ok(value, expected: float, what: str, rtol: float = 1e-9, atol: float = 1e-12):
    """A Python-float input gives a single number (shape ()) with the right value."""
    if np.shape(value) != ():
        raise CheckFailed(f"{what} returned shape {np.shape(value)}, expected a single number",
                          "for a Python float input, return a 0-d result: np.where, np.exp, ... "
                          "on np.asarray(z) do that")
    expect.close(value, expected, what, rtol=rtol, atol=atol)


def _grid(lo=-6.0, hi=6.0, n=25):
    return np.linspace(lo, hi, n)


# ---------------------------------------------------------------- sigmoid

@VISIBLE.property("sigmoid", "known_values",
                  "sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4, shape kept")
def sigmoid__known_values(call):
    z = np.array([[0.0, LN3], [-LN3, 0.0]])
    expect.close(call("sigmoid", z), [[0.5, 0.75], [0.25, 0.5]], "sigmoid", rtol=1e-9,
                 inputs=z, hint="sigmoid(z) = 1 / (1 + e^-z); check the sign in the exponent")


@VISIBLE.property("sigmoid", "symmetry", "sigmoid(-z) = 1 - sigmoid(z)")
def sigmoid__symmetry(call):
    z = _grid()
    expect.close(call("sigmoid", -z), 1 - np.asarray(call("sigmoid", z), dtype=float),
                 "sigmoid(-z) against 1 - sigmoid(z)", rtol=1e-9, atol=1e-12, inputs=-z,
                 labels=("your sigmoid(-z)", "your 1 - sigmoid(z)"))


@VISIBLE.property("sigmoid", "extreme",
                  "|z| up to 1e4: no NaN, no overflow warning, values 0 and 1 at the ends")
def sigmoid__extreme(call):
    out = finite(no_overflow(call, "sigmoid", EXTREME.copy()), "sigmoid at extreme z",
                 EXTREME)
    expect.close(out[[0, -1]], [0.0, 1.0], "sigmoid(-1e4), sigmoid(1e4)", atol=1e-12)


# ---------------------------------------------------------------- sigmoid_grad

@VISIBLE.property("sigmoid_grad", "known_values",
                  "the slope is 1/4 at 0 (the largest) and 3/16 at +-ln 3")
def sigmoid_grad__known_values(call):
    z = np.array([-LN3, 0.0, LN3])
    expect.close(call("sigmoid_grad", z), [3 / 16, 1 / 4, 3 / 16], "sigmoid_grad", rtol=1e-9,
                 inputs=z, hint="sigmoid_grad = s (1 - s) with s = sigmoid(z)")


@VISIBLE.property("sigmoid_grad", "even_and_bounded",
                  "sigmoid_grad(-z) = sigmoid_grad(z), and 0 < sigmoid_grad <= 1/4")
def sigmoid_grad__even_and_bounded(call):
    z = _grid()
    g = expect.as_array(call("sigmoid_grad", z), "sigmoid_grad")
    expect.close(call("sigmoid_grad", -z), g, "sigmoid_grad(-z) against sigmoid_grad(z)",
                 rtol=1e-9, atol=1e-12, inputs=-z,
                 labels=("your sigmoid_grad(-z)", "your sigmoid_grad(z)"))
    expect.true(bool(np.all((g > 0) & (g <= 0.25 + 1e-12))),
                f"sigmoid_grad ranges over [{g.min():.4g}, {g.max():.4g}], expected (0, 1/4]",
                "s (1 - s) with s in (0, 1) lies in (0, 1/4]")


@VISIBLE.property("sigmoid_grad", "extreme",
                  "|z| up to 1e4: no NaN, no overflow warning, slope 0 at the ends")
def sigmoid_grad__extreme(call):
    out = finite(no_overflow(call, "sigmoid_grad", EXTREME.copy()), "sigmoid_grad at extreme z",
                 EXTREME)
    expect.close(out[[0, -1]], [0.0, 0.0], "sigmoid_grad(-1e4), sigmoid_grad(1e4)", atol=1e-12)


# ---------------------------------------------------------------- tanh

@VISIBLE.property("tanh", "known_values", "tanh(0) = 0 and tanh(+-ln 2) = +-3/5")
def tanh__known_values(call):
    z = np.array([-LN2, 0.0, LN2])
    expect.close(call("tanh", z), [-0.6, 0.0, 0.6], "tanh", rtol=1e-9, atol=1e-12, inputs=z,
                 hint="tanh(z) = 2 sigmoid(2z) - 1 = (e^z - e^-z) / (e^z + e^-z)")


@VISIBLE.property("tanh", "odd_and_bounded", "tanh(-z) = -tanh(z) and -1 < tanh(z) < 1")
def tanh__odd_and_bounded(call):
    z = _grid(-4, 4)
    t = expect.as_array(call("tanh", z), "tanh")
    expect.close(call("tanh", -z), -t, "tanh(-z) against -tanh(z)", rtol=1e-9, atol=1e-12,
                 inputs=-z, labels=("your tanh(-z)", "your -tanh(z)"))
    expect.true(bool(np.all(np.abs(t) < 1)), f"tanh reaches {np.abs(t).max():.4g} in absolute "
                "value on [-4, 4], expected below 1")


# ---------------------------------------------------------------- tanh_grad

@VISIBLE.property("tanh_grad", "known_values",
                  "the slope is 1 at 0 (4 times sigmoid's 1/4) and 16/25 at +-ln 2")
def tanh_grad__known_values(call):
    z = np.array([-LN2, 0.0, LN2])
    expect.close(call("tanh_grad", z), [0.64, 1.0, 0.64], "tanh_grad", rtol=1e-9, inputs=z,
                 hint="tanh_grad = 1 - tanh(z)^2 (squared)")


@VISIBLE.property("tanh_grad", "even", "tanh_grad(-z) = tanh_grad(z)")
def tanh_grad__even(call):
    z = _grid(-4, 4)
    expect.close(call("tanh_grad", -z), call("tanh_grad", z),
                 "tanh_grad(-z) against tanh_grad(z)", rtol=1e-9, atol=1e-12, inputs=-z,
                 labels=("your tanh_grad(-z)", "your tanh_grad(z)"))


# ---------------------------------------------------------------- lecun_tanh

@VISIBLE.property("lecun_tanh", "plus_minus_one",
                  "lecun_tanh(+-1) = +-1 (to 1e-5): the point of LeCun's constants")
def lecun_tanh__plus_minus_one(call):
    expect.close(call("lecun_tanh", np.array([-1.0, 0.0, 1.0])), [-1.0, 0.0, 1.0],
                 "lecun_tanh at -1, 0, 1", rtol=0, atol=1e-5,
                 hint="lecun_tanh(z) = 1.7159 tanh(2z/3)")


@VISIBLE.property("lecun_tanh", "known_values", "lecun_tanh(+-1.5 ln 2) = +-1.7159 * 3/5")
def lecun_tanh__known_values(call):
    z = np.array([-1.5 * LN2, 1.5 * LN2])
    expect.close(call("lecun_tanh", z), [-1.7159 * 0.6, 1.7159 * 0.6], "lecun_tanh",
                 rtol=1e-9, inputs=z, hint="the argument of tanh is 2z/3, not 3z/2")


# ---------------------------------------------------------------- lecun_tanh_grad

@VISIBLE.property("lecun_tanh_grad", "known_values",
                  "the slope is 1.7159 * 2/3 at 0 and 1.7159 * 2/3 * 16/25 at +-1.5 ln 2")
def lecun_tanh_grad__known_values(call):
    z = np.array([-1.5 * LN2, 0.0, 1.5 * LN2])
    a = 1.7159 * 2 / 3
    expect.close(call("lecun_tanh_grad", z), [a * 0.64, a, a * 0.64], "lecun_tanh_grad",
                 rtol=1e-9, inputs=z, hint="the chain rule brings the inner factor 2/3: "
                 "1.7159 * (2/3) * (1 - tanh(2z/3)^2)")


@VISIBLE.property("lecun_tanh_grad", "even", "lecun_tanh_grad(-z) = lecun_tanh_grad(z)")
def lecun_tanh_grad__even(call):
    z = _grid(-4, 4)
    expect.close(call("lecun_tanh_grad", -z), call("lecun_tanh_grad", z),
                 "lecun_tanh_grad(-z) against lecun_tanh_grad(z)", rtol=1e-9, atol=1e-12,
                 inputs=-z, labels=("your lecun_tanh_grad(-z)", "your lecun_tanh_grad(z)"))


# ---------------------------------------------------------------- relu

@VISIBLE.property("relu", "known_values", "relu of [[-2, -0.5, 0], [0.5, 3, 10]] by hand")
def relu__known_values(call):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 3.0, 10.0]])
    expect.close(call("relu", z), [[0, 0, 0], [0.5, 3.0, 10.0]], "relu", atol=0, inputs=z,
                 hint="relu(z) = max(0, z) elementwise: np.maximum, not Python's max")


@VISIBLE.property("relu", "pure", "the input array is left unchanged")
def relu__pure(call):
    expect.pure(call, "relu", np.array([-1.0, 2.0, -3.0, 0.5]))


# ---------------------------------------------------------------- relu_grad

@VISIBLE.property("relu_grad", "known_values", "1 where z > 0, else 0 (also 0 at z == 0)")
def relu_grad__known_values(call):
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    expect.close(call("relu_grad", z), [0, 0, 0, 1, 1], "relu_grad", atol=0, inputs=z,
                 hint="the course's convention: z > 0 gives 1, otherwise (z == 0 too) 0")


# ---------------------------------------------------------------- leaky_relu

@VISIBLE.property("leaky_relu", "known_values", "leaky_relu with the default beta = 0.01")
def leaky_relu__known_values(call):
    z = np.array([-200.0, -1.0, 0.0, 2.5])
    expect.close(call("leaky_relu", z), [-2.0, -0.01, 0.0, 2.5], "leaky_relu", rtol=1e-12,
                 inputs=z, hint="z where z > 0, else beta * z")


@VISIBLE.property("leaky_relu", "beta", "uses the beta it is given (beta = 0.2)")
def leaky_relu__beta(call):
    z = np.array([-5.0, -1.0, 3.0])
    expect.close(call("leaky_relu", z, beta=0.2), [-1.0, -0.2, 3.0], "leaky_relu(z, beta=0.2)",
                 rtol=1e-12, inputs=z, hint="use the argument beta, not a fixed 0.01")


# ---------------------------------------------------------------- leaky_relu_grad

@VISIBLE.property("leaky_relu_grad", "known_values",
                  "1 where z > 0, else beta (also beta at z == 0), default and beta = 0.2")
def leaky_relu_grad__known_values(call):
    z = np.array([-3.0, 0.0, 2.0])
    expect.close(call("leaky_relu_grad", z), [0.01, 0.01, 1.0], "leaky_relu_grad", rtol=1e-12,
                 inputs=z, hint="the course's convention: z > 0 gives 1, otherwise beta")
    expect.close(call("leaky_relu_grad", z, beta=0.2), [0.2, 0.2, 1.0],
                 "leaky_relu_grad(z, beta=0.2)", rtol=1e-12, inputs=z,
                 hint="use the argument beta, not a fixed 0.01")


# ---------------------------------------------------------------- softplus

@VISIBLE.property("softplus", "known_values",
                  "softplus(0) = ln 2, softplus(ln 3) = ln 4, softplus(z) - softplus(-z) = z")
def softplus__known_values(call):
    expect.close(call("softplus", np.array([0.0, LN3])), [LN2, 2 * LN2], "softplus",
                 rtol=1e-9, hint="softplus(z) = ln(1 + e^z)")
    z = _grid(-8, 8)
    diff = np.asarray(call("softplus", z), float) - np.asarray(call("softplus", -z), float)
    expect.close(diff, z, "softplus(z) - softplus(-z)", rtol=1e-9, atol=1e-12, inputs=z)


@VISIBLE.property("softplus", "extreme",
                  "|z| up to 1e4: no overflow warning, softplus(1e4) = 1e4, softplus(-1e4) = 0")
def softplus__extreme(call):
    out = finite(no_overflow(call, "softplus", EXTREME.copy()), "softplus at extreme z",
                 EXTREME)
    expect.close(out[[0, -1]], [0.0, 1e4], "softplus(-1e4), softplus(1e4)", rtol=1e-12,
                 atol=1e-12, hint="ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)")


# ---------------------------------------------------------------- softplus_grad

@VISIBLE.property("softplus_grad", "known_values",
                  "softplus_grad(0) = 1/2, softplus_grad(+-ln 3) = 3/4 and 1/4")
def softplus_grad__known_values(call):
    z = np.array([-LN3, 0.0, LN3])
    expect.close(call("softplus_grad", z), [0.25, 0.5, 0.75], "softplus_grad", rtol=1e-9,
                 inputs=z, hint="the derivative of ln(1 + e^z) is e^z / (1 + e^z) = sigmoid(z)")


@VISIBLE.property("softplus_grad", "symmetry", "softplus_grad(z) + softplus_grad(-z) = 1")
def softplus_grad__symmetry(call):
    z = _grid()
    total = np.asarray(call("softplus_grad", z), float) + np.asarray(call("softplus_grad", -z),
                                                                     float)
    expect.close(total, np.ones_like(z), "softplus_grad(z) + softplus_grad(-z)", rtol=1e-9,
                 inputs=z)


@VISIBLE.property("softplus_grad", "extreme", "|z| up to 1e4: no NaN, values 0 and 1 at the ends")
def softplus_grad__extreme(call):
    out = finite(call("softplus_grad", EXTREME.copy()), "softplus_grad at extreme z", EXTREME)
    expect.close(out[[0, -1]], [0.0, 1.0], "softplus_grad(-1e4), softplus_grad(1e4)",
                 atol=1e-12)


# ---------------------------------------------------------------- elu

@VISIBLE.property("elu", "known_values", "elu(2) = 2, elu(0) = 0, elu(-ln 2) = -beta/2")
def elu__known_values(call):
    z = np.array([-LN2, 0.0, 2.0])
    expect.close(call("elu", z), [-0.5, 0.0, 2.0], "elu", rtol=1e-9, atol=1e-12, inputs=z,
                 hint="z where z > 0, else beta * (e^z - 1)")
    expect.close(call("elu", z, beta=2.0), [-1.0, 0.0, 2.0], "elu(z, beta=2)", rtol=1e-9,
                 atol=1e-12, inputs=z, hint="beta multiplies (e^z - 1), the whole bracket")


@VISIBLE.property("elu", "extreme", "z = 1e4: elu is 1e4 with no overflow warning")
def elu__extreme(call):
    out = finite(no_overflow(call, "elu", EXTREME.copy()), "elu at extreme z", EXTREME)
    expect.close(out[[0, -1]], [-1.0, 1e4], "elu(-1e4), elu(1e4)", rtol=1e-12,
                 hint="np.where evaluates both branches: e^z is computed for z = 1e4 too; "
                 "take e^min(z, 0) in the negative branch")


# ---------------------------------------------------------------- elu_grad

@VISIBLE.property("elu_grad", "known_values",
                  "1 where z > 0, else beta e^z (beta at z == 0), beta = 1 and beta = 2")
def elu_grad__known_values(call):
    z = np.array([-LN2, 0.0, 2.0])
    expect.close(call("elu_grad", z), [0.5, 1.0, 1.0], "elu_grad", rtol=1e-9, inputs=z)
    expect.close(call("elu_grad", z, beta=2.0), [1.0, 2.0, 1.0], "elu_grad(z, beta=2)",
                 rtol=1e-9, inputs=z, hint="for z <= 0 the derivative is beta e^z; "
                 "at z == 0 the course uses this 'otherwise' branch")


@VISIBLE.property("elu_grad", "extreme", "z = 1e4: elu_grad is 1 with no overflow warning")
def elu_grad__extreme(call):
    out = finite(no_overflow(call, "elu_grad", EXTREME.copy()), "elu_grad at extreme z",
                 EXTREME)
    expect.close(out[[0, -1]], [0.0, 1.0], "elu_grad(-1e4), elu_grad(1e4)", atol=1e-12,
                 hint="np.where evaluates both branches: take e^min(z, 0) in the negative one")


# ---------------------------------------------------------------- noisy_relu

@VISIBLE.property("noisy_relu", "nonnegative_shape",
                  "the output is >= 0 and has the shape of z")
def noisy_relu__nonnegative_shape(call):
    z = np.linspace(-3, 3, 24).reshape(4, 6)
    out = expect.same_shape(call("noisy_relu", z, Rng(11)), z.shape, "noisy_relu(z of shape "
                            "(4, 6))", "draw one noise value per element: size=z.shape")
    expect.true(bool(np.all(out >= 0)), f"noisy_relu returned {out.min():.4g} < 0",
                "the max with 0 comes last: max(0, z + noise)")


@VISIBLE.property("noisy_relu", "seeded",
                  "the same seed gives the same output; no use of np.random's global state")
def noisy_relu__seeded(call):
    z = np.linspace(-2, 2, 50)
    first = expect.no_global_rng(call, "noisy_relu", z, Rng(5))
    expect.close(call("noisy_relu", z, Rng(5)), first, "noisy_relu with the same seed twice",
                 rtol=0, atol=0, hint="draw every random number from the rng argument")


@VISIBLE.property("noisy_relu", "at_zero",
                  "z = 0: half the outputs are 0 and the mean is 1/(2 sqrt(pi)) = 0.2821")
def noisy_relu__at_zero(call):
    # At z = 0 the noise variance is sigmoid(0) = 1/2, so a = max(0, e) with e ~ N(0, 1/2):
    # P(a = 0) = 1/2; E[a] = sqrt(1/2) / sqrt(2 pi) = 1/(2 sqrt(pi));
    # E[a^2] = 1/4, so sd(a) = sqrt(1/4 - 1/(4 pi)).
    n = 40_000
    out = expect.as_array(call("noisy_relu", np.zeros(n), Rng(7)), "noisy_relu(0)")
    stats.check_fraction(int(np.sum(out == 0)), n, 0.5, "share of zeros at z = 0", 5e-8,
                         hint="add the noise first, then take max(0, .)")
    stats.check_mean(out, 1 / (2 * np.sqrt(np.pi)), np.sqrt(0.25 - 0.25 / np.pi),
                     "mean output at z = 0", 5e-8,
                     hint="the noise VARIANCE is sigmoid(z) = 1/2 at z = 0, so its standard "
                     "deviation is sqrt(1/2), not 1/2")


@VISIBLE.property("noisy_relu", "extreme",
                  "z = +-1e4: no overflow warning; 0 at -1e4, about 1e4 at 1e4")
def noisy_relu__extreme(call):
    z = np.array([-1e4, -1e4, 1e4, 1e4])
    out = finite(no_overflow(call, "noisy_relu", z, Rng(13)), "noisy_relu at extreme z", z)
    expect.true(bool(np.all(out[:2] == 0) and np.all(np.abs(out[2:] - 1e4) < 8)),
                f"noisy_relu([-1e4, -1e4, 1e4, 1e4]) gave {out}, expected 0, 0 and 1e4 + noise",
                "compute sigmoid(z) the stable way, inside this cell")


# ---------------------------------------------------------------- layer_gradient_norms

@VISIBLE.property("layer_gradient_norms", "one_square_layer",
                  "one layer a = z^2: dL/dW = 2 X^T (X W + b), its Frobenius norm")
def layer_gradient_norms__one_square_layer(call):
    # L = sum((X W + b)^2) gives dL/dW = X^T (2 Z) with Z = X W + b.
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    W, b = np.array([[0.3, -0.2, 0.1], [0.4, 0.0, -0.5]]), np.array([0.1, 0.2, -0.3])
    got = call("layer_gradient_norms", X, [(W, b)], SQUARE, TWICE)
    expect.close(got, [np.linalg.norm(2 * X.T @ (X @ W + b))],
                 "layer_gradient_norms for one layer a = z^2", rtol=1e-9,
                 hint="dZ = dL/dA * activation_grad(Z), evaluated at Z (not at A); "
                 "dW = A_prev^T @ dZ; the norm is np.linalg.norm(dW), the Frobenius norm")


@VISIBLE.property("layer_gradient_norms", "two_linear_layers",
                  "two identity layers, norms worked out by hand, first layer first")
def layer_gradient_norms__two_linear_layers(call):
    # Identity layers: dL/dZ2 = 1 (N x 3), dW2 = A1^T 1, every column the column sums of A1;
    # dL/dA1 = 1 W2^T, every row W2's row sums r, so dW1 = X^T 1 r^T = outer(colsum X, r).
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-1.0, 0.0]])
    W1, b1 = np.array([[2.0, -1.0], [0.5, 1.0]]), np.array([0.1, -0.2])
    W2, b2 = np.array([[1.0, 0.5, -0.5], [3.0, 1.0, 1.0]]), np.zeros(3)
    A1 = X @ W1 + b1
    expected = [np.linalg.norm(X.sum(axis=0)) * np.linalg.norm(W2.sum(axis=1)),
                np.sqrt(3) * np.linalg.norm(A1.sum(axis=0))]
    got = call("layer_gradient_norms", X, [(W1, b1), (W2, b2)], IDENTITY, ONES)
    expect.close(got, expected, "layer_gradient_norms for two identity layers", rtol=1e-9,
                 hint="return the norms first layer first; dA_prev = dZ @ W^T")


@VISIBLE.property("layer_gradient_norms", "shape",
                  "three layers give a 1-D array of three positive norms")
def layer_gradient_norms__shape(call):
    rng = np.random.default_rng(3)
    sizes = [4, 5, 3, 2]
    weights = [(rng.normal(size=(a, b)) / np.sqrt(a), np.zeros(b))
               for a, b in zip(sizes[:-1], sizes[1:])]
    got = expect.same_shape(call("layer_gradient_norms", rng.normal(size=(6, 4)), weights,
                                 SIN, COS), (3,), "layer_gradient_norms for 3 layers",
                            "one norm per layer, in a 1-D array")
    expect.true(bool(np.all(got > 0)), f"layer_gradient_norms returned {got}, expected "
                "positive norms")


@VISIBLE.property("layer_gradient_norms", "pure", "X and the weights are left unchanged")
def layer_gradient_norms__pure(call):
    rng = np.random.default_rng(4)
    weights = [(rng.normal(size=(3, 3)), rng.normal(size=3)) for _ in range(2)]
    expect.pure(call, "layer_gradient_norms", rng.normal(size=(5, 3)), weights, SIN, COS)


# ---------------------------------------------------------------- known mistakes (named hints)
# Each detector recognises one realistic mistake by its behaviour on inputs worked out by hand;
# `check(name)` prints the hint when a property failed and a detector says yes.

def _values(call, name, z, **kw):
    return np.asarray(call(name, np.asarray(z, dtype=float), **kw), dtype=float)


def _overflows_but_right(call, name, z, expected):
    rec = call.record(name, np.asarray(z, dtype=float))
    warned = any("underflow" not in w for w in rec.warnings)
    return warned and np.allclose(np.asarray(rec.value, dtype=float), expected, atol=1e-12)


# (exercise, label, hint, z worked out by hand, the mistake's values there, keyword arguments)
LECUN = 1.7159
BY_VALUE = [
    ("sigmoid", "a sign slip in the exponent, 1/(1 + e^z)",
     "the exponent is -z: sigmoid(z) = 1 / (1 + e^-z), so sigmoid(ln 3) = 3/4",
     [LN3, -LN3], [0.25, 0.75], {}),
    ("sigmoid_grad", "s (1 + s) instead of s (1 - s)",
     "the derivative of the sigmoid is s (1 - s), which is 1/4 at z = 0",
     [0.0, LN3], [0.75, 0.75 * 1.75], {}),
    ("sigmoid_grad", "the sigmoid itself instead of its derivative", "return s (1 - s), not s",
     [0.0, LN3], [0.5, 0.75], {}),
    ("tanh", "2 sigmoid(z) - 1, without the 2 inside",
     "tanh(z) = 2 sigmoid(2z) - 1: the sigmoid is taken at 2z", [LN3], [0.5], {}),
    ("tanh_grad", "1 - tanh(z) instead of 1 - tanh(z)^2",
     "square the tanh: tanh_grad = 1 - tanh(z)^2", [-LN2, LN2], [1.6, 0.4], {}),
    ("tanh_grad", "tanh(z)(1 - tanh(z)), the sigmoid's form",
     "s (1 - s) is the sigmoid's slope; tanh's is 1 - tanh(z)^2", [-LN2, LN2],
     [-0.6 * 1.6, 0.6 * 0.4], {}),
    ("lecun_tanh", "1.7159 tanh(3z/2), the fraction upside down",
     "the scaled tanh is 1.7159 tanh(2z/3): two thirds of z", [2 * LN2 / 3, -2 * LN2 / 3],
     [LECUN * 0.6, -LECUN * 0.6], {}),
    ("lecun_tanh_grad", "a missing chain-rule factor 2/3",
     "d/dz tanh(2z/3) = (2/3)(1 - tanh(2z/3)^2): multiply by 2/3", [0.0], [LECUN], {}),
    ("lecun_tanh_grad", "tanh taken at z instead of 2z/3",
     "1.7159 (2/3)(1 - tanh(2z/3)^2): the tanh is taken at 2z/3, as in the function",
     [-LN2, LN2], [LECUN * 2 / 3 * 0.64] * 2, {}),
    ("relu_grad", "relu_grad(0) == 1 (z >= 0 instead of z > 0)",
     "the course takes the 'otherwise' branch at z == 0: use z > 0",
     [-1.0, 0.0, 1.0], [0.0, 1.0, 1.0], {}),
    ("relu_grad", "sign(z), which is -1 for z < 0",
     "the slope of relu is 0 for z < 0 and 1 for z > 0", [-2.0, -0.5, 1.0], [-1.0, -1.0, 1.0], {}),
    ("leaky_relu_grad", "leaky_relu_grad(0) == 1 (z >= 0 instead of z > 0)",
     "the course takes the 'otherwise' branch at z == 0: beta there",
     [-1.0, 0.0, 1.0], [0.2, 1.0, 1.0], {"beta": 0.2}),
    ("softplus", "a sign slip in the exponent, ln(1 + e^-z)",
     "softplus(z) = ln(1 + e^z), so softplus(ln 3) = ln 4", [LN3, -LN3],
     [np.log(4 / 3), np.log(4.0)], {}),
    ("softplus_grad", "a sign slip in the exponent, 1/(1 + e^z)",
     "the slope of softplus is sigmoid(z) = 1 / (1 + e^-z), so softplus_grad(ln 3) = 3/4",
     [LN3, -LN3], [0.25, 0.75], {}),
    ("elu_grad", "elu_grad(0) == 1 (z >= 0 instead of z > 0)",
     "the course takes the 'otherwise' branch at z == 0: beta e^0 = beta there",
     [-LN2, 0.0, 1.0], [0.25, 1.0, 1.0], {"beta": 0.5}),
]
for _name, _label, _hint, _z, _wrong, _kw in BY_VALUE:
    def _gives(call, name=_name, z=_z, wrong=_wrong, kw=_kw):
        return np.allclose(_values(call, name, z, **kw), wrong)
    VISIBLE.mistake(_name, _label, _hint)(_gives)


@VISIBLE.mistake("sigmoid", "e^z / (1 + e^z), which is inf/inf = NaN for large z",
                 "use e = e^-|z|: 1/(1 + e) for z >= 0 and e/(1 + e) for z < 0")
def sigmoid__looks_like_e_z_1_e_z(call):
    return bool(np.isnan(_values(call, "sigmoid", [1e4])).all())


@VISIBLE.mistake("sigmoid", "the naive 1/(1 + e^-z), which overflows for very negative z",
                 "the values are right but e^-z overflows for z = -1e4; use e^-|z| in two "
                 "branches with np.where")
def sigmoid__looks_like_naive_1_1_e_z(call):
    return _overflows_but_right(call, "sigmoid", [-1e4, 0.0, 1e4], [0.0, 0.5, 1.0])


for _name, _z, _kw in [("leaky_relu", [-1.0, 2.0], {}), ("leaky_relu_grad", [-1.0, 2.0], {}),
                       ("elu", [-LN2, 2.0], {}), ("elu_grad", [-LN2, 2.0], {})]:
    def _ignores_beta(call, name=_name, z=_z):
        default = _values(call, name, z)
        return np.allclose(_values(call, name, z, beta=0.2), default) and not np.allclose(
            default, 0.0)
    VISIBLE.mistake(_name, "the beta argument ignored",
                    "use the parameter beta (do not write 0.01 or 1.0 into the formula)")(
        _ignores_beta)


@VISIBLE.mistake("softplus", "the naive ln(1 + e^z), which overflows to inf for large z",
                 "write it as max(z, 0) + ln(1 + e^-|z|) (np.log1p), or use np.logaddexp(0, z)")
def softplus__looks_like_naive_ln_1_e_z(call):
    return bool(np.isinf(_values(call, "softplus", [1e4])).all())


@VISIBLE.mistake("elu", "np.where(z > 0, z, beta (e^z - 1)), which overflows for large z",
                 "np.where computes both branches for every z: take e^min(z, 0)")
def elu__looks_like_np_where_z_0_z(call):
    return _overflows_but_right(call, "elu", [-1e4, 0.0, 1e4], [-1.0, 0.0, 1e4])


@VISIBLE.mistake("noisy_relu", "the noise added after the max",
                 "a = max(0, z + e): add the noise first, then rectify")
def noisy_relu__looks_like_noise_added_after_max(call):
    out = np.asarray(call("noisy_relu", np.full(2000, -3.0), Rng(31)), dtype=float)
    return 0.3 < float(np.mean(out < 0)) < 0.7


@VISIBLE.mistake("noisy_relu", "sigmoid(z) used as the standard deviation",
                 "sigmoid(z) is the VARIANCE of the noise: its standard deviation is "
                 "sqrt(sigmoid(z))")
def noisy_relu__looks_like_sigmoid_z_used_as_standard(call):
    # max(0, e) with e ~ N(0, s^2) has mean s / sqrt(2 pi): 0.1995 for s = 1/2 (the mistake),
    # 0.2821 for s = sqrt(1/2) (right); with 40000 draws each is known to about +-0.002.
    out = np.asarray(call("noisy_relu", np.zeros(40_000), Rng(32)), dtype=float)
    return abs(float(out.mean()) - 0.5 / np.sqrt(2 * np.pi)) < 0.03


@VISIBLE.mistake("noisy_relu", "np.random's global state instead of rng",
                 "draw with rng.normal(...) or rng.standard_normal(...), not np.random.*")
def noisy_relu__looks_like_np_random_s_global_state(call):
    return call.record("noisy_relu", np.zeros(10), Rng(33)).global_rng_used


@VISIBLE.mistake("layer_gradient_norms", "the norms in reverse order",
                 "return them first layer first (reverse the list you built backwards)")
def layer_gradient_norms__looks_like_norms_reverse_order(call):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-1.0, 0.0]])
    W1, W2 = np.array([[2.0, -1.0], [0.5, 1.0]]), np.array([[1.0, 0.5, -0.5], [3.0, 1.0, 1.0]])
    A1 = X @ W1
    right = [np.linalg.norm(X.sum(axis=0)) * np.linalg.norm(W2.sum(axis=1)),
             np.sqrt(3) * np.linalg.norm(A1.sum(axis=0))]
    got = np.asarray(call("layer_gradient_norms", X, [(W1, np.zeros(2)), (W2, np.zeros(3))],
                          IDENTITY, ONES), dtype=float)
    return got.shape == (2,) and np.allclose(got, right[::-1], rtol=1e-9)


@VISIBLE.mistake("layer_gradient_norms", "the derivative evaluated at the output A, not at Z",
                 "keep each layer's Z = A_prev @ W + b and use activation_grad(Z)")
def layer_gradient_norms__looks_like_derivative_evaluated_at_output_at(call):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    W, b = np.array([[0.3, -0.2, 0.1], [0.4, 0.0, -0.5]]), np.array([0.1, 0.2, -0.3])
    Z = X @ W + b
    got = np.asarray(call("layer_gradient_norms", X, [(W, b)], SQUARE, TWICE), dtype=float)
    return np.allclose(got, [np.linalg.norm(X.T @ (2 * Z ** 2))], rtol=1e-9)


# ---------------------------------------------------------------- output_delta
# Outputs a and targets y worked out by hand: the quadratic cost's delta (a - y) a (1 - a), the
# cross-entropy's a - y (Nielsen, Neural Networks and Deep Learning, ch. 3).
DELTA_A = np.array([0.5, 0.8, 0.2, 0.9])
DELTA_Y = np.array([1.0, 0.0, 0.0, 1.0])
QUADRATIC_DELTA = [-0.125, 0.128, 0.032, -0.009]
CROSS_ENTROPY_DELTA = [-0.5, 0.8, 0.2, -0.1]


# (cost, what the property checks, the delta by hand, the hint)
BY_COST = [
    ("quadratic", "quadratic cost: (a - y) a (1 - a) at a = 0.5, 0.8, 0.2, 0.9 for y = 1, 0, 0, 1",
     QUADRATIC_DELTA, "delta = (a - y) sigma'(z), and sigma'(z) = a (1 - a) for a = sigma(z)"),
    ("cross_entropy", "cross-entropy: a - y at a = 0.5, 0.8, 0.2, 0.9 for y = 1, 0, 0, 1",
     CROSS_ENTROPY_DELTA,
     "dC/da = (a - y) / (a (1 - a)) and sigma'(z) = a (1 - a) cancel: a - y"),
]
for _cost, _description, _expected, _hint in BY_COST:
    def _delta_by_hand(call, cost=_cost, expected=_expected, hint=_hint):
        expect.close(call("output_delta", DELTA_A, DELTA_Y, cost), expected,
                     f"output_delta(a, y, {cost!r})", rtol=1e-9, atol=1e-12, inputs=DELTA_A,
                     hint=hint)
    VISIBLE.property("output_delta", _cost, _description)(_delta_by_hand)


@VISIBLE.property("output_delta", "bad_cost", "a cost that is neither name raises ValueError")
def output_delta__bad_cost(call):
    expect.raises_value_error(call, "output_delta", DELTA_A, DELTA_Y, "squared",
                              mentions="cost")


def _deltas(call, cost: str) -> np.ndarray:
    return np.asarray(call("output_delta", DELTA_A, DELTA_Y, cost), dtype=float)


@VISIBLE.mistake("output_delta", "the sign flipped, y - a instead of a - y",
                 "delta = dC/dz is positive when a is above its target: a - y, not y - a")
def output_delta__looks_like_sign_flipped(call):
    return (np.allclose(_deltas(call, "quadratic"), np.negative(QUADRATIC_DELTA))
            or np.allclose(_deltas(call, "cross_entropy"), np.negative(CROSS_ENTROPY_DELTA)))


# (label, hint, the cost whose delta is wrong, the wrong delta: the other cost's)
SLOPE_MISTAKES = [
    ("sigma'(z) kept in the cross-entropy delta",
     "for cross-entropy dC/da = (a - y) / (a (1 - a)); times sigma'(z) = a (1 - a) that is "
     "a - y: the slope cancels, which is the point of the cost",
     "cross_entropy", QUADRATIC_DELTA),
    ("the quadratic delta without sigma'(z)",
     "the quadratic cost's delta is (a - y) sigma'(z) = (a - y) a (1 - a)",
     "quadratic", CROSS_ENTROPY_DELTA),
]
for _label, _hint, _cost, _wrong in SLOPE_MISTAKES:
    def _gives_other(call, cost=_cost, wrong=_wrong):
        return np.allclose(_deltas(call, cost), wrong)
    VISIBLE.mistake("output_delta", _label, _hint)(_gives_other)


@VISIBLE.mistake("output_delta", "sigma'(a) instead of sigma'(z)",
                 "a is already sigma(z): sigma'(z) = a (1 - a), do not apply the sigmoid again")
def output_delta__looks_like_sigmoid_of_a(call):
    s = 1.0 / (1.0 + np.exp(-DELTA_A))
    return np.allclose(_deltas(call, "quadratic"), (DELTA_A - DELTA_Y) * s * (1.0 - s))
