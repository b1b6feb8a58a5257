"""What a school is owed in an academic year, from its support level.

The rules, each in one place:
- a school's lines are its level's entitlements, those of the levels it
  `includes` (transitively), and the bespoke `extra` lines of its decision;
  lines for the same activity and period add up;
- `per` year / term / half-term: the count is owed in every such period;
- `when`: church-school, new-headteacher (from the first period starting on
  or after the head's start, for `new_headteacher_years`; a yearly count is
  scaled by the terms in that window),
  member (an academy);
- `every_years: N`: owed in the year the school joined and every N years on;
- support changes: term and half-term lines follow the level in force on
  the period's first day; a yearly count is shared by the terms each level
  is in force for (2 of 3 terms: 2/3 of it), summed per activity, rounded up;
- joining mid-year: term and half-term lines are owed from the first period
  starting on or after `joined`; yearly counts are scaled by the share of the
  year's terms left, rounded up. A partnership school counts from its
  partnership start and owes nothing for periods starting after it ends.

Pure functions over `Records`; no clock, no files.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from stss import calendar
from stss.calendar import Period
from stss.models import Entitlement, Offer, Records, School, SupportDecision, Trust


@dataclass(frozen=True, order=True)
class Owed:
    """`count` occurrences of `activity` owed to `school` in `period`."""

    school: str
    activity: str
    period: Period
    count: int


def level_lines(offer: Offer, level_id: str) -> list[Entitlement]:
    """A level's entitlements with those of every level it includes (cycle-safe)."""
    lines: list[Entitlement] = []
    seen: set[str] = set()
    current: str | None = level_id
    while current is not None and current in offer.levels and current not in seen:
        seen.add(current)
        level = offer.levels[current]
        lines.extend(level.entitlements)
        current = level.includes
    return lines


def school_lines(offer: Offer, school: School, year_id: str) -> list[Entitlement]:
    """The lines of the year's first decision (changes aside)."""
    decision = school.support.get(year_id)
    if decision is None:
        return []
    return [*level_lines(offer, decision.level), *decision.extra]


def segments(offer: Offer, decision: SupportDecision) -> list[tuple[dt.date, list[Entitlement]]]:
    """The decision's lines and those of each change, with the day each comes into force."""
    out = [(dt.date.min, [*level_lines(offer, decision.level), *decision.extra])]
    for change in sorted(decision.changes, key=lambda c: c.from_):
        out.append((change.from_, [*level_lines(offer, change.level), *change.extra]))
    return out


def level_on(school: School, year_id: str, day: dt.date) -> str | None:
    """The support level in force on `day` of `year_id`."""
    decision = school.support.get(year_id)
    if decision is None:
        return None
    level = decision.level
    for change in sorted(decision.changes, key=lambda c: c.from_):
        if change.from_ <= day:
            level = change.level
    return level


def owed(records: Records, school_id: str, year_id: str) -> list[Owed]:
    """Everything `school_id` is owed in `year_id`, one entry per activity and period."""
    trust, offer, school = records.trust, records.offer, records.schools.get(school_id)
    if trust is None or offer is None or school is None or year_id not in trust.years:
        return []
    decision = school.support.get(year_id)
    if decision is None:
        return []
    year = trust.years[year_id]
    segs = segments(offer, decision)
    year_terms = list(calendar.terms(year).values())
    totals: dict[tuple[str, Period], int] = defaultdict(int)
    shares: dict[tuple[str, Period], Fraction] = defaultdict(Fraction)
    for i, (since, lines) in enumerate(segs):
        until = segs[i + 1][0] if i + 1 < len(segs) else dt.date.max
        for line in lines:
            if line.every_years and not _due_this_cycle(school, year_id, line.every_years, trust):
                continue
            for period in calendar.periods(year_id, year, line.per):
                if not _applies(line, school, period, trust):
                    continue
                if line.per == "year":
                    # A level's yearly count is shared by the terms it is in force for.
                    terms = [t.start for t in year_terms if since <= t.start < until]
                    share = _year_share(line, school, terms, trust)
                    if share:
                        shares[(line.activity, period)] += line.count * share
                elif since <= period.start < until:
                    count = _count_in(line, school, period, trust)
                    if count > 0:
                        totals[(line.activity, period)] += count
    for key, share in shares.items():
        if (count := math.ceil(share)) > 0:
            totals[key] += count
    return sorted(Owed(school_id, activity, period, count) for (activity, period), count in totals.items())


def owed_all(records: Records, year_id: str) -> list[Owed]:
    return [o for school_id in sorted(records.schools) for o in owed(records, school_id, year_id)]


def start_of_cover(school: School) -> dt.date | None:
    """When the school's entitlement begins: joining, or the partnership's start."""
    if school.joined is not None:
        return school.joined
    return school.partnership.start if school.partnership else None


def _applies(line: Entitlement, school: School, period: Period, trust: Trust) -> bool:
    if school.partnership and school.membership == "partnership" and period.start > school.partnership.end:
        return False
    if line.when == "church-school":
        return school.is_church_school
    if line.when == "member":
        return school.membership == "academy"
    if line.when == "new-headteacher":
        window = head_window(school, trust)
        return window is not None and (line.per == "year" or window[0] <= period.start < window[1])
    return True


def head_window(school: School, trust: Trust) -> tuple[dt.date, dt.date] | None:
    """From the headteacher's start to `new_headteacher_years` after it: when
    `when: new-headteacher` is owed (and may be planned)."""
    started = school.headteacher.started if school.headteacher else None
    if started is None:
        return None
    return started, _add_years(started, trust.new_headteacher_years)


def _year_share(line: Entitlement, school: School, term_starts: list[dt.date], trust: Trust) -> Fraction:
    """The share of a yearly count owed over these terms: those after joining
    and, for a new headteacher, those starting in the head's window."""
    cover = start_of_cover(school)
    eligible = [t for t in term_starts if cover is None or t >= cover]
    if line.when == "new-headteacher":
        window = head_window(school, trust)
        eligible = [t for t in eligible if window and window[0] <= t < window[1]]
    return Fraction(len(eligible), 3)


def _count_in(line: Entitlement, school: School, period: Period, trust: Trust) -> int:
    cover = start_of_cover(school)
    if cover is None or cover <= period.start:
        return line.count
    return 0  # the period started before the school joined


def _due_this_cycle(school: School, year_id: str, every: int, trust: Trust) -> bool:
    """Owed in the joining year and every `every` years after; a school with no
    joining date counts from its first year with a support decision."""
    first = int(year_id[:4])
    cover = start_of_cover(school)
    if cover is not None:
        anchor = calendar.year_of(trust, cover)
        anchor_first = int(anchor[:4]) if anchor else (cover.year if cover.month >= 9 else cover.year - 1)
    elif school.support:
        anchor_first = int(min(school.support)[:4])
    else:
        return False
    return first >= anchor_first and (first - anchor_first) % every == 0


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
