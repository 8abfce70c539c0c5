"""The shared contract's float64 rule for notebook 01, made by `betternets.checks.contract`:
float64 answers on extreme and integer-valued input, each family of functions over its own
range, `noisy_relu` at +-1e40 and `layer_gradient_norms` on integer-valued weights.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import contract, expect
from betternets.checks.calls import Rng
from betternets.checks.functions import COS, SIN

from ... import HIDDEN
from . import reference as ref

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
                                       getattr(ref, name), rtol=1e-9, atol=atol,
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
                      lambda X, w, a, g: ref.layer_gradient_norms(X, w, np.sin, np.cos),
                      rtol=1e-9, atol=1e-12))
