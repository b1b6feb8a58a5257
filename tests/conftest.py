"""Shared fixtures: a CLI runner, the example trust, and tiny inline records.

Only fixtures and hooks live here; plain helpers and constants are in tests/helpers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stss.cli.main import app
from tests.helpers import (
    MINI_OFFER,
    MINI_PERSON,
    MINI_SCHOOL,
    MINI_TRUST,
    Invoke,
    copy_example,
    write_records,
)


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich output at a fixed width and without colour, so assertions are stable."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("STSS_RECORDS", raising=False)
    import stss.cli.common as common

    monkeypatch.setattr(common, "_console", None)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def stss(runner: CliRunner) -> Invoke:
    """Run `stss ARGS` in-process; returns the click Result."""

    def invoke(*args: str, input: str | None = None) -> object:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A one-school, one-person trust with no visits: a base for small cases."""
    return write_records(tmp_path / "records", {
        "trust.yaml": MINI_TRUST,
        "offer.yaml": MINI_OFFER,
        "schools/hill-top.yaml": MINI_SCHOOL,
        "people/alex-morgan.yaml": MINI_PERSON,
    })


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the bundled example trust."""
    return copy_example(tmp_path / "records")
