"""Hidden checks of `augment_images`: shape, purity, shifts, dropped pixels, noise,
and the rotation angles recovered from the output (`rotation.recover_angles`).
"""
from __future__ import annotations

import numpy as np

from betternets.checks import expect, stats
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from .common import P
from .rotation import recover_angles


# --------------------------------------------------------------------------- augment_images


def _asymmetric_images(n, size=12, dtype=float):
    img = np.zeros((size, size))
    img[2:9, 4] = 1.0
    img[2, 4:8] = 0.8
    img[5, 4:7] = 0.6
    return np.repeat(img[None], n, axis=0).astype(dtype)


def _augment(call, images, seed, **kw):
    """The output of one call, judged new (not the input, nor a view of it) and an array."""
    out = expect.pure(call, "augment_images", images, Rng(seed), **kw)
    if not isinstance(out, np.ndarray):
        raise CheckFailed(f"augment_images returned {type(out).__name__}, expected a numpy array")
    return out


@HIDDEN.property("augment_images", "shape_dtype", "keeps shape and dtype (float64 and float32)")
def augment_images__shape_dtype(call):
    for dtype in (np.float64, np.float32):
        images = _asymmetric_images(6, dtype=dtype)
        out = _augment(call, images, 68, max_degrees=20.0, max_shift=2, drop_prob=0.1,
                       noise_std=0.05)
        expect.true(out.shape == images.shape, f"output shape {out.shape}, expected {images.shape}",
                    "rotate without reshaping (scipy.ndimage.rotate(..., reshape=False))")
        expect.true(out.dtype == dtype, f"output dtype {out.dtype} for {np.dtype(dtype).name} "
                    "input", "convert back at the end: out.astype(images.dtype)")
        expect.true(bool(np.all(np.isfinite(out))) and not np.array_equal(out, images),
                    "with noise_std = 0.05 the output should differ from the input, and be "
                    "finite", "add the noise after rotating, shifting and dropping")


@HIDDEN.property("augment_images", "untouched", "leaves the input images unchanged")
def augment_images__untouched(call):
    images = _asymmetric_images(5) + 0.1
    rec = call.record("augment_images", images, Rng(69), max_degrees=20.0, max_shift=1,
                      drop_prob=0.2, noise_std=0.1)
    expect.true(not rec.mutated, "augment_images changed its input images in place",
                "work on a copy: out = images.astype(float) (astype copies)")
    out = expect.same_shape(expect.pure(call, "augment_images", images, Rng(69),
                                        max_degrees=20.0, max_shift=1, drop_prob=0.2,
                                        noise_std=0.1), images.shape, "augment_images output")
    expect.true(bool(np.all(np.isfinite(out))) and not np.array_equal(out, images)
                and bool(np.any(out != 0)), "the output is not the noisy transformed images "
                "(unchanged, all zero or not finite)", "return the augmented copy")


@HIDDEN.property("augment_images", "identity", "with every magnitude 0 it returns an equal copy")
def augment_images__identity(call):
    images = np.random.default_rng(3906).random((4, 10, 10))
    out = _augment(call, images, 70, max_degrees=0.0, max_shift=0, drop_prob=0.0, noise_std=0.0)
    expect.close(out, images, "augment_images with all magnitudes 0", rtol=0, atol=1e-9,
                 hint="max_degrees=0, max_shift=0, drop_prob=0, noise_std=0 must change nothing")


@HIDDEN.property("augment_images", "per_image",
                 "every image gets its own random transform (copies of one image come out different)")
def augment_images__per_image(call):
    images = _asymmetric_images(40)
    out = np.asarray(expect.no_global_rng(call, "augment_images", images, Rng(71),
                                          max_degrees=30.0, max_shift=2), dtype=float)
    distinct = len({np.round(o, 6).tobytes() for o in out})
    expect.true(distinct >= 10, f"40 copies of one image gave only {distinct} different results",
                "draw a new angle and a new shift for every image, inside the loop")


@HIDDEN.property("augment_images", "shift",
                 "integer shifts move a pixel by at most max_shift, both ways, its value kept")
