"""Catalog for notebook 02: weight initialization."""
from catalog import edited, right, wrong

NOTEBOOK = "02_initialization"

SIZES = """
    if n_in < 1:
        raise ValueError(f"n_in must be positive, got {n_in}")
    if n_out < 1:
        raise ValueError(f"n_out must be positive, got {n_out}")
"""


def init(signature: str, body: str) -> str:
    """An initializer cell: the signature, the size checks, then body (4-space indented)."""
    return f"def {signature}:{SIZES}" + "\n".join("    " + line for line in body.strip().split("\n"))


PRETRAIN = """
def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
    X = np.asarray(X, dtype=float)
    N, n_in = X.shape
    r = np.sqrt(6.0 / (n_in + n_hidden))
    W = rng.uniform(-r, r, size=(n_in, n_hidden))
    V = rng.uniform(-r, r, size=(n_hidden, n_in))
    b, c = np.zeros(n_hidden), np.zeros(n_in)
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, 32):
            xb = X[order[start:start + 32]]
            H = 1.0 / (1.0 + np.exp(-(xb @ W + b)))
            D = (H @ V + c - xb) / len(xb)
            dV, dc = H.T @ D, D.sum(axis=0)
            dZ = (D @ V.T) * H * (1.0 - H)
            dW, db = xb.T @ dZ, dZ.sum(axis=0)
            W, b, V, c = W - lr * dW, b - lr * db, V - lr * dV, c - lr * dc
    return W, b
"""
"""The solution's pretrain_autoencoder_layer: the base of the entries that break the
shared contract."""

