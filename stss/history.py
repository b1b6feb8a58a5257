"""What changed in the records, when and by whom: git history read as events.

The pure part (`diff` and the per-kind functions) takes one file's old and
new content as parsed YAML (None where the file did not exist) and the commit
that changed it, and says what the change means for a director of
education: "support level 2026-27: core -> enhanced (rationale: ...)",
"visit cancelled: ...", "school joined (membership joining -> academy)".

`history` and `events` read the commits through `stss.git` (the only module
that runs git) and feed each changed file through `diff`. Nothing here
writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from stss import layout
from stss.models import CALLED_OFF, LIVE, EngagementStatus

if TYPE_CHECKING:
    from stss.report_model import History as ReportHistory

#: The folders, under the records root, whose history is told.
FOLDERS = layout.HISTORY_FOLDERS
CLOSED = frozenset(get_args(EngagementStatus)) - LIVE
EventKind = Literal[
    "school-added", "school-joined", "school-left", "school-removed", "school-details", "membership",
    "headteacher", "inspection", "support-level", "support-change",
    "engagement-opened", "engagement-changed", "engagement-status", "engagement-closed", "engagement-removed",
    "visit-added", "visit-planned", "visit-logged", "visit-cancelled", "visit-postponed", "visit-status",
    "visit-moved", "visit-removed",
    "event-planned", "event-logged", "event-cancelled", "event-status", "event-moved", "event-removed",
]
VISIT_KINDS: dict[str, EventKind] = {"planned": "visit-planned", "completed": "visit-logged", "cancelled": "visit-cancelled",
               "postponed": "visit-postponed"}

Doc = Mapping[str, Any] | None


@dataclass(frozen=True)
class Meta:
    """The commit a change came in: its author date, short hash and author."""

    date: dt.date
    commit: str
    author: str


@dataclass(frozen=True)
class Event:
    """One thing that happened to the records, as the commit that did it tells it."""

    date: dt.date
    commit: str
    author: str
    kind: EventKind
    school: str | None
    summary: str
    path: str = ""
    year: str | None = None  # the academic year a support event is about

    def as_dict(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "commit": self.commit, "author": self.author,
                "kind": self.kind, "school": self.school, "summary": self.summary, "path": self.path}


@dataclass(frozen=True)
class History:
    events: list[Event]
    notes: list[str] = field(default_factory=list)
    shallow: bool = False


# --- pure: one file's change -> events ---------------------------------------------


def diff(path: str, old: Doc, new: Doc, meta: Meta) -> list[Event]:
    """Events for one record file changed in one commit (`path` relative to the root)."""
    found = layout.parse(path)
    if found is None:
        return []
    kind, ident, _ = found
    if kind.name == "school":
        return school_events(ident, old, new, meta, path)
    if kind.name == "engagement":
        return engagement_events(old, new, meta, path)
    if kind.name == "visit":
        return visit_events(old, new, meta, path)
    if kind.name == "event":
        return trust_event_events(old, new, meta, path)
    return []


def _recorder(meta: Meta, school: str | None, path: str) -> tuple[list[Event], Callable[..., None]]:
    """A list of events and a function adding one (of a kind, with a summary) to it."""
    out: list[Event] = []

    def ev(kind: EventKind, summary: str, year: str | None = None) -> None:
        out.append(Event(meta.date, meta.commit, meta.author, kind, school, summary, path, year))

    return out, ev


def _school_of(doc: Mapping[str, Any]) -> str | None:
    return doc["school"] if isinstance(doc.get("school"), str) else None


def school_events(school: str, old: Doc, new: Doc, meta: Meta, path: str = "") -> list[Event]:
    out, ev = _recorder(meta, school, path)
    if new is None:
        if old is not None:
            ev("school-removed", f"school record removed (was {_s(old.get('membership'))})")
        return out
    before: Mapping[str, Any] = old or {}
    m_old, m_new = before.get("membership"), new.get("membership")
    joined = f", joined {_s(new['joined'])}" if new.get("joined") else ""
    if old is None:
        ev("school-joined" if m_new == "academy" else "school-added", f"school added ({_s(m_new)}{joined})")
    elif m_old != m_new:
        if m_new == "academy":
            ev("school-joined", f"school joined (membership {_s(m_old)} -> academy{joined})")
        elif m_old == "academy":
            ev("school-left", f"school left (membership academy -> {_s(m_new)})")
        else:
            ev("membership", f"membership {_s(m_old)} -> {_s(m_new)}")
    if old is not None:
        details = [f"{key.replace('_', ' ')}: {_s(before.get(key))} -> {_s(new.get(key))}"
                   for key in ("name", "phase", "religious_character", "local_authority")
                   if before.get(key) != new.get(key)]
        if details:
            ev("school-details", "; ".join(details))
        head_old, head_new = _get(before.get("headteacher"), "name"), _get(new.get("headteacher"), "name")
        if head_old != head_new:
            started = _get(new.get("headteacher"), "started")
            ev("headteacher", f"headteacher {_s(head_old)} -> {_s(head_new)}"
               + (f" (started {_s(started)})" if started else ""))
        seen = {_get(i, "date") for i in _list(before.get("inspections"))}
        for inspection in _list(new.get("inspections")):
            if _get(inspection, "date") not in seen:
                ev("inspection", f"inspection {_s(_get(inspection, 'date'))} recorded: {_outcome(inspection)}")
    for year, summary in _support_changes(before.get("support"), new.get("support")):
        ev("support-level", f"support level {year}: {summary}", year)
    for year, summary in _mid_year_changes(before.get("support"), new.get("support")):
        ev("support-change", f"support level {year}: {summary}", year)
    return out


def _mid_year_changes(old: Any, new: Any) -> list[tuple[str, str]]:
    """Each change within a year (`changes`) that is new or revised: from when, the level
    it replaces and the new one, when it was decided and why."""
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    out = []
    for year in sorted(new, key=str):
        now = new[year]
        known = [c for c in _list(_get(old.get(year), "changes")) if isinstance(c, Mapping)]
        level = _get(now, "level")
        for c in sorted((c for c in _list(_get(now, "changes")) if isinstance(c, Mapping)),
                        key=lambda c: str(c.get("from"))):
            if c not in known:
                decided = f"decided {_s(c.get('decided'))}" if c.get("decided") else ""
                why = f"rationale: {_squash(c['rationale'])}" if c.get("rationale") else ""
                risk = f"risk {_s(c.get('risk'))}" if c.get("risk") else ""
                details = "; ".join(part for part in (decided, risk, why) if part)
                out.append((str(year), f"changes from {_s(c.get('from'))}: {_s(level)} -> {_s(c.get('level'))}"
                            + (f" ({details})" if details else "")))
            level = c.get("level")
    return out


def _support_changes(old: Any, new: Any) -> list[tuple[str, str]]:
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    out = []
    for year in sorted(set(old) | set(new), key=str):
        was, now = old.get(year), new.get(year)
        if was == now:
            continue
        level_was, level_now = _get(was, "level"), _get(now, "level")
        rationale = _get(now, "rationale")
        why = f" (rationale: {_squash(rationale)})" if rationale else ""
        if now is None:
            out.append((str(year), f"withdrawn (was {_s(level_was)})"))
        elif was is None:
            out.append((str(year), f"{_s(level_now)}{why}"))
        elif level_was != level_now:
            out.append((str(year), f"{_s(level_was)} -> {_s(level_now)}{why}"))
        else:
            revised = [k for k in ("decided", "rationale", "extra", "risk") if _get(was, k) != _get(now, k)]
            if not revised and _get(was, "changes") != _get(now, "changes"):
                continue  # told by _mid_year_changes
            shown = why if "rationale" in revised else ""
            out.append((str(year), f"{_s(level_now)} (revised: {', '.join(revised) or 'details'}){shown}"))
    return out


def engagement_events(old: Doc, new: Doc, meta: Meta, path: str = "") -> list[Event]:
    doc = new if new is not None else old
    if doc is None:
        return []
    title = _s(doc.get("title"))
    out, ev = _recorder(meta, _school_of(doc), path)
    if old is None or new is None:
        status = _s(doc.get("status", "active"))
        if new is None:
            ev("engagement-removed", f"engagement record removed: {title} (was {status})")
        else:
            ev("engagement-opened", f"engagement opened: {title} ({_s(doc.get('kind'))}, {status})")
        return out
    s_old, s_new = old.get("status", "active"), new.get("status", "active")
    if s_old != s_new:
        if s_new in CLOSED and s_old not in CLOSED:
            ev("engagement-closed", f"engagement closed ({s_new}): {title}")
        else:
            ev("engagement-status", f"engagement {_s(s_old)} -> {_s(s_new)}: {title}")
    changed = [f"{key} {_s(old.get(key))} -> {_s(new.get(key))}"
               for key in ("start", "end", "days", "staff") if old.get(key) != new.get(key)]
    if changed:
        ev("engagement-changed", f"{title}: " + "; ".join(changed))
    before = _reviews(old)
    for objective, reviews in _reviews(new).items():
        for date, rag in sorted(reviews - before.get(objective, set())):
            ev("objective-reviewed", f"{title}: objective {objective} reviewed {date}: {rag}")
    report = new.get("end_report")
    if isinstance(report, Mapping) and not isinstance(old.get("end_report"), Mapping):
        ev("engagement-end-report", f"end of deployment report: {title}: recommendation "
                                    f"{_s(report.get('recommendation')).replace('-', ' ')}")
    return out


def _reviews(doc: Mapping[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """Each objective's reviews as (date, rating), keyed by its id or number (strings and numbers as written)."""
    items = doc.get("objectives")
    out: dict[str, set[tuple[str, str]]] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, Mapping) and isinstance(item.get("reviews"), list):
            out[_s(item.get("id") or i + 1)] = {(_s(r.get("date")), _s(r.get("rag")))
                                                for r in item["reviews"] if isinstance(r, Mapping)}
    return out


