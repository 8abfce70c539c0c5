"""Central differences, the one numerical derivative of the hidden checks and references.

`central_difference(f, t, h) = (f(t + h) - f(t - h)) / (2h)` has error O(h^2) (CS231n's
gradient check, h = 1e-5 in float64); `gradient` takes it along every element of an array.

It lives on the instructor side, not in the check library `betternets.checks`: that library
ships to students, and a central-difference gradient is the answer to exercise 00
(`numerical_gradient`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np


def central_difference(f: Callable, t, h: float = 1e-5):
    """(f(t + h) - f(t - h)) / (2h): the derivative of f at t; elementwise for an array t and
    an elementwise f."""
    return (f(t + h) - f(t - h)) / (2 * h)


def gradient(f: Callable[[np.ndarray], float], x, h: float = 1e-5) -> np.ndarray:
    """The gradient of the scalar function f at x: element i is the central difference of
    f(x + t e_i) in t, that is (f(x + h e_i) - f(x - h e_i)) / (2h). f sees a float copy of x
    with one element moved, put back before the next; the caller's x is never touched."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]

        def along(t, i=i, old=old):
            x[i] = t
            value = f(x)
            x[i] = old
            return value

        grad[i] = central_difference(along, old, h)
    return grad
