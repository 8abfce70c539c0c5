"""Real-browser tests: headless Chromium from Debian, driven by Playwright for Python.

1. JupyterLab opens a lecture notebook whose exercises a student has done,
   runs it, and the ipywidgets explorer renders; moving a slider redraws the
   figure.
2. The walkthrough site's index and one chapter render with their figures.

Screenshots go to test-artifacts/. The browser is the system's
/usr/bin/chromium (`apt-get install chromium`); Playwright's own browser
download is never used. Only 127.0.0.1, file: and data: URLs are let through.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from betternets_grader import answers
from checkout import COURSE, LECTURES, SOLUTIONS
from system import require, system_packages

from checkout import REPO

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = system_packages.chromium_path()
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SITE_CHAPTER = "00_gradient_checking"
LAB_NOTEBOOK = "01_activations"  # its explorer has a beta slider


@pytest.fixture(scope="module")
def browser():
    # Debian's Chromium (or BETTERNETS_CHROMIUM); never `playwright install`
    require("chromium", "the real-browser tests (JupyterLab explorer, walkthrough site)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: `pip install playwright` "
                    "(in the instructor extras)", pytrace=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "lab-failure.png").unlink(missing_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _local_only(route):
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "file:", "data:", "blob:")):
        return route.continue_()
    return route.abort()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", _local_only)
    page = context.new_page()
    yield page
    context.close()


# --------------------------------------------------------------------------- JupyterLab

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _explorer_cell(nb: dict) -> int | None:
    return next((i for i, c in enumerate(nb["cells"])
                 if c["cell_type"] == "code" and "explorer(" in answers.source(c)), None)


def explorer_notebook() -> tuple[str, dict]:
    """A lecture with an explorer (01's activations, else the first one), its exercises done
    as a student would, cut after the explorer's cell."""
    names = [n for n in COURSE.assignments() if (LECTURES / f"{n}.ipynb").exists()]
    names.sort(key=lambda n: n != LAB_NOTEBOOK)
    for name in names:
        nb = answers.load(LECTURES / f"{name}.ipynb")
        cut = _explorer_cell(nb)
        if cut is None:
            continue
        solved = answers.answer_sources(answers.load(SOLUTIONS / f"{name}.ipynb"))
        for cell in nb["cells"][:cut]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if answers.kind(cell) == "answer" and grade_id in solved:
                cell["source"] = solved[grade_id]  # what a student who did the work has
        nb["cells"] = nb["cells"][:cut + 1]
        return name, nb
    pytest.fail("no lecture notebook has an explorer(...) cell", pytrace=False)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    name, nb = explorer_notebook()
    (root / "work").mkdir()
    (root / "work" / f"{name}.ipynb").write_text(json.dumps(nb))
    token, port = secrets.token_hex(16), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "BETTERNETS_STATIC")}
    env.update(BETTERNETS_NO_PROGRESS="1", JUPYTER_CONFIG_DIR=str(root / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    news = root / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')  # no "get notified about Jupyter news?" toast
    log = open(root / "lab.log", "w")
    lab = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
         f"--ServerApp.token={token}", "--ServerApp.ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root / 'work'}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.news_url=None", *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root / "work", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if lab.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    try:
        yield dict(url=f"{base}/lab/tree/{name}.ipynb?token={token}", name=name)
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
        log.close()


def _default_figure(page):
    """The explorer's default figure: an ordinary image output of its cell, above the widget."""
    cell = page.locator(".jp-CodeCell", has=page.locator(".widget-interact")).last
    return cell.locator(".jp-OutputArea-output img")


def _accept_kernel_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel": take the default
    if dialog.count():
        dialog.first.click()


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def _run_all_and_wait_for_explorer(page, timeout_s: float = 150) -> None:
    deadline = time.monotonic() + 60
    idle = page.locator(".jp-StatusBar-TextItem", has_text="Idle")
    while not idle.count():  # the kernel is started and connected
        _accept_kernel_dialog(page)
        assert time.monotonic() < deadline, "the notebook's kernel did not start"
        page.wait_for_timeout(300)
    _run_all(page)
    started, deadline = time.monotonic(), time.monotonic() + timeout_s
    retried = False
    while page.locator(".widget-interact .widget-slider").count() == 0 or not _default_figure(page).count():
        _accept_kernel_dialog(page)
        ran = page.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]")).count()
        if not ran and not retried and time.monotonic() - started > 20:
            _run_all(page)  # the first request raced the kernel's connection
            retried = True
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / "lab-failure.png"))
            errors = page.locator(".jp-OutputArea-output[data-mime-type="
                                  "'application/vnd.jupyter.stderr']").all_inner_texts()
            pytest.fail(f"no explorer figure after {timeout_s:.0f} s (see "
                        f"test-artifacts/lab-failure.png); errors: {errors[-3:]}")
        page.wait_for_timeout(500)


