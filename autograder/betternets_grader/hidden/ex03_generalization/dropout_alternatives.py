"""Hidden checks of dropout's alternatives: Shakeout, Whiteout and Zoneout.

Judged by the distribution of what they return, never by the reference's random stream.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import P, _pair_count, _parts, _same_seed_same_result
from .reference import whiteout_noise_variance


# --------------------------------------------------------------------------- Shakeout


def _shakeout(call, W, tau, c, seed):
    W_t, keep = _parts(call("shakeout_weights", W, tau, c, Rng(seed)), 2, "shakeout_weights")
    W_t = expect.same_shape(W_t, np.shape(W), "W_tilde")
    if keep.shape != (np.shape(W)[0],):
        raise CheckFailed(f"keep has shape {keep.shape}, expected ({np.shape(W)[0]},): one switch "
                          "per input unit (row of W)",
                          "draw rng.random(n_in) once and apply it to whole rows")
    if keep.dtype != bool:
        raise CheckFailed(f"keep has dtype {keep.dtype}, expected bool",
                          "return keep = rng.random(n_in) >= tau (a boolean vector)")
    return W_t, keep


def _shakeout_rule(W, keep, tau, c):
    s = np.sign(W)
    return np.where(keep[:, None], (W + c * tau * s) / (1 - tau), -c * s)


@HIDDEN.property("shakeout_weights", "values",
                 "kept rows (W + c tau sign W)/(1-tau), dropped rows -c sign W, for the keep returned")
def shakeout_weights__values(call):
    rng = np.random.default_rng(3801)
    for tau, c in [(0.3, 0.5), (0.6, 2.0)]:
        W = rng.normal(size=(50, 7)) * (rng.random((50, 7)) > 0.1)
        W_t, keep = _shakeout(call, W, tau, c, 51)
        expect.close(W_t, _shakeout_rule(W, keep, tau, c), f"W_tilde (tau={tau}, c={c})",
                     rtol=1e-9, atol=1e-12, inputs=W,
                     hint="kept row: (W + c*tau*sign(W)) / (1 - tau); dropped row: -c*sign(W)")


@HIDDEN.property("shakeout_weights", "per_row", "one switch per input unit: whole rows kept or dropped")
def shakeout_weights__per_row(call):
    W = np.random.default_rng(3802).normal(size=(300, 6))
    W_t, keep = _shakeout(call, W, 0.5, 1.0, 52)
    dropped_entry = np.isclose(W_t, -np.sign(W), rtol=1e-9, atol=0)
    mixed = int(np.sum(dropped_entry.any(axis=1) & ~dropped_entry.all(axis=1)))
    expect.true(mixed == 0, f"{mixed} of 300 rows have some weights dropped and others kept",
                "Shakeout switches whole input units: one random number per row of W")
    expect.true(np.array_equal(dropped_entry.all(axis=1), ~keep),
                "keep does not say which rows were kept", "keep[j] is True where row j was kept")


@HIDDEN.property("shakeout_weights", "fraction", "keeps each row with probability 1 - tau")
def shakeout_weights__fraction(call):
    W_t, keep = _shakeout(call, np.ones((50000, 2)), 0.4, 1.0, 53)
    stats.check_fraction(int(keep.sum()), keep.size, 0.6, "kept rows at tau = 0.4", P,
                         "tau is the probability to DROP a row; keep where rng.random(n_in) >= tau")


@HIDDEN.property("shakeout_weights", "expectation", "E[W_tilde] = W (averaged over many rows)")
def shakeout_weights__expectation(call):
    w0 = np.array([0.5, -1.2, 0.0, 2.0])
    tau, c, n = 0.3, 0.8, 40000
    W_t, _ = _shakeout(call, np.tile(w0, (n, 1)), tau, c, 54)
    s = np.sign(w0)
    kept, dropped = (w0 + c * tau * s) / (1 - tau), -c * s
    std = np.sqrt(tau * (1 - tau)) * np.abs(kept - dropped)
    for j in range(4):
        if std[j] == 0:
            expect.close(W_t[:, j], np.zeros(n), f"column {j} (weight 0)", atol=1e-12)
        else:
            stats.check_mean(W_t[:, j], w0[j], std[j], f"mean of W_tilde for weight {w0[j]}",
                             P / 3, "the two cases must average to W: check the c*tau*sign(W) "
                             "term and the 1/(1-tau) scale")


@HIDDEN.property("shakeout_weights", "zero_weights", "a zero weight stays 0 whether its row is kept or not")
def shakeout_weights__zero_weights(call):
    W = np.zeros((200, 3))
    W[:, 0] = 1.0
    W_t, _ = _shakeout(call, W, 0.5, 1.5, 55)
    expect.close(W_t[:, 1:], np.zeros((200, 2)), "W_tilde where W == 0", atol=1e-12,
                 hint="both cases are multiples of sign(W), and sign(0) = 0")


@HIDDEN.property("shakeout_weights", "rng", "randomness only from rng: same seed, same switches")
def shakeout_weights__rng(call):
    W = np.random.default_rng(3803).normal(size=(20, 3))
    _same_seed_same_result(call, "shakeout_weights", lambda s: (W, 0.5, 1.0, Rng(s)),
                           "shakeout_weights")


# --------------------------------------------------------------------------- Whiteout

WO_W = np.array([[0.5, -2.0, 1.0], [1.5, 0.3, -0.8], [-1.0, 0.7, 0.2]])
WO_B = np.array([0.1, -0.2, 0.3])


def _whiteout_residual(call, X, W, b, sigma, gamma, lam, seed):
    Z = call("whiteout_forward", X, W, b, sigma, gamma, lam, Rng(seed))
    Z = expect.same_shape(Z, (X.shape[0], W.shape[1]), "Z", "Z has shape (N, n_out)")
    return Z - (X @ W + b)


@HIDDEN.property("whiteout_forward", "deterministic", "with sigma = 0 and lam = 0, Z = X @ W + b exactly")
def whiteout_forward__deterministic(call):
    X = np.random.default_rng(3901).normal(size=(10, 3))
    r = _whiteout_residual(call, X, WO_W, WO_B, 0.0, 0.5, 0.0, 56)
    expect.close(r, np.zeros_like(r), "Z - (X @ W + b) without noise", atol=1e-12)


@HIDDEN.property("whiteout_forward", "mean", "the noise has mean 0 on every unit")
def whiteout_forward__mean(call):
    X = np.random.default_rng(3902).normal(size=(40000, 3))
    sigma, gamma, lam = 0.5, 0.5, 0.1
    r = _whiteout_residual(call, X, WO_W, WO_B, sigma, gamma, lam, 57)
    var = whiteout_noise_variance(WO_W, sigma, gamma, lam)
    for j in range(3):
        stats.check_mean(r[:, j], 0.0, np.sqrt(var[j]), f"mean noise on unit {j}", P / 3,
                         "add zero-mean Gaussian noise")


@HIDDEN.property("whiteout_forward", "variance",
                 "noise variance sum_i sigma^2 |w_ij|^(2-gamma) + lam w_ij^2 per unit (gamma 0.5 and 1.5)")
def whiteout_forward__variance(call):
    X = np.random.default_rng(3903).normal(size=(40000, 3))
    for (sigma, gamma, lam), seed in (((0.5, 0.5, 0.1), 58), ((0.8, 1.5, 0.05), 59)):
        r = _whiteout_residual(call, X, WO_W, WO_B, sigma, gamma, lam, seed)
        var = whiteout_noise_variance(WO_W, sigma, gamma, lam)
        for j in range(3):
            stats.check_variance(r[:, j], var[j], f"noise variance on unit {j} (sigma={sigma}, "
                                 f"gamma={gamma}, lam={lam})", P / 6, known_mean=0.0,
                                 hint="e_ij has VARIANCE sigma^2 |w_ij|^(-gamma) + lam and is "
                                 "multiplied by w_ij; draw fresh noise for every example")


@HIDDEN.property("whiteout_forward", "zero_weight", "a zero weight adds no noise and no NaN")
def whiteout_forward__zero_weight(call):
    W = np.array([[0.0, 1.0], [0.0, -0.5], [1.0, 0.0]])
    X = np.random.default_rng(3904).normal(size=(40000, 3))
    r = _whiteout_residual(call, X, W, np.zeros(2), 0.6, 1.0, 0.2, 60)
    expect.true(np.isfinite(r).all(), "Z holds NaN or inf where a weight is 0",
                "for w = 0 the noise term w * e is 0; avoid computing 0 * inf")
    var = whiteout_noise_variance(W, 0.6, 1.0, 0.2)
    for j in range(2):
        stats.check_variance(r[:, j], var[j], f"noise variance on unit {j} (with zero weights)",
                             P / 2, known_mean=0.0)


@HIDDEN.property("whiteout_forward", "normal", "the noise is Gaussian")
def whiteout_forward__normal(call):
    X = np.random.default_rng(3905).normal(size=(20000, 3))
    r = _whiteout_residual(call, X, WO_W, WO_B, 0.5, 0.5, 0.1, 61)
    # Each unit is scaled by its OWN sample standard deviation, so that a wrong variance is
    # left to the "variance" property (and its hint) and only the shape is judged here.
    # Estimating the scale makes Kolmogorov-Smirnov conservative (Lilliefors 1967: the
    # statistic is stochastically smaller than with a known scale), so a correct answer
    # still fails with probability below P.
    scale = np.sqrt(np.mean(r ** 2, axis=0))
    expect.true(bool(np.all(scale > 0)), "the noise is 0 on some unit",
                "add Gaussian noise w_ij * e_ij to every weight's contribution")
    stats.check_normal((r / scale).ravel(), 0.0, 1.0, "noise, scaled by its own std", P,
                       "use rng.normal / rng.standard_normal")


@HIDDEN.property("whiteout_forward", "rng", "randomness only from rng: same seed, same noise")
def whiteout_forward__rng(call):
    X = np.ones((5, 3))
    _same_seed_same_result(call, "whiteout_forward",
                           lambda s: (X, WO_W, WO_B, 0.5, 0.5, 0.1, Rng(s)), "whiteout_forward")


# --------------------------------------------------------------------------- Zoneout


def _zone_inputs(shape, seed):
    rng = np.random.default_rng(seed)
    return -1.0 - rng.random(shape), 1.0 + rng.random(shape)  # never equal


def _zoneout_kept(call, p, seed, shape=(400, 250)):
    h_prev, h_new = _zone_inputs(shape, 4000 + seed)
    h = expect.same_shape(expect.pure(call, "zoneout", h_prev, h_new, p, Rng(seed)), shape,
                          "zoneout output")
    from_prev, from_new = h == h_prev, h == h_new
    if not (from_prev | from_new).all():
        raise CheckFailed("some units of the output are neither h_prev nor h_new",
                          "at training time each unit copies one of the two, unchanged")
    return from_prev


@HIDDEN.property("zoneout", "either", "training output takes each unit from h_prev or h_new, unchanged")
def zoneout__either(call):
    _zoneout_kept(call, 0.5, 62, shape=(20, 10))


@HIDDEN.property("zoneout", "fraction", "a unit keeps h_prev with probability p (p 0.3 and 0.8)")
def zoneout__fraction(call):
    for p, seed in ((0.3, 63), (0.8, 64)):
        kept = _zoneout_kept(call, p, seed)
        stats.check_fraction(int(kept.sum()), kept.size, p, f"units keeping h_prev at p = {p}",
                             P / 2, "p is the probability to KEEP the previous state")


@HIDDEN.property("zoneout", "per_unit", "each unit of each example has its own switch")
def zoneout__per_unit(call):
    kept = _zoneout_kept(call, 0.3, 65)
    _pair_count(kept, 0.3, "zoneout switches", P)


@HIDDEN.property("zoneout", "test_mode", "train=False returns p h_prev + (1-p) h_new")
def zoneout__test_mode(call):
    h_prev, h_new = _zone_inputs((5, 4), 66)
    got = call("zoneout", h_prev, h_new, 0.25, Rng(0), train=False)
    expect.close(got, 0.25 * h_prev + 0.75 * h_new, "zoneout with train=False", rtol=1e-12,
                 hint="at test time use the expectation p h_prev + (1 - p) h_new")


@HIDDEN.property("zoneout", "rng", "randomness only from rng, and inputs unchanged")
def zoneout__rng(call):
    h_prev, h_new = _zone_inputs((10, 6), 67)
    expect.pure(call, "zoneout", h_prev, h_new, 0.5, Rng(1))
    _same_seed_same_result(call, "zoneout", lambda s: (h_prev, h_new, 0.5, Rng(s)), "zoneout")
