"""Load a records root: read every file, validate, run the checks, locate problems.

The one pipeline every command starts from, so each sees the same records
and the same problems.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stss import checks, layout, store
from stss.errors import Problem, Severity, has_errors
from stss.layout import EVERYTHING, Scope
from stss.models import Records, Visit
from stss.parsing import Parsed


@dataclass(frozen=True)
class Loaded:
    """The records a command read, and their problems. With a `scope` short of
    everything (`layout.Scope`), the records and problems are those of the
    files in scope, checked against everything they name."""

    root: Path
    records: Records
    problems: tuple[Problem, ...]
    scope: Scope = EVERYTHING
    #: Every record file read (valid or not), relative to the root.
    paths: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    def errors_in(self, path: str) -> list[Problem]:
        """The errors of one file (those that kept a record out of `records`), located."""
        return [p for p in self.problems if p.path == path and p.is_error]

    def require(self, kind: str, ident: str | None) -> None:
        """An id given to a writing command must name a record that validated. When its
        file is there but has errors, those refuse the command, each at its line (exit 1):
        "unknown school" would send a person looking for a file that exists."""
        from stss import layout
        from stss.errors import RecordsInvalid, UsageError, unknown_id_hint

        known = getattr(self.records, layout.KINDS[kind].field)
        if ident is None or ident in known:
            return
        path = layout.record_path(kind, ident)
        errors = self.errors_in(path)
        if errors:
            raise RecordsInvalid(errors, f"refused: {path} has {len(errors)} error(s); fix them first "
                                 "(nothing was written)", root=self.root)
        # Hints from every id on disk, read or not (a command about one school reads one).
        everyone = sorted(set(known) | self.records.unread.get(kind, frozenset()))
        raise UsageError(f"unknown {kind} '{ident}'", unknown_id_hint(ident, everyone))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Keep the cyclic garbage collector off the records being loaded.

    Loading makes about a million objects that all live on and form no
    cycles, yet every few hundred new objects set off a collection, and the
    older generations' collections walk everything made so far: that was half
    the time of a warm load. So collection pauses while loading, and what was
    loaded is then frozen (`gc.freeze`): the command's own work afterwards
    no longer walks the records either. Frozen objects are still freed when
    nothing refers to them; only cyclic garbage made while loading would
    stay, and loading makes next to none."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def load(root: Path, use_cache: bool = True, scope: Scope = EVERYTHING, *, locate_warnings: bool = True) -> Loaded:
    """Read, validate and check the records `scope` reads (by default, all).

    Errors are always located (their file is re-read in round-trip mode for the line);
    warnings only with `locate_warnings`: a command that does not show them (a report,
    `usage`) should not pay a round-trip parse of every file that has one."""
    with _no_cycle_collection():
        return _load(root, use_cache, resolve(root, scope), locate_warnings)


def resolve(root: Path, scope: Scope) -> Scope:
    """`scope` with its `days` turned into the academic years they fall in
    (none, for a day outside every year, or when trust.yaml does not validate),
    and with the `before` years before each."""
    if scope.resolved:
        return scope
    from stss import calendar

    trust = store.read_trust(root)
    if trust is None:
        return scope.with_years(scope.years or ())
    years = set(scope.years or ()) | {y for y in (calendar.year_of(trust, day) for day in scope.days) if y}
    configured = sorted(trust.years)
    for year in list(years):
        if year in configured and scope.before:
            at = configured.index(year)
            years.update(configured[max(0, at - scope.before):at])
    return scope.with_years(years)


def _load(root: Path, use_cache: bool, scope: Scope, locate_warnings: bool = True) -> Loaded:
    parsed, problems, unread = store.read_scope(root, scope, use_cache=use_cache)
    fields: dict[str, object] = {k.field: {} for k in layout.tables()}
    broken = set()
    for path, (rf, result) in parsed.items():
        problems.extend(result.problems)
        model = result.model
        if model is None:
            broken.add(path)
            continue
        kind = layout.KINDS[rf.kind]
        if kind.file:
            fields[kind.field] = model
        else:
            table = fields[kind.field]
            assert isinstance(table, dict)
            table[path if kind.by_year else rf.record_id] = model
    records = Records(**fields, unread=unread)  # type: ignore[arg-type]
    read = frozenset(parsed)
    del parsed, fields  # a file's parse and its copy in `fields`: not held through the checks
    found = checks.run(records, frozenset(broken))
    if locate_warnings:
        problems.extend(store.locate(root, found, use_cache))
    else:
        problems.extend(store.locate(root, [p for p in found if p.is_error], use_cache))
        problems.extend(p for p in found if not p.is_error)
    return Loaded(root, records, tuple(sorted(problems, key=Problem.order)), scope, read)


# --- validate: every record, folder by folder -----------------------------------


@dataclass(frozen=True)
class Checked:
    """What `check_all` found: every problem, located and sorted, as `load` finds them with
    everything in scope; and how many records of each kind validated (by `Records` field)."""

    problems: tuple[Problem, ...]
    counts: Mapping[str, int]

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def check_all(root: Path, use_cache: bool = True) -> Checked:
    """Every problem in the records, as `load(root)` gives them, for `stss validate`.

    Most of a trust's files are visits, and a visit's own problems depend on that visit and
    the records of other kinds only (`checks.VISIT_CHECKS`); what validate found in a
    folder of visits is kept in the cache (`store.FolderChecks`) under a key of every
    stamp it depended on. A folder whose key is unchanged is not read: its problems, and
    the few facts of each visit that the checks across visits compare (`checks.Mark`),
    come from the cache. Every file is still listed and stat'ed, so any change to any file
    is seen; tests/test_check_all.py shows the result is the full read's, edit after edit."""
    with _no_cycle_collection():
        return _check_all(root, use_cache)