EVENT_KINDS = {"planned": "event-planned", "completed": "event-logged", "cancelled": "event-cancelled"}


def trust_event_events(old: Doc, new: Doc, meta: Meta, path: str = "") -> list[Event]:
    """A trust-wide event (events/) planned, held, cancelled, moved or removed; it has no one school."""
    doc = new if new is not None else old
    if doc is None:
        return []
    out, ev = _recorder(meta, None, path)
    schools = _list(doc.get("schools"))
    what = f"{_s(doc.get('activity'))} on {_s(doc.get('date'))} ({len(schools)} school{'s' if len(schools) != 1 else ''})"
    status = doc.get("status")
    if new is None:
        ev("event-removed", f"event removed: {what} (was {_s(status)})")
    elif old is None or old.get("status") != status:
        verb = "held" if status == "completed" else _s(status)
        ev(EVENT_KINDS.get(str(status), "event-status"), f"event {verb}: {what}")
    elif old.get("date") != new.get("date"):
        ev("event-moved", f"event moved: {_s(new.get('activity'))} {_s(old.get('date'))} -> {_s(new.get('date'))}")
    return out


def visit_events(old: Doc, new: Doc, meta: Meta, path: str = "") -> list[Event]:
    doc = new if new is not None else old
    if doc is None:
        return []
    out, ev = _recorder(meta, _school_of(doc), path)
    what = f"{_s(doc.get('activity'))} on {_s(doc.get('date'))}"
    status = doc.get("status")
    reason = f": {_squash(doc['reason'])}" if doc.get("reason") and status in CALLED_OFF else ""
    if new is None:
        ev("visit-removed", f"visit removed: {what} (was {_s(status)})")
        return out
    if old is None:
        verb = "logged" if status == "completed" else _s(status)
        ev(VISIT_KINDS.get(str(status), "visit-added"), f"visit {verb}: {what}{reason}")
        return out
    if old.get("date") != new.get("date"):
        ev("visit-moved", f"visit moved: {_s(new.get('activity'))} {_s(old.get('date'))} -> {_s(new.get('date'))}")
    if old.get("status") != status:
        kind = VISIT_KINDS.get(str(status), "visit-status") if status != "planned" else "visit-status"
        ev(kind, f"visit {_s(status)}: {what}{reason}" if kind != "visit-status"
           else f"visit {_s(old.get('status'))} -> {_s(status)}: {what}")
    return out


