"""`betternets-grader mutants NOTEBOOK`: how strong are a notebook's hidden checks?

Each answer cell's solution region (between `### BEGIN SOLUTION` and
`### END SOLUTION` in `solutions/NN_topic.ipynb`) is changed at one point at a
time. Every such mutant is graded through the real engine
(`engine.judge.grade_unit`, the work unit of `betternets grade`: sandboxed
kernel, verdicts judged in this process) and is

- **killed** when it loses points on one of its own exercise's test cells;
- **equivalent** when it keeps full marks and the reviewed allowlist
  `hidden/equivalent/NN_topic.tsv` says why it computes the same thing;
- **survived** otherwise: a hole in the checks, shown as a unified diff.

Operators (one textual edit each, so the diff shows exactly the change):
`arith` swaps an arithmetic operator (+ -, * /, ** *, // /, @ *), `compare`
flips a comparison (< <=, > >=, < >, == !=), `constant` nudges a number
(int n -> n+1 and n-1, float x -> 1.5 x, 0.0 -> 1.0, True <-> False), `call`
swaps a call (mean <-> sum, max <-> min, zeros <-> ones, uniform <-> normal,
...), `delete` replaces a simple statement by `pass`, `negate` drops a unary
minus or a `not`, or negates an `if` test. Six more break the shared contract with the
formula kept (`_contract_edits`): `dtype` (float64 becomes float32 or int), `alias` (a copy
dropped, an update made in place), `rng` (np.random, or a generator of one's own, instead
of the rng given), `range` (a loop skipping the first or the last item), `validate` (a
check of the arguments dropped) and `scale` (a constant ten times off, a factor set to 1).

Why not mutmut or cosmic-ray: both mutate *files of an installed project* and
run a test command per mutant (mutmut 3 rewrites modules into a trampoline
that its own runner drives; cosmic-ray's operators act on parso trees of
modules listed in a session database and write the mutated file to disk).
Our code lives in notebook cells, and a mutant must be graded by the grader's
own engine, not a test command. Their operator sets also lack the call swaps
this course needs (mean <-> sum, np.max <-> np.min). So the operators here are
a small `ast` walk over the cell's source, which locates each node and edits
the source text at that node's token only.

Grading runs in batches: one batch is one submission notebook in which several
exercises carry a mutant each. Every exercise is judged by its own answer alone
(tests/test_catalog.py proves it), so this is sound as long as no exercise in
a batch calls another mutated one; batches are built so that none does.
A cache keyed by the mutant's source and a hash of the checks that judge it
makes a rerun resume where the last one stopped.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from betternets.checks.status import Status

from . import answers
from .course import Course
from .engine.judge import ENGINE_VERSION, grade_unit
from .engine.settings import Settings

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HERE = Path(__file__).resolve().parent
EQUIVALENT = HERE / "hidden" / "equivalent"
DEFAULT_CACHE = Path("build") / "mutants-cache"

ARITH = {ast.Add: (ast.Sub, "+", "-"), ast.Sub: (ast.Add, "-", "+"),
         ast.Mult: (ast.Div, "*", "/"), ast.Div: (ast.Mult, "/", "*"),
         ast.Pow: (ast.Mult, "**", "*"), ast.FloorDiv: (ast.Div, "//", "/"),
         ast.MatMult: (ast.Mult, "@", "*")}
COMPARE = {ast.Lt: [("<", "<="), ("<", ">")], ast.LtE: [("<=", "<"), ("<=", ">=")],
           ast.Gt: [(">", ">="), (">", "<")], ast.GtE: [(">=", ">"), (">=", "<=")],
           ast.Eq: [("==", "!=")], ast.NotEq: [("!=", "==")]}
CALLS = {"mean": "sum", "sum": "mean", "max": "min", "min": "max", "argmax": "argmin",
         "argmin": "argmax", "maximum": "minimum", "minimum": "maximum", "zeros": "ones",
         "ones": "zeros", "zeros_like": "ones_like", "ones_like": "zeros_like",
         "uniform": "normal", "normal": "uniform", "floor": "ceil", "ceil": "floor",
         "any": "all", "all": "any", "round": "int", "exp": "expm1", "log": "log1p",
         "abs": "sign", "sign": "abs", "var": "std", "std": "var", "solve": "lstsq"}
_OPCHARS = "=<>!*/%&|^@+-"


@dataclass(frozen=True)
class Mutant:
    exercise: str
    operator: str
    line: str          # the original line(s) touched, stripped
    replacement: str   # the same line(s) after the edit, stripped
    source: str        # the whole mutated answer cell
    diff: str

    @property
    def key(self) -> str:
        """Stable identity: exercise, operator, line text, replacement (tab-separated)."""
        return "\t".join((self.exercise, self.operator, self.line, self.replacement))


# ---------------------------------------------------------------- making mutants

def _offsets(text: str) -> list[int]:
    starts, pos = [0], 0
    for line in text.split("\n"):
        pos += len(line) + 1
        starts.append(pos)
    return starts


def _edits(tree: ast.AST, text: str, lo: int, hi: int):
    """(operator, start, end, new_text) for every single-point change inside lines lo..hi."""
    starts = _offsets(text)
    lines = text.split("\n")

    def at(lineno: int, col: int) -> int:   # ast columns are UTF-8 byte offsets
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    def span(node) -> tuple[int, int]:
        return at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)

    def inside(node) -> bool:
        return lo < node.lineno and node.end_lineno < hi

    def token(a: int, b: int, sym: str):
        pattern = rf"(?<![{re.escape(_OPCHARS)}]){re.escape(sym)}(?![{re.escape(_OPCHARS)}])"
        m = re.search(pattern, text[a:b])
        return (a + m.start(), a + m.end()) if m else None

    docstrings = {id(n.body[0]) for n in ast.walk(tree)
                  if isinstance(n, (ast.FunctionDef, ast.Module)) and n.body
                  and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or not inside(node):
            continue
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in ARITH:
            _, old, new = ARITH[type(node.op)]
            left, right = (node.left, node.right) if isinstance(node, ast.BinOp) \
                else (node.target, node.value)
            sym, rep = (old, new) if isinstance(node, ast.BinOp) else (old + "=", new + "=")
            where = token(span(left)[1], span(right)[0], sym)
            if where:
                yield ("arith", *where, rep)
        elif isinstance(node, ast.Compare):
            prev = node.left
            for op, right in zip(node.ops, node.comparators):
                for old, new in COMPARE.get(type(op), []):
                    where = token(span(prev)[1], span(right)[0], old)
                    if where:
                        yield ("compare", *where, new)
                prev = right
        elif isinstance(node, ast.Constant) and not isinstance(node.value, str) \
                and id(node) not in docstrings:
            a, b = span(node)
            v = node.value
            if isinstance(v, bool):
                yield ("constant", a, b, repr(not v))
            elif isinstance(v, int):
                yield ("constant", a, b, repr(v + 1))
                if v > 0:
                    yield ("constant", a, b, repr(v - 1))
            elif isinstance(v, float):
                yield ("constant", a, b, repr(1.5 * v) if v else "1.0")
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in CALLS:
                b = span(f)[1]
                yield ("call", b - len(name), b, CALLS[name])
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            a, _ = span(node)
            yield ("negate", a, span(node.operand)[0], "")
        elif isinstance(node, ast.If):
            a, b = span(node.test)
            yield ("negate", a, b, f"not ({text[a:b]})")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Raise,
                             ast.Assert, ast.Continue, ast.Break)) and id(node) not in docstrings:
            yield ("delete", *span(node), "pass")
        yield from _contract_edits(node, text, span)


DTYPES = ("np.float32", "int")   # what float64 arithmetic becomes in a `dtype` mutant


def _contract_edits(node, text: str, span):
    """The edits of the six ways an answer breaks the shared contract (EXERCISES.md,
    Conventions) while its formula stays right:

    `dtype`     a float dtype (dtype=float, np.float64, .astype(float)) becomes float32 or int
    `alias`     a copy is dropped (x.copy() -> x, np.array -> np.asarray), w = w - ... becomes
                the in-place w -= ...
    `rng`       a draw from the rng given comes from np.random, or from a generator of one's
                own with a fixed seed
    `range`     a loop skips the first or the last item: range(n) -> range(1, n), range(n - 1)
    `validate`  an `if ...: raise` check is dropped, or one `or` clause of it
    `scale`     a constant is ten times too large or too small, a factor of a product is 1
    """
    if isinstance(node, ast.keyword) and node.arg == "dtype" and _is_float64(node.value):
        a, b = span(node.value)
        for dtype in DTYPES:
            yield ("dtype", a, b, dtype)
    elif isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "astype" and node.args \
                and _is_float64(node.args[0]):
            a, b = span(node.args[0])
            for dtype in DTYPES:
                yield ("dtype", a, b, dtype)
        if isinstance(f, ast.Attribute) and f.attr == "copy" and not node.args:
            yield ("alias", span(f.value)[1], span(node)[1], "")
        if isinstance(f, ast.Attribute) and f.attr == "array" and \
                isinstance(f.value, ast.Name) and f.value.id == "np":
            b = span(f)[1]
            yield ("alias", b - len("array"), b, "asarray")
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "rng":
            a, b = span(f.value)
            yield ("rng", a, b, "np.random")
            yield ("rng", a, b, "np.random.default_rng(0)")
        if isinstance(f, ast.Name) and f.id == "range" and 1 <= len(node.args) <= 2 \
                and not node.keywords:
            first, last = (None, node.args[0]) if len(node.args) == 1 else node.args
            la, lb = span(last)
            yield ("range", la, lb, f"{text[la:lb]} - 1")
            if first is None:
                yield ("range", la, la, "1, ")
            else:
                fa, fb = span(first)
                yield ("range", fa, fb, f"{text[fa:fb]} + 1")
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and \
            isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.BinOp) and \
            type(node.value.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div) and \
            isinstance(node.value.left, ast.Name) and node.value.left.id == node.targets[0].id:
        sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.value.op)]
        a, b = span(node)
        ra, rb = span(node.value.right)
        yield ("alias", a, b, f"{node.targets[0].id} {sym}= {text[ra:rb]}")
    elif isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Raise) \
            and not node.orelse:
        yield ("validate", *span(node), "pass")
        if isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.Or):
            for i in range(len(node.test.values)):
                rest = [v for j, v in enumerate(node.test.values) if j != i]
                a, b = span(node.test)
                yield ("validate", a, b, " or ".join(text[slice(*span(v))] for v in rest))
    elif isinstance(node, ast.Constant) and isinstance(node.value, float) and \
            not isinstance(node.value, bool) and node.value not in (0.0, 1.0):
        a, b = span(node)
        yield ("scale", a, b, repr(node.value * 10))
        yield ("scale", a, b, repr(node.value / 10))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and \
            isinstance(node.right, ast.Name):
        yield ("scale", *span(node.right), "1.0")


def _is_float64(node) -> bool:
    """Is `node` the spelling of float64: float, np.float64, "float64", np.double?"""
    if isinstance(node, ast.Name):
        return node.id == "float"
    if isinstance(node, ast.Attribute):
        return node.attr in ("float64", "double") and isinstance(node.value, ast.Name)
    return isinstance(node, ast.Constant) and node.value in ("float64", "float")


def solution_lines(cell_source: str) -> tuple[int, int] | None:
    """1-based line numbers of the BEGIN and END SOLUTION markers."""
    lines = [l.strip() for l in cell_source.split("\n")]
    if BEGIN in lines and END in lines:
        return lines.index(BEGIN) + 1, lines.index(END) + 1
    return None


def mutants_of(exercise: str, cell_source: str) -> list[Mutant]:
    """Every single-point mutant of the solution region of one answer cell."""
    region = solution_lines(cell_source)
    if region is None:
        return []
    tree = ast.parse(cell_source)   # the markers are comments: lines stay where they are
    found: dict[str, Mutant] = {}
    starts = _offsets(cell_source)
    for op, a, b, new in _edits(tree, cell_source, *region):
        mutated = cell_source[:a] + new + cell_source[b:]
        try:
            ast.parse(mutated)
        except SyntaxError:
            continue
        first = next(i for i, s in enumerate(starts) if s > a) - 1
        last_old = next(i for i, s in enumerate(starts) if s > b) - 1 if b < starts[-1] else first
        old_text = "\n".join(cell_source.split("\n")[first:last_old + 1])
        n_new = old_text.count("\n") - cell_source[a:b].count("\n") + new.count("\n")
        new_text = "\n".join(mutated.split("\n")[first:first + n_new + 1])
        diff = "".join(difflib.unified_diff(cell_source.splitlines(True), mutated.splitlines(True),
                                            f"solution/{exercise}", f"mutant/{exercise}", n=2))
        m = Mutant(exercise, op, " ".join(old_text.split()), " ".join(new_text.split()),
                   mutated, diff)
        k = 2
        while m.key in found:     # the same edit on an identical line elsewhere
            m = Mutant(exercise, op, f"{m.line.split(' #')[0]} #{k}", m.replacement, mutated, diff)
            k += 1
        found[m.key] = m
    return list(found.values())


def notebook_mutants(root: Course, notebook: str, exercise: str | None = None) -> list[Mutant]:
    nb = answers.load(root.solutions / f"{notebook}.ipynb")
    out = []
    for cell in nb["cells"]:
        if answers.kind(cell) == "answer":
            gid = answers.grader_meta(cell)["grade_id"]
            if exercise in (None, gid):
                out += mutants_of(gid, answers.source(cell))
    return out


# ---------------------------------------------------------------- allowlist

@dataclass(frozen=True)
class Allowed:
    key: str
    reason: str


def allowlist(notebook: str) -> dict[str, Allowed]:
    """Reviewed equivalent mutants: `exercise<TAB>operator<TAB>line<TAB>replacement<TAB>reason`."""
    path = EQUIVALENT / f"{notebook}.tsv"
    out = {}
    if path.exists():
        for raw in path.read_text().splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            parts = raw.split("\t")
            if len(parts) != 5 or not parts[4].strip():
                raise ValueError(f"{path.name}: every line needs 4 key fields and a reason: {raw!r}")
            out["\t".join(parts[:4])] = Allowed("\t".join(parts[:4]), parts[4].strip())
    return out


# ---------------------------------------------------------------- grading

def checks_hash(root: Course, notebook: str) -> str:
    """What judges a mutant: the source notebook's setup and test cells, the notebook's
    instructor-side module (reference and hidden checks) and student-side module (visible checks
    and named mistakes), not the other notebooks', the shared check library, and the engine
    version."""
    nb = answers.load(root.solutions / f"{notebook}.ipynb")
    h = hashlib.sha256(ENGINE_VERSION.encode())
    for cell in nb["cells"]:
        if answers.kind(cell) in ("setup", "test"):
            h.update(answers.source(cell).encode())
    import betternets.checks as visible
    n = notebook.split("_", 1)[0]
    checks = Path(visible.__file__).parent
    library = [p for p in sorted(checks.glob("*.py")) if not re.match(r"ex\d\d_", p.name)]
    for folder in (HERE / "hidden", checks):
        for p in _notebook_side(folder, n) + (library if folder == checks else []):
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _notebook_side(folder: Path, n: str) -> list[Path]:
    """The files of notebook `n`'s side in `folder`: a module `exNN_*.py` or a package `exNN_*/`."""
    return sorted(folder.glob(f"ex{n}_*.py")) + sorted(folder.glob(f"ex{n}_*/**/*.py"))


