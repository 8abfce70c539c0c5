"""A progress bar that works in notebooks (a widget) and terminals (text)."""

from __future__ import annotations

import os
from typing import Iterable, TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress_disabled() -> bool:
    """True when the environment variable BETTERNETS_NO_PROGRESS is set to 1 (e.g. in autograding)."""
    return os.environ.get("BETTERNETS_NO_PROGRESS", "").strip() == "1"


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "",
             disable: bool | None = None) -> Iterable[T]:
    """Wrap iterable in a tqdm.auto bar that disappears when done (disable=None: read the env var)."""
    if disable is None:
        disable = progress_disabled()
    return tqdm(iterable, total=total, desc=desc, disable=disable, leave=False)
