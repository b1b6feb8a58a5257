"""The parse cache (.stss-cache/records.sqlite) never changes what stss finds.

Every test runs `stss` as a real process (`python -m stss`), as a person or
CI would, and compares what it reports with and without the cache: a changed
file is read again, a deleted one dropped, a damaged or forged cache costs a
cold read and never hides a problem, and several processes reading, writing
and deleting at once leave the records and the results intact.

Files written in a test are "aged" (their modification time set a minute
back), because stss does not cache a file modified in the last two seconds
(it could change again within the same clock tick without its stamp changing).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stss import store
from tests.helpers import MINI_VISIT, REPO, age, git, write_records

SCHOOL = "schools/hill-top.yaml"
VISIT_PATH = "visits/2026-27/2026-10-06-hill-top-education-review.md"


def stss(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("STSS_RECORDS", None)
    result = subprocess.run([sys.executable, "-m", "stss", *args, "--records", str(root)], capture_output=True,
                            text=True, timeout=timeout, env=env, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def validate(root: Path, *flags: str) -> tuple[int, list[dict[str, Any]], str]:
    """Exit code, problems (as JSON rows) and the summary line of `stss validate`."""
    result = stss(root, "validate", "--format", "json", *flags)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr.strip().splitlines()[-1]


def same_as_uncached(root: Path) -> tuple[int, list[dict[str, Any]], str]:
    cached = validate(root)
    assert cached == validate(root, "--no-cache")
    return cached


def visits_in(summary: str) -> int:
    found = re.search(r"(\d+) visits", summary)
    assert found, summary
    return int(found.group(1))


def cache_entries(root: Path) -> dict[str, Any]:
    """The cache's rows, by path."""
    with contextlib.closing(sqlite3.connect(root / store.CACHE_DIR / store.CACHE_FILE)) as db:
        rows = db.execute("SELECT path, kind, stamp, model, problems FROM files").fetchall()
    return {path: {"kind": kind, "stamp": stamp, "model": model, "problems": problems}
            for path, kind, stamp, model, problems in rows}


def sql(root: Path, *statements: str, args: tuple[Any, ...] = ()) -> None:
    with contextlib.closing(sqlite3.connect(root / store.CACHE_DIR / store.CACHE_FILE)) as db:
        for statement in statements:
            db.execute(statement, args if "?" in statement else ())
        db.commit()


@pytest.fixture
def trust(mini: Path) -> Path:
    write_records(mini, {VISIT_PATH: MINI_VISIT})
    age(mini)
    return mini


def test_a_warm_run_reads_the_cache_and_finds_the_same(trust: Path) -> None:
    first = validate(trust)
    assert first[:2] == (0, [])
    assert sorted(cache_entries(trust)) == sorted(
        p.relative_to(trust).as_posix() for p in trust.rglob("*.*") if ".stss-cache" not in p.parts)
    assert validate(trust) == first


def test_a_fresh_file_is_not_cached_until_it_has_settled(trust: Path) -> None:
    (trust / "people/sam-lee.yaml").write_text("name: Sam Lee\ncapacity_days: 10\n")
    validate(trust)
    assert "people/sam-lee.yaml" not in cache_entries(trust)
    assert SCHOOL in cache_entries(trust)


def test_a_changed_file_is_read_again(trust: Path) -> None:
    assert same_as_uncached(trust)[0] == 0
    school = trust / SCHOOL
    school.write_text(school.read_text().replace("phase: primary", "phase: primery"))  # same size
    code, rows, _ = same_as_uncached(trust)
    assert code == 1
    assert [(r["line"], r["column"]) for r in rows] == [(3, 8)]
    assert rows[0]["message"].startswith("phase: 'primery' is not one of: nursery, primary")
    school.write_text(school.read_text().replace("phase: primery", "phase: primary"))
    assert same_as_uncached(trust)[:2] == (0, [])


