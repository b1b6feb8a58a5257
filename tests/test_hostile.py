"""Hostile and odd records: every problem at its own file and line, exit 1, no traceback.

Each case takes one file of the example trust, changes one value (or adds one
hostile line), and expects `stss validate` to name that file and the line the
change is on, and nothing outside that file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GIAS_SAMPLE, snapshot

SCHOOL = "schools/brookfield-primary.yaml"
PERSON = "people/daniel-okafor.yaml"
ENGAGEMENT = "engagements/ashcombe-partnership.yaml"
OFFER = "offer.yaml"
VISIT = "visits/2026-27/2026-09-09-brookfield-primary-partnership-visit.md"
TRUST = "trust.yaml"
PARTNER = "schools/ashcombe-primary.yaml"
AUTUMN = "autumn: {start: 2026-09-03, half_term: [2026-10-26, 2026-10-30], end: 2026-12-18}"

#: (id, file, old text, new text, words the message must contain)
CASES: list[tuple[str, str, str, str, str]] = [
    # impossible dates, at the key, whichever field holds them
    ("joined-feb-30", SCHOOL, "joined: 2018-09-01", "joined: 2026-02-30", "not a date"),
    ("joined-month-13", SCHOOL, "joined: 2018-09-01", "joined: 2026-13-01", "not a date"),
    ("joined-not-leap", SCHOOL, "joined: 2018-09-01", "joined: 2025-02-29", "not a date"),
    ("joined-april-31", SCHOOL, "joined: 2018-09-01", "joined: 2026-04-31", "not a date"),
    ("joined-day-00", SCHOOL, "joined: 2018-09-01", "joined: 2026-09-00", "not a date"),
    ("head-started-feb-30", SCHOOL, "started: 2020-09-01}", "started: 2020-02-30}", "not a date"),
    ("engagement-start-feb-31", ENGAGEMENT, "start: 2025-09-03", "start: 2025-02-31", "not a date"),
    ("engagement-end-june-31", ENGAGEMENT, "end: 2027-07-21", "end: 2027-06-31", "not a date"),
    ("visit-date-feb-30", VISIT, "date: 2026-09-09", "date: 2026-02-30", "not a date"),
    ("action-due-feb-30", VISIT, "due: 2026-10-07", "due: 2026-02-30", "not a date"),
    ("action-due-nov-31", VISIT, "due: 2026-10-07", "due: 2026-11-31", "not a date"),
    # days: finite, more than 0, at most 30 (a visit or an activity)
    ("visit-days-inf", VISIT, "status: completed", "status: completed\ndays: .inf", "finite"),
    ("visit-days-minus-inf", VISIT, "status: completed", "status: completed\ndays: -.inf", "days"),
    ("visit-days-nan", VISIT, "status: completed", "status: completed\ndays: .nan", "finite"),
    ("visit-days-zero", VISIT, "status: completed", "status: completed\ndays: 0", "more than 0"),
    ("visit-days-negative", VISIT, "status: completed", "status: completed\ndays: -1", "more than 0"),
    ("visit-days-31", VISIT, "status: completed", "status: completed\ndays: 31", "at most 30"),
    ("visit-days-1e300", VISIT, "status: completed", "status: completed\ndays: 1e300", "at most 30"),
    ("visit-days-text", VISIT, "status: completed", "status: completed\ndays: lots", "days"),
    ("activity-days-inf", OFFER, "    days: 1\n", "    days: .inf\n", "finite"),
    ("activity-days-huge", OFFER, "    days: 1\n", "    days: 1000000\n", "at most 30"),
    ("activity-days-nan", OFFER, "    days: 1\n", "    days: .nan\n", "finite"),
    # engagement days and capacity: at most 366
    ("engagement-days-inf", ENGAGEMENT, "days: 10", "days: .inf", "finite"),
    ("engagement-days-367", ENGAGEMENT, "days: 10", "days: 367", "at most 366"),
    ("engagement-days-nan", ENGAGEMENT, "days: 10", "days: .nan", "finite"),
    ("capacity-inf", PERSON, "capacity_days: 90", "capacity_days: .inf", "finite"),
    ("capacity-nan", PERSON, "capacity_days: 90", "capacity_days: .nan", "finite"),
    ("capacity-367", PERSON, "capacity_days: 90", "capacity_days: 367", "at most 366"),
    ("capacity-1e300", PERSON, "capacity_days: 90", "capacity_days: 1e300", "at most 366"),
    ("capacity-negative", PERSON, "capacity_days: 90", "capacity_days: -5", "more than 0"),
    # URN: six digits
    ("urn-26-digits", SCHOOL, "urn: 144390", "urn: 12345678901234567890123456", "at most 999999"),
    ("urn-five-digits", SCHOOL, "urn: 144390", "urn: 12345", "at least 100000"),
    ("urn-zero", SCHOOL, "urn: 144390", "urn: 0", "at least 100000"),
    ("urn-negative", SCHOOL, "urn: 144390", "urn: -144390", "at least 100000"),
    ("urn-float", SCHOOL, "urn: 144390", "urn: 144390.5", "urn"),
    # amounts: finite, not negative
    ("amount-inf", ENGAGEMENT, "amount: 7500", "amount: .inf", "finite"),
    ("amount-nan", ENGAGEMENT, "amount: 7500", "amount: .nan", "finite"),
    ("amount-negative", ENGAGEMENT, "amount: 7500", "amount: -7500", "at least 0"),
    ("amount-1e300", ENGAGEMENT, "amount: 7500", "amount: 1e300", "at most"),
    # counts: 1..1000
    ("count-1001", OFFER, "count: 2, per: year", "count: 1001, per: year", "at most 1000"),
    ("count-huge", OFFER, "count: 2, per: year", "count: 99999999999999999999, per: year", "at most 1000"),
    ("count-zero", OFFER, "count: 2, per: year", "count: 0, per: year", "more than 0"),
    ("count-inf", OFFER, "count: 2, per: year", "count: .inf, per: year", "count"),
    # structure the records never need: at their own line
    ("merge-key", SCHOOL, "headteacher: {name: Owen Pritchard, started: 2020-09-01}",
     "base: &b {name: Owen Pritchard}\nheadteacher:\n  <<: *b", "merge keys"),
    ("merge-key-list", SCHOOL, "headteacher: {name: Owen Pritchard, started: 2020-09-01}",
     "headteacher:\n  <<: [{name: Owen Pritchard}]", "merge keys"),
    ("complex-key-list", SCHOOL, "local_authority: Worcestershire", "? [a, b]\n: Worcestershire", "plain text"),
    ("complex-key-mapping", SCHOOL, "local_authority: Worcestershire", "? {a: 1}\n: Worcestershire", "plain text"),
    ("nul-byte-in-value", SCHOOL, "local_authority: Worcestershire", "local_authority: Worc\x00ester", "NUL"),
    ("nul-byte-in-person", PERSON, "capacity_days: 90", "capacity_days: 9\x000", "NUL"),
    ("nul-byte-in-visit-notes", VISIT, "## Summary", "## Sum\x00mary", "NUL"),
    ("custom-tag", SCHOOL, "local_authority: Worcestershire", "local_authority: !!python/object:os.system x",
     "tags"),
    # dates out of order: at the date that is out of order, on its own line
    ("term-ends-before-half-term", TRUST, AUTUMN,
     "autumn: {start: 2026-09-03, half_term: [2026-10-26, 2026-10-30],\n            end: 2026-10-01}",
     "before its half-term"),
    ("half-term-ends-before-it-starts", TRUST, AUTUMN,
     "autumn: {start: 2026-09-03,\n      half_term: [2026-10-30, 2026-10-26], end: 2026-12-18}", "half-term ends"),
    ("half-term-before-the-term", TRUST, AUTUMN,
     "autumn: {start: 2026-09-03,\n      half_term: [2026-08-26, 2026-08-30], end: 2026-12-18}",
     "before the term"),
    ("spring-starts-before-autumn-ends", TRUST, "spring: {start: 2027-01-04,", "spring: {\n      start: 2026-12-01,",
     "before autumn ends"),
    ("engagement-ends-before-it-starts", ENGAGEMENT, "end: 2027-07-21", "end: 2025-01-01", "before it starts"),
    ("partnership-ends-before-it-starts", PARTNER, "partnership: {start: 2025-09-03, end: 2027-07-21}",
     "partnership:\n  start: 2025-09-03\n  end: 2025-06-30", "before it starts"),
    ("support-change-before-the-decision", SCHOOL, "    decided: 2026-07-08\n",
     "    decided: 2026-07-08\n    changes:\n      - level: core\n        from: 2026-07-01\n", "before the year's"),
    # cross-field rules point at the field to change; unknown keys at the key
    ("cancelled-without-reason", VISIT, "status: completed", "status: cancelled", "needs a reason"),
    ("postponed-without-reason", VISIT, "status: completed", "status: postponed", "needs a reason"),
    ("unknown-key-in-school", SCHOOL, "local_authority: Worcestershire", "local_authoritty: Worcestershire",
     "unknown key"),
    ("unknown-key-in-visit", VISIT, "focus: [curriculum]", "focuss: [curriculum]", "unknown key"),
    ("unknown-key-in-action", VISIT, "owner: headteacher,", "owner: headteacher, ownr: x,", "unknown key"),
    ("duplicate-key", SCHOOL, "local_authority: Worcestershire", "local_authority: Worcestershire\nphase: primary",
     "duplicate"),
    ("bool-as-days", VISIT, "status: completed", "status: completed\ndays: true", "days"),
    ("date-as-number", SCHOOL, "joined: 2018-09-01", "joined: 20180901", "date"),
    ("escape-in-slug", VISIT, "staff: [priya-raman]", "staff: [\"priya\\e[31m\"]", "not a valid id"),
]


def _line_of(text: str, new: str) -> int:
    """The line the changed value is on: where the new text's last line starts."""
    at = text.index(new) + new.rstrip("\n").rfind("\n") + 1
    return text.count("\n", 0, at) + 1


