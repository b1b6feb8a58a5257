"""`stss report`: golden board pack and school summary, confidentiality, and safe rendering.

Golden files live in tests/golden/; regenerate them with STSS_UPDATE_GOLDEN=1 after a
change that is meant to alter the reports, and read the diff before committing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from stss import render
from tests.helpers import (
    HOSTILE_NOTE,
    TODAY,
    check_golden,
    commit,
    git,
    with_history,
    write_records,
)

SCHOOL = "brookfield-primary"


def run(stss: Any, *args: object) -> Any:
    return stss("report", "--today", TODAY, *args)


@pytest.fixture
def history_example(example: Path) -> Path:
    return with_history(example)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_board_pack_matches_golden(history_example: Path, stss: Any, fmt: str) -> None:
    result = run(stss, "--records", history_example, "--year", "2026-27", "--term", "autumn", "--format", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"board-pack.{fmt}", result.stdout)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_school_summary_matches_golden(history_example: Path, stss: Any, fmt: str) -> None:
    result = run(stss, "--records", history_example, "--term", "autumn", "--school", SCHOOL, "--format", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"school-summary-{SCHOOL}.{fmt}", result.stdout)


def test_the_same_records_give_the_same_bytes(example: Path, stss: Any, tmp_path: Path) -> None:
    for fmt in ("md", "html"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        run(stss, "--records", example, "--format", fmt, "--out", first)
        run(stss, "--records", example, "--format", fmt, "--out", second)
        assert first.read_bytes() == second.read_bytes()


def test_the_board_pack_shows_support_decided_this_term_and_the_school_summary_lists_commits(
        history_example: Path, stss: Any) -> None:
    out = run(stss, "--records", history_example).stdout
    meadowbank = out.split("| Meadowbank Primary School |")[1].split("\n")[0]
    assert "| Core offer; decided 14 October 2026 |" in meadowbank
    assert not re.search(r"\b[0-9a-f]{7}\b", out), "trustees are not shown commit ids"
    summary = run(stss, "--records", history_example, "--school", SCHOOL).stdout
    changes = summary.split("### Changes this term")[1]
    assert re.search(r"10 September 2026: engagement opened: Maths SLE deployment .*\([0-9a-f]{7}\)", changes)
    assert "Records for 2026-27" not in changes  # committed before the term began


def test_the_trustees_pack_has_no_command_line_text(example: Path, stss: Any) -> None:
    for fmt in ("md", "html"):
        out = run(stss, "--records", example, "--format", fmt).stdout
        text = re.sub(r"<style>.*?</style>", "", out, flags=re.DOTALL)
        assert not re.search(r"(?<![\w-])--[a-z]", text), fmt
        assert "closed session of the board" in out


def test_outside_git_the_school_summary_says_history_is_unavailable(example: Path, stss: Any) -> None:
    result = run(stss, "--records", example, "--school", SCHOOL)
    assert result.exit_code == 0
    assert "Changes from the records' history are not available: the records folder is not in a git repository" \
        in result.stdout


def test_board_pack_is_a_trust_summary_then_a_section_a_school(example: Path, stss: Any) -> None:
    out = run(stss, "--records", example).stdout
    for heading in ("The trust at a glance", "Trust-wide risks", "Impact", "Commentary"):
        assert f"\n## {heading}\n" in out
    assert out.count("\n## ") == 4 + 12  # the summary's sections, then one per school
    assert "| Kingsmead High School | **Red**: Inspection: urgent improvement in attendance and behaviour |" in out
    assert "| St Benedict's Catholic High School | **Green**: Set by the trust |" in out
    # The trend in delivery beside this term's: the same term's entitlements then, by the same rule.
    assert "| Core offer | Good (27 September 2023) | 3 of 4 done, 1 to plan (last term 3 of 4, a year ago 3 of 4) |" in out
    assert "- **Partnerships needing a decision to join or end:** Ashcombe Primary School" in out
    assert "Maths SLE deployment (autumn 2026) ends on 18 December 2026: extend or close" in out
    assert "- **Requests from schools overdue:** 1" in out
    assert ("- **Requests from schools:** 5 raised, 1 resolved and 1 declined this term; 3 open, 1 overdue; "
            "median time to respond 2.5 school days") in out
    assert "- **Trust-wide events this term:** Headteachers' network meeting (8 October 2026, 10 schools)\n" in out
    assert ("- **Visit reports to follow up** (not answered by the school within ten school days, or marked "
            "inaccurate): Brookfield Primary School, education review of 6 October 2026 (no answer after 27 school "
            "days); Hollybank Primary School, education review of 3 November 2026 (marked inaccurate)\n") in out
    assert "- **Engagement objectives:** 0 met, 3 moving, 1 not moving, 7 with no review recorded" in out
    kingsmead = out.split("\n## Kingsmead High School\n")[1].split("\n## ")[0]
    for heading in ("Objectives and their latest ratings", "Key findings this term", "Actions overdue", "Impact"):
        assert f"### {heading}" in kingsmead
    assert "- Persistent absence below 15% by July 2027 (Amber at the review of 20 October 2026, steady)" in kingsmead
    assert "- Suspensions halved against 2025-26 (Red at the review of 20 October 2026, declining)" in kingsmead
    assert "named attendance lead for each year group (no review recorded)" in kingsmead
    assert "### Visits this term" not in out and "### Next steps" not in out  # full notes: the school summary


# --- confidentiality -----------------------------------------------------------------


def test_confidential_visits_are_counted_not_described(example: Path, stss: Any) -> None:
    out = run(stss, "--records", example, "--school", "ashcombe-primary").stdout
    assert "Safeguarding review" in out  # in the entitlement table, as a count
    assert "#### 23 September 2026: Safeguarding review" not in out
    assert "Link governor for safeguarding" not in out  # the review's next steps
    assert "2 confidential visits (such as safeguarding reviews) completed this term are counted" in out
    assert "2 confidential visits (such as safeguarding reviews) are counted in the figures but left out" in out


def test_include_confidential_describes_them_and_says_so(example: Path, stss: Any) -> None:
    out = run(stss, "--records", example, "--school", "ashcombe-primary", "--include-confidential").stdout
    assert "#### 23 September 2026: Safeguarding review" in out
    assert "Link governor for safeguarding to visit before the end of term." in out
    assert "**Confidential:** this report includes notes from confidential visits" in out
    assert "counted above but not described" not in out


# --- safe rendering --------------------------------------------------------------------

@pytest.fixture
def hostile(mini: Path) -> Path:
    return write_records(mini, {"visits/2026-27/2026-10-05-hill-top-partnership-visit.md": HOSTILE_NOTE})


def test_a_hostile_note_is_inert_in_html(hostile: Path, stss: Any) -> None:
    result = run(stss, "--records", hostile, "--format", "html")
    assert result.exit_code == 0, result.output
    assert "<script" not in result.stdout.lower() and "&lt;script&gt;alert('xss')" in result.stdout  # a finding
    html = run(stss, "--records", hostile, "--format", "html", "--school", "hill-top").stdout
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in html
    assert "<b>know</b>" not in html
    assert "{{ 7*7 }}" in html and "{% if true %}yes{% endif %}" in html  # data, never evaluated
    assert not re.search(r"href=\"\s*javascript", html, re.IGNORECASE)
    assert "[the plan](javascript:alert(document.cookie))" in html  # left as text, not a link
    assert '<a href="https://example.org/plan">a fine link</a>' in html
    assert "<img" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")


def test_a_hostile_note_is_inert_in_markdown(hostile: Path, stss: Any) -> None:
    pack = run(stss, "--records", hostile, "--format", "md").stdout
    assert "\\<script>alert('xss')\\</script>" in pack and "<script" not in pack.replace("\\<script", "")
    out = run(stss, "--records", hostile, "--format", "md", "--school", "hill-top").stdout
    assert "\\<script>alert('xss')\\</script>" in out
    assert "<script" not in out.replace("\\<script", "")
    assert "{{ 7*7 }}" in out
    assert "javascript:" not in out.lower()
    assert "Read the plan and this." in out
    assert "[a fine link](https://example.org/plan)" in out
    assert "Fix \\<script>alert('a')\\</script> \\| now" in out  # a value cannot break a table or add HTML


def test_markdown_links_with_unsafe_schemes_are_not_links() -> None:
    html = render.markdown_html("[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) [d](https://ok.test)")
    assert 'href="https://ok.test"' in html
    assert html.count("<a ") == 1
    assert render.markdown_html("<script>x</script>\n\n<div onclick=x>y</div>") == \
        "<p>&lt;script&gt;x&lt;/script&gt;</p>\n<p>&lt;div onclick=x&gt;y&lt;/div&gt;</p>\n"


def test_notes_headings_sit_below_the_reports_own() -> None:
    assert render.markdown_html("# Big\n### Small") == "<h4>Big</h4>\n<h6>Small</h6>\n"


@pytest.mark.parametrize("expression", [
    "{{ report.__class__ }}",
    "{{ report._private }}",
    "{{ report.schools.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ report.__dataclass_fields__ }}",
])
def test_a_template_reaching_for_internals_is_refused(mini: Path, stss: Any, expression: str) -> None:
    write_records(mini, {"templates/board-pack.md.j2": f"# Pack\n{expression}\n"})
    result = run(stss, "--records", mini)
    assert result.exit_code == 1
    assert "stss: templates/board-pack.md.j2:2:" in result.stderr
    assert "unsafe" in result.stderr or "has no attribute '_private'" in result.stderr
    assert "hint: templates may only read the report model's public fields" in result.stderr


def test_the_sandbox_keeps_its_answers_by_type_and_name_not_by_name_alone() -> None:
    """A render keeps each (type, attribute) answer; one type's safe `pop` is not another's."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Card:
        pop: str = "a field"

    class Liar:  # claims to be a list: not kept, asked afresh each time
        pop = "x"

        @property  # type: ignore[misc]
        def __class__(self) -> type:
            return list

    env = render.environment(None)
    for _ in range(2):  # the second time round, from what was kept
        assert env.is_safe_attribute(Card(), "pop", "a field")
        assert not env.is_safe_attribute([], "pop", [].pop)
        assert not env.is_safe_attribute({}, "pop", {}.pop)
        assert not env.is_safe_attribute(Liar(), "pop", "x")
        assert not env.is_safe_attribute(Card(), "_private", None)
    assert (Liar, "pop") not in env._safe  # type: ignore[attr-defined]


