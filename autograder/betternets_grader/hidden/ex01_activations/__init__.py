"""Notebook 01, instructor side: the reference of every exercise and its hidden checks.

One module a topic: `reference` (every exercise's reference, re-exported here so that
`reference("x")` finds `x` in this package), `elementwise` (the fourteen activation functions
and derivatives, from two tables), `noise` (`noisy_relu`, judged by its distribution),
`vanishing` (`layer_gradient_norms`), `shared_rules` (the shared contract's float64 rule, made
by `betternets.checks.contract`) and `output_layer` (`output_delta`). The topics are imported
below in the notebook's order, the order the exercises and their properties are registered in.

Every statistical property makes k tests at p_fail = 1e-7 / k or below (stats.py), so a
correct answer fails it with probability below 1e-7, well under the course's 1e-6.
Students never receive this package.
"""
from __future__ import annotations

from .reference import *  # noqa: F403 - the references, found by `reference("x")`
from . import (elementwise, noise, vanishing, shared_rules,  # noqa: F401 - they register
               output_layer)
