"""Engagement work: `plan` spreads an active engagement's remaining days over its
span, and `stss engagements` warns when one is behind or will end with days left."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from stss import calendar
from stss.engagements import burn
from stss.loader import load
from stss.planning import plan, render
from tests.helpers import YEAR, write_records

D = dt.date

OFFER = """\
activities:
  support-day: {name: Support day, days: 1, roles: [nle]}
  education-review: {name: Education review, days: 1, roles: [nle]}
levels:
  none: {name: Nothing owed}
"""
SCHOOL = ("name: Hill Top\nphase: primary\nmembership: academy\njoined: 2019-09-01\n"
          "support:\n  2026-27: {level: none, decided: 2026-07-01}\n")


def engagement(days: float = 4, status: str = "active", end: str = "2026-12-18", extra: str = "") -> str:
    return (f"school: hill-top\nkind: deployment\ntitle: Maths support\nstart: 2026-09-14\nend: {end}\n"
            f"days: {days}\nstaff: [alex]\nstatus: {status}\n{extra}")


def delivered(day: str = "2026-09-15") -> str:
    return (f"---\nschool: hill-top\nactivity: support-day\ndate: {day}\nstatus: completed\n"
            f"staff: [alex]\nengagement: maths\n---\n")


def root_with(mini: Path, files: dict[str, str], capacity: float = 40) -> Path:
    return write_records(mini, {
        "offer.yaml": OFFER, "schools/hill-top.yaml": SCHOOL,
        "people/alex-morgan.yaml": "name: Alex Morgan\nroles: [nle]\ncapacity_days: 40\n",
        "people/alex.yaml": f"name: Alex\nroles: [sle]\ncapacity_days: {capacity}\n",
        **files})


def test_plan_spreads_an_engagements_remaining_days_over_its_span_with_its_staff(mini: Path) -> None:
    root = root_with(mini, {"engagements/maths.yaml": engagement(),
                            f"visits/{YEAR}/2026-09-15-hill-top-support-day.md": delivered()})
    records = load(root).records
    result = plan(records, YEAR, D(2026, 9, 21), seed=4)
    work = [v for v in result.visits if v.engagement == "maths"]
    # 4 days commissioned, 1 delivered: 3 support days, one in each third of what is left of the span.
    assert len(work) == 3 and all(v.activity == "support-day" and v.staff == ("alex",) for v in work)
    assert records.trust is not None
    year = records.trust.years[YEAR]
    assert all(calendar.is_school_day(year, v.date) and D(2026, 9, 21) <= v.date <= D(2026, 12, 18) for v in work)
    left = calendar.school_days(year, D(2026, 9, 21), D(2026, 12, 18))
    thirds = [{d for d in left[i * len(left) // 3:(i + 1) * len(left) // 3]} for i in range(3)]
    assert [sum(v.date in third for v in work) for third in thirds] == [1, 1, 1]
    assert "engagement: maths\n" in render(work[0])


def test_plan_places_engagement_days_within_capacity(mini: Path) -> None:
    # Alex has 2 days a year and has given 1: one more day is planned with Alex, two are left unstaffed.
    root = root_with(mini, {"engagements/maths.yaml": engagement(),
                            f"visits/{YEAR}/2026-09-15-hill-top-support-day.md": delivered()}, capacity=2)
    result = plan(load(root).records, YEAR, D(2026, 9, 21), seed=1)
    work = [v for v in result.visits if v.engagement == "maths"]
    assert sorted(v.staff for v in work) == [(), (), ("alex",)]
    assert all("at capacity" in g.reason for g in result.gaps if g.activity == "support-day")


def test_the_last_part_day_of_an_engagement_is_planned_as_a_part_day(mini: Path) -> None:
    root = root_with(mini, {"engagements/maths.yaml": engagement(days=2.5, extra="activity: support-day\n")})
    work = [v for v in plan(load(root).records, YEAR, D(2026, 9, 14)).visits if v.engagement == "maths"]
    assert sorted(v.days or 1 for v in work) == [0.5, 1, 1]
    assert "days: 0.5\n" in render(next(v for v in work if v.days))


def test_plan_leaves_proposed_engagements_and_those_without_an_activity_alone(mini: Path) -> None:
    root = root_with(mini, {"engagements/maths.yaml": engagement(status="proposed", extra="activity: support-day\n"),
                            "engagements/other.yaml": engagement().replace("Maths", "Other")})
    assert not plan(load(root).records, YEAR, D(2026, 9, 14)).visits


def test_an_engagement_running_past_the_year_gets_this_years_share(mini: Path) -> None:
    # 2026-09-14 to 2027-09-13, 12 days: the year's part of the span (to 31 August) is about 96%.
    root = root_with(mini, {"engagements/maths.yaml": engagement(days=12, end="2027-09-13",
                                                                 extra="activity: support-day\n")})
    work = [v for v in plan(load(root).records, YEAR, D(2026, 9, 14)).visits if v.engagement == "maths"]
    assert sum(v.days or 1 for v in work) == 11.5


def test_engagements_warns_when_behind_its_burn_or_ending_with_days_left(stss: Any, mini: Path) -> None:
    root = root_with(mini, {"engagements/maths.yaml": engagement(),
                            f"visits/{YEAR}/2026-09-15-hill-top-support-day.md": delivered()})
    # On 12 November, 59 of 95 days of the span are gone: 2.5 of 4 days due, 1 delivered.
    (b,) = burn(load(root).records, D(2026, 11, 12))
    assert b.flags == ("behind: 1 of 4 day(s) delivered, 2.5 due by now",
                       "will end with 3 day(s) left unless more are planned")
    result = stss("engagements", "--records", root, "--today", "2026-11-12", "--format", "json")
    assert json.loads(result.stdout)[0]["flags"] == list(b.flags)


def test_an_engagement_on_its_burn_with_its_days_planned_is_not_warned(mini: Path) -> None:
    files = {"engagements/maths.yaml": engagement(days=2),
             f"visits/{YEAR}/2026-09-15-hill-top-support-day.md": delivered(),
             f"visits/{YEAR}/2026-12-01-hill-top-support-day.md": delivered("2026-12-01").replace(
                 "completed", "planned")}
    (b,) = burn(load(root_with(mini, files)).records, D(2026, 10, 1))
    assert b.flags == ()
