"""Team-safe records, tried with real processes and a real git (issue 11).

- Concurrent writers (the installed `stss`, started together, 20 rounds of two
  to four): the same visit logged at once ends as one visit holding everyone's
  notes and actions; different visits all land; two `plan`s book each visit
  once; writers sharing a file (`close-action` and `log-visit` on one visit,
  two `edit-support`s of one school) both land.
- kill -9 of every writing command at seeded random moments: every file left
  changed is byte for byte what an uninterrupted run writes (so every record
  parses and git status shows only whole changes), no temporary file is left
  in the records, and the lock the killed command held blocks no one.
- git's preconditions (an identity, no stale index.lock, nothing else staged)
  stop every command that takes `--commit` before it writes anything.

Each test works on a private copy of the example trust in its own repository.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from stss import loader, lock, store
from tests.helpers import (
    GIAS_SAMPLE,
    STSS,
    TODAY,
    cli_commands,
    copy_example,
    git,
    make_repo,
    snapshot,
)

ROUNDS = 20
KILLS = 30
#: Where a visit file or line names its random uid (a visit `log-visit` creates).
UID_NAME = re.compile(r"-[0-9a-f]{8}\.md$")
UID_LINE = re.compile(rb"^uid: [\"']?[0-9a-f]{8}[\"']?$", re.MULTILINE)  # quoted when it reads as a number
WRITTEN = re.compile(r"(?<!renamed from )((?:visits|events|schools|requests|engagements)/[\w./-]+\.(?:md|yaml))")

Result = tuple[int, str, str]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A private copy of the example trust, committed in a new repository."""
    return make_repo(copy_example(tmp_path / "records"))


def start(root: Path, args: Sequence[str], *, env: dict[str, str | None] | None = None,
          notes: str | None = None, session: bool = False) -> subprocess.Popen[str]:
    """`stss ARGS` started, not waited for; `env` adds to the environment (None: unset)."""
    merged = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    proc = subprocess.Popen([STSS, *args, "--records", str(root), "--today", TODAY],
                            stdin=subprocess.PIPE if notes is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in merged.items() if v is not None}, start_new_session=session)
    if notes is not None:
        assert proc.stdin is not None
        proc.stdin.write(notes)
        proc.stdin.close()
        proc.stdin = None  # communicate() must not flush a closed pipe
    return proc


def finish(procs: Sequence[subprocess.Popen[str]]) -> list[Result]:
    results = []
    for proc in procs:
        out, errs = proc.communicate(timeout=120)
        results.append((proc.returncode, out, errs))
    return results


def restore(root: Path) -> None:
    """The records as committed; the cache (ignored by git) stays, as it would."""
    git(root, "checkout", "--quiet", "--", ".")
    git(root, "clean", "-fdq")


def status(root: Path) -> list[tuple[str, str]]:
    """(XY, path) of every change git sees, untracked files one by one."""
    out = git(root, "status", "--porcelain", "-z", "--untracked-files=all")
    return [(entry[:2], entry[3:]) for entry in out.split("\0") if entry]


def assert_refused_cleanly(code: int, errs: str) -> None:
    """A writer that did not write says so: exit 1, and why."""
    assert code == 1, errs
    assert "nothing was written" in errs or "another stss command" in errs, errs


def assert_says_what_is_on_disk(root: Path, results: Sequence[Result]) -> None:
    for code, out, errs in results:
        assert code in (0, 1), (out, errs)
        if code == 1:
            assert_refused_cleanly(code, errs)
            continue
        for rel in WRITTEN.findall(out):
            assert (root / rel).is_file(), (rel, out)


# --- concurrent writers -------------------------------------------------------------


def writers(round_: int) -> int:
    """Two, three or four writers, in turn."""
    return 2 + round_ % 3


