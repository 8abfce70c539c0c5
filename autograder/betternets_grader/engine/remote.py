"""The grader's end of a call to a student's function in the kernel.

`RemoteCaller` is the executor of the checks' `Caller` in the grader: each call
becomes a request to the kernel, and the reply is decoded and judged here (the
value, the arguments the call changed in place, compared with numpy as the grader
has it, whatever the submission did to numpy in its kernel). Kernel faults
propagate; the student's exceptions come back as the same classes a self-check
raises (`StudentError`, `NotImplementedYet`, `MissingAnswer`).
"""
from __future__ import annotations

from typing import Any

from betternets.checks import serve as wire
from betternets.checks.calls import (CallRecord, Caller, MissingAnswer, NotImplementedYet,
                                     StudentError)

from ..rows import one_line


class RemoteCaller:
    """An executor for `Caller` whose calls go to the kernel; faults propagate. `many` is
    the Caller's batch: one request for several calls, each reply judged as `__call__`
    judges one."""

    def __init__(self, session):
        self.session = session   # has call(...) -> the kernel's reply (a dict), and call_many

    def __call__(self, name: str, args: tuple, kwargs: dict) -> CallRecord:
        return self.record(name, args, kwargs, self.session.call(name, args, kwargs))

    def many(self, calls: list[tuple[str, tuple, dict]]) -> list[CallRecord]:
        replies = self.session.call_many(calls)
        return [self.record(name, args, kwargs, reply)
                for (name, args, kwargs), reply in zip(calls, replies)]

    def caller(self) -> Caller:
        return Caller(self, batch=self.many)

    @staticmethod
    def record(name: str, args: tuple, kwargs: dict, reply: dict) -> CallRecord:
        """The record of one call from the kernel's reply, or the exception it raised."""
        if reply.get("ok"):
            try:
                value = wire.decode(reply.get("value"))
            except wire.Unjudgeable as exc:
                raise wire.Unjudgeable(f"{exc} (what {name} returned)") from None
            mutated, warns = reply.get("mutated", []), reply.get("warnings", [])
            if not (isinstance(mutated, list) and isinstance(warns, list)):
                raise wire.Unjudgeable("malformed call record")
            mutated = [str(m) for m in mutated]
            for label in changed_arguments(args, kwargs, reply.get("after")):
                if label not in mutated:
                    mutated.append(label)
            return CallRecord(value=value, mutated=mutated,
                              warnings=[str(w) for w in warns],
                              global_rng_used=bool(reply.get("global_rng_used")))
        if "unjudgeable" in reply:
            raise wire.Unjudgeable(f"{one_line(reply['unjudgeable'], 160)} "
                                   f"(what {name} returned or took)")
        err = reply.get("error")
        if isinstance(err, dict):
            cls = {"NotImplementedYet": NotImplementedYet, "MissingAnswer": MissingAnswer}.get(
                err.get("class"), StudentError)
            raise cls(str(err.get("name", name)), str(err.get("kind", "Exception")),
                      str(err.get("message", "")))
        raise StudentError(name, str(reply.get("ename", "Error")), str(reply.get("evalue", "")))


def _same_data(sent: Any, after: Any) -> bool:
    """Is `after` (JSON from the kernel) the same data as `sent`? Judged here, with numpy
    as the grader has it, whatever the submission did to numpy in its kernel."""
    import numpy as np
    from betternets.checks.calls import Answer, Fn, Rng
    if isinstance(sent, (Rng, Fn, Answer)):
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
        value = wire.decode(after)
    except wire.Unjudgeable:
        return False
    if isinstance(sent, np.ndarray) or isinstance(value, np.ndarray):
        return (isinstance(sent, np.ndarray) and isinstance(value, np.ndarray)
                and sent.shape == value.shape and sent.dtype == value.dtype
                and bool(np.array_equal(sent, value, equal_nan=sent.dtype.kind in "fc")))
    try:
        return type(sent) is type(value) and bool(sent == value or (sent != sent and value != value))
    except Exception:  # noqa: BLE001
        return False


def _same_bytes(sent, after: Any) -> bool:
    """Is `after` the encoding of an array with `sent`'s dtype, shape and bytes?"""
    body = after.get("__array__") if type(after) is dict and len(after) == 1 else None
    return (type(body) is dict and body.get("dtype") == sent.dtype.str
            and body.get("shape") == list(sent.shape) and type(body.get("data")) is bytes
            and body["data"] == sent.tobytes(order="C"))


def changed_arguments(args: tuple, kwargs: dict, after: Any) -> list[str]:
    """Arguments the call changed in place, judged in the grader from the kernel's report
    of the arguments after the call."""
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
