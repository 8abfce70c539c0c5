"""Notebook 02, instructor side: the reference of every exercise and its hidden checks.

The reference: weight initialization, activation statistics, pre-training.

Every initializer returns an (n_in, n_out) float64 array (batch-first: Z = X @ W + b);
biases start at zero. Randomness comes only from the `rng` argument.

The hidden checks: Initializers are judged statistically on non-square sizes (150 inputs, 400
units: 60 000 entries), so that a transposed matrix, fan-out in place of fan-in
(variance off by 400/150) and a standard deviation given as a variance all fail
by many tolerances, while a correct answer fails a property with probability
below 1e-7 (each property splits that budget over its tests). `activation_stats`
is compared with the reference on the same seed (the contract fixes the order
in which `init` draws from `rng`). `pretrain_autoencoder_layer` is judged by what its
code keeps of the digits and, because the notebook's recipe fixes every draw from
`rng` (W and V from `rng.uniform`, one `rng.permutation` per epoch), by the recipe
replayed with the reference on the same seed.

The reference of exercise `x` is the function `x` of this module (`reference("x")`);
students never receive this module.
"""
from __future__ import annotations

import numpy as np

from betternets.checks import contract, expect, stats
from betternets.checks import ex02_initialization as vis
from betternets.checks.calls import Rng

from .. import HIDDEN


# --------------------------------------------------------------------------- reference

def _check_sizes(**sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def zeros_init(n_in, n_out):
    """W = 0 (every unit identical: the symmetry problem)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return np.zeros((int(n_in), int(n_out)))


def normal_init(n_in, n_out, rng, std=1.0):
    """W_ij ~ N(0, std^2)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, std, size=(int(n_in), int(n_out)))


def lecun_normal_init(n_in, n_out, rng):
    """W_ij ~ N(0, 1/n_in): standard deviation 1/sqrt(n_in) (LeC98)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(int(n_in), int(n_out)))


XAVIER_GAIN = {"tanh": 1.0, "sigmoid": 4.0}


def xavier_uniform_init(n_in, n_out, rng, activation="tanh"):
    """W_ij ~ U[-r, r], r = sqrt(6/(n_in+n_out)) for tanh, 4 r for sigmoid (GB10 eq. 16, DLT)."""
    if activation not in XAVIER_GAIN:
        raise ValueError(f"activation must be 'tanh' or 'sigmoid', got {activation!r}")
    _check_sizes(n_in=n_in, n_out=n_out)
    r = XAVIER_GAIN[activation] * np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(int(n_in), int(n_out)))


def he_uniform_init(n_in, n_out, rng):
    """W_ij ~ U[-r, r], r = sqrt(6/n_in): Var[W] = 2/n_in (He15)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    r = np.sqrt(6.0 / n_in)
    return rng.uniform(-r, r, size=(int(n_in), int(n_out)))


def he_normal_init(n_in, n_out, rng):
    """W_ij ~ N(0, 2/n_in) (He15)."""
    _check_sizes(n_in=n_in, n_out=n_out)
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(int(n_in), int(n_out)))


def activation_stats(X, init, activation, depth, width, rng):
    """Per-layer [mean, std] of A_l = activation(A_{l-1} @ W_l), A_0 = X, zero biases.

    W_1 = init(X.shape[1], width, rng), then W_l = init(width, width, rng) for l = 2..depth,
    drawn in that order from rng. Statistics over all samples and units of A_l, std with ddof=0.
    Returns an array of shape (depth, 2).
    """
    _check_sizes(depth=depth, width=width)
    A = np.asarray(X, dtype=float)
    stats = np.empty((int(depth), 2))
    for layer in range(int(depth)):
        W = np.asarray(init(A.shape[1], int(width), rng), dtype=float)
        A = activation(A @ W)
        stats[layer] = A.mean(), A.std()
    return stats


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def pretrain_autoencoder_layer(X, n_hidden, rng, epochs=20, lr=0.2):
    """One greedy layer: autoencoder H = sigmoid(X W + b), X_hat = H V + c.

    Mini-batch SGD (batches of 32, reshuffled every epoch with rng) on
    E = (1/N) sum_i ||x_hat_i - x_i||^2 / 2, from W, V ~ U[-r, r] with
    r = sqrt(6/(n_in + n_hidden)) and zero biases. Returns the encoder (W, b);
    epochs=0 returns the untrained start.
    """
    X = np.asarray(X, dtype=float)
    _check_sizes(n_hidden=n_hidden)
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    N, n_in = X.shape
    r = np.sqrt(6.0 / (n_in + n_hidden))
    W = rng.uniform(-r, r, size=(n_in, int(n_hidden)))
    V = rng.uniform(-r, r, size=(int(n_hidden), n_in))
    b, c = np.zeros(int(n_hidden)), np.zeros(n_in)
    for _ in range(int(epochs)):
        order = rng.permutation(N)
        for start in range(0, N, 32):
            xb = X[order[start:start + 32]]
            H = _sigmoid(xb @ W + b)
            D = (H @ V + c - xb) / len(xb)          # dE/dX_hat on this batch
            dV, dc = H.T @ D, D.sum(axis=0)
            dZ = (D @ V.T) * H * (1.0 - H)           # back through the sigmoid
            dW, db = xb.T @ dZ, dZ.sum(axis=0)
            W, b, V, c = W - lr * dW, b - lr * db, V - lr * dV, c - lr * dc
    return W, b


