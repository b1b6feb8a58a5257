"""Rules of the domain decided once, on the models."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import school


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


def test_every_visit_status_either_counts_or_is_called_off() -> None:
    from typing import get_args

    from stss.models import CALLED_OFF, COUNTING, VisitStatus

    assert set(get_args(VisitStatus)) == COUNTING | CALLED_OFF
    assert not COUNTING & CALLED_OFF


def test_live_engagement_statuses_are_engagement_statuses() -> None:
    from typing import get_args

    from stss.models import LIVE, EngagementStatus

    assert set(get_args(EngagementStatus)) > LIVE


@pytest.mark.parametrize("spelled", [
    '("planned", "completed")', '("completed", "planned")', '("cancelled", "postponed")',
    '("proposed", "active", "paused")',
])
def test_status_groups_are_spelled_only_on_the_models(spelled: str) -> None:
    """Which visits count, which are called off and which engagements are live is decided in models.py."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "stss"
    spelled_in = [str(p.relative_to(package)) for p in package.rglob("*.py") if spelled in p.read_text()]
    assert spelled_in == []


def test_only_the_layout_module_spells_record_folders_and_files() -> None:
    """A new kind of record is one entry in stss/layout.py: no other module names a
    record folder (`"schools/`) or a root file (`"trust.yaml"`) as a path."""
    import re
    from pathlib import Path

    from stss import layout

    names = [re.escape(f"{k.folder}/") for k in layout.KINDS.values() if k.folder]
    names += [re.escape(f"{k.file}") + "[\"']" for k in layout.KINDS.values() if k.file]
    pattern = re.compile(r"[\"'](?:" + "|".join(names) + ")")
    package = Path(layout.__file__).parent
    spelled = [f"{p.relative_to(package)}:{n}: {line.strip()}"
               for p in sorted(package.rglob("*.py")) if p.name != "layout.py"
               for n, line in enumerate(p.read_text("utf-8").splitlines(), start=1) if pattern.search(line)]
    assert spelled == []
