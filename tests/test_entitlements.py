"""Entitlement arithmetic, one rule shape at a time, on records built in memory."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest

from stss.entitlements import owed
from stss.models import Offer, Records, School, Trust, Visit
from stss.usage import usage
from tests import helpers
from tests.helpers import offer

D = dt.date


def year(first: int) -> dict[str, Any]:
    s = first
    return {
        "autumn": {"start": D(s, 9, 3), "half_term": [D(s, 10, 26), D(s, 10, 30)], "end": D(s, 12, 18)},
        "spring": {"start": D(s + 1, 1, 4), "half_term": [D(s + 1, 2, 15), D(s + 1, 2, 19)], "end": D(s + 1, 3, 25)},
        "summer": {"start": D(s + 1, 4, 12), "half_term": [D(s + 1, 5, 31), D(s + 1, 6, 4)], "end": D(s + 1, 7, 21)},
    }


TRUST = Trust.model_validate({
    "name": "T",
    "years": {f"{y}-{(y + 1) % 100:02d}": year(y) for y in range(2024, 2031)},
})
#: The schools here are on the core level in every year of TRUST.
school = functools.partial(helpers.school, core_years=tuple(TRUST.years))


def counts(records: Records, year_id: str = "2026-27") -> dict[tuple[str, str], int]:
    return {(o.activity, o.period.name): o.count for o in owed(records, "s", year_id)}


def recs(off: Offer, sch: School, visits: dict[str, Visit] | None = None) -> Records:
    return Records(trust=TRUST, offer=off, schools={"s": sch}, visits=visits or {})


def test_per_year_term_and_half_term() -> None:
    r = recs(offer({"activity": "review", "count": 2, "per": "year"},
                   {"activity": "visit", "count": 1, "per": "term"},
                   {"activity": "sg", "count": 1, "per": "half-term"}), school())
    assert counts(r) == {
        ("review", "2026-27"): 2,
        **{("visit", f"2026-27/{t}"): 1 for t in ("autumn", "spring", "summer")},
        **{("sg", f"2026-27/{t}-{n}"): 1 for t in ("autumn", "spring", "summer") for n in (1, 2)},
    }


def test_church_school_lines_only_for_church_schools() -> None:
    off = offer({"activity": "cd", "count": 3, "per": "year", "when": "church-school"})
    assert counts(recs(off, school(religious_character="Church of England"))) == {("cd", "2026-27"): 3}
    assert counts(recs(off, school(religious_character="None"))) == {}
    assert counts(recs(off, school())) == {}


@pytest.mark.parametrize(("started", "years_owed"), [
    (D(2024, 9, 1), ["2024-25", "2025-26"]),      # exactly two years: not in the third
    (D(2024, 9, 2), ["2024-25", "2025-26"]),      # the window ends before autumn 2026 starts
    (D(2026, 1, 5), ["2025-26", "2026-27", "2027-28"]),  # started mid-year
])
def test_new_headteacher_across_the_two_year_boundary(started: dt.date, years_owed: list[str]) -> None:
    off = offer({"activity": "mentor", "count": 6, "per": "year", "when": "new-headteacher"})
    r = recs(off, school(headteacher={"name": "H", "started": started}))
    got = [y for y in sorted(TRUST.years) if counts(r, y)]
    assert got == years_owed


def test_every_three_years_from_joining_over_six_years() -> None:
    off = offer({"activity": "gov", "count": 1, "per": "year", "every_years": 3})
    r = recs(off, school(joined=D(2025, 9, 1)))
    got = [y for y in sorted(TRUST.years) if y >= "2025-26" and counts(r, y)]
    assert got == ["2025-26", "2028-29"]
    assert counts(r, "2024-25") == {}  # before it joined


def test_includes_plus_extra_for_the_same_activity_add_up() -> None:
    off = offer({"activity": "ceo", "count": 1, "per": "year"},
                extra_levels={"enhanced": {"name": "E", "includes": "core",
                                           "entitlements": [{"activity": "ceo", "count": 2, "per": "year"}]}})
    sch = school(support={"2026-27": {"level": "enhanced",
                                      "extra": [{"activity": "ceo", "count": 1, "per": "year"}]}})
    assert counts(recs(off, sch)) == {("ceo", "2026-27"): 4}


def test_joining_in_spring_owes_from_spring_and_scales_the_year() -> None:
    off = offer({"activity": "review", "count": 2, "per": "year"},
                {"activity": "visit", "count": 1, "per": "term"},
                {"activity": "sg", "count": 1, "per": "half-term"},
                {"activity": "mentor", "count": 6, "per": "year"})
    got = counts(recs(off, school(joined=D(2027, 1, 4))))
    assert got == {
        ("review", "2026-27"): 2,   # 2 x 2/3 = 1.33, rounded up
        ("mentor", "2026-27"): 4,   # 6 x 2/3
        ("visit", "2026-27/spring"): 1, ("visit", "2026-27/summer"): 1,
        **{("sg", f"2026-27/{t}-{n}"): 1 for t in ("spring", "summer") for n in (1, 2)},
    }
    # joining a day after spring starts: spring is no longer owed
    later = counts(recs(off, school(joined=D(2027, 1, 5))))
    assert ("visit", "2026-27/spring") not in later and later[("review", "2026-27")] == 1


def test_no_level_for_the_year_means_nothing_owed() -> None:
    off = offer({"activity": "review", "count": 2, "per": "year"})
    assert counts(recs(off, school(support={}))) == {}


def visit(day: dt.date, status: str = "completed", activity: str = "sg") -> Visit:
    return Visit.model_validate({"school": "s", "activity": activity, "date": day, "status": status,
                                 **({"reason": "ill"} if status in ("cancelled", "postponed") else {})})


def rows(r: Records, today: dt.date) -> dict[str, tuple[int, int, int, int, int, int, str]]:
    return {row.period.name: (row.entitled, row.completed, row.planned, row.overdue, row.remaining, row.over, row.status)
            for row in usage(r, "2026-27", today) if row.activity == "sg"}


def test_visits_on_the_first_and_last_day_of_a_period_count_in_it() -> None:
    off = offer({"activity": "sg", "count": 1, "per": "half-term"})
    # autumn-1 runs 3 Sep to the end of the half-term break (30 Oct); autumn-2 from 2 Nov to 18 Dec
    vs = {"a": visit(D(2026, 9, 3)), "b": visit(D(2026, 10, 30)), "c": visit(D(2026, 11, 2)),
          "d": visit(D(2026, 12, 18))}
    got = rows(recs(off, school(), vs), D(2027, 1, 10))
    assert got["2026-27/autumn-1"] == (1, 2, 0, 0, 0, 1, "over")
    assert got["2026-27/autumn-2"] == (1, 2, 0, 0, 0, 1, "over")


def test_usage_columns_and_statuses() -> None:
    off = offer({"activity": "sg", "count": 1, "per": "half-term"})
    vs = {
        "a": visit(D(2026, 9, 10)),                      # autumn-1 completed
        "b": visit(D(2026, 11, 10), "planned"),          # autumn-2 planned but past: overdue
        "c": visit(D(2027, 1, 12), "cancelled"),         # counts for nothing
        "d": visit(D(2027, 3, 1), "planned"),            # spring-2 planned, in the future
        "e": visit(D(2027, 3, 2), "postponed"),          # counts for nothing
    }
    got = rows(recs(off, school(), vs), D(2026, 11, 23))
    assert got["2026-27/autumn-1"] == (1, 1, 0, 0, 0, 0, "on-track")
    assert got["2026-27/autumn-2"] == (1, 0, 0, 1, 0, 0, "overdue")
    assert got["2026-27/spring-1"] == (1, 0, 0, 0, 1, 0, "due")
    assert got["2026-27/spring-2"] == (1, 0, 1, 0, 0, 0, "on-track")
    later = rows(recs(off, school(), vs), D(2027, 2, 20))
    assert later["2026-27/spring-1"][-1] == "missed"


def test_unentitled_visits_show_with_zero_entitled() -> None:
    off = offer({"activity": "sg", "count": 1, "per": "half-term"})
    vs = {"a": visit(D(2026, 9, 10), activity="ceo")}
    got = [r for r in usage(recs(off, school(), vs), "2026-27", D(2026, 11, 23)) if r.activity == "ceo"]
    assert [(r.period.name, r.entitled, r.completed, r.over) for r in got] == [("2026-27", 0, 1, 1)]


def test_a_visit_fills_the_shortest_period_with_room_first() -> None:
    off = offer({"activity": "visit", "count": 1, "per": "term"}, {"activity": "visit", "count": 1, "per": "year"})
    vs = {"a": visit(D(2026, 9, 10), activity="visit"), "b": visit(D(2026, 9, 17), activity="visit")}
    got = {r.period.name: r.completed for r in usage(recs(off, school(), vs), "2026-27", D(2026, 11, 23))}
    assert got == {"2026-27": 1, "2026-27/autumn": 1, "2026-27/spring": 0, "2026-27/summer": 0}