def test_a_file_rewritten_with_its_old_size_and_time_is_still_read_again(trust: Path) -> None:
    # Size and modification time can both come out unchanged (an editor or an
    # archive tool restoring the time); the change time and inode cannot.
    validate(trust)
    school = trust / SCHOOL
    before = school.stat()
    school.write_text(school.read_text().replace("membership: academy", "membership: acadamy"))
    os.utime(school, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = school.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    code, rows, _ = same_as_uncached(trust)
    assert code == 1 and "'acadamy'" in rows[0]["message"]


def test_a_deleted_file_is_dropped(trust: Path) -> None:
    assert "1 visits" in validate(trust)[2]
    (trust / VISIT_PATH).unlink()
    code, rows, summary = same_as_uncached(trust)
    assert (code, rows) == (0, [])
    assert "0 visits" in summary
    assert VISIT_PATH not in cache_entries(trust)


def test_a_deleted_school_is_missed_by_the_visits_that_name_it(trust: Path) -> None:
    validate(trust)
    (trust / SCHOOL).unlink()
    code, rows, _ = same_as_uncached(trust)
    assert code == 1
    assert {r["message"].split(" (hint")[0] for r in rows} == {"unknown school 'hill-top'"}


CORRUPTIONS: dict[str, bytes] = {
    "empty": b"",
    "truncated": b"SQLite format 3\x00\x10\x00\x01\x01",
    "not a database": b"\x00\x01garbage\xff",
    "the JSON of earlier versions": b'{"version": "VERSION", "entries": {}}',
}


def _other_database(path: Path, statements: list[str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        for statement in statements:
            db.execute(statement)
        db.commit()


#: Databases that are not a cache stss made, or not of this version.
OTHER_DATABASES: dict[str, list[str]] = {
    "another program's": ["CREATE TABLE notes (x)"],
    "our tables and a trigger": [
        "PRAGMA application_id = 1937011571",
        "CREATE TABLE files (path TEXT PRIMARY KEY, folder TEXT NOT NULL, kind TEXT NOT NULL, "
        "stamp TEXT NOT NULL, school TEXT, model TEXT, problems TEXT NOT NULL)",
        "CREATE INDEX files_by_folder ON files (folder)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TRIGGER t AFTER INSERT ON files BEGIN DELETE FROM meta; END",
    ],
}


def _prepare_corrupt(trust: Path) -> tuple[int, list[dict[str, Any]], str]:
    (trust / SCHOOL).write_text((trust / SCHOOL).read_text() + "colour: blue\n")
    age(trust)
    expected = validate(trust, "--no-cache")
    assert expected[0] == 1
    (trust / store.CACHE_DIR).mkdir(exist_ok=True)
    return expected


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_a_corrupt_cache_means_a_cold_read_and_is_then_rewritten(trust: Path, damage: str) -> None:
    expected = _prepare_corrupt(trust)
    cache = trust / store.CACHE_DIR / store.CACHE_FILE
    cache.write_bytes(CORRUPTIONS[damage].replace(b"VERSION", store._code_version().encode()))
    assert validate(trust) == expected
    assert SCHOOL in cache_entries(trust)
    assert validate(trust) == expected


@pytest.mark.parametrize("other", sorted(OTHER_DATABASES))
def test_a_database_stss_did_not_make_is_replaced_unread(trust: Path, other: str) -> None:
    expected = _prepare_corrupt(trust)
    _other_database(trust / store.CACHE_DIR / store.CACHE_FILE, OTHER_DATABASES[other])
    assert validate(trust) == expected
    assert SCHOOL in cache_entries(trust)
    with contextlib.closing(sqlite3.connect(trust / store.CACHE_DIR / store.CACHE_FILE)) as db:
        assert not db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' OR name = 'notes'").fetchall()
    assert validate(trust) == expected


def test_a_cache_of_another_version_is_emptied_not_used(trust: Path) -> None:
    expected = _prepare_corrupt(trust)
    validate(trust)
    sql(trust, "UPDATE meta SET value = 'another version'",
        "UPDATE files SET model = NULL, problems = '[]'")  # would hide the school's problem
    assert validate(trust) == expected
    assert validate(trust) == expected


def test_the_json_cache_of_earlier_versions_is_removed(trust: Path) -> None:
    legacy = trust / store.CACHE_DIR / store.LEGACY_CACHE_FILE
    legacy.parent.mkdir(exist_ok=True)
    legacy.write_text('{"version": "0", "entries": {}}')
    assert validate(trust)[:2] == (0, [])
    assert not legacy.exists()


@pytest.mark.parametrize("blocker", ["cache folder is a file", "cache file is a folder"])
def test_a_cache_that_cannot_be_written_is_done_without(trust: Path, blocker: str) -> None:
    if blocker == "cache folder is a file":
        (trust / store.CACHE_DIR).write_text("not a folder")
    else:
        (trust / store.CACHE_DIR / store.CACHE_FILE).mkdir(parents=True)
    assert validate(trust)[:2] == (0, [])
    assert validate(trust)[:2] == (0, [])


# What a forged row might claim about the broken school, keeping the stamp
# stss itself recorded for it (so only the content of the row is wrong).
FORGERIES: dict[str, dict[str, Any]] = {
    "no model and no problems": {"model": None, "problems": "[]"},
    "an invalid model": {"model": json.dumps({"name": "X", "phase": "castle", "membership": "academy"}),
                         "problems": "[]"},
    "a model that is not JSON": {"model": "{", "problems": "[]"},
    "only a warning": {"model": None, "problems": json.dumps([[1, 1, "warning", "fine really", None]])},
    "an unlocated problem": {"model": None, "problems": json.dumps([[0, 0, "error", "x", None]])},
    "a malformed problem": {"model": None, "problems": json.dumps([["1", 1, "error"]])},
    "a model and an error": {"model": json.dumps({"name": "X", "phase": "primary", "membership": "academy"}),
                             "problems": json.dumps([[1, 1, "fatal", "x", None]])},
    "problems that are not JSON": {"model": None, "problems": "[[1, 1,"},
    "problems nested too deep": {"model": None, "problems": "[" * 100_000 + "]" * 100_000},
    "another kind": {"kind": "person"},
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_cache_entry_that_does_not_hold_together_is_not_used(trust: Path, forgery: str) -> None:
    school = trust / SCHOOL
    school.write_text(school.read_text().replace("name: Hill Top Primary", "name: [Hill Top Primary]"))
    age(trust)
    expected = validate(trust)
    assert expected[0] == 1
    assert SCHOOL in cache_entries(trust)
    for column, value in FORGERIES[forgery].items():
        sql(trust, f"UPDATE files SET {column} = ? WHERE path = ?", args=(value, SCHOOL))
    assert validate(trust) == expected


WEEKEND_PATH = "visits/2026-27/2026-10-10-hill-top-education-review.md"


def positions(root: Path) -> dict[tuple[str, str], tuple[str, int, int]]:
    """The located problems' positions the cache keeps: {(path, loc): (stamp, line, column)}."""
    with contextlib.closing(sqlite3.connect(root / store.CACHE_DIR / store.CACHE_FILE)) as db:
        return {(path, loc): (stamp, line, col)
                for path, loc, stamp, line, col in db.execute("SELECT path, loc, stamp, line, col FROM positions")}


def lines_of(rows: list[dict[str, Any]], path: str) -> set[tuple[int, int]]:
    return {(r["line"], r["column"]) for r in rows if r["path"] == path}


def test_a_warning_is_located_from_the_cache_until_its_file_changes(trust: Path) -> None:
    # A Saturday visit: "not a school day" and "possible duplicate", both at its date.
    write_records(trust, {WEEKEND_PATH: MINI_VISIT.replace("2026-10-06", "2026-10-10")})
    age(trust)
    first = same_as_uncached(trust)
    assert lines_of(first[1], WEEKEND_PATH) == {(4, 7)}
    stamp = store._stamp(os.lstat(trust / WEEKEND_PATH))
    assert positions(trust) == {(WEEKEND_PATH, '["date"]'): (stamp, 4, 7)}
    assert validate(trust) == first
    # An edit moves the date down a line: located again, not from the old text's row.
    weekend = trust / WEEKEND_PATH
    weekend.write_text(weekend.read_text().replace("---\n", "---\n# logged late\n", 1))
    code, rows, _ = same_as_uncached(trust)
    assert code == 0  # warnings only
    assert lines_of(rows, WEEKEND_PATH) == {(5, 7)}
    assert positions(trust)[(WEEKEND_PATH, '["date"]')][0] == stamp  # the new line is kept once the file settles
    age(trust)
    assert same_as_uncached(trust)[1] == rows
    assert positions(trust)[(WEEKEND_PATH, '["date"]')][1:] == (5, 7)


@pytest.mark.parametrize("line", ["4", 0, -1, 1.5, b"4"])
def test_a_kept_position_that_is_not_a_line_is_not_used(trust: Path, line: object) -> None:
    write_records(trust, {WEEKEND_PATH: MINI_VISIT.replace("2026-10-06", "2026-10-10")})
    age(trust)
    expected = validate(trust)
    sql(trust, "UPDATE positions SET line = ?", args=(line,))
    assert validate(trust) == expected


def test_a_position_kept_for_other_text_is_not_used(trust: Path) -> None:
    # The stamp is the file's: a row under another stamp (the file since edited) is of other text.
    write_records(trust, {WEEKEND_PATH: MINI_VISIT.replace("2026-10-06", "2026-10-10")})
    age(trust)
    expected = validate(trust)
    sql(trust, "UPDATE positions SET line = 2, stamp = stamp || '0'")
    assert validate(trust) == expected


def _forge_clean_cache(root: Path) -> None:
    """The attack: fix the school, let stss cache it as clean, break it again and
    restore the cached stamp's size and modification time."""
    school = root / SCHOOL
    good = school.read_text()
    bad = good.replace("name: Hill Top Primary", "name: [Hill Top Prima]")
    assert len(bad) == len(good)
    validate(root)
    stamp = school.stat()
    school.write_text(bad)
    os.utime(school, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_a_cache_copied_with_the_records_cannot_hide_problems(trust: Path, tmp_path: Path) -> None:
    # Copies that keep modification times (cp -a, tar, rsync -t, unzip) bring
    # the cache's sizes and times with them; the inode and change time differ.
    _forge_clean_cache(trust)
    copy = tmp_path / "copy"
    shutil.copytree(trust, copy)  # copies modification times too
    assert (copy / SCHOOL).stat().st_mtime_ns == (trust / SCHOOL).stat().st_mtime_ns
    code, rows, _ = validate(copy)
    assert code == 1 and rows[0]["path"].endswith(SCHOOL)


def test_a_committed_cache_cannot_hide_problems(trust: Path, tmp_path: Path) -> None:
    _forge_clean_cache(trust)
    git(trust, "init", "-q")
    git(trust, "add", "-f", ".")
    git(trust, "commit", "-qm", "records (and a cache)", author="Mallory")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(trust), str(clone))
    assert (clone / store.CACHE_DIR / store.CACHE_FILE).is_file()
    age(clone)
    code, rows, _ = validate(clone)
    assert code == 1 and rows[0]["path"].endswith(SCHOOL)


# --- several processes at once ---------------------------------------------------

WRITER = r"""
import os, random, shutil, sys, time
root, rounds = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
visits = os.path.join(root, "visits", "2026-27")
first = sorted(os.listdir(visits))[0]
template = open(os.path.join(visits, first), encoding="utf-8").read()
school = os.path.join(root, "schools", sorted(os.listdir(os.path.join(root, "schools")))[0])
good = open(school, encoding="utf-8").read()
bad = good.replace("phase:", "phaze:", 1)
added = []
for n in range(rounds):
    what = rng.choice(["touch", "add", "remove", "break", "mend", "uncache", "old"])
    if what == "touch":
        path = os.path.join(visits, rng.choice(sorted(os.listdir(visits))))
        os.utime(path)
    elif what == "add":
        path = os.path.join(visits, f"{first[:-3]}-{n + 100}.md")  # a valid name for a second visit
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(template)
        added.append(path)
    elif what == "remove" and added:
        os.unlink(added.pop(rng.randrange(len(added))))
    elif what in ("break", "mend"):
        with open(school, "w", encoding="utf-8") as fh:
            fh.write(bad if what == "break" else good)
    elif what == "uncache":
        shutil.rmtree(os.path.join(root, ".stss-cache"), ignore_errors=True)
    elif what == "old":  # a same-size edit with an old time, as an archive tool would leave it
        with open(school, "w", encoding="utf-8") as fh:
            fh.write(rng.choice([bad, good]))
        os.utime(school, (1e9, 1e9))
    time.sleep(rng.random() * 0.05)
with open(school, "w", encoding="utf-8") as fh:
    fh.write(good)
print(len(added))
"""


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path / "trust"
    generate(root, schools=4, years=2, visits_per_year=20)
    age(root)
    return root


@pytest.mark.slow
def test_two_validates_and_a_writer_at_once_lose_nothing(generated: Path) -> None:
    baseline = validate(generated, "--no-cache")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(generated), "150"], stdout=subprocess.PIPE,
                              text=True)
    env = {**os.environ}
    env.pop("STSS_RECORDS", None)
    runs = 0
    while writer.poll() is None:
        readers = [subprocess.Popen([sys.executable, "-m", "stss", "validate", "--format", "json", "--records",
                                     str(generated)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env)
                   for _ in range(2)]
        for reader in readers:
            out, err = reader.communicate(timeout=120)
            assert reader.returncode in (0, 1) and "Traceback" not in err, err
            for row in json.loads(out):  # a file deleted mid-run is gone, not unreadable
                assert "cannot read" not in row["message"], row
            runs += 1
    assert writer.wait() == 0
    added = int(writer.stdout.read()) if writer.stdout else 0
    assert runs >= 2
    # The records are exactly what the writer left, and stss, cache or not, agrees.
    code, rows, summary = same_as_uncached(generated)
    # The copies the writer added are, rightly, possible duplicates of the visit they copy.
    assert (code, unduplicated(rows)) == (baseline[0], unduplicated(baseline[1]))
    assert visits_in(summary) == visits_in(baseline[2]) + added
    assert not list((generated / store.CACHE_DIR).glob(".*.tmp"))  # no half-written caches left behind
    age(generated)
    code, rows, _ = same_as_uncached(generated)
    assert (code, unduplicated(rows)) == (baseline[0], unduplicated(baseline[1]))


def unduplicated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if not row["message"].startswith("possible duplicate")]


def test_two_cold_runs_at_once_both_finish_and_leave_one_whole_cache(generated: Path) -> None:
    env = {**os.environ}
    env.pop("STSS_RECORDS", None)
    procs = [subprocess.Popen([sys.executable, "-m", "stss", "validate", "--format", "json", "--records",
                               str(generated)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert len({out for out, _ in outputs}) == 1
    assert all(p.returncode == 0 for p in procs), outputs
    assert len(cache_entries(generated)) > 100
    assert validate(generated) == validate(generated, "--no-cache")


def test_a_cold_read_shared_out_between_processes_finds_and_caches_what_one_process_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large cold read parses in worker processes (store.PARALLEL_MIN files and more); on the
    example trust with broken, undecodable and conflicted files added, it finds the same
    records and problems, in the same order, and caches the same rows, as parsing in one."""
    from stss import loader
    from tests.helpers import copy_example

    def broken(root: Path) -> Path:
        write_records(root, {"visits/2026-27/2026-10-20-brookfield-primary-education-review.md": "---\nschool: [a\n---\n",
                             "people/nobody.yaml": "name: Nobody\ncapacity_days: lots\n",
                             "schools/conflicted.yaml": "<<<<<<< HEAD\nname: A\n=======\nname: B\n>>>>>>> other\n"})
        (root / "engagements/latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
        age(root)
        return root

    one = loader.load(broken(copy_example(tmp_path / "one")))
    monkeypatch.setattr(store, "PARALLEL_MIN", 1)
    many = loader.load(broken(copy_example(tmp_path / "many")))
    assert store._cores() < 2 or "fork" not in store._start_methods() or _forked_during(
        lambda: loader.load(broken(copy_example(tmp_path / "again")), use_cache=False))
    assert list(many.records.visits) == list(one.records.visits) and len(one.records.visits) > 50
    assert many.records == one.records
    assert [(p.path, p.line, p.column, p.message) for p in many.problems] == [
        (p.path, p.line, p.column, p.message) for p in one.problems]
    assert any("conflicted" in p.path for p in one.problems)
    strip = {path: {k: v for k, v in row.items() if k != "stamp"} for path, row in cache_entries(one.root).items()}
    assert {path: {k: v for k, v in row.items() if k != "stamp"}
            for path, row in cache_entries(many.root).items()} == strip


def _forked_during(action: Any) -> bool:
    """Whether `action` started another process (the workers), seen from os.fork's callers."""
    forked: list[int] = []
    os.register_at_fork(after_in_parent=lambda: forked.append(1))
    before = len(forked)
    action()
    return len(forked) > before


def test_a_worker_that_dies_costs_its_chunk_a_parse_here_not_the_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-read (out of memory, say) breaks the pool, never the read or its
    result: what the workers did not send back is parsed in the main process."""
    from stss import loader
    from tests.helpers import copy_example

    if store._cores() < 2 or "fork" not in store._start_methods():
        pytest.skip("needs two cores and fork")
    expected = loader.load(copy_example(tmp_path / "one"), use_cache=False)
    monkeypatch.setattr(store, "PARALLEL_MIN", 1)
    monkeypatch.setattr(store, "_CHUNK", 4)
    monkeypatch.setattr(store, "_parse_chunk", _dies_on_an_october_visit)
    got = loader.load(copy_example(tmp_path / "many"), use_cache=False)
    assert got.records == expected.records and len(got.records.visits) > 50
    assert [(p.path, p.message) for p in got.problems] == [(p.path, p.message) for p in expected.problems]


_REAL_PARSE_CHUNK = store._parse_chunk


def _dies_on_an_october_visit(job: tuple[str, list[tuple[str, str]]]) -> Any:
    """A worker's share, but the worker is killed on a chunk with an October 2026 visit
    (module-level: the pool sends its work by name)."""
    if any("visits/2026-27/2026-10" in path for _, path in job[1]):
        os._exit(9)
    return _REAL_PARSE_CHUNK(job)
