"""Funding and traded work: grants by source, status and date; the value of traded
work from its rate; `stss engagements --funding`, delivered against awarded by
financial year (April to March), in the manner of hledger's budget report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stss import funding, loader
from stss.calendar import financial_year
from tests.helpers import write_records

#: Two grants either side of the financial year's end, and visits either side of it too.
GRANTS = """\
school: hill-top
kind: deployment
title: Reading leadership
start: 2027-01-11
days: 4
funding:
  - {source: school-improvement-fund, amount: 1200, status: awarded, awarded: 2027-03-31}
  - {source: emergency-fund, amount: 800, status: awarded, awarded: 2027-04-01}
  - {source: english-hub, amount: 500, status: applied}
  - {source: lottery, amount: 900, status: declined}
"""
TRADED = """\
school: hill-top
kind: traded
title: Pre-inspection review
start: 2027-03-01
days: 5
rate: 450.5
"""


def visit(date: str, engagement: str, status: str = "completed") -> str:
    return f"""\
---
school: hill-top
activity: education-review
date: {date}
status: {status}
staff: [alex-morgan]
engagement: {engagement}
---
"""


@pytest.fixture
def money(mini: Path) -> Path:
    return write_records(mini, {
        "engagements/reading.yaml": GRANTS,
        "engagements/review.yaml": TRADED,
        "visits/2026-27/2027-03-25-hill-top-education-review.md": visit("2027-03-25", "reading"),
        "visits/2026-27/2027-04-12-hill-top-education-review.md": visit("2027-04-12", "reading"),
        "visits/2026-27/2027-03-24-hill-top-education-review.md": visit("2027-03-24", "review"),
        "visits/2026-27/2027-04-13-hill-top-education-review.md": visit("2027-04-13", "review", "planned"),
    })


@pytest.mark.parametrize(("day", "year"), [
    ("2027-03-31", "2026-27"), ("2027-04-01", "2027-28"), ("2026-04-01", "2026-27"), ("2027-01-01", "2026-27"),
])
def test_the_financial_year_runs_from_april_to_march(day: str, year: str) -> None:
    assert financial_year(dt.date.fromisoformat(day)) == year


def test_funding_is_budgeted_in_the_year_awarded_and_delivered_in_the_year_of_each_visit(money: Path) -> None:
    loaded = loader.load(money)
    assert loaded.ok, loaded.problems
    lines = {(line.source, line.financial_year): line for line in funding.by_year(loaded.records)}
    # Awarded on 31 March: last year's budget; on 1 April: next year's.
    assert lines["school-improvement-fund", "2026-27"].awarded == 1200
    assert lines["emergency-fund", "2027-28"].awarded == 800
    # Each day delivered is worth a quarter of each grant (4 days commissioned), in its visit's year.
    assert lines["school-improvement-fund", "2026-27"].delivered == 300
    assert lines["school-improvement-fund", "2027-28"].delivered == 300
    assert (lines["emergency-fund", "2026-27"].delivered, lines["emergency-fund", "2027-28"].delivered) == (200, 200)
    # Applied-for and declined grants are no budget and deliver nothing.
    assert (lines["english-hub", "2026-27"].awarded, lines["english-hub", "2026-27"].applied) == (0, 500)
    assert (lines["lottery", "2026-27"].delivered, lines["lottery", "2026-27"].declined) == (0, 900)
    # Traded work: its rate times the days commissioned, budgeted when it starts; a planned visit delivers nothing.
    assert (lines["traded", "2026-27"].awarded, lines["traded", "2026-27"].delivered) == (2252.5, 450.5)
    assert ("traded", "2027-28") not in lines


def test_traded_work_is_valued_commissioned_delivered_and_still_to_deliver(stss: Any, money: Path) -> None:
    rows = json.loads(stss("engagements", "--records", money, "--today", "2027-04-20", "--format", "json").stdout)
    review = next(row for row in rows if row["engagement"] == "review")
    assert (review["rate"], review["value_commissioned"], review["value_delivered"], review["value_to_deliver"]) == (
        450.5, 2252.5, 450.5, 1802.0)
    reading = next(row for row in rows if row["engagement"] == "reading")
    assert reading["rate"] is None and reading["value_delivered"] is None
    table = stss("engagements", "--records", money, "--today", "2027-04-20").stdout
    assert "£450.50 of £2,252.50" in table


def test_funding_table_sets_delivered_against_awarded_by_financial_year(stss: Any, money: Path) -> None:
    result = stss("engagements", "--records", money, "--funding")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["source", "2026-27", "2027-28", "total"]
    rows = {line.split()[0]: line for line in lines[4:]}
    assert rows["school-improvement-fund"].split("  ")[-1].strip() == "£600 [50% of £1,200]"
    assert "£300 [25% of £1,200]" in rows["school-improvement-fund"]
    assert "£200 [25% of £800]" in rows["emergency-fund"]
    assert "£450.50 [20% of £2,252.50]" in rows["traded"]
    assert "lottery" not in rows and "english-hub" not in rows  # nothing awarded or delivered
    assert "Applied for, awaiting a decision: english-hub £500 (2026-27)" in result.stdout
    assert rows["total"].split("  ")[-1].strip() == "£1,450.50 [34% of £4,252.50]"


def test_funding_as_json_and_csv_has_a_row_per_source_and_year(stss: Any, money: Path) -> None:
    rows = json.loads(stss("engagements", "--records", money, "--funding", "--format", "json").stdout)
    assert rows[0] == {"source": "emergency-fund", "financial_year": "2026-27", "awarded": 0.0, "delivered": 200.0,
                       "applied": 0.0, "declined": 0.0, "percent": None}
    csv = stss("engagements", "--records", money, "--funding", "--format", "csv").stdout.splitlines()
    assert csv[0] == "source,financial_year,awarded,delivered,percent,applied,declined"
    assert "school-improvement-fund,2026-27,1200.0,300.0,25,0.0,0.0" in csv


def test_funding_follows_the_status_filter(stss: Any, money: Path) -> None:
    rows = json.loads(stss("engagements", "--records", money, "--funding", "--status", "paused",
                           "--format", "json").stdout)
    assert rows == []


def test_records_written_before_grant_statuses_read_as_awarded(mini: Path) -> None:
    write_records(mini, {"engagements/old.yaml": GRANTS.split("funding:")[0]
                         + "funding: {source: school-improvement-fund, amount: 4800}\n"})
    loaded = loader.load(mini)
    assert loaded.ok, loaded.problems
    [grant] = loaded.records.engagements["old"].funding
    assert (grant.status, grant.awarded) == ("awarded", None)
    [line] = funding.by_year(loaded.records)
    assert (line.financial_year, line.awarded) == ("2026-27", 4800)  # the engagement's start


@pytest.mark.parametrize(("text", "where"), [
    (GRANTS.split("funding:")[0] + "funding: {source: x, amount: -5}\n",
     "6:30: error: funding.amount: must be at least 0, got -5"),
    (GRANTS.replace("status: applied", "status: promised"),
     "9:48: error: funding.2.status: 'promised' is not one of: applied, awarded, declined"),
    (GRANTS.replace("status: applied}", "status: applied, awarded: 2027-02-01}"),
     "9:66: warning: a grant with status applied has an awarded date"),
    (TRADED + "funding: {source: x, amount: 5}\n",
     "6:7: warning: this engagement has a rate and awarded funding: funding totals count both"),
    (TRADED.replace("rate: 450.5", "rate: -1"), "6:7: error: rate: must be at least 0, got -1"),
])
def test_funding_mistakes_are_located(stss: Any, mini: Path, text: str, where: str) -> None:
    write_records(mini, {"engagements/reading.yaml": text})
    result = stss("validate", "--records", mini)
    assert f"engagements/reading.yaml:{where}" in result.stdout, result.stdout
