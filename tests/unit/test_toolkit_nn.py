import numpy as np
import pytest

from betternets import data, nn
from betternets_grader.hidden.ex00_gradient_checking import relative_error
from betternets_grader.hidden.numerics import gradient as numerical_gradient


@pytest.fixture(scope="module")
def digits_split():
    X, y = data.load_digits(flat=True)
    order = np.random.default_rng(0).permutation(len(X))
    return X[order[:1400]], y[order[:1400]], X[order[1400:]], y[order[1400:]]


def tiny_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 4))
    y = np.array([0, 1, 2, 1, 0, 2])
    params = nn.init_mlp([4, 5, 3, 3], rng)
    params = [(W, rng.normal(scale=0.1, size=b.shape)) for W, b in params]  # nonzero biases
    return params, X, y


@pytest.mark.parametrize("activation", [nn.SIGMOID, nn.TANH, nn.IDENTITY, nn.RELU],
                         ids=lambda a: a.name)
@pytest.mark.parametrize("l2", [0.0, 3.0])
def test_backward_matches_numerical_gradient(activation, l2):
    params, X, y = tiny_problem()
    loss, grads = nn.loss_and_grads(params, X, y, activation, l2=l2, n=10)
    assert len(grads) == len(params)
    for layer, (W, b) in enumerate(params):
        for k, p in enumerate((W, b)):
            def loss_of(p_try, layer=layer, k=k):
                trial = [list(wb) for wb in params]
                trial[layer][k] = p_try
                return nn.loss_and_grads([tuple(t) for t in trial], X, y, activation, l2=l2, n=10)[0]
            numeric = numerical_gradient(loss_of, p)
            assert grads[layer][k].shape == p.shape
            assert relative_error(grads[layer][k], numeric) < 1e-6, (layer, k)


def test_l2_term_of_loss():
    params, X, y = tiny_problem()
    plain, _ = nn.loss_and_grads(params, X, y, nn.TANH)
    with_l2, _ = nn.loss_and_grads(params, X, y, nn.TANH, l2=2.0, n=8)
    penalty = 2.0 / (2 * 8) * sum(np.sum(W**2) for W, _ in params)
    assert with_l2 == pytest.approx(plain + penalty)


def test_softmax_cross_entropy_is_stable_and_correct():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    loss, dlogits = nn.softmax_cross_entropy(logits, np.array([0, 2]))
    assert loss == pytest.approx(np.log(3) / 2)
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(dlogits[1], np.array([1, 1, -2]) / 3 / 2)
    with pytest.raises(ValueError, match="y"):
        nn.softmax_cross_entropy(logits, np.array([0, 3]))


def _through_a_layer(act, z):
    """(f(z), f'(z)) of a built-in activation, as nn's forward and backward compute them: one
    hidden layer of identity weights, an identity output layer, dlogits = 1 (db_1 = f'(z))."""
    n = len(z)
    params = [(np.eye(n), np.zeros(n)), (np.eye(n), np.zeros(n))]
    logits, cache = nn.forward(params, z[None, :], act)
    grads = nn.backward(params, cache, np.ones((1, n)), act)
    return logits[0], grads[0][1]


def test_activations_values_and_stability():
    z = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, _ = _through_a_layer(nn.SIGMOID, z)
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2)), 1.0])
    relu, relu_slope = _through_a_layer(nn.RELU, z)
    np.testing.assert_allclose(relu, [0, 0, 0, 2, 1000])
    np.testing.assert_allclose(relu_slope, [0, 0, 0, 1, 1])
    np.testing.assert_allclose(_through_a_layer(nn.IDENTITY, z)[1], 1.0)
    x = np.linspace(-3, 3, 7)
    for act in (nn.SIGMOID, nn.TANH, nn.IDENTITY):
        numeric = numerical_gradient(lambda v, act=act: float(np.sum(_through_a_layer(act, v)[0])), x)
        np.testing.assert_allclose(_through_a_layer(act, x)[1], numeric, rtol=1e-7, atol=1e-9)
    assert nn.activation_by_name("ReLU") is nn.RELU
    with pytest.raises(ValueError, match="name"):
        nn.activation_by_name("swish")


def test_the_built_in_activations_hold_no_function():
    """sigmoid, tanh, ReLU and their derivatives are notebook 01's exercises (issue 23)."""
    assert all(a.f is None and a.grad is None for a in nn.ACTIVATIONS.values())
    mine = nn.Activation("mine", np.sin, np.cos)
    z = np.array([0.3, -1.2])
    value, slope = _through_a_layer(mine, z)
    np.testing.assert_allclose(value, np.sin(z))
    np.testing.assert_allclose(slope, np.cos(z))
    with pytest.raises(ValueError, match="both f and grad"):
        _through_a_layer(nn.Activation("half", np.sin), z)


def test_init_mlp_shapes_scale_and_custom_init():
    params = nn.init_mlp([64, 200, 10], np.random.default_rng(0))
    assert [W.shape for W, _ in params] == [(64, 200), (200, 10)]
    assert all(np.all(b == 0) for _, b in params)
    assert params[0][0].std() == pytest.approx(1 / 8, rel=0.05)
    ones = nn.init_mlp([3, 2], np.random.default_rng(0), init=lambda i, o, rng: np.ones((i, o)))
    np.testing.assert_array_equal(ones[0][0], np.ones((3, 2)))
    with pytest.raises(ValueError, match="sizes"):
        nn.init_mlp([5], np.random.default_rng(0))
    with pytest.raises(ValueError, match="init"):
        nn.init_mlp([3, 2], np.random.default_rng(0), init=lambda i, o, rng: np.ones((o, i)))


