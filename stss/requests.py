"""Requests from schools: logging them, moving them on, and which are overdue.

The rules behind `stss log-request`, `stss update-request` and `stss requests`,
as pure functions over `Records`:

- a request is due an answer by its `respond_by`, by default five school days
  after it was `raised` (weekends, half-term breaks, holidays and closures
  skipped, by the trust's term dates);
- it is overdue while still `open` or `triaged` after that day; once work is
  `in-progress`, or it is `resolved` or `declined`, it is not;
- a new request's id is its school and the first words of its summary,
  numbered from -2 when taken;
- moving a request on edits its file in place (`stss.yamledit`), keeping every
  comment; a closed request is not reopened (log a new one).

The time a request took is counted in school days from `raised` to `resolved`.
Reading and writing is the caller's: file texts come in, `Change`s go out.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection
from dataclasses import asdict, dataclass

from stss import calendar, yamledit
from stss.changes import Change
from stss.errors import UsageError, require_known
from stss.layout import record_path
from stss.models import Records, Request, RequestStatus, Trust, Urgency
from stss.parsing import has_control_characters, slugify
from stss.visits import require_engagement_of

#: School days a school waits, at most, for a first answer unless `respond_by` says otherwise.
RESPONSE_SCHOOL_DAYS = 5
#: Keys in the order the records format lists them.
KEYS = tuple(Request.model_fields)
OPEN = ("open", "triaged")  # still waiting for the trust: these can be overdue
CLOSED = ("resolved", "declined")
ID_WORDS = 6
ID_LENGTH = 80
COLUMNS = ("id", "school", "raised", "raised_by", "summary", "category", "urgency", "status", "respond_by",
           "overdue", "school_days_late", "assigned", "engagement", "resolved", "outcome")


def respond_by(trust: Trust, request: Request) -> dt.date:
    """The day the school should have an answer by: `respond_by`, else five school days after `raised`."""
    if request.respond_by is not None:
        return request.respond_by
    return calendar.school_days_after(trust, request.raised, RESPONSE_SCHOOL_DAYS)


def is_overdue(trust: Trust, request: Request, today: dt.date) -> bool:
    return request.status in OPEN and today > respond_by(trust, request)


@dataclass(frozen=True)
class RequestRow:
    """One request as `stss requests` lists it."""

    id: str
    school: str
    raised: dt.date
    raised_by: str | None
    summary: str
    category: str | None
    urgency: Urgency
    status: RequestStatus
    respond_by: dt.date
    overdue: bool
    school_days_late: int  # school days past respond_by, while overdue
    assigned: tuple[str, ...]
    engagement: str | None
    resolved: dt.date | None
    outcome: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"assigned": list(self.assigned)}


_URGENCY_ORDER = {"high": 0, "medium": 1, "low": 2}


def listing(records: Records, today: dt.date, *, status: str | None = None, school: str | None = None,
            overdue_only: bool = False) -> list[RequestRow]:
    """Requests, most pressing first: overdue, then open by urgency and due date, closed last."""
    trust = records.trust
    assert trust is not None
    out = []
    for rid, r in records.requests.items():
        if (status and r.status != status) or (school and r.school != school):
            continue
        due = respond_by(trust, r)
        late = is_overdue(trust, r, today)
        if overdue_only and not late:
            continue
        out.append(RequestRow(rid, r.school, r.raised, r.raised_by, r.summary, r.category, r.urgency, r.status,
                              due, late, calendar.school_days_since(trust, due, today) if late else 0,
                              tuple(r.assigned), r.engagement, r.resolved, r.outcome))
    return sorted(out, key=lambda row: (row.status in CLOSED, not row.overdue, _URGENCY_ORDER[row.urgency],
                                        row.respond_by, row.id))


# --- figures for summaries and the board pack ---------------------------------------


@dataclass(frozen=True)
class RequestFigures:
    """Requests over a stretch of time (a term, say), as of `today`."""

    open: int  # not resolved or declined, raised by today
    overdue: int  # open or triaged after respond_by
    raised: int  # raised between start and end
    resolved: int  # resolved between start and end
    declined: int  # declined between start and end
    median_days_to_respond: float | None  # school days raised -> resolved/declined, of those closed in the span

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def figures(records: Records, start: dt.date, end: dt.date, today: dt.date,
            schools: Collection[str] | None = None) -> RequestFigures:
    """Request figures for `start`..`end` (a term) as of `today`, for some schools or all."""
    trust = records.trust
    assert trust is not None
    chosen = [r for r in records.requests.values() if schools is None or r.school in schools]
    live = [r for r in chosen if r.raised <= today and not (r.closed and r.resolved and r.resolved <= today)]
    closed = [r for r in chosen if r.closed and r.resolved and start <= r.resolved <= min(end, today)]
    took = [calendar.school_days_since(trust, r.raised, r.resolved) for r in closed if r.resolved]
    return RequestFigures(
        open=len(live),
        overdue=sum(is_overdue(trust, r, today) for r in live),
        raised=sum(start <= r.raised <= min(end, today) for r in chosen),
        resolved=sum(r.status == "resolved" for r in closed),
        declined=sum(r.status == "declined" for r in closed),
        median_days_to_respond=float(statistics.median(took)) if took else None,
    )


# --- logging a new request -----------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    school: str
    summary: str
    raised: dt.date
    urgency: Urgency = "medium"
    category: str | None = None
    raised_by: str | None = None
    assigned: tuple[str, ...] = ()
    respond_by: dt.date | None = None


def new_id(school: str, summary: str, taken: Collection[str]) -> str:
    """`<school>-<first words of the summary>`, numbered from -2 when taken."""
    words = slugify(summary).split("-")[:ID_WORDS]
    base = f"{school}-{'-'.join(words)}"[:ID_LENGTH].rstrip("-")
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def check_new(records: Records, new: NewRequest) -> None:
    """Refuse, as a usage error, a request that names what does not exist."""
    require_known("school", new.school, records.schools)
    for person in new.assigned:
        require_known("person", person, records.people)
    if not new.summary.strip():
        raise UsageError("--summary is empty", "say in a sentence what the school asked for")
    for option, text in (("--summary", new.summary), ("--raised-by", new.raised_by), ("--category", new.category)):
        plain_text(option, text)
    if new.category is not None and slugify(new.category) != new.category:
        raise UsageError(f"--category '{new.category}' is not a slug", f"use e.g. {slugify(new.category)}")
    trust = records.trust
    if trust is not None and calendar.year_of(trust, new.raised) is None:
        raise UsageError(f"{new.raised} is outside every academic year in trust.yaml",
                         f"years configured: {', '.join(sorted(trust.years))}")
    if new.respond_by is not None and new.respond_by < new.raised:
        raise UsageError(f"--respond-by {new.respond_by} is before the request was raised ({new.raised})")


def build_new(records: Records, new: NewRequest, taken: Collection[str]) -> tuple[str, dt.date, Change]:
    """The id, respond-by date and file of a new request; `taken` holds the request ids on disk."""
    trust = records.trust
    assert trust is not None
    ident = new_id(new.school, new.summary, taken)
    due = new.respond_by or calendar.school_days_after(trust, new.raised, RESPONSE_SCHOOL_DAYS)
    pairs: list[tuple[str, object]] = [("school", new.school), ("raised", new.raised)]
    pairs += [("raised_by", yamledit.text_value(new.raised_by))] if new.raised_by else []
    pairs += [("summary", yamledit.text_value(new.summary))]
    pairs += [("category", new.category)] if new.category else []
    pairs += [("urgency", new.urgency), ("status", "open"), ("respond_by", due)]
    pairs += [("assigned", yamledit.flow_list(new.assigned))] if new.assigned else []
    return ident, due, Change(record_path("request", ident), yamledit.render(yamledit.block_map(pairs)))


# --- moving a request on -------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """What `stss update-request` was asked to change; None means "leave it"."""

    status: RequestStatus | None = None
    outcome: str | None = None
    engagement: str | None = None
    assign: tuple[str, ...] = ()
    respond_by: dt.date | None = None


def plain_text(option: str, text: str | None) -> None:
    """Refuse text given on the command line that holds control characters (an escape, a NUL)."""
    if text is not None and has_control_characters(text):
        raise UsageError(f"{option} holds control characters", "type the text plainly")


def check_move(records: Records, rid: str, move: Move, today: dt.date) -> None:
    require_known("request", rid, records.requests)
    plain_text("--outcome", move.outcome)
    r = records.requests[rid]
    status = move.status or r.status
    if r.closed and move.status and move.status not in CLOSED:
        raise UsageError(f"request '{rid}' is {r.status} and stays closed",
                         "log a new request if the school raises it again")
    if move.outcome is not None and status not in CLOSED:
        raise UsageError("--outcome goes with --status resolved or declined")
    if move.status in CLOSED and not (move.outcome or r.outcome or "").strip():
        what = "what was done" if move.status == "resolved" else "why it was declined"
        raise UsageError(f"a {move.status} request needs an outcome", f'pass --outcome "{what}"')
    if move.status in CLOSED and today < r.raised:
        raise UsageError(f"it cannot be {move.status} ({today}) before it was raised ({r.raised})")
    if move.engagement is not None:
        require_engagement_of(records, move.engagement, r.school,
                              "link the request to an engagement of its own school")
    for person in move.assign:
        require_known("person", person, records.people)
    if move.respond_by is not None and move.respond_by < r.raised:
        raise UsageError(f"--respond-by {move.respond_by} is before the request was raised ({r.raised})")


def move(records: Records, rid: str, text: str, change: Move, today: dt.date) -> Change:
    """The request's file with `change` made in place, every other line as it was."""
    old = records.requests[rid]
    doc = yamledit.load(text, path=record_path("request", rid))
    data = doc.data

    def put(key: str, value: object) -> None:
        if data.get(key) != value:
            yamledit.set_key(data, key, value, KEYS)

    if change.status is not None:
        put("status", change.status)
        if change.status in CLOSED and not old.closed:
            put("resolved", today)
    if change.outcome is not None:
        put("outcome", yamledit.text_value(change.outcome))
    if change.engagement is not None:
        put("engagement", change.engagement)
    if change.respond_by is not None:
        put("respond_by", change.respond_by)
    added = [p for p in change.assign if p not in old.assigned]
    if added:
        current = data.get("assigned")
        if isinstance(current, list):
            current.extend(added)
        else:
            put("assigned", yamledit.flow_list([*old.assigned, *added]))
    return Change(record_path("request", rid), yamledit.dump(doc))


def commit_message(records: Records, verb: str, school: str, summary: str) -> str:
    """`Log request from Hill Top Primary: Persistent absence in Year 9`."""
    found = records.schools.get(school)
    summary = " ".join(summary.split())
    short = summary if len(summary) <= 60 else summary[:57] + "..."
    return f"{verb} request from {found.name if found else school}: {short}"
