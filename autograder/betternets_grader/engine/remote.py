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
from betternets.checks.core import capped
from betternets.kernel import wire

from ..rows import one_line

MAX_MESSAGE = 1000   # characters of a student's exception message kept (the kernel's own
# replies cut at 500; one that took over the kernel's request loop can send megabytes)
MAX_NOTES = 20       # warnings and changed arguments kept per call


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
            mutated = [one_line(m, 100) for m in mutated[:MAX_NOTES]]
            for label in wire.changed_arguments(args, kwargs, reply.get("after")):
                if label not in mutated:
                    mutated.append(label)
            return CallRecord(value=value, mutated=mutated,
                              warnings=[one_line(w, 300) for w in warns[:MAX_NOTES]],
                              global_rng_used=bool(reply.get("global_rng_used")),
                              aliased=[one_line(str(a), 200) for a in aliased[:MAX_NOTES]])
        if "unjudgeable" in reply:
            raise wire.Unjudgeable(f"{one_line(reply['unjudgeable'], 160)} "
                                   f"(what {name} returned or took)")
        err = reply.get("error")
        if isinstance(err, dict):
            cls = {"NotImplementedYet": NotImplementedYet, "MissingAnswer": MissingAnswer}.get(
                err.get("class"), StudentError)
            raise cls(one_line(err.get("name", name), 100),
                      one_line(err.get("kind", "Exception"), 100),
                      capped(str(err.get("message", "")), MAX_MESSAGE))
        raise StudentError(name, one_line(reply.get("ename", "Error"), 100),
                           capped(str(reply.get("evalue", "")), MAX_MESSAGE))

