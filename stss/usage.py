"""Entitlement usage: for each school, activity and period, owed against had.

A planned or completed visit counts against its school and activity in the
period its date falls in. Where a school is owed the same activity over
periods of different lengths (say 1 a term from one line and 2 a year from
another), a visit fills the shortest period with room first. Cancelled and
postponed visits count for nothing. A visit that names an engagement counts
against the engagement's days, never against the school's entitlement. A
planned or completed trust-wide event counts once for each school in its
`schools`, like a visit to each. Visits of activities a school is not owed
stay visible as rows with `entitled: 0` over the year.

Pure: `today` is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from stss import calendar
from stss.calendar import Period
from stss.entitlements import owed
from stss.models import Records

UsageStatus = Literal["on-track", "due", "overdue", "missed", "over"]
STATUSES: tuple[UsageStatus, ...] = get_args(UsageStatus)
COLUMNS = ("school", "activity", "period", "entitled", "completed", "planned", "overdue", "remaining", "over", "status")
_PER_ORDER = {"half-term": 0, "term": 1, "year": 2}


@dataclass(frozen=True)
class UsageRow:
    school: str
    activity: str
    period: Period
    entitled: int
    completed: int
    planned: int
    overdue: int
    remaining: int
    over: int
    status: UsageStatus

    def as_dict(self) -> dict[str, object]:
        """The row at the edge (tables, JSON, exports): the period by its name."""
        return {name: getattr(self, name) for name in COLUMNS} | {"period": self.period.name}


@dataclass(frozen=True)
class Counted:
    """One planned or completed occurrence that counts against a school's entitlement:
    a visit (not engagement work), or one school's place at an event."""

    school: str
    activity: str
    date: dt.date
    status: str
    path: str


def counted(records: Records, first: dt.date = dt.date.min, last: dt.date = dt.date.max) -> list[Counted]:
    """Everything that counts against entitlements (from `first` to `last`), in date order.
    The dates pick before anything is made or sorted: the board pack counts three
    periods over records holding several years."""
    out = [Counted(v.school, v.activity, v.date, v.status, path) for path, v in records.visits.items()
           if first <= v.date <= last and v.counts and not v.engagement]
    for path, e in records.events.items():
        if e.counts and first <= e.date <= last:
            # A school named twice still took part once.
            out.extend(Counted(school, e.activity, e.date, e.status, path) for school in dict.fromkeys(e.schools))
    return sorted(out, key=lambda c: (c.date, c.school, c.activity, c.path))


@dataclass
class _Tally:
    period: Period
    entitled: int
    completed: int = 0
    planned: int = 0
    overdue: int = 0

    @property
    def used(self) -> int:
        return self.completed + self.planned + self.overdue


def usage(records: Records, year_id: str, today: dt.date) -> list[UsageRow]:
    """Usage rows for every school in `year_id`, sorted by school, activity, period."""
    trust = records.trust
    if trust is None or year_id not in trust.years:
        return []
    year = trust.years[year_id]
    year_period = calendar.periods(year_id, year, "year")[0]
    tallies: dict[tuple[str, str], list[_Tally]] = defaultdict(list)
    for school_id in records.schools:
        for o in owed(records, school_id, year_id):
            tallies[(school_id, o.activity)].append(_Tally(o.period, o.count))
    # Engagement work is not here: it counts against the engagement's days (stss.engagements).
    for visit in counted(records, year_period.start, year_period.end):
        rows = tallies[(visit.school, visit.activity)]
        tally = _tally_for(rows, visit.date)
        if tally is None:
            tally = _Tally(year_period, 0)
            rows.append(tally)
        if visit.status == "completed":
            tally.completed += 1
        elif visit.date < today:
            tally.overdue += 1
        else:
            tally.planned += 1
    out = [
        _row(school, activity, t, today)
        for (school, activity), rows in tallies.items()
        for t in rows
    ]
    return sorted(out, key=lambda r: (r.school, r.activity, _period_sort(r.period.name)))


def _tally_for(rows: list[_Tally], day: dt.date) -> _Tally | None:
    """The shortest period containing `day` that still has room, else the shortest containing it."""
    containing = sorted((t for t in rows if day in t.period), key=lambda t: _PER_ORDER[t.period.per])
    for t in containing:
        if t.used < t.entitled:
            return t
    return containing[0] if containing else None


def _row(school: str, activity: str, t: _Tally, today: dt.date) -> UsageRow:
    remaining = max(0, t.entitled - t.used)
    over = max(0, t.completed - t.entitled)
    return UsageRow(school, activity, t.period, t.entitled, t.completed, t.planned, t.overdue,
                    remaining, over, status_of(t.period, remaining, over, t.overdue, today))


def status_of(period: Period, remaining: int, over: int, overdue: int, today: dt.date) -> UsageStatus:
    """over > missed > overdue > due > on-track."""
    if over:
        return "over"
    if remaining and period.end < today:
        return "missed"
    if overdue:
        return "overdue"
    if remaining:
        return "due"
    return "on-track"


def _period_sort(name: str) -> tuple[int, str]:
    # The year first, then terms and half-terms in calendar order.
    label = name.split("/", 1)[1] if "/" in name else ""
    order = ["", "autumn", "autumn-1", "autumn-2", "spring", "spring-1", "spring-2",
             "summer", "summer-1", "summer-2"]
    return (order.index(label) if label in order else len(order), name)


def in_term(row: UsageRow, term: str) -> bool:
    """Rows over periods that overlap `term`: the term, its half-terms, and the year."""
    if row.period.per == "year":
        return True
    return row.period.label == term or row.period.label.startswith(f"{term}-")


def chosen(rows: Iterable[UsageRow], school: str | None = None, activity: str | None = None,
           term: str | None = None) -> list[UsageRow]:
    """The rows of one school, one activity or one term, as `stss usage` filters them."""
    return [row for row in rows if school in (None, row.school) and activity in (None, row.activity)
            and (term is None or in_term(row, term))]


def totals(rows: list[UsageRow]) -> dict[str, int]:
    """Sums of the count columns, for trust-wide and per-school figures."""
    keys = ("entitled", "completed", "planned", "overdue", "remaining", "over")
    return {k: sum(int(getattr(r, k)) for r in rows) for k in keys} | {
        "missed": sum(r.remaining for r in rows if r.status == "missed")
    }
