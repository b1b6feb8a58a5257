"""`stss validate` keeps what it found in each folder of visits, and finds what a full read finds.

`loader.check_all` reads a folder of visits only when one of its files, or any
record of another kind, has changed since it last looked (`store.FolderChecks`).
Each test compares it with `loader.load` reading every file afresh, the pipeline
every other command uses, after edits of every kind; and shows that the folders
left unchanged really are not read, so the comparison is of the kept results.

Files are "aged" (`age`) as in tests/test_cache.py: nothing modified in the last
two seconds is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stss import checks, loader, store
from stss.models import Records
from tests.helpers import age, copy_example, made_up_trust, made_up_visits

SEPTEMBER = "visits/2026-27/2026-09-09-brookfield-primary-partnership-visit.md"


def _rows(problems: Any) -> list[tuple[Any, ...]]:
    return [(p.path, p.line, p.column, p.severity, p.message, p.hint) for p in problems]


def _full(root: Path) -> list[tuple[Any, ...]]:
    return _rows(loader.load(root, use_cache=False).problems)


class _Reads:
    """The visit files the last `check_all` read, by spying on `store.read_files` (the real
    one runs), and how many it read at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.visits: list[str] = []
        self.batches: list[int] = []
        real, check_all = store.read_files, loader.check_all

        def spy(root: Path, files: Any, *args: Any, **kwargs: Any) -> Any:
            visits = [rf.path for rf in files if rf.kind == "visit"]
            self.visits += visits
            self.batches += [len(visits)] if visits else []
            return real(root, files, *args, **kwargs)

        def checking(*args: Any, **kwargs: Any) -> Any:
            self.visits, self.batches = [], []
            return check_all(*args, **kwargs)

        monkeypatch.setattr(store, "read_files", spy)
        monkeypatch.setattr(loader, "check_all", checking)

    def folders(self) -> set[str]:
        return {path.rpartition("/")[0] for path in self.visits}


def _same_as_full(root: Path) -> loader.Checked:
    checked = loader.check_all(root)
    assert _rows(checked.problems) == _full(root)
    assert checked.counts["visits"] == len(loader.load(root, use_cache=False).records.visits)
    return checked


def _age(path: Path) -> None:
    """One file aged (`age` would change every file's stamp, and so every folder's key)."""
    then = time.time() - 60
    os.utime(path, (then, then))


def _kept(root: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(root / store.CACHE_DIR / store.CACHE_FILE)) as db:
        return dict(db.execute("SELECT folder, key FROM checked").fetchall())


@pytest.fixture
def trust(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "records")
    age(root)
    return root


