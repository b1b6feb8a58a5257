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
    node: Any = _round_trip(text)
    if node is None:  # the file no longer parses: point at its top
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


def _round_trip(text: str) -> Any:
    """The YAML in round-trip mode (its nodes know their lines), or None if it does not parse."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    from stss.parsing import lenient_timestamp

    class Constructor(RoundTripConstructor):
        pass

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", lenient_timestamp)

    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    try:
        return yaml.load(text)
    except Exception:
        return None


def find_text(text: str, wanted: str, culprit: str, front_matter: bool = False) -> tuple[int, int] | None:
    """1-based (line, column) in a record file's `text` where the text value `wanted`
    is written (a YAML value equal to it, or a stretch of a markdown body), at the line
    within it that holds `culprit` (compared as `render` compares: lower case, no white
    space); None if the file does not hold it."""
    import html

    lines = text.splitlines()
    start: tuple[int, int] | None = None
    yaml_text, first_line = text, 1
    if front_matter:
        closing = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() == "---"), None)
        yaml_text, first_line = ("\n".join(lines[1:closing]), 2) if closing else ("", 1)
    node = _round_trip(yaml_text) if yaml_text.strip() else None
    stack = [node]
    while stack and start is None and wanted:
        item = stack.pop()
        lc = getattr(item, "lc", None)
        pairs = list(item.items()) if isinstance(item, dict) else list(enumerate(item)) if isinstance(item, list) else []
        for key, value in pairs:
            if isinstance(value, str) and value == wanted and lc is not None:
                line, column = lc.value(key) if isinstance(item, dict) else lc.item(key)
                start = line + first_line, column + 1
                break
            stack.append(value)
    if start is None and wanted and wanted in text:
        at = text.index(wanted)
        start = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    if start is None:
        return None
    plain = culprit.lower()
    for number in range(start[0], min(len(lines), start[0] + wanted.count("\n") + 2) + 1):
        line = lines[number - 1]
        squeezed = "".join(line.split()).lower()
        if plain in squeezed or plain in "".join(html.unescape(line).split()).lower():
            column = line.lower().find(plain)
            inside = column >= 0 and (number != start[0] or column >= start[1] - 1)
            return number, column + 1 if inside else start[1]
    return start
