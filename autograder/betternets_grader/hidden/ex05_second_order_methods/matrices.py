"""Random symmetric matrices with chosen eigenvalues, for the hidden checks of notebook 05.
"""
from __future__ import annotations

import numpy as np


def random_rotation(rng, n):
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return q


def symmetric(q, eigenvalues):
    H = (q * np.asarray(eigenvalues, dtype=float)) @ q.T
    return (H + H.T) / 2


def spd_system(rng, n, eigenvalues=None):
    lam = np.linspace(1.0, 50.0, n) if eigenvalues is None else np.asarray(eigenvalues, float)
    return symmetric(random_rotation(rng, n), lam), rng.normal(size=n)
