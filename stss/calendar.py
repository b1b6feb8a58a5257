"""The school calendar: academic years, terms, half-terms and school days.

Every rule about dates lives here: what a period is called, which dates it
covers, which days are school days. Pure functions over `Trust`; no clock.

A term splits at its half-term break into `<term>-1` (start to the last day
of the break, so a visit logged during the break counts in the half just
finished) and `<term>-2` (the day after the break to the end). An academic
year runs from 1 September to 31 August, widened if its terms start earlier
or end later, so holiday dates still belong to a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stss.models import AcademicYear, Per, Term, Trust

TERMS = ("autumn", "spring", "summer")
HALF_TERMS = tuple(f"{t}-{n}" for t in TERMS for n in (1, 2))
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """A named stretch of an academic year over which an entitlement is owed."""

    start: dt.date
    end: dt.date
    name: str  # "2026-27", "2026-27/autumn", "2026-27/autumn-1"
    year: str
    per: Per

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """The part after the year: "autumn-1", "autumn", or the year itself."""
        return self.name.split("/", 1)[1] if "/" in self.name else self.name


def financial_year(day: dt.date) -> str:
    """The financial year (1 April to 31 March) a date falls in, written like an academic year: 2026-27."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def terms(year: AcademicYear) -> dict[str, Term]:
    return {"autumn": year.autumn, "spring": year.spring, "summer": year.summer}


def year_span(year_id: str, year: AcademicYear) -> tuple[dt.date, dt.date]:
    first = int(year_id[:4])
    return (
        min(dt.date(first, 9, 1), year.autumn.start),
        max(dt.date(first + 1, 8, 31), year.summer.end),
    )


def periods(year_id: str, year: AcademicYear, per: Per) -> list[Period]:
    """The periods of one kind in a year, in date order."""
    if per == "year":
        start, end = year_span(year_id, year)
        return [Period(start, end, year_id, year_id, "year")]
    out = []
    for name, term in terms(year).items():
        if per == "term":
            out.append(Period(term.start, term.end, f"{year_id}/{name}", year_id, "term"))
        else:
            out.append(Period(term.start, term.half_term[1], f"{year_id}/{name}-1", year_id, "half-term"))
            out.append(Period(term.half_term[1] + ONE_DAY, term.end, f"{year_id}/{name}-2", year_id, "half-term"))
    return out


def all_periods(year_id: str, year: AcademicYear) -> list[Period]:
    pers: tuple[Per, ...] = ("year", "term", "half-term")
    return [p for per in pers for p in periods(year_id, year, per)]


def year_of(trust: Trust, day: dt.date) -> str | None:
    """The configured academic year containing `day`, if any."""
    for year_id, year in trust.years.items():
        start, end = year_span(year_id, year)
        if start <= day <= end:
            return year_id
    return None


def chosen_year(trust: Trust, year: str | None, today: dt.date) -> str:
    """The year a command is about: `year` (--year) if configured, else the year containing
    `today`; a usage error naming the configured years otherwise."""
    from stss.errors import UsageError, did_you_mean

    configured = ", ".join(sorted(trust.years))
    if year is not None:
        if year not in trust.years:
            raise UsageError(f"{year} is not an academic year in trust.yaml",
                             did_you_mean(year, trust.years) or f"configured: {configured}")
        return year
    found = year_of(trust, today)
    if found is None:
        raise UsageError(f"{today} is in no academic year in trust.yaml", f"pass --year (configured: {configured})")
    return found


def current_term(trust: Trust, year_id: str, day: dt.date) -> str:
    """The term `day` falls in, else the last one begun by then (autumn before the year starts)."""
    begun = [name for name, t in terms(trust.years[year_id]).items() if t.start <= day]
    return begun[-1] if begun else "autumn"


def period_of(year_id: str, year: AcademicYear, per: Per, day: dt.date) -> Period | None:
    """The period of kind `per` containing `day` (None in the holidays between terms)."""
    for period in periods(year_id, year, per):
        if day in period:
            return period
    return None


def find_period(trust: Trust, name: str) -> Period | None:
    """The period called `name` ("2026-27", "2026-27/spring", "2026-27/spring-2")."""
    year_id = name.split("/", 1)[0]
    year = trust.years.get(year_id)
    if year is None:
        return None
    return next((p for p in all_periods(year_id, year) if p.name == name), None)


def why_not_school_day(year: AcademicYear, day: dt.date) -> str | None:
    """Why `day` is not a school day, or None when it is one."""
    if day.weekday() >= 5:
        return f"{day:%A}"
    if day in year.closures:
        return "a closure day"
    for name, term in terms(year).items():
        if term.start <= day <= term.end:
            if term.half_term[0] <= day <= term.half_term[1]:
                return f"in the {name} half-term break"
            return None
    return "outside term time"


def is_school_day(year: AcademicYear, day: dt.date) -> bool:
    return why_not_school_day(year, day) is None


def school_days(year: AcademicYear, start: dt.date, end: dt.date) -> list[dt.date]:
    """School days from `start` to `end`, both included."""
    closures = set(year.closures)
    out = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in closures:
            for term in (year.autumn, year.spring, year.summer):
                if term.start <= day <= term.end and not term.half_term[0] <= day <= term.half_term[1]:
                    out.append(day)
                    break
        day += ONE_DAY
    return out


def is_trust_school_day(trust: Trust, day: dt.date) -> bool:
    """A school day by the trust's calendar; beyond the configured years, any weekday."""
    year_id = year_of(trust, day)
    if year_id is None:
        return day.weekday() < 5
    return is_school_day(trust.years[year_id], day)


def school_days_after(trust: Trust, day: dt.date, count: int) -> dt.date:
    """The `count`-th school day after `day`: weekends, half-term breaks, holidays
    and closures are skipped (five school days after a Friday before half-term
    fall in the week after the break)."""
    found = 0
    while found < count:
        day += ONE_DAY
        found += is_trust_school_day(trust, day)
    return day


def school_days_since(trust: Trust, start: dt.date, end: dt.date) -> int:
    """School days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += is_trust_school_day(trust, day)
    return count