ENTRIES = [
    # ------------------------------------------------------------------ zeros_init
    wrong("zeros_init", "transposed shape", init("zeros_init(n_in, n_out)",
          "return np.zeros((n_out, n_in))")),
    wrong("zeros_init", "integer zeros", init("zeros_init(n_in, n_out)",
          "return np.zeros((n_in, n_out), dtype=int)")),
    wrong("zeros_init", "no size validation", """
        def zeros_init(n_in, n_out):
            return np.zeros((max(n_in, 0), max(n_out, 0)))
    """),
    wrong("zeros_init", "small constant instead of zeros", init("zeros_init(n_in, n_out)",
          "return np.full((n_in, n_out), 1e-3)")),
    right("zeros_init", "np.full with 0.0 and a combined check", """
        def zeros_init(n_in, n_out):
            for name, n in (("n_in", n_in), ("n_out", n_out)):
                if n <= 0:
                    raise ValueError(f"{name} = {n} is not a positive size")
            return np.full((n_in, n_out), 0.0)
    """),

    # ------------------------------------------------------------------ normal_init
    wrong("normal_init", "std given as a variance", hint='std used as a variance', source=init("normal_init(n_in, n_out, rng, std=1.0)",
          "return rng.normal(0.0, std ** 2, size=(n_in, n_out))")),
    wrong("normal_init", "square root of std", init("normal_init(n_in, n_out, rng, std=1.0)",
          "return rng.normal(0.0, np.sqrt(std), size=(n_in, n_out))")),
    wrong("normal_init", "global random state", init("normal_init(n_in, n_out, rng, std=1.0)",
          "return np.random.normal(0.0, std, size=(n_in, n_out))")),
    wrong("normal_init", "transposed", init("normal_init(n_in, n_out, rng, std=1.0)",
          "return rng.normal(0.0, std, size=(n_out, n_in))")),
    wrong("normal_init", "uniform with the right variance", init(
          "normal_init(n_in, n_out, rng, std=1.0)",
          "r = np.sqrt(3.0) * std\nreturn rng.uniform(-r, r, size=(n_in, n_out))")),
    wrong("normal_init", "own fixed-seed generator", init("normal_init(n_in, n_out, rng, std=1.0)",
          "return np.random.default_rng(0).normal(0.0, std, size=(n_in, n_out))")),
    right("normal_init", "standard_normal times std", init("normal_init(n_in, n_out, rng, std=1.0)",
          "return std * rng.standard_normal((n_in, n_out))")),

    # ------------------------------------------------------------------ lecun_normal_init
    wrong("lecun_normal_init", "variance as std", hint='the variance used as the standard deviation', source=init("lecun_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, 1.0 / n_in, size=(n_in, n_out))")),
    wrong("lecun_normal_init", "fan-out", hint='fan-out instead of fan-in', source=init("lecun_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, 1.0 / np.sqrt(n_out), size=(n_in, n_out))")),
    wrong("lecun_normal_init", "slide's N(0, 1)", init("lecun_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, 1.0, size=(n_in, n_out))")),
    wrong("lecun_normal_init", "transposed", init("lecun_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in))")),
    right("lecun_normal_init", "standard_normal divided by sqrt(n_in)", init(
          "lecun_normal_init(n_in, n_out, rng)",
          "return rng.standard_normal(size=(n_in, n_out)) / np.sqrt(n_in)")),

    # ------------------------------------------------------------------ xavier_uniform_init
    wrong("xavier_uniform_init", "slide's tanh/sigmoid swap", hint="the slide's tanh/sigmoid swap", source=init(
          "xavier_uniform_init(n_in, n_out, rng, activation='tanh')",
          """
if activation not in ("tanh", "sigmoid"):
    raise ValueError(f"unknown activation {activation!r}")
r = np.sqrt(6.0 / (n_in + n_out))
if activation == "tanh":
    r = 4 * r
return rng.uniform(-r, r, size=(n_in, n_out))""")),
    wrong("xavier_uniform_init", "sqrt(6/(n_in*n_out))", init(
          "xavier_uniform_init(n_in, n_out, rng, activation='tanh')",
          """
if activation not in ("tanh", "sigmoid"):
    raise ValueError(f"unknown activation {activation!r}")
r = np.sqrt(6.0 / (n_in * n_out)) * (4 if activation == "sigmoid" else 1)
return rng.uniform(-r, r, size=(n_in, n_out))""")),
    wrong("xavier_uniform_init", "normal instead of uniform", init(
          "xavier_uniform_init(n_in, n_out, rng, activation='tanh')",
          """
if activation not in ("tanh", "sigmoid"):
    raise ValueError(f"unknown activation {activation!r}")
std = np.sqrt(2.0 / (n_in + n_out)) * (4 if activation == "sigmoid" else 1)
return rng.normal(0.0, std, size=(n_in, n_out))""")),
    wrong("xavier_uniform_init", "slide's variance 1/n_in + 1/n_out", init(
          "xavier_uniform_init(n_in, n_out, rng, activation='tanh')",
          """
if activation not in ("tanh", "sigmoid"):
    raise ValueError(f"unknown activation {activation!r}")
r = np.sqrt(3.0 * (1 / n_in + 1 / n_out)) * (4 if activation == "sigmoid" else 1)
return rng.uniform(-r, r, size=(n_in, n_out))""")),
    wrong("xavier_uniform_init", "any other name treated as tanh", init(
          "xavier_uniform_init(n_in, n_out, rng, activation='tanh')",
          """
r = np.sqrt(6.0 / (n_in + n_out)) * (4 if activation == "sigmoid" else 1)
return rng.uniform(-r, r, size=(n_in, n_out))""")),
    right("xavier_uniform_init", "rng.random scaled into the interval", """
        def xavier_uniform_init(n_in, n_out, rng, activation="tanh"):
            gains = {"tanh": 1.0, "sigmoid": 4.0}
            if activation not in gains:
                raise ValueError(f"activation {activation!r} is not one of {sorted(gains)}")
            if min(n_in, n_out) < 1:
                raise ValueError(f"sizes must be positive: n_in={n_in}, n_out={n_out}")
            r = gains[activation] * np.sqrt(6 / (n_in + n_out))
            return r * (2 * rng.random((n_in, n_out)) - 1)
    """),

    # ------------------------------------------------------------------ he_uniform_init
    wrong("he_uniform_init", "fan-out", hint='fan-out instead of fan-in', source=init("he_uniform_init(n_in, n_out, rng)",
          "r = np.sqrt(6.0 / n_out)\nreturn rng.uniform(-r, r, size=(n_in, n_out))")),
    wrong("he_uniform_init", "LeCun uniform sqrt(3/n_in)", init("he_uniform_init(n_in, n_out, rng)",
          "r = np.sqrt(3.0 / n_in)\nreturn rng.uniform(-r, r, size=(n_in, n_out))")),
    wrong("he_uniform_init", "normal instead of uniform", init("he_uniform_init(n_in, n_out, rng)",
          "return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))")),
    wrong("he_uniform_init", "global random state", init("he_uniform_init(n_in, n_out, rng)",
          "r = np.sqrt(6.0 / n_in)\nreturn np.random.uniform(-r, r, size=(n_in, n_out))")),
    wrong("he_uniform_init", "interval [0, r]", init("he_uniform_init(n_in, n_out, rng)",
          "return rng.uniform(0.0, np.sqrt(6.0 / n_in), size=(n_in, n_out))")),
    right("he_uniform_init", "rng.random shifted and scaled", init("he_uniform_init(n_in, n_out, rng)",
          "bound = (6.0 / n_in) ** 0.5\nreturn bound * (2.0 * rng.random(size=(n_in, n_out)) - 1.0)")),

    # ------------------------------------------------------------------ he_normal_init
    wrong("he_normal_init", "variance as std", hint='the variance used as the standard deviation', source=init("he_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, 2.0 / n_in, size=(n_in, n_out))")),
    wrong("he_normal_init", "fan-out", hint='fan-out instead of fan-in', source=init("he_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, np.sqrt(2.0 / n_out), size=(n_in, n_out))")),
    wrong("he_normal_init", "fan average 4/(n_in+n_out)", init("he_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, np.sqrt(4.0 / (n_in + n_out)), size=(n_in, n_out))")),
    wrong("he_normal_init", "LeCun's 1/n_in", init("he_normal_init(n_in, n_out, rng)",
          "return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_in, n_out))")),
    right("he_normal_init", "standard_normal times sqrt(2/n_in)", init(
          "he_normal_init(n_in, n_out, rng)",
          "return rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)")),

    # ------------------------------------------------------------------ activation_stats
    wrong("activation_stats", "statistics of Z, not A", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A, out = np.asarray(X, float), []
            for _ in range(depth):
                Z = A @ init(A.shape[1], width, rng)
                A = activation(Z)
                out.append([Z.mean(), Z.std()])
            return np.array(out)
    """),
    wrong("activation_stats", "sample std ddof=1", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A, out = np.asarray(X, float), []
            for _ in range(depth):
                A = activation(A @ init(A.shape[1], width, rng))
                out.append([A.mean(), A.std(ddof=1)])
            return np.array(out)
    """),
    wrong("activation_stats", "mean of per-unit std", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A, out = np.asarray(X, float), []
            for _ in range(depth):
                A = activation(A @ init(A.shape[1], width, rng))
                out.append([A.mean(), A.std(axis=0).mean()])
            return np.array(out)
    """),
    wrong("activation_stats", "every layer width by width", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A, out = np.asarray(X, float), []
            for layer in range(depth):
                W = init(width, width, rng)
                if layer == 0:
                    W = init(A.shape[1], width, rng)
                A = activation(A @ W)
                out.append([A.mean(), A.std()])
            return np.array(out)
    """),
    wrong("activation_stats", "variance instead of std", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A, out = np.asarray(X, float), []
            for _ in range(depth):
                A = activation(A @ init(A.shape[1], width, rng))
                out.append([A.mean(), A.var()])
            return np.array(out)
    """),
    wrong("activation_stats", "input X as the first row", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1 or width < 1:
                raise ValueError(f"depth and width must be positive: depth={depth}, width={width}")
            A = np.asarray(X, float)
            out = [[A.mean(), A.std()]]
            for _ in range(depth - 1):
                A = activation(A @ init(A.shape[1], width, rng))
                out.append([A.mean(), A.std()])
            return np.array(out)
    """),
    right("activation_stats", "all weights first, then the forward pass", """
        def activation_stats(X, init, activation, depth, width, rng):
            if int(depth) < 1:
                raise ValueError("depth must be at least 1")
            if int(width) < 1:
                raise ValueError("width must be at least 1")
            sizes = [X.shape[1]] + [width] * depth
            weights = [init(a, b, rng) for a, b in zip(sizes[:-1], sizes[1:])]
            rows = []
            A = X
            for W in weights:
                A = activation(A @ W + np.zeros(W.shape[1]))
                rows.append((np.mean(A), np.sqrt(np.mean((A - np.mean(A)) ** 2))))
            return np.array(rows, dtype=float)
    """),

    # ------------------------------------------------------------------ pretrain_autoencoder_layer
    wrong("pretrain_autoencoder_layer", "zeros start keeps units equal", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            W, V = np.zeros((n_in, n_hidden)), np.zeros((n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for s in range(0, N, 32):
                    xb = X[order[s:s + 32]]
                    H = 1 / (1 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1 - H)
                    W, b, V, c = (W - lr * xb.T @ dZ, b - lr * dZ.sum(0),
                                  V - lr * H.T @ D, c - lr * D.sum(0))
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "gradient ascent", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            W, V = rng.uniform(-r, r, (n_in, n_hidden)), rng.uniform(-r, r, (n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for s in range(0, N, 32):
                    xb = X[order[s:s + 32]]
                    H = 1 / (1 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1 - H)
                    W, b = W + lr * xb.T @ dZ, b + lr * dZ.sum(0)
                    V, c = V + lr * H.T @ D, c + lr * D.sum(0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "only the decoder is trained", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            W, V = rng.uniform(-r, r, (n_in, n_hidden)), rng.uniform(-r, r, (n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for s in range(0, N, 32):
                    xb = X[order[s:s + 32]]
                    H = 1 / (1 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    V, c = V - lr * H.T @ D, c - lr * D.sum(0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "returns the decoder", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            W, V = rng.uniform(-r, r, (n_in, n_hidden)), rng.uniform(-r, r, (n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for s in range(0, N, 32):
                    xb = X[order[s:s + 32]]
                    H = 1 / (1 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1 - H)
                    W, b = W - lr * xb.T @ dZ, b - lr * dZ.sum(0)
                    V, c = V - lr * H.T @ D, c - lr * D.sum(0)
            return V, c
    """),
    wrong("pretrain_autoencoder_layer", "global random state", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            W = np.random.uniform(-r, r, (n_in, n_hidden))
            V = np.random.uniform(-r, r, (n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = np.random.permutation(N)
                for s in range(0, N, 32):
                    xb = X[order[s:s + 32]]
                    H = 1 / (1 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1 - H)
                    W, b = W - lr * xb.T @ dZ, b - lr * dZ.sum(0)
                    V, c = V - lr * H.T @ D, c - lr * D.sum(0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "tied weights and a normal start (not the recipe)", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.array(X, dtype=float)
            n, d = X.shape
            W = rng.normal(0.0, np.sqrt(2.0 / (d + n_hidden)), size=(d, n_hidden))
            b, c = np.zeros(n_hidden), np.zeros(d)
            for epoch in range(epochs):
                perm = rng.permutation(n)
                for i in range(0, n, 32):
                    x = X[perm[i:i + 32]]
                    h = 0.5 * (1 + np.tanh(0.5 * (x @ W + b)))
                    err = (h @ W.T + c - x) / len(x)          # decoder V = W^T (tied)
                    dz = (err @ W) * h * (1 - h)
                    dW = x.T @ dz + err.T @ h                 # encoder part + decoder part
                    W, b, c = W - lr * dW, b - lr * dz.sum(0), c - lr * err.sum(0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "batches of 16 (the recipe says 32)", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            params = {"W": rng.uniform(-r, r, (n_in, n_hidden)), "b": np.zeros(n_hidden),
                      "V": rng.uniform(-r, r, (n_hidden, n_in)), "c": np.zeros(n_in)}
            for _ in range(epochs):
                order = rng.permutation(N)
                for batch in np.array_split(order, int(np.ceil(N / 16))):
                    grads = {k: np.zeros_like(v) for k, v in params.items()}
                    for i in batch:
                        x = X[i]
                        h = 1 / (1 + np.exp(-(x @ params["W"] + params["b"])))
                        e = h @ params["V"] + params["c"] - x
                        dz = (params["V"] @ e) * h * (1 - h)
                        grads["W"] += np.outer(x, dz); grads["b"] += dz
                        grads["V"] += np.outer(h, e); grads["c"] += e
                    params = {k: v - lr * grads[k] / len(batch) for k, v in params.items()}
            return params["W"], params["b"]
    """),
    right("pretrain_autoencoder_layer", "V drawn first, per-sample loop, sigmoid via tanh", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.array(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6 / (n_in + n_hidden))
            V = rng.uniform(-r, r, (n_hidden, n_in))
            W = rng.uniform(-r, r, (n_in, n_hidden))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for batch in [order[s:s + 32] for s in range(0, N, 32)]:
                    gW, gb, gV, gc = 0 * W, 0 * b, 0 * V, 0 * c
                    for i in batch:
                        h = 0.5 * (1 + np.tanh(0.5 * (X[i] @ W + b)))
                        e = (h @ V + c - X[i]) / len(batch)
                        dz = (V @ e) * h * (1 - h)
                        gW += np.outer(X[i], dz); gb += dz; gV += np.outer(h, e); gc += e
                    W, b, V, c = W - lr * gW, b - lr * gb, V - lr * gV, c - lr * gc
            return W, b
    """),
    right("pretrain_autoencoder_layer", "parameters in a dict, shuffled indices", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            n_in = X.shape[1]
            r = (6.0 / (n_in + n_hidden)) ** 0.5
            p = {"W": rng.uniform(-r, r, size=(n_in, n_hidden)), "b": np.zeros(n_hidden)}
            p["V"] = rng.uniform(-r, r, size=(n_hidden, n_in))
            p["c"] = np.zeros(n_in)
            for epoch in range(epochs):
                idx = rng.permutation(len(X))
                start = 0
                while start < len(X):
                    x = X[idx[start:start + 32]]
                    start += 32
                    H = 1 / (1 + np.exp(-x @ p["W"] - p["b"]))
                    D = (H @ p["V"] + p["c"] - x) / x.shape[0]
                    dZ = D @ p["V"].T * H * (1 - H)
                    g = {"W": x.T @ dZ, "b": dZ.sum(0), "V": H.T @ D, "c": D.sum(0)}
                    p = {k: p[k] - lr * g[k] for k in p}
            return p["W"], p["b"]
    """),
    wrong("pretrain_autoencoder_layer", "bias updates with the wrong sign", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6.0 / (n_in + n_hidden))
            W = rng.uniform(-r, r, size=(n_in, n_hidden))
            V = rng.uniform(-r, r, size=(n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for start in range(0, N, 32):
                    xb = X[order[start:start + 32]]
                    H = 1.0 / (1.0 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1.0 - H)
                    W, b = W - lr * xb.T @ dZ, b + lr * dZ.sum(axis=0)
                    V, c = V - lr * H.T @ D, c + lr * D.sum(axis=0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "bias gradients averaged instead of summed", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            r = np.sqrt(6.0 / (n_in + n_hidden))
            W = rng.uniform(-r, r, size=(n_in, n_hidden))
            V = rng.uniform(-r, r, size=(n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for start in range(0, N, 32):
                    xb = X[order[start:start + 32]]
                    H = 1.0 / (1.0 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1.0 - H)
                    W, b = W - lr * xb.T @ dZ, b - lr * dZ.mean(axis=0)
                    V, c = V - lr * H.T @ D, c - lr * D.mean(axis=0)
            return W, b
    """),
    wrong("pretrain_autoencoder_layer", "wider start U[-1, 1]", """
        def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
            X = np.asarray(X, dtype=float)
            N, n_in = X.shape
            W = rng.uniform(-1, 1, size=(n_in, n_hidden))
            V = rng.uniform(-1, 1, size=(n_hidden, n_in))
            b, c = np.zeros(n_hidden), np.zeros(n_in)
            for _ in range(epochs):
                order = rng.permutation(N)
                for start in range(0, N, 32):
                    xb = X[order[start:start + 32]]
                    H = 1.0 / (1.0 + np.exp(-(xb @ W + b)))
                    D = (H @ V + c - xb) / len(xb)
                    dZ = (D @ V.T) * H * (1.0 - H)
                    W, b = W - lr * xb.T @ dZ, b - lr * dZ.sum(axis=0)
                    V, c = V - lr * H.T @ D, c - lr * D.sum(axis=0)
            return W, b
    """),
    wrong("he_uniform_init", "rejects a single unit (n_out = 1)", """
        def he_uniform_init(n_in, n_out, rng):
            if n_in < 1:
                raise ValueError(f"n_in must be a positive integer, got {n_in!r}")
            if n_out <= 1:
                raise ValueError(f"n_out must be more than one unit, got {n_out!r}")
            r = np.sqrt(6.0 / n_in)
            return rng.uniform(-r, r, size=(n_in, n_out))
    """),
    wrong("zeros_init", "accepts n_out = 0", """
        def zeros_init(n_in, n_out):
            if n_in < 1 or n_out < 0:
                raise ValueError(f"bad sizes n_in={n_in}, n_out={n_out}")
            return np.zeros((n_in, n_out))
    """),
    wrong("activation_stats", "rejects width 1", """
        def activation_stats(X, init, activation, depth, width, rng):
            if depth < 1:
                raise ValueError(f"depth must be a positive integer, got {depth!r}")
            if width < 2:
                raise ValueError(f"width must be at least 2, got {width!r}")
            A = np.asarray(X, dtype=float)
            out = []
            for _ in range(depth):
                A = activation(A @ init(A.shape[1], width, rng))
                out.append([A.mean(), A.std()])
            return np.array(out)
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("zeros_init", "integer zeros", fails="float64", source="""
        def zeros_init(n_in, n_out):
            if n_in < 1:
                raise ValueError(f"n_in must be a positive integer, got {n_in!r}")
            if n_out < 1:
                raise ValueError(f"n_out must be a positive integer, got {n_out!r}")
            return np.zeros((n_in, n_out), dtype=int)
    """),
    wrong("he_normal_init", "weights stored as float32", fails="float64", source="""
        def he_normal_init(n_in, n_out, rng):
            if n_in < 1:
                raise ValueError(f"n_in must be a positive integer, got {n_in!r}")
            if n_out < 1:
                raise ValueError(f"n_out must be a positive integer, got {n_out!r}")
            W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
            return W.astype(np.float32)
    """),
    wrong("he_uniform_init", "a generator of its own with seed 0", fails="seeded", source="""
        def he_uniform_init(n_in, n_out, rng):
            if n_in < 1:
                raise ValueError(f"n_in must be a positive integer, got {n_in!r}")
            if n_out < 1:
                raise ValueError(f"n_out must be a positive integer, got {n_out!r}")
            r = np.sqrt(6.0 / n_in)
            return np.random.default_rng(0).uniform(-r, r, size=(n_in, n_out))
    """),
    wrong("pretrain_autoencoder_layer", "drops the final short batch", fails="recipe",
          source=edited(PRETRAIN, ("range(0, N, 32)", "range(0, N - 31, 32)"))),
    wrong("pretrain_autoencoder_layer", "returns a float32 encoder", fails="float64",
          source=edited(PRETRAIN, ("return W, b", "return W.astype(np.float32), b.astype(np.float32)"))),
]
