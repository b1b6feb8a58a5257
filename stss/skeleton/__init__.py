"""The files `stss init` writes into a new records repository."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from stss.termdates import academic_year_starting, typical_year, year_id

#: Packaged file -> where it goes in the new records root.
STATIC = {
    "offer.yaml": "offer.yaml",
    "gitignore": ".gitignore",
    "validate.yml": ".github/workflows/validate.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "pre-commit-hooks.yaml": ".pre-commit-hooks.yaml",
}


def files(trust_name: str, today: dt.date) -> dict[str, str]:
    """Every file of a new records root, as {relative path: text}."""
    out = {"trust.yaml": trust_yaml(trust_name, today)}
    package = resources.files(__package__)
    for source, target in STATIC.items():
        out[target] = package.joinpath(source).read_text("utf-8")
    for folder in ("schools", "people", "engagements", "visits"):
        out[f"{folder}/.gitkeep"] = ""
    return out


def trust_yaml(trust_name: str, today: dt.date) -> str:
    first = academic_year_starting(today)
    lines = [
        "# The trust and its school calendar. Term dates are a typical English draft:",
        "# check them against your local authority's published dates.",
        f"name: {json.dumps(trust_name)}",
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
