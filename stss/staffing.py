"""Staff deployment: days each person has delivered and has planned against capacity.

A visit's `days` (or its activity's) count in full for every member of staff
named on it: two people at a one-day review each give a day. A trust-wide
event's activity days count once for each member of its staff, however many
schools attend.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from stss import calendar
from stss.models import Event, Records, Visit


@dataclass(frozen=True)
class Load:
    person: str
    name: str
    capacity: float
    delivered: float
    planned: float

    @property
    def total(self) -> float:
        return self.delivered + self.planned

    @property
    def over(self) -> bool:
        return self.total > self.capacity

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"total": self.total, "over": self.over}


def loads(records: Records, year_id: str) -> list[Load]:
    """Each person's load in `year_id`: completed visits delivered, planned ones planned."""
    trust = records.trust
    if trust is None or year_id not in trust.years:
        return []
    start, end = calendar.year_span(year_id, trust.years[year_id])
    delivered = dict.fromkeys(records.people, 0.0)
    planned = dict.fromkeys(records.people, 0.0)
    held: list[Visit | Event] = [*records.visits.values(), *records.events.values()]
    for visit in held:
        if not start <= visit.date <= end or not visit.counts:
            continue
        days = visit.days_for(records.activity(visit.activity))
        bucket = delivered if visit.status == "completed" else planned
        for person in visit.staff:
            if person in bucket:
                bucket[person] += days
    return [
        Load(pid, p.name, p.capacity_days, delivered[pid], planned[pid])
        for pid, p in sorted(records.people.items())
    ]


def planned_days_by_person(records: Records, year_id: str) -> dict[str, float]:
    """Days already committed (delivered or planned) per person, for planning."""
    return {load.person: load.total for load in loads(records, year_id)}
