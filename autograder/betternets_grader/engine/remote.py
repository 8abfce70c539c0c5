"""The grader's end of a call to a student's function in the kernel.

`RemoteCaller` is the executor of the checks' `Caller` in the grader: each call
becomes a request to the kernel, and the reply is decoded and judged here (the
value, and the arguments the call changed in place, found by `wire.changed_arguments`
with numpy as the grader has it, whatever the submission did to numpy in its kernel;
what of the value is an argument itself, which only the kernel can see, as it reports it).
Kernel faults propagate; the student's exceptions come back as the same classes a
self-check raises (`StudentError`, `NotImplementedYet`, `MissingAnswer`).
"""
from __future__ import annotations

from betternets.checks.calls import (CallRecord, Caller, MissingAnswer, NotImplementedYet,
                                     StudentError)
from betternets.kernel import wire

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
            aliased = reply.get("aliased", [])
            if not (isinstance(mutated, list) and isinstance(warns, list)
                    and isinstance(aliased, list)):
                raise wire.Unjudgeable("malformed call record")
            mutated = [str(m) for m in mutated]
            for label in wire.changed_arguments(args, kwargs, reply.get("after")):
                if label not in mutated:
                    mutated.append(label)
            return CallRecord(value=value, mutated=mutated,
                              warnings=[str(w) for w in warns],
                              global_rng_used=bool(reply.get("global_rng_used")),
                              aliased=[one_line(str(a), 200) for a in aliased[:20]])
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
