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


# --- the CLI stays thin ----------------------------------------------------------------------


def test_the_cli_is_under_a_seventh_of_the_package() -> None:
    """The CLI parses, asks, calls one function and prints: under 15% of the package's lines."""
    from tests.helpers import REPO

    package = [p for p in (REPO / "stss").rglob("*.py")]
    lines = {p: len(p.read_text("utf-8").splitlines()) for p in package}
    cli = sum(n for p, n in lines.items() if "cli" in p.relative_to(REPO / "stss").parts)
    assert cli / sum(lines.values()) < 0.15, f"the CLI is {cli / sum(lines.values()):.1%} of stss/"


def test_only_the_format_family_spells_format() -> None:
    """Every command takes one of cli.common's `--format` options, never its own spelling."""
    from tests.helpers import REPO

    spelled = [p.name for p in (REPO / "stss/cli").glob("*.py") if '"--format"' in p.read_text("utf-8")]
    assert spelled == ["common.py"]


def test_every_cli_module_is_named_after_a_command_it_declares() -> None:
    """`stss calendar` lives in cli/calendar.py, `edit-support` in cli/support.py: a module is
    named after its command (or the command's last word), never a grab bag."""
    import ast

    from tests.helpers import REPO

    helpers = {"__init__.py", "main.py", "common.py", "ask.py"}
    for path in sorted((REPO / "stss/cli").glob("*.py")):
        if path.name in helpers:
            continue
        declared = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call):
                        name = deco.args[0].value if deco.args and isinstance(deco.args[0], ast.Constant) \
                            else node.name
                        declared.add(str(name))
        words = {part for name in declared for part in str(name).split("-")} | declared
        assert path.stem in words or path.stem.rstrip("s") in words, (path.name, sorted(declared))
