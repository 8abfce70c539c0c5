"""nbauthor: solution notebooks as jupytext percent-format text and back, losslessly."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from betternets_grader import nbauthor
from checkout import SOLUTIONS

NOTEBOOKS = sorted(SOLUTIONS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_export_then_build_gives_the_notebook_byte_for_byte(path):
    raw = path.read_text()
    assert nbauthor.dumps(nbauthor.build(nbauthor.export(json.loads(raw)))) == raw


def test_the_text_is_jupytext_percent_format_with_roles_as_titles():
    import jupytext
    nb = json.loads(NOTEBOOKS[0].read_text())
    text = nbauthor.export(nb)
    assert text.startswith("# %% md-000 [markdown]\n# ")
    assert "# %% answer numerical_gradient\n" in text
    parsed = jupytext.reads(text, fmt="py:percent")
    assert [c.cell_type for c in parsed.cells] == [c["cell_type"] for c in nb["cells"]]


def test_build_gives_the_nbgrader_metadata_and_free_ids():
    text = ("# %% [markdown]\n# ## Title\n\n"
            "# %% setup setup_imports\nimport numpy as np\n\n"
            "# %% answer f\ndef f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n\n"
            "# %% test test_f__values 2\ncheck('f')\n\n"
            "# %% md-001 [markdown]\n# given id\n\n"
            "# %% demo\nprint(f(1))\n")
    nb = nbauthor.build(text)
    assert [c["id"] for c in nb["cells"]] == ["md-000", "setup_imports", "f", "test_f__values",
                                             "md-001", "demo-005"]
    assert nb["cells"][0]["source"] == "## Title"
    answer, test = nb["cells"][2]["metadata"]["nbgrader"], nb["cells"][3]["metadata"]["nbgrader"]
    assert answer["solution"] and not answer["locked"] and answer["grade_id"] == "f"
    assert test["grade"] and test["locked"] and test["points"] == 2.0
    assert nb["cells"][5]["metadata"] == {"tags": ["demo"]}


def test_a_new_cell_without_id_takes_a_free_one():
    nb = nbauthor.build("# %% md-001 [markdown]\n# first\n\n# %% [markdown]\n# second\n")
    assert [c["id"] for c in nb["cells"]] == ["md-001", "md-002"]


@pytest.mark.parametrize("text,why", [
    ("# %% answr f\nx = 1\n", "names no role"),
    ("x = 1\n\n# %% answer f\ny = 2\n", "before the first cell marker"),
    ("# %% test values 1\ncheck('f')\n", "test_<name>__<property>"),
    ("# %% answer f\nx = 1\n\n# %% answer f\ny = 2\n", "duplicate cell ids"),
])
def test_build_refuses_text_it_cannot_place(text, why):
    with pytest.raises(ValueError, match=why.replace("(", r"\(")):
        nbauthor.build(text)


def test_the_commands_export_and_build(tmp_path):
    text, again = tmp_path / "nb.txt", tmp_path / "nb.ipynb"
    for argv in (["export", str(NOTEBOOKS[0]), str(text)], ["build", str(text), str(again)]):
        subprocess.run([sys.executable, "-m", "betternets_grader.nbauthor", *argv], check=True)
    assert again.read_text() == NOTEBOOKS[0].read_text()