def augment_images__shift(call):
    n, size, c = 300, 9, 4
    images = np.zeros((n, size, size))
    images[:, c, c] = 1.0
    out = np.asarray(_augment(call, images, 72, max_degrees=0.0, max_shift=1), dtype=float)
    flat = out.reshape(n, -1)
    peak = flat.argmax(axis=1)
    rows, cols = np.unravel_index(peak, (size, size))
    expect.close(flat[np.arange(n), peak], np.ones(n), "the brightest pixel after an integer shift",
                 atol=1e-6, hint="shift by whole pixels, without interpolation blur")
    dy, dx = rows - c, cols - c
    expect.true(np.abs(dy).max() <= 1 and np.abs(dx).max() <= 1,
                f"a pixel moved by ({dy[np.argmax(np.abs(dy) + np.abs(dx))]}, "
                f"{dx[np.argmax(np.abs(dy) + np.abs(dx))]}) with max_shift=1",
                "draw shifts in [-max_shift, max_shift]")
    expect.true((np.maximum(dy, dx) > 0).any() and (np.minimum(dy, dx) < 0).any(),
                "over 300 images with max_shift=1 the pixel never moved both ways",
                "rng.integers(-s, s) excludes s: use rng.integers(-s, s + 1)")


@HIDDEN.property("augment_images", "shift_fill",
                 "a shift fills the pixels it uncovers with 0 (it does not wrap around)")
def augment_images__shift_fill(call):
    # Deterministic for a correct answer: a bright first column can move right by at most
    # max_shift = 1, so the last column stays 0; a wrap-around (np.roll) brings it there
    # whenever dx = -1, which happens in 200 images except with probability (2/3)^200.
    images = np.zeros((200, 9, 9))
    images[:, :, 0] = 1.0
    out = np.asarray(_augment(call, images, 79, max_degrees=0.0, max_shift=1), dtype=float)
    out = expect.same_shape(out, images.shape, "augment_images output")
    expect.true(bool(np.all(np.isfinite(out))), "augment_images output is not finite")
    moved = int(np.sum(np.abs(out[:, :, 1] - 1.0).max(axis=1) < 1e-9))
    expect.true(moved > 0, "in none of 200 images did the bright first column move right by 1",
                "draw the shift per image and axis from rng.integers(-max_shift, max_shift + 1)")
    wrapped = int(np.sum(np.abs(out[:, :, -1]).max(axis=1) > 1e-9))
    expect.true(wrapped == 0, f"in {wrapped} of 200 images the bright first column reappeared "
                "in the last column after a shift by at most 1",
                "fill uncovered pixels with 0 (scipy.ndimage.shift(..., mode=\"constant\", "
                "cval=0.0)), do not wrap around with np.roll")


@HIDDEN.property("augment_images", "drop",
                 "drops a fraction drop_prob of pixels to 0 and leaves the others as they were")
def augment_images__drop(call):
    images = np.ones((100, 16, 16))
    out = np.asarray(_augment(call, images, 73, max_degrees=0.0, max_shift=0, drop_prob=0.3),
                     dtype=float)
    zero = np.abs(out) < 1e-9
    expect.close(out[~zero], np.ones(int((~zero).sum())), "pixels that were not dropped",
                 atol=1e-9, hint="set dropped pixels to 0; do not rescale the others "
                 "(that is dropout, not augmentation)")
    stats.check_fraction(int(zero.sum()), zero.size, 0.3, "dropped pixels at drop_prob = 0.3", P,
                         "drop each pixel independently with probability drop_prob")


@HIDDEN.property("augment_images", "noise", "adds Gaussian noise of standard deviation noise_std")
def augment_images__noise(call):
    images = np.full((100, 16, 16), 0.5)
    out = np.asarray(_augment(call, images, 74, max_degrees=0.0, max_shift=0, noise_std=0.2),
                     dtype=float)
    r = (out - 0.5).ravel()
    stats.check_mean(r, 0.0, 0.2, "mean of the noise", P / 3)
    stats.check_variance(r, 0.04, "variance of the noise (noise_std = 0.2)", P / 3,
                         known_mean=0.0, hint="noise_std is a standard deviation: "
                         "rng.normal(0, noise_std, shape)")
    stats.check_normal(r, 0.0, 0.2, "the noise", P / 3)


