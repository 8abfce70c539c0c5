"""Hidden checks of `noisy_relu`, a = max(0, z + e) with e ~ N(0, sigmoid(z)).

It is judged by the distribution of what it returns, never by its random stream: the sample
mean and variance at six fixed z against the exact moments of the rectified normal
(`rectified_moments`, by numerical integration), and, draw by draw, only what every output
is whatever the draws (`noisy_plausible`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import integrate
from scipy.special import expit

from betternets.checks import contract, expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed
from betternets.checks.ex01_activations import finite, no_overflow

from ... import HIDDEN

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
