import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from betternets import plots, surfaces, widgets


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_functions_one_line_per_function():
    z = np.linspace(-3, 3, 50)
    fig = plots.plot_functions(z, {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0)},
                               title="activations")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh", "relu"]
    assert ax.get_title() == "activations"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.tanh(z))


def test_plot_functions_draws_into_given_axes():
    fig, ax = plt.subplots()
    assert plots.plot_functions(np.linspace(0, 1, 5), {"square": np.square}, ax=ax) is fig
    assert len(ax.lines) == 1


def test_plot_learning_curves():
    histories = {"sgd": {"val_loss": [1.0, 0.5, 0.4]}, "adam": {"val_loss": [0.8, 0.3, 0.2]}}
    fig = plots.plot_learning_curves(histories)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert "val loss" in ax.get_ylabel()
    with pytest.raises(ValueError, match="metric"):
        plots.plot_learning_curves(histories, metric="train_acc")


def test_contour_and_paths():
    fig = plots.contour(surfaces.rosenbrock, log=True, resolution=40)
    ax = fig.axes[0]
    assert len(ax.collections) == 2  # filled contours + contour lines
    assert len(ax.lines) == 1  # the minimum marker
    assert "rosenbrock" in ax.get_title()

    paths = {"a": np.array([[-1.5, 2.0], [-1.0, 1.0], [0.0, 0.0]]), "b": np.zeros((4, 2))}
    fig = plots.plot_paths(surfaces.rosenbrock, paths)
    ax = fig.axes[0]
    assert len(ax.lines) == 1 + 3 * len(paths)  # minimum + (path, start, end) per path
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"a", "b"} <= set(labels)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), paths["a"][:, 0])

    fig = plots.plot_paths(surfaces.saddle, {"gd": np.array([[1.0, 0.1], [0.5, 0.2]])})
    assert len(fig.axes[0].lines) == 3  # the saddle has no minimum marker
    with pytest.raises(ValueError, match="bounds"):
        plots.contour(surfaces.ill_conditioned(5))
    with pytest.raises(ValueError, match="paths"):
        plots.plot_paths(surfaces.beale, {"bad": np.zeros((3, 3))})


def test_plot_layer_stats():
    stats = {"xavier": np.array([[0.0, 1.0], [0.0, 0.9], [0.1, 0.8]]), "tiny": np.zeros((3, 2))}
    fig = plots.plot_layer_stats(stats, title="activations per layer")
    assert len(fig.axes) == 2
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), [1.0, 0.9, 0.8])


def test_image_grid():
    images = np.random.default_rng(0).random((10, 64))  # flattened 8x8
    fig = plots.image_grid(images, ncols=4, titles=[str(i) for i in range(10)])
    assert len(fig.axes) == 12  # 3 rows x 4 columns
    assert sum(len(ax.images) for ax in fig.axes) == 10
    assert fig.axes[3].get_title() == "3"
    with pytest.raises(ValueError, match="titles"):
        plots.image_grid(images, titles=["only one"])


def test_loglog_error():
    h = np.logspace(-8, -1, 20)
    fig = plots.loglog_error(h, {"forward": h, "central": h**2})
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(plots.loglog_error(h, h).axes[0].lines) == 1


def make_render(calls):
    def render(lr, steps, kind, methods, flag):
        calls.append(dict(lr=lr, steps=steps, kind=kind, methods=methods, flag=flag))
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, lr])
        plt.close(fig)
    return render


CONTROLS = dict(lr=(0.0, 1.0, 0.1), steps=(1, 9, 2), kind=["sgd", "adam"],
                methods=widgets.choose_many(["a", "b", "c"], default=["b", "c"]), flag=True)


def test_explorer_static_fallback_renders_once(monkeypatch, capsys):
    monkeypatch.setenv("BETTERNETS_STATIC", "1")
    calls = []
    result = widgets.explorer(make_render(calls), **CONTROLS)
    assert result is None
    assert calls == [dict(lr=0.5, steps=5, kind="sgd", methods=("b", "c"), flag=True)]
    assert "widgets unavailable: showing a static figure" in capsys.readouterr().out


