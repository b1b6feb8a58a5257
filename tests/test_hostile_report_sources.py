"""Hostile text in the records, met by the HTML report's last check.

A link in a note that a reader may not follow (ftp:, tel:, a data: URL, however it is
written) is left as its words, as a remote image is: one note must not stop the whole
board pack. Whatever the check still refuses is refused where it came from: record text
at its file and line (`path:line:column:`, as a problem), an override template's own
markup at `templates/NAME:LINE`. Each exits 1 with no traceback and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_records

TODAY = "2026-11-23"
REPORT = ("report", "--year", "2026-27", "--term", "autumn", "--today", TODAY, "--format", "html")
CASTLE_HILL = "visits/2026-27/2026-09-29-castle-hill-primary-education-review.md"
KINGSMEAD = "visits/2025-26/2026-03-04-kingsmead-high-school-partnership-visit.md"
HOLLYBANK = "schools/hollybank-primary.yaml"
KINGSMEAD_RISE = "engagements/kingsmead-rise-2026.yaml"
COMMENTARY = "reports/2026-27/autumn.md"
SUMMARY = "Leaders took us through the improvement plan and we tested its priorities against what we saw in lessons."


def _replace(root: Path, rel: str, old: str, new: str) -> int:
    """`old` (one whole line) replaced by `new` in a record; the line's number."""
    path = root / rel
    lines = path.read_text("utf-8").split("\n")
    assert lines.count(old) == 1, f"{old!r} is not one line of {rel}"
    at = lines.index(old)
    lines[at] = new
    path.write_text("\n".join(lines), "utf-8")
    return at + 1


def _report(stss: Any, root: Path, *args: str) -> Any:
    out = root / "pack.html"
    result: Any = stss(*REPORT, "--records", root, "--out", out, *args)
    assert "Traceback" not in result.output
    return result, out


def _refused_at(result: Any, out: Path, where: str) -> None:
    assert result.exit_code == 1, result.output
    assert where in result.stderr, result.stderr
    assert not out.exists()


# --- a note's link that a reader may not follow: its words, not a failed report --------------


@pytest.mark.parametrize(("markdown", "words"), [
    ("[the plan](ftp://evil.example/plan)", "the plan"),
    ("<ftp://evil.example/plan>", "ftp://evil.example/plan"),
    ("[the plan][p]", "the plan"),
    ("[the chart](data:image/png;base64,iVBORw0KGgo=)", "the chart"),
    ("[the plan](&#102;tp://evil.example/plan)", "the plan"),
    ("<irc://evil.example/channel>", "irc://evil.example/channel"),
], ids=["ftp-link", "autolink", "reference-link", "data-url-link", "entity-escaped-scheme", "irc-autolink"])
def test_a_link_a_reader_may_not_follow_is_left_as_its_words(stss: Any, example: Path, markdown: str,
                                                             words: str) -> None:
    _replace(example, CASTLE_HILL, SUMMARY, f"See {markdown} before the next visit.\n\n[p]: tel:+441234567890\n")
    result, out = _report(stss, example, "--school", "castle-hill-primary")  # its notes in full
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert f"See {words} before the next visit." in page
    assert "evil.example/plan\"" not in page and "tel:" not in page.split("<body", 1)[1]


# --- record text the check refuses: at the record's own line ---------------------------------


def test_a_url_in_the_trust_name_is_refused_at_the_name(stss: Any, example: Path) -> None:
    """The name goes into the print stylesheet (the page footer), where url(...) would fetch."""
    line = _replace(example, "trust.yaml", "name: Teme and Severn Learning Trust",
                    "name: Teme url(http://evil.example/t.png) Trust")
    result, out = _report(stss, example)
    _refused_at(result, out, f"trust.yaml:{line}:16: error: the report cannot show this text: "
                             "stylesheet loads a resource (http://evil.example/t.png)")
    assert "refused: board-pack.html.j2 would show record text" in result.stderr


