"""Hidden checks of the fourteen elementwise functions and derivatives of notebook 01.

Each is judged against the reference: values on random arrays of three shapes, a Python float,
purity, extreme inputs |z| up to 1e4 where the contract asks for it, a non-default beta;
derivatives also against central differences of the reference function (away from kinks) and
at exactly z == 0. The properties are made by one maker each from two tables, `FUNCTIONS`
and `GRADS`; tanh's far-out check (exactly +-1 for |z| >= 20) is its own.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks.core import VISIBLE, CheckFailed
from betternets.checks.ex01_activations import finite, no_overflow, scalar_ok

from ... import HIDDEN
from ..numerics import central_difference
from . import reference as ref

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
    fn = getattr(ref, name)
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
            fd = central_difference(getattr(ref, f), z, H)
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


def register_every_function_rule(name: str, seed: int, extreme: str | None) -> None:
    """The properties every function and derivative has: a Python float, purity, the extreme
    inputs where the contract asks for them, and a beta that is used."""
    register(name, "python_float", "a Python float gives a single number of the right value",
             _python_float(name))
    register(name, "pure", "the input array is left unchanged", _pure(name, seed + 1))
    if extreme:
        register(name, "extreme", EXTREME_TEXT[extreme],
                 _extreme(name, extreme == "warnings", EXTREME_HINT))
    if name in NOT_BETA:
        register(name, "beta", f"uses the beta it is given (beta = {NOT_BETA[name]})",
                 _beta(name, seed + 2, "use the argument beta everywhere it appears"))


for i, (name, (hint, extreme)) in enumerate(FUNCTIONS.items()):
    seed = 1100 + 10 * i
    register(name, "values", "matches the reference on random arrays of three shapes",
             _values(name, seed, hint))
    register_every_function_rule(name, seed, extreme)

for i, (name, (f, hint, extreme)) in enumerate(GRADS.items()):
    seed = 1200 + 10 * i
    register(name, "values", "matches the reference derivative on random arrays of three shapes",
             _values(name, seed, hint))
    register(name, "derivative",
             f"matches central differences of {f} (away from z = 0 for kinked functions)",
             _derivative(name, f, seed + 3, hint))
    register(name, "at_zero", "the value at exactly z == 0 (the course's convention)",
             _at_zero(name))
    register_every_function_rule(name, seed, extreme)

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
