"""Interactive explorers: sliders and menus that redraw a matplotlib figure.

    explorer(render, lr=(0.01, 1.0, 0.01), steps=(1, 50, 1), surface=["rosenbrock", "beale"],
             methods=choose_many(["sgd", "momentum"], default=["sgd"]))

Control specs: float tuple (min, max, step) -> FloatSlider, int tuple -> IntSlider,
list of strings -> Dropdown, choose_many(...) -> SelectMultiple (with a line saying that
Ctrl+click, Cmd+click on a Mac, picks several), bool -> Checkbox.

The default figure is always drawn first as an ordinary output (a PNG with the inline backend), so
every static view (nbconvert, GitHub, the site) shows it; the controls come below it. The outputs of
a draw (its figures, then what it printed) are published with display ids (IPython's
`display(..., display_id=True)`), and a change of a control replaces them in place
(`update_display_data`): the cell shows one figure at a time, the current one. The widget draws
nothing at creation and holds no Output widget a draw goes to: a headless executor (nbclient) then
never has to mirror one, whose replies on the shell channel race with the executor's wait for the
cell's reply (nbclient issue 312) and can leave it idle until the cell timeout. A redraw with more
outputs than the default had puts the extra ones in the widget's output area, under the controls.
Without ipywidgets, or with BETTERNETS_STATIC=1, only the default figure is drawn.

An explorer whose drawing reaches an unfinished exercise (a stub, see `betternets.unfinished`)
says which ones it still needs, "needs tanh, relu: not implemented yet", and draws nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, NamedTuple, Sequence

from .unfinished import needs_line, stubs_reachable


class ChooseMany(NamedTuple):
    """Spec for a multiple-choice control (SelectMultiple)."""

    options: tuple[str, ...]
    default: tuple[str, ...]


def choose_many(options: Sequence[str], default: Sequence[str] | None = None) -> ChooseMany:
    """A control spec that lets the user pick several of options (default: the first one)."""
    options = tuple(options)
    default = options[:1] if default is None else tuple(default)
    if not options:
        raise ValueError("options must not be empty")
    if any(d not in options for d in default):
        raise ValueError(f"default must be a subset of options {options}, got {default}")
    return ChooseMany(options, default)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def default_value(name: str, spec: Any) -> Any:
    """The starting value of a control: slider midpoint (on the step grid), first option, ..."""
    if isinstance(spec, ChooseMany):
        return spec.default
    if isinstance(spec, bool):
        return spec
    if isinstance(spec, list):
        if not spec:
            raise ValueError(f"control {name!r}: the list of options is empty")
        return spec[0]
    if isinstance(spec, tuple) and len(spec) == 3 and all(_is_number(v) for v in spec):
        lo, hi, step = spec
        if not (lo < hi and step > 0):
            raise ValueError(f"control {name!r}: need min < max and step > 0, got {spec}")
        mid = lo + round((hi - lo) / 2 / step) * step
        return int(mid) if all(isinstance(v, int) for v in spec) else float(mid)
    raise ValueError(f"control {name!r}: unsupported spec {spec!r}; use (min, max, step), "
                     f"a list of options, choose_many(...) or a bool")


def _widget(name: str, spec: Any, widgets: Any):
    value = default_value(name, spec)
    style = {"description_width": "initial"}
    if isinstance(spec, ChooseMany):
        return widgets.SelectMultiple(options=spec.options, value=value, description=name,
                                      rows=min(len(spec.options), 8), style=style)
    if isinstance(spec, bool):
        return widgets.Checkbox(value=value, description=name, style=style)
    if isinstance(spec, list):
        return widgets.Dropdown(options=spec, value=value, description=name, style=style)
    lo, hi, step = spec
    Slider = widgets.IntSlider if isinstance(value, int) else widgets.FloatSlider
    return Slider(min=lo, max=hi, step=step, value=value, description=name,
                  continuous_update=False, style=style)


MANY_HINT = "Ctrl+click (Cmd+click on a Mac) picks several {names}; Shift+click picks a range."
"""The gesture a SelectMultiple needs, which nothing on screen shows."""


def _show_figures() -> None:
    """Send the figures drawn so far to the output now (inline backend), so they come first."""
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt
        if plt.get_fignums():
            plt.show()


def _widgets():
    """The ipywidgets module, or None when it is missing or BETTERNETS_STATIC=1."""
    if os.environ.get("BETTERNETS_STATIC", "").strip() == "1":
        return None
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


Bundle = tuple[dict, dict]
"""One output of a draw: its MIME data and metadata."""


def draw(render: Callable[..., Any], kwargs: dict) -> list[Bundle]:
    """Run render(**kwargs) and return its outputs instead of showing them: each figure's
    bundle, then what it printed (stdout and stderr) as one text/plain bundle."""
    from IPython.utils.capture import capture_output
    with capture_output() as captured:
        render(**kwargs)
        _show_figures()
    bundles = [(dict(o.data), dict(o.metadata or {})) for o in captured.outputs]
    text = captured.stdout + captured.stderr
    if text:
        bundles.append(({"text/plain": text}, {}))
    return bundles


class Slots:
    """The outputs of the cell an explorer draws into, each with a display id: `show` publishes
    the default draw, `replace` puts a redraw in their place (and any extra output in `overflow`,
    an Output widget); a slot the redraw does not need is emptied."""

    EMPTY: Bundle = ({"text/plain": ""}, {})

    def __init__(self, bundles: list[Bundle]):
        from IPython.display import display
        self.handles = [display(data, metadata=md, raw=True, display_id=True)
                        for data, md in bundles]

    def replace(self, bundles: list[Bundle], overflow: Any) -> None:
        for i, handle in enumerate(self.handles):
            data, md = bundles[i] if i < len(bundles) else self.EMPTY
            handle.update(data, metadata=md, raw=True)
        overflow.clear_output()
        if len(bundles) > len(self.handles):
            from IPython.display import display
            with overflow:
                for data, md in bundles[len(self.handles):]:
                    display(data, metadata=md, raw=True)


def explorer(render: Callable[..., Any], **controls: Any):
    """Draw render(**defaults) as an ordinary output, then return controls that redraw it in
    place on every change (an ipywidgets `interactive`; None without widgets, or when the drawing
    needs an exercise that is not implemented yet)."""
    defaults = {name: default_value(name, spec) for name, spec in controls.items()}
    widgets = _widgets()
    needed = stubs_reachable(render)
    if needed:
        print(needs_line(needed) + "; the explorer draws once they are")
        return None
    if widgets is None:
        print("widgets unavailable: showing a static figure")
        render(**defaults)
        _show_figures()
        return None
    many = [n for n, s in controls.items() if isinstance(s, ChooseMany)]
    if many:
        print(MANY_HINT.format(names=" and ".join(many)))
    slots = Slots(draw(render, defaults))

    class Explorer(widgets.interactive):
        """`interactive` that redraws into the cell's outputs above it (`Slots`), not into
        its own output area; the first draw is skipped: explorer() drew the defaults."""

        def update(self, *args):
            if not getattr(self, "_armed", False):
                return
            kwargs = {w._kwarg: w.get_interact_value() for w in self.kwargs_widgets}
            self.kwargs = kwargs
            try:
                bundles = draw(render, kwargs)
            except Exception:  # noqa: BLE001 - the student's code: its traceback, under the controls
                from IPython import get_ipython
                if get_ipython() is None:
                    raise
                with self.out:
                    self.out.clear_output()
                    get_ipython().showtraceback()
                return
            slots.replace(bundles, self.out)

        def __repr__(self) -> str:  # the text a static view shows in place of the controls
            return f"explorer controls ({', '.join(controls)}): live when the notebook runs"

    ui = Explorer(render, **{n: _widget(n, s, widgets) for n, s in controls.items()})
    ui._armed = True
    return ui