def best_linear_reconstruction_error(X, W, b):
    """Mean squared error per pixel of X from the code sigmoid(X W + b) through the best
    affine decoder (least squares), i.e. how much of X the encoder keeps."""
    X = np.asarray(X, dtype=float)
    H = _sigmoid(X @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float))
    H1 = np.column_stack([H, np.ones(len(H))])
    D, *_ = np.linalg.lstsq(H1, X, rcond=None)
    return float(np.mean((H1 @ D - X) ** 2))


# --------------------------------------------------------------------------- hidden checks

N_IN, N_OUT = 150, 400          # non-square; fan-in and fan-out differ by a factor 8/3


def _draw(call, name, *args, **kwargs) -> np.ndarray:
    W = vis.shape_and_float(call(name, N_IN, N_OUT, *args, **kwargs), N_IN, N_OUT, name)
    return np.asarray(W, dtype=float)


def _shape(call, name, *args):
    sizes = [(7, 3), (1, 12), (64, 33)]
    for (n_in, n_out), W in zip(sizes, call.values((name, (n_in, n_out, *args))
                                                   for n_in, n_out in sizes)):
        vis.shape_and_float(W, n_in, n_out, name)


def _normal_property(call, name, std, p_fail, what, **kwargs):
    W = _draw(call, name, Rng(21), **kwargs)
    stats.check_mean(W, 0.0, std, f"{what} mean", p_fail=p_fail,
                     hint="the entries should be centred on 0")
    stats.check_variance(W, std ** 2, f"{what} variance", p_fail=p_fail, known_mean=0.0,
                         hint=vis.stats_hint(f"{std:.4g}"))


# --------------------------------------------------------------------------- every init: shape

# The arguments after (n_in, n_out) every init is called with, and for the random ones the
# keyword arguments of the same-seed check and its description. Each init's checks run in
# this order: shape, its own distribution checks (below), rng, bad_sizes, single_unit.
INITS = {"zeros_init": (), "normal_init": (Rng(0),), "lecun_normal_init": (Rng(0),),
         "xavier_uniform_init": (Rng(0),), "he_uniform_init": (Rng(0),),
         "he_normal_init": (Rng(0),)}
SAME_SEED = "same seed, same matrix; no global random state"
SEEDED = {"normal_init": ({"std": 0.5}, "same seed, same matrix; other seed, other matrix; "
                          "no global random state"),
          "lecun_normal_init": ({}, SAME_SEED),
          "xavier_uniform_init": ({"activation": "sigmoid"}, SAME_SEED),
          "he_uniform_init": ({}, SAME_SEED), "he_normal_init": ({}, SAME_SEED)}


def _shape_of(name):
    def shape(call):
        _shape(call, name, *INITS[name])
    return shape


def _same_seed(name):
    def rng(call):
        vis.same_seed_same_matrix(call, name, 30, 20, **SEEDED[name][0])
    return rng


def _bad_sizes(name):
    def bad_sizes(call):
        vis.rejects_bad_sizes(call, name, *INITS[name])
    return bad_sizes