def test_an_html_template_that_adds_script_is_refused(mini: Path, stss: Any) -> None:
    write_records(mini, {"templates/board-pack.html.j2": "<p>{{ report.title }}</p><script>alert(1)</script>\n"})
    result = run(stss, "--records", mini, "--format", "html")
    assert result.exit_code == 1
    assert "templates/board-pack.html.j2:1: refused: unsafe HTML: <script>" in result.stderr


@pytest.mark.parametrize("html", [
    '<a href="javascript:alert(1)">x</a>', '<a href=" JaVaScRiPt:alert(1)">x</a>', "<p onclick=\"x()\">y</p>",
    '<iframe src="https://a.test"></iframe>', '<link rel="stylesheet" href="https://a.test/x.css">',
    "<style>@import url(https://a.test/x.css);</style>", '<img src="https://a.test/pixel.png">',
    '<meta http-equiv="refresh" content="0;url=https://a.test">',
])
def test_html_that_could_run_or_fetch_is_refused(html: str) -> None:
    from stss.errors import TemplateError

    with pytest.raises(TemplateError):
        render.check_html(html, "t.html.j2")


def test_the_trusts_own_template_wins(mini: Path, stss: Any) -> None:
    write_records(mini, {"templates/board-pack.md.j2": "Our pack for {{ report.trust_name }}: {{ report.term }}\n"})
    assert run(stss, "--records", mini, "--term", "spring").stdout == "Our pack for Mini Trust: spring\n"


