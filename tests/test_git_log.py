"""`git.log` lists commits cheaply and diffs each one once (kept by commit id), then keeps
its changes to the pathspecs asked for: what git's own path-limited `git log -M --raw`
gives, on real repositories with renames, moves in and out of the records, branches and
merges. A cache that arrives with the records (committed, copied) is never read."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from stss import git as stss_git
from stss import history, layout, store
from tests.helpers import MINI_OFFER, MINI_PERSON, MINI_TRUST, commit, git, git_run, write_records

SCHOOL = "name: Hill Top Primary\n"


def visit(day: str, school: str = "hill-top", status: str = "planned") -> str:
    return (f"---\nschool: {school}\nactivity: education-review\ndate: {day}\nstatus: {status}\n"
            "staff: [alex-morgan]\n---\n")


def by_git(root: Path, specs: tuple[str, ...]) -> list[tuple[str, tuple[stss_git.Change, ...]]]:
    """What git itself says, path-limited (the reference); a merge, which `git log` shows
    with no changes, tells nothing."""
    out = git(root, "log", "-z", "-M", "--raw", "--no-abbrev", f"--format={stss_git._HEADER}", "HEAD", "--", *specs)
    return [(c.hash, c.changes) for c in stss_git._parse_log(out, stss_git.prefix(root))[::-1] if c.changes]


def by_stss(root: Path, specs: tuple[str, ...], cache: stss_git.ChangesCache | None = None
            ) -> list[tuple[str, tuple[stss_git.Change, ...]]]:
    return [(c.hash, c.changes) for c in stss_git.log(root, specs, cache=cache)]


class DictCache:
    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    def get(self, ids: object) -> dict[str, str]:
        return {i: self.rows[i] for i in ids if i in self.rows}  # type: ignore[attr-defined]

    def put(self, rows: dict[str, str]) -> None:
        self.rows.update(rows)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Records in a subfolder of a repository, with a history of every kind of change."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "--quiet", "--initial-branch=main")
    (top / "README.md").write_text("Our records\n")
    (top / "drafts").mkdir()
    (top / "drafts/2026-11-03-hill-top-education-review.md").write_text(visit("2026-11-03"))
    root = write_records(top / "records", {
        "trust.yaml": MINI_TRUST, "offer.yaml": MINI_OFFER, "people/alex-morgan.yaml": MINI_PERSON,
        "schools/hill-top.yaml": SCHOOL, "schools/vale.yaml": "name: Vale\n",
        "visits/2025-26/2025-10-06-hill-top-education-review.md": visit("2025-10-06", status="completed"),
        "visits/2026-27/2026-10-06-hill-top-education-review.md": visit("2026-10-06"),
        "visits/2026-27/2026-10-07-vale-education-review.md": visit("2026-10-07", "vale"),
    })
    steps: list[tuple[str, object]] = [
        ("Start", None),
        ("Complete a visit", lambda: (root / "visits/2026-27/2026-10-06-hill-top-education-review.md").write_text(
            visit("2026-10-06", status="completed"))),
        ("Move a visit's date (a rename)", lambda: (root / "visits/2026-27/2026-10-07-vale-education-review.md").rename(
            root / "visits/2026-27/2026-10-14-vale-education-review.md")),
        ("A draft moved into the records", lambda: (top / "drafts/2026-11-03-hill-top-education-review.md").rename(
            root / "visits/2026-27/2026-11-03-hill-top-education-review.md")),
        ("A visit moved out of the records", lambda: (root / "visits/2025-26/2025-10-06-hill-top-education-review.md")
         .rename(top / "drafts/old.md")),
        ("README only", lambda: (top / "README.md").write_text("Our records, kept in git\n")),
        ("Vale closes", lambda: (root / "schools/vale.yaml").unlink()),
    ]
    for n, (message, step) in enumerate(steps):
        if callable(step):
            step()
        commit(top, message, "Alice Able", f"2026-10-{n + 1:02d}T10:00:00+01:00")
    # A branch merged back, each side changing a different file.
    git(top, "checkout", "--quiet", "-b", "side")
    (root / "schools/hill-top.yaml").write_text(SCHOOL + "headteacher: {name: Sam Patel, started: 2020-09-01}\n")
    commit(top, "Hill Top's head", "Bea Best", "2026-10-20T10:00:00+01:00")
    git(top, "checkout", "--quiet", "main")
    (root / "visits/2026-27/2026-11-03-hill-top-education-review.md").write_text(visit("2026-11-03", status="completed"))
    commit(top, "Complete the November visit", "Alice Able", "2026-10-21T10:00:00+01:00")
    assert git_run(top, "merge", "--quiet", "--no-edit", "--no-ff", "side", when="2026-10-22T10:00:00+01:00").returncode == 0
    return root


SPECS = [layout.HISTORY_FOLDERS, layout.history_paths("hill-top"), layout.history_paths("vale"),
         ("schools/hill-top.yaml", ":(glob)visits/2026-27/[0-9][0-9][0-9][0-9]-*-hill-top-*.md", "events/2026-27"),
         ("visits/2025-26", "schools/")]


@pytest.mark.parametrize("specs", SPECS, ids=lambda s: " ".join(s))
def test_log_gives_what_a_path_limited_git_log_gives(repo: Path, specs: tuple[str, ...]) -> None:
    expected = by_git(repo, specs)
    assert expected, "the reference found nothing: the scenario tests nothing"
    assert by_stss(repo, specs) == expected


def test_the_scenario_has_every_kind_of_change(repo: Path) -> None:
    statuses = {ch.status for _, changes in by_stss(repo, layout.HISTORY_FOLDERS) for ch in changes}
    assert statuses == {"A", "M", "R", "D"}


def test_each_commit_is_diffed_once_and_then_read_from_the_cache(repo: Path) -> None:
    cache = DictCache()
    first = by_stss(repo, layout.HISTORY_FOLDERS, cache)
    commits = git(repo, "rev-list", "--no-merges", "HEAD").split()
    assert set(cache.rows) == set(commits)  # every commit but the merge, whatever it touched
    assert by_stss(repo, layout.HISTORY_FOLDERS, cache) == first
    # What the cache says is what is used (so a second run diffs nothing).
    (head_commit, _), = [c for c in first if c[0] == commits[1]]
    cache.rows[head_commit] = '[["A", "records/schools/planted.yaml", null, null, "' + "1" * 40 + '"]]'
    changed = dict(by_stss(repo, layout.HISTORY_FOLDERS, cache))
    assert [ch.path for ch in changed[head_commit]] == ["schools/planted.yaml"]
    # A row that is not a list of changes is diffed again, and so is one with a single bad change in it.
    good = '["A", "records/schools/planted.yaml", null, null, "' + "1" * 40 + '"]'
    for row in ('{"not": "changes"}', f"[{good}, [\"M\", \"records/x.yaml\", null, 7, null]]", f"[{good}, [\"M\"]]",
                f"[{good}, null]"):
        cache.rows[head_commit] = row
        assert dict(by_stss(repo, layout.HISTORY_FOLDERS, cache))[head_commit] == dict(first)[head_commit], row


def test_the_same_change_on_two_merged_branches_counts_once_and_a_change_made_again_twice(repo: Path) -> None:
    top = repo.parent
    path = repo / "visits/2026-27/2026-10-06-hill-top-education-review.md"
    git(top, "checkout", "--quiet", "-b", "other")
    path.write_text(visit("2026-10-06", status="postponed"))
    commit(top, "Postponed (on a branch)", "Bea Best", "2026-10-23T10:00:00+01:00")
    git(top, "checkout", "--quiet", "main")
    path.write_text(visit("2026-10-06", status="postponed"))
    commit(top, "Postponed (on main too)", "Alice Able", "2026-10-24T10:00:00+01:00")
    assert git_run(top, "merge", "--quiet", "--no-edit", "other", when="2026-10-25T10:00:00+01:00").returncode == 0
    # Then undone and done again, on one line: two changes, both shown.
    for n, status in enumerate(("completed", "postponed")):
        path.write_text(visit("2026-10-06", status=status))
        commit(top, f"Now {status}", "Alice Able", f"2026-10-2{6 + n}T10:00:00+01:00")
    rel = "visits/2026-27/2026-10-06-hill-top-education-review.md"
    touched = [h for h, changes in by_stss(repo, layout.HISTORY_FOLDERS) for ch in changes if ch.path == rel]
    subjects = [git(top, "log", "-1", "--format=%s", h).strip() for h in touched]
    assert subjects.count("Postponed (on a branch)") + subjects.count("Postponed (on main too)") == 1
    assert subjects[-2:] == ["Now completed", "Now postponed"]
    assert len(by_git(repo, (rel,))) == len(touched)  # git's own simplification agrees


def test_the_commit_cache_is_kept_in_the_records_cache_and_never_read_from_a_copy(repo: Path, tmp_path: Path) -> None:
    """A cache committed with the records (as a hostile pull request could) or copied is
    never read: its rows could otherwise put changes no commit made into a board pack."""
    found = history.history(repo)
    assert found.events
    ids = git(repo, "rev-list", "--no-merges", "HEAD").split()
    with store.CommitChanges(repo) as cache:
        assert set(cache.get(ids)) == set(ids)
        assert cache.get(["not-a-commit", "../x"]) == {}
    db = repo / store.CACHE_DIR / store.CACHE_FILE
    with sqlite3.connect(db) as con:  # plant a change in every row
        con.execute("UPDATE commits SET changes = ?",
                    ('[["A", "records/schools/planted.yaml", null, null, "' + "1" * 40 + '"]]',))
    con.close()
    copy = tmp_path / "copy"
    shutil.copytree(repo.parent, copy)
    with store.CommitChanges(copy / "records") as cache:
        assert cache.get(ids) == {}
    clean = [(e.commit, e.kind, e.summary) for e in found.events]
    assert [(e.commit, e.kind, e.summary) for e in history.history(copy / "records").events] == clean
    # Committed and checked out elsewhere: a new file there, so not ours either.
    git(repo.parent, "add", "--force", f"records/{store.CACHE_DIR}/{store.CACHE_FILE}")
    commit(repo.parent, "A cache in a pull request", "Mallory", "2026-10-30T10:00:00+01:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(repo.parent), str(clone))
    assert [(e.commit, e.kind, e.summary) for e in history.history(clone / "records").events] == clean