for _name in INITS:
    HIDDEN.property(_name, "shape", "shape (n_in, n_out) on non-square sizes, floats")(
        _shape_of(_name))


# --------------------------------------------------------------------------- zeros_init


@HIDDEN.property("zeros_init", "zeros", "every entry is exactly 0")
def zeros_init__zeros(call):
    W = vis.shape_and_float(call("zeros_init", 6, 9), 6, 9, "zeros_init")
    expect.true(not np.any(W), f"zeros_init(6, 9) has {np.count_nonzero(W)} non-zero entries")


# --------------------------------------------------------------------------- normal_init


@HIDDEN.property("normal_init", "moments",
                 "mean 0 and standard deviation std (std=2.5, std=0.3 and the default 1)")
def normal_init__moments(call):
    for std in (2.5, 0.3):
        W = _draw(call, "normal_init", Rng(21), std=std)
        stats.check_mean(W, 0.0, std, f"normal_init(..., std={std}) mean", p_fail=1e-7 / 6)
        stats.check_variance(W, std ** 2, f"normal_init(..., std={std}) variance",
                             p_fail=1e-7 / 6, known_mean=0.0,
                             hint=vis.stats_hint(f"std = {std} (variance {std ** 2:.4g})"))
    _normal_property(call, "normal_init", 1.0, 1e-7 / 6, "normal_init with the default std")


@HIDDEN.property("normal_init", "normal", "the entries are normal (Kolmogorov-Smirnov test)")
def normal_init__normal(call):
    W = _draw(call, "normal_init", Rng(22), std=2.5)
    stats.check_normal(W, 0.0, 2.5, "normal_init(..., std=2.5)",
                       hint="draw with rng.normal(0, std, size=...)")


# --------------------------------------------------------------------------- lecun_normal_init


@HIDDEN.property("lecun_normal_init", "moments",
                 "mean 0, standard deviation 1/sqrt(n_in) (fan-in, not fan-out; std, not variance)")
def lecun_normal_init__moments(call):
    _normal_property(call, "lecun_normal_init", 1 / np.sqrt(N_IN), 1e-7 / 2,
                     f"lecun_normal_init({N_IN}, {N_OUT}, rng)")


@HIDDEN.property("lecun_normal_init", "normal", "the entries are normal (Kolmogorov-Smirnov test)")
def lecun_normal_init__normal(call):
    W = _draw(call, "lecun_normal_init", Rng(22))
    stats.check_normal(W, 0.0, 1 / np.sqrt(N_IN), f"lecun_normal_init({N_IN}, {N_OUT}, rng)",
                       hint="draw from a normal with standard deviation 1/sqrt(n_in)")


# --------------------------------------------------------------------------- xavier_uniform_init

XAVIER_R = np.sqrt(6.0 / (N_IN + N_OUT))


@HIDDEN.property("xavier_uniform_init", "tanh",
                 "for tanh (and by default): uniform on [-r, r], r = sqrt(6/(n_in + n_out))")
def xavier_uniform_init__tanh(call):
    hint = ("for tanh r = sqrt(6 / (n_in + n_out)), without the factor 4 (that belongs to "
            "sigmoid), and the entries are uniform: rng.uniform(-r, r, size=...)")
    W = _draw(call, "xavier_uniform_init", Rng(23), activation="tanh")
    stats.check_uniform(W, -XAVIER_R, XAVIER_R, "xavier_uniform_init(150, 400, rng, 'tanh')",
                        p_fail=1e-7 / 2, hint=hint)
    W = _draw(call, "xavier_uniform_init", Rng(24))
    stats.check_uniform(W, -XAVIER_R, XAVIER_R, "xavier_uniform_init(150, 400, rng) (default)",
                        p_fail=1e-7 / 2, hint="the default activation is 'tanh'")


@HIDDEN.property("xavier_uniform_init", "sigmoid",
                 "for sigmoid: uniform on [-4r, 4r]")
def xavier_uniform_init__sigmoid(call):
    W = _draw(call, "xavier_uniform_init", Rng(25), activation="sigmoid")
    stats.check_uniform(W, -4 * XAVIER_R, 4 * XAVIER_R,
                        "xavier_uniform_init(150, 400, rng, 'sigmoid')",
                        hint="for sigmoid the bound is 4 * sqrt(6 / (n_in + n_out)): sigmoid's "
                             "slope at 0 is 1/4 of tanh's")