def _mutant_id(m: Mutant, checks: str) -> str:
    return hashlib.sha256(f"{m.exercise}\0{m.source}\0{checks}".encode()).hexdigest()[:32]


def dependencies(root: Course, notebook: str) -> dict[str, set[str]]:
    """exercise -> the other answer cells whose names its source uses."""
    srcs = answers.answer_sources(answers.load(root.solutions / f"{notebook}.ipynb"))
    from .engine.judge import defined_names
    defines = {ex: defined_names(s) for ex, s in srcs.items()}
    deps = {}
    for ex, s in srcs.items():
        used = {n.id for n in ast.walk(ast.parse(s)) if isinstance(n, ast.Name)}
        deps[ex] = {o for o, names in defines.items() if o != ex and names & used}
    return deps


def batches(mutants: list[Mutant], deps: dict[str, set[str]]) -> list[list[Mutant]]:
    """Groups with at most one mutant per exercise and no exercise calling another's mutant."""
    out: list[list[Mutant]] = []
    for m in mutants:
        for batch in out:
            exs = {b.exercise for b in batch}
            if m.exercise in exs or deps.get(m.exercise, set()) & exs or \
                    any(m.exercise in deps.get(e, set()) for e in exs):
                continue
            batch.append(m)
            break
        else:
            out.append([m])
    return out