@HIDDEN.property("augment_images", "drop_then_noise", "noise is added after dropping: dropped pixels are noisy too")
def augment_images__drop_then_noise(call):
    images = np.ones((100, 16, 16))
    out = np.asarray(_augment(call, images, 75, max_degrees=0.0, max_shift=0, drop_prob=0.5,
                              noise_std=0.05), dtype=float).ravel()
    low = out[out < 0.5]
    stats.check_fraction(low.size, out.size, 0.5, "pixels near 0 at drop_prob = 0.5", P / 2)
    stats.check_variance(low, 0.0025, "spread of the dropped pixels (noise_std = 0.05)", P / 2,
                         known_mean=0.0, hint="the order is rotate, shift, drop, then noise")


def _rotation_probe(n, size=15):
    """n copies of an asymmetric shape (an "F" of three grey levels) inside a blank border of
    at least 3 pixels, so a rotation by up to 20 degrees keeps it whole and the border stays 0
    (scipy's "constant" and "grid-constant" modes agree there)."""
    img = np.zeros((size, size))
    img[4:11, 5] = 1.0
    img[4, 5:10] = 0.8
    img[7, 5:9] = 0.6
    return np.repeat(img[None], n, axis=0)


@HIDDEN.property("augment_images", "angles",
                 "rotation angles are uniform over [-max_degrees, max_degrees], both ways "
                 "(max_degrees 20 and 0.8)")
def augment_images__angles(call):
    # The angle of each of 300 rotated copies is recovered to within 1e-7 degrees, far below the
    # spacing that matters to a Kolmogorov-Smirnov test on 300 values (its critical distance at
    # p = 5e-8 is about 0.16 of the CDF), so each of the two tests keeps its exact
    # false-failure probability P/2 = 5e-8 for a correct answer (1e-7 in all, < 1e-6). The
    # hard bounds allow 1e-6 degrees of recovery error.
    n = 300
    images = _rotation_probe(n)
    for seed, max_degrees in [(76, 20.0), (78, 0.8)]:
        out = np.asarray(_augment(call, images, seed, max_degrees=max_degrees, max_shift=0),
                         dtype=float)
        expect.same_shape(out, images.shape, "augment_images output")
        angles, _ = recover_angles(out, images[0], max_degrees, tol=1e-7)
        # the rotation direction is not part of the contract: a mirrored one gives -angle
        expect.true(np.abs(angles).max() <= max_degrees + 1e-6,
                    f"an image was rotated by {np.abs(angles).max():.3g} degrees with "
                    f"max_degrees={max_degrees}", "draw angles in [-max_degrees, max_degrees]")
        stats.check_uniform(np.clip(angles, -max_degrees, max_degrees), -max_degrees,
                            max_degrees, f"rotation angles recovered from {n} images "
                            f"(max_degrees={max_degrees})", P / 2,
                            "draw the angle with rng.uniform(-max_degrees, max_degrees), a new "
                            "one for every image, and rotate every image by it (also for a "
                            "small max_degrees)")


@HIDDEN.property("augment_images", "interpolation",
                 "rotation about the centre with linear interpolation, uncovered pixels 0")
def augment_images__interpolation(call):
    # Deterministic given the recovered angle: the contract's rotation reproduces every pixel
    # to rounding (recovery error ~1e-8 degrees moves a pixel by < 1e-8), so the bound 1e-6
    # never fails a correct answer; cubic or nearest interpolation, another centre or a fill of
    # 1 differ by more than 1e-2 on this shape.
    n = 20
    images = _rotation_probe(n)
    out = np.asarray(_augment(call, images, 77, max_degrees=20.0, max_shift=0), dtype=float)
    expect.same_shape(out, images.shape, "augment_images output")
    angles, worst = recover_angles(out, images[0], 20.0)
    expect.true(float(np.ptp(angles)) > 1.0, f"the {n} images were rotated by angles within "
                f"{float(np.ptp(angles)):.3g} degrees of each other",
                "draw one angle per image, uniformly from [-max_degrees, max_degrees]")
    k = int(np.argmax(worst))
    expect.true(worst[k] <= 1e-6, f"image {k} is no bilinear rotation of the input about its "
                f"centre with 0 fill: its closest one differs by {worst[k]:.3g} at some pixel",
                'rotate with scipy.ndimage.rotate(img, angle, reshape=False, order=1, '
                'mode="constant", cval=0.0)')
