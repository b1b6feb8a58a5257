"""Nothing outside the records root is ever read or written.

An id such as `../../etc/passwd`, an absolute path, a name with a slash, or a
symbolic link in a records folder pointing elsewhere never makes stss touch a
file outside the root: `store.inside` refuses such paths, `parsing.is_slug`
keeps ids to plain names, and links are listed as warnings, not followed.
Each test keeps a folder beside the records ("outside") holding a file that
would show up in the output if it were read, and checks that nothing there,
or anywhere else in the test's folder, was created or changed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stss import loader, lock, store
from stss.errors import StoreError
from stss.parsing import is_slug
from tests.helpers import gias_csv, gias_row, snapshot, write_records

#: Read through a link, this "school" would be reported by its unknown key.
SECRET = "name: Outside\nphase: primary\nmembership: academy\nsecret_key: hunter2\n"

ESCAPES = ["../x.yaml", "../../etc/passwd", "schools/../../x.yaml", "/etc/passwd", "/tmp/x.yaml", "", ".",
           "./schools/x.yaml", "schools/./x.yaml", "schools//x.yaml", "schools/", "..", "schools\\..\\x",
           "schools/x\0.yaml", "~/x.yaml/.."]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    write_records(folder, {"school.yaml": SECRET, "visits/2026-27/2026-10-06-hill-top-partnership-visit.md":
                           "---\nschool: hill-top\nsecret_key: 1\n---\n"})
    return folder


# --- store.inside, read_text, write_text ----------------------------------------


@pytest.mark.parametrize("rel", ESCAPES)
def test_inside_refuses_paths_that_are_not_plainly_inside(mini: Path, rel: str) -> None:
    with pytest.raises(StoreError, match="refused"):
        store.inside(mini, rel)


@pytest.mark.parametrize("rel", ["schools/new.yaml", "visits/2030-31/a.md", "trust.yaml", "a/b/c/d.yaml"])
def test_inside_gives_paths_under_the_root(mini: Path, rel: str) -> None:
    assert store.inside(mini, rel) == mini.resolve() / rel


def test_inside_refuses_a_folder_that_links_outside(mini: Path, outside: Path) -> None:
    (mini / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(StoreError, match="leads outside"):
        store.inside(mini, "linked/school.yaml")


def test_inside_refuses_a_file_that_links_outside(mini: Path, outside: Path) -> None:
    (mini / "schools/linked.yaml").symlink_to(outside / "school.yaml")
    with pytest.raises(StoreError, match="leads outside"):
        store.inside(mini, "schools/linked.yaml")


def test_locating_a_problem_reads_no_file_outside_and_none_through_a_link(mini: Path, outside: Path) -> None:
    """Finding a problem's line reads the file again; a path that leaves the root, a folder
    or file linked outside, or a link to a record inside, is never read for it (it stays at
    its file's top), while a plain record file gives the line of the key."""
    from stss.errors import error

    (mini / "linked").symlink_to(outside, target_is_directory=True)
    (mini / "schools/linked.yaml").symlink_to(outside / "school.yaml")
    (mini / "schools/plain.yaml").write_text(SECRET, "utf-8")
    (mini / "schools/inner.yaml").symlink_to(mini / "schools/plain.yaml")
    hostile = [*ESCAPES, "linked/school.yaml", "schools/linked.yaml", "schools/inner.yaml"]
    found = store.locate(mini, [error(rel, ("secret_key",), "x") for rel in [*hostile, "schools/plain.yaml"]])
    assert [(p.line, p.column) for p in found] == [(1, 1)] * len(hostile) + [(4, 13)]


@pytest.mark.parametrize("rel", [*ESCAPES, "linked/school.yaml", "schools/linked.yaml"])
def test_write_text_never_writes_outside(mini: Path, outside: Path, tmp_path: Path, rel: str) -> None:
    (mini / "linked").symlink_to(outside, target_is_directory=True)
    (mini / "schools/linked.yaml").symlink_to(outside / "school.yaml")
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match="refused"):
        store.write_text(mini, rel, "name: Pwned\n")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("rel", ["linked/school.yaml", "schools/linked.yaml", "../outside/school.yaml"])
def test_read_text_never_reads_outside(mini: Path, outside: Path, rel: str) -> None:
    (mini / "linked").symlink_to(outside, target_is_directory=True)
    (mini / "schools/linked.yaml").symlink_to(outside / "school.yaml")
    with pytest.raises(StoreError, match="refused"):
        store.read_text(mini, rel)


