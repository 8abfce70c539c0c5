"""The self-study walkthrough site: the solved notebooks as static HTML.

    build_site(out)                      # every notebook in solutions/
    build_site(out, names=["00_gradient_checking"])

Each solution notebook is prepared for reading (hidden test cells dropped,
nbgrader's region markers removed), executed headless (nbclient; matplotlib's
Agg backend, no progress bars, explorers drawn as static figures) and turned
into one HTML page by nbconvert with its figures embedded as PNG data. The
index groups the pages by the lecture's four parts, every page links to the
previous and next one and to its student version (lectures/*.ipynb, copied
into the site), and `slide-notes.html` collects every "On the slide" note
with a link to where it stands.

Executed notebooks are cached under the course folder's build/site-cache/ by
a hash of the prepared notebook and of the installed betternets package, so a
rebuild after a small change executes only what changed.

Offline: the pages load no script, style or font from the network. Math is
typeset by a local copy of MathJax 2 when one is installed (Debian's
libjs-mathjax, or the folder named by BETTERNETS_MATHJAX); without one the
TeX stays readable as text.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .answers import MARKERS, source
from .course import Course

SITE_FORMAT = "3"  # bump to invalidate every cached notebook
SOLUTION_TAG = "bn-solution"  # an answer cell: its page shows it behind "Show the solution"

# A notebook opens a part of the lecture with a line in its markdown (invisible when rendered):
#     <!-- part: Part 1 · Better activation functions | Why gradients vanish, and ... -->
# A notebook without one belongs to the part of the notebook before it.
PART_RE = re.compile(r"<!--\s*part:\s*(?P<title>[^|]+?)\s*\|\s*(?P<blurb>.*?)\s*-->")
NO_PART = ("Chapters", "")
SLIDE_PREFIX = "> **On the slide:**"
MATHJAX_DIRS = [Path("/usr/share/javascript/mathjax"), Path("/usr/share/nodejs/mathjax")]
MATHJAX_FILES = ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "jax/input/TeX", "jax/element",
                 "jax/output/CommonHTML", "extensions", "fonts/HTML-CSS/TeX/woff",
                 "localization/en"]
# In a kernel, MPLBACKEND=Agg would draw figures without showing them: the inline
# backend draws with Agg too and sends each figure as a PNG output.
SITE_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "BETTERNETS_NO_PROGRESS": "1", "BETTERNETS_STATIC": "1"}


@dataclass
class Chapter:
    name: str                 # "01_activations"
    title: str                # "01 · Better activation functions"
    summary_html: str         # the first paragraph of the notebook
    page: str                 # "01_activations.html"
    student: str | None       # "lectures/01_activations.ipynb", if released
    student_data: str = ""    # that notebook as a data: URL (what its link downloads)
    part: tuple[str, str] = NO_PART   # (title, blurb) of the lecture's part it belongs to
    notes: list[str] = field(default_factory=list)   # rendered slide notes (HTML)
    cached: bool = False


# --------------------------------------------------------------------------- notebooks

def _hidden_free(text: str) -> str:
    """Source with hidden test regions removed and solution markers dropped."""
    lines, hidden = [], False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped == "### BEGIN HIDDEN TESTS":
            hidden = True
        elif stripped == "### END HIDDEN TESTS":
            hidden = False
        elif not hidden and stripped not in MARKERS:
            lines.append(line)
    return "\n".join(lines).rstrip("\n")


def _only_comments(text: str) -> bool:
    return all(not l.strip() or l.lstrip().startswith("#") for l in text.split("\n"))


def prepare(nb: dict) -> dict:
    """The notebook as a reader sees it: no hidden tests, no nbgrader markers, no outputs; each
    answer cell tagged `SOLUTION_TAG`, so that its page folds the solution away."""
    cells = []
    for cell in nb["cells"]:
        text = source(cell)
        if cell["cell_type"] == "code":
            text = _hidden_free(text)
            graded = cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            if graded and _only_comments(text):
                continue  # a hidden test cell: nothing for a reader to run or see
            cell = dict(cell, source=text, outputs=[], execution_count=None)
        else:
            cell = dict(cell, source=text)
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k != "nbgrader"}
        if cell["cell_type"] == "code" and cell.get("metadata", {}).get("nbgrader", {}).get(
                "solution"):
            meta["tags"] = [*meta.get("tags", []), SOLUTION_TAG]
        cells.append(dict(cell, metadata=meta))
    return dict(nb, cells=cells)


def _package_digest() -> str:
    """sha256 of the source of the betternets package the kernel imports (as installed)."""
    import betternets
    from .provenance import package_digest
    return package_digest(Path(betternets.__file__).resolve().parent)


def content_hash(prepared: dict, package_digest: str) -> str:
    payload = json.dumps(prepared["cells"], sort_keys=True).encode()
    return hashlib.sha256(SITE_FORMAT.encode() + payload + package_digest.encode()).hexdigest()[:20]


@contextlib.contextmanager
def _site_environment():
    """The kernel inherits this: Agg, no progress bars, static explorers, this venv first."""
    saved = {k: os.environ.get(k) for k in [*SITE_ENV, "PATH"]}
    os.environ.update(SITE_ENV)
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(prepared: dict, name: str, cwd: Path, timeout: int = 600) -> dict:
    """Run the notebook top to bottom in a fresh kernel working in `cwd`; a failing cell
    stops the build."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.from_dict(prepared)
    with _site_environment():
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines
        except CellExecutionError as exc:
            raise RuntimeError(f"site: {name} failed to run; fix the notebook first:\n{exc}") from None
    return nb