EXPLORER_IMAGES = ("() => Array.from(Array.from(document.querySelectorAll('.jp-CodeCell'))"
                   ".filter(c => c.querySelector('.widget-interact')).pop()"
                   ".querySelectorAll('.jp-OutputArea img')).map(i => i.src)")
"""The sources of every image in the explorer's cell, its default figure and the widget's area."""


def test_jupyterlab_runs_a_notebook_and_its_explorer_reacts(page, jupyterlab):
    """A slider move replaces the explorer's figure in place: its cell shows one figure before
    and after, the new one, and the widget's own area under the controls stays empty."""
    page.set_default_timeout(60_000)
    page.goto(jupyterlab["url"])
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _run_all_and_wait_for_explorer(page)
    figure = _default_figure(page).first
    page.locator(".widget-interact").first.scroll_into_view_if_needed()
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                        has_text="Error").count() == 0
    assert figure.evaluate("img => img.naturalWidth") > 0
    assert page.locator(".widget-interact img").count() == 0  # drawn above, not twice
    before = page.evaluate(EXPLORER_IMAGES)
    assert len(before) == 1
    cell = page.locator(".jp-CodeCell", has=page.locator(".widget-interact")).last
    if page.locator(".widget-interact .widget-select-multiple").count():
        assert "Ctrl+click" in cell.inner_text()  # the gesture a multiple choice needs
    page.screenshot(path=str(ARTIFACTS / "lab-explorer-before.png"))

    readout = page.locator(".widget-interact .widget-slider .widget-readout").first
    old_value = readout.inner_text()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.95" if old_value.strip() != "0.95" else "0.10")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"before => {{ const srcs = ({EXPLORER_IMAGES})();"
        " return srcs.length >= 1 && srcs.some(s => s !== before); }", arg=before[0],
        timeout=60_000)
    page.wait_for_timeout(1000)  # an extra figure, were one drawn, would have arrived by now
    after = page.evaluate(EXPLORER_IMAGES)
    page.screenshot(path=str(ARTIFACTS / "lab-explorer-after.png"))
    assert len(after) == 1, f"the explorer's cell shows {len(after)} figures after a move"
    assert after[0] != before[0] and after[0].startswith("data:image/png")
    assert figure.evaluate("img => img.naturalWidth") > 0  # the figure above, redrawn in place
    assert page.locator(".widget-interact img").count() == 0
    assert readout.inner_text() != old_value


# --------------------------------------------------------------------------- the site

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from betternets_grader.site import build_site
    out = tmp_path_factory.mktemp("site")
    return build_site(out, COURSE, names=[SITE_CHAPTER])  # cached under build/site-cache/


def _images_loaded(page) -> list[int]:
    return page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")


def test_site_index_and_a_chapter_render_with_figures(page, site):
    page.goto(site.as_uri())
    assert page.locator("h1").first.inner_text() == "Improvements to Deep Learning"
    assert page.locator(".bn-part h2").first.inner_text() == "Prerequisite"
    page.screenshot(path=str(ARTIFACTS / "site-index.png"))

    page.locator(".bn-card h3 a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"{SITE_CHAPTER}.html")
    widths = _images_loaded(page)
    assert widths and all(w > 0 for w in widths), f"figures that did not render: {widths}"
    assert page.locator("nav.bn-nav a.bn-student").count() == 1
    if system_packages.present("libjs-mathjax"):  # formulas typeset, not raw TeX
        assert (site.parent / "_static" / "mathjax").exists()
        page.wait_for_function("() => document.querySelectorAll('.MJXc-display, .mjx-chtml').length > 0",
                               timeout=30_000)
    page.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "site-chapter.png"))


