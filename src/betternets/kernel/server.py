"""A kernel's request loop: run cells and `calls.execute` a student's function.

A forked kernel (`forkserver.become_kernel`), or a plain process started as
`python -m betternets.kernel CONFIG`, runs the notebook's setup and answer cells in
an IPython shell and answers requests on a pipe (frames of `wire`):

    {"op": "run", "code": ...}                        run one cell
    {"op": "call", "name": ..., "args": ..., "kwargs": ...}
                                                      `calls.execute` one function
    {"op": "many", "calls": [{"name", "args", "kwargs"}, ...]}
                                                      several calls in order: one reply
                                                      frame per call as soon as it is
                                                      done; stops after the first call
                                                      that raised (as a loop would)

Replies, one frame each:

    {"ok": true, "ready": true, "unapplied": [...]}   first, before any request: the
                                                      limits that did not apply
                                                      (`process.apply_limits`)
    {"ok": true, "out": ...}                          a cell ran
    {"ok": true, "value": ..., "after": ..., "mutated": [], "warnings": [...],
     "global_rng_used": bool, "aliased": [...], "out": ...}
                                                      a call returned ("aliased": what
                                                      of the value is an argument or a
                                                      view of one, `calls.aliased_arguments`:
                                                      identity is known only here)
    {"ok": false, "error": {"class", "name", "kind", "message"}, "out": ...}
                                                      the student's function raised
                                                      (`calls.StudentError` and kin)
    {"ok": false, "unjudgeable": ..., "out": ...}     a value that cannot cross
    {"ok": false, "ename": ..., "evalue": ..., "out": ...}
                                                      a cell raised, or anything else

Nothing is judged here: a call's record (value, the arguments as they are after the
call, warnings, global RNG use) goes back as plain data, and the grader compares it
with the reference in its own process.
"""
from __future__ import annotations

import os
import sys
from typing import Any

from ..checks import calls
from . import wire
from .process import apply_limits, new_shell, reseed


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


def serve(cfg: dict) -> None:
    """A fresh kernel process: its seeds, its limits, then `answer`."""
    if type(cfg.get("seed")) is int:
        reseed(cfg["seed"])
    answer(cfg, apply_limits(cfg))


def answer(cfg: dict, unapplied: list[str] = ()) -> None:
    """Answer requests until the pipe closes (limits already applied; `unapplied` the ones
    that did not, said in the first reply). Holds its own references to what it uses, taken
    before any student code runs."""
    req_fd, resp_fd, cap = cfg["req_fd"], cfg["resp_fd"], int(cfg.get("output_bytes", 10000))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    execute, StudentError = calls.execute, calls.StudentError
    NotImplementedYet, MissingAnswer = calls.NotImplementedYet, calls.MissingAnswer
    Unjudgeable = wire.Unjudgeable
    _encode, _dumps, _write, _read = wire.encode, wire.dumps, wire.write_frame, wire.read_frame
    _loads, _decode = wire.loads, wire.decode
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
            rec = execute(shell.user_ns, name, tuple(args), kwargs, judge_mutation=False)
            body = {"ok": True, "value": _encode(rec.value), "after": rec.after,
                    "mutated": [str(m) for m in rec.mutated],
                    "aliased": [str(a)[:200] for a in rec.aliased[:20]],
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

    reply({"ok": True, "ready": True, "unapplied": [str(u)[:200] for u in unapplied]})
    while True:
        try:
            req = _loads(_read(req_fd))
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
