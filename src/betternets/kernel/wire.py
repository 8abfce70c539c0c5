"""The kernel side of `betternets grade`: serve `call` requests from the grader.

The grader starts `python -m betternets.checks.serve CONFIG` in a sandbox. This
process runs the notebook's setup and answer cells in an IPython shell and
answers requests on a pipe:

    {"op": "run", "code": ...}                        run one cell
    {"op": "call", "name": ..., "args": ..., "kwargs": ...}
                                                      `calls.execute` one function
    {"op": "many", "calls": [{"name", "args", "kwargs"}, ...]}
                                                      several calls in order: one reply
                                                      frame per call as soon as it is
                                                      done; stops after the first call
                                                      that raised (as a loop would)

With '{"template": true, ...}' as its configuration the process is instead the
template kernel of `betternets.checks.template`, which forks one kernel per
submission.

Nothing is judged here: a call's record (value, mutated arguments, warnings,
global RNG use) goes back as plain data, and the grader compares it with the
reference in its own process. Values cross as JSON: arrays as their raw bytes
with dtype and shape (numeric and bool dtypes only), tuples, lists, dicts,
numbers, strings. `decode` never builds anything else, so the grader never
unpickles or evaluates what a submission sends. Anything else is refused with
"cannot judge a value of type X".

Frames on the pipe are an 8-byte big-endian length followed by that many bytes:
a 4-byte big-endian length, the UTF-8 JSON, then the arrays' raw bytes, which
the JSON names by [offset, length] (an array's bytes would take a third more as
base64 inside the JSON, and encoding, scanning and decoding that text was most
of the cost of a call with large arrays).
"""
from __future__ import annotations

import json
import math
import os
import re
import struct
import sys
from typing import Any

import numpy as np

from .calls import Answer, Fn, Rng

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


def write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
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


# ---------------------------------------------------------------- the kernel

class CappedText:
    """A text stream that keeps its first `limit` bytes and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def write(self, text: Any) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            piece = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
            self.parts.append(piece)
            self.size += len(piece.encode("utf-8"))
        self.dropped += max(0, len(text.encode("utf-8", "replace")) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def value(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [output cut: {self.dropped} more bytes]"
        return text


class _Watch:
    """The notebook's namespace, except that function `name` is wrapped so that the
    arguments it actually receives are kept: after the call they go to the grader,
    which judges for itself whether the function changed them."""

    def __init__(self, ns: dict, name: str):
        self.ns, self.name, self.called, self.args, self.kwargs = ns, name, False, (), {}
        self._depth = 0

    def get(self, key: str, default: Any = None) -> Any:
        fn = self.ns.get(key, default)
        if key != self.name or not callable(fn):
            return fn
        watch = self

        def watched(*args, **kwargs):
            if watch._depth == 0 and not watch.called:
                watch.called, watch.args, watch.kwargs = True, args, kwargs
            watch._depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                watch._depth -= 1
        return watched

    def __getitem__(self, key: str) -> Any:
        return self.ns[key]

    def __contains__(self, key: object) -> bool:
        return key in self.ns

    def __iter__(self):
        return iter(self.ns)

    def __len__(self) -> int:
        return len(self.ns)


def _after(live: Any, sent: Any, _encode=encode, _type=type) -> Any:
    """The arguments as they are after a call, for the grader to compare with what it
    sent: tokens (generators, functions) become None; what cannot be encoded any more
    becomes {"__changed__": type name}."""
    if _type(sent) in (Rng, Fn, Answer):
        return None
    if _type(sent) in (list, tuple) and _type(live) in (list, tuple) and len(sent) == len(live):
        return [_after(a, b) for a, b in zip(live, sent)]
    if _type(sent) is dict and _type(live) is dict and live.keys() == sent.keys():
        return {"__dict__": [[k, _after(live[k], sent[k])] for k in sent]}
    try:
        return _encode(live)
    except Unjudgeable:
        return {"__changed__": _type(live).__name__}


def apply_limits(cfg: dict) -> None:
    """nice, rlimits, the sandbox user id and RLIMIT_NPROC, before any student code."""
    import resource
    try:
        os.nice(int(cfg.get("nice") or 0))   # inherited by every child; cannot be undone
    except OSError:
        pass
    for name, value in cfg.get("rlimits", {}).items():
        limit = getattr(resource, name)
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
    uid = cfg.get("uid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    nproc = cfg.get("nproc")
    if nproc:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        except (ValueError, OSError):
            pass


def new_shell():
    """The IPython shell that runs the cells, without a history database: cells run with
    store_history=False, and the history's SQLite file and its saving thread would only
    cost time. The template kernel makes it before it forks (`template.Template.loop`),
    so that every kernel inherits it made and unused (30 ms a kernel less)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    if InteractiveShell.initialized():
        return InteractiveShell.instance()
    config = Config()
    config.HistoryManager.enabled = False
    return InteractiveShell.instance(config=config)


