"""Issue 14: mid-year support changes, new headteachers, conflicts of interest
and engagement work, each rule on a small records folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from stss.entitlements import owed
from stss.loader import load
from stss.planning import plan
from stss.usage import usage
from tests.helpers import TWO_LEVEL_OFFER, problems, write_records

D = dt.date

CHANGED = """\
name: Hill Top Primary
phase: primary
membership: academy
joined: 2019-09-01
support:
  2026-27:
    level: standard
    decided: 2026-07-01
    risk: green
    # the December inspection changed everything
    changes:
      - {from: 2027-01-04, level: intensive, decided: 2026-12-10, risk: red,
         rationale: Safeguarding not met at the December inspection.}
"""


def root_with(mini: Path, files: dict[str, str]) -> Path:
    return write_records(mini, {"offer.yaml": TWO_LEVEL_OFFER, **files})


def counts(root: Path, school: str = "hill-top") -> dict[str, int]:
    loaded = load(root)
    assert loaded.ok, loaded.problems
    return {f"{o.activity}@{o.period.name}": o.count for o in owed(loaded.records, school, "2026-27")}


def test_a_change_from_january_owes_per_term_extras_from_spring_only(mini: Path) -> None:
    got = counts(root_with(mini, {"schools/hill-top.yaml": CHANGED}))
    assert "ceo-visit@2026-27/autumn" not in got
    assert got["ceo-visit@2026-27/spring"] == 1
    assert got["ceo-visit@2026-27/summer"] == 1


def test_a_change_shares_yearly_counts_by_terms_rounded_up(mini: Path) -> None:
    # 3 a year for one term (1) and 5 a year for two (3 1/3): 4 1/3, rounded up to 5.
    got = counts(root_with(mini, {"schools/hill-top.yaml": CHANGED}))
    assert got["education-review@2026-27"] == 5


def head_school(started: str) -> str:
    return f"""\
name: Hill Top Primary
phase: primary
membership: academy
joined: 2019-09-01
headteacher: {{name: Sam Patel, started: {started}}}
support:
  2026-27: {{level: standard, decided: 2026-07-01}}
"""


def test_mentoring_for_a_head_starting_4_january_is_4_of_6(mini: Path) -> None:
    got = counts(root_with(mini, {"schools/hill-top.yaml": head_school("2027-01-04")}))
    assert got["headteacher-mentoring@2026-27"] == 4


def test_mentoring_is_never_planned_before_the_head_starts(mini: Path) -> None:
    root = root_with(mini, {"schools/hill-top.yaml": head_school("2027-01-04")})
    result = plan(load(root).records, "2026-27", D(2026, 11, 23), seed=3)
    mentoring = [v for v in result.visits if v.activity == "headteacher-mentoring"]
    assert len(mentoring) == 4
    assert all(v.date >= D(2027, 1, 4) for v in mentoring)


PEERS = {
    "people/ann-home.yaml": "name: Ann\nroles: [slt]\ncapacity_days: 100\nhome_school: hill-top\n",
    "people/bob-away.yaml": "name: Bob\nroles: [slt]\ncapacity_days: 100\nhome_school: vale\n",
    "schools/vale.yaml": "name: Vale\nphase: primary\nmembership: academy\njoined: 2019-09-01\n"
                         "support:\n  2026-27: {level: peer, decided: 2026-07-01}\n",
    "schools/hill-top.yaml": "name: Hill Top\nphase: primary\nmembership: academy\njoined: 2019-09-01\n"
                             "support:\n  2026-27: {level: peer, decided: 2026-07-01}\n",
}
PEER_OFFER = TWO_LEVEL_OFFER + """\
  peer:
    name: Peer review
    entitlements:
      - {activity: peer-review, count: 3, per: year}
"""


def test_no_plan_over_50_seeded_runs_puts_a_person_in_their_own_school(mini: Path) -> None:
    root = write_records(mini, {**PEERS, "offer.yaml": PEER_OFFER})
    records = load(root).records
    for seed in range(50):
        result = plan(records, "2026-27", D(2026, 9, 3), seed=seed)
        assert len([v for v in result.visits if v.activity == "peer-review"]) == 6
        for v in result.visits:
            for person in v.staff:
                assert records.people[person].home_school != v.school, (seed, v)


def test_a_visit_by_someone_from_the_school_itself_is_a_warning(stss: Any, mini: Path) -> None:
    root = write_records(mini, {**PEERS, "offer.yaml": PEER_OFFER, "visits/2026-27/2026-10-06-hill-top-peer-review.md":
                                "---\nschool: hill-top\nactivity: peer-review\ndate: 2026-10-06\n"
                                "status: completed\nstaff: [ann-home]\n---\n"})
    rows = [r for r in problems(stss, root) if "conflict of interest" in r["message"]]
    assert [(r["path"], r["line"], r["severity"]) for r in rows] == [
        ("visits/2026-27/2026-10-06-hill-top-peer-review.md", 6, "warning")]


ENGAGEMENT = """\
school: hill-top
kind: deployment
title: Maths support
start: 2026-09-14
end: 2027-03-31
days: 4
staff: [alex-morgan]
"""


def test_an_engagements_visit_is_never_over_entitlement(mini: Path) -> None:
    visits = {f"visits/2026-27/2026-10-0{d}-hill-top-support-day.md":
              f"---\nschool: hill-top\nactivity: support-day\ndate: 2026-10-0{d}\nstatus: completed\n"
              f"staff: [alex-morgan]\nengagement: maths\n---\n" for d in (5, 6, 7)}
    school = ("name: Hill Top\nphase: primary\nmembership: academy\njoined: 2019-09-01\nsupport:\n"
              "  2026-27: {level: standard, extra: [{activity: support-day, count: 1, per: year}]}\n")
    root = root_with(mini, {"engagements/maths.yaml": ENGAGEMENT, "schools/hill-top.yaml": school, **visits})
    loaded = load(root)
    assert loaded.ok, loaded.problems
    rows = usage(loaded.records, "2026-27", D(2026, 11, 23))
    [day] = [r for r in rows if r.activity == "support-day"]
    assert (day.entitled, day.completed, day.over, day.status) == (1, 0, 0, "due")
    assert all(r.over == 0 for r in rows)


@pytest.mark.parametrize(("change", "loc_word", "message"), [
    ("{from: 2027-09-06, level: intensive}", "from", "outside 2026-27"),
    ("{from: 2027-01-04, level: intensive, decided: 2026-06-01}", "decided", "before the year's decision"),
    ("{from: 2027-01-04, level: intensiv}", "level", "unknown level 'intensiv'"),
])
def test_a_bad_change_is_located_at_its_line(stss: Any, mini: Path, change: str, loc_word: str,
                                             message: str) -> None:
    school = ("name: Hill Top\nphase: primary\nmembership: academy\njoined: 2019-09-01\nsupport:\n"
              f"  2026-27:\n    level: standard\n    decided: 2026-07-01\n    changes:\n      - {change}\n")
    root = root_with(mini, {"schools/hill-top.yaml": school})
    rows = [r for r in problems(stss, root) if r["severity"] == "error"]
    assert len(rows) == 1, rows
    assert rows[0]["path"] == "schools/hill-top.yaml" and rows[0]["line"] == 10
    assert message in rows[0]["message"]
    assert json.dumps(rows[0])
