"""The class report: one self-contained HTML page for the instructor.

A score histogram per assignment, pass rates per exercise, and the list of
faulted or suspicious submissions (timeouts, crashes, tampering, unreadable
files, skipped files), and the pairs of submissions whose answers are unusually similar
(`similarity`, when the run computed them). The page says at the top whether the run
was sandboxed.
"""
from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from betternets.checks.status import Status

from .. import answers
from ..rows import MAX_REASON, atomic_write, cap, escape_controls
from ..texts import valid_text

FAULTS = (Status.TIMEOUT, Status.CRASHED, Status.TAMPERED)
# reasons that tell of a fault whatever the status (a tamper note on a passed cell, a
# file that could not be read, a grader that failed)
SIGNS = (f"{Status.TAMPERED}:", "not a readable notebook", "another notebook", "could not start",
         "grader failed", "worker failed", "cannot judge")


def _suspicious(row) -> bool:
    """Faults and signs of tampering; a student's ordinary exception is not listed."""
    return row.status in FAULTS or any(s in row.reason for s in SIGNS)


def _histogram(percents: list[float], bins: int = 10) -> str:
    counts = [0] * bins
    for p in percents:
        counts[min(bins - 1, int(p / (100 / bins)))] += 1
    top = max(counts) or 1
    w, h, bar, room = 460, 140, 460 // bins, 16  # room above the tallest bar for its count
    parts = [f'<svg width="{w}" height="{h + 30}" role="img" aria-label="score histogram">']
    for i, c in enumerate(counts):
        bh = int((h - room) * c / top)
        parts.append(f'<rect x="{i * bar + 2}" y="{h - bh}" width="{bar - 4}" height="{bh}" '
                     f'fill="#4a7ab5"><title>{i * 10}-{i * 10 + 10}%: {c}</title></rect>')
        if c:
            parts.append(f'<text x="{i * bar + bar / 2}" y="{h - bh - 3}" font-size="11" '
                         f'text-anchor="middle">{c}</text>')
        parts.append(f'<text x="{i * bar + bar / 2}" y="{h + 14}" font-size="10" '
                     f'text-anchor="middle">{i * 10}-{i * 10 + 10}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _esc(text) -> str:
    """HTML-escaped, with every control character written as an escape."""
    return html.escape(escape_controls(str(text)))


def _similarity_section(run) -> list[str]:
    """The pairs of `run.similar_pairs`, most similar first, with their exercises; nothing
    when the run computed no similarity (`run.similarity_threshold` is None)."""
    threshold = getattr(run, "similarity_threshold", None)
    if threshold is None:
        return []
    pairs = run.similar_pairs
    part = [f"<h2>Similar submissions</h2><p>Pairs of one assignment whose answer cells share "
            f"at least {100 * threshold:.0f}% of their code once identifiers, comments and "
            f"layout are normalised and the solution and the stubs are left out; a lead to "
            f"look at, not a verdict.</p>"]
    if not pairs:
        return part + ["<p>None.</p>"]
    part.append("<table><tr><th>similarity</th><th>students</th><th>assignment</th>"
                "<th>exercises (similarity)</th></tr>")
    for p in pairs:
        shown = ", ".join(f"{_esc(g)} {100 * s:.0f}%" for g, s in p.exercises[:10])
        more = f", ... {len(p.exercises) - 10} more" if len(p.exercises) > 10 else ""
        part.append(f"<tr><td>{100 * p.score:.0f}%</td><td>{_esc(p.first)} and "
                    f"{_esc(p.second)}</td><td>{_esc(p.assignment)}</td>"
                    f"<td>{shown}{more}</td></tr>")
    return part + ["</table>"]


def write_report(run, out: Path) -> Path:
    rows = run.rows
    esc = _esc
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_ex: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    flagged: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        totals[(r.student, r.assignment)][0] += r.score
        totals[(r.student, r.assignment)][1] += r.max_score
        ex = answers.exercise_of(r.grade_id)
        by_ex[(r.assignment, ex)][0] += r.passed
        by_ex[(r.assignment, ex)][1] += 1
        if _suspicious(r):
            line = f"{r.grade_id}: {r.status} - {cap(r.reason, MAX_REASON)}"
            if line not in flagged[(r.student, r.assignment)]:
                flagged[(r.student, r.assignment)].append(line)
    body = ["<!doctype html><meta charset='utf-8'><title>betternets class report</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}"
            ".warn{background:#fdd;padding:.5em;border:1px solid #c00}</style>",
            "<h1>Class report</h1>"]
    if not run.sandboxed:
        body.append("<p class='warn'><b>unsandboxed</b>: bubblewrap was not available, so "
                    "students' code ran without the sandbox (limits and timeouts still held).</p>")
    else:
        body.append("<p>Sandboxed with bubblewrap.</p>")
    from ..provenance import packages
    graded_with = "".join(f"<li>{esc(p.line())}</li>" for p in packages())
    body.append(f"<p>Graded with:</p><ul class='packages'>{graded_with}</ul>")
    body.append(f"<p>{len(totals)} submission notebooks, {run.graded} graded now, "
                f"{run.reused} reused from an earlier run, {run.seconds:.1f} s.</p>")
    for assignment in sorted({a for _, a in totals}):
        percents = [100 * s / m if m else 0 for (st, a), (s, m) in totals.items()
                    if a == assignment]
        body.append(f"<h2>{esc(assignment)}</h2><p>Score distribution "
                    f"({len(percents)} students, mean {sum(percents) / len(percents):.0f}%)</p>")
        body.append(_histogram(percents))
        body.append("<table><tr><th>exercise</th><th>test cells passed</th><th>rate</th></tr>")
        for (a, ex), (ok, n) in by_ex.items():
            if a == assignment:
                body.append(f"<tr><td>{esc(ex)}</td><td>{ok} / {n}</td>"
                            f"<td>{100 * ok / n:.0f}%</td></tr>")
        body.append("</table>")
    body.append("<h2>Faulted or suspicious submissions</h2>")
    if flagged or run.strays:
        body.append("<ul>")
        for (student, assignment), lines in sorted(flagged.items()):
            body.append(f"<li><b>{esc(student)}</b> / {esc(assignment)}<ul>" +
                        "".join(f"<li>{esc(l)}</li>" for l in lines[:20]) + "</ul></li>")
        for stray in run.strays:
            body.append(f"<li><b>{esc(stray.student)}</b>: {stray.verb} "
                        f"{esc(valid_text(stray.path.name))}: "
                        f"{esc(cap(stray.reason))}</li>")
        body.append("</ul>")
    else:
        body.append("<p>None.</p>")
    body.extend(_similarity_section(run))
    leftovers = run.leftovers
    if leftovers:
        body.append("<h2>Scratch folders that could not be removed</h2><ul>" +
                    "".join(f"<li>{esc(p)}</li>" for p in leftovers) + "</ul>")
    out = Path(out)
    atomic_write(out, "\n".join(body))
    return out