def serve(cfg: dict) -> None:
    """A fresh kernel process: its seeds (`template.reseed`), its limits, then `answer`."""
    if type(cfg.get("seed")) is int:
        from .template import reseed
        reseed(cfg["seed"])
    apply_limits(cfg)
    answer(cfg)


def answer(cfg: dict) -> None:
    """Answer requests until the pipe closes (limits already applied). Holds its own
    references to what it uses."""
    req_fd, resp_fd, cap = cfg["req_fd"], cfg["resp_fd"], int(cfg.get("output_bytes", 10000))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    from . import calls
    from .calls import MissingAnswer, NotImplementedYet, StudentError

    execute, _encode, _dumps, _write, _read = calls.execute, encode, dumps, write_frame, read_exact
    _loads, _decode = loads, decode
    shell = new_shell()
    shell.user_ns["__name__"] = "__main__"
    real_stdout, real_stderr = sys.stdout, sys.stderr

    def reply(obj: dict) -> None:
        try:
            payload = _dumps(obj)
        except Unjudgeable as exc:
            payload = _dumps({"ok": False, "unjudgeable": str(exc)})
        _write(resp_fd, payload)

    def one_call(name, args, kwargs) -> dict:
        """The record of one call as plain data; its captured output in "out"."""
        out = CappedText(cap)
        sys.stdout = sys.stderr = out
        try:
            args, kwargs = _decode(args, tokens=True), _decode(kwargs, tokens=True)
            seen = _Watch(shell.user_ns, name)
            rec = execute(seen, name, tuple(args), kwargs, judge_mutation=False)
            body = {"ok": True, "value": _encode(rec.value),
                    "after": _after([list(seen.args), seen.kwargs], [args, kwargs])
                    if seen.called else None,
                    "mutated": [str(m) for m in rec.mutated],
                    "warnings": [str(w)[:300] for w in rec.warnings[:20]],
                    "global_rng_used": bool(rec.global_rng_used)}
        except StudentError as exc:
            cls = ("NotImplementedYet" if isinstance(exc, NotImplementedYet) else
                   "MissingAnswer" if isinstance(exc, MissingAnswer) else "StudentError")
            body = {"ok": False, "error": {"class": cls, "name": str(exc.name),
                                           "kind": str(exc.kind),
                                           "message": str(exc.message)[:500]}}
        except Unjudgeable as exc:
            body = {"ok": False, "unjudgeable": str(exc)}
        except BaseException as exc:  # noqa: BLE001 - the kernel must keep answering
            body = {"ok": False, "ename": type(exc).__name__, "evalue": str(exc)[:500]}
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
        body["out"] = out.value()
        return body

    _write(resp_fd, _dumps({"ok": True, "ready": True}))
    while True:
        try:
            size = struct.unpack(">Q", _read(req_fd, 8))[0]
            req = _loads(_read(req_fd, size))
        except EOFError:
            return
        out = CappedText(cap)
        try:
            op = req.get("op")
            if op == "run":
                sys.stdout = sys.stderr = out
                result = shell.run_cell(req["code"], store_history=False)
                err = result.error_before_exec or result.error_in_exec
                sys.stdout, sys.stderr = real_stdout, real_stderr
                if err is not None:
                    reply({"ok": False, "ename": type(err).__name__,
                           "evalue": str(err)[:500], "out": out.value()})
                else:
                    reply({"ok": True, "out": out.value()})
            elif op == "call":
                reply(one_call(req["name"], req["args"], req["kwargs"]))
            elif op == "many":
                # one reply frame per call, in order, each as soon as its call is done; the
                # batch stops after the first call that did not return (as a loop would)
                for item in req["calls"]:
                    body = one_call(item["name"], item["args"], item["kwargs"])
                    reply(body)
                    if not body.get("ok"):
                        break
            else:
                reply({"ok": False, "ename": "ProtocolError", "evalue": "unknown request"})
        except BaseException as exc:  # noqa: BLE001 - the kernel must keep answering
            sys.stdout, sys.stderr = real_stdout, real_stderr
            reply({"ok": False, "ename": type(exc).__name__, "evalue": str(exc)[:500],
                   "out": out.value()})


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    cfg = json.loads(argv[0])
    os.environ.setdefault("MPLBACKEND", "Agg")
    if cfg.get("template"):
        from . import template
        template.main(cfg)
    else:
        serve(cfg)


if __name__ == "__main__":
    main()
