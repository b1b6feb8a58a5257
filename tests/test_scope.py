"""Commands about one year or one school read only those records, and judge
what they write as a full validate would.

`loader.load(root, scope=Scope(...))` reads the visits of the years asked for
and, for one school, the visit files named for it (or named for no school),
with every id of the rest. What it finds about those files is what a full
load finds about them; and a change checked against those records
(`changes.check`, as `log-visit` does) brings exactly the problems it brings
when checked against everything. Shown on the example trust, and on trusts
and visits made up by hypothesis.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stss import changes, loader
from stss.changes import Change
from stss.errors import Problem
from stss.layout import Scope
from stss.loader import Loaded
from tests.helpers import copy_example, made_up_trust, made_up_visit, made_up_visits, write_records


def _visit_paths(loaded: Loaded) -> set[str]:
    return {p for p in loaded.records.visits}


def _about(problems: tuple[Problem, ...] | list[Problem], paths: set[str]) -> list[Problem]:
    return sorted(p for p in problems if p.path in paths)


def _years(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "visits").iterdir())


def _schools(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "schools").iterdir())


def _assert_like_full(root: Path, full: Loaded, scope: Scope) -> Loaded:
    part = loader.load(root, use_cache=False, scope=scope)
    years = scope.years
    assert years is not None
    ids = full.records.school_ids | (scope.schools or frozenset())

    def named_for(path: str) -> set[str]:
        name = path.split("/")[-1]
        return {s for s in ids if name[10:11] == "-" and name[11:].startswith(f"{s}-")}

    # A school's visits, those whose file is named for it (validate warns about any other).
    wanted = {p for p, v in full.records.visits.items()
              if p.split("/")[1] in years and (scope.schools is None or (
                  v.school in scope.schools and named_for(p) & scope.schools))}
    read = _visit_paths(part)
    assert wanted <= read
    # Anything more is a file named for a wanted school, holding another school's visit.
    for extra in read - wanted:
        assert scope.schools and named_for(extra) & scope.schools
    assert {p: part.records.visits[p] for p in wanted} == {p: full.records.visits[p] for p in wanted}
    files = read | {p.path for p in part.problems if p.path.startswith("visits/")}
    assert _about(part.problems, files) == _about(full.problems, files)
    assert part.records.school_ids == full.records.school_ids
    if scope.schools is not None:
        assert set(part.records.schools) == scope.schools & set(full.records.schools)
    assert part.records.people == full.records.people
    assert part.records.engagements == full.records.engagements
    return part


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("scope") / "records")


def test_one_year_or_one_school_finds_what_a_full_read_finds_there(example_copy: Path) -> None:
    full = loader.load(example_copy, use_cache=False)
    for year in [*_years(example_copy), "2030-31"]:
        _assert_like_full(example_copy, full, Scope(years=frozenset({year})))
        for school in _schools(example_copy):
            _assert_like_full(example_copy, full, Scope(years=frozenset({year}), schools=frozenset({school})))


def test_a_year_not_asked_for_is_not_read(example_copy: Path) -> None:
    part = loader.load(example_copy, use_cache=False, scope=Scope(years=frozenset({"2026-27"})))
    assert part.records.visits
    assert all(p.startswith("visits/2026-27/") for p in part.records.visits)
    assert all(not p.path.startswith("visits/2025-26/") for p in part.problems)


def test_a_day_is_read_as_the_year_it_falls_in(example_copy: Path) -> None:
    part = loader.load(example_copy, use_cache=False, scope=Scope(days=(dt.date(2026, 10, 1),)))
    assert part.scope.years == frozenset({"2026-27"})
    before = loader.load(example_copy, use_cache=False, scope=Scope(years=frozenset({"2026-27"}), before=1))
    assert before.scope.years == frozenset({"2025-26", "2026-27"})


def test_a_visit_is_one_school_s_by_its_file_name_and_validate_warns_of_any_other(tmp_path: Path) -> None:
    root = made_up_trust(tmp_path)
    misnamed = "visits/2026-27/notes-from-hill-top.md"
    write_records(root, {misnamed: made_up_visit("hill-top", "2026-10-06")})
    full = loader.load(root, use_cache=False)
    assert [p.hint for p in full.problems if p.path == misnamed and "file name does not match" in p.message]
    assert misnamed in _assert_like_full(root, full, Scope(years=frozenset({"2026-27"}))).records.visits
    for school in ("hill-top", "vale"):
        part = _assert_like_full(root, full, Scope(years=frozenset({"2026-27"}), schools=frozenset({school})))
        assert misnamed not in part.records.visits


def test_a_school_whose_id_begins_with_another_s_reads_its_own_visits(tmp_path: Path) -> None:
    root = made_up_trust(tmp_path, ("hill", "hill-top"))
    write_records(root, {
        "visits/2026-27/2026-10-06-hill-top-education-review.md": made_up_visit("hill-top", "2026-10-06"),
        "visits/2026-27/2026-10-07-hill-education-review.md": made_up_visit("hill", "2026-10-07"),
    })
    full = loader.load(root, use_cache=False)
    for school in ("hill", "hill-top"):
        _assert_like_full(root, full, Scope(years=frozenset({"2026-27"}), schools=frozenset({school})))


def _same_check(full: Loaded, part: Loaded, change: list[Change]) -> None:
    assert changes.check(part.records, change) == changes.check(full.records, change)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.lists(made_up_visits(), max_size=8, unique_by=lambda pv: pv[0]), written=made_up_visits())
def test_a_write_checked_against_its_school_and_year_is_judged_as_against_everything(
        tmp_path_factory: pytest.TempPathFactory, existing: list[tuple[str, str]], written: tuple[str, str]) -> None:
    root = made_up_trust(tmp_path_factory.mktemp("fuzz"))
    write_records(root, dict(existing))
    full = loader.load(root, use_cache=False)
    path, text = written
    school = text.split("school: ", 1)[1].split("\n", 1)[0]
    scope = Scope(years=frozenset({path.split("/")[1]}), schools=frozenset({school}))
    part = loader.load(root, use_cache=False, scope=scope)
    _assert_like_full(root, full, scope)
    # A writer edits files it has read (log-visit edits the planned visit it found), or adds new ones.
    if path not in full.paths or path in part.paths:
        _same_check(full, part, [Change(path, text)])
    for edited in sorted(part.paths & set(part.records.visits)):  # an edit of a visit the scope read
        _same_check(full, part, [Change(edited, text)])


def test_log_visit_refuses_and_writes_as_a_full_validate_judges_the_file(example: Path) -> None:
    from typer.testing import CliRunner

    from stss.cli.main import app

    full = loader.load(example, use_cache=False)
    school = sorted(full.records.schools)[0]
    person = next(p for p, v in sorted(full.records.people.items()) if v.home_school != school)
    args = ["log-visit", "--records", str(example), "--school", school, "--activity", "education-review",
            "--date", "2026-11-21", "--staff", person, "--today", "2026-11-23", "--notes", "-"]  # a Saturday
    refused = CliRunner().invoke(app, args, input="Notes.\n")
    assert refused.exit_code == 1
    assert "not a school day" in refused.stderr
    assert loader.load(example, use_cache=False).records.visits == full.records.visits
    done = CliRunner().invoke(app, [*args, "--force"], input="Notes.\n")
    assert done.exit_code == 0, done.stderr
    after = loader.load(example, use_cache=False)
    written = [p for p in after.records.visits if after.records.visits[p] != full.records.visits.get(p)]
    assert len(written) == 1
    found = [p.message for p in after.problems if p.path == written[0]]
    assert found == ["2026-11-21 is not a school day (a weekend)"] or (
        len(found) == 1 and "not a school day" in found[0] and found[0] in refused.stderr)


def test_a_year_from_the_command_line_never_reads_outside_the_records(tmp_path: Path) -> None:
    root = made_up_trust(tmp_path)
    outside = tmp_path / "outside"
    write_records(outside, {"2026-10-06-hill-top-education-review.md": made_up_visit("hill-top", "2026-10-06")})
    for year in ("../../outside", "../outside", "/tmp", "2026-27/../../../outside"):
        part = loader.load(root, use_cache=False, scope=Scope(years=frozenset({year})))
        assert not part.records.visits and not part.problems, year


def test_share_review_and_log_event_read_their_year_only(example: Path, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    """A command about one visit or one event reads that year's records, not every year's;
    a visit filed in another year's folder than its date says is still found."""
    from typer.testing import CliRunner

    from stss.cli.main import app

    read: list[Scope] = []
    real = loader.load

    def spy(*args: object, **kwargs: object) -> Loaded:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        read.append(found.scope)
        return found

    monkeypatch.setattr(loader, "load", spy)

    def run(*args: str) -> None:
        result = CliRunner().invoke(app, [*args, "--records", str(example), "--today", "2026-11-23"])
        assert result.exit_code == 0, result.output

    visit = "2026-11-10-castle-hill-primary-subject-deep-dive"
    run("share", visit, "--out", str(tmp_path / "report.md"))
    run("review", f"visits/2026-27/{visit}.md", "--accurate")
    run("log-event", "--activity", "headteacher-network", "--status", "planned", "--date", "2027-01-14",
        "--host", "kingsmead-high-school", "--school", "brookfield-primary,kingsmead-high-school")
    assert read and all(scope.years == frozenset({"2026-27"}) for scope in read), read
    # Filed under last year's folder: looked for in its date's year, then found in a full read.
    old = example / "visits/2025-26" / f"{visit}.md"
    (example / "visits/2026-27" / f"{visit}.md").rename(old)
    read.clear()
    run("review", visit, "--inaccurate", "--comment", "The date is wrong.")
    assert [scope.years for scope in read] == [frozenset({"2026-27"}), None]
    assert "response: inaccurate" in old.read_text("utf-8")


def test_a_visit_named_on_the_command_line_is_looked_for_in_the_year_its_folder_or_date_says() -> None:
    import datetime as dt

    from stss.cli.common import scope_of_visit
    from stss.layout import Scope

    assert scope_of_visit("visits/2025-26/2025-10-07-hill-top-education-review.md") == Scope(
        years=frozenset({"2025-26"}))
    assert scope_of_visit("2026-10-05-hill-top-education-review") == Scope(days=(dt.date(2026, 10, 5),))
    assert scope_of_visit("2026-13-05-hill-top-education-review") is None  # no such day: every year
    assert scope_of_visit("hill-top-education-review") is None
