"""The `call` interface: how a check reaches a student's function.

A check never touches student code directly. It asks a `Caller`:

    value = call("sigmoid", z)              # the returned value
    rec = call.record("sigmoid", z)         # value plus what the call did
    recs = call.many([("sigmoid", (z1,)), ("sigmoid", (z2,))])   # independent calls,
                                            # one round trip to the grader's kernel

Arguments are plain data (arrays, numbers, lists, dicts) or one of three
tokens, so that a request can cross a process boundary:

    Rng(seed)          becomes numpy.random.default_rng(seed) where the call runs
    Fn("mod:name")     a function importable where the call runs (a surface,
                       a test function from betternets.checks.functions)
    Answer("sigmoid")  the student's own function of that name

`execute` is the one place that runs a student's function. It runs in the
student's kernel, both for self-checks and for the grader, which sends it
requests from outside and judges the plain records it sends back.
"""
from __future__ import annotations

import copy
import importlib
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..kernel.wire import Answer, Fn, Rng, arguments_after, changed_arguments


class StudentError(Exception):
    """The student's function raised; `kind` is the exception's class name."""

    def __init__(self, name: str, kind: str, message: str, where: str = ""):
        super().__init__(f"{name} raised {kind}: {message}")
        self.name, self.kind, self.message, self.where = name, kind, message, where


class NotImplementedYet(StudentError):
    """The exercise still raises NotImplementedError (the untouched stub)."""


class MissingAnswer(StudentError):
    """No function of that name exists in the notebook."""


@dataclass
class CallRecord:
    """What one call did: its value, and side effects a check may judge."""
    value: Any
    mutated: list[str] = field(default_factory=list)   # arguments changed in place
    warnings: list[str] = field(default_factory=list)  # "RuntimeWarning: overflow ..."
    global_rng_used: bool = False                      # np.random's global state moved
    # (watched only in calls handed an `Rng`: reading numpy's global state costs 60 us, three
    # times an optimizer step, and only a function given a generator must not use np.random)
    after: Any = None    # in the grader's kernel: the arguments after the call, encoded
    aliased: list[str] = field(default_factory=list)   # the value is (a view of) an argument


def resolve(arg: Any, namespace: Mapping[str, Any]) -> Any:
    """Replace tokens by live objects, recursively through lists, tuples, dicts."""
    if isinstance(arg, Rng):
        return np.random.default_rng(arg.seed)
    if isinstance(arg, Fn):
        module, _, attrs = arg.path.partition(":")
        found = importlib.import_module(module)
        for attr in attrs.split("."):    # "scipy.stats:logistic.pdf": an attribute's attribute
            found = getattr(found, attr)
        return found
    if isinstance(arg, Answer):
        return _lookup(namespace, arg.name)
    if isinstance(arg, list):
        return [resolve(a, namespace) for a in arg]
    if isinstance(arg, tuple):
        return tuple(resolve(a, namespace) for a in arg)
    if isinstance(arg, dict):
        return {k: resolve(v, namespace) for k, v in arg.items()}
    return arg


def _lookup(namespace: Mapping[str, Any], name: str) -> Callable:
    fn = namespace.get(name)
    if not callable(fn):
        raise MissingAnswer(name, "NameError",
                            f"no function named {name!r} is defined; run the cell that defines it")
    return fn


def _global_rng_position() -> tuple:
    state = np.random.get_state()
    return state[1].tobytes(), state[2], state[3], state[4]


