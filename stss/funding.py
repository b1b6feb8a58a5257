"""Money for engagements: grants by source, status and date, and the value of traded work.

`value` is what an engagement's `rate` (pounds a day) makes of its days:
commissioned, delivered and still to deliver. `by_year` sets, for each
source and financial year (1 April to 31 March), what was awarded (the
budget) against the value of the days delivered in that year (the actual),
the way hledger's budget report sets actual against budget. A grant is
budgeted in the year it was awarded (else the year its engagement starts),
and each completed visit delivers the grant's amount shared over the days
commissioned. Traded work is budgeted under `TRADED` at its rate times the
days commissioned, in the year the engagement starts. Pure: records in,
values out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from stss.calendar import financial_year
from stss.models import Engagement, Records

#: The source traded work's value is counted under.
TRADED = "traded"


@dataclass(frozen=True)
class Value:
    """Traded work in pounds: its rate times the days commissioned, delivered and still to deliver."""

    rate: float
    commissioned: float
    delivered: float
    to_deliver: float


def value(engagement: Engagement, delivered_days: float) -> Value | None:
    rate = engagement.rate
    if rate is None:
        return None
    return Value(rate, rate * engagement.days, rate * delivered_days,
                 rate * max(0.0, engagement.days - delivered_days))


@dataclass(frozen=True)
class Line:
    """One source in one financial year."""

    source: str
    financial_year: str
    awarded: float  # the budget: grants awarded in the year, and traded work commissioned in it
    delivered: float  # the actual: what the days delivered in the year are worth
    applied: float  # grants applied for and not yet decided
    declined: float

    @property
    def percent(self) -> int | None:
        """Delivered as a share of awarded, as hledger shows it; None when nothing was awarded."""
        return round(100 * self.delivered / self.awarded) if self.awarded else None

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"percent": self.percent}


COLUMNS = ("source", "financial_year", "awarded", "delivered", "percent", "applied", "declined")


def delivered_visits(records: Records) -> dict[str, list[tuple[dt.date, float]]]:
    """Each engagement's completed visits, as (date, days)."""
    out: dict[str, list[tuple[dt.date, float]]] = {}
    for visit in records.visits.values():
        if visit.engagement and visit.status == "completed":
            out.setdefault(visit.engagement, []).append(
                (visit.date, visit.days_for(records.activity(visit.activity))))
    return out


def by_year(records: Records, engagements: Mapping[str, Engagement] | None = None) -> list[Line]:
    """Budget against actual for every source and financial year, by source then year."""
    chosen = records.engagements if engagements is None else engagements
    visits = delivered_visits(records)
    sums: dict[tuple[str, str], dict[str, float]] = {}

    def add(source: str, day: dt.date, column: str, amount: float) -> None:
        cell = sums.setdefault((source, financial_year(day)), dict.fromkeys(COLUMNS[2:4] + COLUMNS[5:], 0.0))
        cell[column] += amount

    for eid, e in sorted(chosen.items()):
        for grant in e.funding:
            amount = grant.amount or 0.0
            add(grant.source, grant.awarded or e.start, grant.status, amount)
            if grant.status == "awarded":
                for day, days in visits.get(eid, ()):
                    add(grant.source, day, "delivered", amount * days / e.days)
        if e.rate is not None:
            add(TRADED, e.start, "awarded", e.rate * e.days)
            for day, days in visits.get(eid, ()):
                add(TRADED, day, "delivered", e.rate * days)
    return [Line(source, year, **{k: round(v, 2) for k, v in cell.items()})
            for (source, year), cell in sorted(sums.items())]


def totals(lines: Iterable[Line], source: str = "total", year: str = "all") -> Line:
    found = list(lines)
    return Line(source, year, *(round(sum(getattr(line, k) for line in found), 2)
                                for k in ("awarded", "delivered", "applied", "declined")))
