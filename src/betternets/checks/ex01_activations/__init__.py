"""Self-checks for notebook 01: activation functions.

One module a topic, each holding its exercises' properties and the named mistakes they
recognise: `elementwise` (the fourteen functions and derivatives), `noise` (`noisy_relu`),
`vanishing` (`layer_gradient_norms`) and `output_layer` (`output_delta`); `common` holds the
checks of a returned value they share with the grader (re-exported here). The topics are
imported below in the notebook's order, the order their properties are registered in.
"""
from __future__ import annotations

from .common import finite, no_overflow, scalar_ok  # noqa: F401 - used by the grader too
from . import elementwise, noise, vanishing, output_layer  # noqa: F401 - they register
