"""Typical English state-school term dates, for new records and synthetic trusts.

Local authorities set their own dates, so these are a sensible first draft
for `stss init` to write (and the trust to correct), not a source of truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

DAY = dt.timedelta(days=1)


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _week(monday: dt.date) -> list[dt.date]:
    return [monday, monday + 4 * DAY]


def typical_year(first: int) -> dict[str, Any]:
    """Term dates and bank-holiday closures for the academic year first/first+1,
    shaped as one entry of `years:` in trust.yaml."""
    second = first + 1
    mon, wed, fri = 0, 2, 4
    autumn_start = dt.date(first, 9, 3)
    if autumn_start.weekday() >= 5:
        autumn_start = _weekday_on_or_after(autumn_start, mon)
    autumn_half = _weekday_on_or_before(dt.date(first, 10, 31), mon)
    if autumn_half + 4 * DAY > dt.date(first, 10, 31):
        autumn_half -= 7 * DAY
    autumn_end = _weekday_on_or_before(dt.date(first, 12, 20), fri)
    spring_start = dt.date(second, 1, 4)
    if spring_start.weekday() >= 5:
        spring_start = _weekday_on_or_after(spring_start, mon)
    spring_half = _weekday_on_or_after(dt.date(second, 2, 1), mon) + 14 * DAY
    good_friday = easter(second) - 2 * DAY
    if good_friday <= dt.date(second, 4, 2):
        spring_end = good_friday - DAY
        summer_start = easter(second) + 15 * DAY
    else:
        spring_end = good_friday - 7 * DAY
        summer_start = easter(second) + 8 * DAY
    late_may = _weekday_on_or_before(dt.date(second, 5, 31), mon)
    summer_end = _weekday_on_or_before(dt.date(second, 7, 22), wed)
    early_may = _weekday_on_or_after(dt.date(second, 5, 1), mon)
    closures = [early_may] if early_may >= summer_start else []
    return {
        "autumn": {"start": autumn_start, "half_term": _week(autumn_half), "end": autumn_end},
        "spring": {"start": spring_start, "half_term": _week(spring_half), "end": spring_end},
        "summer": {"start": summer_start, "half_term": _week(late_may), "end": summer_end},
        "closures": closures,
    }


def year_id(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def academic_year_starting(today: dt.date) -> int:
    """The first calendar year of the academic year `today` falls in (Sep-Aug)."""
    return today.year if today.month >= 9 else today.year - 1