def _copyable(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - a value that cannot be copied is compared as it is
        return value


_LIVE: list[tuple[tuple, dict]] = []   # the arguments of the calls running now, innermost last


def live_arguments() -> tuple[tuple, dict]:
    """The objects the student's function now running was handed (its own copies): a test
    function (`functions.callers_x_square_sum`) reads them as a closure over the caller's
    variables would, and so sees an argument the answer changes during the call."""
    if not _LIVE:
        raise RuntimeError("live_arguments() is only defined inside a call")
    return _LIVE[-1]


def execute(namespace: Mapping[str, Any], name: str, args: tuple = (),
            kwargs: Mapping[str, Any] | None = None, *, judge_mutation: bool = True) -> CallRecord:
    """Call the student's function `name` from `namespace` and record what it did.

    `judge_mutation=False` leaves `mutated` empty and keeps the arguments as they are after
    the call in `after`: the grader's kernel sends them back and the grader judges them
    itself (`betternets.kernel.server`). Either way the one argument diff of `wire` decides
    what changed."""
    fn = _lookup(namespace, name)
    handed_rng = any(isinstance(a, Rng) for a in (*args, *(kwargs or {}).values()))
    # The student's function gets its own copies, so that an answer that writes into its
    # input can neither change the check's data nor hide it: we compare afterwards.
    sent_args, sent_kwargs = tuple(args), dict(kwargs or {})
    args = _copyable(resolve(sent_args, namespace))
    kwargs = _copyable(resolve(sent_kwargs, namespace))
    rng_before = _global_rng_position() if handed_rng else None
    _LIVE.append((args, kwargs))
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except NotImplementedError as exc:
            raise NotImplementedYet(name, "NotImplementedError", str(exc)) from None
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - the student's bug, reported as such
            where = "".join(traceback.format_exception(exc)[-3:])
            raise StudentError(name, type(exc).__name__, str(exc), where) from None
        finally:
            _LIVE.pop()
    after = arguments_after(args, kwargs, sent_args, sent_kwargs)
    return CallRecord(
        aliased=aliased_arguments(value, args, kwargs),
        value=value,
        mutated=changed_arguments(sent_args, sent_kwargs, after) if judge_mutation else [],
        after=None if judge_mutation else after,
        warnings=[f"{w.category.__name__}: {w.message}" for w in caught],
        global_rng_used=handed_rng and _global_rng_position() != rng_before,
    )


def _containers(value: Any, label: str, into_dicts: bool, depth: int = 0
                ) -> Iterable[tuple[str, Any]]:
    """(label, object) of `value` and of what it holds: arrays, dicts and lists, looked for
    through lists and tuples (and dicts, with `into_dicts`) down to three levels, as deep
    as the values the checks send and receive."""
    if isinstance(value, (np.ndarray, dict, list)):
        yield label, value
    if depth < 3 and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _containers(item, f"{label}[{i}]", into_dicts, depth + 1)
    elif depth < 3 and into_dicts and isinstance(value, dict):
        for key, item in value.items():
            yield from _containers(item, f"{label}[{key!r}]", into_dicts, depth + 1)


def aliased_arguments(value: Any, args: tuple, kwargs: Mapping[str, Any]) -> list[str]:
    """What of `value` is one of the arguments (`args`, `kwargs`: the objects the function
    was handed) or shares memory with one of their arrays, in words: "the value is argument
    1", "the value[0] shares memory with argument 2[1]".

    The contract asks for new objects: an answer that hands back its input (or a view of
    it) lets the caller's next write change both. Identity and memory are facts of the
    process the function ran in, so this runs there (`execute`) and the kernel reports the
    labels. A returned dict (an optimizer's new state) must be a new dict, but the arrays in
    it may be the input state's: it is not looked into."""
    held = [(label, obj) for i, a in enumerate(args)
            for label, obj in _containers(a, f"argument {i + 1}", True)]
    held += [(label, obj) for k, a in kwargs.items()
             for label, obj in _containers(a, f"argument {k}=", True)]
    found: list[str] = []
    seen: list[str] = []   # the parts of the value already named: what they hold is not
    for out_label, out in _containers(value, "the value", False):
        if any(out_label.startswith(f"{s}[") for s in seen):
            continue
        for in_label, obj in held:
            if out is obj:
                found.append(f"{out_label} is {in_label}")
            elif (isinstance(out, np.ndarray) and isinstance(obj, np.ndarray) and out.size
                    and np.may_share_memory(out, obj)):
                found.append(f"{out_label} shares memory with {in_label}")
            else:
                continue
            seen.append(out_label)
            break
    return found


Call = tuple  # (name, args) or (name, args, kwargs), as `Caller.many` takes them


class Caller:
    """What checks use: `call(name, *args, **kw)`, `call.record(...)` and `call.many(...)`.

    `executor(name, args, kwargs) -> CallRecord` does the work: `execute` on a
    namespace in the student's kernel, or a request sent to a kernel by the
    grader. `batch(calls) -> list[CallRecord]`, when given, does the work of `many`
    (the grader sends the calls in one request).
    """

    def __init__(self, executor: Callable[[str, tuple, dict], CallRecord],
                 batch: Callable[[list[tuple[str, tuple, dict]]], list[CallRecord]] | None = None):
        self._executor = executor
        self._batch = batch

    def many(self, calls: Iterable[Call]) -> list[CallRecord]:
        """The records of several independent calls, `(name, args[, kwargs])` each.

        Exactly what `[call.record(name, *args, **kwargs) for ...]` gives: the calls run
        in order in the same kernel, and the first call that raises (StudentError, a
        fault) raises here and the calls after it do not run. Each call keeps its own
        time limit. Use it where no call's arguments depend on an earlier call's value:
        the grader then pays one round trip to the kernel for the whole batch.
        """
        items = []
        for item in calls:
            name, args, *rest = item
            items.append((str(name), tuple(args), dict(rest[0]) if rest else {}))
        if self._batch is not None and len(items) > 1:
            return self._batch(items)
        return [self._executor(name, args, kwargs) for name, args, kwargs in items]

    def values(self, calls: Iterable[Call]) -> list[Any]:
        """What `many` gives, as the calls' values: `[call(name, *args, **kwargs) for ...]`
        in one round trip."""
        return [rec.value for rec in self.many(calls)]

    def record(self, name: str, *args: Any, **kwargs: Any) -> CallRecord:
        return self._executor(name, args, kwargs)

    def __call__(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.record(name, *args, **kwargs).value


def namespace_caller(namespace: Mapping[str, Any]) -> Caller:
    """A caller that runs functions found in `namespace` (a notebook's globals)."""
    return Caller(lambda name, args, kwargs: execute(namespace, name, args, kwargs))
