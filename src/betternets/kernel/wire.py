"""The wire between the grader and a kernel: values, frames, and the argument diff.

Both sides import this module: the kernel (`betternets.kernel.server`) to answer, the
grader (its engine's kernel client and remote caller) to ask and to judge, and the
in-process `calls.execute` for the same argument diff.

Values cross as JSON: arrays as their raw bytes with dtype and shape (numeric and
bool dtypes only), tuples, lists, dicts, numbers, strings, and three tokens (`Rng`,
`Fn`, `Answer`) that a request may carry. `decode` never builds anything else, so
the grader never unpickles or evaluates what a submission sends. Anything else is
refused with "cannot judge a value of type X".

Frames on a pipe are an 8-byte big-endian length followed by that many bytes (the
payload): a 4-byte big-endian length, the UTF-8 JSON, then the arrays' raw bytes,
which the JSON names by [offset, length] (an array's bytes would take a third more as
base64 inside the JSON, and encoding, scanning and decoding that text was most of
the cost of a call with large arrays).

Arguments changed in place are found one way, wherever the call ran: where the
function ran, `arguments_after` encodes the arguments it was handed as they are after
the call; where the call is judged, `changed_arguments` compares them with what was
sent (in the grader, with numpy as the grader has it, whatever the submission did to
numpy in its kernel).
"""
from __future__ import annotations

import json
import math
import os
import re
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

HEADER = struct.Struct(">Q")     # a frame's length, before its payload


# ---------------------------------------------------------------- tokens

@dataclass(frozen=True)
class Rng:
    """A random generator, sent by seed: `numpy.random.default_rng(seed)`."""
    seed: int


@dataclass(frozen=True)
class Fn:
    """A function sent by its import path, "package.module:attribute"."""
    path: str


@dataclass(frozen=True)
class Answer:
    """The student's own function `name` (an earlier exercise)."""
    name: str


# ---------------------------------------------------------------- values <-> JSON

MAX_DEPTH = 40
_DTYPE = re.compile(r"^[<>|=]?[biufc]\d{1,2}$")


class Unjudgeable(ValueError):
    """A value that cannot cross to the grader (an object, a function, a generator...)."""


# ---------------------------------------------------------------- values <-> JSON

def encode(value: Any, depth: int = 0, *, _asarray=np.asarray, _isinstance=isinstance,
           _type=type, _isfinite=math.isfinite) -> Any:
    """Plain data for `value` (JSON, but arrays hold their raw bytes, which `dumps` moves
    behind the JSON); Unjudgeable for anything that is not plain data.

    The helpers it uses are bound when this module is imported, before any
    student code runs, so that patching numpy or builtins cannot change what
    crosses to the grader.
    """
    return _encode(value, depth, _asarray, _isinstance, _type, _isfinite)


