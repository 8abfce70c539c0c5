"""The walkthrough site: index by part, navigation, embedded figures, slide notes, offline.

Most tests build a site from two tiny notebooks made here (a few seconds); one
builds the real notebook 00 (cached under build/site-cache/ between runs).
"""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from betternets_grader import site as site_module
from betternets_grader.course import Course
from betternets_grader.site import build_site, content_hash, prepare

from checkout import COURSE, SOLUTIONS

GRADED = {"nbgrader": {"grade": True, "grade_id": "test_square__values", "locked": True,
                       "points": 1.0, "schema_version": 3, "solution": False, "task": False}}
ANSWER = {"nbgrader": {"grade": False, "grade_id": "square", "locked": False,
                       "schema_version": 3, "solution": True, "task": False}}


def tiny_notebooks(folder: Path) -> None:
    intro = new_notebook(cells=[
        new_markdown_cell("# 00 · Intro\n\nA first paragraph that **summarises** the chapter.\n\n"
                          "<!-- part: Prerequisite | Before the parts -->"),
        new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\n"
                      "plt.plot([0, 1], [1, 0]); plt.title('a line'); plt.show()"),
    ])
    demo = new_notebook(cells=[
        new_markdown_cell("# 01 · Demo of activations\n\nWhat this chapter is about.\n\n"
                          "<!-- part: Part 1 · Better activation functions | Blurb of part one -->"),
        new_markdown_cell("Some text.\n\n> **On the slide:** \"slope is 2x\". It is **4 times**; "
                          "$\\tanh'(0) = 1$. Source: calculus.\n\nMore text."),
        new_code_cell("def square(x):\n    \"\"\"x ** 2\"\"\"\n    ### BEGIN SOLUTION\n"
                      "    return x * x  # THE_SOLUTION_LINE\n    ### END SOLUTION",
                      metadata=ANSWER),
        new_code_cell("# Hidden check: agrees with the reference.\n### BEGIN HIDDEN TESTS\n"
                      "from betternets_grader import check_hidden\n"
                      "check_hidden('square', 'values')\n### END HIDDEN TESTS", metadata=GRADED),
        new_code_cell("from betternets.widgets import explorer\nimport matplotlib.pyplot as plt\n"
                      "def show(a):\n    plt.plot([0, 1], [0, a]); plt.show()\n"
                      "explorer(show, a=(0.0, 2.0, 0.5))"),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(intro, folder / "00_intro.ipynb")
    nbformat.write(demo, folder / "01_demo.ipynb")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    tiny_notebooks(root / "solutions")
    (root / "lectures").mkdir()
    (root / "lectures" / "01_demo.ipynb").write_text('{"student": "version"}')
    calls = []

    def progress(it, desc=""):
        calls.append(desc)
        return it

    kw = dict(root=Course(root), cache=root / "cache")
    with pytest.MonkeyPatch.context() as mp:  # others may edit the package meanwhile
        mp.setattr(site_module, "_package_digest", lambda: "fixed")
        index = build_site(root / "site", progress=progress, **kw)
    return dict(root=root, site=root / "site", index=index, kw=kw, progress=calls)


def read(site: Path, name: str) -> str:
    return (site / name).read_text()


def link(page: str, cls: str) -> str | None:
    """The href of the navigation bar's link of class `cls` (attributes in any order)."""
    nav = page[page.index('<nav class="bn-nav"'):page.index("</nav>")]
    tag = re.search(rf'<a [^>]*class="{cls}"[^>]*>', nav)
    return re.search(r'href="([^"]+)"', tag.group(0)).group(1) if tag else None


def test_index_groups_chapters_by_the_lectures_parts(tiny):
    assert tiny["index"] == tiny["site"] / "index.html"
    page = read(tiny["site"], "index.html")
    pre, part1 = page.index("Prerequisite"), page.index("Part 1 · Better activation functions")
    assert pre < page.index('href="00_intro.html"') < part1 < page.index('href="01_demo.html"')
    assert "Part 3" not in page  # parts without chapters are left out
    assert "Blurb of part one" in page and "&lt;!--" not in page  # the marker's blurb, not the marker
    assert "<strong>summarises</strong>" in page  # the first paragraph, rendered


def test_parts_are_read_from_the_notebooks():
    """A notebook opens a part with its marker line; one without a marker joins the part before it
    (the course's first notebook opens one)."""
    def notebook(*lines):
        return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "\n\n".join(lines)}]}
    assert site_module.part_marker(notebook("# 04", "<!-- part: Part 4 · X | Y and Z -->")) == \
        ("Part 4 · X", "Y and Z")
    assert site_module.part_marker(notebook("# 05", "No marker.")) is None
    first = sorted(SOLUTIONS.glob("*.ipynb"))[0]
    assert site_module.part_marker(json.loads(first.read_text())) is not None, first.name


