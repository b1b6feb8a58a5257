"""Text that leaves stss for a terminal or a CI runner, made unable to forge output.

Records and paths come from pull requests: a name with an escape sequence or a
newline must not repaint the terminal or add a line that looks like stss's own,
and a file called `a,b.yaml` must not shift a GitHub annotation's fields.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stss.errors import Problem

#: C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Text with each control character shown as a visible escape (`\\x1b`), tabs kept."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def without_control(text: str) -> str:
    """Text with every control character dropped (tabs kept), for an aligned table."""
    return _CONTROL.sub("", text)


def annotation_data(text: str) -> str:
    """Escape a workflow command's message, as the runner's `CommandEscape` reverses it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: str) -> str:
    """Escape a workflow command's property value (`file=`, `title=`)."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(severity: str, path: str, line: int, column: int, message: str) -> str:
    """One `::error file=...,line=...,col=...::message` line."""
    return (f"::{severity} file={annotation_property(path)},line={line},col={column}"
            f"::{annotation_data(message)}")


def problem_report(problems: Sequence[Problem], format: str, shown: Callable[[str], str]) -> str:
    """`stss validate`'s output: one line a problem (`text`), workflow annotations (`github`)
    or a JSON list (`json`); `shown` gives each path as the person would type it."""
    if format == "json":
        return json.dumps([{**p.as_dict(), "path": shown(p.path)} for p in problems], indent=2) + "\n"
    if format == "github":
        lines = [annotation(p.severity.value, shown(p.path), p.line, p.column, str(p.as_dict()["message"]))
                 for p in problems]
    else:
        lines = [printable(f"{shown(p.path)}:{p.line}:{p.column}: {p.severity.value}: {p.message}"
                           + (f" (hint: {p.hint})" if p.hint else "")) for p in problems]
    return "".join(line + "\n" for line in lines)


def path_shower(root: Path | None, here: str) -> Callable[[str], str]:
    """How to show a record's path (relative to `root`) as a person in the folder `here`
    would type it: relative below `here`, else in full. Lexical only: resolving would follow
    the very links (even loops) a problem may be about. The root's place is worked out
    once: a validate of a large trust shows tens of thousands of paths."""
    if root is None:
        return lambda rel: rel
    base = os.path.abspath(here)
    top = os.path.abspath(root)
    if top == base or top.startswith(base + os.sep):
        lead = "" if top == base else os.path.relpath(top, base) + "/"

        def shown(rel: str) -> str:
            if rel and not ({"", ".", ".."} & set(rel.split("/"))):  # plain: no lexical steps to take
                return lead + rel
            return _shown(root, rel, base)
        return shown
    return lambda rel: _shown(root, rel, base)


def _shown(root: Path, rel: str, base: str) -> str:
    full = root / rel
    absolute = os.path.abspath(full)
    return os.path.relpath(absolute, base) if absolute.startswith(base + os.sep) else str(full)
