"""Catalog for notebook 03: better generalization."""
from catalog import edited, right, wrong

NOTEBOOK = "03_generalization"

AUGMENT = """
from scipy import ndimage

def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
    images = np.asarray(images)
    out = images.astype(np.float64)
    for k in range(len(out)):
        img = out[k]
        if max_degrees > 0:
            angle = rng.uniform(-max_degrees, max_degrees)
            img = ndimage.rotate(img, angle, reshape=False, order=1, mode="constant", cval=0.0)
        if max_shift > 0:
            dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
            img = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=0.0)
        out[k] = img
    if drop_prob > 0:
        out[rng.random(out.shape) < drop_prob] = 0.0
    if noise_std > 0:
        out = out + rng.normal(0.0, noise_std, size=out.shape)
    return out.astype(images.dtype)
"""
"""The solution's augment_images: the base of the entries that break the shared contract."""
AUGMENT_PER_IMAGE = edited(
    AUGMENT, ("        out[k] = img\n",
              "        if drop_prob > 0:\n"
              "            img = np.where(rng.random(img.shape) < drop_prob, 0.0, img)\n"
              "        if noise_std > 0:\n"
              "            img = img + rng.normal(0.0, noise_std, size=img.shape)\n"
              "        out[k] = img\n"),
    ("    if drop_prob > 0:\n        out[rng.random(out.shape) < drop_prob] = 0.0\n"
     "    if noise_std > 0:\n        out = out + rng.normal(0.0, noise_std, size=out.shape)\n", ""))
"""The same with the dropped pixels and the noise drawn image by image, inside the loop."""

SPLIT3 = """
def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions!r}")
    X, y = np.asarray(X), np.asarray(y)
    N = len(X)
    n_val, n_test = round(N * fractions[1]), round(N * fractions[2])
    order = rng.permutation(N)
    val, test, train = order[:n_val], order[n_val:n_val + n_test], order[n_val + n_test:]
    return X[train], X[val], X[test], y[train], y[val], y[test]
"""
"""The solution's train_val_test_split: the base of the entries that accept bad fractions."""