def _encode(value, depth, _asarray, _isinstance, _type, _isfinite):
    def enc(v):
        return _encode(v, depth + 1, _asarray, _isinstance, _type, _isfinite)
    isinstance, type = _isinstance, _type  # noqa: A001 - the bound originals
    if depth > MAX_DEPTH:
        raise Unjudgeable("cannot judge a value nested this deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2 ** 63 else {"__bigint__": str(value)}
    if t is float:
        return value if _isfinite(value) else {"__float__": repr(value)}
    if t is complex:
        return {"__complex__": [enc(value.real), enc(value.imag)]}
    if isinstance(value, Rng):
        return {"__rng__": int(value.seed)}
    if isinstance(value, Fn):
        return {"__fn__": str(value.path)}
    if isinstance(value, Answer):
        return {"__answer__": str(value.name)}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = _asarray(value)
        if arr.dtype.kind not in "biufc":
            raise Unjudgeable(f"cannot judge a value of type {t.__name__} "
                              f"with dtype {arr.dtype}")
        body = {"dtype": arr.dtype.str, "shape": [int(n) for n in arr.shape],
                "data": arr.tobytes(order="C")}
        return {"__scalar__" if isinstance(value, np.generic) else "__array__": body}
    if t is list:
        return [enc(v) for v in value]
    if t is tuple:
        return {"__tuple__": [enc(v) for v in value]}
    if t is dict:
        return {"__dict__": [[enc(k), enc(v)] for k, v in value.items()]}
    raise Unjudgeable(f"cannot judge a value of type {t.__name__}")


def _array(body: Any) -> np.ndarray:
    if not isinstance(body, dict) or set(body) != {"dtype", "shape", "data"}:
        raise Unjudgeable("malformed array")
    dtype, shape, data = body["dtype"], body["shape"], body["data"]
    if not (isinstance(dtype, str) and _DTYPE.match(dtype)):
        raise Unjudgeable(f"cannot judge an array of dtype {str(dtype)[:40]!r}")
    dt = np.dtype(dtype)
    if dt.kind not in "biufc" or dt.fields is not None or dt.subdtype is not None:
        raise Unjudgeable(f"cannot judge an array of dtype {dtype!r}")
    if (not isinstance(shape, list) or len(shape) > 32
            or not all(type(n) is int and n >= 0 for n in shape)):
        raise Unjudgeable("malformed array shape")
    if not isinstance(data, bytes):
        raise Unjudgeable("malformed array data")
    if len(data) != math.prod(shape) * dt.itemsize:
        raise Unjudgeable("array data does not match its shape and dtype")
    return np.frombuffer(data, dtype=dt).reshape(shape).copy()


def decode(value: Any, depth: int = 0, tokens: bool = False) -> Any:
    """The plain value back from JSON; only numbers, strings, arrays and containers.

    `tokens`: also accept Rng/Fn/Answer (requests from the grader to the kernel).
    """
    if depth > MAX_DEPTH:
        raise Unjudgeable("cannot judge a value nested this deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [decode(v, depth + 1, tokens) for v in value]
    if type(value) is dict and len(value) == 1:
        (key, body), = value.items()
        if key == "__array__":
            return _array(body)
        if key == "__scalar__":
            arr = _array(body)
            if arr.shape != ():
                raise Unjudgeable("malformed scalar")
            return arr[()]
        if key == "__tuple__" and type(body) is list:
            return tuple(decode(v, depth + 1, tokens) for v in body)
        if key == "__dict__" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise Unjudgeable("malformed dict")
                k = decode(pair[0], depth + 1, tokens)
                try:
                    out[k] = decode(pair[1], depth + 1, tokens)
                except TypeError:
                    raise Unjudgeable("cannot judge a dict with unhashable keys") from None
            return out
        if key == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if key == "__bigint__" and type(body) is str and re.fullmatch(r"-?\d{1,4000}", body):
            return int(body)
        if key == "__complex__" and type(body) is list and len(body) == 2:
            re_, im = (decode(v, depth + 1) for v in body)
            if type(re_) is float and type(im) is float:
                return complex(re_, im)
        if tokens and key == "__rng__" and type(body) is int:
            return Rng(body)
        if tokens and key == "__fn__" and type(body) is str:
            return Fn(body)
        if tokens and key == "__answer__" and type(body) is str:
            return Answer(body)
    raise Unjudgeable("malformed value")


def dumps(obj: Any) -> bytes:
    """A frame's payload: the JSON's length (4 bytes, big-endian), the JSON, then every
    bytes value of `obj` (arrays' data), each replaced in the JSON by [offset, length]."""
    tail: list[bytes] = []
    at = [0]

    def behind(value: Any) -> Any:
        if type(value) is not bytes:
            raise Unjudgeable(f"cannot judge a value of type {type(value).__name__}")
        tail.append(value)
        at[0] += len(value)
        return [at[0] - len(value), len(value)]

    text = json.dumps(obj, allow_nan=False, separators=(",", ":"), default=behind)
    head = text.encode("utf-8")
    return struct.pack(">I", len(head)) + head + b"".join(tail)


def json_part(data: bytes) -> bytes:
    """The JSON of a payload `dumps` made (what a size check counts); b"" if malformed."""
    if len(data) < 4:
        return b""
    size = struct.unpack(">I", data[:4])[0]
    return data[4:4 + size] if 4 + size <= len(data) else b""


def loads(data: bytes) -> Any:
    """What `dumps` packed: the JSON, with each array's [offset, length] back as its bytes
    (checked to lie in the payload; anything else is left for `decode` to refuse)."""
    head = json_part(data)
    if not head:
        raise Unjudgeable("malformed frame")
    tail = memoryview(data)[4 + len(head):]

    def no_constants(name: str) -> Any:
        raise Unjudgeable(f"malformed number {name}")

    def arrays(obj: dict) -> dict:
        ref = obj.get("data")
        if (len(obj) == 3 and "dtype" in obj and "shape" in obj and type(ref) is list
                and len(ref) == 2 and all(type(n) is int and n >= 0 for n in ref)
                and ref[0] + ref[1] <= len(tail)):
            obj["data"] = bytes(tail[ref[0]:ref[0] + ref[1]])
        return obj

    return json.loads(head.decode("utf-8"), parse_constant=no_constants, object_hook=arrays)


# ---------------------------------------------------------------- frames

def frame(payload: bytes) -> bytes:
    """The bytes on the pipe for one payload: its length, then the payload."""
    return HEADER.pack(len(payload)) + payload


def frame_size(header: bytes) -> int:
    """The payload's length, from a frame's first HEADER.size bytes."""
    return HEADER.unpack(header)[0]


def write_frame(fd: int, payload: bytes) -> None:
    """The whole frame on a blocking descriptor (the kernel's side: the grader's side
    writes with a deadline, `Kernel._write`)."""
    view = memoryview(frame(payload))
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    """One frame's payload from a blocking descriptor; EOFError when the pipe closed."""
    return read_exact(fd, frame_size(read_exact(fd, HEADER.size)))


# ---------------------------------------------------------------- the argument diff

def _not_data(value: Any, _isinstance=isinstance, _callable=callable,
              _kinds=(Rng, Fn, Answer, np.random.Generator)) -> bool:
    """Tokens, generators and functions: using them is not changing them. (The helpers
    are bound at import, before any student code runs, as in `encode`.)"""
    return _isinstance(value, _kinds) or _callable(value)


def arguments_after(live_args: tuple, live_kwargs: dict, sent_args: tuple,
                    sent_kwargs: dict) -> Any:
    """The arguments a function was handed (`live_*`, its own copies), as they are after
    the call, for comparison with what was sent (`sent_*`, tokens unresolved)."""
    return _after([list(live_args), dict(live_kwargs)], [list(sent_args), dict(sent_kwargs)])


def _after(live: Any, sent: Any, _encode=encode, _type=type, _not_data=_not_data) -> Any:
    """Tokens (generators, functions) become None; what cannot be encoded any more
    becomes {"__changed__": type name}."""
    if _not_data(sent):
        return None
    if _type(sent) in (list, tuple) and _type(live) in (list, tuple) and len(sent) == len(live):
        return [_after(a, b) for a, b in zip(live, sent)]
    if _type(sent) is dict and _type(live) is dict and live.keys() == sent.keys():
        return {"__dict__": [[k, _after(live[k], sent[k])] for k in sent]}
    try:
        return _encode(live)
    except Unjudgeable:
        return {"__changed__": _type(live).__name__}


def changed_arguments(args: tuple, kwargs: dict, after: Any) -> list[str]:
    """Labels ("argument 2", "argument state=") of the arguments `args`, `kwargs` that
    `after` (what `arguments_after` made of them) shows changed in place."""
    if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], list)
            and len(after[0]) == len(args)):
        return []
    labels = [f"argument {i + 1}" for i, (a, b) in enumerate(zip(args, after[0]))
              if not _same_data(a, b)]
    kw = after[1]
    if isinstance(kw, dict) and isinstance(kw.get("__dict__"), list):
        pairs = {p[0]: p[1] for p in kw["__dict__"] if isinstance(p, list) and len(p) == 2
                 and isinstance(p[0], str)}
        labels += [f"argument {k}=" for k in kwargs if k in pairs
                   and not _same_data(kwargs[k], pairs[k])]
    return labels


