"""The feedback page a student reads: the summary on top, the mistake once, the late penalty,
the figures of the student's notebook, nothing of the hidden checks' inputs, nothing from
the network.

One grading run (module fixture) of notebook 00 for the sample class's alice and bob, bob's
copy carrying figures in two demo cells (one a real PNG, one whose "PNG" is markup) and an
SVG; bob is given a late penalty in the gradebook, as the late policy would
(`feedback_class.grade_and_render`). The browser's view of the same page is in
browser/test_browser.py.
"""
from __future__ import annotations

import html
import re

import pytest

from betternets_grader import answers

from feedback_class import NAME, PENALTY, grade_and_render
from system import require


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return grade_and_render(tmp_path_factory.mktemp("feedback_page"))


def _summary(page: str) -> str:
    start = re.search(r'<section[^>]*class="bn-glance"', page).start()
    return page[start:page.index("</section>", start)]


def _result(pages, student):
    return next(r for r in pages["run"].results if r.student == student)


def test_the_summary_comes_first_with_points_and_a_mark_per_property(pages):
    bob = pages["bob"]
    assert bob.index('class="bn-glance"') < bob.index('class="panel panel-primary nbgrader_cell"')
    summary = _summary(bob)
    rows = re.findall(r"<tr class=\"bn-(?:full|part)\">.*?</tr>", summary, re.S)
    result = _result(pages, "bob")
    for row, exercise in zip(rows, ["numerical_gradient", "relative_error"]):
        cells = [v for v in result.cells if answers.exercise_of(v.grade_id) == exercise]
        got = sum(v.score for v in cells)
        full = sum(v.max_score for v in cells)
        assert f"<code>{exercise}</code>" in row
        assert f"<td class=\"bn-points\">{got:g} / {full:g}</td>" in row
    assert len(rows) == 2
    # every property of every test cell by its name, a cross where bob's cell failed
    for v in result.cells:
        for line in "\n".join(v.lines + v.hidden_summary).split("\n"):
            m = re.match(r"^([\u2713\u2717]) \w+: (.+)$", line)
            if m:
                assert f"{m[1]}</span> {html.escape(m[2], quote=False)}" in summary, line
    assert "\u2717" in rows[0] and "\u2717" not in rows[1]   # his mistake is in 00.1 only
    assert "\u2717" not in _summary(pages["alice"])


def test_the_named_mistake_is_said_once_in_the_summary_and_once_below(pages):
    named = "This looks like a forward difference"
    result = _result(pages, "bob")
    carried = [v for v in result.cells if any(named in line for line in v.lines)]
    assert len(carried) >= 2, "bob's verdicts carry the mistake under several cells"
    assert _summary(pages["bob"]).count(named) == 1
    assert pages["bob"].count(named) == 2
    assert "This looks like" not in pages["alice"]


def test_the_late_penalty_is_on_top_and_only_where_there_is_one(pages):
    summary = _summary(pages["bob"])
    assert ("Late submission: submitted 2026-01-12 12:00 UTC, due 2026-01-10 12:00 UTC: "
            f"penalty \u2212{PENALTY:g} points") in summary
    assert "Late submission" not in pages["alice"] and "bn-overdue" not in _summary(pages["alice"])


def test_hidden_checks_reveal_no_input_and_no_message(pages):
    result = _result(pages, "bob")
    hidden_failures = [v for v in result.cells if v.hidden_lines and not v.passed]
    assert hidden_failures
    for v in hidden_failures:
        for detail in "\n".join(v.hidden_lines).split("\n")[1:]:
            if detail.strip() and not detail.strip().startswith("Hint:"):
                assert html.escape(detail.strip()) not in pages["bob"], detail
    assert "check_hidden" not in pages["bob"]


def test_the_figures_of_the_students_notebook_are_kept_and_nothing_hostile(pages):
    bob = pages["bob"]
    assert f"data:image/png;base64,{pages['figure']}" in bob
    assert "alert(1)" not in bob and "alert(2)" not in bob and "<svg onload" not in bob
    assert pages["figure"] not in pages["alice"]


def test_the_page_loads_nothing_from_the_network_and_wraps_long_lines(pages):
    for page in (pages["bob"], pages["alice"]):
        assert not re.search(r"<script[^>]*src=\"https?://", page)
        assert "white-space: pre-wrap" in page
    course_page = pages["course"] / "feedback" / "bob" / NAME / f"{NAME}.html"
    assert course_page.read_text().count("This looks like a forward difference") == 2
    require("libjs-mathjax", "formulas typeset offline in the feedback")
    for page, base in ((pages["out"] / "bob" / f"{NAME}.html", "../_static/mathjax"),
                       (course_page, "../../../betternets/_static/mathjax")):
        assert f'<script src="{base}/MathJax.js?config=TeX-AMS_CHTML-full"></script>' \
            in page.read_text()
        assert (page.parent / base / "MathJax.js").resolve().is_file()