def pair_moves(changes: list[tuple[str, Doc, Doc]]) -> list[tuple[str, Doc, Doc]]:
    """Within one commit, a visit file removed and one added for the same school and
    activity is one visit moved (git's rename detection misses it when the notes changed too)."""
    added = {i: c for i, c in enumerate(changes)
             if c[1] is None and c[2] is not None and _is_visit(c[0])}
    out: list[tuple[str, Doc, Doc]] = []
    used: set[int] = set()
    for i, (path, old, new) in enumerate(changes):
        if i in added:
            continue
        if new is None and old is not None and _is_visit(path):
            match = next((j for j, (_, _, doc) in added.items() if j not in used and doc is not None
                          and (doc.get("school"), doc.get("activity")) == (old.get("school"), old.get("activity"))),
                         None)
            if match is not None:
                used.add(match)
                out.append((added[match][0], old, added[match][2]))
                continue
        out.append((path, old, new))
    out.extend(c for j, c in added.items() if j not in used)
    return out


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(_s(v) for v in value) or "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _squash(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _outcome(inspection: Any) -> str:
    if _get(inspection, "judgement"):
        category = _get(inspection, "category")
        return _s(_get(inspection, "judgement")) + (f" ({category})" if category else "")
    grades = _get(inspection, "grades")
    if isinstance(grades, Mapping):
        counts: dict[str, int] = {}
        for grade in grades.values():
            counts[str(grade)] = counts.get(str(grade), 0) + 1
        text = ", ".join(f"{n} {g}" for g, n in counts.items())
        return f"report card ({text}; safeguarding {_s(_get(inspection, 'safeguarding'))})"
    return _s(_get(inspection, "framework"))