def _unit(root: Course, notebook: str, batch: list[Mutant]) -> dict:
    src_text = (root.solutions / f"{notebook}.ipynb").read_text()
    nb = json.loads(src_text)
    by_ex = {m.exercise: m.source for m in batch}
    for cell in nb["cells"]:
        gid = answers.grader_meta(cell).get("grade_id")
        if answers.kind(cell) == "answer" and gid in by_ex:
            cell["source"] = by_ex[gid]
    return {"student": "mutant", "assignment": notebook, "data": json.dumps(nb),
            "source": src_text, "release": (root.lectures / f"{notebook}.ipynb").read_text()}


def grade_batch(root: Course, notebook: str, batch: list[Mutant],
                settings: Settings) -> dict[str, dict]:
    """exercise -> {"killed": bool, "cells": [lost test cells with status and reason]}."""
    result = grade_unit(_unit(root, notebook, batch), settings)
    out = {m.exercise: {"killed": False, "lost": []} for m in batch}
    for cell in result.cells:
        ex = answers.exercise_of(cell.grade_id)
        if ex in out and (cell.score < cell.max_score or cell.status != Status.PASSED):
            out[ex]["killed"] = True
            out[ex]["lost"].append(f"{cell.grade_id}: {cell.status}: {cell.reason}"[:300])
    return out