def test_previous_and_next_navigation(tiny):
    intro, demo = read(tiny["site"], "00_intro.html"), read(tiny["site"], "01_demo.html")
    assert link(intro, "bn-next") == "01_demo.html" and link(intro, "bn-prev") is None
    assert link(demo, "bn-prev") == "00_intro.html" and link(demo, "bn-next") is None
    for page in (intro, demo):
        assert 'href="index.html"' in page and 'href="slide-notes.html"' in page


def test_figures_are_embedded_pngs(tiny):
    for name, least in [("00_intro.html", 1), ("01_demo.html", 1)]:
        images = re.findall(r'src="data:image/png;base64,([^"]+)"', read(tiny["site"], name))
        assert len(images) >= least, f"{name}: no embedded figure"
        assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    page = read(tiny["site"], "01_demo.html")  # the explorer's static fallback, explained
    assert "explorer shows its default settings" in page and "widgets unavailable" not in page


def test_pages_show_solutions_without_hidden_tests_or_markers(tiny):
    page = read(tiny["site"], "01_demo.html")
    assert "THE_SOLUTION_LINE" in page
    for leak in ["check_hidden", "HIDDEN TESTS", "BEGIN SOLUTION", "betternets_grader",
                 "Hidden check"]:
        assert leak not in page


def test_slide_notes_are_collected_with_links(tiny):
    notes = read(tiny["site"], "slide-notes.html")
    assert "It is <strong>4 times</strong>" in notes
    assert 'href="01_demo.html#slide-note-1"' in notes
    assert 'id="slide-note-1"' in read(tiny["site"], "01_demo.html")
    assert 'href="slide-notes.html#01_demo">1 slide notes' in read(tiny["site"], "index.html")
    assert json.loads(read(tiny["site"], "_build.json"))["slide_notes"] == 1


def student_links(page: str) -> list[dict[str, str]]:
    """The attributes of each "student version" link of a page (in any order)."""
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            for tag in re.findall(r"<a ([^>]*)>student version", page)]


def test_student_versions_are_copied_and_linked(tiny):
    """The link carries the student notebook as a data: URL with a file name to save it under
    (Chromium ignores `download` on file: links and shows the JSON); the copy stays beside."""
    site = tiny["site"]
    assert (site / "lectures" / "01_demo.ipynb").read_text() == '{"student": "version"}'
    for page in ("01_demo.html", "index.html"):
        links = student_links(read(site, page))
        assert len(links) == 1, page
        prefix, _, data = links[0]["href"].partition(",")
        assert prefix == "data:application/x-ipynb+json;base64"
        assert base64.b64decode(data).decode() == '{"student": "version"}'
        assert links[0]["download"] == "01_demo.ipynb"
        assert links[0]["data-file"] == "lectures/01_demo.ipynb"
    assert not (site / "lectures" / "00_intro.ipynb").exists()  # not released: no link
    assert "lectures/00_intro.ipynb" not in read(site, "00_intro.html")
    assert "student version" not in read(site, "00_intro.html")


def test_solutions_are_folded_behind_show_the_solution(tiny):
    page = read(tiny["site"], "01_demo.html")
    folded = re.findall(r'<details class="bn-solution"><summary>Show the solution</summary>'
                        r'(.*?)</details>', page, re.S)
    assert len(folded) == 1  # the one answer cell
    assert "THE_SOLUTION_LINE" in folded[0]
    assert "THE_SOLUTION_LINE" not in page.replace(folded[0], "")
    assert "explorer" not in folded[0]  # a demonstration stays open


def test_index_says_how_to_install_the_student_package(tiny):
    index = read(tiny["site"], "index.html")
    install = index[index.index('id="install"'):]
    assert "pip install betternets-*.whl" in install and "pip install ." in install
    assert "jupyter lab" in install and 'href="#install"' in index