def test_site_student_link_downloads_and_solutions_unfold(browser, site):
    """From file: (no server), the student link saves the notebook under its name instead of
    showing its JSON, and an answer's code shows only after "Show the solution" is clicked."""
    context = browser.new_context(accept_downloads=True)
    context.route("**/*", _local_only)
    page = context.new_page()
    try:
        page.goto((site.parent / f"{SITE_CHAPTER}.html").as_uri())
        with page.expect_download() as download:
            page.locator("nav.bn-nav a.bn-student").click()
        assert download.value.suggested_filename == f"{SITE_CHAPTER}.ipynb"
        saved = Path(download.value.path()).read_bytes()
        assert saved == (LECTURES / f"{SITE_CHAPTER}.ipynb").read_bytes()
        assert page.url.endswith(f"{SITE_CHAPTER}.html")  # no page of raw JSON

        solution = page.locator("details.bn-solution").first
        code = solution.locator(".jp-InputArea")
        assert not code.is_visible()
        solution.locator("summary", has_text="Show the solution").click()
        assert code.is_visible()
    finally:
        context.close()


# --------------------------------------------------------------------------- feedback

def _stock_feedback(course: Path, student: str, name: str, out: Path) -> Path:
    """nbgrader's own feedback page of the same autograded notebook, for comparison."""
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config
    from betternets_grader.course import nbgrader_api
    api = nbgrader_api(course)
    app = GenerateFeedback(coursedir=api.coursedir, parent=api)
    app.update_config(Config({"HTMLExporter": {"template_name": "feedback"}}))
    exporter = app.exporter_class(parent=app, config=app.config)
    for pp in app.preprocessors:
        exporter.register_preprocessor(pp)
    page, _ = exporter.from_filename(
        str(course / "autograded" / student / name / f"{name}.ipynb"),
        resources={"unique_key": name, "nbgrader": {"student": student, "assignment": name,
                                                    "notebook": name,
                                                    "db_url": api.coursedir.db_url}})
    out.write_text(page)
    return out


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_bobs_feedback_reads_offline_at_a_glance(browser, tmp_path):
    """bob's feedback for notebook 00, opened with every network request refused: formulas
    typeset by the local MathJax, the summary on top with a cross on his mistaken exercise,
    no line past its box, his figure shown, and shorter than nbgrader's own page."""
    require("libjs-mathjax", "formulas of the feedback typeset offline")
    from feedback_class import NAME, grade_and_render
    rendered = grade_and_render(tmp_path, late=False)
    context = browser.new_context(viewport={"width": 900, "height": 900})
    requested: list[str] = []
    def offline(route):
        requested.append(route.request.url)
        return route.continue_() if route.request.url.startswith(("file:", "data:")) \
            else route.abort()
    context.route("**/*", offline)
    page = context.new_page()
    try:
        page.goto((rendered["out"] / "bob" / f"{NAME}.html").as_uri())
        page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue.running === 0"
                               " && MathJax.Hub.queue.pending === 0", timeout=60_000)
        assert [u for u in requested if not u.startswith(("file:", "data:"))] == []
        assert page.locator(".MathJax_CHTML, .mjx-chtml").count() > 10
        formula_cell = page.locator(".text_cell_render",
                                    has_text="Forward or central differences").first
        text = formula_cell.inner_text()
        assert "$" not in text and "\\frac" not in text and "\\lim" not in text, text[:300]

        glance = page.locator(".bn-glance")
        first_cell = page.locator(".nbgrader_cell").first
        assert glance.bounding_box()["y"] < first_cell.bounding_box()["y"]
        row = glance.locator("tr", has_text="numerical_gradient")
        assert "\u2717" in row.inner_text() and "forward difference" in row.inner_text()
        assert "\u2717" not in glance.locator("tr", has_text="relative_error").inner_text()

        too_wide = page.evaluate(
            "() => { const w = document.documentElement.clientWidth;"
            " return [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > w + 1).map(e => e.tagName); }")
        assert too_wide == [] and page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        scrolled = page.evaluate("[...document.querySelectorAll('pre')]"
                                 ".filter(p => p.scrollWidth > p.clientWidth + 1).length")
        assert scrolled == 0, f"{scrolled} lines run past their box"
        assert _images_loaded(page) and all(w > 0 for w in _images_loaded(page))
        ours = _height(page)
        page.screenshot(path=str(ARTIFACTS / "feedback-bob-00.png"), full_page=True)

        stock = _stock_feedback(rendered["course"], "bob", NAME, tmp_path / "stock.html")
        page.goto(stock.as_uri())
        page.wait_for_load_state("load")
        assert ours < _height(page), f"ours {ours} px, nbgrader's {_height(page)} px"
    finally:
        context.close()
