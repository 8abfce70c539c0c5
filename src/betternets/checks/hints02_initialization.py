"""Known mistakes of notebook 02, recognised by behaviour (for named hints).

Each detector draws one large matrix and looks at its spread: a sample of
40,000 weights pins the standard deviation to about 0.4 %, so the mistakes
below (factors of 2 and more) cannot be confused with a correct answer.
"""
from __future__ import annotations

import numpy as np

from .calls import Rng
from .core import VISIBLE

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
def _(call):
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
def _(call):
    tanh = np.abs(np.asarray(call("xavier_uniform_init", N_IN, N_OUT, Rng(14), activation="tanh")))
    sigm = np.abs(np.asarray(call("xavier_uniform_init", N_IN, N_OUT, Rng(14), activation="sigmoid")))
    return float(tanh.max()) > 2 * float(sigm.max())