@HIDDEN.property("xavier_uniform_init", "bad_activation",
                 "ValueError naming activation for 'relu' or 'softmax'")
def xavier_uniform_init__bad_activation(call):
    for name in ("relu", "softmax"):
        expect.raises_value_error(call, "xavier_uniform_init", 4, 5, Rng(0), activation=name,
                                  mentions="activation")


# --------------------------------------------------------------------------- he_uniform_init


@HIDDEN.property("he_uniform_init", "uniform",
                 "uniform on [-r, r], r = sqrt(6/n_in) (fan-in, not fan-out)")
def he_uniform_init__uniform(call):
    r = np.sqrt(6.0 / N_IN)
    W = _draw(call, "he_uniform_init", Rng(26))
    stats.check_uniform(W, -r, r, f"he_uniform_init({N_IN}, {N_OUT}, rng)",
                        hint="r = sqrt(6 / n_in), n_in being the number of rows, and the "
                             "entries uniform: rng.uniform(-r, r, size=...)")


# --------------------------------------------------------------------------- he_normal_init


@HIDDEN.property("he_normal_init", "moments",
                 "mean 0, standard deviation sqrt(2/n_in) (fan-in; std, not variance)")
def he_normal_init__moments(call):
    _normal_property(call, "he_normal_init", np.sqrt(2.0 / N_IN), 1e-7 / 2,
                     f"he_normal_init({N_IN}, {N_OUT}, rng)")


@HIDDEN.property("he_normal_init", "normal", "the entries are normal (Kolmogorov-Smirnov test)")
def he_normal_init__normal(call):
    W = _draw(call, "he_normal_init", Rng(27))
    stats.check_normal(W, 0.0, np.sqrt(2.0 / N_IN), f"he_normal_init({N_IN}, {N_OUT}, rng)",
                       hint="draw from a normal with standard deviation sqrt(2/n_in)")


# --------------------------------------------------------------------------- every init: rng, sizes

for _name in INITS:
    if _name in SEEDED:
        HIDDEN.property(_name, "rng", SEEDED[_name][1])(_same_seed(_name))
    HIDDEN.property(_name, "bad_sizes", "ValueError naming n_in or n_out for sizes <= 0")(
        _bad_sizes(_name))


# --------------------------------------------------------------------------- the edges of every init

def _single_unit(name):
    def check(call):
        for n_in, n_out in [(5, 1), (1, 4)]:
            vis.shape_and_float(call(name, n_in, n_out, *INITS[name]), n_in, n_out, name)
        expect.same_shape(call(name, 1, 1, *INITS[name]), (1, 1), f"{name}(1, 1, ...)")
        expect.raises_value_error(call, name, 4, 0, *INITS[name], mentions="n_out")
    return check


for _name in INITS:
    HIDDEN.property(_name, "single_unit", "a size of 1 is valid (one unit: n_out = 1, n_in = 1); "
                    "n_out = 0 is a ValueError naming n_out")(_single_unit(_name))


# --------------------------------------------------------------------------- activation_stats

STATS_HINT = ("row l is [A_l.mean(), A_l.std()] of the activation output of layer l, over all "
              "samples and units (ddof=0); W_1 = init(X.shape[1], width, rng), then "
              "init(width, width, rng), in order, biases 0")


def _compare_stats(call, X, init, activation, depth, width, seed, what):
    got = call("activation_stats", X, init, activation, depth, width, Rng(seed))
    expected = activation_stats(X, ref_fn(init), ref_fn(activation), depth, width,
                                    np.random.default_rng(seed))
    expect.close(got, expected, what, rtol=1e-8, atol=1e-10, hint=STATS_HINT)


def ref_fn(token):
    from betternets.checks.calls import resolve
    return resolve(token, {})


@HIDDEN.property("activation_stats", "shape", "returns an array of shape (depth, 2)")
def activation_stats__shape(call):
    X = np.random.default_rng(31).standard_normal((10, 6))
    for depth in (1, 12):
        got = call("activation_stats", X, vis.UNIFORM_INIT, vis.TANH, depth, 5, Rng(1))
        expect.same_shape(got, (depth, 2), f"activation_stats(..., depth={depth}, width=5)",
                          "one row [mean, std] per layer, no row for the input X")


