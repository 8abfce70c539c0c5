"""Hidden checks of `clip_by_value` and `clip_by_norm`.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import _parts
from .reference import clip_by_norm, clip_by_value


# --------------------------------------------------------------------------- clipping


@HIDDEN.property("clip_by_value", "values", "matches clipping into [-clip, clip] on random arrays")
def clip_by_value__values(call):
    rng = np.random.default_rng(3401)
    for shape, clip in [((20,), 1.5), ((4, 5), 0.3), ((2, 3, 4), 2.0)]:
        g = 3 * rng.normal(size=shape)
        expect.close(call("clip_by_value", g, clip), clip_by_value(g, clip),
                     f"clip_by_value(g of shape {shape}, clip={clip})", rtol=1e-12, inputs=g)


@HIDDEN.property("clip_by_value", "negative", "large negative entries become -clip")
def clip_by_value__negative(call):
    g = np.array([-10.0, -2.0, -0.5, 0.5, 10.0])
    expect.close(call("clip_by_value", g, 1.0), np.array([-1.0, -1.0, -0.5, 0.5, 1.0]),
                 "clip_by_value([-10, -2, -0.5, 0.5, 10], 1)", rtol=1e-12, inputs=g,
                 hint="clip both ends: np.clip(g, -clip, clip)")


@HIDDEN.property("clip_by_value", "inside", "entries inside [-clip, clip] are unchanged")
def clip_by_value__inside(call):
    g = np.array([[0.3, -0.7], [0.0, 0.99]])
    expect.close(expect.pure(call, "clip_by_value", g, 1.0), g, "clip_by_value of a small gradient",
                 rtol=1e-12, inputs=g, hint="clipping by value changes only the large entries")


@HIDDEN.property("clip_by_value", "pure", "leaves g unchanged")
def clip_by_value__pure(call):
    expect.pure_values(call, "clip_by_value", [((np.array([3.0, -4.0, 0.5]), 1.0), {})],
                       clip_by_value, rtol=1e-12, atol=0)


def _clip_norm(call, grads, max_norm):
    clipped, norm = _parts(call("clip_by_norm", grads, max_norm), 2, "clip_by_norm", arrays=False)
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        raise CheckFailed(f"clip_by_norm should return a list of {len(grads)} arrays first",
                          "return a list with one clipped array per gradient")
    return [np.asarray(c, dtype=float) for c in clipped], float(norm)


@HIDDEN.property("clip_by_norm", "global",
                 "one global norm over all arrays: each array small, together too large")
def clip_by_norm__global(call):
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]  # norms 3 and 4, global 5
    clipped, _ = _clip_norm(call, grads, 4.5)
    for k, (c, g) in enumerate(zip(clipped, grads)):
        expect.close(c, g * 0.9, f"array {k} after clip_by_norm(max_norm=4.5, global norm 5)",
                     rtol=1e-9, hint="the norm is sqrt of the sum of squares over ALL arrays; "
                     "every array is scaled by the same max_norm / norm")


@HIDDEN.property("clip_by_norm", "norm_before", "reports the global norm before clipping")
def clip_by_norm__norm_before(call):
    rng = np.random.default_rng(3402)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    _, norm = _clip_norm(call, grads, 0.5)
    expect.close(norm, clip_by_norm(grads, 0.5)[1], "the returned norm", rtol=1e-9,
                 hint="return the norm measured before scaling, not after (which is max_norm)")


@HIDDEN.property("clip_by_norm", "below", "a gradient already below max_norm is returned unchanged")
def clip_by_norm__below(call):
    grads = [np.array([0.3, -0.4]), np.array([[0.1], [0.2]])]
    clipped, norm = _clip_norm(call, grads, 10.0)
    for k, (c, g) in enumerate(zip(clipped, grads)):
        expect.close(c, g, f"array {k} when the norm is below max_norm", rtol=1e-12,
                     hint="scale only when the norm is above max_norm")
    expect.close(norm, np.sqrt(0.3), "the returned norm", rtol=1e-9)


@HIDDEN.property("clip_by_norm", "values", "matches the reference on random lists of arrays")
def clip_by_norm__values(call):
    rng = np.random.default_rng(3403)
    for max_norm in (0.7, 3.0, 50.0):
        grads = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(2, 2, 2))]
        clipped, norm = _clip_norm(call, grads, max_norm)
        want, want_norm = clip_by_norm(grads, max_norm)
        for k, (c, w) in enumerate(zip(clipped, want)):
            expect.close(c, w, f"array {k} (max_norm={max_norm})", rtol=1e-9, atol=1e-12)
        expect.close(norm, want_norm, f"norm (max_norm={max_norm})", rtol=1e-9)


@HIDDEN.property("clip_by_norm", "pure", "leaves the gradient arrays unchanged")
def clip_by_norm__pure(call):
    grads = [np.array([30.0, 40.0]), np.array([[5.0]])]
    clipped, norm = _parts(expect.pure(call, "clip_by_norm", grads, 1.0), 2, "clip_by_norm",
                           arrays=False)
    want, want_norm = clip_by_norm(grads, 1.0)
    expect.close(float(norm), want_norm, "clip_by_norm's norm_before", rtol=1e-12)
    for i, (c, w) in enumerate(zip(clipped, want)):
        expect.close(c, w, f"clip_by_norm's array {i}", rtol=1e-12)
