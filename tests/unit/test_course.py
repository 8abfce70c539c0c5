"""A course folder: found from the working directory or named by --root; the grader's paths
all come from it (tests/test_installed_wheels.py runs the whole course from installed wheels)."""
from __future__ import annotations

from pathlib import Path

import pytest

from betternets_grader.course import Course, nbgrader_api, prepare_course

from checkout import COURSE


def course_folder(root: Path, names=("00_intro", "01_more")) -> Course:
    (root / "solutions").mkdir(parents=True)
    for name in names:
        (root / "solutions" / f"{name}.ipynb").write_text("{}")
    return Course(root)


def test_paths_come_from_the_course_folder(tmp_path):
    course = course_folder(tmp_path)
    assert (course.solutions, course.lectures, course.workspace) == \
        (tmp_path / "solutions", tmp_path / "lectures", tmp_path / "course")
    assert course.notebooks() == ["00_intro", "01_more"]
    assert Course("relative/x").root.is_absolute()


def test_find_walks_up_to_the_nearest_folder_holding_solutions(tmp_path):
    outer = course_folder(tmp_path)
    deep = tmp_path / "submissions" / "alice"
    deep.mkdir(parents=True)
    assert Course.find(deep) == outer
    inner = course_folder(tmp_path / "submissions" / "other")
    assert Course.find(inner.root / "solutions") == inner


def test_no_course_found_is_an_error(tmp_path):
    (tmp_path / "solutions").mkdir()      # a solutions/ without notebooks is no course
    with pytest.raises(ValueError, match="no course found"):
        Course.find(tmp_path)
    with pytest.raises(ValueError, match="no course found"):
        Course(tmp_path).notebooks()


@pytest.mark.parametrize("argv, cwd, root, workspace", [
    (["release"], "course/sub", "course", "course/course"),
    (["release", "--root", "{tmp}/course"], ".", "course", "course/course"),
    (["release", "--root", "{tmp}/course", "--course", "{tmp}/ws"], ".", "course", "ws"),
])
def test_the_command_line_resolves_the_course_folder_and_workspace(
        tmp_path, monkeypatch, argv, cwd, root, workspace):
    from betternets import cli
    from betternets_grader import course as course_module
    course_folder(tmp_path / "course")
    (tmp_path / "course" / "sub").mkdir()
    seen = {}
    monkeypatch.setattr(course_module, "release",
                        lambda root, course, progress: seen.update(root=root, course=course) or [])
    monkeypatch.chdir(tmp_path / cwd)
    assert cli.main([a.format(tmp=tmp_path) for a in argv]) == 0
    assert seen == {"root": Course(tmp_path / root), "course": tmp_path / workspace}


def test_a_workspace_config_applies_the_course_settings(tmp_path):
    """The workspace's nbgrader_config.py loads the settings from the installed grader."""
    workspace = prepare_course(tmp_path / "ws", COURSE)
    api = nbgrader_api(workspace)
    assert api.coursedir.course_id == "betternets"
    assert "ExerciseStubs" in [p.__name__ for p in api.config.GenerateAssignment.preprocessors]
    assert sorted(p.name for p in (workspace / "source").iterdir()) == COURSE.assignments()