# --- reading git ---------------------------------------------------------------------


def events(root: Path, since: dt.date | None = None, until: dt.date | None = None,
           school: str | None = None) -> list[Event]:
    """Every event in the records' history between two dates (inclusive), oldest
    first; with `school`, that school's only."""
    return history(root, since=since, until=until, school=school).events


def history(root: Path, *, since: dt.date | None = None, until: dt.date | None = None,
            since_rev: str | None = None, school: str | None = None, pending: bool = True) -> History:
    """Events from git, with notes on what the history cannot tell (a shallow clone,
    uncommitted changes, a file version that does not parse). Raises `GitError`
    outside a repository. Only the commits of the period are read (`git log
    --since`), and with `school` only the files of that school (its file, the
    visit files named for it, and engagements, which name their school inside),
    so a one-school report reads its school's history, not the trust's. With `pending`,
    the notes say how many record files have changes not yet committed (a report, which
    shows no notes, leaves that out: asking git costs a stat of every file)."""
    from stss import git

    git.require_repo(root)
    if not git.has_commits(root):
        return History([], ["the repository has no commits yet"])
    notes: list[str] = []
    shallow = git.is_shallow(root)
    if shallow:
        for short, when in git.roots(root):
            notes.append(f"this is a shallow clone: history before {when.date()} is missing, and what commit "
                         f"{short} changed cannot be told from what came before it "
                         "(run 'git fetch --unshallow' for the whole history)")
    from stss.store import CommitChanges

    with CommitChanges(root) as cache:
        listed = git.log(root, layout.history_paths(school), since=since, since_rev=since_rev, cache=cache)
    wanted = [c for c in listed
              if (since is None or c.date.date() >= since) and (until is None or c.date.date() <= until)
              and not (shallow and not c.parents)]
    specs: list[str] = []
    plan: list[list[tuple[str, int | None, int | None]]] = [[] for _ in wanted]
    for n, commit in enumerate(wanted):
        for change in commit.changes:
            if not is_record_path(change.path):
                continue
            old_index = new_index = None
            if change.status != "A" and commit.parents and change.old_blob:
                old_index = len(specs)
                specs.append(change.old_blob)
            if change.status != "D" and change.new_blob:
                new_index = len(specs)
                specs.append(change.new_blob)
            plan[n].append((change.path, old_index, new_index))
    blobs = git.read_objects(root, specs)
    out: list[Event] = []
    for n, commit in enumerate(wanted):
        meta = Meta(commit.date.date(), commit.short, commit.author)
        changes: list[tuple[str, Doc, Doc]] = []
        for path, old_index, new_index in plan[n]:
            old, old_ok = _doc(path, None if old_index is None else blobs[old_index])
            new, new_ok = _doc(path, None if new_index is None else blobs[new_index])
            if old_ok and new_ok:
                changes.append((path, old, new))
            else:
                notes.append(f"{commit.short}: {path} did not parse as a record there; its change is not shown")
        for path, old, new in pair_moves(changes):
            out.extend(e for e in diff(path, old, new, meta) if school is None or e.school == school)
    changed = git.uncommitted(root, FOLDERS) if pending else []
    if changed:
        notes.append(f"{len(changed)} record file(s) have changes not yet committed; history shows commits only")
    return History(out, notes, shallow)