@pytest.mark.slow
def test_the_same_visit_logged_at_once_is_one_visit_with_everyones_notes_and_actions(repo: Path) -> None:
    stem = "2026-11-20-brookfield-primary-partnership-visit"
    for round_ in range(ROUNDS):
        procs = [start(repo, ["log-visit", "--school", "brookfield-primary", "--activity", "partnership-visit",
                              "--date", "2026-11-20", "--staff", "helen-price", "--force", "--notes", "-",
                              "--action", f"Action {round_}.{n};headteacher;2026-12-18"],
                       notes=f"Notes {round_}.{n}.\n")
                 for n in range(writers(round_))]
        results = finish(procs)
        assert_says_what_is_on_disk(repo, results)
        found = sorted((repo / "visits/2026-27").glob(f"{stem}*.md"))
        assert len(found) == 1, (round_, found)
        text = found[0].read_text("utf-8")
        for n, (code, _, _) in enumerate(results):
            wrote = code == 0
            assert (f"Notes {round_}.{n}." in text) == wrote, (round_, n, text)
            assert (f"Action {round_}.{n}" in text) == wrote, (round_, n, text)
        assert any(code == 0 for code, _, _ in results)
        restore(repo)


@pytest.mark.slow
def test_different_visits_logged_at_once_all_land(repo: Path) -> None:
    schools = ("brookfield-primary", "hollybank-primary", "meadowbank-primary", "ashcombe-primary")
    for round_ in range(ROUNDS):
        chosen = schools[:writers(round_)]
        procs = [start(repo, ["log-visit", "--school", school, "--activity", "partnership-visit",
                              "--date", "2026-11-20", "--force", "--notes", "-"], notes=f"Notes {round_} {school}.\n")
                 for school in chosen]
        results = finish(procs)
        assert_says_what_is_on_disk(repo, results)
        for school, (code, out, _) in zip(chosen, results, strict=True):
            mine = sorted((repo / "visits/2026-27").glob(f"2026-11-20-{school}-partnership-visit*.md"))
            assert len(mine) == (code == 0), (round_, school, out)
            assert all(f"Notes {round_} {school}." in p.read_text("utf-8") for p in mine), (round_, out)
        restore(repo)


def untracked(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for xy, path in status(root) if xy == "??"}


@pytest.mark.slow
def test_two_plans_at_once_book_each_visit_once(repo: Path) -> None:
    plan = ["plan", "--year", "2026-27", "--seed", "1"]
    alone = finish([start(repo, plan)])
    assert alone[0][0] == 0, alone
    expected = untracked(repo)
    assert len([p for p in expected if p.startswith("visits/")]) > 100
    restore(repo)
    for round_ in range(ROUNDS):
        results = finish([start(repo, plan), start(repo, plan)])
        for code, out, errs in results:
            assert code == 0 or (code == 1 and "another stss command" in errs), (out, errs)
        assert sum("Wrote " in out for _, out, _ in results) == 1, results
        assert untracked(repo) == expected, round_
        restore(repo)


@pytest.mark.slow
def test_closing_an_action_while_its_visit_is_logged_again_keeps_both(repo: Path) -> None:
    visit = repo / "visits/2026-27/2026-10-14-st-marys-ce-primary-partnership-visit.md"
    for round_ in range(ROUNDS):
        procs = [start(repo, ["close-action", "--school", "st-marys-ce-primary", "--match", "attendance officer"]),
                 start(repo, ["log-visit", "--school", "st-marys-ce-primary", "--activity", "partnership-visit",
                              "--date", "2026-10-14", "--force", "--notes", "-",
                              "--action", f"Follow-up {round_};headteacher;2026-12-18"],
                       notes=f"More notes {round_}.\n")]
        results = finish(procs)
        assert [code for code, _, _ in results] == [0, 0], results
        assert_says_what_is_on_disk(repo, results)
        text = visit.read_text("utf-8")
        assert f"More notes {round_}." in text and f"Follow-up {round_}" in text
        closed = text.split("Meet the attendance officer", 1)[1].split("\n- ", 1)[0]
        assert "status: done" in closed and f"done: {TODAY}" in closed, text
        assert [path for _, path in status(repo)] == [visit.relative_to(repo).as_posix()]
        restore(repo)


