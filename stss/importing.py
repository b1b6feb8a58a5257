"""Bringing a GIAS export into the school records (`stss import gias`).

`plan` matches GIAS rows to school records by URN and decides what each row
means: a new school (a new file with an id made from its name), an update
of the fields GIAS owns, no change, a closed school, or a row it cannot
use, with the reason. Existing files are edited round-trip (`stss.yamledit`),
so comments and every field GIAS does not own stay exactly as written.
Writing is `stss.changes.apply`: validate first, then atomic writes.

GIAS owns: `name`, `phase`, `religious_character`, `local_authority` and
`headteacher.name`; when the headteacher's name changes, `headteacher.started`
becomes the import date. Everything else (membership, support, inspections)
belongs to the trust and is never touched.

Pure but for `read`, the function a caller gives to read a record's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ruamel.yaml.comments import CommentedMap

from stss import yamledit
from stss.changes import Change
from stss.errors import Problem
from stss.gias import GiasRow, fold, same_name, slug_for
from stss.layout import record_path
from stss.loader import Loaded
from stss.models import Records, School, means_none

SCHOOL_ORDER = tuple(School.model_fields)
ImportAction = Literal["created", "updated", "unchanged", "closed", "skipped"]
ACTIONS: tuple[ImportAction, ...] = get_args(ImportAction)


@dataclass(frozen=True)
class Outcome:
    """What the import does with one GIAS row; `change` is the file it writes, if any."""

    action: ImportAction
    urn: int
    name: str
    school: str | None = None
    what: tuple[str, ...] = ()
    change: Change | None = None


@dataclass(frozen=True)
class Plan:
    outcomes: list[Outcome]
    ignored: int = 0  # rows of schools neither in the records nor asked for
    counts: dict[ImportAction, int] = field(default_factory=dict)

    @property
    def changes(self) -> list[Change]:
        return [o.change for o in self.outcomes if o.change is not None]


def plan(records: Records, rows: list[GiasRow], read: Callable[[str], str], *, trust: str | None = None,
         urns: Collection[int] = (), today: dt.date) -> Plan:
    """What importing `rows` would do. Rows are taken for schools already in the
    records (by URN), for `urns`, and for the trust `trust` (default: the one in
    trust.yaml, unless `urns` are given); new schools of that trust are
    academies, others external."""
    own_trust = trust or (records.trust.name if records.trust else None)
    select_trust = trust or (None if urns else own_trust)
    by_urn = {school.urn: sid for sid, school in records.schools.items() if school.urn is not None}
    by_name = {fold(school.name): sid for sid, school in records.schools.items()}
    taken = set(records.schools)
    outcomes: list[Outcome] = []
    ignored = 0
    for row in rows:
        sid = by_urn.get(row.urn)
        if sid is not None:
            outcomes.append(_existing(row, sid, read(record_path("school", sid)), today))
        elif row.urn in urns or same_name(row.trust, select_trust):
            outcomes.append(_new(row, by_name, taken, academy=same_name(row.trust, own_trust)))
        else:
            ignored += 1
    counts = {action: sum(o.action == action for o in outcomes) for action in ACTIONS}
    return Plan(outcomes, ignored, counts)


def _existing(row: GiasRow, sid: str, text: str, today: dt.date) -> Outcome:
    if row.closed:
        return Outcome("closed", row.urn, row.name, sid, ("closed in GIAS; the record is left as it is",))
    doc = yamledit.load(text, path=record_path("school", sid))
    data = doc.data
    what: list[str] = []

    def put(key: str, value: Any) -> None:
        old = data.get(key)
        if value is None:
            if old is not None and not means_none(str(old)):
                del data[key]
                what.append(f"{key.replace('_', ' ')}: {old} -> none")
        elif old != value:
            yamledit.set_key(data, key, value, SCHOOL_ORDER)
            what.append(f"{key.replace('_', ' ')}: {old if old is not None else 'none'} -> {value}")

    put("name", row.name)
    if row.phase is not None:
        put("phase", row.phase)
    put("religious_character", row.religious_character)
    if row.local_authority is not None:
        put("local_authority", row.local_authority)
    head = data.get("headteacher")
    old_head = head.get("name") if isinstance(head, CommentedMap) else None
    if row.headteacher and not same_name(old_head, row.headteacher):
        if isinstance(head, CommentedMap) and old_head:
            # A new headteacher: GIAS does not say when they started, and the import
            # date would make the school owed mentoring at once; a person confirms it
            # (validate warns until they do).
            head["name"] = row.headteacher
            if "started" in head:
                del head["started"]
            what.append(f"headteacher: {old_head} -> {row.headteacher} (start date to confirm)")
        else:
            yamledit.set_key(data, "headteacher", yamledit.flow_map([("name", row.headteacher)]), SCHOOL_ORDER)
            what.append(f"headteacher: none -> {row.headteacher}")
    notes = [f"GIAS phase '{row.phase_name}' has no stss phase; phase left as {data.get('phase')}"] \
        if row.phase is None else []
    if not what:
        return Outcome("unchanged", row.urn, row.name, sid, tuple(notes))
    path = record_path("school", sid)
    return Outcome("updated", row.urn, row.name, sid, (*what, *notes), Change(path, yamledit.dump(doc)))


def _new(row: GiasRow, by_name: dict[str, str], taken: set[str], *, academy: bool) -> Outcome:
    if row.closed:
        return Outcome("closed", row.urn, row.name, None, ("closed in GIAS; not created",))
    twin = by_name.get(fold(row.name))
    if twin is not None:
        return Outcome("skipped", row.urn, row.name, twin, (
            f"not created: {record_path('school', twin)} has the same name but another URN or none; "
            f"if it is this school, set 'urn: {row.urn}' there",))
    if row.phase is None:
        return Outcome("skipped", row.urn, row.name, None, (
            f"not created: GIAS phase '{row.phase_name}' has no stss phase; add the school by hand",))
    sid = _unique(slug_for(row.name), taken)
    taken.add(sid)
    membership = "academy" if academy else "external"
    pairs: list[tuple[str, Any]] = [("urn", row.urn), ("name", row.name), ("phase", row.phase)]
    if row.religious_character:
        pairs.append(("religious_character", row.religious_character))
    pairs.append(("membership", membership))
    what = [f"new {row.phase} school, membership {membership}"]
    if academy and row.opened:
        pairs.append(("joined", row.opened))
        what.append(f"joined {row.opened} (GIAS OpenDate; check it)")
    if row.local_authority:
        pairs.append(("local_authority", row.local_authority))
    if row.headteacher:
        pairs.append(("headteacher", yamledit.flow_map([("name", row.headteacher)])))
    text = yamledit.render(yamledit.block_map(pairs))
    return Outcome("created", row.urn, row.name, sid, tuple(what), Change(record_path("school", sid), text))


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@dataclass(frozen=True)
class Imported:
    """What `stss import gias` did: the export's unreadable rows and the changes' problems,
    what it found, the files written and the commit made."""

    problems: tuple[Problem, ...]
    found: Plan
    written: tuple[str, ...]
    commit: str | None

    @property
    def counts(self) -> str:
        return ", ".join(f"{n} {action}" for action, n in self.found.counts.items() if n) or "no schools"


def run(loaded: Loaded, data: bytes, name: str, *, encoding: str | None, trust: str | None, urns: set[int],
        today: dt.date, dry_run: bool, commit: bool) -> Imported:
    """Read a GIAS export and apply what it changes (unless `dry_run`); with `commit`, commit the
    files written, whatever else is staged (git is checked before anything is written)."""
    from stss import changes, gias, git, store

    if commit and not dry_run:
        git.ready_to_commit(loaded.root, others_staged=True)
    read = gias.read(data, name, encoding)
    found = plan(loaded.records, read.rows, lambda rel: store.read_text(loaded.root, rel),
                 trust=trust, urns=urns, today=today)
    problems, written = list(read.problems), []
    if found.changes and not dry_run:
        problems += store.locate(loaded.root, changes.check(loaded.records, found.changes))
        # New schools have no support level yet: validate warns, and that is expected.
        written = changes.apply(loaded, found.changes, force=True)
    done = Imported(tuple(problems), found, tuple(written), None)
    if written and commit:
        done = Imported(done.problems, found, done.written,
                        changes.commit_files(loaded, written, f"Import from GIAS ({name}): {done.counts}"))
    return done
