"""The numerics behind the hidden `augment_images` angle checks
(`betternets_grader.hidden.ex03_generalization.rotation`): the vectorised golden-section search
finds known minima, `rotations` is scipy's rotation, and `recover_angles` gives back the angles
of images rotated by `scipy.ndimage.rotate` (computed here, independently of the course's
reference)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from betternets_grader.hidden.ex03_generalization import rotation


def _shape(size=15):
    """An asymmetric "F" of three grey levels with a blank border of 4 pixels."""
    img = np.zeros((size, size))
    img[4:11, 5] = 1.0
    img[4, 5:10] = 0.8
    img[7, 5:9] = 0.6
    return img


def _rotate(img, angle):
    return ndimage.rotate(img, angle, reshape=False, order=1, mode="constant", cval=0.0)


def test_golden_minimum_finds_the_minimiser_of_each_function_at_once():
    centres = np.array([-2.5, 0.0, 0.3, 1.75])
    found = rotation.golden_minimum(lambda x: (x - centres) ** 2, np.full(4, -3.0),
                                    np.full(4, 3.0), tol=1e-10)
    assert np.abs(found - centres).max() < 1e-9


def test_golden_minimum_of_an_asymmetric_function_and_a_minimum_at_the_bracket_end():
    # cosh(x) - x has its minimum where sinh(x) = 1: x = asinh(1) = ln(1 + sqrt 2); its value
    # there is 0.53, whose rounding (1e-16) hides the curve within sqrt(1e-16) = 1e-8 of it
    found = rotation.golden_minimum(lambda x: np.cosh(x) - x, np.array([-1.0, 2.0]),
                                    np.array([3.0, 5.0]), tol=1e-10)
    assert abs(found[0] - np.log(1 + np.sqrt(2))) < 1e-7
    assert 2.0 <= found[1] < 2.0 + 1e-8      # increasing on [2, 5]: the left end
    assert np.all(found >= [-1.0, 2.0]) and np.all(found <= [3.0, 5.0])


@pytest.mark.parametrize("angle", [-17.3, -0.4, 0.0, 0.05, 9.0, 20.0])
def test_rotations_is_scipys_bilinear_rotation_about_the_centre(angle):
    img = _shape()
    assert np.abs(rotation.rotations(img, [angle])[0] - _rotate(img, angle)).max() < 1e-12


def test_rotations_of_some_pixels_are_those_pixels_of_the_whole_rotation():
    img = _shape()
    pixels = rotation.reach(img)
    whole = rotation.rotations(img, [3.0, -11.0])
    part = rotation.rotations(img, [3.0, -11.0], pixels)
    assert np.array_equal(part, whole[:, pixels[0], pixels[1]])


def test_reach_holds_every_pixel_a_rotation_can_light():
    img = _shape()
    inside = np.zeros(img.shape, dtype=bool)
    inside[rotation.reach(img)] = True
    for angle in np.linspace(-180, 180, 73):
        assert not _rotate(img, angle)[~inside].any(), angle


def test_recover_angles_gives_back_known_rotations_both_ways_and_near_zero():
    img = _shape()
    angles = np.array([-19.5, -7.25, -0.2, -0.01, 0.0, 0.003, 0.26, 4.0, 12.6, 19.9])
    outs = np.stack([_rotate(img, a) for a in angles])
    found, worst = rotation.recover_angles(outs, img, 20.0)
    assert np.abs(found - angles).max() < 1e-6
    assert worst.max() < 1e-7


def test_recover_angles_reports_an_output_that_is_no_such_rotation():
    img = _shape()
    cubic = ndimage.rotate(img, 8.0, reshape=False, order=3, mode="constant", cval=0.0)
    _, worst = rotation.recover_angles(cubic[None], img, 20.0)
    assert worst[0] > 1e-2
