"""Year planning (`stss.planning`) on trusts built in memory: placement, spreading,
staffing, determinism, and properties over random trusts (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stss import calendar, checks, planning, staffing
from stss.models import Records, Visit
from stss.parsing import parse_file
from stss.usage import usage
from tests.helpers import TRUST, YEAR, offer, person, records, school, visit

D = dt.date
AY = TRUST.years[YEAR]
SCHOOL_DAYS = calendar.school_days(AY, D(2026, 9, 1), D(2027, 8, 31))
ROLES = ("lead", "coach", "sg")


def with_plan(r: Records, result: planning.Plan) -> Records:
    """The records once the plan's files are written, read back from their text."""
    visits = dict(r.visits)
    for v in result.visits:
        parsed = parse_file("visit", v.path, planning.render(v).encode())
        assert not parsed.problems and isinstance(parsed.model, Visit)
        assert v.path not in visits
        visits[v.path] = parsed.model
    return dataclasses.replace(r, visits=visits)


def half_term_of(day: dt.date) -> str:
    found = calendar.period_of(YEAR, AY, "half-term", day)
    assert found is not None
    return found.label


def dates(result: planning.Plan, activity: str) -> list[dt.date]:
    return [v.date for v in result.visits if v.activity == activity]


# --- spreading ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_two_a_year_fall_in_different_terms(seed: int) -> None:
    r = records(offer({"activity": "review", "count": 2, "per": "year"}))
    days = dates(planning.plan(r, YEAR, D(2026, 9, 1), seed), "review")
    assert len(days) == 2
    assert len({half_term_of(d).split("-")[0] for d in days}) == 2


@pytest.mark.parametrize("seed", range(8))
def test_three_a_year_one_a_term(seed: int) -> None:
    r = records(offer({"activity": "review", "count": 3, "per": "year"}))
    days = dates(planning.plan(r, YEAR, D(2026, 9, 1), seed), "review")
    assert sorted(half_term_of(d).split("-")[0] for d in days) == ["autumn", "spring", "summer"]


@pytest.mark.parametrize("seed", range(8))
def test_six_a_year_one_a_half_term(seed: int) -> None:
    r = records(offer({"activity": "coach", "count": 6, "per": "year"}))
    days = dates(planning.plan(r, YEAR, D(2026, 9, 1), seed), "coach")
    assert sorted(map(half_term_of, days)) == sorted(calendar.HALF_TERMS)


def test_yearly_visits_avoid_half_terms_already_visited() -> None:
    done = visit("s", "review", D(2026, 9, 15))
    r = records(offer({"activity": "review", "count": 2, "per": "year"}), visits=[done])
    for seed in range(8):
        (day,) = dates(planning.plan(r, YEAR, D(2026, 9, 1), seed), "review")
        assert half_term_of(day).split("-")[0] != "autumn"


def test_yearly_visits_avoid_terms_already_visited_even_before_the_start() -> None:
    done = visit("s", "review", D(2026, 9, 15))
    r = records(offer({"activity": "review", "count": 2, "per": "year"}), visits=[done])
    for seed in range(8):
        (day,) = dates(planning.plan(r, YEAR, D(2026, 11, 2), seed), "review")
        assert day >= D(2027, 1, 1)


def test_per_term_and_half_term_visits_stay_in_their_period_spread_out() -> None:
    r = records(offer({"activity": "visit", "count": 3, "per": "term"},
                      {"activity": "sg", "count": 1, "per": "half-term"}))
    result = planning.plan(r, YEAR, D(2026, 9, 1), 3)
    assert Counter(half_term_of(d) for d in dates(result, "sg")) == dict.fromkeys(calendar.HALF_TERMS, 1)
    for v in result.visits:
        period = calendar.find_period(TRUST, v.period)
        assert period is not None and v.date in period
    autumn = sorted(d for d in dates(result, "visit") if d < D(2027, 1, 1))
    assert len(autumn) == 3 and min(b - a for a, b in itertools.pairwise(autumn)).days >= 14


# --- --from ------------------------------------------------------------------------


