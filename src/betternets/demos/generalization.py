"""Notebook 03's demonstrations: a small network on digits trained with or without more data,
augmentation and dropout, always compared at the same number of gradient steps.

``train_mlp`` is written out (not ``nn.train``) so that the notebook can plug in the student's
own dropout and weight updates.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from betternets import nn

WeightUpdate = Callable[[np.ndarray, np.ndarray], np.ndarray]
Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _evaluate(params, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(cross-entropy, accuracy) of the network without dropout."""
    W1, b1, W2, b2 = params
    logits = np.maximum(X @ W1 + b1, 0.0) @ W2 + b2
    return nn.softmax_cross_entropy(logits, y)[0], float(np.mean(logits.argmax(axis=1) == y))


def train_mlp(X, y, X_val, y_val, *, hidden=64, epochs=30, steps=None, lr=0.1, batch_size=32,
              p_drop=0.0, dropout=None, weight_update: WeightUpdate | None = None,
              augment: Augment | None = None, record_every=None, seed=0):
    """A 64-hidden-10 ReLU network trained with mini-batch SGD; returns (params, history).

    It takes `steps` gradient steps, or `epochs` passes over X when steps is None. One epoch is one pass over a fresh permutation of X; with `augment`, every epoch trains on
    augment(X, rng), new random copies each time, so augmentation adds variety, not steps.
    dropout = (dropout_forward, dropout_backward) is applied to the hidden layer when p_drop > 0;
    weight_update(W, dW) -> new W replaces plain SGD for the weight matrices (biases keep SGD).
    history holds "step" and the training/validation "loss" and "acc" after every
    `record_every` steps (default: once an epoch).
    """
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(X.shape[1], hidden)) * np.sqrt(2 / X.shape[1])   # He initialization
    W2 = rng.normal(size=(hidden, 10)) / np.sqrt(hidden)
    b1, b2 = np.zeros(hidden), np.zeros(10)
    if weight_update is None:
        weight_update = lambda W, dW: W - lr * dW
    if p_drop > 0 and dropout is None:
        raise ValueError("p_drop > 0 needs dropout=(dropout_forward, dropout_backward)")
    batches_per_epoch = -(-len(X) // batch_size)
    steps = epochs * batches_per_epoch if steps is None else steps
    record_every = record_every or batches_per_epoch
    history = {"step": [], "train_loss": [], "val_loss": [], "train_acc": [], "val_acc": []}
    step = 0
    while step < steps:
        X_epoch = X if augment is None else augment(X, rng)
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            Xb, yb = X_epoch[batch], y[batch]
            Z1 = Xb @ W1 + b1
            H = np.maximum(Z1, 0.0)
            mask = None
            if p_drop > 0:
                H, mask = dropout[0](H, p_drop, rng)           # a NEW mask for every mini-batch
            loss, dlogits = nn.softmax_cross_entropy(H @ W2 + b2, yb)
            dW2, db2 = H.T @ dlogits, dlogits.sum(axis=0)
            dH = dlogits @ W2.T
            if mask is not None:
                dH = dropout[1](dH, mask)                      # the same mask on the way back
            dZ1 = dH * (Z1 > 0)
            dW1, db1 = Xb.T @ dZ1, dZ1.sum(axis=0)
            W1, W2 = weight_update(W1, dW1), weight_update(W2, dW2)
            b1, b2 = b1 - lr * db1, b2 - lr * db2
            step += 1
            if step % record_every == 0 or step == steps:
                history["step"].append(step)
                for split, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
                    loss_, acc_ = _evaluate((W1, b1, W2, b2), Xs, ys)
                    history[f"{split}_loss"].append(loss_)
                    history[f"{split}_acc"].append(acc_)
            if step == steps:
                break
    return (W1, b1, W2, b2), history


def digits_split(train_val_test_split):
    """Digits (flattened 8x8 images) split 60/20/20 with the student's splitter and seed 0."""
    from betternets import data

    X, y = data.load_digits(flat=True)
    return train_val_test_split(X, y, np.random.default_rng(0))


def compare_training_sizes(X, y, X_val, y_val, small=200, steps=1000, seed=0):
    """Histories of the same network trained on X[:small] and on all of X, both for `steps`
    gradient steps (so the small set is passed over many more times), recorded every 25 steps."""
    return {f"{n} training images": train_mlp(X[:n], y[:n], X_val, y_val, steps=steps,
                                              record_every=25, seed=seed)[1]
            for n in (small, len(X))}


def augment_some(augment_images, fraction=0.5, **magnitudes) -> Augment:
    """An `augment` for train_mlp: each epoch, a random `fraction` of the images is replaced by
    augment_images(image, rng, **magnitudes), the rest stay as they are. Flattened in and out."""
    def augment(X, rng):
        chosen = rng.random(len(X)) < fraction
        altered = X.copy()
        images = X[chosen].reshape(-1, 8, 8)
        altered[chosen] = augment_images(images, rng, **magnitudes).reshape(len(images), -1)
        return altered
    return augment


def compare_augmentation(X, y, X_val, y_val, augment, n=150, steps=2000, seeds=range(5)):
    """{"plain": [history per seed], "augmented": [...]}: X[:n] as it is, or freshly augmented
    every epoch; the same network, seeds and number of gradient steps for both."""
    runs = {"plain": [], "augmented": []}
    for seed in seeds:
        for name, aug in (("plain", None), ("augmented", augment)):
            runs[name].append(train_mlp(X[:n], y[:n], X_val, y_val, steps=steps, augment=aug,
                                        record_every=100, seed=seed)[1])
    return runs


def with_wrong_labels(y, fraction, rng):
    """A copy of y in which each label is, with probability `fraction`, replaced by a random
    digit 0-9 (sometimes the right one): labelling errors for a network to memorise."""
    y = np.array(y)
    relabel = rng.random(len(y)) < fraction
    y[relabel] = rng.integers(0, 10, relabel.sum())
    return y


def compare_dropout(X, y, X_val, y_val, dropout, rates=(0.0, 0.25, 0.5), n=300,
                    wrong_labels=0.2, hidden=256, steps=4000, seed=0):
    """{p_drop: history}: a 256-hidden network on X[:n], about `wrong_labels` of whose labels
    are random, for the same `steps` SGD steps at every rate (recorded every 100 steps)."""
    y_noisy = with_wrong_labels(y[:n], wrong_labels, np.random.default_rng(seed + 1))
    return {p: train_mlp(X[:n], y_noisy, X_val, y_val, hidden=hidden, steps=steps, p_drop=p,
                         dropout=dropout, record_every=100, seed=seed)[1]
            for p in rates}


def overfitting_rise(history) -> float:
    """How far the validation loss climbed from its lowest point: val_loss[-1] - min(val_loss)."""
    val = np.asarray(history["val_loss"], dtype=float)
    return float(val[-1] - val.min())


def scale_images(images, rng, max_change=0.15):
    """Each image zoomed about its centre by a factor drawn from [1 - max_change, 1 + max_change]
    (bilinear, 0 outside), the seed's "scale" augmentation; a new array of the same shape."""
    from scipy import ndimage

    images = np.asarray(images, dtype=np.float64)
    out = np.empty_like(images)
    centre = (np.array(images.shape[1:]) - 1) / 2
    for k, img in enumerate(images):
        factor = rng.uniform(1 - max_change, 1 + max_change)
        # output pixel o samples input pixel centre + (o - centre) / factor
        out[k] = ndimage.affine_transform(img, np.eye(2) / factor,
                                          offset=centre - centre / factor, order=1,
                                          mode="constant", cval=0.0)
    return out
