"""Where a school stands for trustees: its rating now and at earlier terms, what needs a
decision, its key findings, and the impact of the support.

Pure functions over `Records` and usage rows, used by `reporting.build`. An earlier
term's rating applies the same rule (`rating.rate`) to the records as they stand, as
at that term's last day: the inspections dated by then, the trust's risk in force
then, the entitlement visits owed and done by then, and the actions then past their
date that are still open. Nothing here reads files, git or the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from stss import calendar
from stss.models import (
    Engagement,
    Judgement,
    Ofsted2019,
    Ofsted2025,
    Records,
    School,
    SupportDecision,
)
from stss.models import Grade as GradeName
from stss.rating import direction, rate, risk_on
from stss.report_model import (
    Decision,
    EngagementSummary,
    Finding,
    Grade,
    Inspection,
    InspectionChange,
    Rating,
    SupportChange,
    TrendPoint,
    VisitSummary,
)
from stss.usage import UsageRow, in_term, totals

GRADES: tuple[str, ...] = get_args(GradeName)  # best first, as the models list them
JUDGEMENTS: tuple[str, ...] = get_args(Judgement)
TERMS = ("autumn", "spring", "summer")


def inspection_of(last: Ofsted2019 | Ofsted2025 | None) -> Inspection | None:
    """An inspection as a report shows it."""
    if last is None:
        return None
    if isinstance(last, Ofsted2019):
        outcome = last.judgement + (f" ({last.category})" if last.category else "")
        return Inspection("ofsted-2019", last.date, outcome)
    return Inspection("ofsted-2025", last.date, "report card",
                      tuple(Grade(a, g) for a, g in last.grades.items()), last.safeguarding)


def latest_by(school: School, day: dt.date) -> Ofsted2019 | Ofsted2025 | None:
    """The school's latest inspection dated on or before `day`."""
    return max((i for i in school.inspections if i.date <= day), key=lambda i: i.date, default=None)


def overdue_entitlements(rows: Iterable[UsageRow]) -> int:
    sums = totals(list(rows))
    return sums["overdue"] + sums["missed"]


def assess(records: Records, sid: str, year: str, day: dt.date, begun: Sequence[UsageRow],
           actions_overdue: int, decisions: Mapping[str, SupportDecision | None] | None = None) -> Rating:
    """The school's rating on `day`: `begun` are its usage rows for periods begun by then.

    `decisions`, when given and holding the school, is the year's support decision as it
    was then (from git history), whose risk counts instead of today's record."""
    school = records.schools[sid]
    decision = decisions[sid] if decisions is not None and sid in decisions else school.support.get(year)
    return rate(risk_on(decision, day), latest_by(school, day), overdue_entitlements(begun), actions_overdue)


def decisions_in(docs: Mapping[str, Mapping[str, Any]], year: str) -> dict[str, SupportDecision | None]:
    """Each school's support decision for `year` in school files as parsed YAML (as once
    committed); None for a school with none, or one that does not read as a decision."""
    out: dict[str, SupportDecision | None] = {}
    for sid, doc in docs.items():
        support = doc.get("support")
        raw = support.get(year) if isinstance(support, Mapping) else None
        try:
            out[sid] = SupportDecision.model_validate(raw) if raw is not None else None
        except ValueError:
            out[sid] = None
    return out