def executed(name: str, solutions: Path, cache: Path, package_digest: str) -> tuple[dict, bool]:
    """The executed notebook, from the cache when its content hash is known."""
    nb = json.loads((solutions / f"{name}.ipynb").read_text())
    prepared = prepare(nb)
    key = content_hash(prepared, package_digest)
    cached = cache / f"{name}-{key}.ipynb"
    if cached.exists():
        return json.loads(cached.read_text()), True
    result = execute(prepared, name, cwd=solutions)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{name}-*.ipynb"):
        old.unlink()
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")  # two builds at once never mix files
    tmp.write_text(json.dumps(result))
    tmp.replace(cached)
    return json.loads(cached.read_text()), False


# --------------------------------------------------------------------------- HTML

CSS = """
body { margin: 0; }
.bn-nav { position: sticky; top: 0; z-index: 10; display: flex; gap: 1.2em; align-items: center;
  flex-wrap: wrap; padding: .55em 1.2em; background: #1f3a5f; color: #fff;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.bn-nav a { color: #fff; text-decoration: none; }
.bn-nav a:hover { text-decoration: underline; }
.bn-nav .bn-home { font-weight: 600; margin-right: auto; }
.bn-nav .bn-off { opacity: .45; }
.bn-nav .bn-prev, .bn-nav .bn-next { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; max-width: 19em; }
.bn-foot { display: flex; justify-content: space-between; padding: 1.5em 1.2em 3em;
  font: 15px/1.4 system-ui, sans-serif; border-top: 1px solid #ddd; margin-top: 2em; }
blockquote.bn-slide-note { border-left: 5px solid #d9822b; background: #fff6ec;
  margin: 1em 0; padding: .3em 1em; }
.bn-page { max-width: 60em; margin: 0 auto; padding: 1em 1.5em;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
.bn-page h1 { font-size: 1.9em; margin-bottom: .2em; }
.bn-part { margin-top: 1.8em; }
.bn-part h2 { margin-bottom: .1em; font-size: 1.35em; }
.bn-part > p { margin-top: 0; color: #555; }
.bn-card { border: 1px solid #d5dbe3; border-radius: 6px; padding: .6em 1em; margin: .7em 0; }
.bn-card h3 { margin: .2em 0; font-size: 1.1em; }
.bn-card .bn-links { font-size: .92em; color: #555; }
.bn-note { margin: 1.2em 0; }
.bn-note .bn-from { font-size: .9em; }
.bn-tex { color: #555; font-size: .9em; }
details.bn-solution > summary { cursor: pointer; color: #1f3a5f; font-weight: 600;
  padding: .35em .6em; border: 1px dashed #9fb3c8; border-radius: 4px; margin: .3em 0; }
details.bn-solution[open] > summary { border-style: solid; }
.bn-install pre { background: #f4f6f8; padding: .6em .9em; border-radius: 4px; overflow-x: auto; }
"""