def _same_data(sent: Any, after: Any) -> bool:
    """Is `after` (an encoded argument after the call) the same data as `sent`?"""
    if _not_data(sent):
        return True
    if isinstance(sent, (list, tuple)):
        return (isinstance(after, list) and len(after) == len(sent)
                and all(_same_data(a, b) for a, b in zip(sent, after)))
    if isinstance(sent, dict):
        if not (isinstance(after, dict) and isinstance(after.get("__dict__"), list)):
            return False
        pairs = {k: v for k, v in after["__dict__"] if isinstance(k, str)} \
            if all(isinstance(p, list) and len(p) == 2 for p in after["__dict__"]) else None
        return (pairs is not None and pairs.keys() == sent.keys()
                and all(_same_data(sent[k], pairs[k]) for k in sent))
    if isinstance(sent, np.ndarray) and _same_bytes(sent, after):
        return True   # the usual case, without decoding a copy of the array
    try:
        value = decode(after)
    except Unjudgeable:
        return False
    if isinstance(sent, np.ndarray) or isinstance(value, np.ndarray):
        return (isinstance(sent, np.ndarray) and isinstance(value, np.ndarray)
                and sent.shape == value.shape and sent.dtype == value.dtype
                and bool(np.array_equal(sent, value, equal_nan=sent.dtype.kind in "fc")))
    if type(sent) is not type(value):
        return False
    try:   # NaN is the one value unequal to itself: two NaNs are the same data
        return bool(sent == value or (sent != sent and value != value))  # noqa: PLR0124
    except Exception:  # noqa: BLE001 - a comparison that fails: not the same
        return False


def _same_bytes(sent: np.ndarray, after: Any) -> bool:
    """Is `after` the encoding of an array with `sent`'s dtype, shape and bytes?"""
    body = after.get("__array__") if type(after) is dict and len(after) == 1 else None
    return (type(body) is dict and body.get("dtype") == sent.dtype.str
            and body.get("shape") == list(sent.shape) and type(body.get("data")) is bytes
            and body["data"] == sent.tobytes(order="C"))
