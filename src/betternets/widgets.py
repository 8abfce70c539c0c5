"""Interactive explorers: sliders and menus that redraw a matplotlib figure.

    explorer(render, lr=(0.01, 1.0, 0.01), steps=(1, 50, 1), surface=["rosenbrock", "beale"],
             methods=choose_many(["sgd", "momentum"], default=["sgd"]))

Control specs: float tuple (min, max, step) -> FloatSlider, int tuple -> IntSlider,
list of strings -> Dropdown, choose_many(...) -> SelectMultiple, bool -> Checkbox.

The default figure is always drawn first as an ordinary output (a PNG with the inline backend), so
every static view (nbconvert, GitHub, the site) shows it; the controls come below it, and a change
redraws the figure in the widget's own output area, under the controls. The widget draws nothing at
creation: a headless executor (nbclient) then never has to mirror an Output widget, whose replies on
the shell channel race with the executor's wait for the cell's reply (nbclient issue 312) and can
leave it idle until the cell timeout. Without ipywidgets, or with BETTERNETS_STATIC=1, only the
default figure is drawn.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, NamedTuple, Sequence


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
                                      style=style)
    if isinstance(spec, bool):
        return widgets.Checkbox(value=value, description=name, style=style)
    if isinstance(spec, list):
        return widgets.Dropdown(options=spec, value=value, description=name, style=style)
    lo, hi, step = spec
    Slider = widgets.IntSlider if isinstance(value, int) else widgets.FloatSlider
    return Slider(min=lo, max=hi, step=step, value=value, description=name,
                  continuous_update=False, style=style)


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


def explorer(render: Callable[..., Any], **controls: Any):
    """Draw render(**defaults) as an ordinary output, then return controls that redraw it below
    themselves on every change (an ipywidgets `interactive`; None without widgets)."""
    defaults = {name: default_value(name, spec) for name, spec in controls.items()}
    widgets = _widgets()
    if widgets is None:
        print("widgets unavailable: showing a static figure")
    render(**defaults)
    _show_figures()
    if widgets is None:
        return None

    class Explorer(widgets.interactive):
        """`interactive` whose first draw is skipped: explorer() drew the defaults above it."""

        def update(self, *args):
            if getattr(self, "_armed", False):
                super().update(*args)

        def __repr__(self) -> str:  # the text a static view shows in place of the controls
            return f"explorer controls ({', '.join(controls)}): live when the notebook runs"

    ui = Explorer(render, **{n: _widget(n, s, widgets) for n, s in controls.items()})
    ui._armed = True
    return ui
