"""The rating rule, one branch at a time: the trust's own risk, else red for safeguarding not met or an
urgent-improvement grade (inadequate under the older framework), amber for needs attention (requires
improvement), overdue entitlement visits or overdue actions, green otherwise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stss.models import Ofsted2019, Ofsted2025, SupportDecision
from stss.rating import direction, rate, risk_on
from stss.report_model import Rating
from stss.standing import compared, earlier_terms, first_paragraph

DAY = dt.date(2026, 2, 11)
EXPECTED = {"inclusion": "expected", "curriculum-and-teaching": "expected", "achievement": "expected",
            "attendance-and-behaviour": "expected", "personal-development-and-well-being": "strong",
            "leadership-and-governance": "expected"}


def card(safeguarding: str = "met", **grades: str) -> Ofsted2025:
    return Ofsted2025.model_validate({"date": DAY, "framework": "ofsted-2025", "safeguarding": safeguarding,
                                      "grades": {**EXPECTED, **{k.replace("_", "-"): v for k, v in grades.items()}}})


def judged(judgement: str) -> Ofsted2019:
    return Ofsted2019(date=DAY, framework="ofsted-2019", judgement=judgement)  # type: ignore[arg-type]


def test_the_trusts_own_risk_wins_over_the_rule() -> None:
    r = rate("green", card("not-met"), 3, 4)
    assert (r.colour, r.by, r.word, r.reason) == ("green", "trust", "Green", "Set by the trust")


def test_safeguarding_not_met_is_red() -> None:
    r = rate(None, card("not-met"), 0, 0)
    assert (r.colour, r.by, r.reason) == ("red", "rule", "Inspection: safeguarding not met")


def test_an_urgent_improvement_grade_is_red_and_names_the_area() -> None:
    r = rate(None, card(attendance_and_behaviour="urgent-improvement", achievement="needs-attention"), 2, 0)
    assert r.colour == "red"
    assert r.reasons == ("inspection: urgent improvement in attendance and behaviour",)  # what made it red


def test_inadequate_under_the_older_framework_is_red() -> None:
    assert rate(None, judged("inadequate"), 0, 0).colour == "red"


def test_a_grade_needing_attention_is_amber() -> None:
    r = rate(None, card(achievement="needs-attention", personal_development_and_well_being="needs-attention"), 0, 0)
    assert r.colour == "amber"
    assert r.reasons == ("inspection: achievement and personal development and well-being need attention",)


def test_requires_improvement_is_amber() -> None:
    assert rate(None, judged("requires-improvement"), 0, 0).reasons == ("inspection: requires improvement",)


def test_overdue_entitlement_visits_are_amber() -> None:
    assert rate(None, judged("good"), 1, 0).reasons == ("1 entitlement visit overdue or missed",)


def test_overdue_actions_are_amber_and_every_amber_reason_is_given() -> None:
    r = rate(None, None, 2, 3)
    assert (r.colour, r.reason) == ("amber", "2 entitlement visits overdue or missed; 3 actions overdue")


@pytest.mark.parametrize("inspection", [None, judged("outstanding"), judged("good"), card()])
def test_otherwise_green(inspection: Any) -> None:
    r = rate(None, inspection, 0, 0)
    assert (r.colour, r.reason) == ("green", "No inspection concern and nothing overdue")


def test_the_risk_in_force_follows_changes_within_the_year() -> None:
    decision = SupportDecision.model_validate({"level": "core", "risk": "amber", "changes": [
        {"from": dt.date(2027, 1, 4), "level": "intensive", "risk": "red"},
        {"from": dt.date(2027, 4, 12), "level": "core"}]})
    assert risk_on(decision, dt.date(2026, 12, 18)) == "amber"
    assert risk_on(decision, dt.date(2027, 1, 4)) == "red"
    assert risk_on(decision, dt.date(2027, 5, 1)) == "red"  # a change without a risk keeps the last one
    assert risk_on(None, DAY) is None


def test_direction_compares_now_with_then() -> None:
    red, amber = Rating("red", "rule", ()), Rating("amber", "rule", ())
    assert (direction(red, amber), direction(amber, red), direction(amber, amber), direction(red, None)) == (
        "worse", "better", "same", "")


def test_last_term_and_the_same_term_last_year() -> None:
    assert earlier_terms("2026-27", "autumn") == (("2025-26", "summer"), ("2025-26", "autumn"))
    assert earlier_terms("2026-27", "spring") == (("2026-27", "autumn"), ("2025-26", "spring"))
    assert earlier_terms("2099-00", "summer") == (("2099-00", "spring"), ("2098-99", "summer"))


def test_inspections_compare_only_within_one_framework() -> None:
    assert compared(judged("requires-improvement"), judged("good")) == "better"
    assert compared(judged("good"), judged("inadequate")) == "worse"
    assert compared(card(), card("not-met")) == "worse"
    assert compared(card(achievement="needs-attention"), card()) == "better"
    assert compared(judged("good"), card()) == ""
    assert compared(None, card()) == ""


def test_a_key_finding_is_the_first_paragraph_only() -> None:
    assert first_paragraph("\nLeaders took us through the plan.\nIt is sound.\n\nSecond paragraph.") == (
        "Leaders took us through the plan.\nIt is sound.")