def test_hostile_record_text_is_only_ever_words_in_the_built_in_reports(stss: Any, example: Path) -> None:
    """Built-in templates put record text in element content, never in a link, style or
    script: a school's name, an action's owner, a focus, an objective stay words."""
    hostile = "'<img src=x onerror=alert(1)> javascript:alert(1) url(http://evil.example/s.png)'"
    _replace(example, HOLLYBANK, "name: Hollybank Primary School", f"name: {hostile}")
    _replace(example, CASTLE_HILL, "focus: [maths, inspection-readiness]", f"focus: [maths, {hostile}]")
    _replace(example, KINGSMEAD_RISE, "    text: Persistent absence below 15% by July 2027", f"    text: {hostile}")
    result, out = _report(stss, example)
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt; javascript:alert(1) url(http://evil.example/s.png)" in page
    assert "<img src=x" not in page


@pytest.mark.parametrize("args", [
    ("report", "--engagement", "kingsmead-rise-2026", "--format", "html", "--today", TODAY),
    ("share", "2026-09-29-castle-hill-primary-education-review", "--format", "html", "--today", TODAY),
], ids=["engagement-report", "shared-visit-report"])
def test_a_url_in_the_trust_name_is_refused_at_the_name_in_every_html_report(stss: Any, example: Path,
                                                                             args: tuple[str, ...]) -> None:
    before = (example / CASTLE_HILL).read_bytes()
    line = _replace(example, "trust.yaml", "name: Teme and Severn Learning Trust",
                    "name: Teme url(http://evil.example/t.png) Trust")
    out = example / "out.html"
    result: Any = stss(*args, "--records", example, "--out", out)
    _refused_at(result, out, f"trust.yaml:{line}:16: error: the report cannot show this text: ")
    assert (example / CASTLE_HILL).read_bytes() == before  # share marks nothing shared


def _override(root: Path, body: str) -> None:
    """A board pack of the trust's own that puts record text in a link."""
    write_records(root, {"templates/board-pack.html.j2":
                         "<!doctype html>\n<html lang=\"en\"><head><title>Pack</title></head><body>\n"
                         f"{body}\n</body></html>\n"})


def _column(root: Path, rel: str, line: int, text: str) -> int:
    return (root / rel).read_text("utf-8").split("\n")[line - 1].index(text) + 1


@pytest.mark.parametrize(("rel", "old", "new", "body"), [
    (HOLLYBANK, "name: Hollybank Primary School", "name: javascript:alert(1)",
     '{% for s in report.schools %}<a href="{{ s.name }}">{{ s.id }}</a>{% endfor %}'),
    (KINGSMEAD,
     "  - {text: Send the spring assessment summary to the trust, owner: deputy-head, due: 2026-03-18, status: open}",
     '  - {text: Send the spring assessment summary to the trust, owner: "ftp://evil.example/o", due: 2026-03-18, '
     "status: open}",
     '{% for s in report.schools %}{% for a in s.open_actions %}<a href="{{ a.owner }}">x</a>{% endfor %}'
     "{% endfor %}"),
    (CASTLE_HILL, "focus: [maths, inspection-readiness]", 'focus: [maths, "ftp://evil.example/f"]',
     '{% for s in report.schools %}{% for v in s.visits %}{% for f in v.focus %}<a href="{{ f }}">x</a>'
     "{% endfor %}{% endfor %}{% endfor %}"),
    (KINGSMEAD_RISE, "    text: Persistent absence below 15% by July 2027", '    text: "ftp://evil.example/objective"',
     '{% for s in report.schools %}{% for o in s.impact.objectives %}<a href="{{ o.text }}">x</a>{% endfor %}'
     "{% endfor %}"),
    (CASTLE_HILL, SUMMARY, "ftp://evil.example/note",
     '{% for s in report.schools %}{% for v in s.visits if v.path == "' + CASTLE_HILL + '" %}'
     '{% for n in v.notes %}<a href="{{ n.markdown }}">x</a>{% endfor %}{% endfor %}{% endfor %}'),
], ids=["school-name", "action-owner", "visit-focus", "engagement-objective", "note-text"])
def test_record_text_an_override_puts_in_a_link_is_refused_at_its_line(stss: Any, example: Path, rel: str,
                                                                       old: str, new: str, body: str) -> None:
    line = _replace(example, rel, old, new)
    column = _column(example, rel, line, next(word for word in ("javascript:", "ftp:") if word in new))
    _override(example, body)
    result, out = _report(stss, example)
    _refused_at(result, out, f"{rel}:{line}:{column}: error: the report cannot show this text: href=")
    assert "(hint: board-pack.html.j2 puts it where a browser would fetch or run it" in result.stderr


def test_an_entity_that_decodes_to_url_is_refused_at_the_record_line(stss: Any, example: Path) -> None:
    """`&#117;rl(` is `url(` once the browser reads the attribute (the override marks the name safe)."""
    new = "name: 'Hollybank &#117;rl(http://evil.example/e.png)'"
    line = _replace(example, HOLLYBANK, "name: Hollybank Primary School", new)
    _override(example, '{% for s in report.schools %}<p style="background: {{ s.name | safe }}">x</p>{% endfor %}')
    result, out = _report(stss, example)
    _refused_at(result, out, f"{HOLLYBANK}:{line}:{new.index('http') + 1}: error: the report cannot show this "
                             "text: style loads a resource (http://evil.example/e.png)")


def test_commentary_an_override_puts_in_a_style_is_refused_at_its_line(stss: Any, example: Path) -> None:
    path = example / COMMENTARY
    path.write_text("Autumn.\n\nbackground: url(http://evil.example/c.png)\n", "utf-8")
    _override(example, '<div style="{{ report.commentary }}">x</div>')
    result, out = _report(stss, example)
    _refused_at(result, out, f"{COMMENTARY}:3:17: error: the report cannot show this text: style loads a resource")


# --- the template's own markup: at the template's line ---------------------------------------


@pytest.mark.parametrize("markup", [
    '<img src="http://evil.example/x.png" alt="">',
    '<img src="&#104;ttp://evil.example/x.png" alt="">',
    '<p style="background: \\75rl(http://evil.example/x.png)">x</p>',
    '<style>p { background: image-set("http://evil.example/x.png" 1x) }</style>',
], ids=["remote-image", "entity-escaped-image", "css-escaped-url", "image-set"])
def test_an_override_templates_own_markup_is_refused_at_its_line(stss: Any, example: Path, markup: str) -> None:
    _override(example, f"<h1>{{{{ report.title }}}}</h1>\n{markup}")
    result, out = _report(stss, example)
    _refused_at(result, out, "templates/board-pack.html.j2:4: refused: unsafe HTML: ")


def test_the_template_is_blamed_even_when_a_note_names_the_same_url(stss: Any, example: Path) -> None:
    """The note holds the URL too, as plain words; the page is refused without it all the same."""
    _replace(example, CASTLE_HILL, SUMMARY, "The plan is at http://evil.example/x.png for now.")
    _override(example, '{% for s in report.schools %}{% for v in s.visits %}{% for n in v.notes %}'
                       '{{ n.markdown }}{% endfor %}{% endfor %}{% endfor %}\n<img src="http://evil.example/x.png">')
    result, out = _report(stss, example)
    _refused_at(result, out, "templates/board-pack.html.j2:4: refused: unsafe HTML: src=")
    assert CASTLE_HILL not in result.stderr
