"""Where the running stss came from, so a new records repository installs exactly it.

A trust's CI and pre-commit hook must run the stss that made the repository,
never whatever a package index serves under some name. pip records a VCS
install in the distribution's `direct_url.json` (PEP 610); we pin that URL and
commit. Anything else (a wheel, an editable checkout) falls back to
`name==version`, with a comment saying how to point it at the trust's own copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stss import DISTRIBUTION, __version__


@dataclass(frozen=True)
class Source:
    """How to install one exact stss."""

    requirement: str  # a pip requirement: `stss-records @ git+URL@COMMIT` or `stss-records==X.Y.Z`
    repo: str | None  # the git URL for pre-commit, when known
    rev: str | None  # the commit pre-commit pins
    note: str  # a comment for people reading the generated files


def from_direct_url(direct_url: dict[str, Any] | None, name: str = DISTRIBUTION,
                    version: str = __version__) -> Source:
    """The install source described by a PEP 610 `direct_url.json` (or its absence)."""
    vcs = (direct_url or {}).get("vcs_info") or {}
    url = (direct_url or {}).get("url")
    if vcs.get("vcs") == "git" and isinstance(url, str) and vcs.get("commit_id"):
        commit = str(vcs["commit_id"])
        subdir = (direct_url or {}).get("subdirectory")
        fragment = f"#subdirectory={subdir}" if subdir else ""
        note = f"stss from {url} at commit {commit[:12]}, the copy that ran `stss init`."
        if url.startswith("file:"):
            note += " A file: URL works only on this machine: use the repository's https URL in CI."
        return Source(f"{name} @ git+{url}@{commit}{fragment}", url, commit, note)
    note = (f"stss {version}, the version that ran `stss init`. To install from the trust's own copy "
            f"of stss instead, use: {name} @ git+https://YOUR-GIT-HOST/stss.git@COMMIT")
    return Source(f"{name}=={version}", None, None, note)


def running() -> Source:
    """The source of the stss running now, from its installed metadata."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return from_direct_url(None)
    text = dist.read_text("direct_url.json")
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    return from_direct_url(data if isinstance(data, dict) else None, version=dist.version)
