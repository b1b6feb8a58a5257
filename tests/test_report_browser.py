"""The HTML report in a real headless Chromium, and the PDF printed from it.

Skipped only when Chromium (or pdftotext) is genuinely absent and this is not CI;
in CI (`CI` set) a missing browser fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from stss import render
from stss.errors import TemplateError
from tests.helpers import HOSTILE_NOTE, REPO, TODAY, missing, npm_file, with_history, write_records

pytestmark = pytest.mark.browser
CONSOLE = re.compile(r":CONSOLE[:(]|CONSOLE\(|Uncaught", re.IGNORECASE)


def need(tool: str) -> str:
    """The tool's path; a skip when it is absent here, a failure when it is absent in CI."""
    try:
        found = render.find_chromium() if tool == "chromium" else shutil.which(tool)
    except TemplateError:
        found = None
    if found:
        return found
    missing(tool)


@pytest.fixture
def chromium() -> str:
    return need("chromium")


def open_in_chromium(exe: str, page: Path, tmp: Path, *extra: str) -> tuple[str, list[str]]:
    """Load `page`; returns the DOM after load and any console messages Chromium logged."""
    args = [*render.chromium_args(exe, tmp / "profile"), "--enable-logging=stderr", "--v=0", *extra,
            page.as_uri()]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, [line for line in result.stderr.splitlines() if CONSOLE.search(line)]


def html_report(stss: Any, root: Path, out: Path, *args: str) -> Path:
    result = stss("report", "--records", root, "--today", TODAY, "--format", "html", "--out", out, *args)
    assert result.exit_code == 0, result.output
    return out


def test_the_console_check_sees_script_errors(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); missing();</script>", "utf-8")
    _, console = open_in_chromium(chromium, page, tmp_path, "--dump-dom")
    assert any("boom" in line for line in console)
    assert any("Uncaught" in line for line in console)


def test_chromium_opens_the_board_pack_with_no_script_and_no_console_errors(
        chromium: str, example: Path, stss: Any, tmp_path: Path) -> None:
    page = html_report(stss, with_history(example), tmp_path / "board-pack.html", "--year", "2026-27",
                       "--term", "autumn")
    dom, console = open_in_chromium(chromium, page, tmp_path, "--dump-dom")
    assert console == []
    assert "<script" not in dom.lower()
    assert "School improvement report: Autumn term 2026-27" in dom
    assert dom.count('class="school"') == 12
    shot = tmp_path / "board-pack.png"
    _, console = open_in_chromium(chromium, page, tmp_path, "--hide-scrollbars", "--window-size=1200,1100",
                                  f"--screenshot={shot}")
    assert console == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    if os.environ.get("STSS_UPDATE_GOLDEN"):
        (REPO / "docs" / "board-pack.png").write_bytes(data)


def test_a_hostile_note_does_nothing_in_the_browser(chromium: str, mini: Path, stss: Any, tmp_path: Path) -> None:
    write_records(mini, {"visits/2026-27/2026-10-05-hill-top-partnership-visit.md": HOSTILE_NOTE})
    page = html_report(stss, mini, tmp_path / "summary.html", "--school", "hill-top")
    dom, console = open_in_chromium(chromium, page, tmp_path, "--dump-dom")
    assert console == []
    assert "<script" not in dom.lower()
    assert "{{ 7*7 }}" in dom
    assert not re.search(r"href=\"\s*javascript", dom, re.IGNORECASE)


