import gzip
import struct

import numpy as np
import pytest

from betternets import data


def test_load_digits_shapes_ranges_and_dtypes():
    X, y = data.load_digits()
    assert X.shape == (1797, 8, 8) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    Xf, yf = data.load_digits(flat=True)
    assert Xf.shape == (1797, 64)
    np.testing.assert_array_equal(Xf.reshape(-1, 8, 8), X)
    np.testing.assert_array_equal(yf, y)
    assert set(np.unique(y)) == set(range(10))


def test_one_hot():
    Y = data.one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert data.one_hot(np.array([1]), n_classes=4).shape == (1, 4)
    with pytest.raises(ValueError, match="y"):
        data.one_hot(np.array([0, 5]), n_classes=3)
    with pytest.raises(ValueError, match="y"):
        data.one_hot(np.array([0.5, 1.0]))


@pytest.mark.parametrize("make, n_classes", [(data.make_moons, 2), (data.make_blobs, 3),
                                             (data.make_spirals, 3)])
def test_toy_sets_shapes_balance_and_reproducibility(make, n_classes):
    X, y = make(120, np.random.default_rng(0))
    assert X.shape == (120, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [120 // n_classes] * n_classes
    X2, y2 = make(120, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(120, np.random.default_rng(1))
    assert not np.allclose(X, X3)


def test_toy_sets_do_not_use_global_state():
    np.random.seed(0)
    X1, _ = data.make_moons(50, np.random.default_rng(3))
    np.random.seed(1)
    X2, _ = data.make_moons(50, np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)


def test_moons_without_noise_lie_on_the_half_circles():
    X, y = data.make_moons(200, np.random.default_rng(0), noise=0.0)
    r0 = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r1 = np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r0, 1.0)
    np.testing.assert_allclose(r1, 1.0)


def test_blobs_cluster_around_their_centers():
    centers = np.array([[5.0, 0.0], [-5.0, 0.0]])
    X, y = data.make_blobs(400, np.random.default_rng(0), centers=centers, std=0.1)
    for c in range(2):
        np.testing.assert_allclose(X[y == c].mean(axis=0), centers[c], atol=0.05)


def test_toy_sets_reject_bad_arguments():
    with pytest.raises(ValueError, match="rng"):
        data.make_moons(10, 0)
    with pytest.raises(ValueError, match="n"):
        data.make_spirals(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="noise"):
        data.noisy_polynomial(10, np.random.default_rng(0), noise=-1)


def test_noisy_polynomial():
    x, y = data.noisy_polynomial(500, np.random.default_rng(0), noise=0.3)
    assert x.shape == y.shape == (500,)
    assert x.min() >= -1 and x.max() <= 1
    residual = y - data.smooth_target(x)
    assert 0.25 < residual.std() < 0.35
    x0, y0 = data.noisy_polynomial(20, np.random.default_rng(0), noise=0.0)
    np.testing.assert_allclose(y0, data.smooth_target(x0))


def write_idx(path, array, code, fmt, compress=False):
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(fmt).tobytes()
    if compress:
        payload = gzip.compress(payload)
    path.write_bytes(payload)


@pytest.mark.parametrize("code, fmt", [(0x08, ">u1"), (0x09, ">i1"), (0x0B, ">i2"),
                                       (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")])
def test_read_idx_round_trip_all_types(tmp_path, code, fmt):
    array = (np.arange(24).reshape(2, 3, 4) - (0 if fmt == ">u1" else 7)).astype(fmt)
    write_idx(tmp_path / "a.idx", array, code, fmt)
    write_idx(tmp_path / "a.idx.gz", array, code, fmt, compress=True)
    for name in ("a.idx", "a.idx.gz"):
        back = data.read_idx(tmp_path / name)
        assert back.shape == (2, 3, 4)
        assert back.dtype == np.dtype(fmt).newbyteorder("=")
        np.testing.assert_array_equal(back, array)


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="IDX"):
        data.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"\x00")
    with pytest.raises(ValueError, match="bytes"):
        data.read_idx(tmp_path / "short")


def make_mnist_folder(folder, prefix, n=5, compress=False):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    ext = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images, 0x08, ">u1", compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels, 0x08, ">u1", compress)
    return images, labels


@pytest.mark.parametrize("kind, prefix, compress", [("train", "train", False),
                                                    ("test", "t10k", True)])
def test_load_mnist_from_local_files(tmp_path, kind, prefix, compress):
    images, labels = make_mnist_folder(tmp_path, prefix, compress=compress)
    X, y = data.load_mnist(tmp_path, kind=kind)
    assert X.shape == (5, 28, 28) and X.dtype == np.float64
    assert y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_allclose(X, images / 255.0)
    np.testing.assert_array_equal(y, labels)


def test_load_mnist_missing_files_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.load_mnist(tmp_path / "nowhere")
    make_mnist_folder(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        data.load_mnist(tmp_path, kind="test")
    with pytest.raises(ValueError, match="kind"):
        data.load_mnist(tmp_path, kind="validation")