def _init_worker() -> None:
    import os
    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import load_hidden_checks
    from betternets.checks import load_visible_checks
    load_hidden_checks()
    load_visible_checks()


@dataclass
class Verdict:
    exercise: str
    operator: str
    key: str
    outcome: str       # killed, equivalent, survived
    diff: str = ""
    reason: str = ""   # the allowlist's reason, or the first lost test cell


def run(root: Course, notebook: str, exercise: str | None = None, jobs: int = 1,
        cache: Path = DEFAULT_CACHE, sample: int | None = None,
        settings: Settings | None = None, progress: bool = True) -> list[Verdict]:
    """Grade every mutant of `notebook` of course `root` (or a fixed sample of `sample`)."""
    settings = settings or Settings(timeout=10.0, notebook_timeout=600.0)
    mutants = notebook_mutants(root, notebook, exercise)
    if sample is not None:   # a fixed sample: the mutants whose key hashes lowest
        mutants = sorted(mutants, key=lambda m: hashlib.sha256(m.key.encode()).hexdigest())[:sample]
    checks = checks_hash(root, notebook)
    cache_file = Path(cache) / f"{notebook}.jsonl"
    done: dict[str, dict] = {}
    if cache_file.exists():
        for line in cache_file.read_text().splitlines():
            try:
                rec = json.loads(line)
                done[rec["id"]] = rec
            except (ValueError, KeyError):
                continue   # a line cut by an interrupted run
    todo = [m for m in mutants if _mutant_id(m, checks) not in done]
    groups = batches(todo, dependencies(root, notebook))
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    from tqdm import tqdm
    bar = tqdm(total=len(todo), desc=f"mutants {notebook}", disable=not progress, leave=False)
    with cache_file.open("a") as sink:
        def record(batch, verdicts):
            for m in batch:
                v = verdicts[m.exercise]
                rec = {"id": _mutant_id(m, checks), "key": m.key, **v}
                done[rec["id"]] = rec
                sink.write(json.dumps(rec) + "\n")
                sink.flush()
            bar.update(len(batch))
        if jobs <= 1 or len(groups) <= 1:
            _init_worker()
            for batch in groups:
                record(batch, grade_batch(root, notebook, batch, settings))
        else:
            import multiprocessing
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker) as pool:
                futures = {pool.submit(grade_batch, root, notebook, b, settings): b
                           for b in groups}
                for fut in as_completed(futures):
                    record(futures[fut], fut.result())
    bar.close()
    allowed = allowlist(notebook)
    verdicts = []
    for m in mutants:
        rec = done[_mutant_id(m, checks)]
        if rec["killed"]:
            verdicts.append(Verdict(m.exercise, m.operator, m.key, "killed",
                                    reason=(rec["lost"] or [""])[0]))
        elif m.key in allowed:
            verdicts.append(Verdict(m.exercise, m.operator, m.key, "equivalent",
                                    reason=allowed[m.key].reason))
        else:
            verdicts.append(Verdict(m.exercise, m.operator, m.key, "survived", diff=m.diff))
    return verdicts


