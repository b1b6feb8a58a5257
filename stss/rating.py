"""A school's rating for trustees: red, amber or green, and the rule that gave it.

One pure function, `rate`, holds the rule (docs/reports.md states it in words):

- the trust's own `risk`, where its support decision sets one, is the rating;
- otherwise red when safeguarding was not met at the latest inspection, or any
  report-card grade is urgent improvement (an inadequate judgement under the
  older framework);
- amber when any grade needs attention (requires improvement under the older
  framework), entitlement visits are overdue or missed, or actions are overdue;
- green otherwise.

`risk_on` finds the trust's risk in force on a day (a change within the year may
set a new one). Nothing here reads files or the clock, or formats dates.
"""

from __future__ import annotations

import datetime as dt

from stss.models import Ofsted2019, Ofsted2025, SupportDecision
from stss.report_model import Rating

RANK = {"green": 0, "amber": 1, "red": 2}
#: Report-card areas and grades as trustees read them.
_WORDS = {"personal-development-and-well-being": "personal development and well-being"}


def words(slug: str) -> str:
    return _WORDS.get(slug, slug.replace("-", " "))


def rate(risk: str | None, inspection: Ofsted2019 | Ofsted2025 | None, entitlements_overdue: int,
         actions_overdue: int) -> Rating:
    """The rating, from the trust's risk if set, else from the latest inspection and what is overdue."""
    if risk is not None:
        return Rating(risk, "trust", ("set by the trust",))
    red: list[str] = []
    amber: list[str] = []
    if isinstance(inspection, Ofsted2025):
        if inspection.safeguarding == "not-met":
            red.append("inspection: safeguarding not met")
        urgent = [words(a) for a, g in inspection.grades.items() if g == "urgent-improvement"]
        attention = [words(a) for a, g in inspection.grades.items() if g == "needs-attention"]
        if urgent:
            red.append(f"inspection: urgent improvement in {_listed(urgent)}")
        if attention:
            amber.append(f"inspection: {_listed(attention)} {'needs' if len(attention) == 1 else 'need'} attention")
    elif isinstance(inspection, Ofsted2019):
        if inspection.judgement == "inadequate":
            red.append("inspection: inadequate")
        elif inspection.judgement == "requires-improvement":
            amber.append("inspection: requires improvement")
    if entitlements_overdue:
        amber.append(f"{entitlements_overdue} entitlement visit{_s(entitlements_overdue)} overdue or missed")
    if actions_overdue:
        amber.append(f"{actions_overdue} action{_s(actions_overdue)} overdue")
    if red:
        return Rating("red", "rule", tuple(red))
    if amber:
        return Rating("amber", "rule", tuple(amber))
    return Rating("green", "rule", ("no inspection concern and nothing overdue",))


def risk_on(decision: SupportDecision | None, day: dt.date) -> str | None:
    """The trust's own risk in force on `day`: the year's, or a later change's from its date."""
    if decision is None:
        return None
    risk = decision.risk
    for change in sorted(decision.changes, key=lambda c: c.from_):
        if change.from_ <= day and change.risk is not None:
            risk = change.risk
    return risk


def direction(now: Rating, then: Rating | None) -> str:
    """'better', 'worse' or 'same' against an earlier rating ('' when there is none)."""
    if then is None:
        return ""
    change = RANK[now.colour] - RANK[then.colour]
    return "same" if change == 0 else ("worse" if change > 0 else "better")


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _s(n: int) -> str:
    return "" if n == 1 else "s"
