"""Load a records root: read every file, validate, run the checks, locate problems.

The one pipeline every command starts from, so each sees the same records
and the same problems.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from stss import checks, layout, store
from stss.errors import Problem, has_errors
from stss.layout import EVERYTHING, Scope
from stss.models import Records


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
