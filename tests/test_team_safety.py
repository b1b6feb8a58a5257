"""Records a team shares: writers take turns, links and merge conflicts are
refused, and nothing stss leaves behind shows up in `git status`.

The concurrency tests run the installed `stss` as real processes at once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stss import loader, lock, store
from stss.errors import StoreError
from tests.helpers import STSS

ROUNDS = 20


def run(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([STSS, *args, "--records", str(root), "--today", "2026-11-23"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


def visit_files(root: Path) -> list[Path]:
    return sorted((root / "visits").rglob("*.md")) if (root / "visits").exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_log_visits_lose_nothing_and_double_nothing(mini: Path, writers: int) -> None:
    dates = [f"2026-10-{day:02d}" for day in (5, 6, 7, 8)][:writers]
    logged = 0
    for round_ in range(ROUNDS if writers == 2 else 5):
        procs = [run(mini, "log-visit", "--school", "hill-top", "--activity", "partnership-visit",
                     "--date", date, "--staff", "alex-morgan", "--force") for date in dates]
        results = [(*p.communicate(), p.returncode) for p in procs]
        results = [(code, out, errs) for out, errs, code in results]
        for code, out, errs in results:
            assert code in (0, 1), errs
            assert code == 1 or "Logged" in out, (out, errs)
            assert code == 0 or "another stss command" in errs or "refused" in errs, errs
        logged += sum(code == 0 for code, _, _ in results)
        # What each said it wrote is on disk, once.
        assert len(visit_files(mini)) == logged, round_
        for path in visit_files(mini):
            path.unlink()
        logged = 0
    assert not list(mini.rglob("*.tmp"))


def test_a_second_writer_waits_then_refuses_and_writes_nothing(mini: Path) -> None:
    def files() -> list[str]:
        return sorted(p.name for p in mini.rglob("*") if store.CACHE_DIR not in p.parts)

    before = files()
    with lock.writing(mini):
        proc = subprocess.run([STSS, "log-visit", "--records", str(mini), "--school", "hill-top",
                               "--activity", "partnership-visit", "--date", "2026-10-05", "--force"],
                              capture_output=True, text=True, env={**os.environ, lock.ENV_WAIT: "0.5"})
    assert proc.returncode == 1
    assert "another stss command has been writing these records" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert files() == before


def test_readers_never_wait_for_a_writer(mini: Path) -> None:
    with lock.writing(mini):
        proc = subprocess.run([STSS, "validate", "--records", str(mini)], capture_output=True, text=True,
                              env={**os.environ, lock.ENV_WAIT: "0"}, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_writing_without_the_lock_is_a_programming_error(mini: Path) -> None:
    with pytest.raises(RuntimeError, match="without the records' write lock"):
        store.write_text(mini, "schools/x.yaml", "name: X\n")
    assert not (mini / "schools/x.yaml").exists()


def test_no_write_through_a_linked_folder_inside_the_root(mini: Path) -> None:
    (mini / "visits").mkdir()
    (mini / "visits/2026-27").symlink_to(mini / "schools", target_is_directory=True)
    with lock.writing(mini), pytest.raises(StoreError, match="visits/2026-27 is a symbolic link"):
        store.write_text(mini, "visits/2026-27/hill-top.yaml", "name: Pwned\n")
    assert "Pwned" not in (mini / "schools/hill-top.yaml").read_text()


def test_a_linked_templates_folder_or_a_link_inside_it_is_an_error(mini: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "config").write_text("token = secret\n")
    (mini / "templates").symlink_to(elsewhere, target_is_directory=True)
    problems = {(p.path, p.severity.value, p.message) for p in loader.load(mini).problems}
    assert ("templates", "error", store.LINK) in problems
    (mini / "templates").unlink()
    (mini / "templates").mkdir()
    (mini / "templates/board.md.j2").symlink_to(elsewhere / "config")
    problems = {(p.path, p.severity.value, p.message) for p in loader.load(mini).problems}
    assert ("templates/board.md.j2", "error", store.LINK) in problems


CONFLICTED = """\
---
school: hill-top
activity: partnership-visit
date: 2026-10-05
status: completed
staff: [alex-morgan]
---
<<<<<<< HEAD
Phonics strong.
=======
Phonics weak.
>>>>>>> other
"""


def test_a_merge_conflict_is_an_error_at_each_marker_and_readers_refuse(mini: Path, stss: Any) -> None:
    (mini / "visits/2026-27").mkdir(parents=True)
    (mini / "visits/2026-27/2026-10-05-hill-top-partnership-visit.md").write_text(CONFLICTED)
    problems = [(p.line, p.message) for p in loader.load(mini).problems if p.is_error]
    assert problems == [(8, "unresolved merge conflict"), (10, "unresolved merge conflict"),
                        (12, "unresolved merge conflict")]
    result = stss("usage", "--records", mini, "--today", "2026-11-23")
    assert result.exit_code == 1
    assert "2026-10-05-hill-top-partnership-visit.md:8:1: error: unresolved merge conflict" in result.stderr


def test_a_markdown_heading_underline_is_not_a_conflict(mini: Path) -> None:
    (mini / "visits/2026-27").mkdir(parents=True)
    text = CONFLICTED.split("<<<<<<<")[0] + "Summary\n=======\nAll good.\n"
    (mini / "visits/2026-27/2026-10-05-hill-top-partnership-visit.md").write_text(text)
    assert loader.load(mini).ok


def test_a_stray_temporary_file_is_reported(mini: Path) -> None:
    (mini / "schools/.hill-top.yaml.abc123.tmp").write_text("name: half")
    found = {(p.path, p.severity.value) for p in loader.load(mini).problems}
    assert ("schools/.hill-top.yaml.abc123.tmp", "warning") in found


def test_no_stss_command_leaves_an_untracked_file(mini: Path) -> None:
    subprocess.run(["git", "init", "--quiet"], cwd=mini, check=True)
    subprocess.run(["git", "add", "-A"], cwd=mini, check=True)
    assert subprocess.run([STSS, "validate", "--records", str(mini)], capture_output=True).returncode == 0
    logging = run(mini, "log-visit", "--school", "hill-top", "--activity", "partnership-visit",
                  "--date", "2026-10-05", "--force")
    logging.communicate()
    assert logging.returncode == 0
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=mini,
                            capture_output=True, text=True, check=True).stdout
    assert ".stss-cache" not in status
    untracked = [line for line in status.splitlines() if line.startswith("??")]
    assert len(untracked) == 1 and untracked[0].startswith("?? visits/2026-27/2026-10-05-hill-top-partnership-visit-")


def test_commit_with_a_stale_index_lock_writes_nothing(mini: Path) -> None:
    subprocess.run(["git", "init", "--quiet"], cwd=mini, check=True)
    (mini / ".git/index.lock").write_text("")
    proc = run(mini, "log-visit", "--school", "hill-top", "--activity", "partnership-visit",
               "--date", "2026-10-05", "--force", "--commit")
    _, errs = proc.communicate()
    code = proc.returncode
    assert code == 1 and "index.lock" in errs and "nothing was written" in errs
    assert visit_files(mini) == []


def test_outputs_are_written_atomically_and_leave_nothing_behind_on_failure(tmp_path: Path) -> None:
    """Reports, exports, calendars and schemas share the records' atomic write: a fill that
    fails leaves the old file whole and no temporary file beside it."""
    out = tmp_path / "out" / "board-pack.html"
    store.write_output(out, "old")

    def broken(path: Path) -> None:
        path.write_text("half a file")
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        store.write_output(out, broken)
    assert out.read_text() == "old"
    assert sorted(p.name for p in out.parent.iterdir()) == ["board-pack.html"]
    store.write_output(out, lambda path: path.write_bytes(b"new"))
    assert out.read_bytes() == b"new"
