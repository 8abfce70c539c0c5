"""The shared contract's rules for notebook 03, made by `betternets.checks.contract`, one
table a rule: float64 answers for integer-valued input and at 1e40; new objects (the input
never changed, never handed back, even where nothing is to be done: a small gradient, a
test-time dropout, a zero magnitude); randomness only from the rng given; every image
augmented; every edge of early stopping; every bad `fractions` refused.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import contract
from betternets.checks.calls import Rng
from betternets.checks.core import CheckFailed

from ... import HIDDEN
from . import reference as ref

_I = np.array([[2, -1, 0], [1, 3, -4]])   # integer-valued weights
_D = np.array([[1, 0, -1], [2, -2, 1]])
_BIG = np.array([[1e40, -2.0, 0.0], [0.5, -1e40, 3.0]])
_X, _Y = np.arange(40.0).reshape(20, 2), np.arange(20)

FLOAT64 = {  # exercise: cases (args, kwargs)
    "bias_variance": [((np.array([[1, 2, 3], [3, 2, 1]]), np.array([2, 2, 2])), {})],
    "l2_penalty": [(([_I, _D], 1, 4), {}), (([_BIG], 2.0, 4), {})],
    "l2_penalty_grad": [((_I, 1, 4), {}), ((_BIG, 2.0, 4), {})],
    "l1_penalty": [(([_I, _D], 1, 4), {}), (([_BIG], 2.0, 4), {})],
    "l1_penalty_grad": [((_I, 1, 4), {}), ((_BIG, 2.0, 4), {})],
    "sgd_l2_update": [((_I, _D, 1, 1, 4), {}), ((_BIG, _D, 0.1, 2.0, 4), {})],
    "sgd_l1_update": [((_I, _D, 1, 1, 4), {}), ((_BIG, _D, 0.1, 2.0, 4), {})],
    "clip_by_value": [((_I, 1.5), {}), ((_BIG, 3.0), {})],
}
for _name, _cases in FLOAT64.items():
    contract.register(HIDDEN, _name, "float64",
                      "float64 answers for integer-valued input, right at +-1e40",
                      contract.float64(_name, _cases, getattr(ref, _name), rtol=1e-12,
                                       pick=(lambda v: list(v)) if _name == "bias_variance"
                                       else None))

_A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
NEW_OBJECTS = {  # exercise: (description, cases where handing the input back is tempting)
    "train_test_split": ("X and y unchanged, four new arrays",
                         [((_X, _Y, Rng(1)), {})]),
    "train_val_test_split": ("X and y unchanged, six new arrays", [((_X, _Y, Rng(1)), {})]),
    "clip_by_norm": ("a small gradient comes back as new arrays (never the ones given)",
                     [(([_A, np.array([0.1])], 100.0), {}), (([_A], 1.0), {})]),
    "dropout_forward": ("A unchanged and a new array out, in training and at test time "
                        "(A.copy()) and with p_drop = 0",
                        [((_A, 0.5, Rng(2)), {}), ((_A, 0.5, Rng(3)), {"train": False}),
                         ((_A, 0.0, Rng(4)), {})]),
    "dropconnect_forward": ("X, W and b unchanged (W * mask, not W *= mask)",
                            [((_A, _A.T.copy(), np.ones(2), 0.5, Rng(5)), {})]),
    "shakeout_weights": ("W unchanged and a new W_tilde (no in-place scaling)",
                         [((_A, 0.5, 1.0, Rng(6)), {}), ((_A, 0.0, 1.0, Rng(7)), {})]),
    "whiteout_forward": ("X, W and b unchanged, also with no noise at all",
                         [((_A, _A.T.copy(), np.ones(2), 0.5, 0.5, 0.1, Rng(8)), {}),
                          ((_A, _A.T.copy(), np.ones(2), 0.0, 0.0, 0.0, Rng(9)), {})]),
    "early_stopping": ("the list of losses is left as it was (no sorting in place)",
                       [(([3.0, 1.0, 2.0, 0.5, 4.0], 2), {})]),
}
for _name, (_text, _cases) in NEW_OBJECTS.items():
    contract.register(HIDDEN, _name, "new_objects", _text,
                      contract.new_objects(_name, _cases, getattr(ref, _name)))

contract.register(HIDDEN, "train_val_test_split", "seeded",
                  "same seed, same split; two seeds, two splits; no global random state",
                  contract.seeded("train_val_test_split", lambda rng: ((_X, _Y, rng), {})))
_IMAGES = np.random.default_rng(3950).random((6, 8, 8))
# Each random part of augment_images on its own (rotation, shift, dropped pixels, noise): a
# part drawn from np.random or from a generator of its own shows only where it is the one
# thing that varies. 16 images: two seeds give all 16 shifts alike with probability 9^-16.
_MANY = np.random.default_rng(3953).random((16, 8, 8))
AUGMENT_PARTS = [{"max_degrees": 10.0, "max_shift": 0},
                 {"max_degrees": 0.0, "max_shift": 1},
                 {"max_degrees": 0.0, "max_shift": 0, "drop_prob": 0.3},
                 {"max_degrees": 0.0, "max_shift": 0, "noise_std": 0.1}]
AUGMENT_SEEDED = [contract.seeded("augment_images", lambda rng, kw=kw: ((_MANY, rng), kw))
                  for kw in AUGMENT_PARTS]


def _noise_of_half(out, image):
    """Is out - image noise N(0, 0.5^2) over 64 pixels? Its mean within 0.4 (6.4 standard
    errors) of 0 and its root mean square within [0.25, 0.8] (beyond 5.6 standard errors of
    0.5 either way): a correct answer fails with probability below 1e-8 an image."""
    d = np.asarray(out, dtype=float) - image
    rms = float(np.sqrt(np.mean(d ** 2)))
    return bool(abs(float(np.mean(d))) < 0.4 and 0.25 <= rms <= 0.8)


def _moved(out, image):
    """Could out be image rotated (bilinear, 0 fill) and shifted? Finite, within the image's
    range [0, max], and not all 0 (a rotation by at most 10 degrees and a shift by 1 pixel
    keep most of an 8 x 8 image of random pixels)."""
    out = np.asarray(out, dtype=float)
    return bool(np.all(np.isfinite(out)) and out.min() >= -1e-9
                and out.max() <= image.max() + 1e-9 and out.sum() > 0.25 * image.sum())


AUGMENT_EVERY = [
    contract.every_item_changed("augment_images", ((_IMAGES, Rng(3951)),
                                                   {"max_degrees": 0.0, "max_shift": 0,
                                                    "noise_std": 0.5}),
                                plausible=_noise_of_half),
    contract.every_item_changed("augment_images", ((_IMAGES, Rng(3952)),
                                                   {"max_degrees": 10.0, "max_shift": 1}),
                                plausible=_moved)]


contract.register(HIDDEN, "augment_images", "seeded",
                  "same seed, same images; two seeds, different images, for each random part "
                  "alone (angle, shift, dropped pixels, noise); only the rng given",
                  contract.all_of(AUGMENT_SEEDED))
contract.register(HIDDEN, "augment_images", "every_image",
                  "every image is augmented, the first and the last too: each rotated and "
                  "shifted, each given noise", contract.all_of(AUGMENT_EVERY))


contract.register(HIDDEN, "train_val_test_split", "refuses",
                  "four or two fractions, and three summing below 1, raise ValueError naming "
                  "fractions",
                  contract.refuses("train_val_test_split",
                                   [((_X, _Y, Rng(0)), {"fractions": bad}, "fractions")
                                    for bad in ((0.5, 0.2, 0.2, 0.1), (0.8, 0.2),
                                                (0.5, 0.2, 0.2))]))


def _same_epochs(got, expected, what):
    try:
        pair = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} returned {type(got).__name__}, not (stop_epoch, best_epoch)",
                          "return two epoch indices") from None
    if pair != tuple(expected):
        raise CheckFailed(f"{what} gave (stop, best) = {pair}, expected {tuple(expected)}",
                          "epoch 0 is the first best; loop over every epoch from 0; stop at "
                          "the first e with e - best == patience, else at the last epoch")


EARLY_EDGES = [([1.0, 2.0, 3.0], 0), ([3.0, 2.0, 1.0], 0), ([3.0, 2.0, 1.0], 2),
               ([1.0, 2.0, 3.0, 4.0], 2), ([1.0, 1.0, 1.0, 1.0], 1), ([5.0], 3),
               ([2.0, 1.0, 1.5, 0.5], 1)]
contract.register(HIDDEN, "early_stopping", "edges",
                  "patience 0, a minimum at the first or the last epoch, all ties, one epoch",
                  contract.matches("early_stopping", [((v, p), {}) for v, p in EARLY_EDGES],
                                   ref.early_stopping, judge=_same_epochs))
