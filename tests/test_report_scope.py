"""A report reads the year it shows and the year before (for the trend), not every year of
history; an engagement running this year that began earlier widens that to its start, so the
days it has delivered are all counted. One school's summary reads that school's records of
every year and nothing of the other schools', and says what it would say from everything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import MINI_TRUST, TODAY, with_history, write_records

THREE_YEARS = MINI_TRUST.replace("years:\n", """years:
  2024-25:
    autumn: {start: 2024-09-04, half_term: [2024-10-28, 2024-11-01], end: 2024-12-20}
    spring: {start: 2025-01-06, half_term: [2025-02-17, 2025-02-21], end: 2025-04-04}
    summer: {start: 2025-04-22, half_term: [2025-05-26, 2025-05-30], end: 2025-07-22}
  2025-26:
    autumn: {start: 2025-09-03, half_term: [2025-10-27, 2025-10-31], end: 2025-12-19}
    spring: {start: 2026-01-05, half_term: [2026-02-16, 2026-02-20], end: 2026-03-27}
    summer: {start: 2026-04-13, half_term: [2026-05-25, 2026-05-29], end: 2026-07-22}
""")
ENGAGEMENT = """\
school: hill-top
kind: trust-partnership
title: Partnership before joining
start: 2024-09-10
end: 2027-07-21
days: 10
staff: [alex-morgan]
status: active
"""


def visit(date: str) -> str:
    return (f"---\nschool: hill-top\nactivity: education-review\ndate: {date}\nstatus: completed\n"
            f"staff: [alex-morgan]\nengagement: hill-top-partnership\n---\nNotes.\n")


def a_visit_a_year_since_2024(mini: Path) -> None:
    """The partnership (begun 2024-09-10) with one visit in each of three years."""
    write_records(mini, {
        "trust.yaml": THREE_YEARS,
        "engagements/hill-top-partnership.yaml": ENGAGEMENT,
        **{f"visits/{year}/{day}-hill-top-education-review.md": visit(day)
           for year, day in (("2024-25", "2024-10-08"), ("2025-26", "2025-10-07"), ("2026-27", "2026-10-06"))},
    })


def test_an_engagement_that_began_two_years_ago_counts_every_day_it_delivered(stss: Any, mini: Path) -> None:
    a_visit_a_year_since_2024(mini)
    for args, shown in (((), "(3 of 10 days delivered)"), (("--school", "hill-top"), "| 10 | 3 | 0 |")):
        result = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn", *args)
        assert result.exit_code == 0, result.output
        assert shown in result.stdout, args


def test_a_report_does_not_read_the_years_before_the_one_before(stss: Any, mini: Path) -> None:
    """A broken visit file three years back does not stop this year's report (validate finds it)."""
    write_records(mini, {
        "trust.yaml": THREE_YEARS,
        "visits/2024-25/2024-10-08-hill-top-education-review.md": "---\nschool: [not, an, id]\n---\n",
    })
    assert stss("validate", "--records", mini).exit_code == 1
    result = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn")
    assert result.exit_code == 0, result.output


