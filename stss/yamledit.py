"""Round-trip edits of YAML records that keep everything a person wrote.

`load` opens a YAML file, or a visit file's front matter, in ruamel.yaml's
round-trip mode; callers change the data with `set_key` and friends; `dump`
gives the new text. The markdown body and the `---` fences of a visit file
are kept as they were (a caller may replace `body` on purpose).

ruamel.yaml keeps comments, key order and quoting, but it re-flows a few
things it cannot reproduce exactly (a flow mapping spread over several lines,
`null` written out). So `dump` merges: it compares ruamel's rendering of the
untouched document with its rendering of the edited one, and carries only
that difference over to the original text (a three-way merge by lines). Every
line the edit did not touch stays byte-for-byte as it was; if the merge ever
failed to mean exactly the edited data, the plain rendering is used instead.

Pure: text in, text out. Reading and writing files is the store's job.
"""

from __future__ import annotations

import difflib
import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, PlainScalarString

from stss.errors import StoreError
from stss.parsing import FRONT_MATTER

#: Longer text values are written as folded (`>-`) blocks wrapped at this width.
FOLD_WIDTH = 72


@dataclass
class Document:
    """A YAML document open for editing, with the text around it.

    `head` is what precedes the YAML (a BOM, the opening `---`), `fence` the
    closing `---` line of a front matter (empty for a YAML file), `body` the
    markdown after it. `base` is the untouched data as ruamel.yaml renders it.
    """

    original: str
    data: CommentedMap
    indent: tuple[int, int, int]
    base: str
    head: str = ""
    fence: str = ""
    body: str = ""


#: Indentation styles tried on a file: (mapping, sequence, offset of the dash).
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0))


#: Characters YAML reads as line breaks; ruamel writes them raw unless the string is double-quoted.
_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(representer: Any, data: str) -> Any:
    if any(char in data for char in _BREAKS):
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return RoundTripRepresenter.represent_str(representer, data)


class _Representer(RoundTripRepresenter):
    """Round-trip output, with line-break characters inside strings escaped."""


_Representer.add_representer(str, _represent_str)


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line; the merge keeps the author's wrapping
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    yaml.Representer = _Representer
    yaml.Constructor = _Constructor
    return yaml


def load(text: str, front_matter: bool = False, path: str = "") -> Document:
    """Open YAML text (or, with `front_matter`, a markdown file's front matter).
    `path` (relative to the records root) names the file in a refusal."""
    head, yaml_text, fence, body = "", text, "", ""
    if front_matter:
        head, yaml_text, fence, body = split(text, path)
    first_line = 2 if front_matter else 1
    unix = yaml_text.replace("\r\n", "\n")
    try:
        data = _yaml(INDENTS[0]).load(unix) if unix.strip() else CommentedMap()
    except Exception as exc:
        from ruamel.yaml.error import MarkedYAMLError

        mark = (exc.problem_mark or exc.context_mark) if isinstance(exc, MarkedYAMLError) else None
        problem = (exc.problem or exc.context) if isinstance(exc, MarkedYAMLError) else None
        line, column = (mark.line, mark.column + 1) if mark else (0, 1)
        lines = unix.split("\n")
        if line >= len(lines) - 1 and not lines[-1]:  # at the end of the input: the end of its last line
            line, column = max(0, len(lines) - 2), len(lines[-2] if len(lines) > 1 else "") + 1
        line += first_line
        hint = ("the editor reads no tab there: write a space instead" if "'\\t'" in str(problem)
                else "fix it by hand, then run the command again")
        raise _refused(path, line, column, f"the YAML does not parse: {problem or exc}", hint) from None
    if not isinstance(data, CommentedMap):
        raise _refused(path, first_line, 1, "the YAML is not a mapping of keys to values")
    indent, base = _guess_indent(data, unix)
    return Document(yaml_text, data, indent, base, head, fence, body)


def _refused(path: str, line: int, column: int, why: str, hint: str | None = None) -> StoreError:
    """Why a file cannot be edited in place, at its line as a problem is (`path:line:column:`)."""
    where = f"{path}:{line}:{column}: " if path else ""
    return StoreError(f"{where}cannot edit: {' '.join(why.split())}; nothing was written", hint)


class _Constructor(RoundTripConstructor):
    """Round-trip loading that reads a date that does not exist (`2026-02-30`) as the
    text it is, as validation does (`parsing.lenient_timestamp`): a text value that
    looks like a date must not stop a file that validates from being edited."""


def _lenient_timestamp(constructor: Any, node: Any, values: Any = None) -> Any:
    try:
        return RoundTripConstructor.construct_yaml_timestamp(constructor, node, values)
    except (ValueError, OverflowError):
        return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _guess_indent(data: CommentedMap, text: str) -> tuple[tuple[int, int, int], str]:
    """The indentation style the file is written in (files differ in where list
    dashes go): the one whose rendering keeps most of its lines, with that rendering."""
    lines = text.splitlines(keepends=True)
    best: tuple[int, tuple[int, int, int], str] | None = None
    for indent in INDENTS:
        rendered = render(data, indent)
        if rendered == text:
            return indent, rendered
        score = len(_matches(rendered.splitlines(keepends=True), lines))
        if best is None or score > best[0]:
            best = (score, indent, rendered)
    assert best is not None
    return best[1], best[2]