def test_from_leaves_the_past_alone() -> None:
    r = records(offer({"activity": "coach", "count": 6, "per": "year"},
                      {"activity": "sg", "count": 1, "per": "half-term"}))
    start = D(2027, 1, 20)
    result = planning.plan(r, YEAR, start, 0)
    assert all(v.date >= start for v in result.visits)
    # autumn's half-terms are over: nothing new for them; spring-1 still has days left
    assert sorted(half_term_of(d) for d in dates(result, "sg")) == ["spring-1", "spring-2", "summer-1", "summer-2"]
    # the six yearly sessions spread over the four half-terms left
    per_half = Counter(map(half_term_of, dates(result, "coach")))
    assert set(per_half) == {"spring-1", "spring-2", "summer-1", "summer-2"}
    assert sorted(per_half.values()) == [1, 1, 2, 2]
    assert not result.gaps


def test_yearly_visits_for_a_school_joining_mid_year_start_at_joining() -> None:
    r = records(offer({"activity": "review", "count": 3, "per": "year"}),
                schools={"s": school(joined=D(2027, 1, 4))})
    days = dates(planning.plan(r, YEAR, D(2026, 9, 1), 0), "review")
    assert len(days) == 2 and all(d >= D(2027, 1, 4) for d in days)


# --- coverage ----------------------------------------------------------------------


def test_planned_and_completed_visits_cover_cancelled_ones_do_not() -> None:
    r = records(offer({"activity": "visit", "count": 1, "per": "term"}), visits=[
        visit("s", "visit", D(2026, 10, 6)),
        visit("s", "visit", D(2027, 2, 3), "planned"),
        visit("s", "visit", D(2027, 5, 5), "cancelled"),
    ])
    result = planning.plan(r, YEAR, D(2026, 9, 1), 0)
    assert [v.period for v in result.visits] == [f"{YEAR}/summer"]


def test_overdue_planned_visits_count_as_covered() -> None:
    r = records(offer({"activity": "visit", "count": 1, "per": "term"}),
                visits=[visit("s", "visit", D(2026, 10, 6), "planned")])
    result = planning.plan(r, YEAR, D(2026, 11, 23), 0)
    assert {v.period for v in result.visits} == {f"{YEAR}/spring", f"{YEAR}/summer"}


def test_no_school_or_person_is_double_booked_with_existing_visits() -> None:
    busy = [d for d in SCHOOL_DAYS if d.month == 9]
    existing = [visit("s", "review", d, "planned") for d in busy[:-1]]
    existing.append(visit("t", "review", busy[-1], "planned", ("p",)))
    r = records(offer({"activity": "visit", "count": 1, "per": "half-term"}),
                schools={"s": school(), "t": school()}, visits=existing)
    result = planning.plan(r, YEAR, D(2026, 9, 1), 0)
    sept = [v for v in result.visits if v.school == "s" and v.date.month == 9]
    assert not sept  # every September day is taken, for the school or for its only person
    assert all(v.date not in busy[:-1] for v in result.visits if v.school == "s")
    assert all(v.date != busy[-1] for v in result.visits)


# --- staff -------------------------------------------------------------------------


def test_staff_need_a_matching_role() -> None:
    r = records(offer({"activity": "sg", "count": 1, "per": "term"}, roles={"sg": ["sg"]}),
                people={"a": person("coach"), "b": person("sg"), "c": person("lead")})
    assert {v.staff for v in planning.plan(r, YEAR, D(2026, 9, 1), 0).visits} == {("b",)}


def test_whoever_served_the_school_last_is_preferred_over_the_least_loaded() -> None:
    history = [visit("s", "review", D(2026, 3, 3), staff=("busy",)),
               visit("s", "review", D(2025, 10, 7), staff=("idle",)),
               visit("t", "review", D(2026, 9, 8), staff=("busy",))]
    r = records(offer({"activity": "visit", "count": 1, "per": "term"}),
                schools={"s": school(), "t": school(support={})},
                people={"busy": person(capacity=50), "idle": person(capacity=50), "new": person(capacity=50)},
                visits=history)
    assert {v.staff for v in planning.plan(r, YEAR, D(2026, 9, 1), 0).visits} == {("busy",)}


