"""Hidden checks of `newton_step` and `classify_critical_point`.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect

from ... import HIDDEN
from .reference import newton_step
from .matrices import random_rotation, symmetric


# --------------------------------------------------------------------------- newton_step

@HIDDEN.property("newton_step", "values",
                 "matches w - lr H^-1 g on random SPD and indefinite H in 2 to 6 dimensions")
def newton_step__values(call):
    rng = np.random.default_rng(5001)
    for n in (2, 3, 6):
        for signs in (1, -1):
            lam = rng.uniform(0.5, 5.0, size=n) * np.where(np.arange(n) % 2, signs, 1)
            H = symmetric(random_rotation(rng, n), lam)
            w, g, lr = rng.normal(size=n), rng.normal(size=n), float(rng.uniform(0.1, 1.5))
            got = expect.pure(call, "newton_step", w, g, H, lr=lr)
            expect.close(got, newton_step(w, g, H, lr), f"newton_step in {n}-D", rtol=1e-7,
                         atol=1e-9, hint="solve H p = g; H @ g or g / diag(H) are not H^-1 g")


@HIDDEN.property("newton_step", "quadratic",
                 "one step lands on the critical point of a quadratic, for lists, integer "
                 "matrices and non-contiguous arrays")
def newton_step__quadratic(call):
    rng = np.random.default_rng(5002)
    A = symmetric(random_rotation(rng, 5), [0.3, 1.0, 2.0, 7.0, 20.0])
    b = rng.normal(size=5)
    w = rng.normal(size=5)
    target = np.linalg.solve(A, b)
    got = call("newton_step", w, A @ w - b, np.asfortranarray(A.T))
    expect.close(got, target, "newton_step on 0.5 w^T A w - b^T w", rtol=1e-7, atol=1e-9,
                 hint="the minimum is where A w = b: one full Newton step reaches it")
    # A saddle x^2 - y^2 + 3xy, given as Python lists of ints: Newton jumps onto the saddle.
    H = [[2, 3], [3, -2]]
    got = call("newton_step", [1.0, 2.0], [8.0, -1.0], H)
    expect.close(got, [0.0, 0.0], "newton_step on the saddle x^2 + 3xy - y^2 from (1, 2) "
                 "(H and g given as lists)", rtol=0, atol=1e-9,
                 hint="convert with np.asarray(..., dtype=float); Newton goes to any critical "
                      "point, saddles included")


@HIDDEN.property("newton_step", "lr", "lr scales the step; lr = 0 leaves w where it is")
def newton_step__lr(call):
    rng = np.random.default_rng(5003)
    H = symmetric(random_rotation(rng, 3), [1.0, 2.0, 4.0])
    w, g = rng.normal(size=3), rng.normal(size=3)
    rates = (0.0, 0.25, 2.0)
    steps = call.values(("newton_step", (w, g, H), {"lr": lr}) for lr in rates)
    for lr, step in zip(rates, steps):
        expect.close(step, newton_step(w, g, H, lr),
                     f"newton_step with lr={lr}", rtol=1e-7, atol=1e-9,
                     hint="return w - lr * solve(H, g)")


# --------------------------------------------------------------------------- classify

def _expect_kind(call, H, want, what, **kw):
    got = call("classify_critical_point", H, **kw)
    expect.true(got == want, f"{what}: you returned {got!r}, expected {want!r}",
                "classify by the signs of the eigenvalues (np.linalg.eigvalsh), not by the "
                "diagonal, the trace or the determinant")


@HIDDEN.property("classify_critical_point", "rotated",
                 "rotated Hessians in 2-D and 3-D: minimum, maximum and saddle")
def classify_critical_point__rotated(call):
    rng = np.random.default_rng(5011)
    for n in (2, 3):
        q = random_rotation(rng, n)
        lam = rng.uniform(0.5, 3.0, size=n)
        _expect_kind(call, symmetric(q, lam), "minimum", f"rotated {n}-D positive definite H")
        _expect_kind(call, symmetric(q, -lam), "maximum", f"rotated {n}-D negative definite H")
        mixed = lam * np.where(np.arange(n) == 0, -1, 1)
        _expect_kind(call, symmetric(q, mixed), "saddle", f"rotated {n}-D H with eigenvalues "
                     f"{np.round(mixed, 3)}")


@HIDDEN.property("classify_critical_point", "higher_dim",
                 "3-D to 6-D Hessians whose determinant and trace mislead")
def classify_critical_point__higher_dim(call):
    rng = np.random.default_rng(5012)
    cases = [([-1.0, -2.0, 3.0], "saddle"),          # det > 0, trace = 0
             ([-1.0, -1.0, 5.0], "saddle"),          # det > 0, trace > 0
             ([1.0, -1.0, -1.0, -1.0], "saddle"),    # det < 0
             ([-1.0, -2.0, -3.0, -4.0], "maximum"),  # det > 0
             ([0.5, 1.0, 2.0, 4.0, 8.0, 16.0], "minimum")]
    for lam, want in cases:
        H = symmetric(random_rotation(rng, len(lam)), lam)
        _expect_kind(call, H, want, f"{len(lam)}-D H with eigenvalues {lam}")


@HIDDEN.property("classify_critical_point", "degenerate",
                 "a zero eigenvalue (to tol) with no sign change is degenerate; with both signs "
                 "it is still a saddle")
def classify_critical_point__degenerate(call):
    rng = np.random.default_rng(5013)
    for lam, want in [([2.0, 0.0], "degenerate"), ([-2.0, 0.0, -1.0], "degenerate"),
                      ([1.0, 1e-12, 3.0], "degenerate"), ([0.0, 0.0, 0.0], "degenerate"),
                      ([1.0, 0.0, -1.0], "saddle")]:
        H = symmetric(random_rotation(rng, len(lam)), lam)
        _expect_kind(call, H, want, f"rotated H with eigenvalues {lam}")


@HIDDEN.property("classify_critical_point", "tol_boundary",
                 "an eigenvalue of exactly +-tol counts as zero (|lambda| <= tol)")
def classify_critical_point__tol_boundary(call):
    # diagonal H: eigvalsh returns the diagonal exactly, so the eigenvalue is exactly tol = 0.5
    for lam in ([1.0, 0.5], [-1.0, -0.5], [0.5, -1.0], [-0.5, 1.0]):
        _expect_kind(call, np.diag(lam), "degenerate", f"diag{tuple(lam)} with tol=0.5", tol=0.5)


@HIDDEN.property("classify_critical_point", "tol", "uses the tol it is given")
def classify_critical_point__tol(call):
    rng = np.random.default_rng(5014)
    q = random_rotation(rng, 3)
    H = symmetric(q, [1.0, 0.05, 2.0])
    _expect_kind(call, H, "minimum", "eigenvalues (1, 0.05, 2) with the default tol")
    _expect_kind(call, H, "degenerate", "eigenvalues (1, 0.05, 2) with tol=0.1", tol=0.1)
    _expect_kind(call, symmetric(q, [-1.0, -0.05, -2.0]), "degenerate",
                 "eigenvalues (-1, -0.05, -2) with tol=0.1", tol=0.1)