def test_an_unchanged_folder_is_not_read_again_and_gives_what_it_gave(trust: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    first = _same_as_full(trust)
    assert reads.folders() == {"visits/2025-26", "visits/2026-27"}
    assert set(_kept(trust)) == {"visits/2025-26", "visits/2026-27"}
    again = _same_as_full(trust)
    assert reads.visits == []
    assert again == first


def test_an_edited_visit_rereads_its_folder_only(trust: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    visit = trust / SEPTEMBER
    visit.write_text(visit.read_text("utf-8").replace("staff: [priya-raman]", "staff: [nobody-at-all]"), "utf-8")
    _age(visit)
    checked = _same_as_full(trust)
    assert reads.folders() == {"visits/2026-27"}
    assert any(p.path == SEPTEMBER and "unknown person 'nobody-at-all'" in p.message for p in checked.problems)


def test_a_change_to_a_record_of_another_kind_rechecks_every_folder(trust: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    (trust / "schools/brookfield-primary.yaml").unlink()  # its visits now name an unknown school
    age(trust)
    checked = _same_as_full(trust)
    assert reads.folders() == {"visits/2025-26", "visits/2026-27"}
    assert any(p.path == SEPTEMBER and "unknown school 'brookfield-primary'" in p.message for p in checked.problems)


def test_visits_in_different_folders_are_still_compared(trust: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    copied = shutil.copy(trust / SEPTEMBER, trust / "visits/2025-26" / Path(SEPTEMBER).name)  # the same visit, misfiled
    _age(Path(copied))
    checked = _same_as_full(trust)
    assert reads.folders() == {"visits/2025-26"}  # the other folder's marks came from the cache
    copy = f"visits/2025-26/{Path(SEPTEMBER).name}"
    messages = {(p.path, p.message.split(":")[0]) for p in checked.problems}
    assert (SEPTEMBER, "possible duplicate") in messages or (copy, "possible duplicate") in messages
    assert any(p.path == copy and "belongs in visits/2026-27/" in p.message for p in checked.problems)


def test_a_new_closure_in_trust_yaml_is_seen_in_every_kept_visit(trust: Path) -> None:
    _same_as_full(trust)
    text = (trust / "trust.yaml").read_text("utf-8")
    anchor = "      - 2026-09-03   # trust INSET: whole-trust conference\n"
    assert anchor in text
    (trust / "trust.yaml").write_text(text.replace(anchor, f"{anchor}      - 2026-09-09\n"), "utf-8")
    _age(trust / "trust.yaml")
    checked = _same_as_full(trust)
    assert any(p.path == SEPTEMBER and "is not a school day" in p.message for p in checked.problems)


def test_a_broken_file_a_deleted_folder_and_a_new_one(trust: Path) -> None:
    _same_as_full(trust)
    (trust / SEPTEMBER).write_text("---\nschool: [\n---\n", "utf-8")
    shutil.rmtree(trust / "visits/2025-26")
    (trust / "visits/2027-28").mkdir()
    shutil.copy(trust / "visits/2026-27" / sorted(p.name for p in (trust / "visits/2026-27").iterdir())[-1],
                trust / "visits/2027-28/2027-09-09-brookfield-primary-partnership-visit.md")
    age(trust)
    checked = _same_as_full(trust)
    assert any(p.path == SEPTEMBER and p.is_error for p in checked.problems)
    assert "visits/2025-26" not in _kept(trust)
    _same_as_full(trust)


@pytest.mark.parametrize("damage", [
    "not json", "[]", '[-1, [], []]', '[3, [["x", 0, 1, "error", "m", null]], []]',
    '[3, [], [["p", null, "s", "a", 20260909, true]]]', '[3, [], [["p", null, "s", "a", "2026-09-09", 1]]]',
])
def test_a_damaged_or_forged_result_is_a_reread_never_a_wrong_answer(trust: Path, damage: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _same_as_full(trust)
    with contextlib.closing(sqlite3.connect(trust / store.CACHE_DIR / store.CACHE_FILE)) as db:
        db.execute("UPDATE checked SET result = ?", (damage,))
        db.commit()
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    assert reads.folders() == {"visits/2025-26", "visits/2026-27"}


def test_a_result_kept_under_another_key_is_not_used(trust: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same_as_full(trust)
    with contextlib.closing(sqlite3.connect(trust / store.CACHE_DIR / store.CACHE_FILE)) as db:
        db.execute("UPDATE checked SET key = 'another', result = '[0, [], []]'")
        db.commit()
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    assert reads.folders() == {"visits/2025-26", "visits/2026-27"}


def test_files_changed_in_the_last_two_seconds_are_checked_but_not_kept(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "records")
    age(root)
    os.utime(root / SEPTEMBER)  # just changed: its folder is too new to keep, the other is kept
    _same_as_full(root)
    assert set(_kept(root)) == {"visits/2025-26"}
    age(root)
    _same_as_full(root)
    assert set(_kept(root)) == {"visits/2025-26", "visits/2026-27"}


def test_folders_are_read_a_batch_at_a_time_and_each_once(trust: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cold validate of a large trust holds one batch's visits, not every visit at once.
    monkeypatch.setattr(loader, "BATCH_FILES", 1)
    reads = _Reads(monkeypatch)
    _same_as_full(trust)
    folders = sorted({path.rpartition("/")[0] for path in reads.visits})
    assert len(reads.batches) == len(folders) == 2
    assert sorted(reads.visits) == sorted(set(reads.visits))


def test_no_cache_keeps_nothing_and_finds_the_same(trust: Path) -> None:
    assert _rows(loader.check_all(trust, use_cache=False).problems) == _full(trust)
    assert not (trust / store.CACHE_DIR / store.CACHE_FILE).exists() or _kept(trust) == {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.lists(made_up_visits(), max_size=10, unique_by=lambda pv: pv[0]),
       later=st.lists(made_up_visits(), max_size=3, unique_by=lambda pv: pv[0]))
def test_made_up_trusts_edit_after_edit(tmp_path_factory: pytest.TempPathFactory,
                                        existing: list[tuple[str, str]], later: list[tuple[str, str]]) -> None:
    root = made_up_trust(tmp_path_factory.mktemp("fuzz"))
    for files in (existing, later):
        for rel, text in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, "utf-8")
        age(root)
        _same_as_full(root)
        _same_as_full(root)  # the second from what the first kept


# --- the split the folder results rest on -------------------------------------------------


class _NoVisits(Mapping[str, Any]):
    """Visits that fail the test if a check looks at them."""

    def __getitem__(self, key: str) -> Any:
        raise AssertionError("a record check read a visit")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("a record check read the visits")

    def __len__(self) -> int:
        raise AssertionError("a record check counted the visits")


def test_the_record_checks_read_no_visit(trust: Path) -> None:
    records = loader.load(trust, use_cache=False).records
    assert checks.run_on_others(dataclasses.replace(records, visits=_NoVisits())) is not None
    with pytest.raises(AssertionError):  # and the guard does catch a check that reads them
        checks.run(dataclasses.replace(records, visits=_NoVisits()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.lists(made_up_visits(), min_size=1, max_size=10, unique_by=lambda pv: pv[0]))
def test_a_visit_s_own_checks_give_the_same_alone_as_among_all(tmp_path_factory: pytest.TempPathFactory,
                                                              existing: list[tuple[str, str]]) -> None:
    root = made_up_trust(tmp_path_factory.mktemp("alone"))
    for rel, text in existing:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    records: Records = loader.load(root, use_cache=False).records
    together = sorted(checks.run_on_visits(records), key=lambda p: (p.path, p.message))
    alone = sorted((p for path, v in records.visits.items()
                    for p in checks.run_on_visits(dataclasses.replace(records, visits={path: v}))),
                   key=lambda p: (p.path, p.message))
    assert alone == together
    assert set(checks.CHECKS) == {*checks.RECORD_CHECKS, *checks.VISIT_CHECKS, checks.across_visits}
