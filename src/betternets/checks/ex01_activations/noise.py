"""Self-checks of `noisy_relu`, a = max(0, z + e) with e ~ N(0, sigmoid(z)), and the named
mistakes they recognise. Random answers are judged by what holds for every draw and by
statistics with a stated false-failure rate (`stats`), never by one random stream.
"""
from __future__ import annotations

import numpy as np

from .. import expect, stats
from ..calls import Rng
from ..core import VISIBLE
from .common import no_overflow, finite


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


# ---------------------------------------------------------------- known mistakes (named hints)

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