def test_write_text_reports_a_file_in_the_way_as_a_store_error(mini: Path) -> None:
    with lock.writing(mini), pytest.raises(StoreError, match=re.escape("cannot write schools/hill-top.yaml/x.yaml")):
        store.write_text(mini, "schools/hill-top.yaml/x.yaml", "x")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_a_slug_is_always_a_plain_name_inside_its_folder(text: str) -> None:
    if not is_slug(text):
        return
    assert text == text.strip() and "/" not in text and "\\" not in text and "\0" not in text
    assert not text.startswith((".", "-"))
    root = Path("/records")
    assert store.inside(root, f"schools/{text}.yaml").parent == root / "schools"


@pytest.mark.parametrize("text", ["../../etc/passwd", "a/b", "/etc", "..", ".hidden", "x\n", "x\0", "X", "a b",
                                  "-x", "a" * 101, "", "é"])
def test_is_slug_refuses_anything_but_a_plain_lower_case_name(text: str) -> None:
    assert not is_slug(text)


# --- listing the records: links are warnings, never followed -----------------------


def links(root: Path, outside: Path) -> None:
    (root / "schools/elsewhere.yaml").symlink_to(outside / "school.yaml")
    (root / "schools/loop.yaml").symlink_to(root / "schools/loop.yaml")
    (root / "schools/dangling.yaml").symlink_to(outside / "missing.yaml")
    (root / "people/hill-top.yaml").symlink_to(root / "schools/hill-top.yaml")  # inside, still not followed
    (root / "visits").mkdir()
    (root / "visits/2026-27").symlink_to(outside / "visits/2026-27", target_is_directory=True)


def test_links_in_records_folders_are_errors_and_never_read(mini: Path, outside: Path, tmp_path: Path) -> None:
    links(mini, outside)
    before = snapshot(tmp_path)
    loaded = loader.load(mini)
    found = {(p.path, p.severity.value, p.message) for p in loaded.problems}
    assert found == {
        ("schools/elsewhere.yaml", "error", "a symbolic link, which stss never reads or writes through"),
        ("schools/loop.yaml", "error", "a symbolic link, which stss never reads or writes through"),
        ("schools/dangling.yaml", "error", "a symbolic link, which stss never reads or writes through"),
        ("people/hill-top.yaml", "error", "a symbolic link, which stss never reads or writes through"),
        ("visits/2026-27", "error", "a symbolic link, which stss never reads or writes through"),
    }
    assert all(p.line >= 1 and p.column >= 1 for p in loaded.problems)
    assert list(loaded.records.schools) == ["hill-top"]
    assert list(loaded.records.people) == ["alex-morgan"]
    assert loaded.records.visits == {}
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("folder", ["schools", "people", "engagements", "visits"])
def test_a_records_folder_that_is_a_link_is_not_followed(mini: Path, outside: Path, folder: str) -> None:
    target = outside / folder
    target.mkdir(exist_ok=True)
    (target / "elsewhere.yaml").write_text(SECRET)
    if (mini / folder).exists():
        for path in (mini / folder).iterdir():
            path.rename(target / path.name)
        (mini / folder).rmdir()
    (mini / folder).symlink_to(target, target_is_directory=True)
    problems = loader.load(mini).problems
    assert (folder, "a symbolic link, which stss never reads or writes through") in {(p.path, p.message) for p in problems}
    assert not any("secret_key" in p.message for p in problems)


@pytest.mark.parametrize("name", ["trust.yaml", "offer.yaml"])
def test_trust_or_offer_as_a_link_is_an_error_not_a_read(mini: Path, outside: Path, name: str) -> None:
    (outside / name).write_bytes((mini / name).read_bytes())
    (mini / name).unlink()
    (mini / name).symlink_to(outside / name)
    problems = loader.load(mini).problems
    assert (name, "error") in {(p.path, p.severity.value) for p in problems if "symbolic link" in p.message}


def test_a_cache_folder_linked_outside_is_neither_read_nor_written(mini: Path, outside: Path) -> None:
    sink = outside / "sink"
    sink.mkdir()
    (sink / store.CACHE_FILE).write_text(json.dumps({"version": store._code_version(), "entries": {}}))
    before = snapshot(outside)
    (mini / store.CACHE_DIR).symlink_to(sink, target_is_directory=True)
    old = os.path.getmtime(mini / "trust.yaml") - 60
    for path in mini.rglob("*.yaml"):
        os.utime(path, (old, old))
    assert loader.load(mini).ok
    assert snapshot(outside) == before