def _check_all(root: Path, use_cache: bool) -> Checked:
    files, problems = store.list_files(root)
    stamps = store.stat_files(root, files)
    others = [rf for rf in files if rf.kind != "visit"]
    folders: dict[str, list[store.RecordFile]] = {}
    for rf in files:
        if rf.kind == "visit":
            folders.setdefault(rf.path.rpartition("/")[0], []).append(rf)
    # A folder's visits are checked against every record of another kind: a change to any
    # of those changes every folder's key.
    context = store.checks_key(others, stamps)
    keys = {folder: store.checks_key(group, stamps, context) if context else None for folder, group in folders.items()}
    kept = store.FolderChecks(root) if use_cache else None
    found = _kept_results(kept, keys)
    parsed = store.read_files(root, others, stamps, use_cache, on_disk=[rf.path for rf in files if rf.path in stamps])
    fields: dict[str, Any] = {k.field: {} for k in layout.tables()}
    broken = set()
    for rf in others:
        if (entry := parsed.get(rf.path)) is None:
            continue
        problems.extend(entry[1].problems)
        model = entry[1].model
        kind = layout.KINDS[rf.kind]
        if model is None:
            broken.add(rf.path)
        elif kind.file:
            fields[kind.field] = model
        else:
            fields[kind.field][rf.path if kind.by_year else rf.record_id] = model
    records, broken_paths = Records(**fields), frozenset(broken)
    del parsed
    # The folders to read, a batch at a time: only one batch's visits are held at once (a
    # cold validate would otherwise hold every visit of the trust, most of its memory).
    for batch in _batches([(folder, group) for folder, group in folders.items() if folder not in found]):
        parsed = store.read_files(root, [rf for _, group in batch for rf in group], stamps, use_cache)
        for folder, group in batch:
            found[folder] = result = _check_folder(root, records, broken_paths, group, parsed, use_cache)
            key = keys[folder]
            if kept and key is not None:
                kept.put(folder, key, _encoded(result))
        del parsed
    if kept:
        kept.keep_only(folders)
        kept.close()
    # What no folder's result holds: the problems of the other records, and of visits compared.
    marks = [m for result in found.values() for m in result.marks]
    problems.extend(store.locate(root, [*checks.run_on_others(records, broken_paths),
                                        *checks.visit_identity(marks, records.events),
                                        *checks.duplicate_visits(marks)], use_cache))
    for result in found.values():
        problems.extend(result.problems)
    counts = {k.field: len(table) if isinstance(table := getattr(records, k.field), Mapping) else int(table is not None)
              for k in layout.KINDS.values()}
    counts["visits"] = sum(result.count for result in found.values())
    return Checked(tuple(sorted(problems, key=Problem.order)), counts)