@pytest.mark.parametrize(("name", "rel", "old", "new", "words"), CASES, ids=[c[0] for c in CASES])
def test_hostile_value(stss: Any, example: Path, name: str, rel: str, old: str, new: str, words: str) -> None:
    path = example / rel
    text = path.read_text("utf-8")
    assert old in text, f"{name}: the example no longer has {old!r}"
    changed = text.replace(old, new, 1)
    path.write_text(changed, "utf-8")
    result: Any = stss("validate", "--records", example, "--format", "json", "--no-cache")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    rows = [{**r, "path": Path(r["path"]).resolve().relative_to(example.resolve()).as_posix()}
            for r in json.loads(result.stdout)]
    assert {r["path"] for r in rows} == {rel}, rows
    errors = [r for r in rows if r["severity"] == "error"]
    expected = _line_of(changed, new)
    if name.startswith(("merge-key", "complex-key", "cancelled", "postponed")) or "\x00" in new:
        # the hostile line is not the value's own line but the key's / the status's
        marker = "\x00" if "\x00" in new else ("status:" if "status:" in new else None)
        expected = next(i + 1 for i, line in enumerate(changed.splitlines())
                        if (marker in line if marker else ("<<" in line or line.startswith("?"))))
    assert any(r["line"] == expected and words.lower() in r["message"].lower() for r in errors), (expected, errors)


