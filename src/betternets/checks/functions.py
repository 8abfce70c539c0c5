"""Functions that checks pass to students' code as inputs (by name, see `calls.Fn`).

These are test inputs with known derivatives, not answers to any exercise.
Each takes an array of any shape and returns a float.
"""
from __future__ import annotations

import numpy as np


def cube_sum(x: np.ndarray) -> float:
    """f(x) = sum x^3; gradient 3 x^2; central differences with step h give 3 x^2 + h^2."""
    return float(np.sum(np.asarray(x) ** 3))


def exp3_sum(x: np.ndarray) -> float:
    """f(x) = sum e^(3x); gradient 3 e^(3x); strongly curved, so a forward difference shows."""
    return float(np.sum(np.exp(3.0 * np.asarray(x))))


def sin_weighted(x: np.ndarray) -> float:
    """f(x) = sum_i sin(x_i) * x_i^2 + (sum_i x_i)^2 / 2: couples every element."""
    x = np.asarray(x)
    return float(np.sum(np.sin(x) * x ** 2) + 0.5 * np.sum(x) ** 2)


def sin_weighted_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of `sin_weighted`: cos(x) x^2 + 2 x sin(x) + sum(x)."""
    x = np.asarray(x, dtype=float)
    return np.cos(x) * x ** 2 + 2 * x * np.sin(x) + np.sum(x)