INSTALL_HTML = """<section class="bn-install" id="install"><h2>Work through the exercises yourself</h2>
<p>The student versions need the <code>betternets</code> package (it brings numpy, matplotlib,
ipywidgets and JupyterLab). Install either the student wheel <code>betternets-*.whl</code> (from
your instructor, or built in a checkout with <code>pip wheel --no-deps -w dist .</code>) or the
checkout itself; both hold the student package only, never the grader or its hidden checks:</p>
<pre>python3 -m venv ~/betternets-env
~/betternets-env/bin/pip install betternets-*.whl   # the student wheel, or in a checkout of the course:
~/betternets-env/bin/pip install .
~/betternets-env/bin/jupyter lab 01_activations.ipynb   # a student version saved from this site</pre>
<p>Replace each <code>raise NotImplementedError(...)</code> with your code and run the check cell
under it. Until then, Run All still reaches the end: a demonstration that needs an unfinished
exercise says so (<code>needs sigmoid: not implemented yet</code>). The solved answers on these
pages are folded away behind <em>Show the solution</em>.</p></section>"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
{mathjax}
</head><body>
{nav}
<main class="bn-page">
{body}
</main>
</body></html>
"""


def _mathjax_source() -> Path | None:
    env = os.environ.get("BETTERNETS_MATHJAX", "").strip()
    candidates = [Path(env)] if env else MATHJAX_DIRS
    for folder in candidates:
        if (folder / "MathJax.js").is_file() and (folder / "config/TeX-AMS_CHTML-full.js").is_file():
            return folder
    return None


def copy_mathjax(out: Path) -> bool:
    """Copy the part of a local MathJax 2 the pages use into out/_static/mathjax."""
    folder = _mathjax_source()
    if folder is None:
        return False
    target = out / "_static" / "mathjax"
    for rel in MATHJAX_FILES:
        src, dst = folder / rel, target / rel
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return True


def mathjax_tags(enabled: bool, base: str = "_static/mathjax") -> str:
    """The script tags that typeset a page with the MathJax copied to `base` (a URL relative
    to the page); "" without a local MathJax."""
    if not enabled:
        return ""
    return ("<script type=\"text/x-mathjax-config\">MathJax.Hub.Config({tex2jax: {inlineMath: "
            "[['$','$'], ['\\\\(','\\\\)']], displayMath: [['$$','$$'], ['\\\\[','\\\\]']], "
            "processEscapes: true, processEnvironments: true}, messageStyle: 'none', "
            "CommonHTML: {linebreaks: {automatic: true}}});</script>\n"
            f"<script src=\"{base}/MathJax.js?config=TeX-AMS_CHTML-full\"></script>")


NOTEBOOK_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{{ resources.bn_mathjax }}{%- endblock html_head_js_mathjax -%}
{%- block extra_css -%}<style type="text/css">{{ resources.bn_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.bn_nav }}{%- endblock body_header -%}
{%- block body_footer -%}{{ resources.bn_foot }}{{ super() }}{%- endblock body_footer -%}
{%- block input_group -%}
{%- if 'bn-solution' in cell.metadata.get('tags', []) -%}
<details class="bn-solution"><summary>Show the solution</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{%- endblock input_group -%}
"""


def _nav(chapters: list[Chapter], i: int | None) -> str:
    def link(ch: Chapter | None, arrow: str) -> str:
        if ch is None:
            return f'<span class="bn-off">{arrow}</span>'
        text = f"&larr; {html.escape(ch.title)}" if arrow == "prev" else f"{html.escape(ch.title)} &rarr;"
        return f'<a class="bn-{arrow}" rel="{arrow}" href="{ch.page}">{text}</a>'

    parts = ['<nav class="bn-nav"><a class="bn-home" href="index.html">betternets · '
             'Improvements to Deep Learning</a>']
    if i is not None:
        prev = chapters[i - 1] if i > 0 else None
        nxt = chapters[i + 1] if i + 1 < len(chapters) else None
        parts += [link(prev, "prev"), link(nxt, "next")]
        if chapters[i].student:
            parts.append(_student_link(chapters[i], 'class="bn-student" '))
    parts.append('<a class="bn-notes" href="slide-notes.html">On the slide notes</a></nav>')
    return "".join(parts)


def _student_link(ch: Chapter, attrs: str = "") -> str:
    """A link that downloads the student version. Chromium ignores `download` on a file: link
    (every file is its own origin there) and shows the notebook's JSON instead, so the link
    carries the notebook itself as a data: URL, which `download` saves under its name; the copy
    in lectures/ beside the pages is for a site served over HTTP."""
    return (f'<a {attrs}href="{ch.student_data}" download="{html.escape(ch.name)}.ipynb" '
            f'data-file="{ch.student}">student version (.ipynb)</a>')


def _foot(chapters: list[Chapter], i: int) -> str:
    prev = chapters[i - 1] if i > 0 else None
    nxt = chapters[i + 1] if i + 1 < len(chapters) else None
    left = (f'<a rel="prev" href="{prev.page}">&larr; {html.escape(prev.title)}</a>'
            if prev else '<a href="index.html">&larr; index</a>')
    right = (f'<a rel="next" href="{nxt.page}">{html.escape(nxt.title)} &rarr;</a>'
             if nxt else '<a href="index.html">index &rarr;</a>')
    return f'<footer class="bn-foot">{left}{right}</footer>'


NOTE_RE = re.compile(r"<blockquote>\s*<p>\s*<strong>On the slide:</strong>.*?</blockquote>", re.S)


def _mark_notes(page: str, chapter: Chapter) -> str:
    """Give each slide note an id and a class; collect its HTML."""
    def mark(match: re.Match) -> str:
        k = len(chapter.notes) + 1
        note = match.group(0).replace("<blockquote>", "<blockquote class=\"bn-slide-note\">", 1)
        chapter.notes.append(note)
        return note.replace("<blockquote ", f'<blockquote id="slide-note-{k}" ', 1)
    return NOTE_RE.sub(mark, page)


def _title_and_summary(nb: dict, name: str) -> tuple[str, str]:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell).strip()
        lines = text.split("\n")
        if lines and lines[0].startswith("# "):
            title = lines[0][2:].strip()
            paragraphs = [p.strip() for p in "\n".join(lines[1:]).split("\n\n")
                          if p.strip() and not PART_RE.fullmatch(p.strip())]
            summary = paragraphs[:1]
            if paragraphs and not paragraphs[0].endswith((".", "!", "?", ")")):
                summary = paragraphs[:2]  # "... one by one:" and the list it announces
            summary = markdown2html_mistune("\n\n".join(summary)) if summary else ""
            return title, summary
    return name, ""


STATIC_NOTICE = "widgets unavailable: showing a static figure"
SITE_NOTICE = ("On this page the explorer shows its default settings; open the notebook in "
               "Jupyter to move its sliders.\n")


def _for_readers(nb: dict) -> dict:
    """The explorers' "widgets unavailable" line, said for a reader of the site."""
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                out["text"] = text.replace(STATIC_NOTICE + "\n", SITE_NOTICE)
    return nb


