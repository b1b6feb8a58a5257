"""Every file stss makes for people (a report, an export, a calendar) may go anywhere the
person asks except over the records' own files: a typo in --out must never replace a record."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

TODAY = "2026-11-23"
VISIT = "visits/2026-27/2026-10-06-brookfield-primary-education-review.md"
COMMANDS = {
    "report": ("report", "--today", TODAY),
    "school summary": ("report", "--today", TODAY, "--school", "brookfield-primary", "--format", "html"),
    "engagement report": ("report", "--today", TODAY, "--engagement", "kingsmead-rise-2026"),
    "calendar": ("calendar", "--today", TODAY),
    "export json": ("export", "--today", TODAY, "--format", "json"),
    "export sqlite": ("export", "--today", TODAY, "--format", "sqlite"),
}
TARGETS = ("schools/brookfield-primary.yaml", VISIT, "trust.yaml", "templates/board-pack.md.j2",
           "requests/new.yaml", ".git/config")


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".stss-cache" not in p.parts}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_is_refused_over_the_records_own_files(stss: Any, example: Path, command: str,
                                                         target: str) -> None:
    before = digest(example)
    result = stss(*COMMANDS[command], "--records", example, "--out", example / target)
    assert result.exit_code == 2, result.output
    assert "inside the records' own files; nothing was written" in result.stderr
    assert digest(example) == before


def test_an_output_beside_the_records_is_written(stss: Any, example: Path) -> None:
    result = stss("report", "--records", example, "--today", TODAY, "--out", example / "board-pack.md")
    assert result.exit_code == 0, result.output
    assert (example / "board-pack.md").read_text("utf-8").startswith("# School improvement report")