def test_a_template_for_both_kinds_draws_staff_load_in_the_board_pack_only(example: Path, stss: Any) -> None:
    """A school's summary has no trust-wide load (None): the built-in macro draws nothing then."""
    write_records(example, {"templates/staffbars.html.j2": (
        '{% import "_macros.html.j2" as m %}<p>{% for p in report.staff %}{{ p.name }}: '
        '{{ p.percent_of_capacity }} {{ m.capacity(p) }}{% endfor %}</p>\n')})
    pack = run(stss, "--records", example, "--format", "html", "--template", "staffbars")
    summary = run(stss, "--records", example, "--format", "html", "--template", "staffbars", "--school", SCHOOL)
    assert pack.exit_code == summary.exit_code == 0, pack.output + summary.output
    assert pack.stdout.count('aria-label="') >= 5 and "% of capacity" in pack.stdout
    assert "Claire Whitworth: None" in summary.stdout and "<svg" not in summary.stdout


def test_a_named_template_and_a_missing_one(mini: Path, stss: Any) -> None:
    write_records(mini, {"templates/governors.md.j2": "{% include '_macros.md.j2' %}Governors: {{ report.title }}\n"})
    assert run(stss, "--records", mini, "--template", "governors").stdout.strip().startswith("Governors: School improvement")
    result = run(stss, "--records", mini, "--template", "nothing-here")
    assert result.exit_code == 1
    assert "no template 'nothing-here.md.j2'" in result.stderr
    assert run(stss, "--records", mini, "--template", "../../etc/passwd").exit_code == 1


