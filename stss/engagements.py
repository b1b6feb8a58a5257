"""Engagement burn: days commissioned against days delivered and planned.

Days delivered are the `days` of completed visits that name the engagement;
planned are those of planned visits. Flags say what needs a decision:
- ending within 30 days, or ended with days undelivered;
- behind its burn: an active engagement that has delivered at least a day
  less than its days times the share of its span gone by `today`;
- will end with days left: an active engagement whose delivered and planned
  days fall short of what was commissioned (`stss plan` plans the rest);
- a trust partnership past 12 months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from stss import calendar
from stss.layout import Scope
from stss.models import LIVE, Engagement, Records

ENDING_SOON = dt.timedelta(days=30)
PARTNERSHIP_REVIEW = dt.timedelta(days=365)


@dataclass(frozen=True)
class Burn:
    engagement: str
    school: str
    kind: str
    title: str
    status: str
    start: dt.date
    end: dt.date | None
    commissioned: float
    delivered: float
    planned: float
    flags: tuple[str, ...]

    @property
    def remaining(self) -> float:
        return max(0.0, self.commissioned - self.delivered - self.planned)

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"remaining": self.remaining, "flags": list(self.flags)}


def burn(records: Records, today: dt.date, status: str | None = None,
         shown: Iterable[str] | None = None) -> list[Burn]:
    """Every engagement's burn (or the `shown` ones'), from the visits read: all of
    them, or from the start of the earliest engagement shown (`scope_from_start`)."""
    wanted = set(records.engagements if shown is None else shown)
    delivered: dict[str, float] = {}
    planned: dict[str, float] = {}
    for visit in records.visits.values():
        if not visit.engagement:
            continue
        days = visit.days_for(records.activity(visit.activity))
        if visit.status == "completed":
            delivered[visit.engagement] = delivered.get(visit.engagement, 0.0) + days
        elif visit.status == "planned":
            planned[visit.engagement] = planned.get(visit.engagement, 0.0) + days
    out = []
    for eid, e in sorted(records.engagements.items()):
        if eid not in wanted or (status and e.status != status):
            continue
        done, booked = delivered.get(eid, 0.0), planned.get(eid, 0.0)
        out.append(Burn(eid, e.school, e.kind, e.title, e.status, e.start, e.end, e.days, done, booked,
                        _flags(e.kind, e.status, e.start, e.end, e.days, done, booked, today)))
    return out


def running(records: Records, year: str) -> dict[str, Engagement]:
    """The engagements of a year: those whose span meets it, and any still live that began
    by its end (an engagement left active past its end date still needs a decision)."""
    assert records.trust is not None
    first, last = calendar.year_span(year, records.trust.years[year])
    return {eid: e for eid, e in records.engagements.items()
            if e.start <= last and (e.end is None or e.end >= first or e.is_live)}


def scope_from_start(records: Records, shown: Iterable[Engagement], year: str, scope: Scope) -> Scope | None:
    """A wider scope than `scope` (the years it read) when one of the `shown` engagements
    started before them, so that the days it has delivered count from its start; None when
    `scope` already holds them."""
    trust = records.trust
    assert trust is not None and scope.years is not None
    earliest = min((e.start for e in shown), default=None)
    configured = sorted(trust.years)
    read_from = min((calendar.year_span(y, trust.years[y])[0] for y in scope.years if y in trust.years), default=None)
    if earliest is None or (read_from is not None and earliest >= read_from):
        return None
    since = calendar.year_of(trust, earliest)
    if since is None:  # before every configured year: read them all
        return replace(scope, years=frozenset(configured))
    return replace(scope, years=frozenset(y for y in configured if since <= y <= year) | scope.years)


def due_by(start: dt.date, end: dt.date | None, days: float, today: dt.date) -> float | None:
    """The days an even burn would have delivered by `today`: `days` times the share
    of the span gone (None without an end date)."""
    if end is None or end <= start:
        return None
    gone = min(max((today - start).days, 0), (end - start).days)
    return days * gone / (end - start).days


def _flags(kind: str, status: str, start: dt.date, end: dt.date | None, days: float, done: float,
           booked: float, today: dt.date) -> tuple[str, ...]:
    flags = []
    live = status in LIVE
    if end and live and today <= end <= today + ENDING_SOON:
        flags.append(f"ends {end}")
    if end and end < today and done < days:
        flags.append(f"ended with {days - done:g} day(s) undelivered")
    due = due_by(start, end, days, today)
    if status == "active" and due is not None and end and today <= end and done <= due - 1:
        flags.append(f"behind: {done:g} of {days:g} day(s) delivered, {due:.1f} due by now")
    if status == "active" and end and today <= end and done + booked < days - 1e-9:
        flags.append(f"will end with {days - done - booked:g} day(s) left unless more are planned")
    if kind == "trust-partnership" and live and start + PARTNERSHIP_REVIEW <= today:
        flags.append("partnership over 12 months: decide to join or end")
    return tuple(flags)


def work_activity(records: Records, engagement_id: str) -> str | None:
    """The activity an engagement's days are planned as: its `activity`, else the
    one its visits use most (the first by name on a tie), else none."""
    e = records.engagements[engagement_id]
    if e.activity:
        return e.activity
    used = Counter(v.activity for v in records.visits.values() if v.engagement == engagement_id)
    return min(used, key=lambda a: (-used[a], a)) if used else None


#: Columns of `stss engagements --format json|csv`: the burn, the value of traded work, and
#: each objective's latest rating.
COLUMNS = ("engagement", "school", "kind", "title", "status", "start", "end", "commissioned", "delivered",
           "planned", "remaining", "rate", "value_commissioned", "value_delivered", "value_to_deliver", "flags",
           "objectives")


def rows(records: Records, burns: list[Burn], *, flat: bool = False) -> list[dict[str, object]]:
    """Each engagement as a row in COLUMNS; `flat` (for CSV) writes the lists as text:
    `behaviour-policy: green (improving); attendance: not reviewed`."""
    from stss import funding, objectives

    out = []
    for b in burns:
        value = funding.value(records.engagements[b.engagement], b.delivered)
        progress = objectives.progress(b.engagement, records.engagements[b.engagement])
        row = b.as_dict() | {"rate": value.rate if value else None,
                             "value_commissioned": value.commissioned if value else None,
                             "value_delivered": value.delivered if value else None,
                             "value_to_deliver": value.to_deliver if value else None}
        if flat:
            row |= {"flags": "; ".join(b.flags), "objectives": "; ".join(
                f"{p.ref}: not reviewed" if p.latest is None
                else f"{p.ref}: {p.latest.rag}" + (f" ({p.direction})" if p.direction else "") for p in progress)}
        else:
            row["objectives"] = [p.as_dict() for p in progress]
        out.append(row)
    return out
