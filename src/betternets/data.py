"""Data sets for the course: digits (bundled), small 2-D toy sets, and a local MNIST reader.

Nothing here downloads anything. Every random data set takes an explicit ``rng``
(a ``numpy.random.Generator``), so the same generator gives the same data.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

# IDX type codes -> big-endian numpy dtypes (the format stores everything big-endian).
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return int(n)


def _check_rng(rng: np.random.Generator) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    return rng


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(X))
    return X[order], y[order]


# --------------------------------------------------------------------------- digits


def load_digits(flat: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits: X = pixels / 16 in [0, 1], shape (1797, 8, 8) or (1797, 64)."""
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = np.asarray(bunch.images, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return (X.reshape(len(X), -1) if flat else X), y


def one_hot(y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Y[i, c] = 1 if y[i] == c else 0, as float64 of shape (N, n_classes)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a 1-D array of integer labels, got dtype {y.dtype} "
                         f"and shape {y.shape}")
    if n_classes is None:
        n_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels in y must lie in 0..n_classes-1 = 0..{n_classes - 1}, "
                         f"got values from {y.min()} to {y.max()}")
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y] = 1.0
    return Y


# --------------------------------------------------------------------------- 2-D toy sets


def make_moons(n: int, rng: np.random.Generator, noise: float = 0.1):
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on (1 - cos t, 0.5 - sin t)."""
    n, rng = _check_n(n), _check_rng(rng)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    n0 = n // 2
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t[:n0]), np.sin(t[:n0])])
    lower = np.column_stack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n - n0, dtype=np.int64)])
    return _shuffled(X, y, rng)


def make_blobs(n: int, rng: np.random.Generator, centers: int | np.ndarray = 3, std: float = 0.5):
    """Gaussian blobs x ~ N(center_c, std^2 I); integer centers are spread on a circle of radius 2.5."""
    n, rng = _check_n(n), _check_rng(rng)
    if std < 0:
        raise ValueError(f"std must be >= 0, got {std!r}")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"centers must be a positive integer or a (k, 2) array, got {centers!r}")
        angles = 2 * np.pi * np.arange(centers) / centers
        centers = 2.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must be a positive integer or a (k, 2) array, got shape {centers.shape}")
    y = np.arange(n, dtype=np.int64) % len(centers)  # balanced classes
    X = centers[y] + std * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_spirals(n: int, rng: np.random.Generator, classes: int = 3, noise: float = 0.2):
    """Interleaved spiral arms: radius r in [0, 1], angle = arm offset + 4 r + noise * N(0, 1)."""
    n, rng = _check_n(n), _check_rng(rng)
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError(f"classes must be a positive integer, got {classes!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    y = np.arange(n, dtype=np.int64) % classes
    r = rng.uniform(0.0, 1.0, size=n)
    angle = 2 * np.pi * y / classes + 4.0 * r + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _shuffled(X, y, rng)


def smooth_target(x: np.ndarray) -> np.ndarray:
    """The noise-free curve behind noisy_polynomial: t(x) = sin(3x) + 0.5 x."""
    x = np.asarray(x, dtype=np.float64)
    return np.sin(3.0 * x) + 0.5 * x


def noisy_polynomial(n: int, rng: np.random.Generator, noise: float = 0.3):
    """x ~ U[-1, 1] and y = smooth_target(x) + noise * N(0, 1), both of shape (n,)."""
    n, rng = _check_n(n), _check_rng(rng)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    x = rng.uniform(-1.0, 1.0, size=n)
    y = smooth_target(x) + noise * rng.standard_normal(n)
    return x, y


# --------------------------------------------------------------------------- MNIST (IDX files)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Parse an IDX file (optionally gzipped): magic 00 00 <type> <ndim>, big-endian uint32 dims, data."""
    path = Path(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file name says
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"path {path} is not an IDX file: it must start with two zero bytes")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"path {path}: unknown IDX type code 0x{code:02X}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"path {path}: file too short for {ndim} dimensions")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(IDX_DTYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"path {path}: header promises {expected} data bytes for shape {shape}, "
                         f"found {len(raw) - header}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def _find_idx(folder: Path, stem: str) -> Path:
    """The first existing file among stem and its usual variants (.gz, '.' before 'idx')."""
    dotted = stem.replace("-idx", ".idx")
    names = [stem, stem + ".gz", dotted, dotted + ".gz"]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"MNIST file {stem}[.gz] not found in folder {folder} "
                            f"(looked for: {', '.join(names)}). Place the MNIST IDX files there; "
                            f"betternets never downloads anything.")


def load_mnist(folder: str | os.PathLike, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST from local IDX files: X = pixels / 255 of shape (N, 28, 28) float64, y int64."""
    if kind not in ("train", "test"):
        raise ValueError(f"kind must be 'train' or 'test', got {kind!r}")
    folder = Path(folder)
    prefix = "train" if kind == "train" else "t10k"
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist; it should contain "
                                f"{prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz]")
    images = read_idx(_find_idx(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find_idx(folder, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"folder {folder}: expected images (N, rows, cols) and labels (N,), "
                         f"got {images.shape} and {labels.shape}")
    return images.astype(np.float64) / 255.0, labels.astype(np.int64)
