"""Find the line and column of a value from its key path.

The fast safe loader keeps no positions, so positions are found only for the
files that have problems: their text is parsed again in round-trip mode, whose
nodes remember where each key and value started. Pure: text in, numbers out.
"""

from __future__ import annotations

from typing import Any

from stss.errors import Loc


def position(text: str, loc: Loc, first_line: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the value at `loc`, or of the nearest enclosing
    key that exists (a missing key is reported at its parent)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    from stss.parsing import lenient_timestamp

    class Constructor(RoundTripConstructor):
        pass

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", lenient_timestamp)

    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    try:
        node: Any = yaml.load(text)
    except Exception:  # the file no longer parses: point at its top
        return first_line, 1
    line, column = 0, 0
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(node, dict) and part in node:
                line, column = lc.value(part) if _is_scalar(node[part]) else lc.key(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                line, column = lc.item(part)
                node = node[part]
            else:
                continue  # e.g. a union tag pydantic adds: skip it, keep walking
        except (KeyError, IndexError, TypeError):
            break
    return line + first_line, column + 1


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)
