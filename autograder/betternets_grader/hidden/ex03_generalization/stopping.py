"""Hidden checks of `early_stopping`: the patience rule, ties and min_delta.
"""
from __future__ import annotations

import numpy as np

from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import _parts
from .reference import early_stopping


# --------------------------------------------------------------------------- early_stopping


def _es(call, losses, patience, **kw):
    losses = [float(v) for v in losses]  # plain floats: they cross to the kernel as JSON
    stop, best = _parts(call("early_stopping", losses, patience, **kw), 2, "early_stopping")
    return int(stop), int(best)


def _es_expect(call, losses, patience, want, hint, **kw):
    got = _es(call, losses, patience, **kw)
    extra = "".join(f", {k}={v}" for k, v in kw.items())
    if got != tuple(want):
        raise CheckFailed(f"early_stopping({list(np.round(losses, 4))}, patience={patience}{extra}) "
                          f"returned (stop, best) = {got}, expected {tuple(want)}", hint)


@HIDDEN.property("early_stopping", "values", "matches the rule on random validation curves")
def early_stopping__values(call):
    rng = np.random.default_rng(4101)
    for k in range(20):
        T = int(rng.integers(5, 40))
        curve = 1.0 / (1 + 0.3 * np.arange(T)) + 0.02 * np.arange(T) * (k % 2) \
            + rng.normal(scale=0.03, size=T)
        curve = np.round(curve, 3)
        patience = int(rng.integers(1, 8))
        min_delta = [0.0, 0.0, 0.01, 0.05][k % 4]
        _es_expect(call, curve, patience, early_stopping(curve, patience, min_delta),
                   "stop at the first epoch e with e - best_epoch == patience", min_delta=min_delta)


@HIDDEN.property("early_stopping", "long_patience",
                 "patience longer than the list: stop at the last epoch, best at the lowest loss")
def early_stopping__long_patience(call):
    _es_expect(call, [1.0, 0.8, 0.9, 0.7, 0.75], 10, (4, 3),
               "if no epoch is patience epochs after the best, stop_epoch is the last index")
    _es_expect(call, [0.5, 0.6], 5, (1, 0), "stop_epoch is an index into val_losses")


@HIDDEN.property("early_stopping", "ties", "an equal loss is not a new best (the first of the ties stays best)")
def early_stopping__ties(call):
    _es_expect(call, [1.0, 0.5, 0.5, 0.5, 0.6], 2, (3, 1),
               "a new best must be strictly lower: use <, not <=")


@HIDDEN.property("early_stopping", "min_delta",
                 "an improvement counts only when it beats the best loss by more than min_delta")
def early_stopping__min_delta(call):
    _es_expect(call, [1.0, 0.95, 0.94, 0.5, 0.45], 5, (4, 3),
               "compare with best_loss - min_delta", min_delta=0.1)
    _es_expect(call, [1.0, 0.95, 0.92, 0.85, 0.84, 0.83, 0.82], 10, (6, 3),
               "the reference is the loss at the best epoch; small steps below it do not move it",
               min_delta=0.1)
    _es_expect(call, [1.0, 0.97, 0.96, 0.95, 0.5], 3, (3, 0),
               "steps smaller than min_delta do not reset the patience", min_delta=0.1)


@HIDDEN.property("early_stopping", "stop_epoch", "stops exactly patience epochs after the best (no off-by-one)")
def early_stopping__stop_epoch(call):
    _es_expect(call, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, (3, 0),
               "stop at the first epoch e with e - best_epoch == patience")
    _es_expect(call, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 2, (3, 1),
               "stop at the first epoch e with e - best_epoch == patience")


@HIDDEN.property("early_stopping", "best_before_stop", "a lower loss after the stop does not count")
def early_stopping__best_before_stop(call):
    _es_expect(call, [1.0, 1.1, 1.2, 0.1], 2, (2, 0),
               "best_epoch is the last new best up to stop_epoch, not the minimum of the whole list")