def test_impossible_date_hides_no_other_problem(stss: Any, example: Path) -> None:
    path = example / SCHOOL
    text = path.read_text("utf-8").replace("joined: 2018-09-01", "joined: 2026-02-30")
    path.write_text(text.replace("phase: primary", "phase: primry"), "utf-8")
    rows = json.loads(stss("validate", "--records", example, "--format", "json").stdout)
    assert sorted((r["line"], r["message"].split(":")[0]) for r in rows) == [(3, "phase"),
                                                                 (5, "joined")]


# --- outputs that cannot be forged ------------------------------------------------------------


def _runner_unescape_property(text: str) -> str:
    """The Actions runner's CommandEscape reversal for properties (runner src: ActionCommand.cs)."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def _runner_unescape_data(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def _runner_parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command as the runner does: `::name k=v,k=v::data`."""
    assert line.startswith("::") and "\n" not in line and "\r" not in line
    head, _, data = line[2:].partition("::")
    name, _, props = head.partition(" ")
    fields = dict(p.split("=", 1) for p in props.split(",") if p)
    return name, {k: _runner_unescape_property(v) for k, v in fields.items()}, _runner_unescape_data(data)


@pytest.mark.parametrize("name", ["a,b.yaml", "x::error file=y.yaml", "line\nbreak.yaml", "pct%0A.yaml",
                                  "semi;colon.yaml", "cr\rhere.yaml"],
                         ids=["comma", "double-colon", "newline", "percent", "semicolon", "carriage-return"])
def test_github_annotation_names_the_file_whatever_its_name(name: str) -> None:
    from stss import outputs

    message = "bad: 100% wrong\n::warning::forged"
    parsed = _runner_parse(outputs.annotation("error", f"schools/{name}", 3, 7, message))
    assert parsed == ("error", {"file": f"schools/{name}", "line": "3", "col": "7"}, message)


def test_text_output_shows_control_characters_from_records(stss: Any, example: Path) -> None:
    path = example / VISIT
    path.write_text(path.read_text("utf-8").replace("staff: [priya-raman]", 'staff: ["x\\e[2J\\u2028y"]'), "utf-8")
    result: Any = stss("validate", "--records", example)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\u2028" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_rich_markup_in_out_path_is_a_plain_name(stss: Any, example: Path) -> None:
    out = example / "o[" / "x]" / "r.md"
    out.parent.mkdir(parents=True)
    result: Any = stss("report", "--records", example, "--year", "2026-27", "--term", "autumn",
                       "--today", "2026-11-23", "--format", "md", "--out", str(example / "o[/x]/r.md"))
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "[/x]" in result.output