@HIDDEN.property("activation_stats", "tanh",
                 "matches the reference for tanh nets of depth 1 to 12 (same seed)")
def activation_stats__tanh(call):
    rng = np.random.default_rng(32)
    X = rng.standard_normal((40, 13))
    _compare_stats(call, X, vis.SHIFTED_INIT, vis.TANH, 12, 20, 5,
                   "activation_stats(X (40, 13), shifted normal init, tanh, depth 12, width 20)")
    _compare_stats(call, X[:7], vis.UNIFORM_INIT, vis.TANH, 1, 9, 6,
                   "activation_stats(X (7, 13), uniform init, tanh, depth 1, width 9)")


@HIDDEN.property("activation_stats", "relu",
                 "matches the reference for a (leaky) ReLU net of depth 10 (same seed)")
def activation_stats__relu(call):
    X = np.random.default_rng(33).uniform(-1, 2, size=(30, 8))
    _compare_stats(call, X, vis.UNIFORM_INIT, vis.LEAKY_RELU, 10, 16, 7,
                   "activation_stats(X (30, 8), uniform init, leaky relu, depth 10, width 16)")


@HIDDEN.property("activation_stats", "pure", "X is left unchanged; no global random state")
def activation_stats__pure(call):
    X = np.random.default_rng(34).standard_normal((12, 5))
    expect.pure_values(call, "activation_stats", [((X, vis.UNIFORM_INIT, vis.TANH, 3, 4, Rng(0)),
                                                   {})],
                       lambda X, i, a, d, w, r: activation_stats(X, ref_fn(i), ref_fn(a), d, w,
                                                                 ref_fn(r)),
                       rtol=1e-8, atol=1e-10)
    expect.no_global_rng(call, "activation_stats", X, vis.UNIFORM_INIT, vis.TANH, 3, 4, Rng(0))


@HIDDEN.property("activation_stats", "bad_sizes", "ValueError naming depth or width when <= 0")
def activation_stats__bad_sizes(call):
    X = np.ones((3, 4))
    expect.raises_value_error(call, "activation_stats", X, vis.UNIFORM_INIT, vis.TANH, 0, 5,
                              Rng(0), mentions="depth")
    expect.raises_value_error(call, "activation_stats", X, vis.UNIFORM_INIT, vis.TANH, 2, -1,
                              Rng(0), mentions="width")


@HIDDEN.property("activation_stats", "single_unit",
                 "width 1 and depth 1 are valid (one unit per layer); width 0 is a ValueError")
def activation_stats__single_unit(call):
    X = np.random.default_rng(35).standard_normal((9, 4))
    _compare_stats(call, X, vis.UNIFORM_INIT, vis.TANH, 3, 1, 8,
                   "activation_stats(X (9, 4), uniform init, tanh, depth 3, width 1)")
    _compare_stats(call, X, vis.UNIFORM_INIT, vis.TANH, 1, 1, 9,
                   "activation_stats(X (9, 4), uniform init, tanh, depth 1, width 1)")
    expect.raises_value_error(call, "activation_stats", X, vis.UNIFORM_INIT, vis.TANH, 2, 0,
                              Rng(0), mentions="width")


# --------------------------------------------------------------------------- pretrain_autoencoder_layer

_DIGITS: list = []


def _digits() -> np.ndarray:
    """300 digits (pixels / 16), the same for every submission."""
    if not _DIGITS:
        from betternets.data import load_digits
        X = load_digits(flat=True)[0]
        _DIGITS.append(X[np.random.default_rng(5).permutation(len(X))[:300]])
    return _DIGITS[0].copy()


N_HIDDEN = 12


@HIDDEN.property("pretrain_autoencoder_layer", "shapes",
                 "(W, b) of the encoder: W (n_in, n_hidden), b (n_hidden,), for 1 and 3 epochs")
def pretrain_autoencoder_layer__shapes(call):
    X = _digits()[:40, :20]
    for epochs, n_hidden in [(1, 7), (3, 25)]:
        out = call("pretrain_autoencoder_layer", X, n_hidden, Rng(3), epochs=epochs)
        expect.true(isinstance(out, tuple) and len(out) == 2,
                    f"expected a pair (W, b), got {type(out).__name__}")
        expect.same_shape(out[0], (20, n_hidden), f"W of the encoder (n_hidden={n_hidden})",
                          "W maps n_in inputs to n_hidden units; return the encoder, not the "
                          "decoder")
        expect.same_shape(out[1], (n_hidden,), f"b of the encoder (n_hidden={n_hidden})")


