"""`stss init` makes a ready records repository; `stss schema` agrees with validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.helpers import EXAMPLE, git


def test_init_creates_a_valid_repository(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "trust-records"
    result = stss("init", target, "--name", "Oak & Ash: Learning Trust", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    for rel in ("trust.yaml", "offer.yaml", ".gitignore", ".github/workflows/validate.yml",
                ".pre-commit-config.yaml", "schools/.gitkeep", "schemas/visit.schema.json", ".vscode/settings.json"):
        assert (target / rel).is_file(), rel
    assert (target / ".git").is_dir()
    assert ".stss-cache/" in (target / ".gitignore").read_text()
    assert "stss validate --format github" in (target / ".github/workflows/validate.yml").read_text()
    trust = YAML(typ="safe").load((target / "trust.yaml").read_text())
    assert trust["name"] == "Oak & Ash: Learning Trust"
    assert sorted(trust["years"]) == ["2026-27", "2027-28"]
    assert str(trust["years"]["2026-27"]["autumn"]["start"]) == "2026-09-03"
    assert "#" in (target / "trust.yaml").read_text()  # commented for people
    assert stss("validate", "--records", target).exit_code == 0
    offer = YAML(typ="safe").load((target / "offer.yaml").read_text())
    assert set(offer["levels"]) == {"core", "enhanced", "bespoke"}
    assert ".stss-cache" not in git(target, "status", "--porcelain")


def test_init_in_spring_uses_the_current_academic_year(stss: Any, tmp_path: Path) -> None:
    stss("init", tmp_path / "r", "--today", "2027-03-01")
    trust = YAML(typ="safe").load((tmp_path / "r/trust.yaml").read_text())
    assert sorted(trust["years"]) == ["2026-27", "2027-28"]


def test_init_refuses_to_overwrite(stss: Any, mini: Path) -> None:
    before = (mini / "trust.yaml").read_bytes()
    result = stss("init", mini)
    assert result.exit_code == 1 and "already holds records" in result.stderr
    assert (mini / "trust.yaml").read_bytes() == before
    assert not (mini / ".gitignore").exists()


def test_schema_writes_one_file_per_kind(stss: Any, tmp_path: Path) -> None:
    result = stss("schema", "--out", tmp_path)
    assert result.exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{k}.schema.json" for k in sorted(("engagement", "event", "offer", "person", "request", "school", "trust", "visit"))]


def _verdict(schema: dict[str, Any], data: Any) -> bool:
    checker = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return not list(checker.iter_errors(json.loads(json.dumps(data, default=str))))


SCHOOL_CASES = [
    ("valid", "urn: 140001\nname: A\nphase: primary\nmembership: academy\n", True),
    ("unknown key", "urn: 140001\nname: A\nphase: primary\nmembership: academy\nlocal_authorty: X\n", False),
    ("bad phase", "name: A\nphase: primry\nmembership: academy\n", False),
    ("bad level id", "name: A\nphase: primary\nmembership: academy\nsupport: {2026-27: {level: Core}}\n", False),
    ("bad year key", "name: A\nphase: primary\nmembership: academy\nsupport: {2026: {level: core}}\n", False),
    ("negative urn", "urn: -4\nname: A\nphase: primary\nmembership: academy\n", False),
    ("missing name", "phase: primary\nmembership: academy\n", False),
    ("report card", "name: A\nphase: primary\nmembership: academy\ninspections:\n"
     "  - {date: 2026-02-10, framework: ofsted-2025, grades: {inclusion: strong}, safeguarding: met}\n", True),
    ("bad grade", "name: A\nphase: primary\nmembership: academy\ninspections:\n"
     "  - {date: 2026-02-10, framework: ofsted-2025, grades: {inclusion: good}, safeguarding: met}\n", False),
]


@pytest.mark.parametrize(("case", "text", "valid"), SCHOOL_CASES, ids=[c[0] for c in SCHOOL_CASES])
def test_schema_and_validate_agree_on_a_single_school(stss: Any, mini: Path, case: str, text: str,
                                                      valid: bool) -> None:
    schema = json.loads(stss("schema").stdout)["school"]
    (mini / "schools/hill-top.yaml").write_text(text)
    (mini / "offer.yaml").write_text((mini / "offer.yaml").read_text())
    data = YAML(typ="safe").load(text)
    errors = [p for p in json.loads(stss("validate", "--records", mini, "--format", "json").stdout)
              if p["severity"] == "error" and "hill-top" in p["path"]]
    assert _verdict(schema, data) is valid
    assert (not errors) is valid, errors


def test_every_example_file_passes_its_schema(stss: Any) -> None:
    schemas = json.loads(stss("schema").stdout)
    yaml = YAML(typ="safe")
    for kind, folder in (("school", "schools"), ("person", "people"), ("engagement", "engagements")):
        for path in sorted((EXAMPLE / folder).glob("*.yaml")):
            assert _verdict(schemas[kind], yaml.load(path.read_text())), path
    assert _verdict(schemas["trust"], yaml.load((EXAMPLE / "trust.yaml").read_text()))
    assert _verdict(schemas["offer"], yaml.load((EXAMPLE / "offer.yaml").read_text()))
