"""The one path every write to the records takes: validate, then write atomically.

A command builds the new text of each file it changes (`Change`); `check`
reads each as the loader would, puts it in place among the loaded records
and runs every cross-record check; `apply` writes only if that found no new
error (and no new warning, unless forced), each file atomically through
`stss.store`. A refused change writes nothing, so every file stays
byte-for-byte as it was.

Problems the records had before the change are not held against it: only
problems the change would bring count. The records may be those of a scope
(`layout.Scope`: one school's visits of one year, say) as long as they hold
every file the change edits: no rule relates a visit to another visit, so a
visit is judged against the trust, the offer and the ids of everything else
just as a full validate judges it (tests/test_scope.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass

from stss import checks, store
from stss.errors import Problem, RecordsInvalid, StoreError
from stss.layout import KINDS, has_front_matter, kind_of, tables
from stss.loader import Loaded
from stss.locate import position
from stss.models import Record, Records
from stss.parsing import parse_file, split_front_matter


@dataclass(frozen=True)
class Change:
    """The whole new text of one file; `was` is the file it replaces when renamed;
    `new` when the file must not exist yet (a visit that `plan` adds)."""

    path: str
    text: str
    was: str | None = None
    new: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the change touches on disk (both ends of a rename)."""
        return (self.path,) if self.was is None else (self.was, self.path)


def check(records: Records, changes: Sequence[Change]) -> list[Problem]:
    """The problems these changes would bring, each located in its file's new text."""
    models: dict[str, Record] = {}
    problems: list[Problem] = []
    for change in changes:
        kind, _ = kind_of(change.path)
        parsed = parse_file(kind, change.path, change.text.encode("utf-8"))
        problems.extend(parsed.problems)
        if parsed.model is not None:
            models[change.path] = parsed.model
    if problems:
        return _located(problems, changes)
    after = _replaced(records, changes, models)

    def key(p: Problem) -> tuple[str, tuple[str | int, ...], str]:
        return p.path, p.loc, p.message

    before = {key(p) for p in checks.run(records)}
    return _located([p for p in checks.run(after) if key(p) not in before], changes)


def _replaced(records: Records, changes: Sequence[Change], models: dict[str, Record]) -> Records:
    by_field: dict[str, dict[str, object]] = {
        k.field: dict(getattr(records, k.field)) for k in tables()
    }
    singles: dict[str, object] = {}
    for change in changes:
        if change.was is not None:
            kind, ident = kind_of(change.was)
            by_field[KINDS[kind].field].pop(ident, None)
        kind, ident = kind_of(change.path)
        if KINDS[kind].file:
            singles[KINDS[kind].field] = models[change.path]
        else:
            by_field[KINDS[kind].field][ident] = models[change.path]
    return dataclasses.replace(records, **by_field, **singles)  # type: ignore[arg-type]


def _located(problems: list[Problem], changes: Sequence[Change]) -> list[Problem]:
    texts = {c.path: c.text for c in changes}
    out = []
    for p in problems:
        if p.line or p.path not in texts:
            out.append(p)
            continue
        text, first = texts[p.path], 1
        if has_front_matter(p.path):
            split = split_front_matter(p.path, text)
            if not isinstance(split, Problem):
                text, first = split[0], split[2]
        out.append(p.located(*position(text, p.loc, first)))
    return out


def verify(loaded: Loaded, changes: Sequence[Change], *, force: bool = False) -> list[Problem]:
    """Refuse (`RecordsInvalid`, exit 1) changes that bring a new error, or a new
    warning without `force`; else the (forced) warnings they bring, located."""
    problems = store.locate(loaded.root, check(loaded.records, changes))
    if any(p.is_error for p in problems):
        raise RecordsInvalid(sorted(problems), "refused: the change would not validate; nothing was written")
    if problems and not force:
        refused = RecordsInvalid(sorted(problems), "refused: the change brings the warning(s) above; nothing was written")
        refused.hint = "check the values, or pass --force to write it anyway"
        raise refused
    return sorted(problems)


def apply(loaded: Loaded, changes: Sequence[Change], *, force: bool = False) -> list[str]:
    """Check the changes against the loaded records and write them, or write
    nothing. Returns every path touched, for committing."""
    verify(loaded, changes, force=force)
    return write(loaded, changes)


def write(loaded: Loaded, changes: Sequence[Change]) -> list[str]:
    """Write changes that `verify` passed: every target is checked before the first
    write, so a refused change writes nothing. Returns every path touched."""
    for change in changes:  # every target first: a refused change writes nothing
        store.writable(loaded.root, change.path)
        if (change.new or change.was is not None) and os.path.lexists(loaded.root / change.path):
            raise StoreError(f"refused: {change.path} already exists; nothing was written",
                             hint="run 'stss validate', then the command again")
    touched: list[str] = []
    for change in changes:
        if change.was is not None:
            # Rename first, then write: a crash in between leaves the old visit
            # under its new name, never two copies of it.
            store.rename(loaded.root, change.was, change.path)
        store.write_text(loaded.root, change.path, change.text)
        touched.extend(change.paths)
    return touched


# --- with --commit: exactly the files written ---------------------------------------


def ready(loaded: Loaded, commit: bool) -> None:
    """With `commit`, stop before anything is asked or written if git could not commit it."""
    if commit:
        from stss import git

        git.ready_to_commit(loaded.root)


def save(loaded: Loaded, changes: Sequence[Change], message: str, *, force: bool = False,
         commit: bool = False) -> str | None:
    """`apply` the changes; with `commit`, commit exactly the files touched and return the commit."""
    touched = apply(loaded, changes, force=force)
    if not commit:
        return None
    from stss import git

    known = git.tracked(loaded.root, touched)
    return commit_files(loaded, [p for p in touched if (loaded.root / p).exists() or p in known], message)


def commit_files(loaded: Loaded, files: list[str], message: str) -> str:
    """Commit `files`, saying plainly, if git fails now, that they are written but not committed."""
    from stss import git
    from stss.errors import GitError

    try:
        return git.commit_files(loaded.root, files, message)
    except GitError as exc:
        raise GitError(f"{', '.join(files)} written, but not committed: {exc.message}",
                       hint="commit them with git, or run the same command again with --commit "
                            "(it adds nothing twice)") from None


def commit_if_uncommitted(loaded: Loaded, path: str, message: str) -> str | None:
    """A rerun after a failed commit: commit what the first run wrote, if it is still uncommitted."""
    from stss import git

    return commit_files(loaded, [path], message) if path in git.uncommitted(loaded.root, [path]) else None