def _errors(call):
    X = _digits()
    W0, b0 = call("pretrain_autoencoder_layer", X, N_HIDDEN, Rng(11), epochs=0)
    W1, b1 = call("pretrain_autoencoder_layer", X, N_HIDDEN, Rng(11))
    return X, vis.code_error(X, W0, b0), vis.code_error(X, W1, b1)


@HIDDEN.property("pretrain_autoencoder_layer", "improves",
                 "on 300 digits, the trained code (default epochs and lr) keeps clearly more "
                 "than the untrained start (epochs=0): best linear reconstruction error "
                 "at most 0.85 times")
def pretrain_autoencoder_layer__improves(call):
    _, e0, e1 = _errors(call)
    expect.true(e1 <= 0.85 * e0,
                f"best linear reconstruction error of the code: {e1:.4g} after training, "
                f"{e0:.4g} at the untrained start (epochs=0); expected at most {0.85 * e0:.4g}",
                "with epochs=0 return the encoder you start from; check the sign of the "
                "update (W - lr * dW), that the encoder's W and b are updated (not only the "
                "decoder), and that every epoch runs over mini-batches of 32")


@HIDDEN.property("pretrain_autoencoder_layer", "useful_code",
                 "on 300 digits, the trained code keeps clearly more than random sigmoid "
                 "units of the same number (error at most 0.85 times theirs)")
def pretrain_autoencoder_layer__useful_code(call):
    X, _, e1 = _errors(call)
    rng = np.random.default_rng(12)
    r = np.sqrt(6.0 / (X.shape[1] + N_HIDDEN))
    baseline = np.mean([vis.code_error(X, rng.uniform(-r, r, (X.shape[1], N_HIDDEN)),
                                       np.zeros(N_HIDDEN)) for _ in range(5)])
    expect.true(e1 <= 0.85 * baseline,
                f"best linear reconstruction error of the trained code {e1:.4g}, of random "
                f"sigmoid units {baseline:.4g}; expected at most {0.85 * baseline:.4g}",
                "if the hidden units start equal (e.g. zeros) they stay equal and the code "
                "holds one number; start from small random weights")


class _RecipeRng:
    """A stand-in for the rng that the reference reads W, V and the epochs' permutations from,
    holding what the recipe draws from `numpy.random.default_rng(seed)`: W and V by
    `uniform(-r, r, shape)` in the order given (the notebook names W first; V first is accepted
    too), then one `permutation(N)` per epoch. The reference then replays the recipe exactly."""

    def __init__(self, seed, n_in, n_hidden, v_first):
        self._g = np.random.default_rng(seed)
        r = np.sqrt(6.0 / (n_in + n_hidden))
        shapes = [(n_in, n_hidden), (n_hidden, n_in)]
        drawn = [self._g.uniform(-r, r, size=s) for s in (shapes[::-1] if v_first else shapes)]
        self._w_v = drawn[::-1] if v_first else drawn      # the reference asks for W, then V

    def uniform(self, low, high, size):
        return self._w_v.pop(0)

    def permutation(self, n):
        return self._g.permutation(n)


@HIDDEN.property("pretrain_autoencoder_layer", "recipe",
                 "follows the notebook's recipe exactly: U[-r, r] start, zero biases, a "
                 "permutation per epoch, batches of 32 from row 0, the chain-rule gradients, "
                 "p - lr dp for all four parameters")
