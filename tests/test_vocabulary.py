"""Rules of the domain decided once, on the models."""

from __future__ import annotations

import datetime as dt

import pytest

from stss.models import School


def school(**extra: object) -> School:
    return School.model_validate({"name": "Hill Top", "phase": "primary", "membership": "academy", **extra})


@pytest.mark.parametrize("written", ["N/A", "n/a", "None", "Does not apply", "", "  not applicable ", None])
def test_placeholders_mean_no_religious_character(written: str | None) -> None:
    assert not school(religious_character=written).is_church_school


@pytest.mark.parametrize("written", ["Church of England", "Roman Catholic"])
def test_a_named_religious_character_makes_a_church_school(written: str) -> None:
    assert school(religious_character=written).is_church_school


def test_latest_inspection_is_by_date_whatever_the_order() -> None:
    s = school(inspections=[
        {"date": dt.date(2025, 3, 1), "framework": "ofsted-2019", "judgement": "good"},
        {"date": dt.date(2019, 3, 1), "framework": "ofsted-2019", "judgement": "inadequate"},
    ])
    latest = s.latest_inspection
    assert latest is not None and latest.date == dt.date(2025, 3, 1)
    assert school().latest_inspection is None
