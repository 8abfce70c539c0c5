"""Notebook 03, instructor side: the reference of every exercise and its hidden checks.

One module a topic: `reference` (every exercise's reference, re-exported here so that
`reference("x")` finds `x` in this package), `splits`, `decomposition` (bias and variance),
`penalties`, `clipping`, `dropout`, `dropout_alternatives` (Shakeout, Whiteout, Zoneout),
`augmentation` (with the angle recovery in `rotation`), `stopping` (early stopping) and
`shared_rules` (the shared contract's rules, made by `betternets.checks.contract`);
`common` holds the helpers they share. The topics are imported below in the notebook's order,
which is the order the exercises and their properties are registered in.

The hidden checks are judged against the reference. Random exercises are judged by the
distribution of what they return, never by the reference's random stream. Every statistical
property makes k tests at p_fail = 1e-7 / k each (stats.py), so a correct answer fails it
with probability below 1e-7, well under the course's 1e-6.

Students never receive this package.
"""
from __future__ import annotations

from .reference import *  # noqa: F403 - the references, found by `reference("x")`
from . import (splits, decomposition, penalties, clipping, dropout,  # noqa: F401 - they register
               dropout_alternatives, augmentation, stopping, shared_rules)