def test_engagements_counts_from_the_start_of_an_engagement_that_began_two_years_ago(stss: Any, mini: Path) -> None:
    a_visit_a_year_since_2024(mini)
    result = stss("engagements", "--records", mini, "--today", "2026-11-20", "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["engagement"], row["delivered"]) == ("hill-top-partnership", 3.0)


def test_engagements_shows_the_years_engagements_and_all_of_them_with_all(stss: Any, mini: Path) -> None:
    """One that ended two years ago is not this year's business (and its visits are not read);
    one left active past its end still needs a decision, so it stays."""
    ended = ENGAGEMENT.replace("end: 2027-07-21", "end: 2025-03-31").replace(
        "status: active", "status: completed\nend_report: {date: 2025-03-31, outcome: Joined, recommendation: none}")
    overdue = ENGAGEMENT.replace("end: 2027-07-21", "end: 2025-03-31")
    write_records(mini, {
        "trust.yaml": THREE_YEARS,
        "engagements/hill-top-partnership.yaml": ended,
        "engagements/hill-top-left-open.yaml": overdue,
        "visits/2024-25/2024-10-08-hill-top-education-review.md": visit("2024-10-08"),
    })

    def shown(*args: str) -> dict[str, float]:
        result = stss("engagements", "--records", mini, "--today", "2026-11-20", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return {row["engagement"]: row["delivered"] for row in json.loads(result.stdout)}

    assert shown() == {"hill-top-left-open": 0.0}
    assert shown("--year", "2024-25") == {"hill-top-partnership": 1.0, "hill-top-left-open": 0.0}
    assert shown("--all") == {"hill-top-partnership": 1.0, "hill-top-left-open": 0.0}


def _summaries_from_everything(root: Path, terms: tuple[str, ...], fmt: str) -> dict[tuple[str, str], str]:
    """Each school's summary of each term, built from every record (and every school's
    committed files), by (school, term)."""
    import datetime as dt

    from stss import calendar, history, loader, render, reporting, store, usage

    r = loader.load(root, use_cache=False).records
    assert r.trust is not None
    day = dt.date.fromisoformat(TODAY)
    year = calendar.chosen_year(r.trust, None, day)
    rows = usage.usage(r, year, day)
    out = {}
    for term in terms:
        span = calendar.terms(r.trust.years[year])[term]
        committed = history.committed_on(root, reporting.earlier_days(r, year, term, day))
        changes = history.for_report(root, span.start, min(span.end, day))
        for school in r.schools:
            model = reporting.build(r, year, term, day, rows, changes, school, False,
                                    store.read_commentary(root, year, term), committed)
            out[school, term] = render.render(model, model.kind, fmt, root, None)
    return out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_schools_summary_from_its_own_records_is_the_summary_from_everything(
        stss: Any, example: Path, fmt: str) -> None:
    """Every school, in a term with history and a trend and one still to come."""
    root = with_history(example)
    expected = _summaries_from_everything(root, ("autumn", "summer"), fmt)
    assert len(expected) > 10
    for school, term in expected:
        result = stss("report", "--records", root, "--today", TODAY, "--term", term, "--school", school,
                      "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stdout == expected[school, term], (school, term)


def test_a_schools_summary_does_not_read_other_schools_or_need_them_valid(stss: Any, mini: Path) -> None:
    """A broken visit of another school, and an action of this school's still open from three
    years back (which the summary must still count)."""
    write_records(mini, {
        "trust.yaml": THREE_YEARS,
        "schools/other.yaml": "name: Other School\n",
        "visits/2026-27/2026-10-06-other-education-review.md": "---\nschool: [not, an, id]\n---\n",
        "visits/2024-25/2024-10-08-hill-top-education-review.md": (
            "---\nschool: hill-top\nactivity: education-review\ndate: 2024-10-08\nstatus: completed\n"
            "staff: [alex-morgan]\nactions:\n- {text: Write the reading policy, owner: headteacher, due: 2024-12-01}\n"
            "---\nNotes.\n"),
    })
    assert stss("validate", "--records", mini).exit_code == 1
    result = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn", "--school", "hill-top")
    assert result.exit_code == 0, result.output
    assert "Write the reading policy" in result.stdout


def _old_visit(day: str, staff: str, actions: str) -> str:
    return (f"---\nschool: hill-top\nactivity: education-review\ndate: {day}\nstatus: completed\n"
            f"staff: [{staff}]\nactions:\n{actions}---\nNotes.\n")


def test_the_board_pack_counts_actions_still_open_from_any_year_and_reads_no_other_old_visit(
        stss: Any, mini: Path) -> None:
    """An action stays open until it is done: one from three years back is still overdue in
    this term's pack. An old visit whose actions were all done (or dropped) long ago is not
    read at all, cold or once the cache knows it: a broken one does not stop the pack."""
    import os
    import time

    write_records(mini, {
        "trust.yaml": THREE_YEARS,
        "visits/2024-25/2024-10-08-hill-top-education-review.md": _old_visit(
            "2024-10-08", "alex-morgan", "- {text: Write the reading policy, owner: headteacher, due: 2024-12-01}\n"),
        "visits/2024-25/2024-11-12-hill-top-education-review.md": _old_visit(
            "2024-11-12", "no-such-person",
            "- {text: Tidy the library, owner: headteacher, status: done, done: 2025-01-10}\n"
            "- {text: Paint the hall, owner: headteacher, status: dropped}\n"),
        "visits/2024-25/2025-03-04-hill-top-education-review.md": _old_visit(
            "2025-03-04", "alex-morgan",
            "- {text: Governor visit on maths, owner: chair-of-governors, status: done, done: 2025-10-02}\n"),
    })
    assert stss("validate", "--records", mini).exit_code == 1  # the unknown person, three years back
    packs = []
    for run in ("cold", "warm"):
        if run == "warm":  # old enough to be cached, as by the first run's read
            then = time.time() - 60
            for path in (mini / "visits").rglob("*.md"):
                os.utime(path, (then, then))
            assert stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn").exit_code == 0
        result = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn")
        assert result.exit_code == 0, (run, result.output)
        assert "Open actions: 1, of which 1 overdue" in result.stdout, run
        packs.append(result.stdout)
    assert packs[0] == packs[1]
    # Done during last year (after 1 August 2025): open at the end of last year's autumn term,
    # which the trend looks back to, so that visit is read.
    from stss import layout, loader

    read = loader.load(mini, scope=layout.Scope(years=frozenset({"2025-26", "2026-27"}), open_actions=True)).paths
    assert {p for p in read if p.startswith("visits/")} == {
        "visits/2024-25/2024-10-08-hill-top-education-review.md", "visits/2024-25/2025-03-04-hill-top-education-review.md"}


def test_the_board_pack_lists_a_schools_eight_longest_overdue_actions_and_its_summary_every_one(
        stss: Any, mini: Path) -> None:
    """Actions stay open until done, so years of them can pile up: a trustee's page for a
    school lists the eight longest overdue and says how many there are; the school's own
    summary lists every one."""
    actions = "".join(f"- {{text: Old action {n:02d}, owner: headteacher, due: 2025-0{1 + n % 9}-{10 + n:02d}}}\n"
                      for n in range(10))
    write_records(mini, {"trust.yaml": THREE_YEARS,
                         "visits/2024-25/2024-10-08-hill-top-education-review.md": _old_visit(
                             "2024-10-08", "alex-morgan", actions)})
    longest = sorted(range(10), key=lambda n: (1 + n % 9, 10 + n))[:8]
    note = "The 8 longest overdue of 10; the rest are in the school's own summary."
    for fmt in ("md", "html"):
        out = mini.parent / f"pack.{fmt}"
        result = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn",
                      "--format", fmt, "--out", out)
        assert result.exit_code == 0, result.output
        pack = out.read_text("utf-8")
        assert note in pack
        assert {n for n in range(10) if f"Old action {n:02d}" in pack} == set(longest)
    summary = stss("report", "--records", mini, "--today", "2026-11-20", "--term", "autumn", "--school", "hill-top")
    assert summary.exit_code == 0, summary.output
    assert all(f"Old action {n:02d}" in summary.stdout for n in range(10))
