"""Which rotation made an image: the numerics behind the hidden `augment_images` angle checks.

`augment_images` rotates each image by a random angle; to judge the angles' distribution the
checks recover each angle from the output. `rotations` reproduces the contract's rotation
(bilinear, about the centre, 0 fill) for many angles at once, `recover_angles` finds for every
output the angle whose rotation is closest in squared error: a 0.25 degree grid, then
`golden_minimum` on each bracket.

Written here rather than taken from scipy: `scipy.optimize.minimize_scalar(method="golden")`
searches one function at a time, and the checks search 300 images at once (one
`map_coordinates` call per step for all of them), which keeps a hidden check under a second.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage, special


def rotations(img, angles, pixels=None):
    """`img` rotated by each of `angles` (degrees), exactly as
    `ndimage.rotate(img, a, reshape=False, order=1, mode="constant", cval=0.0)` does it:
    output pixel o takes the bilinear value of img at R(a) (o - c) + c, with c the centre and
    R(a) = [[cos a, sin a], [-sin a, cos a]]; all angles in one `map_coordinates` call.
    `pixels` (rows, cols): only these output pixels, shape (len(angles), len(rows))."""
    angles = np.asarray(angles, dtype=float)[:, None, None]
    c, s = special.cosdg(angles), special.sindg(angles)
    centre = (np.array(img.shape) - 1) / 2
    r, q = (np.indices(img.shape) if pixels is None else np.asarray(pixels)[:, None, :]) \
        - centre[:, None, None]
    rows, cols = c * r + s * q + centre[0], -s * r + c * q + centre[1]
    out = ndimage.map_coordinates(img, [rows, cols], order=1, mode="constant", cval=0.0)
    return out if pixels is None else out[:, 0, :]


def reach(img):
    """The output pixels a rotation of `img` by any angle can make non-zero: those within
    the farthest non-zero pixel's distance from the centre, plus 1.5 for the bilinear
    neighbours."""
    centre = (np.array(img.shape) - 1) / 2
    dist = np.hypot(*(np.indices(img.shape) - centre[:, None, None]))
    return np.nonzero(dist <= dist[img != 0].max() + 1.5)


def golden_minimum(f, lo, hi, tol=1e-10):
    """The minimiser of each of several unimodal functions, by golden-section search, all at
    once: f(x) gives the n values at the n points x; each x stays within [lo, hi]."""
    inv = (np.sqrt(5.0) - 1) / 2
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    c, d = b - inv * (b - a), a + inv * (b - a)
    fc, fd = f(c), f(d)
    while np.max(b - a) > tol:
        left = fc < fd                       # the minimum is in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        keep, fkeep = np.where(left, c, d), np.where(left, fc, fd)
        new = np.where(left, b - inv * (b - a), a + inv * (b - a))
        fnew = f(new)
        c, fc = np.where(left, new, keep), np.where(left, fnew, fkeep)
        d, fd = np.where(left, keep, new), np.where(left, fkeep, fnew)
    return np.where(fc < fd, c, d)


def recover_angles(outs, img, max_degrees, tol=1e-10):
    """For each output, the angle whose reference rotation (bilinear, about the centre, 0 fill)
    is closest in squared error, and that error's largest pixel difference.

    A grid of 0.25 degree steps finds the neighbourhood, a golden-section search refines it to
    `tol` degrees (the squared error is unimodal near its minimum, which is 0 at the true
    angle for the contract's rotation). Every image is searched at once (`rotations`)."""
    outs = np.asarray(outs, dtype=float)
    span = max_degrees + 1.0
    grid = np.arange(-span, span + 1e-9, 0.25)
    table = rotations(img, grid)
    flat, tab = outs.reshape(len(outs), -1), table.reshape(len(grid), -1)
    g = grid[np.argmin((tab ** 2).sum(axis=1) - 2 * flat @ tab.T, axis=1)]  # + |out|^2
    # at 0 the pixel grids align and the error has a kink with a second local minimum on the
    # other side: search each side of 0 separately and keep the better one
    near = np.abs(g) < 0.3
    which = np.concatenate([np.arange(len(outs)), np.flatnonzero(near)])
    lo = np.concatenate([g - 0.3, np.zeros(near.sum())])
    hi = np.concatenate([np.where(near, 0.0, g + 0.3), g[near] + 0.3])

    # outside `reach` every reference rotation is 0, so the error there does not depend on
    # the angle and the search may leave it out
    pixels = reach(img)
    inside = outs[which][:, pixels[0], pixels[1]]

    def error(angles):
        return ((rotations(img, angles, pixels) - inside) ** 2).sum(axis=1)

    found = golden_minimum(error, lo, hi, tol)
    err = error(found)
    angles = found[:len(outs)].copy()
    for i, k in enumerate(which[len(outs):]):
        if err[len(outs) + i] < err[k]:
            angles[k] = found[len(outs) + i]
    worst = np.abs(rotations(img, angles) - outs).max(axis=(1, 2))
    return angles, worst