ENTRIES = [
    # ------------------------------------------------------------------ bias_variance
    wrong("bias_variance", "sample variance ddof=1", """
        def bias_variance(predictions, y_true):
            p, y = np.asarray(predictions, float), np.asarray(y_true, float)
            return float(np.mean((p.mean(axis=0) - y) ** 2)), float(np.mean(p.var(axis=0, ddof=1)))
    """),
    wrong("bias_variance", "squares the average error instead of averaging squares", """
        def bias_variance(predictions, y_true):
            p, y = np.asarray(predictions, float), np.asarray(y_true, float)
            return float(np.mean(p.mean(axis=0) - y) ** 2), float(np.mean(p.var(axis=0)))
    """),
    wrong("bias_variance", "averages over points instead of models", """
        def bias_variance(predictions, y_true):
            p, y = np.asarray(predictions, float), np.asarray(y_true, float)
            return float(np.mean((p.mean(axis=1) - y.mean()) ** 2)), float(np.mean(p.var(axis=1)))
    """),
    wrong("bias_variance", "bias not squared", """
        def bias_variance(predictions, y_true):
            p, y = np.asarray(predictions, float), np.asarray(y_true, float)
            return float(np.mean(np.abs(p.mean(axis=0) - y))), float(np.mean(p.var(axis=0)))
    """),
    right("bias_variance", "variance as mse minus bias", """
        def bias_variance(predictions, y_true):
            p, y = np.asarray(predictions, float), np.asarray(y_true, float)
            bias2 = float(np.mean((p.mean(axis=0) - y) ** 2))
            mse = float(np.mean((p - y) ** 2))
            return bias2, mse - bias2
    """),
    right("bias_variance", "python loops", """
        def bias_variance(predictions, y_true):
            M, P = len(predictions), len(predictions[0])
            b, v = 0.0, 0.0
            for j in range(P):
                col = [float(predictions[m][j]) for m in range(M)]
                mean = sum(col) / M
                b += (mean - float(y_true[j])) ** 2
                v += sum((c - mean) ** 2 for c in col) / M
            return b / P, v / P
    """),
    # ------------------------------------------------------------------ train_test_split
    wrong("train_test_split", "no shuffle", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            n_test = round(len(X) * test_fraction)
            n_train = len(X) - n_test
            return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    """),
    wrong("train_test_split", "sampling with replacement", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            N = len(X)
            n_test = round(N * test_fraction)
            idx = rng.integers(0, N, size=N)
            return X[idx[n_test:]], X[idx[:n_test]], y[idx[n_test:]], y[idx[:n_test]]
    """),
    wrong("train_test_split", "int truncation of the test size", hint='int() truncation of the test size', source="""
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            n_test = int(len(X) * test_fraction)
            order = rng.permutation(len(X))
            return X[order[n_test:]], X[order[:n_test]], y[order[n_test:]], y[order[:n_test]]
    """),
    wrong("train_test_split", "sklearn return order mixed up", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            n_test = round(len(X) * test_fraction)
            order = rng.permutation(len(X))
            return X[order[n_test:]], y[order[n_test:]], X[order[:n_test]], y[order[:n_test]]
    """),
    wrong("train_test_split", "X and y shuffled separately", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            n_test = round(len(X) * test_fraction)
            Xs, ys = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
            return Xs[n_test:], Xs[:n_test], ys[n_test:], ys[:n_test]
    """),
    wrong("train_test_split", "global numpy random state", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0 < test_fraction < 1:
                raise ValueError("test_fraction must lie in (0, 1)")
            n_test = round(len(X) * test_fraction)
            order = np.random.permutation(len(X))
            return X[order[n_test:]], X[order[:n_test]], y[order[n_test:]], y[order[:n_test]]
    """),
    wrong("train_test_split", "no check of test_fraction", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            n_test = round(len(X) * test_fraction)
            order = rng.permutation(len(X))
            return X[order[n_test:]], X[order[:n_test]], y[order[n_test:]], y[order[:n_test]]
    """),
    right("train_test_split", "rng.choice for the test set, boolean mask for the rest", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if test_fraction <= 0 or test_fraction >= 1:
                raise ValueError(f"bad test_fraction {test_fraction}")
            X, y = np.asarray(X), np.asarray(y)
            n_test = int(np.floor(len(X) * test_fraction + 0.5))
            test = rng.choice(len(X), size=n_test, replace=False)
            is_test = np.zeros(len(X), dtype=bool)
            is_test[test] = True
            return X[~is_test], X[test], y[~is_test], y[test]
    """),
    right("train_test_split", "shuffle a copy of the indices, test at the end", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not (0.0 < test_fraction < 1.0):
                raise ValueError("test_fraction must be in (0, 1)")
            idx = np.arange(len(X))
            rng.shuffle(idx)
            n_train = len(X) - round(len(X) * test_fraction)
            return X[idx[:n_train]], X[idx[n_train:]], y[idx[:n_train]], y[idx[n_train:]]
    """),
    wrong("train_test_split", "accepts test_fraction 0 and 1", """
        def train_test_split(X, y, rng, test_fraction=0.2):
            if not 0.0 <= test_fraction <= 1.0:
                raise ValueError(f"test_fraction must lie in [0, 1], got {test_fraction!r}")
            n_test = round(len(X) * test_fraction)
            order = rng.permutation(len(X))
            return X[order[n_test:]], X[order[:n_test]], y[order[n_test:]], y[order[:n_test]]
    """),
    # ------------------------------------------------------------------ train_val_test_split
    wrong("train_val_test_split", "int truncation of the sizes", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
                raise ValueError("fractions must be positive and sum to 1")
            N = len(X)
            n_val, n_test = int(N * fractions[1]), int(N * fractions[2])
            o = rng.permutation(N)
            v, t, tr = o[:n_val], o[n_val:n_val + n_test], o[n_val + n_test:]
            return X[tr], X[v], X[t], y[tr], y[v], y[t]
    """),
    wrong("train_val_test_split", "exact comparison of the fraction sum", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if min(fractions) <= 0 or sum(fractions) != 1:
                raise ValueError("fractions must be positive and sum to 1")
            N = len(X)
            n_val, n_test = round(N * fractions[1]), round(N * fractions[2])
            o = rng.permutation(N)
            v, t, tr = o[:n_val], o[n_val:n_val + n_test], o[n_val + n_test:]
            return X[tr], X[v], X[t], y[tr], y[v], y[t]
    """),
    wrong("train_val_test_split", "validation and test swapped", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
                raise ValueError("fractions must be positive and sum to 1")
            N = len(X)
            n_val, n_test = round(N * fractions[1]), round(N * fractions[2])
            o = rng.permutation(N)
            v, t, tr = o[:n_val], o[n_val:n_val + n_test], o[n_val + n_test:]
            return X[tr], X[t], X[v], y[tr], y[t], y[v]
    """),
    wrong("train_val_test_split", "no shuffle", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
                raise ValueError("fractions must be positive and sum to 1")
            N = len(X)
            n_val, n_test = round(N * fractions[1]), round(N * fractions[2])
            a, b = N - n_val - n_test, N - n_test
            return X[:a], X[a:b], X[b:], y[:a], y[a:b], y[b:]
    """),
    wrong("train_val_test_split", "training size rounded too, rows lost", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
                raise ValueError("fractions must be positive and sum to 1")
            N = len(X)
            n_tr, n_val = round(N * fractions[0]), round(N * fractions[1])
            n_test = round(N * fractions[2])
            o = rng.permutation(N)
            tr, v, t = o[:n_tr], o[n_tr:n_tr + n_val], o[n_tr + n_val:n_tr + n_val + n_test]
            return X[tr], X[v], X[t], y[tr], y[v], y[t]
    """),
    right("train_val_test_split", "two calls of a two-way split", """
        def train_val_test_split(X, y, rng, fractions=(0.6, 0.2, 0.2)):
            if len(fractions) != 3:
                raise ValueError(f"fractions must be three numbers, got {fractions}")
            f_train, f_val, f_test = fractions
            if f_train <= 0 or f_val <= 0 or f_test <= 0 or not np.isclose(f_train + f_val + f_test, 1.0, rtol=0, atol=1e-9):
                raise ValueError(f"fractions {fractions} must be positive and sum to 1")
            N = len(X)
            order = rng.permutation(N)
            n_test = round(N * f_test)
            n_val = round(N * f_val)
            test_idx = order[N - n_test:]
            val_idx = order[N - n_test - n_val:N - n_test]
            train_idx = order[:N - n_test - n_val]
            return (X[train_idx], X[val_idx], X[test_idx],
                    y[train_idx], y[val_idx], y[test_idx])
    """),
    # ------------------------------------------------------------------ augment_images
    wrong("augment_images", "one transform for the whole batch", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.asarray(images, dtype=float)
            angle = rng.uniform(-max_degrees, max_degrees)
            dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
            if max_degrees > 0:
                out = ndimage.rotate(out, angle, axes=(1, 2), reshape=False, order=1)
            out = ndimage.shift(out, (0, dy, dx), order=0)
            if drop_prob > 0:
                out = np.where(rng.random(out.shape) < drop_prob, 0.0, out)
            out = out + rng.normal(0.0, noise_std, size=out.shape) if noise_std > 0 else out
            return out.astype(np.asarray(images).dtype)
    """),
    wrong("augment_images", "noise variance instead of standard deviation", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                if max_degrees > 0:
                    out[k] = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    out[k] = ndimage.shift(out[k], rng.integers(-max_shift, max_shift + 1, size=2), order=0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            out += rng.normal(0.0, noise_std ** 2, size=out.shape)
            return out.astype(np.asarray(images).dtype)
    """),
    wrong("augment_images", "noise before dropping", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                if max_degrees > 0:
                    out[k] = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    out[k] = ndimage.shift(out[k], rng.integers(-max_shift, max_shift + 1, size=2), order=0)
            out += rng.normal(0.0, noise_std, size=out.shape)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return out.astype(np.asarray(images).dtype)
    """),
    wrong("augment_images", "dropped pixels rescaled like dropout", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                if max_degrees > 0:
                    out[k] = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    out[k] = ndimage.shift(out[k], rng.integers(-max_shift, max_shift + 1, size=2), order=0)
            out = out * (rng.random(out.shape) >= drop_prob) / (1 - drop_prob)
            out += rng.normal(0.0, noise_std, size=out.shape)
            return out.astype(np.asarray(images).dtype)
    """),
    wrong("augment_images", "shift range excludes +max_shift", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                if max_degrees > 0:
                    out[k] = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    out[k] = ndimage.shift(out[k], rng.integers(-max_shift, max_shift, size=2), order=0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            out += rng.normal(0.0, noise_std, size=out.shape)
            return out.astype(np.asarray(images).dtype)
    """),
    wrong("augment_images", "modifies the input in place", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            for k in range(len(images)):
                if max_degrees > 0:
                    images[k] = ndimage.rotate(images[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    images[k] = ndimage.shift(images[k], rng.integers(-max_shift, max_shift + 1, size=2), order=0)
            images[rng.random(images.shape) < drop_prob] = 0.0
            images += rng.normal(0.0, noise_std, size=images.shape).astype(images.dtype)
            return images
    """),
    wrong("augment_images", "returns float64 for float32 input", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                if max_degrees > 0:
                    out[k] = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False, order=1)
                if max_shift > 0:
                    out[k] = ndimage.shift(out[k], rng.integers(-max_shift, max_shift + 1, size=2), order=0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return out + rng.normal(0.0, noise_std, size=out.shape)
    """),
    wrong("augment_images", "cubic rotation and np.roll shifts (the contract says linear, 0 fill)", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            result = []
            for img in images.astype(np.float64):
                angle = rng.uniform(-max_degrees, max_degrees)
                if angle != 0.0:
                    img = ndimage.rotate(img, angle, reshape=False, order=3, mode="constant")
                dy = rng.integers(-max_shift, max_shift + 1)
                dx = rng.integers(-max_shift, max_shift + 1)
                img = np.roll(img, (dy, dx), axis=(0, 1))
                result.append(img)
            out = np.stack(result)
            out = out * (rng.random(out.shape) >= drop_prob)
            out = out + noise_std * rng.standard_normal(out.shape)
            return out.astype(images.dtype)
    """),
    wrong("augment_images", "nearest-neighbour rotation in numpy (the contract says linear)", """
        def _rotate_shift(img, angle_deg, dy, dx):
            H, W = img.shape
            t = np.deg2rad(angle_deg)
            yy, xx = np.mgrid[0:H, 0:W]
            cy, cx = (H - 1) / 2, (W - 1) / 2
            ys = np.cos(t) * (yy - dy - cy) - np.sin(t) * (xx - dx - cx) + cy
            xs = np.sin(t) * (yy - dy - cy) + np.cos(t) * (xx - dx - cx) + cx
            yi, xi = np.rint(ys).astype(int), np.rint(xs).astype(int)
            inside = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
            out = np.zeros_like(img)
            out[inside] = img[yi[inside], xi[inside]]
            return out

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            dtype = np.asarray(images).dtype
            out = np.empty(np.shape(images))
            for k, img in enumerate(np.asarray(images, dtype=float)):
                angle = rng.uniform(-max_degrees, max_degrees) if max_degrees else 0.0
                dy, dx = rng.integers(-max_shift, max_shift, endpoint=True, size=2)
                out[k] = _rotate_shift(img, angle, dy, dx)
            if drop_prob:
                out[rng.uniform(size=out.shape) < drop_prob] = 0
            if noise_std:
                out += rng.normal(scale=noise_std, size=out.shape)
            return out.astype(dtype)
    """),
    right("augment_images", "bilinear rotation and zero-fill shifts in numpy", """
        def _rotate(img, angle_deg):
            H, W = img.shape
            t = np.deg2rad(angle_deg)
            yy, xx = np.mgrid[0:H, 0:W].astype(float)
            cy, cx = (H - 1) / 2, (W - 1) / 2
            ys = np.cos(t) * (yy - cy) - np.sin(t) * (xx - cx) + cy
            xs = np.sin(t) * (yy - cy) + np.cos(t) * (xx - cx) + cx
            y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
            fy, fx = ys - y0, xs - x0
            pad = np.pad(img, 1)                      # zeros around the image

            def at(y, x):
                ok = (y >= -1) & (y <= H) & (x >= -1) & (x <= W)
                return np.where(ok, pad[np.clip(y + 1, 0, H + 1), np.clip(x + 1, 0, W + 1)], 0.0)
            return ((1 - fy) * (1 - fx) * at(y0, x0) + (1 - fy) * fx * at(y0, x0 + 1)
                    + fy * (1 - fx) * at(y0 + 1, x0) + fy * fx * at(y0 + 1, x0 + 1))

        def _shift(img, dy, dx):
            H, W = img.shape
            out = np.zeros_like(img)
            out[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
                img[max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
            return out

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            dtype = np.asarray(images).dtype
            out = np.array(images, dtype=float)
            for k in range(len(out)):
                angle = rng.uniform(-max_degrees, max_degrees)
                dy, dx = rng.integers(-max_shift, max_shift, endpoint=True, size=2)
                out[k] = _shift(_rotate(out[k], angle), int(dy), int(dx))
            out[rng.random(out.shape) < drop_prob] = 0.0
            out = out + rng.normal(0.0, 1.0, size=out.shape) * noise_std
            return out.astype(dtype)
    """),
    right("augment_images", "scipy grid-constant mode, transforms drawn up front", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            n = len(images)
            angles = rng.uniform(-max_degrees, max_degrees, size=n)
            shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
            out = np.stack([ndimage.shift(ndimage.rotate(img, a, reshape=False, order=1,
                                                         mode="grid-constant"), s, order=0)
                            for img, a, s in zip(images.astype(float), angles, shifts)])
            if drop_prob:
                out = out * (rng.random(out.shape) >= drop_prob)
            if noise_std:
                out += rng.normal(0.0, noise_std, size=out.shape)
            return out.astype(images.dtype)
    """),
    wrong("augment_images", "np.roll shifts wrap around instead of filling with 0", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            out = images.astype(float)
            for k in range(len(out)):
                img = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False,
                                     order=1, mode="constant", cval=0.0)
                dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
                out[k] = np.roll(img, (dy, dx), axis=(0, 1))
            out[rng.random(out.shape) < drop_prob] = 0.0
            return (out + rng.normal(0.0, noise_std, size=out.shape)).astype(images.dtype)
    """),
    wrong("augment_images", "no rotation at all", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            out = images.astype(float)
            for k in range(len(out)):
                dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
                out[k] = ndimage.shift(out[k], (dy, dx), order=0, mode="constant", cval=0.0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return (out + rng.normal(0.0, noise_std, size=out.shape)).astype(images.dtype)
    """),
    wrong("augment_images", "angle only in [0, max_degrees]", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            out = images.astype(float)
            for k in range(len(out)):
                img = ndimage.rotate(out[k], rng.uniform(0, max_degrees), reshape=False, order=1,
                                     mode="constant", cval=0.0)
                dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
                out[k] = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=0.0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return (out + rng.normal(0.0, noise_std, size=out.shape)).astype(images.dtype)
    """),
    wrong("augment_images", "angle drawn from a normal distribution", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            out = images.astype(float)
            for k in range(len(out)):
                img = ndimage.rotate(out[k], rng.normal(0, max_degrees / 2), reshape=False,
                                     order=1, mode="constant", cval=0.0)
                dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
                out[k] = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=0.0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return (out + rng.normal(0.0, noise_std, size=out.shape)).astype(images.dtype)
    """),
    wrong("augment_images", "rotation fills uncovered pixels with 1", """
        from scipy import ndimage

        def augment_images(images, rng, max_degrees=15.0, max_shift=1, drop_prob=0.0, noise_std=0.0):
            images = np.asarray(images)
            out = images.astype(float)
            for k in range(len(out)):
                img = ndimage.rotate(out[k], rng.uniform(-max_degrees, max_degrees), reshape=False,
                                     order=1, mode="constant", cval=1.0)
                dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
                out[k] = ndimage.shift(img, (dy, dx), order=0, mode="constant", cval=0.0)
            out[rng.random(out.shape) < drop_prob] = 0.0
            return (out + rng.normal(0.0, noise_std, size=out.shape)).astype(images.dtype)
    """),
    # ------------------------------------------------------------------ l2_penalty
    wrong("l2_penalty", "without the 1/2", """
        def l2_penalty(weights, lam, n):
            return float(lam / n * sum(np.sum(W ** 2) for W in weights))
    """),
    wrong("l2_penalty", "only the first matrix", """
        def l2_penalty(weights, lam, n):
            return float(lam / (2 * n) * np.sum(weights[0] ** 2))
    """),
    wrong("l2_penalty", "norms summed before squaring", """
        def l2_penalty(weights, lam, n):
            return float(lam / (2 * n) * sum(np.sum(np.abs(W)) for W in weights) ** 2)
    """),
    right("l2_penalty", "Frobenius norms", """
        def l2_penalty(weights, lam, n):
            return lam / (2.0 * n) * sum(np.linalg.norm(W) ** 2 for W in weights)
    """),
    # ------------------------------------------------------------------ l2_penalty_grad
    wrong("l2_penalty_grad", "gradient keeps the 1/2", """
        def l2_penalty_grad(W, lam, n):
            return lam / (2 * n) * np.asarray(W, float)
    """),
    wrong("l2_penalty_grad", "factor 2", """
        def l2_penalty_grad(W, lam, n):
            return 2 * lam / n * np.asarray(W, float)
    """),
    wrong("l2_penalty_grad", "in place", """
        def l2_penalty_grad(W, lam, n):
            W *= lam / n
            return W
    """),
    right("l2_penalty_grad", "division last", """
        def l2_penalty_grad(W, lam, n):
            return np.multiply(W, lam) / n
    """),
    # ------------------------------------------------------------------ l1_penalty
    wrong("l1_penalty", "no absolute value", """
        def l1_penalty(weights, lam, n):
            return float(lam / n * sum(np.sum(W) for W in weights))
    """),
    wrong("l1_penalty", "with an L2-style 1/2", """
        def l1_penalty(weights, lam, n):
            return float(lam / (2 * n) * sum(np.sum(np.abs(W)) for W in weights))
    """),
    wrong("l1_penalty", "only the last matrix", """
        def l1_penalty(weights, lam, n):
            return float(lam / n * np.sum(np.abs(weights[-1])))
    """),
    right("l1_penalty", "concatenate and ord-1 norm", """
        def l1_penalty(weights, lam, n):
            flat = np.concatenate([np.ravel(W) for W in weights])
            return lam * np.linalg.norm(flat, ord=1) / n
    """),
    # ------------------------------------------------------------------ l1_penalty_grad
    wrong("l1_penalty_grad", "W / |W| is NaN at 0", """
        def l1_penalty_grad(W, lam, n):
            W = np.asarray(W, float)
            with np.errstate(all="ignore"):
                return lam / n * W / np.abs(W)
    """),
    wrong("l1_penalty_grad", "sign(0) taken as +1", hint='sign(0) taken as +1 (W >= 0)', source="""
        def l1_penalty_grad(W, lam, n):
            return lam / n * np.where(np.asarray(W) >= 0, 1.0, -1.0)
    """),
    wrong("l1_penalty_grad", "no 1/n", """
        def l1_penalty_grad(W, lam, n):
            return lam * np.sign(W)
    """),
    right("l1_penalty_grad", "comparisons", """
        def l1_penalty_grad(W, lam, n):
            W = np.asarray(W, dtype=float)
            return (lam / n) * ((W > 0).astype(float) - (W < 0).astype(float))
    """),
    # ------------------------------------------------------------------ sgd_l2_update
    wrong("sgd_l2_update", "decay towards 1, as on the slide", hint="the slide's 'L2 reduces weights towards 1'", source="""
        def sgd_l2_update(W, dW, lr, lam, n):
            return W - lr * lam / n * (W - 1.0) - lr * dW
    """),
    wrong("sgd_l2_update", "data gradient divided by n as well", """
        def sgd_l2_update(W, dW, lr, lam, n):
            return (1 - lr * lam / n) * W - lr / n * dW
    """),
    wrong("sgd_l2_update", "decay without 1/n", """
        def sgd_l2_update(W, dW, lr, lam, n):
            return (1 - lr * lam) * W - lr * dW
    """),
    wrong("sgd_l2_update", "in place", """
        def sgd_l2_update(W, dW, lr, lam, n):
            W *= 1 - lr * lam / n
            W -= lr * dW
            return W
    """),
    right("sgd_l2_update", "gradient of the total cost", """
        def sgd_l2_update(W, dW, lr, lam, n):
            total_grad = dW + (lam / n) * W
            return W - lr * total_grad
    """),
    # ------------------------------------------------------------------ sgd_l1_update
    wrong("sgd_l1_update", "the slide's plus sign", hint="the slide's + sign in the L1 update", source="""
        def sgd_l1_update(W, dW, lr, lam, n):
            return W + lr * (lam / n) * np.sign(W) - lr * dW
    """),
    wrong("sgd_l1_update", "sign(0) taken as +1", """
        def sgd_l1_update(W, dW, lr, lam, n):
            return W - lr * (lam / n) * np.where(W >= 0, 1.0, -1.0) - lr * dW
    """),
    wrong("sgd_l1_update", "L2 decay instead of L1", """
        def sgd_l1_update(W, dW, lr, lam, n):
            return W - lr * (lam / n) * W - lr * dW
    """),
    right("sgd_l1_update", "gradient of the total cost", """
        def sgd_l1_update(W, dW, lr, lam, n):
            W = np.array(W, dtype=float)
            grad = np.asarray(dW, dtype=float) + lam / n * np.sign(W)
            W -= lr * grad
            return W
    """),
    # ------------------------------------------------------------------ clip_by_value
    wrong("clip_by_value", "only the upper end", """
        def clip_by_value(g, clip):
            return np.minimum(g, clip)
    """),
    wrong("clip_by_value", "clips into [0, clip]", """
        def clip_by_value(g, clip):
            return np.clip(g, 0, clip)
    """),
    wrong("clip_by_value", "scales the whole array instead", """
        def clip_by_value(g, clip):
            g = np.asarray(g, float)
            m = np.max(np.abs(g))
            return g * (clip / m) if m > clip else g
    """),
    wrong("clip_by_value", "in place", """
        def clip_by_value(g, clip):
            np.clip(g, -clip, clip, out=g)
            return g
    """),
    right("clip_by_value", "maximum of minimum", """
        def clip_by_value(g, clip):
            return np.maximum(np.minimum(g, clip), -clip)
    """),
    # ------------------------------------------------------------------ clip_by_norm
    wrong("clip_by_norm", "per-array clipping", hint='clipping each array by its own norm', source="""
        def clip_by_norm(grads, max_norm):
            out, total = [], 0.0
            for g in grads:
                norm = np.linalg.norm(g)
                total += norm ** 2
                out.append(g * (max_norm / norm) if norm > max_norm else g.copy())
            return out, float(np.sqrt(total))
    """),
    wrong("clip_by_norm", "returns the norm after clipping", """
        def clip_by_norm(grads, max_norm):
            norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
            if norm > max_norm:
                grads = [g * (max_norm / norm) for g in grads]
                norm = max_norm
            return [np.array(g, float) for g in grads], norm
    """),
    wrong("clip_by_norm", "always rescales to max_norm", """
        def clip_by_norm(grads, max_norm):
            norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
            return [g * (max_norm / norm) for g in grads], norm
    """),
    wrong("clip_by_norm", "sum of the arrays' norms", """
        def clip_by_norm(grads, max_norm):
            norm = float(sum(np.linalg.norm(g) for g in grads))
            scale = min(1.0, max_norm / norm)
            return [g * scale for g in grads], norm
    """),
    wrong("clip_by_norm", "scales in place", """
        def clip_by_norm(grads, max_norm):
            norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
            if norm > max_norm:
                for g in grads:
                    g *= max_norm / norm
            return grads, norm
    """),
    right("clip_by_norm", "flatten, clip, split back", """
        def clip_by_norm(grads, max_norm):
            flat = np.concatenate([np.ravel(g) for g in grads])
            norm = np.linalg.norm(flat)
            flat = flat * min(1.0, max_norm / max(norm, 1e-300))
            out, start = [], 0
            for g in grads:
                size = np.size(g)
                out.append(flat[start:start + size].reshape(np.shape(g)))
                start += size
            return out, norm
    """),
    # ------------------------------------------------------------------ dropout_forward
    wrong("dropout_forward", "no rescaling", hint='dropout without rescaling (a 0/1 mask)', source="""
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0 <= p_drop < 1:
                raise ValueError("p_drop must lie in [0, 1)")
            if not train:
                return A.copy(), None
            mask = (rng.random(A.shape) >= p_drop).astype(float)
            return A * mask, mask
    """),
    wrong("dropout_forward", "keep and drop swapped", hint='keep and drop probabilities swapped', source="""
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0 <= p_drop < 1:
                raise ValueError("p_drop must lie in [0, 1)")
            if not train:
                return A.copy(), None
            mask = (rng.random(A.shape) < p_drop) / (1 - p_drop)
            return A * mask, mask
    """),
    wrong("dropout_forward", "scaled by the keep probability at test time", hint='weight scaling at test time on top of inverted dropout', source="""
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0 <= p_drop < 1:
                raise ValueError("p_drop must lie in [0, 1)")
            if not train:
                return A * (1 - p_drop), None
            mask = (rng.random(A.shape) >= p_drop) / (1 - p_drop)
            return A * mask, mask
    """),
    wrong("dropout_forward", "one mask shared by the whole batch", """
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0 <= p_drop < 1:
                raise ValueError("p_drop must lie in [0, 1)")
            if not train:
                return A.copy(), None
            mask = np.broadcast_to((rng.random(A.shape[-1]) >= p_drop) / (1 - p_drop), A.shape).copy()
            return A * mask, mask
    """),
    wrong("dropout_forward", "global numpy random state", """
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0 <= p_drop < 1:
                raise ValueError("p_drop must lie in [0, 1)")
            if not train:
                return A.copy(), None
            mask = (np.random.random(A.shape) >= p_drop) / (1 - p_drop)
            return A * mask, mask
    """),
    wrong("dropout_forward", "no check of p_drop", """
        def dropout_forward(A, p_drop, rng, train=True):
            if not train:
                return A.copy(), None
            with np.errstate(all="ignore"):
                mask = (rng.random(A.shape) >= p_drop) / (1 - p_drop)
            return A * mask, mask
    """),
    right("dropout_forward", "binomial draw", """
        def dropout_forward(A, p_drop, rng, train=True):
            if p_drop < 0 or p_drop >= 1:
                raise ValueError(f"p_drop={p_drop} is outside [0, 1)")
            A = np.array(A, dtype=float)
            if not train:
                return A, None
            keep = 1.0 - p_drop
            mask = rng.binomial(1, keep, size=A.shape) / keep
            return A * mask, mask
    """),
    right("dropout_forward", "uniform draw compared the other way", """
        def dropout_forward(A, p_drop, rng, train=True):
            if not (0 <= p_drop < 1):
                raise ValueError("p_drop must be in [0, 1)")
            if not train:
                return np.copy(A), None
            mask = np.where(rng.uniform(size=np.shape(A)) < 1 - p_drop, 1.0 / (1 - p_drop), 0.0)
            return np.multiply(A, mask), mask
    """),
    wrong("dropout_forward", "rejects p_drop = 0", """
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0.0 < p_drop < 1.0:
                raise ValueError(f"p_drop must lie in (0, 1), got {p_drop!r}")
            A = np.asarray(A, dtype=float)
            if not train:
                return A.copy(), None
            mask = (rng.random(A.shape) >= p_drop) / (1.0 - p_drop)
            return A * mask, mask
    """),
    # ------------------------------------------------------------------ dropout_backward
    wrong("dropout_backward", "0/1 mask without the scale", """
        def dropout_backward(dout, mask):
            if mask is None:
                return dout.copy()
            return dout * (mask > 0)
    """),
    wrong("dropout_backward", "divides by the mask", """
        def dropout_backward(dout, mask):
            if mask is None:
                return dout.copy()
            with np.errstate(all="ignore"):
                return np.where(mask > 0, dout / mask, 0.0)
    """),
    wrong("dropout_backward", "mask None not handled", """
        def dropout_backward(dout, mask):
            return dout * mask
    """),
    right("dropout_backward", "np.multiply with a ones mask", """
        def dropout_backward(dout, mask):
            if mask is None:
                mask = np.ones_like(dout, dtype=float)
            return np.multiply(dout, mask)
    """),
    # ------------------------------------------------------------------ dropconnect_forward
    wrong("dropconnect_forward", "drops output units instead of weights", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            unit = (rng.random(W.shape[1]) >= p_drop) / (1 - p_drop)
            mask = np.tile(unit, (W.shape[0], 1))
            return X @ (W * mask) + b, mask
    """),
    wrong("dropconnect_forward", "no rescaling", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            mask = (rng.random(W.shape) >= p_drop).astype(float)
            return X @ (W * mask) + b, mask
    """),
    wrong("dropconnect_forward", "masks the inputs", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            mask = (rng.random(X.shape) >= p_drop) / (1 - p_drop)
            return (X * mask) @ W + b, mask
    """),
    wrong("dropconnect_forward", "bias treated as a droppable weight row", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            Wb = np.vstack([W, b])
            mask = (rng.random(Wb.shape) >= p_drop) / (1 - p_drop)
            Z = X @ (W * mask[:-1]) + b * mask[-1]
            return Z, mask[:-1]
    """),
    wrong("dropconnect_forward", "keep and drop swapped", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            mask = (rng.random(W.shape) < p_drop) / (1 - p_drop)
            return X @ (W * mask) + b, mask
    """),
    right("dropconnect_forward", "binomial mask and einsum", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            if p_drop < 0 or p_drop >= 1:
                raise ValueError(f"p_drop={p_drop} is not a probability in [0, 1)")
            keep = 1.0 - p_drop
            mask = rng.binomial(1, keep, size=np.shape(W)) / keep
            Z = np.einsum("ni,ij->nj", np.asarray(X, float), np.asarray(W, float) * mask) + b
            return Z, mask
    """),
    wrong("dropconnect_forward", "rejects p_drop = 0", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            if not 0.0 < p_drop < 1.0:
                raise ValueError(f"p_drop must lie in (0, 1), got {p_drop!r}")
            mask = (rng.random(np.shape(W)) >= p_drop) / (1.0 - p_drop)
            return np.asarray(X, dtype=float) @ (np.asarray(W, dtype=float) * mask) + b, mask
    """),
    wrong("dropconnect_forward", "accepts p_drop = 1", """
        def dropconnect_forward(X, W, b, p_drop, rng):
            if not 0.0 <= p_drop <= 1.0:
                raise ValueError(f"p_drop must lie in [0, 1], got {p_drop!r}")
            keep = rng.random(np.shape(W)) >= p_drop
            mask = np.where(keep, 1.0 / max(1.0 - p_drop, 1e-12), 0.0)
            return np.asarray(X, dtype=float) @ (np.asarray(W, dtype=float) * mask) + b, mask
    """),
    # ------------------------------------------------------------------ zoneout
    wrong("zoneout", "keeps h_new with probability p", """
        def zoneout(h_prev, h_new, p, rng, train=True):
            if not train:
                return p * h_prev + (1 - p) * h_new
            return np.where(rng.random(h_new.shape) < p, h_new, h_prev)
    """),
    wrong("zoneout", "one switch for all units", """
        def zoneout(h_prev, h_new, p, rng, train=True):
            if not train:
                return p * h_prev + (1 - p) * h_new
            return h_prev.copy() if rng.random() < p else h_new.copy()
    """),
    wrong("zoneout", "test time returns h_new", """
        def zoneout(h_prev, h_new, p, rng, train=True):
            if not train:
                return h_new.copy()
            return np.where(rng.random(h_new.shape) < p, h_prev, h_new)
    """),
    wrong("zoneout", "dropout-style mix at training time", """
        def zoneout(h_prev, h_new, p, rng, train=True):
            if not train:
                return p * h_prev + (1 - p) * h_new
            keep = rng.random(h_new.shape) < p
            return np.where(keep, h_prev, h_new / (1 - p))
    """),
    right("zoneout", "binomial blend", """
        def zoneout(h_prev, h_new, p, rng, train=True):
            h_prev, h_new = np.asarray(h_prev, float), np.asarray(h_new, float)
            if train:
                d = rng.binomial(1, p, size=h_new.shape)
                return d * h_prev + (1 - d) * h_new
            return h_new + p * (h_prev - h_new)
    """),
    # ------------------------------------------------------------------ shakeout_weights
    wrong("shakeout_weights", "a switch per weight", """
        def shakeout_weights(W, tau, c, rng):
            keep_w = rng.random(W.shape) >= tau
            s = np.sign(W)
            W_t = np.where(keep_w, (W + c * tau * s) / (1 - tau), -c * s)
            return W_t, keep_w.any(axis=1)
    """),
    wrong("shakeout_weights", "the slide's rule", hint="the slide's rule w = a w + (1 - a) c and w = -c", source="""
        def shakeout_weights(W, tau, c, rng):
            keep = rng.random(W.shape[0]) >= tau
            a = 1 - tau
            W_t = np.where(keep[:, None], a * W + (1 - a) * c, -c)
            return W_t, keep
    """),
    wrong("shakeout_weights", "plain dropout of rows", """
        def shakeout_weights(W, tau, c, rng):
            keep = rng.random(W.shape[0]) >= tau
            W_t = np.where(keep[:, None], W / (1 - tau), 0.0)
            return W_t, keep
    """),
    wrong("shakeout_weights", "rows kept with probability tau", """
        def shakeout_weights(W, tau, c, rng):
            keep = rng.random(W.shape[0]) < tau
            s = np.sign(W)
            W_t = np.where(keep[:, None], (W + c * tau * s) / (1 - tau), -c * s)
            return W_t, keep
    """),
    wrong("shakeout_weights", "one negative constant for dropped rows", """
        def shakeout_weights(W, tau, c, rng):
            keep = rng.random(W.shape[0]) >= tau
            s = np.sign(W)
            W_t = np.where(keep[:, None], (W + c * tau * s) / (1 - tau), -c)
            return W_t, keep
    """),
    right("shakeout_weights", "row loop with binomial switches", """
        def shakeout_weights(W, tau, c, rng):
            W = np.asarray(W, dtype=float)
            keep = rng.binomial(1, 1 - tau, size=W.shape[0]).astype(bool)
            W_t = np.empty_like(W)
            for j in range(W.shape[0]):
                s = np.sign(W[j])
                W_t[j] = (W[j] + c * tau * s) / (1 - tau) if keep[j] else -c * s
            return W_t, keep
    """),
    # ------------------------------------------------------------------ whiteout_forward
    wrong("whiteout_forward", "variance used as standard deviation", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            a = np.abs(W)
            var = np.sum(sigma ** 2 * a ** (2 - gamma) + lam * a ** 2, axis=0)
            return X @ W + b + rng.normal(size=(len(X), W.shape[1])) * var
    """),
    wrong("whiteout_forward", "noise not weighted by w", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            a = np.abs(W)
            with np.errstate(divide="ignore"):
                var = np.where(a > 0, sigma ** 2 * a ** (-gamma) + lam, 0.0).sum(axis=0)
            return X @ W + b + rng.normal(size=(len(X), W.shape[1])) * np.sqrt(var)
    """),
    wrong("whiteout_forward", "lambda term forgotten", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            var = np.sum(sigma ** 2 * np.abs(W) ** (2 - gamma), axis=0)
            return X @ W + b + rng.normal(size=(len(X), W.shape[1])) * np.sqrt(var)
    """),
    wrong("whiteout_forward", "same noise for every example", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            a = np.abs(W)
            var = np.sum(sigma ** 2 * a ** (2 - gamma) + lam * a ** 2, axis=0)
            return X @ W + b + rng.normal(size=W.shape[1]) * np.sqrt(var)
    """),
    wrong("whiteout_forward", "0 * inf for zero weights", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            std = np.sqrt(sigma ** 2 * np.abs(W) ** (-gamma) + lam)      # inf where W == 0
            e = rng.standard_normal((len(X),) + W.shape) * std
            return X @ W + b + np.einsum("nij,ij->nj", e, W)
    """),
    right("whiteout_forward", "per-connection noise", """
        def whiteout_forward(X, W, b, sigma, gamma, lam, rng):
            X, W = np.asarray(X, float), np.asarray(W, float)
            a = np.abs(W)
            safe = np.where(a > 0, a, 1.0)
            std = np.where(a > 0, np.sqrt(sigma ** 2 * safe ** (-gamma) + lam), 0.0)
            e = rng.standard_normal((X.shape[0],) + W.shape) * std     # e[n, i, j]
            return X @ W + b + np.einsum("nij,ij->nj", e, W)
    """),
    # ------------------------------------------------------------------ early_stopping
    wrong("early_stopping", "off by one: waits one epoch too long", hint='stopping one epoch late (e - best > patience)', source="""
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_loss = 0, val_losses[0]
            for e, loss in enumerate(val_losses):
                if loss < best_loss - min_delta:
                    best, best_loss = e, loss
                if e - best > patience:
                    return e, best
            return len(val_losses) - 1, best
    """),
    wrong("early_stopping", "ties count as a new best", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_loss = 0, val_losses[0]
            for e, loss in enumerate(val_losses):
                if e > 0 and loss <= best_loss - min_delta:
                    best, best_loss = e, loss
                if e - best == patience:
                    return e, best
            return len(val_losses) - 1, best
    """),
    wrong("early_stopping", "min_delta ignored", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_loss = 0, val_losses[0]
            for e, loss in enumerate(val_losses):
                if loss < best_loss:
                    best, best_loss = e, loss
                if e - best == patience:
                    return e, best
            return len(val_losses) - 1, best
    """),
    wrong("early_stopping", "best taken over the whole list", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_loss, stop = 0, val_losses[0], len(val_losses) - 1
            for e, loss in enumerate(val_losses):
                if loss < best_loss - min_delta:
                    best, best_loss = e, loss
                if e - best == patience and stop == len(val_losses) - 1:
                    stop = e
            return stop, int(np.argmin(val_losses))
    """),
    wrong("early_stopping", "stop epoch may run past the list", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_loss = 0, val_losses[0]
            for e, loss in enumerate(val_losses):
                if loss < best_loss - min_delta:
                    best, best_loss = e, loss
                if e - best == patience:
                    return e, best
            return best + patience, best
    """),
    right("early_stopping", "wait counter, as in Keras", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best_epoch, best = 0, float(val_losses[0])
            wait = 0
            if patience == 0:  # epoch 0 is already patience epochs after the best
                return 0, 0
            for epoch in range(1, len(val_losses)):
                if float(val_losses[epoch]) < best - min_delta:
                    best, best_epoch, wait = float(val_losses[epoch]), epoch, 0
                else:
                    wait += 1
                    if wait >= patience:
                        return epoch, best_epoch
            return len(val_losses) - 1, best_epoch
    """),
    right("early_stopping", "while loop", """
        def early_stopping(val_losses, patience, min_delta=0.0):
            losses = np.asarray(val_losses, dtype=float)
            best, e = 0, 0
            while e < len(losses) - 1 and e - best < patience:
                e += 1
                if losses[e] < losses[best] - min_delta:
                    best = e
            return e, best
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("augment_images", "noise from np.random", fails="seeded",
          source=edited(AUGMENT, ("out + rng.normal", "out + np.random.normal"))),
    wrong("augment_images", "a generator of its own with seed 0", fails="seeded",
          source=edited(AUGMENT, ("    images = np.asarray(images)\n",
                                  "    rng = np.random.default_rng(0)\n"
                                  "    images = np.asarray(images)\n"))),
    wrong("augment_images", "per-image loop skips the first image", fails="every_image",
          source=edited(AUGMENT_PER_IMAGE, ("range(len(out))", "range(1, len(out))"))),
    wrong("augment_images", "per-image loop skips the last image", fails="every_image",
          source=edited(AUGMENT_PER_IMAGE, ("range(len(out))", "range(len(out) - 1)"))),
    wrong("dropout_forward", "scales A in place", fails="new_objects", source="""
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0.0 <= p_drop < 1.0:
                raise ValueError(f"p_drop must lie in [0, 1), got {p_drop!r}")
            A = np.asarray(A, dtype=float)
            if not train:
                return A.copy(), None
            mask = (rng.random(A.shape) >= p_drop) / (1.0 - p_drop)
            A *= mask
            return A, mask
    """),
    wrong("dropout_forward", "hands A back at test time", fails="new_objects", source="""
        def dropout_forward(A, p_drop, rng, train=True):
            if not 0.0 <= p_drop < 1.0:
                raise ValueError(f"p_drop must lie in [0, 1), got {p_drop!r}")
            if not train:
                return A, None
            A = np.asarray(A, dtype=float)
            mask = (rng.random(A.shape) >= p_drop) / (1.0 - p_drop)
            return A * mask, mask
    """),
    wrong("shakeout_weights", "scales W in place", fails="new_objects", source="""
        def shakeout_weights(W, tau, c, rng):
            W = np.asarray(W, dtype=float)
            keep = rng.random(W.shape[0]) >= tau
            s = np.sign(W)
            W[keep] = (W[keep] + c * tau * s[keep]) / (1.0 - tau)
            W[~keep] = -c * s[~keep]
            return W, keep
    """),
    wrong("clip_by_norm", "hands a small gradient back", fails="new_objects", source="""
        def clip_by_norm(grads, max_norm):
            norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))
            if norm > max_norm:
                return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads], norm
            return grads, norm
    """),
    wrong("train_val_test_split", "accepts four fractions", fails="refuses",
          source=edited(SPLIT3, ("len(fractions) != 3 or ", ""))),
    wrong("train_val_test_split", "accepts fractions summing below 1", fails="refuses",
          source=edited(SPLIT3, ("abs(sum(fractions) - 1.0) > 1e-9", "sum(fractions) > 1.0 + 1e-9"))),
    wrong("early_stopping", "loop from epoch 1", fails="edges", source="""
        def early_stopping(val_losses, patience, min_delta=0.0):
            best_epoch, best_loss = 0, val_losses[0]
            for epoch in range(1, len(val_losses)):
                if val_losses[epoch] < best_loss - min_delta:
                    best_epoch, best_loss = epoch, val_losses[epoch]
                if epoch - best_epoch == patience:
                    return epoch, best_epoch
            return len(val_losses) - 1, best_epoch
    """),
    wrong("l2_penalty", "sums in float32", fails="float64", source="""
        def l2_penalty(weights, lam, n):
            total = sum(np.sum(np.asarray(W, dtype=np.float32) ** 2) for W in weights)
            return lam / (2 * n) * total
    """),
    wrong("augment_images", "rotation loop skips the last image", fails="every_image",
          source=edited(AUGMENT, ("range(len(out))", "range(len(out) - 1)"))),
    wrong("augment_images", "drop mask from a generator of its own", fails="seeded",
          source=edited(AUGMENT, ("out[rng.random(out.shape)",
                                  "out[np.random.default_rng(0).random(out.shape)"))),
]