def schools_on(root: Path, day: dt.date, school: str | None = None) -> dict[str, Mapping[str, Any]] | None:
    """Each school's file (or only `school`'s), parsed, as committed on or before `day`: None
    when there was no commit by then. Files that do not parse are left out. Raises `GitError`
    outside a repository."""
    from stss import git

    git.require_repo(root)
    commit = git.commit_on(root, day) if git.has_commits(root) else None
    if commit is None:
        return None
    kind = layout.KINDS["school"]
    files = [(rel, blob) for rel, blob in git.blobs_in(root, commit, kind.folder or "")
             if (found := layout.parse(rel)) is not None and found[0] is kind
             and school in (None, layout.stem_of(rel))]
    out: dict[str, Mapping[str, Any]] = {}
    for (rel, _), raw in zip(files, git.read_objects(root, [blob for _, blob in files]), strict=True):
        doc, _ = _doc(rel, raw)
        if doc is not None:
            out[layout.stem_of(rel)] = doc
    return out


def is_record_path(path: str) -> bool:
    """A file of a kind whose history is told."""
    found = layout.parse(path)
    return found is not None and found[0].history


def _is_visit(path: str) -> bool:
    found = layout.parse(path)
    return found is not None and found[0].name == "visit"


def _doc(path: str, raw: bytes | None) -> tuple[Doc, bool]:
    """A file version as parsed YAML: (None, True) when there is no file, (None, False)
    when there is one that is not a YAML mapping."""
    from stss.errors import Problem
    from stss.parsing import decode, load_yaml, split_front_matter

    if raw is None:
        return None, True
    text, _ = decode(path, raw)
    if text is None:
        return None, False
    if layout.has_front_matter(path):
        split = split_front_matter(path, text)
        if isinstance(split, Problem):
            return None, False
        text = split[0]
    data, problems = load_yaml(path, text)
    return (data, True) if not problems and isinstance(data, dict) else (None, False)


# --- for the termly report --------------------------------------------------------------


def for_report(root: Path, since: dt.date, until: dt.date, school: str | None = None) -> ReportHistory:
    """The report's changes from git between two dates (one school's, with `school`), or why there are none."""
    from stss.errors import GitError
    from stss.git import NotARepository
    from stss.report_model import ChangeEvent
    from stss.report_model import History as ReportHistory

    if until < since:
        return ReportHistory(True)
    try:
        found = history(root, since=since, until=until, school=school, pending=False).events
    except GitError as exc:
        reason = "the records folder is not in a git repository" if isinstance(exc, NotARepository) else exc.message
        return ReportHistory(False, reason=reason)
    return ReportHistory(True, tuple(ChangeEvent(e.date, e.commit, e.author, e.kind, e.school, e.summary, year=e.year)
                                     for e in found))


def committed_on(root: Path, days: list[dt.date], school: str | None = None) -> dict[str, Mapping[str, Any]]:
    """The school files (or only `school`'s) as committed on each day (by ISO date), where git
    has them; none outside git (the report's trend then reads the records as they stand)."""
    from stss.errors import GitError

    out: dict[str, Mapping[str, Any]] = {}
    for day in days:
        try:
            docs = schools_on(root, day, school)
        except GitError:
            return {}
        if docs is not None:
            out[day.isoformat()] = docs
    return out


def parse_since(root: Path, since: str | None) -> tuple[dt.date | None, str | None]:
    """`stss history --since`: a date, or a revision git knows (a tag, a branch, a hash)."""
    from stss import git
    from stss.errors import UsageError

    if since is None:
        return None, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        try:
            return dt.date.fromisoformat(since), None
        except ValueError:
            raise UsageError(f"--since {since} is not a date", "write dates as YYYY-MM-DD") from None
    if git.resolve(root, since) is None:
        raise UsageError(f"--since {since} is neither a date (YYYY-MM-DD) nor a revision git knows",
                         "use a date, a tag, a branch or a commit hash")
    return None, since


def listing(root: Path, since: str | None, until: dt.date | None,
            school: str | None) -> tuple[History, list[Event]]:
    """`stss history`: what git says since a date or revision (and up to `until`), and its events
    of one school if given; a school never in the records is a usage error."""
    from stss import git, store
    from stss.errors import require_known

    git.require_repo(root)
    since_date, since_rev = parse_since(root, since)
    found = history(root, since=since_date, until=until, since_rev=since_rev)
    if school is not None:
        known = {f.record_id for f in store.list_files(root)[0] if f.kind == "school"}
        require_known("school", school, known | {e.school for e in found.events if e.school})
    return found, [e for e in found.events if school in (None, e.school)]
