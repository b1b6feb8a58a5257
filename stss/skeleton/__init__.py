"""The files `stss init` writes into a new records repository."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from importlib import resources
from pathlib import Path

from stss import layout
from stss.provenance import Source
from stss.termdates import academic_year_starting, typical_year, year_id

#: Packaged file -> where it goes in the new records root.
STATIC = {
    layout.OFFER_FILE: layout.OFFER_FILE,  # packaged under the name it has in the records
    "gitignore": ".gitignore",
}

#: Packaged template -> where it goes; `{...}` fields are filled from the install source.
TEMPLATES = {
    "validate.yml": ".github/workflows/validate.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
}

#: Record kind -> the files it lives in, as globs for editors.
GLOBS = {kind: [layout.glob(kind)] for kind in layout.KINDS}


def files(trust_name: str, today: dt.date, source: Source) -> dict[str, str]:
    """Every file of a new records root, as {relative path: text}."""
    from stss.schema import schemas

    out = {layout.TRUST_FILE: trust_yaml(trust_name, today)}
    package = resources.files(__package__)
    for name, target in STATIC.items():
        out[target] = package.joinpath(name).read_text("utf-8")
    fields = {"note": source.note, "requirement": shlex.quote(source.requirement),
              "hook": pre_commit_repo(source)}
    for name, target in TEMPLATES.items():
        out[target] = package.joinpath(name).read_text("utf-8").format(**fields)
    for folder in layout.FOLDERS:
        out[f"{folder}/.gitkeep"] = ""
    for kind, doc in schemas().items():
        out[f"schemas/{kind}.schema.json"] = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    settings = {"yaml.schemas": {f"./schemas/{kind}.schema.json": globs for kind, globs in GLOBS.items()}}
    out[".vscode/settings.json"] = json.dumps(settings, indent=2) + "\n"
    return out


def pre_commit_repo(source: Source) -> str:
    """The `repos:` entry for the stss hook: this project's repository at a pinned commit,
    else a local python hook that installs the pinned version."""
    if source.repo and source.rev:
        return (f"  - repo: {json.dumps(source.repo)}\n"
                f"    rev: {source.rev}\n"
                "    hooks:\n"
                "      - id: stss-validate\n")
    return ("  - repo: local\n"
            "    hooks:\n"
            "      - id: stss-validate\n"
            "        name: stss validate\n"
            "        entry: stss validate\n"
            "        language: python\n"
            f"        additional_dependencies: [{json.dumps(source.requirement)}]\n"
            "        pass_filenames: false\n"
            "        files: '^(trust\\.yaml|offer\\.yaml|schools/|people/|engagements/|visits/)'\n")


def trust_yaml(trust_name: str, today: dt.date) -> str:
    first = academic_year_starting(today)
    lines = [
        "# The trust and its school calendar. Term dates are a typical English draft:",
        "# check them against your local authority's published dates.",
        f"name: {yaml_string(trust_name)}",
        "years:",
    ]
    for year in (first, first + 1):
        t = typical_year(year)
        lines.append(f"  {year_id(year)}:")
        for term in ("autumn", "spring", "summer"):
            d = t[term]
            lines.append(f"    {term}: {{start: {d['start']}, half_term: [{d['half_term'][0]}, {d['half_term'][1]}], end: {d['end']}}}")
        closures = ", ".join(str(c) for c in t["closures"])
        lines.append(f"    closures: [{closures}]        # bank holidays, INSET and other days with no visits")
    lines += [
        "# A headteacher counts as new (for `when: new-headteacher`) for this many years.",
        "new_headteacher_years: 2",
        "",
    ]
    return "\n".join(lines)


def yaml_string(text: str) -> str:
    """`text` as a double-quoted YAML scalar: any Unicode kept as itself, and every
    character YAML would refuse or read as a line break escaped, so the name reads back exactly."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + "".join(_escaped(char) for char in body) + '"'


def _escaped(char: str) -> str:
    code = ord(char)
    printable = (code in (0x09, 0x0A, 0x0D) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
                 or 0xE000 <= code <= 0xFFFD or code >= 0x10000) and char != "\ufeff"
    return char if printable else f"\\u{code:04x}"


def create(directory: Path, trust_name: str, today: dt.date, source: Source) -> str | None:
    """Write a new records repository into `directory`, and unless it is inside a repository
    already, `git init` it on main with a first commit (returned). Refuses, writing nothing,
    where records or any of these files are already there, or git could not commit."""
    from stss import git, lock, store
    from stss.errors import StoreError

    if (directory / layout.ROOT_MARKER).exists():
        raise StoreError(f"{directory} already holds records ({layout.ROOT_MARKER}); nothing was written")
    made = files(trust_name, today, source)
    clashes = [rel for rel in made if (directory / rel).exists()]
    if clashes:
        raise StoreError(f"{directory} already has {', '.join(clashes)}; nothing was written")
    probe = directory.resolve()
    while not probe.exists():
        probe = probe.parent
    existing = git.is_repo(probe)  # the target or a folder above it is already under git
    if not existing and git.identity_missing(probe):
        raise StoreError("git has no name and email to make the first commit with; nothing was written",
                         hint="run: git config --global user.name 'Your Name' && "
                              "git config --global user.email you@example.org")
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    with lock.writing(root):
        for rel, text in made.items():
            store.write_text(root, rel, text)
        if existing:
            return None
        git.init(root)
        return git.commit_all(root, f"Start the records of {trust_name} with stss init")
