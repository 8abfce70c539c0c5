"""Tolerances for statistical checks, taken from the sampling distribution.

Every bound here is chosen so that a correct answer fails with probability at
most `p_fail` (two-sided). A property that makes k such tests passes
`p_fail = 1e-7 / k` or smaller, so its total false-failure rate stays below
1e-7, well under the course's one-in-a-million promise (union bound).
"""
from __future__ import annotations

import numpy as np

from .core import CheckFailed


class _LazyStats:
    """scipy.stats, imported on first use (it costs more than a second to import)."""

    def __getattr__(self, name):
        from scipy import stats as _stats
        return getattr(_stats, name)


stats = _LazyStats()

DEFAULT_P_FAIL = 1e-7


def z_value(p_fail: float = DEFAULT_P_FAIL) -> float:
    """z with P(|N(0,1)| > z) = p_fail."""
    return float(stats.norm.isf(p_fail / 2))


def check_mean(samples: np.ndarray, mean: float, std: float, what: str,
               p_fail: float = DEFAULT_P_FAIL, hint: str = "") -> None:
    """The sample mean of n i.i.d. draws lies within z * std / sqrt(n) of `mean`.

    Exact for normal draws; for others the CLT makes it accurate at the sizes
    used here (n >= 10^4), and the bound has ample margin.
    """
    x = np.asarray(samples, dtype=float).ravel()
    tol = z_value(p_fail) * std / np.sqrt(x.size)
    got = x.mean()
    if not abs(got - mean) <= tol:
        raise CheckFailed(f"{what}: sample mean {got:.5g} over {x.size} draws, expected "
                          f"{mean:.5g} +- {tol:.2g}", hint)


def check_variance(samples: np.ndarray, variance: float, what: str,
                   p_fail: float = DEFAULT_P_FAIL, hint: str = "",
                   known_mean: float | None = None) -> None:
    """The sample variance of normal draws lies in its chi-square interval.

    With the mean estimated: (n-1) s^2 / sigma^2 ~ chi2(n-1); with a known
    mean, sum((x-mu)^2)/sigma^2 ~ chi2(n).
    """
    x = np.asarray(samples, dtype=float).ravel()
    if known_mean is None:
        dof, ss = x.size - 1, np.sum((x - x.mean()) ** 2)
    else:
        dof, ss = x.size, np.sum((x - known_mean) ** 2)
    lo = variance * stats.chi2.ppf(p_fail / 2, dof) / dof
    hi = variance * stats.chi2.isf(p_fail / 2, dof) / dof
    got = ss / dof
    if not lo <= got <= hi:
        raise CheckFailed(f"{what}: sample variance {got:.5g} over {x.size} draws, expected "
                          f"{variance:.5g} (between {lo:.5g} and {hi:.5g})", hint)


def check_fraction(successes: int, n: int, p: float, what: str,
                   p_fail: float = DEFAULT_P_FAIL, hint: str = "") -> None:
    """A binomial count lies within its exact two-sided interval for probability p."""
    lo = stats.binom.ppf(p_fail / 2, n, p)
    hi = stats.binom.isf(p_fail / 2, n, p)
    if not lo <= successes <= hi:
        raise CheckFailed(f"{what}: {successes} of {n} ({successes / n:.4f}), expected a "
                          f"fraction near {p:.4f} (count between {lo:.0f} and {hi:.0f})", hint)


def check_uniform(samples: np.ndarray, low: float, high: float, what: str,
                  p_fail: float = DEFAULT_P_FAIL, hint: str = "") -> None:
    """Kolmogorov-Smirnov test against U[low, high], plus the hard bounds."""
    x = np.asarray(samples, dtype=float).ravel()
    if x.min() < low or x.max() > high:
        raise CheckFailed(f"{what}: values reach [{x.min():.5g}, {x.max():.5g}], outside "
                          f"[{low:.5g}, {high:.5g}]", hint)
    pvalue = stats.kstest(x, stats.uniform(loc=low, scale=high - low).cdf).pvalue
    if pvalue < p_fail:
        raise CheckFailed(f"{what}: {x.size} values do not look uniform on [{low:.5g}, "
                          f"{high:.5g}] (Kolmogorov-Smirnov p = {pvalue:.2g})", hint)


def check_normal(samples: np.ndarray, mean: float, std: float, what: str,
                 p_fail: float = DEFAULT_P_FAIL, hint: str = "") -> None:
    """Kolmogorov-Smirnov test against N(mean, std^2)."""
    x = np.asarray(samples, dtype=float).ravel()
    pvalue = stats.kstest(x, stats.norm(loc=mean, scale=std).cdf).pvalue
    if pvalue < p_fail:
        raise CheckFailed(f"{what}: {x.size} values do not look like N({mean:.4g}, "
                          f"{std:.4g}^2): mean {x.mean():.4g}, std {x.std():.4g} "
                          f"(Kolmogorov-Smirnov p = {pvalue:.2g})", hint)