def test_without_history_the_least_loaded_takes_it() -> None:
    r = records(offer({"activity": "visit", "count": 1, "per": "term"}),
                schools={"s": school(), "t": school(support={})},
                people={"a": person(capacity=10), "b": person(capacity=100)},
                visits=[visit("t", "review", D(2026, 9, 8), staff=("b",)),
                        visit("t", "review", D(2026, 9, 9), staff=("b",))])
    # a: 0/10 loaded, b: 2/100; then a reaches 1/10 = 10%, still the lighter
    first = planning.plan(r, YEAR, D(2026, 9, 1), 0).visits[0]
    assert first.staff == ("a",)


def test_nobody_is_pushed_past_capacity_while_someone_else_can_go() -> None:
    r = records(offer({"activity": "sg", "count": 1, "per": "half-term"}, days=1),
                people={"small": person(capacity=2), "big": person(capacity=100)},
                visits=[visit("s", "review", D(2026, 3, 3), staff=("small",))])
    result = planning.plan(r, YEAR, D(2026, 9, 1), 0)
    assert Counter(p for v in result.visits for p in v.staff) == {"small": 2, "big": 4}
    assert planning.loads_after(r, result)["small"] == 2


def test_capacity_is_a_hard_limit_the_rest_is_unstaffed_and_reported() -> None:
    r = records(offer({"activity": "sg", "count": 1, "per": "half-term"}, days=1),
                people={"only": person(capacity=2.5)})
    result = planning.plan(r, YEAR, D(2026, 9, 1), 0)
    assert [v.staff for v in result.visits] == [("only",), ("only",), (), (), (), ()]
    assert planning.loads_after(r, result)["only"] == 2
    assert [g.reason for g in result.unstaffed] == ["everyone who can lead it is at capacity (only)"] * 4


def test_no_one_with_the_role_leaves_the_visit_unstaffed_and_reported() -> None:
    r = records(offer({"activity": "sg", "count": 1, "per": "term"}, roles={"sg": ["sg"]}),
                people={"a": person("coach")})
    result = planning.plan(r, YEAR, D(2026, 9, 1), 0)
    assert len(result.visits) == 3 and all(v.staff == () for v in result.visits)
    assert [g.date for g in result.unstaffed] == [v.date for v in result.visits]
    assert all("no one has a role" in g.reason for g in result.gaps)


def test_a_school_with_no_free_day_left_is_reported_not_placed() -> None:
    last_days = [d for d in SCHOOL_DAYS if D(2026, 12, 14) <= d <= D(2026, 12, 18)]
    r = records(offer({"activity": "sg", "count": 1, "per": "half-term"}),
                visits=[visit("s", "review", d, "planned") for d in last_days])
    result = planning.plan(r, YEAR, D(2026, 12, 14), 0)
    assert [(g.period, g.date) for g in result.unplaced] == [(f"{YEAR}/autumn-2", None)]


# --- files and determinism ---------------------------------------------------------


def test_render_reads_back_as_the_same_visit_even_for_awkward_ids() -> None:
    v = planning.PlannedVisit(D(2027, 1, 5), "2026", "true", f"{YEAR}/spring", ("on", "a-b"),
                              f"visits/{YEAR}/2027-01-05-2026-true.md")
    parsed = parse_file("visit", v.path, planning.render(v).encode())
    assert isinstance(parsed.model, Visit), parsed.problems
    assert (parsed.model.school, parsed.model.activity, parsed.model.staff) == ("2026", "true", ["on", "a-b"])
    assert parsed.model.status == "planned" and parsed.model.engagement is None and parsed.model.notes == ""


def test_same_seed_same_plan_and_names_stay_unique() -> None:
    r = records(offer({"activity": "coach", "count": 6, "per": "year"},
                      {"activity": "visit", "count": 2, "per": "half-term"}),
                schools={"a": school(), "b": school()}, people={"p": person(), "q": person()},
                visits=[visit("a", "coach", D(2026, 9, 3), "cancelled")])
    one, two = (planning.plan(r, YEAR, D(2026, 9, 1), 7) for _ in range(2))
    assert one == two
    assert len({v.path for v in one.visits}) == len(one.visits)
    assert not set(r.visits) & {v.path for v in one.visits}


