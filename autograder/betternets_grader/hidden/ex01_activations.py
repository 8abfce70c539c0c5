"""Notebook 01, instructor side: the reference of every exercise and its hidden checks.

The reference: activation functions, their derivatives, and vanishing gradients.

Every function takes an array of any shape (or a Python float), returns a new float array of
the same shape, and never overflows for |z| up to 1e4 (the exponentials only ever see z <= 0).

The hidden checks, judged against the reference. Elementwise functions: values on random arrays of several shapes, a Python float input, purity,
extreme inputs |z| up to 1e4 where the contract asks for it, a non-default beta; derivatives
also against central differences of the reference function (away from kinks) and at z == 0.
`noisy_relu` is judged by the distribution of its output (mean and variance at fixed z,
computed by numerical integration), never by its random stream. `layer_gradient_norms` gets
test activations by name (Fn tokens), so its checks never depend on the student's sigmoid.

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module. It is about 700 lines because one module holds
the seventeen small exercises of the notebook, each reference a few lines beside its checks;
it becomes a package of topic modules (as ex03 and ex05 are) when it grows further.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import integrate

from betternets.checks import contract, expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import VISIBLE, CheckFailed
from betternets.checks.ex01_activations import finite, no_overflow, scalar_ok
from betternets.checks.functions import (
    ARCTAN, ARCTAN_SLOPE, COS, LOGISTIC, LOGISTIC_SLOPE, SIN, SOFTSIGN, SOFTSIGN_SLOPE,
    arctan_slope, softsign, softsign_slope,
)
from scipy.special import expit
from scipy.stats import logistic

from .. import HIDDEN, reference
from .numerics import central_difference


# --------------------------------------------------------------------------- reference

LECUN_A = 1.7159
LECUN_B = 2.0 / 3.0


def _z(z):
    return np.asarray(z, dtype=float)


def sigmoid(z):
    """1 / (1 + e^-z), as e^-|z| based branches: no overflow."""
    z = _z(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """s (1 - s) with s = sigmoid(z); equals e^-|z| / (1 + e^-|z|)^2."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """2 sigmoid(2z) - 1 = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|)."""
    z = _z(z)
    e = np.exp(-2.0 * np.abs(z))
    return np.sign(z) * (1.0 - e) / (1.0 + e)


def tanh_grad(z):
    """1 - tanh(z)^2."""
    return 1.0 - tanh(z) ** 2


def lecun_tanh(z):
    """1.7159 tanh(2z/3) (LeCun et al. 1998)."""
    return LECUN_A * tanh(LECUN_B * _z(z))


def lecun_tanh_grad(z):
    """1.7159 (2/3) (1 - tanh(2z/3)^2)."""
    return LECUN_A * LECUN_B * tanh_grad(LECUN_B * _z(z))


def relu(z):
    """max(0, z)."""
    return np.maximum(_z(z), 0.0)


def relu_grad(z):
    """1 where z > 0, else 0 (so 0 at z == 0)."""
    return (_z(z) > 0).astype(float)


def leaky_relu(z, beta=0.01):
    """z where z > 0, else beta z."""
    z = _z(z)
    return np.where(z > 0, z, beta * z)


def leaky_relu_grad(z, beta=0.01):
    """1 where z > 0, else beta (so beta at z == 0)."""
    z = _z(z)
    return np.where(z > 0, 1.0, float(beta))


def softplus(z):
    """ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)."""
    z = _z(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    """sigmoid(z)."""
    return sigmoid(z)


def elu(z, beta=1.0):
    """z where z > 0, else beta (e^z - 1) (Clevert et al. 2015, their alpha)."""
    z = _z(z)
    return np.where(z > 0, z, beta * np.expm1(np.minimum(z, 0.0)))


def elu_grad(z, beta=1.0):
    """1 where z > 0, else beta e^z (so beta at z == 0)."""
    z = _z(z)
    return np.where(z > 0, 1.0, beta * np.exp(np.minimum(z, 0.0)))


def noisy_relu(z, rng):
    """max(0, z + e), e ~ N(0, sigmoid(z)): the noise VARIANCE is sigmoid(z) (Nair and Hinton 2010)."""
    z = _z(z)
    noise = rng.standard_normal(z.shape) * np.sqrt(sigmoid(z))
    return np.maximum(z + noise, 0.0)


def layer_gradient_norms(X, weights, activation, activation_grad):
    """Frobenius norms of dL/dW_l, first layer first, for L = sum(A_last).

    Forward A_l = activation(A_{l-1} @ W_l + b_l), A_0 = X; backward
    dZ_l = dA_l * activation_grad(Z_l), dW_l = A_{l-1}^T dZ_l, dA_{l-1} = dZ_l W_l^T.
    """
    A = np.asarray(X, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"X must be a 2-D array (N, n_in), got shape {A.shape}")
    inputs, pre = [], []
    for l, (W, b) in enumerate(weights):
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if W.ndim != 2 or W.shape[0] != A.shape[1] or b.shape != (W.shape[1],):
            raise ValueError(f"weights[{l}] has W {W.shape} and b {b.shape}, which do not fit "
                             f"inputs of width {A.shape[1]}")
        Z = A @ W + b
        inputs.append(A)
        pre.append(Z)
        A = activation(Z)
    dA = np.ones_like(A)
    norms = np.zeros(len(pre))
    for l in reversed(range(len(pre))):
        dZ = dA * activation_grad(pre[l])
        norms[l] = np.linalg.norm(inputs[l].T @ dZ)
        dA = dZ @ np.asarray(weights[l][0], dtype=float).T
    return norms


def output_delta(a, y, cost):
    """dC/dz of sigmoid output units a = sigma(z) with targets y (Nielsen, Neural Networks and
    Deep Learning, ch. 3): quadratic C = (a - y)^2 / 2 gives (a - y) sigma'(z) = (a - y) a (1 - a);
    cross-entropy C = -[y ln a + (1 - y) ln(1 - a)] gives a - y (sigma'(z) cancels). float64."""
    a, y = np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.shape != y.shape:
        raise ValueError(f"a and y must have the same shape, got {a.shape} and {y.shape}")
    if np.any((a < 0.0) | (a > 1.0)):
        raise ValueError("every a must lie in [0, 1]")
    if cost == "quadratic":
        return (a - y) * a * (1.0 - a)
    if cost == "cross_entropy":
        return a - y
    raise ValueError(f"cost must be 'quadratic' or 'cross_entropy', got {cost!r}")


# --------------------------------------------------------------------------- hidden checks

SHAPES = [(9,), (4, 5), (2, 3, 4)]
FLOATS = [-2.7, -0.3, 0.0, 0.8, 3.1]
EXTREME = np.array([-1e4, -5e3, -1e3, -710.0, -100.0, -20.0, 0.0, 20.0, 100.0, 710.0, 1e3,
                    5e3, 1e4])
H = 1e-5
NOT_BETA = {"leaky_relu": 0.2, "leaky_relu_grad": 0.2, "elu": 0.5, "elu_grad": 0.5}


def random_z(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Moderate inputs: mostly N(0, 3^2), some uniform on [-15, 15]; none within 1e-3 of 0."""
    z = np.where(rng.random(shape) < 0.7, rng.normal(scale=3.0, size=shape),
                 rng.uniform(-15, 15, size=shape))
    return np.where(np.abs(z) < 1e-3, 0.5, z)


def _call_with_beta(call, name, z, beta=None):
    return call(name, z) if beta is None else call(name, z, beta=beta)


def _ref(name, z, beta=None):
    fn = reference(name)
    return fn(z) if beta is None else fn(z, beta=beta)


def _values(name: str, seed: int, hint: str):
    def prop(call):
        rng = np.random.default_rng(seed)
        for shape in SHAPES:
            z = random_z(rng, shape)
            got = call(name, z)
            expected = _ref(name, z)
            with VISIBLE.aimed(name, call):
                expect.close(got, expected, f"{name} on an array of shape {shape}", rtol=1e-7,
                             atol=1e-10, inputs=z, hint=hint)
    return prop


def _derivative(name: str, f: str, seed: int, hint: str):
    def prop(call):
        rng = np.random.default_rng(seed)
        for shape in SHAPES:
            z = random_z(rng, shape)
            fd = central_difference(reference(f), z, H)
            got = call(name, z)
            with VISIBLE.aimed(name, call):
                expect.close(got, fd, f"{name} against central differences of {f} "
                             f"(shape {shape})", rtol=1e-6, atol=1e-8, inputs=z, hint=hint)
    return prop


def _python_float(name: str):
    def prop(call):
        for x, got in zip(FLOATS, call.values((name, (x,)) for x in FLOATS)):
            scalar_ok(got, float(_ref(name, x)), f"{name}({x})", rtol=1e-7, atol=1e-10)
    return prop


def _pure(name: str, seed: int):
    def prop(call):
        rng = np.random.default_rng(seed)
        cases = []
        for shape in [(6,), (3, 4)]:
            z = random_z(rng, shape)
            # both signs, and magnitudes an in-place clip or mask would change
            z.flat[0], z.flat[1], z.flat[-2], z.flat[-1] = -1000.0, -2.0, 2.0, 1000.0
            cases.append(((z,), {}))
        # the values are judged where every function's contract holds (|z| <= 15): tanh and
        # lecun_tanh promise nothing at |z| = 1000
        for ((z,), _), got in zip(cases, expect.pure_many(call, [(name, c) for c, _ in cases])):
            moderate = np.abs(z) <= 15
            expect.close(expect.as_array(got, name)[moderate] if np.shape(got) == z.shape
                         else got, _ref(name, z)[moderate], f"{name}'s value in the purity "
                         "check", rtol=1e-7, atol=1e-10)
    return prop


def _extreme(name: str, warnings: bool, hint: str):
    def prop(call):
        z = EXTREME.copy()
        got = no_overflow(call, name, z) if warnings else call(name, z)
        finite(got, f"{name} at extreme z", z)
        expect.close(got, _ref(name, z), f"{name} at extreme z", rtol=1e-9, atol=1e-12,
                     inputs=z, hint=hint)
    return prop


def _at_zero(name: str):
    def prop(call):
        z = np.array([0.0, -0.0, 0.0, 2.0, -2.0])   # beside z == 0, one value of each sign
        for beta in ([None, NOT_BETA[name]] if name in NOT_BETA else [None]):
            what = f"{name}(0)" + ("" if beta is None else f" with beta={beta}")
            expect.close(_call_with_beta(call, name, z, beta), _ref(name, z, beta), what,
                         rtol=1e-12, atol=0, inputs=z,
                         hint="at exactly z == 0 the course takes the 'otherwise' branch of "
                         "the definition (z > 0 versus otherwise)")
    return prop


def _beta(name: str, seed: int, hint: str):
    def prop(call):
        rng = np.random.default_rng(seed)
        beta = NOT_BETA[name]
        z = random_z(rng, (4, 6))
        expect.close(call(name, z, beta=beta), _ref(name, z, beta), f"{name}(z, beta={beta})",
                     rtol=1e-7, atol=1e-10, inputs=z, hint=hint)
        expect.close(call(name, z, beta), _ref(name, z, beta),
                     f"{name}(z, {beta}) (beta passed by position)", rtol=1e-7, atol=1e-10,
                     inputs=z, hint="beta is the second parameter: (z, beta=...)")
    return prop


def register(name, prop, description, fn):
    HIDDEN.property(name, prop, description)(fn)


FUNCTIONS = {  # name: (hint for wrong values, extreme: None | "values" | "warnings")
    "sigmoid": ("sigmoid(z) = 1 / (1 + e^-z)", "warnings"),
    "tanh": ("tanh(z) = 2 sigmoid(2z) - 1", None),
    "lecun_tanh": ("1.7159 tanh(2z/3)", None),
    "relu": ("max(0, z) elementwise", None),
    "leaky_relu": ("z where z > 0, else beta z", None),
    "softplus": ("ln(1 + e^z)", "warnings"),
    "elu": ("z where z > 0, else beta (e^z - 1)", "warnings"),
}
GRADS = {  # name: (function, hint, extreme)
    "sigmoid_grad": ("sigmoid", "s (1 - s) with s = sigmoid(z)", "warnings"),
    "tanh_grad": ("tanh", "1 - tanh(z)^2", None),
    "lecun_tanh_grad": ("lecun_tanh", "1.7159 (2/3) (1 - tanh(2z/3)^2)", None),
    "relu_grad": ("relu", "1 where z > 0, else 0", None),
    "leaky_relu_grad": ("leaky_relu", "1 where z > 0, else beta", None),
    "softplus_grad": ("softplus", "the derivative of ln(1 + e^z) is sigmoid(z)", "values"),
    "elu_grad": ("elu", "1 where z > 0, else beta e^z", "warnings"),
}
EXTREME_TEXT = {
    "warnings": "z from -1e4 to 1e4: right values, no NaN and no overflow warning",
    "values": "z from -1e4 to 1e4: right values and no NaN",
}
EXTREME_HINT = ("an exponential overflowed: rewrite the formula so that exp only sees values "
                "<= 0, e.g. with e^-|z| or e^min(z, 0)")

for i, (name, (hint, extreme)) in enumerate(FUNCTIONS.items()):
    seed = 1100 + 10 * i
    register(name, "values", "matches the reference on random arrays of three shapes",
             _values(name, seed, hint))
    register(name, "python_float", "a Python float gives a single number of the right value",
             _python_float(name))
    register(name, "pure", "the input array is left unchanged", _pure(name, seed + 1))
    if extreme:
        register(name, "extreme", EXTREME_TEXT[extreme],
                 _extreme(name, extreme == "warnings", EXTREME_HINT))
    if name in NOT_BETA:
        register(name, "beta", f"uses the beta it is given (beta = {NOT_BETA[name]})",
                 _beta(name, seed + 2, "use the argument beta everywhere it appears"))

for i, (name, (f, hint, extreme)) in enumerate(GRADS.items()):
    seed = 1200 + 10 * i
    register(name, "values", "matches the reference derivative on random arrays of three shapes",
             _values(name, seed, hint))
    register(name, "derivative",
             f"matches central differences of {f} (away from z = 0 for kinked functions)",
             _derivative(name, f, seed + 3, hint))
    register(name, "at_zero", "the value at exactly z == 0 (the course's convention)",
             _at_zero(name))
    register(name, "python_float", "a Python float gives a single number of the right value",
             _python_float(name))
    register(name, "pure", "the input array is left unchanged", _pure(name, seed + 1))
    if extreme:
        register(name, "extreme", EXTREME_TEXT[extreme],
                 _extreme(name, extreme == "warnings", EXTREME_HINT))
    if name in NOT_BETA:
        register(name, "beta", f"uses the beta it is given (beta = {NOT_BETA[name]})",
                 _beta(name, seed + 2, "use the argument beta everywhere it appears"))


# ---------------------------------------------------------------- noisy_relu

NOISY_Z = (-1.0, -0.4, 0.0, 0.6, 1.5, 3.0)
NOISY_N = 40_000
# The sample mean and variance are judged by the normal approximation (CLT) at about six
# standard errors. At z = -1 only ~2.7% of outputs are positive, so the statistic is a little
# skewed; judging each at p = 1e-9 / k instead of 1e-7 / k widens the bounds by ~12%, which
# covers that skew, and keeps a correct answer's failure rate well below 1e-6.
NOISY_P = 1e-9 / len(NOISY_Z)


@lru_cache(maxsize=None)
def rectified_moments(z: float) -> tuple[float, float, float, float]:
    """E[a^k], k = 1..4, for a = max(0, z + e), e ~ N(0, sigmoid(z)), by numerical integration."""
    s = float(np.sqrt(expit(z)))
    norm_const = 1.0 / (s * np.sqrt(2.0 * np.pi))

    def density(x):  # the N(z, s^2) density
        return norm_const * np.exp(-0.5 * ((x - z) / s) ** 2)

    lo, hi = max(0.0, z - 12 * s), z + 12 * s
    return tuple(float(integrate.quad(lambda x, k=k: x ** k * density(x), lo, hi,
                                      epsabs=1e-13, epsrel=1e-11)[0]) if hi > 0 else 0.0
                 for k in (1, 2, 3, 4))


def rectified_mean_var(z: float) -> tuple[float, float, float]:
    """Mean, variance, and the variance of (a - mean)^2 (for the sample variance's error)."""
    m1, m2, m3, m4 = rectified_moments(float(z))
    var = m2 - m1 ** 2
    mu4 = m4 - 4 * m1 * m3 + 6 * m1 ** 2 * m2 - 3 * m1 ** 4
    return m1, var, mu4 - var ** 2


def _noisy_samples(call, seed):
    z = np.repeat(np.array(NOISY_Z), NOISY_N)
    out = expect.same_shape(call("noisy_relu", z, Rng(seed)), z.shape, "noisy_relu",
                            "draw one noise value per element")
    return out.reshape(len(NOISY_Z), NOISY_N)


NOISY_HINT = ("a = max(0, z + e) with e ~ N(0, sigmoid(z)): the VARIANCE is sigmoid(z), so the "
              "standard deviation is sqrt(sigmoid(z)); add the noise before the max")


@HIDDEN.property("noisy_relu", "mean",
                 "the mean output at six fixed z matches max(0, z + N(0, sigmoid(z)))")
def noisy_relu__mean(call):
    out = _noisy_samples(call, 1301)
    for z, row in zip(NOISY_Z, out):
        mean, var, _ = rectified_mean_var(z)
        stats.check_mean(row, mean, np.sqrt(var), f"noisy_relu at z = {z}", NOISY_P,
                         hint=NOISY_HINT)


@HIDDEN.property("noisy_relu", "variance",
                 "the variance of the output at six fixed z matches max(0, z + N(0, sigmoid(z)))")
def noisy_relu__variance(call):
    out = _noisy_samples(call, 1302)
    zcrit = stats.z_value(NOISY_P)
    for z, row in zip(NOISY_Z, out):
        _, var, var_of_square = rectified_mean_var(z)
        got = float(np.var(row, ddof=1))
        tol = zcrit * np.sqrt(var_of_square / row.size)
        if not abs(got - var) <= tol:
            raise CheckFailed(f"noisy_relu at z = {z}: sample variance {got:.5g} over "
                              f"{row.size} draws, expected {var:.5g} +- {tol:.2g}", NOISY_HINT)


def noisy_plausible(out, z, what="noisy_relu"):
    """What every output of noisy_relu is, whatever the draws: finite, >= 0, and for z >= 20
    within 8 of z but not z itself (there the noise is N(0, 1); |N(0, 1)| > 8 has
    probability 1e-15, exactly 0 probability 0). So None, zeros, NaN or z back fail."""
    out = finite(expect.same_shape(out, np.shape(z), what, "draw one noise value per element"),
                 what, z)
    expect.true(bool(np.all(out >= 0)), f"{what} returned {out.min():.4g} < 0",
                "take the max with 0 after adding the noise: max(0, z + e)")
    big = np.asarray(z) >= 20
    dev = np.abs(out[big] - np.asarray(z)[big])
    expect.true(bool(np.all((dev < 8) & (dev > 0))), f"{what} at z >= 20 is not z plus noise "
                f"N(0, 1) (largest distance {dev.max(initial=0):.3g}, smallest "
                f"{dev.min(initial=0):.3g})", NOISY_HINT)
    return out


@HIDDEN.property("noisy_relu", "nonnegative", "every output is >= 0, for z of either sign")
def noisy_relu__nonnegative(call):
    z = np.random.default_rng(1303).normal(scale=2.0, size=(50, 40))
    z[0, :4] = 25.0
    noisy_plausible(call("noisy_relu", z, Rng(1304)), z)


@HIDDEN.property("noisy_relu", "seeded",
                 "the same seed gives the same output, different seeds different outputs")
def noisy_relu__seeded(call):
    z = np.linspace(-1, 2, 40).reshape(5, 8)
    contract.seeded("noisy_relu", lambda rng: ((z, rng), {}), seeds=(21, 22))(call)


@HIDDEN.property("noisy_relu", "no_global_rng", "does not use np.random's global state")
def noisy_relu__no_global_rng(call):
    z = np.append(np.linspace(-2, 2, 30), 30.0)
    noisy_plausible(expect.no_global_rng(call, "noisy_relu", z, Rng(23)), z)


@HIDDEN.property("noisy_relu", "pure", "the input array is left unchanged")
def noisy_relu__pure(call):
    z = np.array([[-1.0, 0.5], [2.0, -3.0], [30.0, 40.0]])
    noisy_plausible(expect.pure(call, "noisy_relu", z, Rng(24)), z)


@HIDDEN.property("noisy_relu", "python_float", "a Python float gives a single number")
def noisy_relu__python_float(call):
    for z, got in zip((0.5, 30.0, -30.0),
                      call.values(("noisy_relu", (z, Rng(25))) for z in (0.5, 30.0, -30.0))):
        expect.true(np.shape(got) == (), f"noisy_relu({z}, rng) returned shape "
                    f"{np.shape(got)}, expected a single number", "draw with size=np.shape(z)")
        noisy_plausible(np.asarray(got, dtype=float), np.asarray(z), f"noisy_relu({z}, rng)")


@HIDDEN.property("noisy_relu", "extreme",
                 "z from -1e4 to 1e4: no overflow warning; 0 for very negative z, z + N(0, 1) "
                 "for very positive z")
def noisy_relu__extreme(call):
    z = np.tile(np.array([-1e4, -1e3, -100.0, 100.0, 1e3, 1e4]), 5)
    out = finite(no_overflow(call, "noisy_relu", z, Rng(26)), "noisy_relu at extreme z", z)
    neg, pos = z < 0, z > 0
    expect.true(bool(np.all(out[neg] == 0)), "noisy_relu is not 0 for z <= -100",
                "for very negative z the noise variance sigmoid(z) is ~0, so max(0, z + e) = 0")
    # There sigmoid(z) = 1: a - z ~ N(0, 1); |N(0, 1)| > 8 has probability 1e-15.
    dev = np.abs(out[pos] - z[pos])
    expect.true(bool(np.all(dev < 8)), f"noisy_relu is {dev.max():.3g} away from z >= 100",
                "for very positive z the noise is N(0, 1)")


# ---------------------------------------------------------------- layer_gradient_norms

def _network(rng, sizes, scale=1.0):
    return [(rng.normal(scale=scale, size=(a, b)) / np.sqrt(a), rng.normal(scale=0.1, size=b))
            for a, b in zip(sizes[:-1], sizes[1:])]


PAIRS = [(SIN, COS, np.sin, np.cos), (ARCTAN, ARCTAN_SLOPE, np.arctan, arctan_slope),
         (SOFTSIGN, SOFTSIGN_SLOPE, softsign, softsign_slope)]
LGN_HINT = ("forward: Z_l = A_(l-1) @ W_l + b_l, A_l = activation(Z_l); backward from dL/dA = 1: "
            "dZ_l = dA_l * activation_grad(Z_l), dW_l = A_(l-1)^T @ dZ_l, "
            "dA_(l-1) = dZ_l @ W_l^T; return the Frobenius norms, first layer first")


@HIDDEN.property("layer_gradient_norms", "values",
                 "matches the reference for 1, 3 and 6 layers with three test activations")
def layer_gradient_norms__values(call):
    rng = np.random.default_rng(1401)
    for depth, (fa, fg, a, g) in zip([1, 3, 6], PAIRS):
        sizes = [5] + [int(n) for n in rng.integers(2, 7, size=depth)]
        weights = _network(rng, sizes, scale=1.5)
        X = rng.normal(size=(7, 5))
        expected = layer_gradient_norms(X, weights, a, g)
        expect.close(call("layer_gradient_norms", X, weights, fa, fg), expected,
                     f"layer_gradient_norms for {depth} layers of sizes {sizes}", rtol=1e-8,
                     atol=1e-12, hint=LGN_HINT)


@HIDDEN.property("layer_gradient_norms", "vanishing_sigmoid",
                 "12 sigmoid layers: the norms match the reference and fall towards the input")
def layer_gradient_norms__vanishing_sigmoid(call):
    rng = np.random.default_rng(1402)
    weights = _network(rng, [16] * 13)
    X = rng.normal(size=(32, 16))
    expected = layer_gradient_norms(X, weights, expit, logistic.pdf)
    got = expect.same_shape(call("layer_gradient_norms", X, weights, LOGISTIC, LOGISTIC_SLOPE),
                            expected.shape, "layer_gradient_norms for 12 layers",
                            "one norm per layer")
    ratio = got[0] / got[-1] if got[-1] else np.inf
    expected_ratio = expected[0] / expected[-1]
    hint = LGN_HINT
    if np.allclose(got[::-1], expected, rtol=1e-6):
        hint = "your norms come last layer first; return them first layer first"
    expect.close(ratio, expected_ratio, "first-layer norm / last-layer norm with sigmoid",
                 rtol=1e-6, hint=hint)
    expect.close(got, expected, "layer_gradient_norms for 12 sigmoid layers", rtol=1e-6,
                 atol=1e-14, hint=hint)


@HIDDEN.property("layer_gradient_norms", "pure", "X and the weights are left unchanged")
def layer_gradient_norms__pure(call):
    rng = np.random.default_rng(1403)
    X, weights = rng.normal(size=(6, 4)), _network(rng, [4, 5, 3])
    expect.pure_values(call, "layer_gradient_norms", [((X, weights, SIN, COS), {})],
                       lambda X, w, a, g: layer_gradient_norms(X, w, np.sin, np.cos),
                       rtol=1e-8, atol=1e-12)


# --------------------------------------------------------------------------- the shared contract
# float64 answers on extreme and integer-valued input (betternets.checks.contract). Each
# family is held to its own range: the piecewise-linear functions are exact everywhere (1e40
# overflows float32 to inf, 1e-50 underflows it to 0 and moves the kink), the exponential
# ones over the contract's |z| <= 1e4, the tanh family (no overflow clause) over |z| <= 20.
# A tiny value of a smooth function may come out 0 (2 sigmoid(2z) - 1 at z = 1e-50), so
# those are judged with atol 1e-30 (1e-15 for the tanh family, whose derivative at |z| = 20
# is 1e-17, within rounding of 1 - tanh^2); the kinked ones exactly. float32 arithmetic shows
# at rtol 1e-9 on the ordinary values too.

TINY = [-1e-50, 0.0, 1e-50]
FAMILIES = {  # name: (extreme inputs beside the tiny ones, atol)
    **{n: ([-1e40, -3.5, 2.25, 1e40], 0.0)
       for n in ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad")},
    **{n: ([-1e4, -3.5, 2.25, 1e4], 1e-30)
       for n in ("sigmoid", "sigmoid_grad", "softplus", "softplus_grad", "elu", "elu_grad")},
    **{n: ([-20.0, -3.5, 2.25, 20.0], 1e-15)
       for n in ("tanh", "tanh_grad", "lecun_tanh", "lecun_tanh_grad")},
}
FLOAT64_HINT = ("compute in float64 (np.asarray(z, dtype=float)), and return floats, not "
                "booleans or integers: (z > 0).astype(float), not z > 0")

for name, (extremes, atol) in FAMILIES.items():
    z = np.array(sorted(extremes + TINY))
    contract.register(HIDDEN, name, "float64",
                      f"float64 values for float64 and integer input, right at z = "
                      f"{z.min():g} ... {z.max():g} and +-1e-50",
                      contract.float64(name, [((z,), {}), ((contract.INTEGERS,), {})],
                                       globals()[name], rtol=1e-9, atol=atol,
                                       hint=FLOAT64_HINT))


@HIDDEN.property("noisy_relu", "float64",
                 "float64 output for float64 and integer z; z = 1e40 gives 1e40 (the noise is "
                 "N(0, 1) there), z = -1e40 gives 0")
def noisy_relu__float64(call):
    z = np.array([-1e40, -3.0, 2.0, 1e40])
    out, ints = call.values([("noisy_relu", (z, Rng(27))),
                             ("noisy_relu", (contract.INTEGERS, Rng(28)))])
    out = contract.is_float64(out, "noisy_relu(z, rng)")
    contract.is_float64(ints, "noisy_relu on an integer array")
    expect.close(out[[0, 3]], [0.0, 1e40], "noisy_relu at z = -1e40 and 1e40", rtol=1e-12,
                 hint="float32 turns 1e40 into inf: work in float64")


contract.register(HIDDEN, "layer_gradient_norms", "float64",
                  "integer-valued X and weights give the float64 norms",
                  contract.float64(
                      "layer_gradient_norms",
                      [((np.array([[1, -2, 0], [2, 1, 1]]),
                         [(np.array([[1, 0], [0, -1], [2, 1]]), np.array([0, 1])),
                          (np.array([[1], [-1]]), np.array([0]))], SIN, COS), {})],
                      lambda X, w, a, g: layer_gradient_norms(X, w, np.sin, np.cos),
                      rtol=1e-9, atol=1e-12))


# ---------------------------------------------------------------- output_delta

COSTS = ("quadratic", "cross_entropy")
DELTA_HINT = ("quadratic: (a - y) a (1 - a); cross-entropy: a - y (Nielsen ch. 3), elementwise, "
              "on float64 copies of a and y")


@HIDDEN.property("output_delta", "values",
                 "matches the reference for both costs on random arrays of three shapes")
def output_delta__values(call):
    rng = np.random.default_rng(1701)
    for shape in [(7,), (3, 4), (2, 3, 2)]:
        a = rng.uniform(0.0, 1.0, size=shape)
        for y in (rng.uniform(0.0, 1.0, size=shape), rng.integers(0, 2, size=shape) * 1.0):
            for cost in COSTS:
                expect.close(call("output_delta", a, y, cost), output_delta(a, y, cost),
                             f"output_delta(a, y, {cost!r}) for shape {shape}", rtol=1e-10,
                             atol=1e-14, inputs=a, hint=DELTA_HINT)


@HIDDEN.property("output_delta", "saturated",
                 "saturated units, a from 0 to 1 exactly: quadratic delta near 0, "
                 "cross-entropy a - y")
def output_delta__saturated(call):
    a = np.array([0.0, 1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12, 1.0, 1.0, 0.0])
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    for cost in COSTS:
        expect.close(call("output_delta", a, y, cost), output_delta(a, y, cost),
                     f"output_delta(a, y, {cost!r}) of saturated units", rtol=1e-9, atol=1e-15,
                     inputs=a, hint="a = 0 and a = 1 are allowed: " + DELTA_HINT)


@HIDDEN.property("output_delta", "float64",
                 "integer and float32 inputs give float64; a Python float gives a single number")
def output_delta__float64(call):
    cases = [(np.array([0, 1, 1]), np.array([1, 0, 1])),
             (np.array([0.25, 0.75], dtype=np.float32), np.array([1.0, 0.0], dtype=np.float32))]
    for a, y in cases:
        for cost in COSTS:
            got = call("output_delta", a, y, cost)
            dtype = np.asarray(got).dtype
            expect.true(dtype == np.float64, f"output_delta of {a.dtype} inputs returned "
                        f"dtype {dtype}, expected float64",
                        "convert first: a = np.asarray(a, dtype=np.float64), the same for y")
            expect.close(got, output_delta(a, y, cost), f"output_delta of {a.dtype} inputs",
                         rtol=1e-12, atol=1e-15, hint=DELTA_HINT)
    for cost in COSTS:
        scalar_ok(call("output_delta", 0.9, 0.0, cost), float(output_delta(0.9, 0.0, cost)),
                  f"output_delta(0.9, 0.0, {cost!r})")


@HIDDEN.property("output_delta", "bad_input",
                 "ValueError for shapes that differ, an a outside [0, 1] and an unknown cost")
def output_delta__bad_input(call):
    # Shapes that broadcast too: numpy would combine them without a word.
    for a_shape, y_shape in [((3,), (2,)), ((2, 3), (3,)), ((1,), (4,))]:
        for cost in COSTS:
            expect.raises_value_error(call, "output_delta", np.full(a_shape, 0.5),
                                      np.zeros(y_shape), cost, mentions="shape")
    for bad in ([0.5, 1.2], [-0.1, 0.5], [0.5, 1.0 + 1e-9]):
        for cost in COSTS:
            expect.raises_value_error(call, "output_delta", np.array(bad), np.zeros(2), cost,
                                      mentions="[0, 1]")
    for cost in ("Quadratic", "cross-entropy", None):
        expect.raises_value_error(call, "output_delta", np.full(2, 0.5), np.zeros(2), cost,
                                  mentions="cost")


@HIDDEN.property("output_delta", "pure", "a and y are left unchanged")
def output_delta__pure(call):
    rng = np.random.default_rng(1705)
    expect.pure_values(call, "output_delta",
                       [((rng.uniform(size=(4, 3)), rng.uniform(size=(4, 3)), cost), {})
                        for cost in COSTS], output_delta, rtol=1e-10, atol=1e-14)


TANH_FAR = np.array([-1e4, -710.0, -20.0, 20.0, 710.0, 1e4])


def _tanh_extreme(call):
    """tanh far out: no overflow warning, no NaN, and exactly +-1 for |z| >= 20, where
    1 - tanh(20) = 8.5e-18 is below half an ulp of 1.0, so float64 rounds it to 1."""
    _extreme("tanh", True, EXTREME_HINT)(call)
    got = expect.as_array(no_overflow(call, "tanh", TANH_FAR.copy()), "tanh at |z| >= 20")
    if got.shape != TANH_FAR.shape or not np.array_equal(got, np.sign(TANH_FAR)):
        raise CheckFailed(f"tanh at z = {TANH_FAR.tolist()} gives {np.ravel(got).tolist()}, "
                          "expected exactly -1 or +1",
                          "with e = e^(-2|z|), (1 - e)/(1 + e) is exactly 1.0 in float64 once "
                          "|z| >= 20; then give it the sign of z")


register("tanh", "extreme",
         "z from -1e4 to 1e4: right values, no NaN, no overflow warning, exactly -1 or +1 for "
         "|z| >= 20", _tanh_extreme)