def test_the_trustees_pdf_is_tagged_two_summary_pages_then_a_page_a_school(
        chromium: str, example: Path, stss: Any, tmp_path: Path) -> None:
    """Asserted on the PDF's structure (its outline, its pages' text), not on where lines fall: true
    with any fonts installed. A heading that wraps loses its space in the outline, so titles are
    compared without spaces."""
    from pypdf import PdfReader

    pdf = tmp_path / "board-pack.pdf"
    result = stss("report", "--records", example, "--today", TODAY, "--format", "pdf", "--out", pdf)
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == (
        "Teme and Severn Learning Trust: School improvement report: Autumn term 2026-27")

    def flat(items: list[Any]) -> list[Any]:
        return [leaf for item in items for leaf in (flat(item) if isinstance(item, list) else [item])]

    def squash(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))  # fonts' ligatures, wrapped lines

    marks = {squash(m.title): reader.get_destination_page_number(m) for m in flat(reader.outline)}
    names = sorted(s.read_text("utf-8").split("name: ", 1)[1].splitlines()[0].strip().replace("\\'", "'")
                   for s in (example / "schools").glob("*.yaml"))
    assert len(names) == 12
    for name in names:
        assert squash(name) in marks, f"no bookmark for {name}"
        assert squash(name) in squash(reader.pages[marks[squash(name)]].extract_text()), \
            f"{name}'s bookmark is not on its page"
    starts = sorted(marks[squash(n)] for n in names)
    assert len(set(starts)) == 12, "each school starts its own page"
    assert starts[0] <= 2, "the trust summary fits two pages"
    assert len(reader.pages) <= 2 + 12, "two pages of summary, then at most one a school"
    assert marks[squash("The trust at a glance")] == 0 and marks[squash("Commentary")] < starts[0]
    text = "".join(page.extract_text() for page in reader.pages)
    assert not re.search(r"(?<![\w-])--[a-z]", text), "no command-line options for trustees"
    assert "records/" not in text and ".yaml" not in text and "brookfield-primary" not in text


def axe_source() -> str:
    """axe-core from npm: $STSS_AXE, else where .ci/run installs it (build/npm)."""
    return npm_file("axe-core/axe.min.js", "STSS_AXE").read_text("utf-8")


AXE_RUN = """axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
 "wcag22aa", "best-practice"]}, resultTypes: ["violations"]}).then(r => r.violations.map(v =>
 v.id + ": " + v.help + " (" + v.nodes.length + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")))"""


@pytest.mark.parametrize("args", [("--year", "2026-27", "--term", "autumn"), ("--school", "brookfield-primary"),
                                  ("--engagement", "riverside-ks3-support-2025-26")],
                         ids=["board-pack", "school-summary", "engagement"])
def test_axe_core_finds_no_violations_and_the_page_reflows_at_320px(
        chromium: str, example: Path, stss: Any, tmp_path: Path, args: tuple[str, ...]) -> None:
    from tests.cdp import Browser

    source = axe_source()
    page = html_report(stss, with_history(example), tmp_path / "report.html", *args)
    browser = Browser(chromium, tmp_path / "profile")
    try:
        browser.open(page.as_uri(), width=1200)
        browser.evaluate(source)
        assert browser.evaluate(AXE_RUN) == []
        browser.open(page.as_uri(), width=320)
        assert browser.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        browser.close()


def test_an_engagement_report_prints_to_a_tagged_pdf(chromium: str, example: Path, stss: Any,
                                                     tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = tmp_path / "engagement.pdf"
    result = stss("report", "--records", example, "--today", TODAY, "--engagement", "riverside-ks3-support-2025-26",
                  "--format", "pdf", "--out", pdf)
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata is not None and reader.metadata.title == (
        "Teme and Severn Learning Trust: Riverside Academy: Key stage 3 curriculum and behaviour support")
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert "End-of-deployment report" in text and "The school needs further support." in text


def test_a_shared_visit_report_prints_to_a_tagged_pdf_and_records_the_sharing(
        chromium: str, example: Path, stss: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    visit = example / "visits/2026-27/2026-11-12-st-marys-ce-primary-education-review.md"
    before = visit.read_text("utf-8")
    pdf = tmp_path / "visit.pdf"
    result = stss("share", "2026-11-12-st-marys-ce-primary-education-review", "--records", example,
                  "--today", TODAY, "--format", "pdf", "--out", pdf)
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert "Education review" in text and "St Mary" in text
    after = visit.read_text("utf-8")
    assert after != before and f"shared: {TODAY}" in after