def data_url(path: Path) -> str:
    """The file as a data: URL of Jupyter's notebook MIME type (base64)."""
    return "data:application/x-ipynb+json;base64," + base64.b64encode(path.read_bytes()).decode()


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    return HTMLExporter(extra_loaders=[DictLoader({"betternets_site.html.j2": NOTEBOOK_TEMPLATE})],
                        template_file="betternets_site.html.j2")


def part_marker(nb: dict) -> tuple[str, str] | None:
    """The (title, blurb) of the part a notebook opens, from its `<!-- part: ... -->` line."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            found = PART_RE.search(source(cell))
            if found:
                return found["title"], found["blurb"]
    return None


def _parts(chapters: list[Chapter]) -> list[tuple[str, str]]:
    """The parts in course order, each once."""
    return list(dict.fromkeys(ch.part for ch in chapters))


def _index(chapters: list[Chapter], mathjax: str, notes_total: int) -> str:
    body = ["<h1>Improvements to Deep Learning</h1>",
            "<p>The solved notebooks of the course, executed, with their figures: read them "
            "in order or jump to a part. Each chapter links to its <em>student version</em>, "
            "the notebook with the exercises left open and self-checks under each one "
            "(open it in Jupyter and run <code>check(\"name\")</code>; "
            '<a href="#install">how to install</a>).</p>',
            f'<p><a href="slide-notes.html"><strong>On the slide</strong>: {notes_total} notes</a> '
            "where the notebooks correct or complete what the slides say.</p>", INSTALL_HTML]
    for k, (part, blurb) in enumerate(_parts(chapters)):
        mine = [c for c in chapters if c.part == (part, blurb)]
        body.append(f'<section class="bn-part" id="part-{k}"><h2>{html.escape(part)}</h2>'
                    f"<p>{html.escape(blurb)}</p>")
        for ch in mine:
            links = [f'<a href="{ch.page}">read the walkthrough</a>']
            if ch.student:
                links.append(_student_link(ch))
            if ch.notes:
                links.append(f'<a href="slide-notes.html#{ch.name}">{len(ch.notes)} slide notes</a>')
            body.append(f'<div class="bn-card" id="{ch.name}"><h3><a href="{ch.page}">'
                        f"{html.escape(ch.title)}</a></h3>{ch.summary_html}"
                        f'<div class="bn-links">{" · ".join(links)}</div></div>')
        body.append("</section>")
    if not mathjax:
        body.append('<p class="bn-tex">Formulas are shown as TeX source: no local MathJax was '
                    "installed when this site was built (Debian: <code>apt-get install "
                    "libjs-mathjax</code>, then rebuild).</p>")
    return PAGE.format(title="betternets · Improvements to Deep Learning", css=CSS,
                       mathjax=mathjax, nav=_nav(chapters, None), body="\n".join(body))


def _notes_page(chapters: list[Chapter], mathjax: str) -> str:
    body = ["<h1>On the slide</h1>",
            "<p>Where a slide is wrong, ambiguous or incomplete, the notebook teaches the right "
            "formula and says so in a note. All of them, in course order:</p>"]
    for ch in chapters:
        if not ch.notes:
            continue
        body.append(f'<section id="{ch.name}"><h2><a href="{ch.page}">{html.escape(ch.title)}</a></h2>')
        for k, note in enumerate(ch.notes, 1):
            body.append(f'<div class="bn-note">{note}<div class="bn-from">'
                        f'<a href="{ch.page}#slide-note-{k}">in context &rarr;</a></div></div>')
        body.append("</section>")
    if not any(ch.notes for ch in chapters):
        body.append("<p>No notes yet.</p>")
    return PAGE.format(title="On the slide · betternets", css=CSS, mathjax=mathjax,
                       nav=_nav(chapters, None), body="\n".join(body))


# --------------------------------------------------------------------------- build

def build_site(out: Path, root: Course, names: Iterable[str] | None = None,
               progress: Callable = lambda it, **kw: it, cache: Path | None = None) -> Path:
    """Write the walkthrough site of course `root` (its solutions/, and lectures/ where
    released) into `out`, executed notebooks cached in `cache` (default
    root/build/site-cache); returns the path of its index.html."""
    out = Path(out)
    solutions, lectures = root.solutions, root.lectures
    cache = cache or root.root / "build" / "site-cache"
    names = list(names) if names is not None else root.notebooks()
    missing = [n for n in names if not (solutions / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"no solution notebook {', '.join(missing)} in {solutions}")
    if not names:
        raise ValueError(f"no solution notebooks in {solutions}")
    names.sort()
    out.mkdir(parents=True, exist_ok=True)
    has_mathjax = copy_mathjax(out)
    mathjax = mathjax_tags(has_mathjax)
    digest = _package_digest()

    started = time.monotonic()
    notebooks, chapters = {}, []
    for name in progress(names, desc="site: run notebooks"):
        nb, was_cached = executed(name, solutions, Path(cache), digest)
        notebooks[name] = nb
        title, summary = _title_and_summary(nb, name)
        student = None
        if (lectures / f"{name}.ipynb").exists():
            (out / "lectures").mkdir(exist_ok=True)
            shutil.copyfile(lectures / f"{name}.ipynb", out / "lectures" / f"{name}.ipynb")
            student = f"lectures/{name}.ipynb"
        part = part_marker(nb) or (chapters[-1].part if chapters else NO_PART)
        chapters.append(Chapter(name, title, summary, f"{name}.html", student, part=part,
                                cached=was_cached,
                                student_data=data_url(out / student) if student else ""))

    import nbformat
    exporter = _exporter()
    for i, ch in enumerate(progress(chapters, desc="site: write pages")):
        resources = {"metadata": {"name": ch.title}, "bn_css": CSS, "bn_mathjax": mathjax,
                     "bn_nav": _nav(chapters, i), "bn_foot": _foot(chapters, i)}
        page, _ = exporter.from_notebook_node(nbformat.from_dict(_for_readers(notebooks[ch.name])),
                                              resources=resources)
        (out / ch.page).write_text(_mark_notes(page, ch))

    notes_total = sum(len(ch.notes) for ch in chapters)
    (out / "slide-notes.html").write_text(_notes_page(chapters, mathjax))
    index = out / "index.html"
    index.write_text(_index(chapters, mathjax, notes_total))
    (out / "_build.json").write_text(json.dumps({
        "chapters": [c.name for c in chapters],
        "executed": [c.name for c in chapters if not c.cached],
        "cached": [c.name for c in chapters if c.cached],
        "slide_notes": notes_total, "mathjax": has_mathjax,
        "seconds": round(time.monotonic() - started, 1)}, indent=1))
    return index