def pretrain_autoencoder_layer__recipe(call):
    # Deterministic: the recipe fixes every random draw (W and V from rng.uniform, one
    # rng.permutation(N) per epoch), so the grader replays it with the reference on the same
    # seed; a correct answer differs only by floating-point rounding (about 1e-15 relative
    # after 12 steps, measured below 1e-13), so the bound atol 1e-7 + rtol 1e-6 never fails it.
    # 100 rows (the last batch has 4), 20 inputs, 7 hidden units, 3 epochs, default lr.
    X = _digits()[:100, 10:30]
    seed, n_hidden, epochs = 14, 7, 3
    W, b = call("pretrain_autoencoder_layer", X, n_hidden, Rng(seed), epochs=epochs)
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    expect.same_shape(W, (20, n_hidden), "W of the encoder")
    expect.same_shape(b, (n_hidden,), "b of the encoder")
    replays = [pretrain_autoencoder_layer(X, n_hidden, _RecipeRng(seed, 20, n_hidden, v),
                                              epochs=epochs) for v in (False, True)]
    gaps = [max(np.max(np.abs(W - w) - 1e-6 * np.abs(w)), np.max(np.abs(b - c) - 1e-6 * np.abs(c)))
            for w, c in replays]
    k = int(np.argmin(gaps))
    expect.close(W, replays[k][0], "W after 3 epochs against the recipe replayed on the same rng",
                 rtol=1e-6, atol=1e-7, hint=RECIPE_HINT)
    expect.close(b, replays[k][1], "b after 3 epochs against the recipe replayed on the same rng",
                 rtol=1e-6, atol=1e-7, hint=RECIPE_HINT)


RECIPE_HINT = ("W = rng.uniform(-r, r, (n_in, n_hidden)), then V likewise, r = sqrt(6/(n_in + "
               "n_hidden)), b and c zeros; every epoch order = rng.permutation(N) and batches "
               "X[order[s:s + 32]] for s = 0, 32, ...; D = (H V + c - X_b)/B; dc and db are sums "
               "over the rows; dZ = (D V^T) H (1 - H); every parameter p - lr * dp")


@HIDDEN.property("pretrain_autoencoder_layer", "rng",
                 "same seed, same encoder; no global random state; X unchanged")
def pretrain_autoencoder_layer__rng(call):
    X = _digits()[:64]
    W, b = expect.pure(call, "pretrain_autoencoder_layer", X, 5, Rng(13), epochs=2)
    expect.same_shape(W, (X.shape[1], 5), "W of the encoder")
    contract.seeded("pretrain_autoencoder_layer",
                    lambda rng: ((X, 5, rng), {"epochs": 2}), seeds=(13, 15))(call)


# --------------------------------------------------------------------------- the shared contract
# float64 answers (for integer-valued X too) and randomness only from the rng given
# (betternets.checks.contract)

contract.register(HIDDEN, "zeros_init", "float64", "float64 zeros, for (3, 4) and (1, 2)",
                  contract.float64("zeros_init", [((3, 4), {}), ((1, 2), {})], zeros_init,
                                   rtol=0, hint="np.zeros((n_in, n_out)) is float64; no dtype=int"))
for _name in ("normal_init", "lecun_normal_init", "xavier_uniform_init", "he_uniform_init",
              "he_normal_init"):
    contract.register(HIDDEN, _name, "float64", "float64 weights (no float32 draws)",
                      contract.float64(_name, [((4, 3, Rng(40)), {}), ((1, 7, Rng(41)), {})],
                                       globals()[_name], random=True))
for _name in ("lecun_normal_init", "xavier_uniform_init", "he_uniform_init", "he_normal_init"):
    contract.register(HIDDEN, _name, "seeded", "two seeds give two different matrices, one "
                      "seed twice the same; no global random state",
                      contract.seeded(_name, lambda rng: ((6, 5, rng), {})))

_INT_X = np.array([[1, 0, -2, 3], [0, 2, 1, -1], [2, -3, 0, 1]])
contract.register(HIDDEN, "activation_stats", "float64",
                  "an integer-valued X gives the reference's float64 statistics",
                  contract.float64("activation_stats",
                                   [((_INT_X, vis.UNIFORM_INIT, vis.TANH, 3, 4, Rng(42)), {})],
                                   activation_stats, rtol=1e-8, atol=1e-10, hint=STATS_HINT))
contract.register(HIDDEN, "pretrain_autoencoder_layer", "float64",
                  "an integer-valued X (pixel counts 0 to 16) gives a float64 encoder",
                  contract.float64("pretrain_autoencoder_layer",
                                   [((np.random.default_rng(44).integers(0, 17, size=(40, 8)),
                                      4, Rng(43)), {"epochs": 2})],
                                   pretrain_autoencoder_layer, pick=lambda v: v[:2], random=True))
