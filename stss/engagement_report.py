"""`build()`: one engagement's report (`stss report --engagement ID`) from the records.

What the trust was asked to do and what it did: the purpose, each objective
with every progress review, the days commissioned, delivered and planned,
the staff, the funding, the visits with their notes, and once the engagement
is completed, the end-of-deployment report and its recommendation.
Confidential visits are counted but not described unless asked for, as in
the board pack. Pure: records and `today` in, an `EngagementReport` out.
"""

from __future__ import annotations

import datetime as dt

from stss import funding, objectives
from stss.engagements import burn
from stss.models import Records
from stss.report_model import (
    EndReportItem,
    EngagementReport,
    GrantItem,
    ObjectiveItem,
    ReviewItem,
    TeamMember,
)
from stss.reporting import visit_summary

#: A recommendation in the words of an end-of-deployment report.
RECOMMENDATIONS = {
    "trust-partnership": "The school should enter a trust partnership",
    "further-support": "The school needs further support",
    "none": "No further support is needed",
}


def build(records: Records, engagement_id: str, today: dt.date, include_confidential: bool = False) -> EngagementReport:
    trust = records.trust
    assert trust is not None, "build() needs loaded records"
    e = records.engagements[engagement_id]
    school = records.schools.get(e.school)
    school_name = school.name if school else e.school
    [b] = [b for b in burn(records, today) if b.engagement == engagement_id]
    visits = sorted((visit_summary(records, path, v, include_confidential) for path, v in records.visits.items()
                     if v.engagement == engagement_id and v.counts),
                    key=lambda v: (v.date, v.activity_name, v.path))
    described = tuple(v for v in visits if include_confidential or not v.confidential)
    value = funding.value(e, b.delivered)
    return EngagementReport(
        kind="engagement", title=f"{school_name}: {e.title}", trust_name=trust.name, today=today,
        include_confidential=include_confidential,
        confidential_left_out=len(visits) - len(described),
        id=engagement_id, school=e.school, school_name=school_name, engagement_kind=e.kind, status=e.status,
        purpose=e.purpose, start=e.start, end=e.end,
        days_commissioned=b.commissioned, days_delivered=b.delivered, days_planned=b.planned,
        days_remaining=b.remaining, flags=b.flags,
        objectives=tuple(
            ObjectiveItem(p.ref, p.text, p.area, tuple(ReviewItem(r.date, r.rag, r.note) for r in p.reviews),
                          p.latest.rag if p.latest else None, p.direction)
            for p in objectives.progress(engagement_id, e)),
        team=_team(records, engagement_id, e.staff),
        grants=tuple(GrantItem(g.source, g.amount, g.status, g.awarded) for g in e.funding),
        awarded_total=sum(g.amount or 0.0 for g in e.funding if g.status == "awarded"),
        applied_total=sum(g.amount or 0.0 for g in e.funding if g.status == "applied"),
        rate=value.rate if value else None,
        value_commissioned=value.commissioned if value else None,
        value_delivered=value.delivered if value else None,
        value_to_deliver=value.to_deliver if value else None,
        visits=described,
        end_report=EndReportItem(e.end_report.date, e.end_report.outcome, e.end_report.recommendation,
                                 RECOMMENDATIONS[e.end_report.recommendation]) if e.end_report else None,
    )


def _team(records: Records, engagement_id: str, named: list[str]) -> tuple[TeamMember, ...]:
    """Everyone named on the engagement or on its visits, with the days each has delivered and has planned."""
    delivered: dict[str, float] = {}
    planned: dict[str, float] = {}
    for v in records.visits.values():
        if v.engagement != engagement_id or not v.counts:
            continue
        into = delivered if v.status == "completed" else planned
        for person in v.staff:
            into[person] = into.get(person, 0.0) + v.days_for(records.activity(v.activity))
    ids = list(dict.fromkeys([*named, *sorted(delivered | planned)]))
    return tuple(
        TeamMember(pid, records.people[pid].name if pid in records.people else pid,
                   tuple(records.people[pid].roles) if pid in records.people else (),
                   delivered.get(pid, 0.0), planned.get(pid, 0.0), pid in named)
        for pid in ids)
