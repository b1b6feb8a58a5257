"""Engagement burn: days commissioned against days delivered and planned.

Days delivered are the `days` of completed visits that name the engagement;
planned are those of planned visits. Flags say what needs a decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from stss.models import LIVE, Records

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


def burn(records: Records, today: dt.date, status: str | None = None) -> list[Burn]:
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
        if status and e.status != status:
            continue
        done, booked = delivered.get(eid, 0.0), planned.get(eid, 0.0)
        out.append(Burn(eid, e.school, e.kind, e.title, e.status, e.start, e.end, e.days, done, booked,
                        _flags(e.kind, e.status, e.start, e.end, e.days, done, today)))
    return out


def _flags(kind: str, status: str, start: dt.date, end: dt.date | None, days: float, done: float,
           today: dt.date) -> tuple[str, ...]:
    flags = []
    live = status in LIVE
    if end and live and today <= end <= today + ENDING_SOON:
        flags.append(f"ends {end}")
    if end and end < today and done < days:
        flags.append(f"ended with {days - done:g} day(s) undelivered")
    if kind == "trust-partnership" and live and start + PARTNERSHIP_REVIEW <= today:
        flags.append("partnership over 12 months: decide to join or end")
    return tuple(flags)