def test_explorer_widget_rerenders_on_change(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    monkeypatch.delenv("BETTERNETS_STATIC", raising=False)
    calls = []
    ui = widgets.explorer(make_render(calls), **CONTROLS)
    assert isinstance(ui, ipywidgets.interactive)
    controls = {c.description: c for c in ui.children if hasattr(c, "description") and c.description}
    assert isinstance(controls["lr"], ipywidgets.FloatSlider)
    assert isinstance(controls["steps"], ipywidgets.IntSlider)
    assert isinstance(controls["kind"], ipywidgets.Dropdown)
    assert isinstance(controls["methods"], ipywidgets.SelectMultiple)
    assert isinstance(controls["flag"], ipywidgets.Checkbox)
    assert len(calls) == 1 and calls[0]["lr"] == 0.5  # initial draw with defaults
    assert ui.out.outputs == ()  # ...drawn above the widget, not inside it (nbclient issue 312)
    controls["lr"].value = 0.3
    assert len(calls) == 2 and calls[-1]["lr"] == pytest.approx(0.3)
    controls["kind"].value = "adam"
    assert calls[-1]["kind"] == "adam" and calls[-1]["lr"] == pytest.approx(0.3)


def test_explorer_rejects_unknown_specs_and_choose_many_checks_default(monkeypatch):
    monkeypatch.setenv("BETTERNETS_STATIC", "1")
    with pytest.raises(ValueError, match="weird"):
        widgets.explorer(lambda weird: None, weird="not a spec")
    with pytest.raises(ValueError, match="default"):
        widgets.choose_many(["a", "b"], default=["z"])
    assert widgets.choose_many(["a", "b"]).default == ("a",)


def test_explorer_says_which_stubs_it_needs_and_draws_nothing(monkeypatch, capsys):
    monkeypatch.delenv("BETTERNETS_STATIC", raising=False)
    ns: dict = {}
    exec("def tanh(z):\n    raise NotImplementedError('Exercise 01.3: implement tanh')\n"
         "def relu(z):\n    raise NotImplementedError('Exercise 01.7: implement relu')\n"
         "FUNCS = {'tanh': tanh, 'relu': relu}\n"
         "def render(name, calls=[]):\n    calls.append(name)\n    FUNCS[name](0.0)\n", ns)
    assert widgets.explorer(ns["render"], name=["tanh", "relu"]) is None
    assert capsys.readouterr().out == ("needs tanh, relu: not implemented yet; the explorer "
                                       "draws once they are\n")
    assert ns["render"].__defaults__[0] == []  # never called


def test_explorer_tells_the_gesture_a_multiple_choice_needs(monkeypatch, capsys):
    pytest.importorskip("ipywidgets")
    monkeypatch.delenv("BETTERNETS_STATIC", raising=False)
    widgets.explorer(make_render([]), **CONTROLS)
    assert "Ctrl+click (Cmd+click on a Mac) picks several methods" in capsys.readouterr().out
    widgets.explorer(lambda lr: None, lr=(0.0, 1.0, 0.1))
    assert "Ctrl+click" not in capsys.readouterr().out


class FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, data, metadata=None, raw=False):
        self.updates.append((data, metadata, raw))


def test_a_redraw_replaces_the_default_outputs_in_place(monkeypatch):
    """Slots: the redraw's bundles go into the default's display ids, one for one; a slot the
    redraw does not fill is emptied; extra outputs go under the controls."""
    ipywidgets = pytest.importorskip("ipywidgets")
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, metadata=None, raw=False, display_id=False:
                        shown.append(data) or FakeHandle())
    png = ({"image/png": "AAAA", "text/plain": "<Figure>"}, {"image/png": {"width": 10}})
    text = ({"text/plain": "last layer: mean 0.1\n"}, {})
    slots = widgets.Slots([png, text])
    assert shown == [png[0], text[0]] and len(slots.handles) == 2
    overflow = ipywidgets.Output()
    new_png = ({"image/png": "BBBB"}, {})
    slots.replace([new_png], overflow)
    assert slots.handles[0].updates == [(new_png[0], {}, True)]
    assert slots.handles[1].updates == [(widgets.Slots.EMPTY[0], {}, True)]
    shown.clear()
    slots.replace([new_png, text, png], overflow)
    assert shown == [png[0]]  # the third output had no slot: shown under the controls
    assert slots.handles[1].updates[-1] == (text[0], {}, True)