def earlier_terms(year: str, term: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(year, term) of last term and of the same term last year."""
    first = int(year[:4])
    before = f"{first - 1}-{first % 100:02d}"
    i = TERMS.index(term)
    return (year, TERMS[i - 1]) if i else (before, "summer"), (before, term)


def trend_point(records: Records, sid: str, year: str, term: str, now: Rating, mine: Sequence[UsageRow],
                tally: Any, decisions: Mapping[str, SupportDecision | None] | None = None,
                overdue: int = 0) -> TrendPoint | None:
    """The school's rating and delivery at the end of `term` of `year`, from its usage rows
    (`mine`) and the number of its actions `overdue` as at that day.

    `tally` turns usage rows into the model's Tally (reporting owns it); `decisions` are the
    support decisions as committed then (see `assess`). None when the trust has no such
    year or the school had no support decision that year."""
    trust = records.trust
    if trust is None or year not in trust.years or year not in records.schools[sid].support:
        return None
    day = calendar.terms(trust.years[year])[term].end
    begun = [r for r in mine if r.period.start <= day]
    then = assess(records, sid, year, day, begun, overdue, decisions)
    return TrendPoint(year, term, then, direction(now, then),
                      tally(r for r in mine if r.period.per != "year" and in_term(r, term)),
                      decisions is not None and sid in decisions)


def level_changes(school: School, year: str, start: dt.date, end: dt.date,
                  level_name: Any) -> tuple[SupportChange, ...]:
    """The year's decision when it was made this term, and changes coming into force this term."""
    decision = school.support.get(year)
    if decision is None:
        return ()
    out = []
    if decision.decided and start <= decision.decided <= end:
        out.append(SupportChange(decision.decided, level_name(decision.level), "decided"))
    out += [SupportChange(c.from_, level_name(c.level), "from") for c in sorted(decision.changes, key=lambda c: c.from_)
            if start <= c.from_ <= end]
    return tuple(out)


def decisions(engagements: Iterable[EngagementSummary], rating: Rating) -> tuple[Decision, ...]:
    """What needs deciding about the school, in words."""
    out = []
    for e in engagements:
        if e.decision_due:
            out.append(Decision("Partnership has run 12 months: decide to join or end"))
        if e.ending_soon and e.end:
            out.append(Decision(f"{e.title} ends", e.end, "extend or close"))
        if e.behind:
            out.append(Decision(f"{e.title}: behind, {e.days_delivered:g} of {e.days_commissioned:g} days done"))
    if rating.colour == "red" and rating.by == "rule":
        out.append(Decision("Red by the rule: confirm the trust's rating and support"))
    return tuple(out)


def behind(e: Engagement, delivered: float, planned: float, today: dt.date) -> bool:
    """A live engagement with fewer days delivered and booked than the time gone calls for."""
    if e.status not in ("active", "paused") or e.end is None or e.start > today or e.end <= e.start:
        return False
    gone = min(1.0, (today - e.start).days / (e.end - e.start).days)
    return delivered + planned < e.days * gone


def first_paragraph(markdown: str) -> str:
    """The text up to the first blank line (a list counts as one paragraph)."""
    return re.split(r"\n\s*\n", markdown.strip(), maxsplit=1)[0].strip()


def findings(visits: Iterable[VisitSummary]) -> tuple[Finding, ...]:
    """The first paragraph of each visit's summary (or of its notes, when they have no sections)."""
    out = []
    for v in visits:
        summary = next((n for n in v.notes if n.heading in ("Summary", "Notes")), None)
        if summary and (text := first_paragraph(summary.markdown)):
            out.append(Finding(v.date, v.activity_name, text))
    return tuple(out)


def _rank(i: Ofsted2019 | Ofsted2025) -> tuple[str, int]:
    if isinstance(i, Ofsted2019):
        return "ofsted-2019", JUDGEMENTS.index(i.judgement)
    worst = max((GRADES.index(g) for g in i.grades.values()), default=2)
    return "ofsted-2025", worst + (len(GRADES) if i.safeguarding == "not-met" else 0)


def compared(before: Ofsted2019 | Ofsted2025 | None, after: Ofsted2019 | Ofsted2025 | None) -> str:
    """better | worse | same, or '' when one is missing or they are under different frameworks."""
    if before is None or after is None:
        return ""
    (fa, a), (fb, b) = _rank(before), _rank(after)
    if fa != fb:
        return ""
    return "same" if a == b else ("better" if b < a else "worse")


def inspection_changes(records: Records, school: School) -> tuple[InspectionChange, ...]:
    """The latest inspection before support began and before joining, against the latest since."""
    trust = records.trust
    out = []
    marks: list[tuple[Literal["support", "joining"], dt.date | None]] = [("support", _support_began(school, trust)),
                                               ("joining", school.joined)]
    for since, day in marks:
        if day is None:
            continue
        before = latest_by(school, day - dt.timedelta(days=1))
        after = max((i for i in school.inspections if i.date >= day), key=lambda i: i.date, default=None)
        out.append(InspectionChange(since, day, inspection_of(before), inspection_of(after),
                                    compared(before, after)))
    return tuple(out)


def _support_began(school: School, trust: Any) -> dt.date | None:
    if not school.support:
        return None
    first = min(school.support)
    if trust is not None and first in trust.years:
        return calendar.terms(trust.years[first])["autumn"].start
    return dt.date(int(first[:4]), 9, 1)
