"""Text that leaves stss for a terminal or a CI runner, made unable to forge output.

Records and paths come from pull requests: a name with an escape sequence or a
newline must not repaint the terminal or add a line that looks like stss's own,
and a file called `a,b.yaml` must not shift a GitHub annotation's fields.
"""

from __future__ import annotations

import re

#: C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Text with each control character shown as a visible escape (`\\x1b`), tabs kept."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


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