@pytest.mark.slow
def test_two_support_decisions_for_one_school_at_once_both_land(repo: Path) -> None:
    school = repo / "schools/brookfield-primary.yaml"
    for round_ in range(ROUNDS):
        procs = [start(repo, ["edit-support", "brookfield-primary", "--year", year, "--level", "enhanced",
                              "--decided", decided, "--rationale", f"Reason {round_} {year}", "--force"])
                 for year, decided in (("2025-26", "2025-07-20"), ("2026-27", "2026-11-20"))]
        results = finish(procs)
        assert [code for code, _, _ in results] == [0, 0], results
        text = school.read_text("utf-8")
        assert f"Reason {round_} 2025-26" in text and f"Reason {round_} 2026-27" in text, text
        restore(repo)


# --- kill -9 at random moments ------------------------------------------------------

#: Every command that writes records, with arguments that make it write on the example trust.
#: ({out} is a file outside the records.)
WRITERS: dict[str, tuple[str, ...]] = {
    "log-visit": ("log-visit", "--school", "brookfield-primary", "--activity", "partnership-visit",
                  "--date", "2026-11-20", "--staff", "helen-price",
                  "--action", "Share the plan with governors;headteacher;2026-12-18"),
    "close-action": ("close-action", "--school", "st-marys-ce-primary", "--match", "attendance officer"),
    "edit-support": ("edit-support", "brookfield-primary", "--year", "2026-27", "--level", "enhanced",
                     "--decided", "2026-11-20", "--rationale", "More support this year"),
    "log-event": ("log-event", "--activity", "headteacher-network", "--school", "brookfield-primary",
                  "--date", "2026-11-20"),
    "review-objective": ("review-objective", "ashcombe-partnership", "1", "--rag", "amber", "--note", "On track"),
    "log-request": ("log-request", "--school", "brookfield-primary", "--summary", "Help with timetabling"),
    "update-request": ("update-request", "hollybank-primary-phonics-results-below-national", "--status", "resolved",
                       "--outcome", "Phonics plan agreed"),
    "share": ("share", "2026-11-04-hollybank-primary-subject-deep-dive", "--out", "{out}"),
    "review": ("review", "2026-10-06-brookfield-primary-education-review", "--accurate"),
    "plan": ("plan", "--year", "2026-27", "--seed", "1"),
    "import gias": ("import", "gias", str(GIAS_SAMPLE), "--urn", "106653"),
}


def test_every_writing_command_is_tried() -> None:
    """A new writing command must be added to WRITERS (and so to every test below)."""
    readers = {"validate", "init", "schema", "export", "usage", "capacity", "engagements", "actions",
               "history", "requests", "reviews", "report", "calendar"}
    assert set(cli_commands()) == readers | set(WRITERS)


def arguments(name: str, out: Path) -> list[str]:
    return [arg.replace("{out}", str(out)) for arg in KILLED[name]]


def normal(path: str, data: bytes | None) -> tuple[str, bytes | None]:
    """A change with a new record's random uid taken out (from a visit's name too), so two runs compare."""
    if data is None or not UID_LINE.search(data):
        return path, data
    return UID_NAME.sub("-UID.md", path) if UID_NAME.search(path) else path, UID_LINE.sub(b"uid: UID", data)


def changes(root: Path) -> dict[str, bytes | None]:
    """Every changed file git sees, with its bytes (None when deleted), uids taken out."""
    found = {}
    for _, path in status(root):
        full = root / path
        found.update([normal(path, full.read_bytes() if full.exists() else None)])
    return found


def temps(root: Path) -> list[str]:
    """Temporary files anywhere in the records (but git's folder)."""
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not (here == str(root) and d == ".git")]
        found += [os.path.relpath(os.path.join(here, f), root) for f in files if store.is_temp(f) or f.endswith(".tmp")]
    return sorted(found)


def errors(root: Path) -> list[str]:
    """What `stss validate` would report as errors (read here, as a reader would, with no lock)."""
    return [str(p) for p in loader.load(root).problems if p.is_error]