def test_a_broken_template_names_its_line(mini: Path, stss: Any) -> None:
    write_records(mini, {"templates/board-pack.md.j2": "ok\n{% for x in %}\n"})
    result = run(stss, "--records", mini)
    assert result.exit_code == 1
    assert "stss: templates/board-pack.md.j2:2:" in result.stderr


def test_pdf_without_chromium_says_to_install_it(mini: Path, stss: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STSS_CHROMIUM", "no-such-chromium-here")
    result = run(stss, "--records", mini, "--format", "pdf", "--out", tmp_path / "pack.pdf")
    assert result.exit_code == 1
    assert "PDF needs a headless Chromium" in result.stderr
    assert "install chromium" in result.stderr
    assert not (tmp_path / "pack.pdf").exists()


def test_pdf_needs_out_and_bad_options_are_usage_errors(mini: Path, stss: Any) -> None:
    assert run(stss, "--records", mini, "--format", "pdf").exit_code == 2
    assert run(stss, "--records", mini, "--term", "winter").exit_code == 2
    assert run(stss, "--records", mini, "--school", "nowhere").exit_code == 2


def test_the_term_defaults_to_the_one_today_is_in(example: Path, stss: Any) -> None:
    assert "Spring term 2026-27" in stss("report", "--records", example, "--today", "2027-02-17").stdout
    assert "Autumn term 2026-27" in stss("report", "--records", example, "--today", "2026-12-25").stdout


# --- the model, through the library ---------------------------------------------------


def test_note_sections_keep_findings_and_next_steps_only() -> None:
    from stss.reporting import NoteSection, note_sections

    notes = "## Summary\nGood visit.\n\n## Private musings\nNot for the board.\n\n### Next steps:\n- Do it.\n" \
            "```\n## Summary\nin a code block\n```\n"
    assert note_sections(notes) == (
        NoteSection("Summary", "Good visit."),
        NoteSection("Next steps", "- Do it.\n```\n## Summary\nin a code block\n```"))
    assert note_sections("Just a line of notes.") == (NoteSection("Notes", "Just a line of notes."),)
    assert note_sections("") == ()


def test_a_tally_draws_its_bar_from_the_usage_rows() -> None:
    from stss.reporting import tally
    from stss.usage import UsageRow

    rows = [UsageRow("s", "a", "2026-27/autumn-1", 2, 1, 0, 0, 1, 0, "missed"),
            UsageRow("s", "a", "2026-27/autumn-2", 4, 1, 1, 1, 1, 0, "overdue")]
    t = tally(rows)
    assert (t.entitled, t.completed, t.planned, t.overdue, t.missed, t.unplanned) == (6, 2, 1, 1, 1, 1)
    assert [(s.kind, s.count, s.x, s.width) for s in t.bar] == [
        ("completed", 2, 0.0, 33.3), ("planned", 1, 33.3, 16.7), ("overdue", 1, 50.0, 16.7),
        ("missed", 1, 66.7, 16.7), ("unplanned", 1, 83.4, 16.7)]
    assert len(t.text_bar) == 20 and t.text_bar.startswith("███████")
    assert tally([]).bar == () and tally([]).text_bar == ""


def test_build_lists_only_this_terms_board_level_changes(example: Path) -> None:
    import datetime as dt

    from stss import loader, reporting, usage

    records = loader.load(example).records
    day = dt.date(2026, 11, 23)
    events = (reporting.ChangeEvent(dt.date(2026, 10, 1), "b" * 40, "A", "support-level", "riverside-academy",
                                    "support level 2026-27: core -> bespoke", year="2026-27"),
              reporting.ChangeEvent(dt.date(2026, 10, 2), "c" * 40, "A", "visit-logged", "riverside-academy", "x"),
              reporting.ChangeEvent(dt.date(2026, 7, 1), "d" * 40, "A", "support-level", "riverside-academy", "y",
                                    year="2026-27"),
              reporting.ChangeEvent(dt.date(2026, 10, 3), "e" * 40, "A", "support-level", "riverside-academy",
                                    "support level 2025-26: core -> bespoke", year="2025-26"))
    model = reporting.build(records, "2026-27", "autumn", day, usage.usage(records, "2026-27", day),
                            reporting.History(True, events), school="riverside-academy")
    assert [e.commit[0] for e in model.history.events] == ["b"]
    assert model.history.events[0].school_name == "Riverside Academy"
    assert model.schools[0].changes == model.history.events
    assert model.kind == "school-summary" and [s.id for s in model.schools] == ["riverside-academy"]


# --- the trust's commentary --------------------------------------------------------------


def test_the_trusts_commentary_for_the_term_is_in_the_board_pack(example: Path, stss: Any) -> None:
    out = run(stss, "--records", example, "--term", "autumn", "--format", "html").stdout
    commentary = out.split('id="commentary"')[1].split("</section>")[0]
    assert "<p>Kingsmead High School remains the trust's priority." in commentary
    assert "<strong>red</strong>" in commentary  # markdown, rendered
    spring = run(stss, "--records", example, "--term", "spring").stdout
    assert "The trust has written no commentary for this term." in spring


def test_a_hostile_commentary_is_inert(mini: Path, stss: Any) -> None:
    write_records(mini, {"reports/2026-27/autumn.md":
                         "<script>alert(1)</script> {{ 7*7 }} [x](javascript:alert(1)) <img src=x onerror=y>\n"})
    html = run(stss, "--records", mini, "--term", "autumn", "--format", "html").stdout
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert not re.search(r"href=\"\s*javascript", html, re.IGNORECASE) and "<img" not in html
    md = run(stss, "--records", mini, "--term", "autumn").stdout
    assert "\\<script>alert(1)\\</script> {{ 7*7 }} x \\<img" in md


def test_a_commentary_through_a_link_is_refused(mini: Path, stss: Any, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("Not for the board.\n", "utf-8")
    (mini / "reports/2026-27").mkdir(parents=True)
    (mini / "reports/2026-27/autumn.md").symlink_to(outside)
    result = run(stss, "--records", mini, "--term", "autumn")
    assert result.exit_code == 1
    assert "reports/2026-27/autumn.md:1:1: refused: a symbolic link" in result.stderr
    assert "Not for the board." not in result.stdout


def test_the_trend_reads_the_trusts_risk_as_committed_at_the_end_of_last_term(example: Path, stss: Any) -> None:
    school = example / "schools/holy-family-catholic-primary.yaml"
    now = school.read_text("utf-8")
    then = now.replace("    rationale: Good school preparing for its first report-card inspection.\n",
                       "    rationale: Good school preparing for its first report-card inspection.\n    risk: red\n")
    assert then != now
    row = "| Holy Family Catholic Primary School |"
    before_git = run(stss, "--records", example).stdout.split(row)[1].split("\n")[0]
    assert "Last term: Amber" in before_git  # the records as they stand: 2025-26 has no risk of its own
    school.write_text(then, "utf-8")
    git(example, "init", "-q")
    commit(example, "Holy Family red for the summer", "Trust Office", "2026-07-01T12:00:00+00:00")
    school.write_text(now, "utf-8")
    commit(example, "2025-26 risk withdrawn", "Trust Office", "2026-09-10T12:00:00+00:00")
    from_git = run(stss, "--records", example).stdout.split(row)[1].split("\n")[0]
    assert "Last term: Red, now **better**" in from_git  # as committed by the end of the summer term
    assert "a year ago: Green" in from_git  # autumn 2025: no commit by then, so the records as they stand


def test_a_school_file_committed_as_a_link_is_never_followed(example: Path, tmp_path: Path) -> None:
    import datetime as dt

    from stss import history

    secret = tmp_path / "secret.yaml"
    secret.write_text("name: Not a school\nsupport: {2025-26: {level: core, risk: red}}\n", "utf-8")
    (example / "schools/linked.yaml").symlink_to(secret)
    git(example, "init", "-q")
    commit(example, "records with a link", "Trust Office", "2026-07-01T12:00:00+00:00")
    docs = history.schools_on(example, dt.date(2026, 7, 22))
    assert docs is not None and "holy-family-catholic-primary" in docs
    assert "linked" not in docs
    one = history.schools_on(example, dt.date(2026, 7, 22), "holy-family-catholic-primary")  # one school's summary
    assert one is not None and one.keys() == {"holy-family-catholic-primary"}
    assert history.schools_on(example, dt.date(2026, 6, 30)) is None  # nothing committed by then
