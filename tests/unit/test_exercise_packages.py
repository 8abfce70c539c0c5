"""`import_exercise_modules` imports a notebook's module, or every module of a notebook's package
(also one its `__init__` does not import), and only folders' `ex*` entries."""
from __future__ import annotations

import sys

from betternets.checks import import_exercise_modules


def test_every_module_of_an_exercise_package_is_imported(tmp_path, monkeypatch):
    root = tmp_path / "fake_side"
    (root / "ex07_topic").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "ex06_flat.py").write_text("SEEN = True\n")
    (root / "ex07_topic" / "__init__.py").write_text("")
    (root / "ex07_topic" / "first.py").write_text("SEEN = True\n")
    (root / "ex07_topic" / "second.py").write_text("SEEN = True\n")
    (root / "helpers.py").write_text("raise RuntimeError('not an exercise module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fake_side
    try:
        import_exercise_modules(fake_side.__name__, fake_side.__path__)
        for name in ("ex06_flat", "ex07_topic.first", "ex07_topic.second"):
            assert sys.modules[f"fake_side.{name}"].SEEN
        assert "fake_side.helpers" not in sys.modules
    finally:
        for name in [m for m in sys.modules if m == "fake_side" or m.startswith("fake_side.")]:
            del sys.modules[name]