#: Visit files read at once by `check_all`: enough for the parse to be shared between cores
#: (`store.PARALLEL_MIN`), few enough that a batch's models are a small part of the trust's.
BATCH_FILES = 16_384


def _batches(folders: list[tuple[str, list[store.RecordFile]]]) -> Iterator[list[tuple[str, list[store.RecordFile]]]]:
    """Whole folders, in order, gathered into batches of about `BATCH_FILES` files."""
    batch: list[tuple[str, list[store.RecordFile]]] = []
    size = 0
    for folder, group in folders:
        batch.append((folder, group))
        size += len(group)
        if size >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _kept_results(kept: store.FolderChecks | None, keys: Mapping[str, str | None]) -> dict[str, _FolderResult]:
    """The folders' results kept under the keys they have now."""
    stored = kept.get() if kept else {}
    found = {}
    for folder, key in keys.items():
        row = stored.get(folder)
        if key is not None and row is not None and row[0] == key and (result := _decoded(row[1])) is not None:
            found[folder] = result
    return found


def _check_folder(root: Path, records: Records, broken: frozenset[str], group: list[store.RecordFile],
                  parsed: dict[str, tuple[store.RecordFile, Parsed]], use_cache: bool) -> _FolderResult:
    """One folder's visits checked against `records` (which holds no visits), their parses
    taken out of `parsed` (so each folder's are let go once checked)."""
    visits: dict[str, Visit] = {}
    own: list[Problem] = []
    for rf in group:
        if (entry := parsed.pop(rf.path, None)) is None:
            continue
        own.extend(entry[1].problems)
        if isinstance(entry[1].model, Visit):
            visits[rf.path] = entry[1].model
    own.extend(store.locate(root, checks.run_on_visits(replace(records, visits=visits), broken), use_cache))
    return _FolderResult(len(visits), tuple(own), tuple(checks.marks(visits)))


@dataclass(frozen=True)
class _FolderResult:
    """What validate found in one folder of visits: how many validated, their problems (of
    their own files and of `checks.VISIT_CHECKS`, located), and their marks."""

    count: int
    problems: tuple[Problem, ...]
    marks: tuple[checks.Mark, ...]


def _encoded(result: _FolderResult) -> str:
    return json.dumps([result.count, [[p.path, p.line, p.column, p.severity.value, p.message, p.hint]
                                      for p in result.problems],
                       [[m.path, m.uid, m.school, m.activity, m.date.isoformat(), m.completed] for m in result.marks]])


def _decoded(text: str) -> _FolderResult | None:
    """A kept folder result, validated as strictly as a record (a damaged one is a miss)."""
    from pydantic import ValidationError

    try:
        count, problems, marks = _result_adapter().validate_json(text)
    except ValidationError:
        return None
    if any(line < 1 or column < 1 for _, line, column, *_ in problems):
        return None
    return _FolderResult(count, tuple(Problem(path, line, column, Severity(sev), message, hint)
                                      for path, line, column, sev, message, hint in problems), tuple(marks))


@functools.cache
def _result_adapter() -> Any:
    from typing import Literal

    from pydantic import ConfigDict, NonNegativeInt, TypeAdapter

    problem = tuple[str, int, int, Literal["error", "warning"], str, str | None]
    # Strict: a date only from its ISO text, a flag only from true or false.
    return TypeAdapter(tuple[NonNegativeInt, list[problem], list[checks.Mark]], config=ConfigDict(strict=True))