# ---------------------------------------------------------------- report

def table(rows: list[tuple[str, list[Verdict]]], first: str = "exercise") -> str:
    """name, mutants, killed, equivalent, survived: one line per name and a total."""
    lines = [f"{first:32} {'mutants':>8} {'killed':>7} {'equivalent':>11} {'survived':>9}"]
    tot = [0, 0, 0, 0]
    for name, vs in rows:
        c = [len(vs)] + [sum(v.outcome == o for v in vs)
                         for o in ("killed", "equivalent", "survived")]
        tot = [a + b for a, b in zip(tot, c)]
        lines.append(f"{name:32} {c[0]:>8} {c[1]:>7} {c[2]:>11} {c[3]:>9}")
    lines.append(f"{'total':32} {tot[0]:>8} {tot[1]:>7} {tot[2]:>11} {tot[3]:>9}")
    return "\n".join(lines)


def report(verdicts: list[Verdict]) -> str:
    exercises = list(dict.fromkeys(v.exercise for v in verdicts))
    out = [table([(ex, [v for v in verdicts if v.exercise == ex]) for ex in exercises])]
    for v in verdicts:
        if v.outcome == "survived":
            out.append(f"\nSURVIVED {v.exercise} [{v.operator}]: keeps full marks\n{v.diff}")
            out.append("allowlist line (if equivalent, add a reason): " + v.key + "\t<reason>")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="betternets-grader mutants", description=__doc__.split(
        "\n")[0])
    p.add_argument("notebook", help="NN_topic, or a path to solutions/NN_topic.ipynb")
    p.add_argument("--exercise", help="only this exercise (its grade_id)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="folder of graded mutants")
    p.add_argument("--sample", type=int, help="grade only a fixed sample of this many mutants")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per cell and call")
    p.add_argument("--no-sandbox", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--root", help="the course folder (default: the one holding NOTEBOOK when "
                                  "it is a path, else the working directory or a parent)")
    args = p.parse_args(argv)
    notebook = Path(args.notebook).stem
    near = Path(args.notebook).parent if args.notebook.endswith(".ipynb") else None
    try:
        root = Course(args.root) if args.root else Course.find(near)
    except ValueError as exc:
        print(f"betternets-grader mutants: {exc}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    verdicts = run(root, notebook, args.exercise, jobs=args.jobs, cache=Path(args.cache),
                   sample=args.sample, progress=not args.no_progress,
                   settings=Settings(timeout=args.timeout, notebook_timeout=600.0,
                                     sandbox=not args.no_sandbox))
    print(report(verdicts))
    print(f"{notebook}: {len(verdicts)} mutants in {time.monotonic() - t0:.1f} s")
    return 1 if any(v.outcome == "survived" for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