def test_a_cache_file_linked_outside_is_not_read(mini: Path, outside: Path) -> None:
    (mini / store.CACHE_DIR).mkdir()
    (mini / store.CACHE_DIR / store.CACHE_FILE).symlink_to(outside / "school.yaml")
    assert loader.load(mini).ok
    assert (outside / "school.yaml").read_text() == SECRET


# --- commands that take ids ---------------------------------------------------------

BAD_IDS = ["../../etc/passwd", "/etc/passwd", "hill-top/../../x", "a/b", "..", "hill-top\n", "x\0y"]


def test_validate_reports_links_and_reads_nothing_outside(stss: Any, mini: Path, outside: Path,
                                                         tmp_path: Path) -> None:
    links(mini, outside)
    (mini / "schools/loop.yaml").unlink()  # the next test has the loop
    before = snapshot(tmp_path)
    result = stss("validate", "--records", mini, "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(Path(r["path"]).relative_to(mini).as_posix(), r["line"], r["column"], r["message"]) for r in rows] == [
        ("people/hill-top.yaml", 1, 1, "a symbolic link, which stss never reads or writes through (hint: replace the link with the file or folder itself)"),
        ("schools/dangling.yaml", 1, 1, "a symbolic link, which stss never reads or writes through (hint: replace the link with the file or folder itself)"),
        ("schools/elsewhere.yaml", 1, 1, "a symbolic link, which stss never reads or writes through (hint: replace the link with the file or folder itself)"),
        ("visits/2026-27", 1, 1, "a symbolic link, which stss never reads or writes through (hint: replace the link with the file or folder itself)"),
    ]
    assert "secret" not in result.output
    assert snapshot(tmp_path) == before


def test_validate_reports_a_link_loop_without_a_traceback(stss: Any, mini: Path) -> None:
    (mini / "schools/loop.yaml").symlink_to(mini / "schools/loop.yaml")
    result = stss("validate", "--records", mini)
    assert result.exit_code == 1
    assert "schools/loop.yaml:1:1: error: a symbolic link, which stss never reads or writes through" in result.stdout


def _refused(result: Any, tmp_path: Path, before: dict[str, bytes | str]) -> None:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("option", ["--school", "--activity", "--staff", "--engagement"])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_log_visit_refuses_ids_that_are_paths(stss: Any, mini: Path, tmp_path: Path, option: str, bad: str) -> None:
    args = {"--school": "hill-top", "--activity": "education-review", "--staff": "alex-morgan"} | {option: bad}
    before = snapshot(tmp_path)
    result = stss("log-visit", "--records", mini, "--today", "2026-11-23", "--date", "2026-10-06", "--notes", "-",
                  *[x for pair in args.items() for x in pair], input="Notes.\n")
    _refused(result, tmp_path, before)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_edit_support_refuses_ids_that_are_paths(stss: Any, mini: Path, tmp_path: Path, bad: str) -> None:
    before = snapshot(tmp_path)
    result = stss("edit-support", bad, "--records", mini, "--level", "core", "--rationale", "x",
                  "--year", "2026-27", "--today", "2026-11-23")
    _refused(result, tmp_path, before)
    result = stss("edit-support", "hill-top", "--records", mini, "--level", bad, "--rationale", "x",
                  "--year", "2026-27", "--today", "2026-11-23")
    _refused(result, tmp_path, before)


@pytest.mark.parametrize("name", ["../../../outside/school", "/etc/passwd", "..", "a/../../b", "schools\\..\\x"])
def test_import_gias_gives_new_schools_plain_ids_inside_schools(stss: Any, mini: Path, tmp_path: Path,
                                                              name: str) -> None:
    export = tmp_path / "gias.csv"
    export.write_bytes(gias_csv([gias_row(150009, name)]))
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("records/schools/")}
    result = stss("import", "gias", export, "--records", mini, "--today", "2026-11-23")
    assert "Traceback" not in result.output
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("records/schools/")} == before
    for new in set(after) - set(before):
        stem = new.removeprefix("records/schools/").removesuffix(".yaml")
        assert is_slug(stem), new