def test_dropout_forward_is_inverted_and_backward_uses_the_mask():
    params, X, y = tiny_problem()
    logits, cache = nn.forward(params, X, nn.TANH, dropout=0.5, rng=np.random.default_rng(0))
    mask = cache["masks"][0]
    assert set(np.unique(mask)) <= {0.0, 2.0}
    # same rng -> same mask -> the loss is a fixed function we can check numerically
    def loss_of_W0(W0):
        trial = [(W0, params[0][1])] + params[1:]
        return nn.loss_and_grads(trial, X, y, nn.TANH, dropout=0.5, rng=np.random.default_rng(0))[0]
    _, grads = nn.loss_and_grads(params, X, y, nn.TANH, dropout=0.5, rng=np.random.default_rng(0))
    assert relative_error(grads[0][0], numerical_gradient(loss_of_W0, params[0][0])) < 1e-6
    with pytest.raises(ValueError, match="rng"):
        nn.forward(params, X, nn.TANH, dropout=0.5)
    with pytest.raises(ValueError, match="dropout"):
        nn.forward(params, X, nn.TANH, dropout=1.0, rng=np.random.default_rng(0))


def test_forward_rejects_wrong_input_width():
    params, X, _ = tiny_problem()
    with pytest.raises(ValueError, match="X"):
        nn.forward(params, X[:, :3], nn.TANH)


def test_train_reaches_good_accuracy_on_digits(digits_split):
    X, y, X_val, y_val = digits_split
    params = nn.init_mlp([64, 32, 10], np.random.default_rng(0))
    trained, history = nn.train(params, X, y, activation=nn.TANH, hyper={"lr": 0.1}, epochs=5,
                                batch_size=32, rng=np.random.default_rng(1), X_val=X_val, y_val=y_val)
    assert set(history) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert all(len(v) == 5 for v in history.values())
    assert history["val_acc"][-1] > 0.85
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert nn.accuracy(trained, X_val, y_val, nn.TANH) == pytest.approx(history["val_acc"][-1])
    assert nn.predict(trained, X_val[:7], nn.TANH).shape == (7,)


def test_train_does_not_mutate_and_is_reproducible(digits_split):
    X, y, _, _ = digits_split
    X, y = X[:300], y[:300]
    params = nn.init_mlp([64, 16, 10], np.random.default_rng(0))
    copies = [(W.copy(), b.copy()) for W, b in params]
    X_before = X.copy()

    def in_place_sgd(w, g, state, *, lr):  # a careless update rule must not reach the caller
        w -= lr * g
        return w, state

    kwargs = dict(activation=nn.RELU, epochs=2, batch_size=50, l2=0.1, dropout=0.2)
    a, hist_a = nn.train(params, X, y, update=in_place_sgd, rng=np.random.default_rng(5), **kwargs)
    b, hist_b = nn.train(params, X, y, update=in_place_sgd, rng=np.random.default_rng(5), **kwargs)
    for (W, bias), (W0, b0) in zip(params, copies):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(bias, b0)
    np.testing.assert_array_equal(X, X_before)
    assert hist_a == hist_b
    for (Wa, ba), (Wb, bb) in zip(a, b):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
    c, _ = nn.train(params, X, y, update=in_place_sgd, rng=np.random.default_rng(6), **kwargs)
    assert not np.array_equal(a[0][0], c[0][0])
    assert "val_loss" not in hist_a


def test_train_keeps_one_state_per_parameter_array():
    params, X, y = tiny_problem()
    seen = []

    def counting(w, g, state, *, lr):
        state = dict(state, steps=state.get("steps", 0) + 1)
        seen.append((id(state), w.shape, state["steps"]))
        return w - lr * g, state

    nn.train(params, X, y, activation=nn.TANH, update=counting, hyper={"lr": 0.1}, epochs=3,
             batch_size=3, rng=np.random.default_rng(0), progress=False)
    # 6 arrays x 2 batches x 3 epochs; each array's counter runs 1..6
    assert len(seen) == 36
    assert sorted(s for _, _, s in seen) == sorted(list(range(1, 7)) * 6)


def test_train_rejects_bad_arguments():
    params, X, y = tiny_problem()
    with pytest.raises(ValueError, match="rng"):
        nn.train(params, X, y, activation=nn.TANH, rng=None)
    with pytest.raises(ValueError, match="batch_size"):
        nn.train(params, X, y, activation=nn.TANH, batch_size=0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="y"):
        nn.train(params, X, y[:3], activation=nn.TANH, rng=np.random.default_rng(0))


def test_progress_bar_yields_items_and_reads_the_env_var(monkeypatch):
    from betternets.progress import progress

    monkeypatch.setenv("BETTERNETS_NO_PROGRESS", "1")
    bar = progress(range(4), desc="x")
    assert bar.disable and list(bar) == [0, 1, 2, 3]
    monkeypatch.setenv("BETTERNETS_NO_PROGRESS", "0")
    bar = progress(iter("ab"), total=2)
    assert not bar.disable and bar.total == 2 and list(bar) == ["a", "b"]
    bar.close()
    assert progress(range(2), disable=True).disable