def split(text: str, path: str = "") -> tuple[str, str, str, str]:
    """A front-matter file as (opening fence, YAML, closing fence, body), exactly as written."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].lstrip("\ufeff").rstrip() != FRONT_MATTER:
        raise _refused(path, 1, 1, "the file does not start with '---' and YAML front matter")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER:
            return lines[0], "".join(lines[1:index]), lines[index], "".join(lines[index + 1:])
    raise _refused(path, 1, 1, "the front matter opened here has no closing '---' line")


def render(data: Mapping[str, Any], indent: tuple[int, int, int] = INDENTS[0]) -> str:
    """YAML text for data (a new file, or a document with no original to keep)."""
    out = io.StringIO()
    _yaml(indent).dump(data, out)
    return out.getvalue()


def dump(doc: Document) -> str:
    """The edited document's full text, keeping every untouched line of the original."""
    edited = render(doc.data, doc.indent)
    yaml_text = merge(doc.original, doc.base, edited)
    if not _same(yaml_text, edited):
        yaml_text = _newlines(edited, _newline_of(doc.original))
    return doc.head + yaml_text + doc.fence + doc.body


def _same(a: str, b: str) -> bool:
    """Whether two texts mean the same data, as validation reads them."""
    from stss.parsing import load_yaml

    (left, wrong), (right, also_wrong) = load_yaml("", a), load_yaml("", b)
    return not wrong and not also_wrong and bool(left == right)


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _newlines(text: str, newline: str) -> str:
    return text if newline == "\n" else text.replace("\n", newline)


def merge(original: str, base: str, edited: str) -> str:
    """Carry the change from `base` to `edited` over to `original` (three-way, by lines).

    `base` is a rendering of `original`, so the two differ only where the
    renderer re-flows text. Each side's differences from `base` are hunks over
    base lines: the edit's hunks are applied, the original's re-flowed lines
    are kept, and where hunks of the two overlap the edit wins (the value
    changed, so its old layout cannot be kept).
    """
    newline = _newline_of(original)
    b = _newlines(base, newline).splitlines(keepends=True)
    ours = [(*h, False) for h in _hunks(b, original.splitlines(keepends=True))]
    theirs = [(*h, True) for h in _hunks(b, _newlines(edited, newline).splitlines(keepends=True))]
    groups: list[list[_Hunk]] = []
    for hunk in sorted(ours + theirs, key=lambda h: (h[0], h[1], h[3])):
        if groups and hunk[0] < max(h[1] for h in groups[-1]) and hunk[1] > groups[-1][0][0]:
            groups[-1].append(hunk)
        else:
            groups.append([hunk])
    out: list[str] = []
    position = 0
    for group in groups:
        start, end = group[0][0], max(h[1] for h in group)
        out.extend(b[position:start])
        edit_wins = any(h[3] for h in group)
        chosen = sorted((h for h in group if h[3] == edit_wins), key=lambda h: (h[0], h[1]))
        position = start
        for hunk in chosen:
            out.extend(b[position:hunk[0]])
            out.extend(hunk[2])
            position = hunk[1]
        out.extend(b[position:end])
        position = end
    out.extend(b[position:])
    return "".join(out)


#: A difference from the base: base lines [start, end) become these lines; from the edit?
_Hunk = tuple[int, int, list[str], bool]


def _hunks(a: list[str], b: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(i1, i2, b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _matches(a: list[str], b: list[str]) -> dict[int, int]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return {block.a + k: block.b + k for block in matcher.get_matching_blocks() for k in range(block.size)}


# --- editing helpers ----------------------------------------------------------------


def set_key(mapping: CommentedMap, key: str, value: Any, order: Sequence[str] = ()) -> None:
    """Set `key`, in place if it exists; a new key goes where `order` puts it
    (after the nearest key that comes before it), else at the end."""
    if key in mapping:
        if type(value) is str and isinstance(mapping[key], FoldedScalarString | LiteralScalarString):
            value = PlainScalarString(value)  # ruamel would keep the old block style, even for ''
        mapping[key] = value
        return
    mapping.insert(_position(list(mapping), key, order), key, value)


def _position(keys: list[str], key: str, order: Sequence[str]) -> int:
    if key not in order:
        return len(keys)
    rank = {name: i for i, name in enumerate(order)}
    before = [i for i, existing in enumerate(keys) if rank.get(existing, len(order)) < rank[key]]
    return before[-1] + 1 if before else 0


def insert_sorted(mapping: CommentedMap, key: str, value: Any) -> None:
    """Add `key` among keys kept in sorted order (such as academic years)."""
    keys = list(mapping)
    position = next((i for i, existing in enumerate(keys) if str(existing) > key), len(keys))
    mapping.insert(position, key, value)


def flow_list(items: Iterable[Any]) -> CommentedSeq:
    """A list written on one line, `[a, b]`, as the records write ids."""
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


def flow_map(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    """A mapping written on one line, `{text: ..., owner: ...}`, as the records write actions."""
    mapping = CommentedMap(list(pairs))
    mapping.fa.set_flow_style()
    return mapping


def block_map(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    return CommentedMap(list(pairs))


def text_value(text: str) -> str:
    """Prose as a YAML value: long text folded over several lines (`>-`), like a person would."""
    text = " ".join(text.split())
    if len(text) <= FOLD_WIDTH:
        return text
    folded = FoldedScalarString(text)
    positions: list[int] = []
    column = 0
    for line in textwrap.wrap(text, FOLD_WIDTH, break_long_words=False, break_on_hyphens=False)[:-1]:
        column += len(line)
        positions.append(column)
        column += 1  # the space the fold stands for
    folded.fold_pos = positions
    value: str = folded
    return value