@pytest.mark.parametrize("days", ["nan", "inf", "1e300", "0", "-1", "31"])
def test_log_visit_days_out_of_range_is_a_usage_error(stss: Any, example: Path, days: str) -> None:
    result: Any = stss("log-visit", "--records", example, "--school", "brookfield-primary",
                       "--activity", "partnership-visit", "--date", "2026-11-20", "--days", days)
    assert result.exit_code == 2
    assert "at most 30" in result.output


@pytest.mark.parametrize("folder", ["schools", "people", "engagements", "visits"])
def test_a_record_folder_that_is_a_file_is_an_error(stss: Any, example: Path, folder: str) -> None:
    import shutil

    shutil.rmtree(example / folder)
    (example / folder).write_text("oops\n", "utf-8")
    result: Any = stss("validate", "--records", example, "--format", "json", "--no-cache")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert any(r["path"].endswith(folder) and r["line"] == 1 and "is a file, not a folder" in r["message"]
               for r in rows), rows


def test_a_dot_file_among_records_is_reported(stss: Any, example: Path) -> None:
    (example / "schools/.hidden-school.yaml").write_text("name: X\n", "utf-8")
    (example / "schools/.gitkeep").write_text("", "utf-8")
    result: Any = stss("validate", "--records", example, "--format", "json", "--no-cache")
    rows = json.loads(result.stdout)
    assert [(Path(r["path"]).name, r["message"].split(" (")[0]) for r in rows] == [
        (".hidden-school.yaml", "ignored: a hidden file")]


# --- a writing command refused by a broken record names that record's file and line -------------


LOG = ("log-visit", "--school", "ashcombe-primary", "--activity", "partnership-visit", "--date", "2026-11-20",
       "--today", "2026-11-23", "--notes", "/dev/null")
PLANNED = "visits/2026-27/2026-11-11-ashcombe-primary-partnership-visit.md"


@pytest.mark.parametrize(("rel", "old", "new", "args", "where"), [
    (SCHOOL, "phase: primary", "phase: primry", ("edit-support", "brookfield-primary", "--level", "core",
                                                 "--rationale", "x", "--today", "2026-11-20"), ":3:8: error: phase"),
    (PARTNER, "phase: primary", "phase: primry", LOG, ":3:8: error: phase"),
    (PERSON, "capacity_days: 90", "capacity_days: lots", (*LOG, "--staff", "daniel-okafor"),
     ":4:16: error: capacity_days"),
    (ENGAGEMENT, "status: active", "status: activ", (*LOG, "--engagement", "ashcombe-partnership"),
     ":12:9: error: status"),
    (PLANNED, "status: planned", "status: planed", LOG, ":5:9: error: status"),
    (SCHOOL, "phase: primary", "phase: primry", ("plan", "--year", "2026-27", "--today", "2026-09-01"),
     ":3:8: error: phase"),
    (SCHOOL, "phase: primary", "phase: primry", ("import", "gias", str(GIAS_SAMPLE), "--today", "2026-11-23"),
     ":3:8: error: phase"),
], ids=["edit-support-broken-school", "log-visit-broken-school", "log-visit-broken-staff",
        "log-visit-broken-engagement", "log-visit-broken-planned-visit", "plan-broken-school",
        "import-gias-broken-school"])
def test_a_refusal_caused_by_a_record_names_its_file_and_line(stss: Any, example: Path, rel: str, old: str,
                                                              new: str, args: tuple[str, ...], where: str) -> None:
    path = example / rel
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    before = snapshot(example)
    result: Any = stss(*args, "--records", example)
    assert result.exit_code == 1, result.output
    assert f"{rel}{where}" in result.stderr, result.stderr
    assert "unknown" not in result.stderr
    assert snapshot(example) == before


@pytest.mark.parametrize("ending", ["\n2026-02-30", "\n2026-02-30\n", "\nroles: [a"])
def test_a_yaml_error_at_the_end_of_a_file_is_placed_inside_it(ending: str) -> None:
    """The parser reports some errors one line past the end of the input; they are placed
    at the end of the last line, so an editor and a CI annotation can show them."""
    from stss.parsing import load_yaml

    text = "name: Claire Whitworth\ncapacity_days: 80" + ending
    _, problems = load_yaml("people/claire.yaml", text)
    assert problems, "the text is malformed"
    lines = text.split("\n")
    assert all(1 <= p.line <= len(lines) and 1 <= p.column <= len(lines[p.line - 1]) + 1 for p in problems)
