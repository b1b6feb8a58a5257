"""git, called as a program without a shell: the records' history and audit trail.

The only module that runs git. It hands back plain data (commits, the files
they changed, file contents at a revision) and commits files it is given;
what the changes mean is `stss.history`'s business.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from stss.errors import GitError


class NotARepository(GitError):
    """The records are not in a git repository (so there is no history, and nothing to commit to)."""


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `git ARGS` in `cwd`; arguments go straight to git, never through a shell."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed", hint="install git, or run without --commit")
    result = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                            errors="replace", check=False, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return result


def is_repo(path: Path) -> bool:
    return shutil.which("git") is not None and git(path, "rev-parse", "--git-dir", check=False).returncode == 0


def init(path: Path) -> None:
    """A new repository whose first branch is `main`, the branch the generated workflow watches."""
    git(path, "init", "--quiet", "--initial-branch=main")


def identity_missing(path: Path) -> bool:
    """True when git has no name and email to commit with (so a first commit would fail)."""
    return git(path, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0


def commit_all(path: Path, message: str) -> str:
    """Stage and commit everything in a new repository; returns the short hash."""
    git(path, "add", "--all", "--", ".")
    git(path, "commit", "--quiet", "-m", message)
    return git(path, "rev-parse", "--short", "HEAD").stdout.strip()


# --- history ---------------------------------------------------------------------

#: A commit's header, as NUL-separated fields: no author, subject or path can contain NUL,
#: so none can shift a field (git's own separators such as \x1e can appear in any of them).
_HEADER = "%H%x00%h%x00%aI%x00%P%x00%an%x00%s"
_HEADER_FIELDS = 6


@dataclass(frozen=True)
class Change:
    """One file a commit touched: status A/M/D/R/C/T, its path, and the old path of a rename."""

    status: str
    path: str
    old_path: str | None = None
    old_blob: str | None = None  # (abbreviated, unique) blob ids from `git log --raw`: read by id, not by walking a tree
    new_blob: str | None = None


@dataclass(frozen=True)
class Commit:
    hash: str
    short: str
    author: str
    date: dt.datetime  # the author date, in the author's time zone
    parents: tuple[str, ...]
    subject: str
    changes: tuple[Change, ...]


def require_repo(path: Path) -> None:
    """Stop with a clear message when `path` is not inside a git working tree."""
    result = git(path, "rev-parse", "--is-inside-work-tree", check=False)
    if result.returncode != 0 or result.stdout.strip() != "true":
        raise NotARepository(f"{path} is not in a git repository, so it has no history",
                       hint="run 'git init' and commit the records (stss init does both)")


def prefix(path: Path) -> str:
    """Where `path` sits inside its repository, as git writes paths: '' or 'records/'."""
    return git(path, "rev-parse", "--show-prefix").stdout.strip()


def is_shallow(path: Path) -> bool:
    return git(path, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"


def has_commits(path: Path) -> bool:
    return git(path, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def resolve(path: Path, rev: str) -> str | None:
    """The full hash `rev` names, or None if it names no commit."""
    if rev.startswith("-"):
        return None
    result = git(path, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    return result.stdout.strip() or None


class ChangesCache(Protocol):
    """Where `log` keeps what each commit changed, by commit id (a commit never changes,
    so an entry never goes stale): JSON text it writes and reads back itself."""

    def get(self, ids: Sequence[str]) -> Mapping[str, str]: ...

    def put(self, rows: Mapping[str, str]) -> None: ...


def log(path: Path, folders: Iterable[str], *, since: dt.date | None = None,
        since_rev: str | None = None, cache: ChangesCache | None = None) -> list[Commit]:
    """Commits touching `folders` (pathspecs relative to `path`), oldest first, with the
    files each changed there; paths are given relative to `path`. `since` filters on the
    committer date a day early, so callers can filter author dates exactly.

    The commits are listed without their changes, which is fast whatever the size of the
    trees; each commit's changes (against its first parent; none for a merge, as `git log`
    shows them) come from `cache` or from one `git log --no-walk` for those it lacks, and
    are then kept to `folders` here. Diffing a commit costs in proportion to the folders it
    touches (30,000 visit files a year at 1,000 schools), so it is done once per commit.
    A change made on two branches merged together (a cherry-pick, the same edit twice)
    counts once, as git's own simplification of a path-limited log would show it."""
    args = ["log", "-z", f"--format={_HEADER}"]
    if since is not None:
        args.append(f"--since={since - dt.timedelta(days=1)}")
    args.append(f"{since_rev}..HEAD" if since_rev else "HEAD")
    strip = prefix(path)
    listed = _parse_log(git(path, *args, "--").stdout, strip)[::-1]
    changes = _changes_of(path, [c.hash for c in listed if len(c.parents) <= 1], cache)
    wanted = _pathspec(list(folders))
    seen: dict[tuple[str, str | None, str | None], str] = {}
    out = []
    for c in listed:
        kept = []
        for change in _within(changes.get(c.hash, ()), strip, wanted):
            key = (change.path, change.old_blob, change.new_blob)
            if key in seen and not is_ancestor(path, seen[key], c.hash):
                continue  # the same change on a branch merged alongside: git log shows one of them
            seen.setdefault(key, c.hash)
            kept.append(change)
        if kept:
            out.append(replace(c, changes=tuple(kept)))
    return out


