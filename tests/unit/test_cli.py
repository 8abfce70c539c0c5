"""The command line: `betternets grade|release|feedback|site` are the grader's commands
(`betternets_grader.cli`), and every limit's default comes from `Settings`."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from checkout import COURSE

from betternets import cli as student_cli
from betternets_grader import cli
from betternets_grader import grade as grading
from betternets_grader.engine.kernel import Limits
from betternets_grader.engine.settings import Settings


def _grade_help(capsys, main=cli.main) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["grade", "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_settings_take_the_kernels_limits():
    limits, settings = Limits(), Settings()
    for f in fields(Settings):
        if hasattr(limits, f.name):
            assert getattr(settings, f.name) == getattr(limits, f.name), f.name


def test_grade_options_default_to_settings_and_say_so_in_help(capsys):
    args = cli.build_parser().parse_args(["grade", "subs"])
    assert cli.settings_of(args) == Settings()
    text = _grade_help(capsys)
    for f in fields(Settings):
        flag = f.metadata["flag"] or "--" + f.name.replace("_", "-")
        if isinstance(f.default, bool):
            assert f"--no-{flag[2:]} do not {f.metadata['help']}" in text
        else:
            assert f"{flag} {f.metadata['metavar']} {f.metadata['help']} " \
                   f"(default: {f.default})" in text, f.name


def test_a_changed_default_in_settings_is_the_options_default(monkeypatch, capsys):
    timeout = next(f for f in fields(Settings) if f.name == "timeout")
    monkeypatch.setattr(timeout, "default", 7.5)
    assert cli.build_parser().parse_args(["grade", "subs"]).timeout == 7.5
    assert "per call (default: 7.5)" in _grade_help(capsys)


def test_betternets_grade_is_the_graders_grade(capsys):
    text = _grade_help(capsys, student_cli.main)
    assert text.startswith("usage: betternets grade")
    assert f"--memory MB memory limit of a student's kernel and all its processes, in MB " \
           f"(default: {Settings().memory_mb})" in text


def test_betternets_lists_the_instructor_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        student_cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(re.search(rf"^\s+{c}\s", out, re.M) for c in ("release", "grade", "feedback", "site"))
    with pytest.raises(SystemExit):
        student_cli.main(["mutants"])    # not a command of the student package


def test_grade_command_passes_every_option_on(monkeypatch, tmp_path, capsys):
    seen = {}

    def fake(submissions, out, root, options, progress=None, log=print):
        seen.update(submissions=submissions, out=out, root=root, options=options)
        return grading.Run(sandboxed=False)
    monkeypatch.setattr(grading, "grade", fake)
    assert student_cli.main(["grade", "subs", "--out", str(tmp_path / "r.csv"),
                             "--root", str(COURSE.root), "--course",
                             str(tmp_path / "c"), "--jobs", "3", "--timeout", "5",
                             "--memory", "512", "--disk", "32", "--no-sandbox",
                             "--setup-timeout", "9", "--force", "--show-hidden"]) == 0
    o = seen["options"]
    assert seen["submissions"] == Path("subs") and seen["out"] == tmp_path / "r.csv"
    assert seen["root"] == COURSE
    assert (o.course, o.jobs, o.force, o.show_hidden, o.scheduler, o.db_url) == \
        (tmp_path / "c", 3, True, True, None, None)
    assert o.report == tmp_path / "c" / "report.html"
    assert o.settings == Settings(timeout=5.0, memory_mb=512, disk_mb=32, sandbox=False,
                                  setup_timeout=9.0)
    assert "UNSANDBOXED" in capsys.readouterr().out
