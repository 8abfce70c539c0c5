"""Shared matplotlib helpers for the notebooks.

Every helper returns the matplotlib ``Figure`` it drew on (``fig.axes`` gives the axes) and never
calls ``plt.show()``. Helpers that take ``ax=`` draw into that axes instead of a new figure.
"""

from __future__ import annotations

from typing import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from betternets.surfaces import Surface

GRID_ALPHA = 0.3


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6.0, 4.0)) -> Axes:
    """The given axes, or the axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(ax: Axes, title: str = "", xlabel: str = "", ylabel: str = "", legend: bool = True):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=GRID_ALPHA)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)


def plot_functions(z: np.ndarray, funcs: Mapping[str, Callable[[np.ndarray], np.ndarray]],
                   ax: Axes | None = None, title: str = "") -> Figure:
    """One line per named function, each evaluated on the points z."""
    z = np.asarray(z, dtype=np.float64)
    ax = _axes(ax)
    for name, func in funcs.items():
        ax.plot(z, func(z), label=name)
    _finish(ax, title, "z", "value")
    return ax.figure


def plot_learning_curves(histories: Mapping[str, Mapping[str, list]], metric: str = "val_loss",
                         ax: Axes | None = None) -> Figure:
    """history[metric] against the epoch number, one line per named run."""
    ax = _axes(ax)
    for name, history in histories.items():
        if metric not in history:
            raise ValueError(f"metric {metric!r} is missing from history {name!r} "
                             f"(it has {sorted(history)})")
        values = np.asarray(history[metric], dtype=np.float64)
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    _finish(ax, metric.replace("_", " ") + " per epoch", "epoch", metric.replace("_", " "))
    return ax.figure


def _grid(surface: Surface, resolution: int):
    if surface.bounds is None:
        raise ValueError(f"surface {surface.name!r} has no 2-D bounds and cannot be drawn")
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    F = np.array([[surface.f(np.array([x, y])) for x in xs] for y in ys])
    return xs, ys, F


def contour(surface: Surface, ax: Axes | None = None, levels: int = 30, log: bool = False,
            resolution: int = 120, title: str | None = None) -> Figure:
    """Filled contour lines of surface.f over surface.bounds (log: of log(1 + f - min f)).

    The title is `title`, or by default the surface's name (which states its parameters) and
    the scale; a caller that draws a method on it should say the method's settings in `title`.
    """
    ax = _axes(ax, (5.5, 4.5))
    xs, ys, F = _grid(surface, resolution)
    if log:
        F = np.log1p(F - F.min())
    ax.contourf(xs, ys, F, levels=levels, cmap="viridis", alpha=0.35)
    ax.contour(xs, ys, F, levels=levels, cmap="viridis", linewidths=0.6)
    if surface.minimum is not None:
        ax.plot(*surface.minimum, marker="*", color="black", markeredgecolor="white",
                markersize=14, ls="none", label="minimum", zorder=10)  # above every path
    if title is None:
        title = surface.name + (", contours of log(1 + f - min f)" if log else ", contours of f")
    _finish(ax, title, "$w_1$", "$w_2$")
    return ax.figure


# Paths that overlap stay apart by line style and marker, not only by colour; wider lines go
# first and are drawn on top, so the first path (often plain SGD) is never hidden under the rest.
PATH_STYLES = [("-", "o", 3.0), ("--", "s", 2.4), ("-.", "^", 2.2), (":", "v", 2.6),
               ((0, (6, 2)), "D", 1.8), ((0, (3, 1, 1, 1)), "P", 1.8), ((0, (1, 1)), "X", 1.8)]


def plot_paths(surface: Surface, paths: Mapping[str, np.ndarray], ax: Axes | None = None,
               levels: int = 30, log: bool = False, title: str | None = None) -> Figure:
    """Optimizer trajectories (T, 2) over the contour of surface: o marks the start, x the end.

    Each path has its own line style and a marker every tenth of its steps; the legend stands
    outside the axes, to the right, so it never covers a path. `title` should state the settings the paths share (see `contour` for the default).
    """
    ax = _axes(ax, (8.0, 4.5))  # room for the legend on the right
    contour(surface, ax=ax, levels=levels, log=log, title=title)
    for i, (name, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"paths[{name!r}] must have shape (T, 2), got {path.shape}")
        style, marker, width = PATH_STYLES[i % len(PATH_STYLES)]
        z = 3 + (len(paths) - i) / len(paths)
        (line,) = ax.plot(path[:, 0], path[:, 1], ls=style, lw=width, marker=marker, ms=4,
                          markevery=max(1, len(path) // 10), label=name, zorder=z)
        ax.plot(*path[0], marker="o", color=line.get_color(), ls="none", zorder=z)
        ax.plot(*path[-1], marker="x", color=line.get_color(), markersize=9, mew=2, ls="none",
                zorder=z)
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _finish(ax, ax.get_title(), "$w_1$", "$w_2$", legend=False)
    if paths:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0)
    return ax.figure


def plot_layer_stats(stats: Mapping[str, np.ndarray], title: str = "") -> Figure:
    """Mean (left) and standard deviation (right) per layer; stats[name] has shape (depth, 2)."""
    fig, (ax_mean, ax_std) = plt.subplots(1, 2, figsize=(10.0, 3.8), layout="constrained")
    for name, table in stats.items():
        table = np.asarray(table, dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != 2:
            raise ValueError(f"stats[{name!r}] must have shape (depth, 2), got {table.shape}")
        layers = np.arange(1, len(table) + 1)
        ax_mean.plot(layers, table[:, 0], marker=".", label=name)
        ax_std.plot(layers, table[:, 1], marker=".", label=name)
    _finish(ax_mean, "mean per layer", "layer", "mean")
    _finish(ax_std, "standard deviation per layer", "layer", "std")
    if title:
        fig.suptitle(title)
    return fig


def image_grid(images: np.ndarray, ncols: int = 8, titles: list[str] | None = None) -> Figure:
    """Grayscale images (N, H, W) (or (N, H*H) for square images) in a grid with ncols columns."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"images of shape {images.shape} are not flattened square images")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (N, H, W) with N >= 1, got {images.shape}")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols!r}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.3 * nrows), squeeze=False,
                             layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r")
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    return fig


def loglog_error(h: np.ndarray, errors: np.ndarray | Mapping[str, np.ndarray],
                 ax: Axes | None = None, title: str = "error against step size") -> Figure:
    """Errors against step sizes h on log-log axes; errors may be one array or a dict of them."""
    h = np.asarray(h, dtype=np.float64)
    ax = _axes(ax)
    series = errors if isinstance(errors, Mapping) else {"error": errors}
    for name, err in series.items():
        err = np.asarray(err, dtype=np.float64)
        if err.shape != h.shape:
            raise ValueError(f"errors[{name!r}] must have the shape of h {h.shape}, got {err.shape}")
        ax.loglog(h, err, label=name)
    _finish(ax, title, "step h", "error", legend=isinstance(errors, Mapping))
    return ax.figure
