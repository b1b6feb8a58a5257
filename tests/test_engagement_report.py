"""`stss report --engagement ID`: one engagement's report, golden in md and html, with
confidential visits left out unless asked for, hostile text kept as text, and the
trust's own template used when it has one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, check_golden, write_records

COMPLETED = "riverside-ks3-support-2025-26"


def report(stss: Any, root: Path, *args: str) -> Any:
    return stss("report", "--records", root, "--today", TODAY, *args)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_engagement_report_matches_golden(example: Path, stss: Any, fmt: str) -> None:
    result = report(stss, example, "--engagement", COMPLETED, "--format", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"engagement-{COMPLETED}.{fmt}", result.stdout)


def test_the_report_has_every_part_in_order(example: Path, stss: Any) -> None:
    out = report(stss, example, "--engagement", COMPLETED).stdout
    headings = re.findall(r"^## (.*)$", out, flags=re.MULTILINE)
    assert headings == ["Purpose", "Objectives and progress reviews", "Days", "Staff", "Funding", "Visits",
                        "End-of-deployment report"]
    assert "| 3 | 15 July 2026 | green | Suspensions down by a third on 2024-25. |" in out
    assert "| 12 | 12 | 0 | 0 |" in out  # commissioned, delivered, planned, still to plan
    assert "**Recommendation:** The school needs further support." in out
    assert out.count("\n### ") == 3 + 12  # three objectives, twelve visits


def test_traded_work_shows_its_value_and_a_live_engagement_has_no_end_report(example: Path, stss: Any) -> None:
    out = report(stss, example, "--engagement", "castle-hill-traded-2026-27").stdout
    assert "Traded work at £600 a day: £3,000 commissioned, £1,800 delivered, £1,200 still to deliver." in out
    assert "End-of-deployment report" not in out
    assert "(planned)" in out  # planned visits are listed too


def test_confidential_visits_are_counted_but_not_described_unless_asked(mini: Path, stss: Any) -> None:
    write_records(mini, {
        "engagements/reading.yaml": "school: hill-top\nkind: deployment\ntitle: Reading\nstart: 2026-09-14\ndays: 3\n",
        "visits/2026-27/2026-10-06-hill-top-safeguarding-review.md":
            "---\nschool: hill-top\nactivity: safeguarding-review\ndate: 2026-10-06\nstatus: completed\n"
            "engagement: reading\n---\n## Summary\nA child protection matter.\n",
    })
    out = report(stss, mini, "--engagement", "reading").stdout
    assert "child protection" not in out
    assert "1 confidential visit (such as safeguarding reviews) is counted in the days" in out
    assert "| 3 | 0.5 | 0 | 2.5 |" in out
    shown = report(stss, mini, "--engagement", "reading", "--include-confidential").stdout
    assert "A child protection matter." in shown and "**Confidential:**" in shown


def test_hostile_text_in_an_engagement_stays_text(mini: Path, stss: Any) -> None:
    write_records(mini, {"engagements/reading.yaml": """\
        school: hill-top
        kind: deployment
        title: "<script>alert(1)</script>"
        purpose: "<img src=x onerror=alert(1)> | table | [x](javascript:alert(1))"
        start: 2026-09-14
        days: 3
        objectives:
          - id: one
            text: "<iframe src=//evil.example>"
            reviews: [{date: 2026-10-01, rag: red, note: "</td><script>x</script> | cell"}]
        """})
    html = report(stss, mini, "--engagement", "reading", "--format", "html")
    assert html.exit_code == 0, html.output
    assert "<script>" not in html.stdout and "<iframe" not in html.stdout and "<img" not in html.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.stdout
    md = report(stss, mini, "--engagement", "reading").stdout
    assert r"\</td>\<script>x\</script> \| cell" in md
    assert r"\<iframe" in md


def test_the_trusts_own_engagement_template_is_used(example: Path, stss: Any) -> None:
    write_records(example, {"templates/engagement.md.j2": "{{ report.title }}: {{ report.objectives | length }}\n"})
    out = report(stss, example, "--engagement", COMPLETED).stdout
    assert out == "Riverside Academy: Key stage 3 curriculum and behaviour support: 3\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--engagement", "nowhere"), "unknown engagement 'nowhere'"),
    (("--engagement", COMPLETED, "--school", "riverside-academy"), "--engagement is a report of its own"),
    (("--engagement", COMPLETED, "--format", "pdf"), "a PDF needs somewhere to go"),
])
def test_engagement_report_usage_errors(example: Path, stss: Any, args: tuple[str, ...], message: str) -> None:
    result = report(stss, example, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_completed_engagement_without_an_end_report_is_refused(example: Path, stss: Any) -> None:
    path = example / "engagements" / f"{COMPLETED}.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.split("end_report:")[0], "utf-8")
    line = text.split("end_report:")[0].splitlines().index("status: completed") + 1
    result = report(stss, example, "--engagement", COMPLETED)
    assert result.exit_code == 1
    assert f"engagements/{COMPLETED}.yaml:{line}:9: error: a completed engagement needs an end_report" in result.stderr
