"""Text from a submission made valid where it enters the grader, once.

A submission's texts reach the grader three ways: the notebook's JSON (`parse_json`,
through `engine.notebooks.read_submission`), the kernel's replies (`valid_tree`, in
`engine.kernel.Kernel._receive`) and the names of folders (`valid_name`, in
`submissions.name_of`). JSON may spell a lone surrogate (`"\\ud800"`) that no UTF-8
writer can encode, and a folder name may hold bytes that are not UTF-8 (Python keeps
them as surrogates, PEP 383); either would stop the CSV, the gradebook or the cache
from being written, for the whole class. Here each such character becomes U+FFFD, so
every later writer meets valid text only; the replacement character is the mark, and
the callers that can say more (a folder's name) add a note.

A notebook nested deeper than `MAX_NESTING` (valid JSON of a few kB can nest 5000
lists) is refused here too: every step that reads it again (the autograded notebook,
the gradebook, the similarity) goes through `parse_json` and gets the same refusal
instead of a RecursionError. The walk is iterative, so checking costs no recursion.
The standard library has no bounded-depth JSON reader, hence this module.
"""
from __future__ import annotations

import json
import os
import re

MAX_NESTING = 100          # lists and objects inside one another in a submission's JSON
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def valid_text(text: str) -> str:
    """`text` with every lone surrogate (unencodable in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


class TooDeep(ValueError):
    """The JSON nests lists and objects deeper than the grader reads."""


def valid_tree(obj, max_nesting: int | None = None):
    """`obj` (parsed JSON: dicts, lists, strings, numbers) with every string and key made
    valid by `valid_text`, in place where possible. Raises TooDeep past `max_nesting`."""
    root = [obj]
    stack = [(root, 0, 0)]          # (container, key or index, depth of the value)
    while stack:
        holder, at, depth = stack.pop()
        value = holder[at]
        if isinstance(value, str):
            holder[at] = valid_text(value)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if max_nesting is not None and depth >= max_nesting:
            raise TooDeep(f"nested more than {max_nesting} lists or objects deep")
        if isinstance(value, dict):
            if any(_SURROGATE.search(k) for k in value):
                fixed = {valid_text(k): v for k, v in value.items()}
                value.clear()
                value.update(fixed)
            stack.extend((value, k, depth + 1) for k in value)
        else:
            stack.extend((value, i, depth + 1) for i in range(len(value)))
    return root[0]


def has_escaped_surrogate(data: bytes) -> bool:
    """Can this JSON hold a surrogate (a `\\udXXX` escape)? If not, no string parsed
    from it needs `valid_text`."""
    return _ESCAPED_SURROGATE.search(data) is not None


def parse_json(data: bytes, max_nesting: int = MAX_NESTING):
    """A submission's JSON as Python objects with valid text only. Raises ValueError
    (UnicodeDecodeError, json.JSONDecodeError, TooDeep) when it cannot be read safely."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise TooDeep("nested too deep for the JSON reader") from None
    if not has_escaped_surrogate(data):
        # no string can hold a surrogate: only the depth is checked
        _check_depth(obj, max_nesting)
        return obj
    return valid_tree(obj, max_nesting)


def _check_depth(obj, max_nesting: int) -> None:
    stack = [(obj, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= max_nesting:
                raise TooDeep(f"nested more than {max_nesting} lists or objects deep")
            items = value.values() if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items if isinstance(v, (dict, list)))


def valid_name(entry: str) -> tuple[str, str]:
    """A folder's name as valid text, and a note when it was not: bytes that are not UTF-8
    (kept by `os` as surrogates) are each shown as U+FFFD."""
    raw = os.fsencode(entry)
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return (raw.decode("utf-8", "replace"),
                "the folder's name is not valid UTF-8: its undecodable bytes are shown as "
                f"{REPLACEMENT} ({raw!r})")
