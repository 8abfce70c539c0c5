"""Helpers every topic's hidden checks of notebook 03 share: the returned tuple, the
independence of neighbouring random switches, and randomness drawn only from `rng`.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.core import CheckFailed



P = stats.DEFAULT_P_FAIL


# --------------------------------------------------------------------------- helpers


def _parts(value, k, name, arrays=True):
    """The k returned values (as arrays unless arrays=False), or a clear failure."""
    if not isinstance(value, (tuple, list)) or len(value) != k:
        size = f" of length {len(value)}" if hasattr(value, "__len__") else ""
        raise CheckFailed(f"{name} should return {k} values, got {type(value).__name__}{size}",
                          "return them as a tuple in the order the docstring gives")
    return [np.asarray(v) for v in value] if arrays else list(value)


def _pair_count(dropped, p, what, p_fail):
    """Disjoint pairs of neighbours (rows 2i, 2i+1 and columns 2j, 2j+1) are independent:
    both dropped with probability p^2."""
    d = np.asarray(dropped, dtype=bool)
    rows = d[0:d.shape[0] // 2 * 2:2] & d[1:d.shape[0] // 2 * 2:2]
    cols = d[:, 0:d.shape[1] // 2 * 2:2] & d[:, 1:d.shape[1] // 2 * 2:2]
    hint = "draw one independent random number per element (rng.random(shape)), not per row or column"
    stats.check_fraction(int(rows.sum()), rows.size, p * p,
                         f"{what}: neighbouring rows both dropped", p_fail / 2, hint)
    stats.check_fraction(int(cols.sum()), cols.size, p * p,
                         f"{what}: neighbouring columns both dropped", p_fail / 2, hint)


def _same_seed_same_result(call, name, args_for_seed, what):
    a = expect.no_global_rng(call, name, *args_for_seed(5))
    b = call(name, *args_for_seed(5))
    c = call(name, *args_for_seed(6))
    fa, fb, fc = ([np.asarray(v, dtype=float) for v in (x if isinstance(x, (tuple, list)) else [x])
                   if v is not None] for x in (a, b, c))
    if not all(np.array_equal(u, v) for u, v in zip(fa, fb)):
        raise CheckFailed(f"{what}: two calls with the same seed gave different results",
                          "draw every random number from the rng argument, nothing else")
    if all(np.array_equal(u, v) for u, v in zip(fa, fc)):
        raise CheckFailed(f"{what}: two different seeds gave exactly the same result",
                          "use the rng you are given, not a generator of your own with a fixed seed")
