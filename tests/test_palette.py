"""The report stylesheet's colours meet WCAG 2.2 AA, computed from the stylesheet itself.

Text needs 4.5:1 against every background it can sit on; chart marks (and the
legend's swatches) need 3:1 against the paper. A colour added to the stylesheet
is checked without touching this test.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import REPO

CSS = (REPO / "templates" / "_report.css.j2").read_text("utf-8")
PALETTE = re.search(r":root \{([^}]*)\}", CSS)
assert PALETTE is not None, "the stylesheet's palette is its :root block"
ROOT = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", PALETTE.group(1)))
RULES = [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS)]
TEXT = ("ink", "muted", "brand", "missed")  # body text, secondary text, headings and links, flags
BACKGROUNDS = ("paper", "panel", "note", "page")
CHIP = re.compile(r"\.(?:chip|g-|j-|sg-|s-|a-|r-)")


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colours(prop: str, selector: re.Pattern[str]) -> set[str]:
    found = set()
    for sel, body in RULES:
        if selector.search(sel):
            for value in re.findall(rf"(?<![-a-z]){prop}:\s*([^;]+)", body):
                var = re.fullmatch(r"var\(--([a-z-]+)\)", value.strip())
                found.add(var.group(1) if var else value.strip())
    return found


def test_the_arithmetic_matches_wcag() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#ffffff", "#e08a00") == pytest.approx(2.69, abs=0.01)  # the old amber chip
    assert contrast("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)


def test_the_palette_is_found_in_the_stylesheet() -> None:
    assert {*TEXT, *BACKGROUNDS, "on-chip", "completed", "planned", "overdue", "missed"} <= set(ROOT)
    assert len(colours("background", CHIP)) >= 5
    assert len(colours("fill", re.compile(r"\.m-"))) >= 6


@pytest.mark.parametrize("text", TEXT)
@pytest.mark.parametrize("background", BACKGROUNDS)
def test_text_meets_4_5_to_1_on_every_background(text: str, background: str) -> None:
    assert contrast(ROOT[text], ROOT[background]) >= 4.5


def test_chip_text_meets_4_5_to_1_on_every_chip_colour() -> None:
    assert colours("color", CHIP) == {"on-chip"}
    for background in colours("background", CHIP):
        assert background in ROOT, f"chip background {background} is not a palette colour"
        assert contrast(ROOT["on-chip"], ROOT[background]) >= 4.5, background


def test_chart_marks_meet_3_to_1_on_the_paper() -> None:
    for fill in colours("fill", re.compile(r"\.m-(?!track)")):
        assert fill in ROOT, f"chart colour {fill} is not a palette colour"
        assert contrast(ROOT[fill], ROOT["paper"]) >= 3, fill


def test_no_colour_is_written_outside_the_palette() -> None:
    outside = CSS.replace(PALETTE.group(0), "")
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", outside)
    for template in (REPO / "templates").glob("*.html.j2"):
        assert not re.findall(r"#[0-9a-fA-F]{6}\b", template.read_text("utf-8")), template.name
