"""Hostile answers at interactive prompts: held to the rules an option's value is.

A NUL, an escape sequence or an absurdly long id typed at a prompt is refused, naming
the prompt, and asked for again; at the end of input that is a usage error (exit 2),
and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import snapshot

TODAY = "2026-11-23"
LOG = ("log-visit", "--date", "2026-11-10", "--today", TODAY)


@pytest.fixture(autouse=True)
def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from stss.cli import ask

    monkeypatch.setattr(ask, "is_terminal", lambda: True)


@pytest.mark.parametrize(("answer", "why"), [
    ("hill\x00top", "holds a NUL byte"),
    ("\x1b[2Jhill-top", "holds a control character (U+001B)"),
    ("h" * 5000, "is 5,000 characters long; at most 1,000"),
], ids=["nul", "escape-sequence", "5000-character-id"])
def test_an_unfit_answer_for_an_id_is_refused_naming_the_prompt(stss: Any, mini: Path, answer: str,
                                                                  why: str) -> None:
    before = snapshot(mini)
    result: Any = stss(*LOG, "--records", mini, "--activity", "partnership-visit", "--notes", "/dev/null",
                       input=f"{answer}\n")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"the answer to 'school (Tab completes)' {why}; type it again" in result.stderr
    assert "no answer for 'school (Tab completes)'; nothing was written" in result.stderr
    assert snapshot(mini) == before


def test_an_unfit_answer_is_asked_for_again(stss: Any, mini: Path) -> None:
    result: Any = stss(*LOG, "--records", mini, "--activity", "partnership-visit", "--notes", "/dev/null",
                       input="hill\x00top\nhill-top\n")
    assert result.exit_code == 0, result.output
    assert "holds a NUL byte; type it again" in result.stderr
    [visit] = (mini / "visits/2026-27").glob("*.md")
    assert "\x00" not in visit.read_text("utf-8")


@pytest.mark.parametrize(("answer", "why"), [
    ("had\x00to", "holds a NUL byte"),
    ("\x1b]0;owned\x07 the head was ill", "holds a control character (U+001B)"),
    ("x" * 20_001, "is 20,001 characters long; at most 20,000"),
], ids=["nul", "escape-sequence", "over-long"])
def test_an_unfit_reason_is_refused_naming_the_prompt(stss: Any, mini: Path, answer: str, why: str) -> None:
    before = snapshot(mini)
    result: Any = stss(*LOG, "--records", mini, "--school", "hill-top", "--activity", "partnership-visit",
                       "--status", "cancelled", input=f"{answer}\n")
    assert result.exit_code == 2, result.output
    assert f"the answer to 'Why was it cancelled' {why}; type it again" in result.stderr
    assert snapshot(mini) == before


def test_a_long_reason_within_the_free_text_limit_is_taken(stss: Any, mini: Path) -> None:
    reason = "The head was ill " * 300  # 5,100 characters: an id could not be this long, a reason may
    result: Any = stss(*LOG, "--records", mini, "--school", "hill-top", "--activity", "partnership-visit",
                       "--status", "cancelled", input=f"{reason}\n")
    assert result.exit_code == 0, result.output
    [visit] = (mini / "visits/2026-27").glob("*.md")
    assert "The head was ill" in visit.read_text("utf-8")
