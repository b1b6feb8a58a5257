"""`stss validate`: every problem located at the exact file, line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLE, MINI_VISIT, problems, write_records


def only(rows: list[dict[str, Any]]) -> tuple[str, int, int, str, str]:
    assert len(rows) == 1, rows
    r = rows[0]
    return r["path"], r["line"], r["column"], r["severity"], r["message"]


def test_example_trust_is_clean(stss: Any) -> None:
    result = stss("validate", "--records", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_mini_trust_is_clean(stss: Any, mini: Path) -> None:
    write_records(mini, {"visits/2026-27/2026-10-06-hill-top-education-review.md": MINI_VISIT})
    assert problems(stss, mini) == []


def test_unknown_key_points_at_the_key_with_a_suggestion(stss: Any, mini: Path) -> None:
    school = (mini / "schools/hill-top.yaml")
    school.write_text(school.read_text().replace("phase: primary", "phase: primary\nlocal_authorty: Leeds"))
    path, line, column, severity, message = only(problems(stss, mini))
    assert (path, line, severity) == ("schools/hill-top.yaml", 4, "error")
    assert "unknown key 'local_authorty'" in message
    assert "did you mean 'local_authority'?" in message
    assert column == 17


def test_bad_value_points_at_the_value(stss: Any, mini: Path) -> None:
    school = mini / "schools/hill-top.yaml"
    school.write_text(school.read_text().replace("{level: core,", "{level: Core,"))
    path, line, column, _, message = only(problems(stss, mini))
    assert (path, line, column) == ("schools/hill-top.yaml", 7, 20)
    assert "'Core' is not a valid id" in message


def test_unknown_level_with_did_you_mean(stss: Any, mini: Path) -> None:
    school = mini / "schools/hill-top.yaml"
    school.write_text(school.read_text().replace("{level: core,", "{level: cor,"))
    path, line, _, _, message = only(problems(stss, mini))
    assert (path, line) == ("schools/hill-top.yaml", 7)
    assert "unknown level 'cor'" in message and "did you mean 'core'?" in message


def test_negative_and_zero_counts_are_located_errors(stss: Any, mini: Path) -> None:
    offer = mini / "offer.yaml"
    offer.write_text(offer.read_text().replace("count: 2, per: year", "count: 0, per: year")
                     .replace("days: 0.5}", "days: -1}", 1))
    rows = problems(stss, mini)
    assert [(r["path"], r["line"]) for r in rows] == [("offer.yaml", 3), ("offer.yaml", 9)]
    assert "must be more than 0, got -1" in rows[0]["message"]
    assert "must be more than 0, got 0" in rows[1]["message"]


def test_half_day_is_fine(stss: Any, mini: Path) -> None:
    assert problems(stss, mini) == []  # MINI_OFFER has days: 0.5


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("name: [unclosed\nphase: primary\n", 2, 6, "malformed YAML"),
        ("- a list\n- of things\n", 1, 1, "expected a mapping of keys to values, found a list"),
        ("", 1, 1, "the file is empty"),
        ("name: x\nname: y\n", 2, 1, "duplicate key"),
        ("name: !!python/object/apply:os.system [echo]\n", 1, 7, "custom YAML tags are not allowed"),
        ("name: x\n\tphase: primary\n", 2, 1, "malformed YAML"),
    ],
)
def test_broken_files_get_one_located_message(stss: Any, mini: Path, text: str, line: int, column: int,
                                              fragment: str) -> None:
    (mini / "schools/hill-top.yaml").write_text(text)
    path, got_line, got_column, severity, message = only(problems(stss, mini))
    assert (path, got_line, got_column, severity) == ("schools/hill-top.yaml", line, column, "error")
    assert fragment in message


def test_not_utf8_is_located_at_the_bad_byte(stss: Any, mini: Path) -> None:
    (mini / "people/alex-morgan.yaml").write_bytes(b"name: Alex\nroles: [coach]\ncapacity_days: 4\nemail: caf\xe9\n")
    assert only(problems(stss, mini))[:4] == ("people/alex-morgan.yaml", 4, 11, "error")


def test_visit_problems_are_located_in_the_front_matter(stss: Any, mini: Path) -> None:
    text = MINI_VISIT.replace("staff: [alex-morgan]", "staff: [alex-morgn]")
    write_records(mini, {"visits/2026-27/2026-10-06-hill-top-education-review.md": text})
    path, line, column, _, message = only(problems(stss, mini))
    assert (path, line, column) == ("visits/2026-27/2026-10-06-hill-top-education-review.md", 6, 9)
    assert "unknown person 'alex-morgn'" in message and "did you mean 'alex-morgan'?" in message


def test_visit_on_a_weekend_is_a_warning_and_exit_0(stss: Any, mini: Path) -> None:
    text = MINI_VISIT.replace("2026-10-06", "2026-10-10")
    write_records(mini, {"visits/2026-27/2026-10-10-hill-top-education-review.md": text})
    result = stss("validate", "--records", mini)
    assert result.exit_code == 0
    assert "2026-10-10-hill-top-education-review.md:4:7: warning: 2026-10-10 is not a school day (Saturday)" in result.stdout


@pytest.mark.parametrize(("day", "why"), [("2026-10-27", "half-term"), ("2027-05-03", "closure")])
def test_half_term_and_closures_are_not_school_days(stss: Any, mini: Path, day: str, why: str) -> None:
    name = f"{day}-hill-top-education-review"
    write_records(mini, {f"visits/2026-27/{name}.md": MINI_VISIT.replace("2026-10-06", day)})
    _path, line, _, severity, message = only(problems(stss, mini))
    assert (line, severity) == (4, "warning") and why in message


def test_visit_outside_every_year_and_in_the_wrong_folder(stss: Any, mini: Path) -> None:
    write_records(mini, {
        "visits/2026-27/2025-10-06-hill-top-education-review.md": MINI_VISIT.replace("2026-10-06", "2025-10-06"),
        "visits/2025-26/2026-10-06-hill-top-education-review.md": MINI_VISIT,
    })
    rows = problems(stss, mini)
    assert [(r["path"].split("/")[1], r["line"], r["severity"]) for r in rows] == [
        ("2025-26", 4, "error"), ("2026-27", 4, "error")]
    assert "belongs in visits/2026-27/" in rows[0]["message"]
    assert "outside every academic year" in rows[1]["message"]


def test_member_school_without_a_level_is_warned(stss: Any, mini: Path) -> None:
    school = mini / "schools/hill-top.yaml"
    school.write_text(school.read_text().replace("support:\n  2026-27: {level: core, decided: 2026-07-08}\n", ""))
    assert only(problems(stss, mini))[:4] == ("schools/hill-top.yaml", 1, 1, "warning")


def test_duplicate_urns(stss: Any, mini: Path) -> None:
    write_records(mini, {"schools/second.yaml": (mini / "schools/hill-top.yaml").read_text()})
    path, line, column, _, message = only(problems(stss, mini))
    assert (path, line, column) == ("schools/second.yaml", 1, 6)
    assert "URN 140001 is also used by hill-top" in message


def test_includes_cycle_and_unknown_activity(stss: Any, mini: Path) -> None:
    offer = mini / "offer.yaml"
    offer.write_text(offer.read_text() + "  extra:\n    name: Extra\n    includes: more\n    entitlements:\n"
                     "      - {activity: ceo-vist, count: 1, per: term}\n  more:\n    name: More\n    includes: extra\n")
    rows = problems(stss, mini)
    assert [(r["line"], r["message"].split(" (hint")[0].split(":")[0]) for r in rows] == [
        (14, "levels include each other"), (16, "unknown activity 'ceo-vist'"), (19, "levels include each other")]


def test_partnership_end_before_start(stss: Any, mini: Path) -> None:
    write_records(mini, {"schools/partner.yaml": """\
        urn: 140009
        name: Partner Primary
        phase: primary
        membership: partnership
        partnership: {start: 2026-09-01, end: 2026-06-30}
        """})
    path, line, column, _, message = only(problems(stss, mini))
    assert (path, line, column) == ("schools/partner.yaml", 5, 39)
    assert "ends (2026-06-30) before it starts" in message


def test_overlapping_terms(stss: Any, mini: Path) -> None:
    trust = mini / "trust.yaml"
    trust.write_text(trust.read_text().replace("spring: {start: 2027-01-04", "spring: {start: 2026-12-14"))
    path, line, _column, _, message = only(problems(stss, mini))
    assert (path, line) == ("trust.yaml", 5)
    assert "spring starts (2026-12-14) before autumn ends (2026-12-18)" in message


def test_file_names_must_be_slugs(stss: Any, mini: Path) -> None:
    write_records(mini, {"schools/Hill Top.yaml": (mini / "schools/hill-top.yaml").read_text()})
    rows = problems(stss, mini)
    assert any(r["path"] == "schools/Hill Top.yaml" and "not a valid id" in r["message"] for r in rows)


def test_engagement_for_another_school(stss: Any, mini: Path) -> None:
    write_records(mini, {
        "schools/other.yaml": "urn: 140002\nname: Other\nphase: primary\nmembership: external\n",
        "engagements/other-support.yaml": "school: other\nkind: traded\ntitle: Days\nstart: 2026-09-01\ndays: 2\n",
        "visits/2026-27/2026-10-06-hill-top-education-review.md": MINI_VISIT.replace(
            "staff: [alex-morgan]", "staff: [alex-morgan]\nengagement: other-support"),
    })
    _path, line, _, _, message = only(problems(stss, mini))
    assert line == 7 and "is for other, not hill-top" in message


def test_all_problems_at_once_sorted_by_file_and_line(stss: Any, mini: Path) -> None:
    (mini / "people/alex-morgan.yaml").write_text("name: Alex\ncapacity_days: -3\nrole: [x]\n")
    (mini / "schools/hill-top.yaml").write_text("name: x\n")
    rows = problems(stss, mini)
    keys = [(r["path"], r["line"], r["column"]) for r in rows]
    assert keys == sorted(keys) and len(rows) >= 4
    assert {r["path"] for r in rows} == {"people/alex-morgan.yaml", "schools/hill-top.yaml"}


def test_text_and_github_formats(stss: Any, mini: Path) -> None:
    (mini / "schools/hill-top.yaml").write_text("name: x\nphase: primry\nmembership: academy\n")
    text = stss("validate", "--records", mini)
    assert text.exit_code == 1
    assert text.stdout.strip().endswith(
        "schools/hill-top.yaml:2:8: error: phase: 'primry' is not one of: nursery, primary, middle, secondary, "
        "all-through, special, alternative, post-16 (hint: did you mean 'primary'?)")
    gh = stss("validate", "--records", mini, "--format", "github")
    assert gh.stdout.startswith("::error file=") and ",line=2,col=8::phase: 'primry'" in gh.stdout


def test_usage_errors_exit_2(stss: Any, mini: Path) -> None:
    assert stss("validate", "--records", mini, "--format", "xml").exit_code == 2
    assert stss("validate", "--bogus").exit_code == 2


def test_missing_records_root_is_a_message_not_a_traceback(stss: Any, tmp_path: Path) -> None:
    result = stss("validate", "--records", tmp_path)
    assert result.exit_code == 1
    assert "has no trust.yaml" in result.stderr


def test_root_found_upwards_and_from_env(stss: Any, mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mini / "schools")
    assert stss("validate").exit_code == 0
    monkeypatch.chdir(mini.parent)
    monkeypatch.setenv("STSS_RECORDS", str(mini))
    assert stss("validate").exit_code == 0