def is_ancestor(path: Path, older: str, newer: str) -> bool:
    return git(path, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def _changes_of(path: Path, ids: Sequence[str], cache: ChangesCache | None) -> dict[str, tuple[Change, ...]]:
    """Each commit's changes (full repository paths and blob ids), from `cache` where it has them."""
    found: dict[str, tuple[Change, ...]] = {}
    for commit, text in (cache.get(ids) if cache is not None and ids else {}).items():
        with contextlib.suppress(ValueError, TypeError, RecursionError):
            rows = json.loads(text)
            if not isinstance(rows, list):
                continue
            done = []
            for row in rows:  # one pass that checks and builds each (an import commit has a row a record)
                if not _is_change_row(row):
                    break  # not what `put` wrote: the commit is diffed again
                done.append(Change(*row))
            else:
                found[commit] = tuple(done)
    missing = [i for i in ids if i not in found]
    if not missing:
        return found
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed")
    result = subprocess.run([exe, "log", "--no-walk=unsorted", "--stdin", "-z", "-M", "--raw", "--no-abbrev",
                             "--format=" + _HEADER, "--"], cwd=path, capture_output=True, check=False,
                            input="".join(f"{i}\n" for i in missing).encode("ascii"))
    if result.returncode != 0:
        raise GitError(f"git log failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    new = {c.hash: c.changes for c in _parse_log(result.stdout.decode("utf-8", "replace"), "")}
    found.update(new)
    if cache is not None and new:
        cache.put({commit: json.dumps([[ch.status, ch.path, ch.old_path, ch.old_blob, ch.new_blob] for ch in done])
                   for commit, done in new.items()})
    return found


def _is_change_row(row: object) -> bool:
    if type(row) is not list or len(row) != 5:
        return False
    status, path, old_path, old_blob, new_blob = row
    return (type(status) is str and type(path) is str and (old_path is None or type(old_path) is str)
            and (old_blob is None or type(old_blob) is str) and (new_blob is None or type(new_blob) is str))


def _pathspec(specs: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path (relative to the records) is in these pathspecs: folders or files as
    written, or `:(glob)` patterns whose `*` and `?` stay within a folder (git's meaning)."""
    literal = frozenset(s.rstrip("/") for s in specs if not s.startswith(":(glob)"))
    below = tuple(f"{s}/" for s in literal)
    globs = [re.compile("".join(
        "[^/]*" if part == "*" else "[^/]" if part == "?" else part if part.startswith("[") else re.escape(part)
        for part in re.findall(r"\[[^\]]*\]|\*|\?|[^*?\[]+", s.removeprefix(":(glob)")))) for s in specs
        if s.startswith(":(glob)")]
    if not globs:  # folders and files only (every caller but a glob): no loop a path
        return lambda p: p in literal or p.startswith(below)
    return lambda p: p in literal or p.startswith(below) or any(g.fullmatch(p) for g in globs)


def _within(changes: Iterable[Change], strip: str, wanted: Callable[[str], bool]) -> Iterator[Change]:
    """The changes to files under the records (`strip`: where they sit in the repository) in
    the pathspecs, with paths relative to the records; a file moved in from elsewhere is, for
    them, a new file, and one moved out a deleted one."""
    for ch in changes:
        new = ch.path.removeprefix(strip) if ch.path.startswith(strip) and wanted(ch.path.removeprefix(strip)) else None
        old = (ch.old_path.removeprefix(strip) if ch.old_path is not None and ch.old_path.startswith(strip)
               and wanted(ch.old_path.removeprefix(strip)) else None)
        if ch.old_path is None:
            if new is not None:
                # Records at the repository's top (most trusts): the change as it is, not a copy.
                yield ch if new == ch.path else Change(ch.status, new, None, ch.old_blob, ch.new_blob)
        elif new is not None and old is not None:
            yield Change(ch.status, new, old, ch.old_blob, ch.new_blob)
        elif new is not None:
            yield Change("A", new, None, None, ch.new_blob)
        elif old is not None and ch.status == "R":
            yield Change("D", old, None, ch.old_blob, None)


def _parse_log(out: str, strip: str) -> list[Commit]:
    """`git log -z --name-status` output read as a stream of NUL-separated tokens:
    six header fields, then status and path tokens until the next commit's hash."""
    tokens = out.split("\0")
    commits: list[Commit] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].strip("\n"):
            i += 1
            continue
        if i + _HEADER_FIELDS > len(tokens):
            break
        full, short, date, parents, author, subject = tokens[i:i + _HEADER_FIELDS]
        full = full.lstrip("\n")
        i += _HEADER_FIELDS
        changes = []
        while i + 1 < len(tokens) and (raw := tokens[i].lstrip("\n")).startswith(":"):
            # ":old-mode new-mode old-blob new-blob status", then one path, or two for R/C
            fields = raw.split()
            status = fields[4] if len(fields) == 5 else "M"
            old_blob, new_blob = (None if set(b) <= {"0", "."} else b for b in fields[2:4])
            if status[:1] in ("R", "C") and i + 2 < len(tokens):
                old, new = tokens[i + 1], tokens[i + 2]
                # A file moved in from outside the records is, for them, a new file.
                changes.append(Change(status[0], new.removeprefix(strip), old.removeprefix(strip), old_blob, new_blob)
                               if old.startswith(strip) else Change("A", new.removeprefix(strip), None, None, new_blob))
                i += 3
            else:
                changes.append(Change(status[:1], tokens[i + 1].removeprefix(strip), None, old_blob, new_blob))
                i += 2
        commits.append(Commit(full, short, author, dt.datetime.fromisoformat(date), tuple(parents.split()),
                              subject, tuple(changes)))
    return commits


def commit_on(path: Path, day: dt.date) -> str | None:
    """The last commit (on HEAD's line) committed on or before `day`, None when there is none."""
    result = git(path, "rev-list", "-1", f"--before={day.isoformat()} 23:59:59", "HEAD", check=False)
    return result.stdout.strip() or None


def blobs_in(path: Path, commit: str, folder: str) -> list[tuple[str, str]]:
    """(path relative to `path`, blob id) of each file directly in `folder` at `commit`."""
    strip = prefix(path)
    out = git(path, "ls-tree", "-z", "--end-of-options", commit, "--", f"{strip}{folder}/").stdout
    found = []
    for entry in out.split("\0"):
        meta, _, name = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob" and fields[0] != "120000":  # never a link's target
            found.append((name.removeprefix(strip), fields[2]))
    return found


def read_blobs(path: Path, specs: Sequence[tuple[str, str]]) -> list[bytes | None]:
    """The contents of each (revision, path relative to `path`), None where there is
    none; one `git cat-file --batch` for them all instead of a process per file.
    Each lookup by path walks the revision's tree: prefer `read_objects`."""
    strip = prefix(path) if specs else ""
    return read_objects(path, [f"{rev}:{strip}{rel}" for rev, rel in specs])


def read_objects(path: Path, names: Sequence[str]) -> list[bytes | None]:
    """The contents of each blob named (by id, as `git log --raw` gives them), None
    where there is none; one `git cat-file --batch` for them all."""
    specs = names
    if not specs:
        return []
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed")
    request = "".join(f"{name}\n" for name in specs).encode("utf-8")
    result = subprocess.run([exe, "cat-file", "--batch"], cwd=path, input=request, capture_output=True,
                            check=False)
    if result.returncode != 0:
        raise GitError(f"git cat-file failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    out, pos = result.stdout, 0
    found: list[bytes | None] = []
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1:] in ([b"missing"], [b"ambiguous"]) or len(header) != 3:
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[pos:pos + size] if header[1] == b"blob" else None)
        pos += size + 1
    return found


def uncommitted(path: Path, folders: Iterable[str]) -> list[str]:
    """Files under `folders` with changes not yet committed (or not yet added)."""
    out = git(path, "status", "--porcelain", "-z", "--untracked-files=all", "--", *folders).stdout
    strip = prefix(path)
    entries = out.split("\0")
    files = []
    i = 0
    while i < len(entries) and entries[i]:
        files.append(entries[i][3:].removeprefix(strip))
        i += 2 if entries[i][0] in "RC" else 1
    return files


# --- committing -------------------------------------------------------------------


def commit_files(path: Path, files: Sequence[str], message: str) -> str:
    """Commit exactly `files` (relative to `path`), whatever else is staged; returns the short hash.

    New files are only announced to git (`add --intent-to-add`), never staged: a
    commit that fails or is killed leaves nothing staged, so `ready_to_commit` lets
    the same command, run again, commit them."""
    if not files:
        raise GitError("nothing to commit")
    known = tracked(path, files)
    new = [name for name in files if name not in known]
    if new:
        git(path, "add", "--intent-to-add", "--", *new)
    git(path, "commit", "--quiet", "-m", message, "--only", "--", *files)
    return git(path, "rev-parse", "--short", "HEAD").stdout.strip()


def roots(path: Path) -> list[tuple[str, dt.datetime]]:
    """Commits with no parent: the first commit, or in a shallow clone where its history is cut."""
    out = git(path, "log", "--max-parents=0", "--format=%h %aI", "HEAD").stdout
    found = []
    for line in out.splitlines():
        short, _, date = line.partition(" ")
        found.append((short, dt.datetime.fromisoformat(date)))
    return found


def staged(path: Path) -> list[str]:
    """Files with changes already staged in the index (paths as git shows them)."""
    out = git(path, "diff", "--cached", "--name-only", "-z").stdout
    return [name for name in out.split("\0") if name]


def ready_to_commit(path: Path, *, others_staged: bool = False) -> None:
    """Stop before anything is written when a commit of it could not be made
    as asked: no repository, other changes already staged (unless
    `others_staged`: the commit takes only its own files), a lock left in
    the index, or no identity."""
    if not is_repo(path):
        raise NotARepository(f"{path} is not in a git repository, so --commit cannot commit",
                       hint="run 'git init' (stss init does), or leave out --commit")
    already = [] if others_staged else staged(path)
    if already:
        shown = ", ".join(already[:5]) + (", ..." if len(already) > 5 else "")
        raise GitError(f"refused: other changes are already staged ({shown}); nothing was written",
                       hint="commit them, or unstage them with 'git restore --staged <file>', then try again")
    index_lock = git(path, "rev-parse", "--git-path", "index.lock").stdout.strip()
    if index_lock and (path / index_lock).exists():
        raise GitError(f"refused: git's {index_lock} exists (another git command running, or one that crashed); "
                       "nothing was written",
                       hint="if no git command is running, remove that file, then try again")
    if git(path, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        raise GitError("git does not know who you are, so it cannot commit; nothing was written",
                       hint="git config --global user.name \"Your Name\" and "
                            "git config --global user.email you@example.org")


def tracked(path: Path, files: Sequence[str]) -> set[str]:
    """Which of `files` (relative to `path`) git tracks."""
    if not files:
        return set()
    out = git(path, "ls-files", "-z", "--full-name", "--", *files).stdout
    strip = prefix(path)
    return {name.removeprefix(strip) for name in out.split("\0") if name}