REMOTE = re.compile(r"""(?:<script[^>]*\bsrc|<link[^>]*\bhref|<img[^>]*\bsrc)\s*=\s*["']?(?:https?:)?//"""
                    r"""|@import\s+(?:url\()?["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//""", re.I)


def test_site_needs_no_network(tiny):
    for page in tiny["site"].glob("*.html"):
        text = page.read_text()
        assert not REMOTE.search(text), f"{page.name} loads {REMOTE.search(text).group(0)!r}"
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', text):
            assert (tiny["site"] / src.split("?")[0]).is_file(), f"{page.name}: missing {src}"


def test_formulas_are_typeset_by_a_local_mathjax(tiny):
    """With Debian's libjs-mathjax the pages load MathJax from the site itself."""
    from system import require
    require("libjs-mathjax", "offline typesetting of the site's formulas")
    page = read(tiny["site"], "00_intro.html")
    assert (tiny["site"] / "_static" / "mathjax" / "MathJax.js").is_file()
    assert re.search(r'<script[^>]*\bsrc="_static/mathjax/MathJax\.js', page), page[:2000]


def test_progress_is_shown(tiny):
    assert tiny["progress"] == ["site: run notebooks", "site: write pages"]


def test_rebuild_uses_the_cache_and_reruns_what_changed(tiny, tmp_path, monkeypatch):
    kw = tiny["kw"]
    monkeypatch.setattr(site_module, "_package_digest", lambda: "fixed")
    build_site(tmp_path / "again", **kw)
    assert json.loads(read(tmp_path / "again", "_build.json"))["executed"] == []
    nb = nbformat.read(kw["root"].solutions / "00_intro.ipynb", as_version=4)
    nb.cells.append(new_markdown_cell("A new closing remark."))
    nbformat.write(nb, kw["root"].solutions / "00_intro.ipynb")
    build_site(tmp_path / "changed", **kw)
    log = json.loads(read(tmp_path / "changed", "_build.json"))
    assert log["executed"] == ["00_intro"] and log["cached"] == ["01_demo"]
    assert "A new closing remark." in read(tmp_path / "changed", "00_intro.html")


def test_a_change_of_the_package_invalidates_the_cache():
    nb = prepare(nbformat.v4.new_notebook(cells=[new_code_cell("1 + 1")]))
    assert content_hash(nb, "a") == content_hash(nb, "a") != content_hash(nb, "b")


def test_a_broken_notebook_stops_the_build_with_its_name(tmp_path):
    (tmp_path / "solutions").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("1 / 0")]),
                   tmp_path / "solutions" / "02_broken.ipynb")
    with pytest.raises(RuntimeError, match="02_broken failed to run"):
        build_site(tmp_path / "site", Course(tmp_path), cache=tmp_path / "c")


def test_unknown_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="99_nothing"):
        build_site(tmp_path, COURSE, names=["99_nothing"])


def test_prepare_drops_hidden_test_cells_only():
    nb = {"cells": [dict(cell_type="code", source="### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS",
                         metadata=GRADED, outputs=[], execution_count=1),
                    dict(cell_type="code", source='check("square")', metadata=GRADED,
                         outputs=[], execution_count=2)],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = prepare(nb)["cells"]
    assert [c["source"] for c in cells] == ['check("square")']
    assert "nbgrader" not in cells[0]["metadata"]


def test_real_notebook_00_builds(tmp_path):
    index = build_site(tmp_path, COURSE, names=["00_gradient_checking"])
    page = (tmp_path / "00_gradient_checking.html").read_text()
    assert len(re.findall(r'src="data:image/png;base64,', page)) >= 2
    assert "check_hidden" not in page and "✓ numerical_gradient" in page
    assert (tmp_path / "lectures" / "00_gradient_checking.ipynb").exists()
    assert "00 · Gradient checking" in index.read_text()


def test_cli_site_command_calls_build_site_with_progress(tmp_path, monkeypatch, capsys):
    from betternets import cli
    seen = {}

    def fake(out, root=None, progress=None, **kw):
        seen.update(out=out, root=root, progress=progress)
        return out / "index.html"

    monkeypatch.setattr(site_module, "build_site", fake)
    assert cli.main(["site", "--out", str(tmp_path / "s"), "--root", str(COURSE.root)]) == 0
    assert seen["out"] == tmp_path / "s" and callable(seen["progress"])
    assert seen["root"] == COURSE
    assert f"open {tmp_path / 's' / 'index.html'} in a browser" in capsys.readouterr().out
