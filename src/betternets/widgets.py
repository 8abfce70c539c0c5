"""Interactive explorers: sliders and menus that redraw a matplotlib figure.

    explorer(render, lr=(0.01, 1.0, 0.01), steps=(1, 50, 1), surface=["rosenbrock", "beale"],
             methods=choose_many(["sgd", "momentum"], default=["sgd"]))

Control specs: float tuple (min, max, step) -> FloatSlider, int tuple -> IntSlider,
list of strings -> Dropdown, choose_many(...) -> SelectMultiple, bool -> Checkbox.
Without ipywidgets, or with BETTERNETS_STATIC=1, render is called once with the default values.
"""

from __future__ import annotations

import os
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


def explorer(render: Callable[..., Any], **controls: Any):
    """An ipywidgets UI calling render(**values) whenever a control changes (None if static)."""
    static = os.environ.get("BETTERNETS_STATIC", "").strip() == "1"
    widgets = None
    if not static:
        try:
            import ipywidgets as widgets
        except ImportError:
            widgets = None
    if widgets is None:
        print("widgets unavailable: showing a static figure")
        render(**{name: default_value(name, spec) for name, spec in controls.items()})
        return None
    return widgets.interactive(render, **{n: _widget(n, s, widgets) for n, s in controls.items()})