#: The writers again, and a visit completed on another day than planned: renamed, then written.
KILLED = {**WRITERS, "log-visit moving a planned visit": (
    "log-visit", "--school", "hollybank-primary", "--activity", "partnership-visit", "--date", "2026-11-20")}


def committed(root: Path, path: str) -> bytes:
    return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=root, capture_output=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(KILLED))
def test_kill_9_at_any_moment_leaves_only_whole_changes(repo: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / "report.md"
    args = arguments(name, out)
    assert finish([start(repo, args)])[0][0] == 0  # the first run also fills the cache
    after = changes(repo)
    assert after and errors(repo) == []
    report = out.read_bytes() if out.exists() else None
    # A rename is made before the new text is written (`changes.write`): killed in
    # between, the visit is whole under its new name, its old text not yet replaced.
    gone = [path for path, data in after.items() if data is None]
    moved = {path: {committed(repo, old) for old in gone} for path, data in after.items() if data is not None and gone}
    restore(repo)
    began = time.monotonic()
    whole = finish([start(repo, args)])
    took = time.monotonic() - began  # only to spread the kills over a run like theirs
    assert whole[0][0] == 0 and changes(repo) == after, whole
    restore(repo)
    rng = random.Random(f"kill/{name}")
    for kill in range(KILLS):
        proc = start(repo, args)
        time.sleep(rng.uniform(0.1, 1.05) * took)
        proc.kill()
        proc.communicate(timeout=60)
        now = changes(repo)
        # Each changed file is what the whole run writes: never half a file, never another file.
        for path, data in now.items():
            assert path in after and (data == after[path] or data in moved.get(path, ())), (kill, path)
        if now and now != after:  # a plan cut short: each file it wrote is whole, and they validate
            assert errors(repo) == [], kill
        assert not [t for t in temps(repo) if not t.startswith(f"{store.CACHE_DIR}/")], (kill, temps(repo))
        with lock.writing(repo, wait=0):  # the killed writer's lock is gone with it
            pass
        assert temps(repo) == [], kill  # and the next writer cleared what it left
        assert not out.exists() or out.read_bytes() == report, kill  # an output is whole too
        if now:
            restore(repo)
        out.unlink(missing_ok=True)
    # The next run after a kill is not blocked, and finishes the job.
    proc = start(repo, args)
    os.kill(proc.pid, 9)
    proc.communicate(timeout=60)
    again = finish([start(repo, args, env={lock.ENV_WAIT: "0"})])
    assert again[0][0] == 0, again
    assert changes(repo) == after and temps(repo) == []


@pytest.mark.slow
def test_kill_9_of_a_committing_log_visit_then_a_rerun_leaves_one_committed_visit(repo: Path) -> None:
    """Killed with its git (the whole process group, as a CI timeout kills), `log-visit
    --commit` leaves nothing, the whole visit uncommitted, or the commit; run again it
    commits that one visit, never a second."""
    args = [*WRITERS["log-visit"], "--commit"]
    base = git(repo, "rev-parse", "HEAD").strip()
    stem = "2026-11-20-brookfield-primary-partnership-visit-"

    def visits() -> list[Path]:
        return sorted((repo / "visits/2026-27").glob(f"{stem}*.md"))

    began = time.monotonic()
    assert finish([start(repo, args)])[0][0] == 0
    took = time.monotonic() - began
    [logged] = visits()
    expected = normal(logged.name, logged.read_bytes())
    rng = random.Random("kill/log-visit --commit")
    for kill in range(KILLS // 2):  # a rerun each time; log-visit has its 30 kills above
        git(repo, "reset", "--quiet", "--hard", base)
        git(repo, "clean", "-fdq")
        proc = start(repo, args, session=True)
        time.sleep(rng.uniform(0.1, 1.2) * took)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        found = visits()
        assert len(found) <= 1 and all(normal(p.name, p.read_bytes()) == expected for p in found), kill
        assert all(path.startswith(f"visits/2026-27/{stem}") for _, path in status(repo)), kill
        commits = git(repo, "rev-list", f"{base}..HEAD").split()
        assert len(commits) <= 1, kill
        if (repo / ".git/index.lock").exists():  # git itself was killed mid-way: refused, as the hint says
            code, _, errs = finish([start(repo, args)])[0]
            assert code == 1 and "index.lock" in errs and visits() == found, errs
            (repo / ".git/index.lock").unlink()
        code, out, errs = finish([start(repo, args, env={lock.ENV_WAIT: "0"})])[0]
        assert code == 0, errs
        assert visits() == found or not found, kill
        assert len(visits()) == 1 and normal(visits()[0].name, visits()[0].read_bytes()) == expected, kill
        assert status(repo) == [], (kill, out)
        assert len(git(repo, "rev-list", f"{base}..HEAD").split()) == 1, (kill, out)


def test_a_commit_that_fails_leaves_nothing_staged_so_the_same_command_commits_it(repo: Path) -> None:
    """The hint of a failed commit says to run the command again with --commit: that
    run must not then refuse the visit the first one staged as "other changes"."""
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    args = [*WRITERS["log-visit"], "--commit"]
    code, _, errs = finish([start(repo, args)])[0]
    assert code == 1 and "written, but not committed" in errs and "hook says no" in errs, errs
    assert git(repo, "diff", "--cached", "--name-only") == ""
    hook.unlink()
    code, out, errs = finish([start(repo, args)])[0]
    assert code == 0 and "Committed" in out, errs
    [visit] = (repo / "visits/2026-27").glob("2026-11-20-brookfield-primary-partnership-visit-*.md")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [visit.relative_to(repo).as_posix()]
    assert status(repo) == []


# --- git's preconditions ------------------------------------------------------------


Env = dict[str, str | None]


def no_identity(root: Path) -> Env:
    """A repository and environment in which git knows no committer."""
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    git(root, "config", "user.useConfigOnly", "true")  # no guess from the host's name either
    unset: Env = {v: None for v in os.environ if v.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_")) or v == "EMAIL"}
    return {**unset, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def stale_index_lock(root: Path) -> Env:
    (root / ".git/index.lock").write_text("")
    return {}


def staged_elsewhere(root: Path) -> Env:
    person = root / "people/helen-price.yaml"
    person.write_text(person.read_text("utf-8") + "# a change of someone else's, staged\n", "utf-8")
    git(root, "add", "people/helen-price.yaml")
    return {}


PRECONDITIONS = {
    "no-identity": (no_identity, "git does not know who you are"),
    "stale-index-lock": (stale_index_lock, "index.lock exists"),
    "staged-changes": (staged_elsewhere, "other changes are already staged"),
}
#: `import gias` commits only its own files (`git commit --only`), so changes already
#: staged stay staged and out of its commit, rather than stopping it.
COMMITS_ONLY_ITS_OWN = {"import gias"}


def index_state(root: Path) -> tuple[str, str, str]:
    return (git(root, "rev-parse", "HEAD"), git(root, "diff", "--cached", "--name-only"),
            git(root, "status", "--porcelain", "--untracked-files=all"))


@pytest.mark.parametrize("condition", sorted(PRECONDITIONS))
@pytest.mark.parametrize("name", sorted(n for n in WRITERS if n != "plan"))  # plan has no --commit
def test_commit_refuses_before_writing_anything_when_git_could_not_commit(
        repo: Path, tmp_path: Path, name: str, condition: str) -> None:
    prepare, message = PRECONDITIONS[condition]
    env = prepare(repo)
    out = tmp_path / "report.md"
    before, git_before = snapshot(repo), index_state(repo)
    code, said, errs = finish([start(repo, [*arguments(name, out), "--commit"], env=env)])[0]
    if condition == "staged-changes" and name in COMMITS_ONLY_ITS_OWN:
        assert code == 0, errs
        assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["schools/penistone-grammar-school.yaml"]
        assert git(repo, "diff", "--cached", "--name-only").split() == ["people/helen-price.yaml"]
        return
    assert code == 1, (said, errs)
    assert message in errs and "nothing was written" in errs, errs
    assert snapshot(repo) == before
    assert index_state(repo) == git_before
    assert not out.exists()
