"""Notebook 05, instructor side: the reference of every exercise and its hidden checks.

One module a topic: `reference` (every exercise's reference, re-exported here so that
`reference("x")` finds `x` in this package), `newton` (the Newton step and critical points),
`line_search` (backtracking with Armijo's test), `conjugate_gradients` (the betas, linear and
nonlinear CG), `quasi_newton` (BFGS) and `shared_rules` (the shared contract's rules, made by
`betternets.checks.contract`); `matrices` makes the random symmetric matrices they
share. The topics are imported below in the notebook's order, the order the exercises and
their properties are registered in (nonlinear CG's module also registers BFGS's Armijo check,
its first).

The hidden checks judge against the reference (and scipy, in this process). Students never
receive this package.
"""
from __future__ import annotations

from .reference import *  # noqa: F403 - the references, found by `reference("x")`
from . import (newton, line_search, conjugate_gradients,  # noqa: F401 - they register
               quasi_newton, shared_rules)
