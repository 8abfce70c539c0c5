"""Self-checks of the fourteen activation functions and derivatives of notebook 01, each under
its heading, then the named mistakes they recognise.

The checks use values you can work out by hand (sigmoid(ln 3) = 3/4, tanh(ln 2) = 3/5, ...),
symmetries (sigmoid(-z) = 1 - sigmoid(z)) and limits; they never contain the answers.
"""
from __future__ import annotations

import numpy as np

from .. import expect
from ..core import VISIBLE
from .common import LN2, LN3, EXTREME, grid, no_overflow, finite


# ---------------------------------------------------------------- sigmoid

@VISIBLE.property("sigmoid", "known_values",
                  "sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4, shape kept")
def sigmoid__known_values(call):
    z = np.array([[0.0, LN3], [-LN3, 0.0]])
    expect.close(call("sigmoid", z), [[0.5, 0.75], [0.25, 0.5]], "sigmoid", rtol=1e-9,
                 inputs=z, hint="sigmoid(z) = 1 / (1 + e^-z); check the sign in the exponent")


@VISIBLE.property("sigmoid", "symmetry", "sigmoid(-z) = 1 - sigmoid(z)")
def sigmoid__symmetry(call):
    z = grid()
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
    z = grid()
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
    z = grid(-4, 4)
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
    z = grid(-4, 4)
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
    z = grid(-4, 4)
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
    z = grid(-8, 8)
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
    z = grid()
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