# --- properties over random trusts -------------------------------------------------


@st.composite
def trusts(draw: st.DrawFn) -> tuple[Records, dt.date]:
    activities = ("review", "visit", "sg", "coach")
    roles = {a: draw(st.lists(st.sampled_from(ROLES), max_size=2, unique=True)) for a in activities}
    lines = draw(st.lists(st.fixed_dictionaries({
        "activity": st.sampled_from(activities), "count": st.integers(1, 6),
        "per": st.sampled_from(("year", "term", "half-term"))}), min_size=1, max_size=5))
    off = offer(*lines, roles=roles, days=draw(st.sampled_from((0.25, 0.5, 1, 2))))
    n_schools = draw(st.integers(1, 4))
    joins = st.sampled_from((D(2018, 9, 1), D(2026, 11, 2), D(2027, 1, 4), D(2027, 4, 12)))
    schools = {f"s{i}": school(joined=draw(joins)) for i in range(n_schools)}
    people = {f"p{i}": person(*draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True)),
                              capacity=draw(st.sampled_from((1, 5, 20, 200))))
              for i in range(draw(st.integers(0, 4)))}
    existing = draw(st.lists(st.tuples(st.sampled_from(sorted(schools)), st.sampled_from(activities),
                                       st.sampled_from(SCHOOL_DAYS),
                                       st.sampled_from(("planned", "completed", "cancelled")),
                                       st.lists(st.sampled_from(sorted(people) or ["x"]), max_size=1)),
                             max_size=12))
    visits = [visit(s, a, d, status, tuple(p for p in staff if p in people)) for s, a, d, status, staff in existing]
    start = draw(st.sampled_from([D(2026, 8, 1), *SCHOOL_DAYS[::7], D(2027, 7, 31)]))
    return records(off, schools, people, visits), start


def _still_owed(r: Records, start: dt.date) -> int:
    total = 0
    for row in usage(r, YEAR, start):
        period = calendar.find_period(TRUST, row.period.name)
        if period is not None and any(d >= start for d in SCHOOL_DAYS if d in period):
            total += row.remaining
    return total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trusts(), st.integers(0, 3))
def test_plans_are_sound_complete_and_idempotent(trust: tuple[Records, dt.date], seed: int) -> None:
    r, start = trust
    result = planning.plan(r, YEAR, start, seed)
    booked = [v for v in r.visits.values() if v.status in ("planned", "completed")]
    school_days = Counter((v.school, v.date) for v in booked)
    person_days = Counter((p, v.date) for v in booked for p in v.staff)
    for v in result.visits:
        assert calendar.is_school_day(AY, v.date) and v.date >= start
        school_days[(v.school, v.date)] += 1
        assert school_days[(v.school, v.date)] == 1, f"{v.school} twice on {v.date}"
        for p in v.staff:
            person_days[(p, v.date)] += 1
            assert person_days[(p, v.date)] == 1, f"{p} twice on {v.date}"
        activity = r.activity(v.activity)
        assert activity is not None
        assert not activity.roles or all(set(activity.roles) & set(r.people[p].roles) for p in v.staff)
    before, after_loads = staffing.planned_days_by_person(r, YEAR), planning.loads_after(r, result)
    assert all(after_loads[p] <= r.people[p].capacity_days + 1e-9 or after_loads[p] == before[p] for p in r.people)
    # every owed occurrence is planned or reported
    assert _still_owed(r, start) == len(result.visits) + len(result.unplaced)
    assert {(g.school, g.date) for g in result.unstaffed} == {(v.school, v.date) for v in result.visits if not v.staff}
    after = with_plan(r, result)
    assert _still_owed(after, start) == len(result.unplaced)
    new_paths = {v.path for v in result.visits}
    assert not [p for p in checks.run(after) if p.is_error or p.path in new_paths]
    assert planning.plan(after, YEAR, start, seed).visits == ()
