"""A progress bar that works in notebooks (a widget) and terminals (text), and leaves no frozen
bar behind in a saved or exported notebook.

In a terminal it is tqdm's text bar, erased when done. In a notebook kernel it is tqdm's widget,
shown under a display id; when the loop ends (or breaks) that output is replaced by one line of
plain text, the finished bar ("epochs: 100%|...| 50/50 [...]"). A live frontend sees the bar
turn into that line; a headless run (nbconvert, nbclient) stores only the line, never a widget
frozen at "0%|".
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator, TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress_disabled() -> bool:
    """True when the environment variable BETTERNETS_NO_PROGRESS is set to 1 (e.g. in autograding)."""
    return os.environ.get("BETTERNETS_NO_PROGRESS", "").strip() == "1"


def _notebook_bar() -> type | None:
    """tqdm's notebook (widget) class when tqdm.auto picked it, i.e. in a kernel with ipywidgets."""
    try:
        from tqdm.notebook import tqdm as notebook_tqdm
    except ImportError:  # pragma: no cover - tqdm always ships it
        return None
    return notebook_tqdm if issubclass(tqdm, notebook_tqdm) else None


def _in_notebook(iterable: Iterable[T], bar_class: type, total: int | None,
                 desc: str) -> Iterator[T]:
    """Iterate with a widget bar, then replace its output by the finished bar as plain text."""
    from IPython.display import display

    bar = bar_class(iterable, total=total, desc=desc, leave=False, display=False)
    handle = display(bar.container, display_id=True)
    try:
        yield from bar
    finally:
        text = bar.format_meter(**bar.format_dict)
        bar.close()
        handle.update({"text/plain": text}, raw=True)


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "",
             disable: bool | None = None) -> Iterable[T]:
    """Wrap iterable in a progress bar (disable=None: read BETTERNETS_NO_PROGRESS)."""
    if disable is None:
        disable = progress_disabled()
    bar_class = None if disable else _notebook_bar()
    if bar_class is None:
        return tqdm(iterable, total=total, desc=desc, disable=disable, leave=False)
    return _in_notebook(iterable, bar_class, total, desc)
