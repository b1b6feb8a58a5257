"""From a file's text to a validated model, or to problems.

Pure: the store hands in text it has read and gets back data, models and
problems. YAML is parsed with ruamel.yaml's C-backed safe loader (no custom
tags, no Python objects); line numbers for problems are found afterwards,
only for the files that have problems, by `stss.locate`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from stss.errors import Loc, Problem, did_you_mean, error
from stss.layout import FILE_MODELS, KINDS
from stss.models import SLUG_RE, Record

#: A document may not expand (through aliases) to more values than this.
MAX_NODES = 200_000
#: ... nor nest deeper than this (records need five or six levels).
MAX_DEPTH = 100
#: Text with at most this many of the characters that open a level is composed
#: straight away: the C composer copes with ten thousand levels, and crashes
#: somewhere below thirty thousand.
DEEP_ENOUGH_TO_CHECK = 2_000
FRONT_MATTER = "---"
#: Models that carry the markdown body as `notes` (visits, events): not a key to suggest.
_WITH_NOTES = frozenset(k.read_as for k in KINDS.values() if k.front_matter)


@dataclass(frozen=True, slots=True)  # one per record file: hundreds of thousands
class Parsed:
    """The outcome of reading one file: its model (if valid) and its problems."""

    model: Record | None
    problems: tuple[Problem, ...]


class _NoLocation(Exception):
    pass


_loader: Any = None


def _safe_load(text: str) -> Any:
    """One YAML document, exactly as `YAML(typ="safe", pure=False).load` reads it (ruamel's
    C parser, YAML 1.2 rules, no tags beyond YAML's own), but built from the composed
    nodes by `_built` where the document is plain (most records): ruamel's constructor,
    generic over tags and objects, costs twice the parse. Anything else (aliases, floats,
    explicit tags, a duplicate key, ...) goes through ruamel's own constructor instead,
    which reads it, or refuses it, as it always has. tests/test_parsing.py compares the
    two on generated documents."""
    loader = _loader_class()(text)
    try:
        if "*" not in text:  # no alias: every node is its own value, built once
            try:
                return _built(loader.get_single_node())
            except _NotPlain:
                pass
            loader.dispose()
            vars(loader).clear()
            loader = _loader_class()(text)
        return loader.get_single_data()
    finally:
        loader.dispose()
        # The loader refers to itself (as parser, composer, constructor, ...);
        # cut those cycles so it is freed now, not by a later cyclic collection.
        vars(loader).clear()


def _loader_class() -> Any:
    """ruamel's C parser with its safe constructor and 1.2 resolver, the class built once
    (`YAML.load` builds one on every call, which cost as much as the parsing itself)."""
    global _loader
    if _loader is None:
        from ruamel.yaml.constructor import SafeConstructor
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
        from ruamel.yaml.nodes import ScalarNode
        from ruamel.yaml.resolver import Resolver

        class Loader(CParser, SafeConstructor, Resolver):  # type: ignore[misc]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                self._parser = self._composer = self
                SafeConstructor.__init__(self, loader=self)
                Resolver.__init__(self, loadumper=self)
                self.allow_duplicate_keys = False

            flatten_mapping = refuse_merge_keys

            def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
                # A plain scalar's tag depends on its text alone (there are no path
                # resolvers), and keys and ids repeat in every file: a third of the parse.
                if kind is ScalarNode and implicit[0] and len(value) <= _RESOLVED_LENGTH:
                    tag = _resolved.get(value)
                    if tag is None:
                        if len(_resolved) >= _RESOLVED_MAX:
                            _resolved.clear()
                        tag = _resolved[value] = Resolver.resolve(self, kind, value, implicit)
                    return tag
                return Resolver.resolve(self, kind, value, implicit)

        Loader.add_constructor("tag:yaml.org,2002:timestamp", lenient_timestamp)
        _loader = Loader
    return _loader


#: Plain scalars' tags as the resolver gave them, for texts up to this long (keys, ids,
#: dates, numbers; not free text), and at most this many at once.
_RESOLVED_LENGTH = 40
_RESOLVED_MAX = 4096
_resolved: dict[str, Any] = {}


class _NotPlain(Exception):
    """A document `_built` leaves to ruamel's constructor."""


_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP = (_TAG + t for t in ("str", "null", "bool", "int", "float", "timestamp"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_BOOLS = {"true": True, "false": False}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_POINT = re.compile(r"[-+]?[0-9]+\.[0-9]+")


def _built(node: Any) -> Any:
    """The value of a composed node, as ruamel's safe constructor would build it, for the
    tags records use: text, null, true/false, decimal numbers, dates, mappings with plain
    keys (no duplicates) and lists. Raises `_NotPlain` for anything else."""
    import datetime as dt

    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    def build(node: Any) -> Any:
        kind, tag = type(node), node.tag
        if kind is ScalarNode:
            value = node.value
            if tag == _STR:
                return value
            if tag == _NULL:
                return None
            if tag == _BOOL and (truth := _BOOLS.get(value.lower())) is not None:
                return truth
            if tag == _INT and _DECIMAL.fullmatch(value):
                return int(value)
            if tag == _FLOAT and _POINT.fullmatch(value):
                return float(value)
            if tag == _TIMESTAMP and _DATE.fullmatch(value):
                try:
                    return dt.date.fromisoformat(value)
                except ValueError:  # as `lenient_timestamp`: a day that does not exist stays text
                    return value
            raise _NotPlain
        if kind is MappingNode and tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode:  # refused by `refuse_merge_keys`
                    raise _NotPlain
                key = build(key_node)
                if key in mapping:  # ruamel's error names both values
                    raise _NotPlain
                mapping[key] = build(value_node)
            return mapping
        if kind is SequenceNode and tag == _SEQ:
            return [build(child) for child in node.value]
        raise _NotPlain

    if node is None:  # an empty document
        return None
    try:
        return build(node)
    except RecursionError:  # deeper than Python recurses: ruamel's constructor says so
        raise _NotPlain from None


def lenient_timestamp(self: Any, node: Any, values: Any = None) -> Any:
    """A date that does not exist (`2026-02-30`) stays text, so validation reports it
    at its key along with the file's other problems, instead of failing the whole file."""
    from ruamel.yaml.constructor import SafeConstructor

    try:
        return SafeConstructor.construct_yaml_timestamp(self, node, values)
    except (ValueError, OverflowError):
        return str(node.value)


def refuse_merge_keys(self: Any, node: Any) -> Any:
    """`<<` merge keys and keys that are mappings or lists are refused at their line:
    records never need them, and a merged value has no line of its own to point at."""
    from ruamel.yaml.constructor import ConstructorError
    from ruamel.yaml.nodes import ScalarNode

    for key, _ in node.value:
        if key.tag == "tag:yaml.org,2002:merge":
            raise ConstructorError(None, None, "'<<' merge keys are not allowed; write the keys out",
                                   key.start_mark)
        if not isinstance(key, ScalarNode):
            raise ConstructorError(None, None, "a key must be plain text, not a mapping or a list",
                                   key.start_mark)
    return None


def _levels_at_most(text: str) -> int:
    """A bound on how deep the text can nest: every level needs one of `[{-:?`."""
    return sum(map(text.count, "[{-:?"))


def _nests_too_deep(text: str) -> bool:
    """Whether the YAML nests deeper than MAX_DEPTH, found before composing it:
    the C composer recurses per level and crashes the whole process tens of
    thousands of levels down. Only a document that could nest that far is
    walked, as a stream of parser events, which needs no recursion."""
    if _levels_at_most(text) <= DEEP_ENOUGH_TO_CHECK:
        return False
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    parser = CParser(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return True
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()
    return False


def decode(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """Bytes to text: UTF-8 (a BOM is allowed), or a problem at the bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(path, line, column, message="the file is not UTF-8 text", hint="save it as UTF-8")
        ]
    if "\x00" in text:
        at = text.index("\x00")
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        return None, [Problem(path, line, column, message="the file contains a NUL byte",
                              hint="it is binary or damaged; remove the NUL character")]
    return text.removeprefix("\ufeff"), []


#: Lines git writes into a file it could not merge (`|||||||` with diff3).
_CONFLICT_OPEN = ("<<<<<<< ", ">>>>>>> ", "||||||| ")
_CONFLICT_SPLIT = "======="
_CONFLICT_BARE = ("<<<<<<<", ">>>>>>>", "|||||||")


def conflict_markers(path: str, text: str) -> list[Problem]:
    """Every line of an unresolved git merge, at its own line. A bare
    `=======` counts only beside an opening or closing marker: alone it is a
    markdown heading's underline."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text and "|||||||" not in text:
        return []  # the common case, without splitting the file into lines
    lines = text.splitlines()
    if not any(line.startswith(_CONFLICT_OPEN) or line.rstrip() in _CONFLICT_BARE for line in lines):
        return []
    return [Problem(path, number, 1, message="unresolved merge conflict",
                    hint="keep the lines that are right, delete the <<<<<<<, ======= and >>>>>>> lines, "
                         "then commit the merge")
            for number, line in enumerate(lines, start=1)
            if line.startswith(_CONFLICT_OPEN) or line.rstrip() in (*_CONFLICT_BARE, _CONFLICT_SPLIT)]


def split_front_matter(path: str, text: str) -> tuple[str, str, int] | Problem:
    """A visit or event file's YAML front matter, its markdown body, and the line the YAML starts on."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER:
        what = "an event" if path.startswith(f"{KINDS['event'].folder}/") else "a visit"
        return error(path, (), f"{what} file must start with '---' and YAML front matter",
                     hint=f"see docs/records.md, '{'events' if what == 'an event' else 'visits'}'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FRONT_MATTER:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), 2
    return error(path, (), "the front matter has no closing '---' line")


def load_yaml(path: str, text: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse YAML safely; a syntax error becomes one located problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        if _nests_too_deep(text):
            return None, [Problem(path, first_line, 1, message=f"the document nests more than {MAX_DEPTH} levels deep",
                                  hint="records need only a few levels")]
        data = _safe_load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line, mark.column + 1) if mark else (0, 1)
        lines = text.split("\n")
        if line >= len(lines):  # at the end of the input: point at the end of its last line
            line, column = len(lines) - 1, len(lines[-1]) + 1
        line += first_line
        message = (exc.problem or exc.context or "malformed YAML").strip()
        hint = "indent with spaces, not tabs" if "\t" in text and "cannot start any token" in message else None
        if "constructor for the tag" in message:
            message, hint = "custom YAML tags are not allowed", "remove the '!' tag"
        return None, [Problem(path, line, column, message=f"malformed YAML: {message}", hint=hint)]
    except (YAMLError, ValueError, RecursionError) as exc:
        return None, [Problem(path, first_line, 1, message=f"malformed YAML: {exc}")]
    # Without aliases (*name) a document is no bigger than its text, and
    # text with few level openers is shallow: most files skip the walk.
    too_big = _check_size(data) if "*" in text or _levels_at_most(text) > MAX_DEPTH else None
    if too_big:
        return None, [Problem(path, first_line, 1, message=too_big[0], hint=too_big[1])]
    return data, []


def _check_size(data: Any) -> tuple[str, str] | None:
    """Why the document is too big or too deep to validate (message, hint), or None.

    Counts values as they would be seen after expanding aliases, without
    expanding them, so an alias bomb is refused in time linear in its size.
    Walks with a stack of its own, not recursion, so no nesting is too deep
    for the walk itself."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()  # containers whose children are still being counted
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        values = node.values() if isinstance(node, dict) else node
        if children_done:
            total = 1 + sum(sizes[id(v)] if isinstance(v, dict | list) else 1 for v in values)
            if total > MAX_NODES:
                return (f"the document expands to more than {MAX_NODES:,} values",
                        "YAML aliases (*name) may not expand this far")
            sizes[key] = total
            on_path.discard(key)
        elif key in on_path:
            return "the document refers to itself through an alias", "remove the alias (*name) inside its own anchor"
        elif key not in sizes:
            if depth > MAX_DEPTH:
                return f"the document nests more than {MAX_DEPTH} levels deep", "records need only a few levels"
            on_path.add(key)
            stack.append((node, depth, True))
            stack.extend((v, depth + 1, False) for v in values)
    return None


def parse_file(kind: str, path: str, raw: bytes) -> Parsed:
    """Read one record file of a given kind into its model."""
    text, problems = decode(path, raw)
    if text is None:
        return Parsed(None, tuple(problems))
    conflicts = conflict_markers(path, text)
    if conflicts:
        return Parsed(None, tuple(conflicts))
    body = ""
    first_line = 1
    marked = KINDS[kind].front_matter
    if marked:
        split = split_front_matter(path, text)
        if isinstance(split, Problem):
            return Parsed(None, (split,))
        text, body, first_line = split
    if not text.strip():
        what = "the front matter is empty" if marked else "the file is empty"
        return Parsed(None, (Problem(path, first_line, 1, message=what),))
    data, problems = load_yaml(path, text, first_line)
    if problems:
        return Parsed(None, tuple(problems))
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"'{data}'"
        return Parsed(None, (Problem(path, first_line, 1,
                                     message=f"expected a mapping of keys to values, found {found}"),))
    return validate(kind, path, data, body)


def validate(kind: str, path: str, data: dict[str, Any], body: str = "") -> Parsed:
    """Validate parsed YAML as a record of `kind`; errors become problems by key path."""
    model_type = FILE_MODELS[kind]
    try:
        if KINDS[kind].front_matter:
            # Visits and events: the markdown below the front matter is their notes.
            if "notes" in data:
                return Parsed(None, (error(path, ("notes",), "unknown key 'notes'",
                                           hint="notes go below the closing '---'"),))
            return Parsed(KINDS[kind].read_as.model_validate({**data, "notes": body}), ())
        return Parsed(model_type.model_validate(data), ())
    except ValidationError as exc:
        problems = problems_from_validation(path, model_type, exc)
        return Parsed(None, tuple(_at_the_field_to_change(p, data) for p in problems))


def _at_the_field_to_change(problem: Problem, data: dict[str, Any]) -> Problem:
    """A missing reason is the status's doing: point at `status`, the line a person reads."""
    if problem.loc == ("reason",) and "reason" not in data and "status" in data:
        return replace(problem, loc=("status",))
    if problem.loc[:2] == ("funding", 0) and isinstance(data.get("funding"), dict):
        # One grant written on its own is read as a list of one: point into the mapping as written.
        where = ".".join(str(part) for part in problem.loc)
        plain = ".".join(str(part) for part in ("funding", *problem.loc[2:]))
        return replace(problem, loc=("funding", *problem.loc[2:]), message=problem.message.replace(where, plain, 1))
    return problem


def problems_from_validation(path: str, model_type: type[BaseModel], exc: ValidationError) -> Iterable[Problem]:
    for err in exc.errors(include_url=False):
        doc_loc, fields = _walk(model_type, err["loc"])
        yield _problem(path, doc_loc, fields, err)


def _problem(path: str, loc: Loc, fields: list[str], err: Any) -> Problem:
    kind = err["type"]
    value = err.get("input")
    where = ".".join(str(part) for part in loc)
    key = str(loc[-1]) if loc else ""
    hint = None
    if kind == "extra_forbidden":
        message = f"unknown key '{key}'"
        hint = did_you_mean(key, fields) or (f"allowed here: {', '.join(fields)}" if fields else None)
        return error(path, loc, message, hint)
    if kind == "missing":
        return error(path, loc, f"missing required key '{key}'")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        message = f"'{value}' is not one of: {', '.join(expected)}"
        hint = did_you_mean(str(value), expected)
    elif kind == "string_pattern_mismatch":
        message = f"'{value}' is not a valid id"
        hint = f"use lower-case letters, digits and hyphens, e.g. '{slugify(str(value))}'"
    elif kind in ("greater_than", "greater_than_equal"):
        limit = err.get("ctx", {}).get("gt", err.get("ctx", {}).get("ge"))
        limit = f"{limit:g}" if isinstance(limit, int | float) else limit
        message = f"must be more than {limit}, got {value}" if kind == "greater_than" else \
            f"must be at least {limit}, got {value}"
    elif kind in ("less_than", "less_than_equal"):
        ctx = err.get("ctx", {})
        limit = ctx.get("lt", ctx.get("le"))
        limit = f"{limit:g}" if isinstance(limit, int | float) else limit
        message = f"must be at most {limit}, got {_describe(value)}"
        hint = "is this a typo?"
    elif kind == "finite_number":
        message = f"must be a finite number, got {_describe(value)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping of keys to values, found {_describe(value)}"
    elif kind in ("list_type", "tuple_type"):
        message = f"expected a list, found {_describe(value)}"
    elif kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    elif kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        message = f"'{value}' is not a date"
        hint = "write dates as YYYY-MM-DD, e.g. 2026-10-05"
    elif kind == "union_tag_invalid":
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected_tags", ""))
        tag = err.get("ctx", {}).get("tag")
        message = f"'{tag}' is not one of: {', '.join(expected)}"
        hint = did_you_mean(str(tag), expected)
        loc = (*loc, err.get("ctx", {}).get("discriminator", "").strip("'"))
        where = ".".join(str(part) for part in loc)
    elif kind == "union_tag_not_found":
        message = "missing required key 'framework'"
    else:
        message = f"{err['msg'][0].lower()}{err['msg'][1:]}, got {_describe(value)}"
    return error(path, loc, f"{where}: {message}" if where else message, hint)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def slugify(text: str) -> str:
    """A slug made from free text, for hints and for new ids."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    return slug or "x"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    """Whether text holds characters no one types (NUL, escape, ...): refused in new records."""
    return bool(_CONTROL.search(text))


def is_slug(text: str) -> bool:
    # fullmatch: with match, "$" also matches before a final newline ("x\n")
    return bool(SLUG_RE.fullmatch(text)) and len(text) <= 100


def _walk(model_type: type[BaseModel], err_loc: tuple[str | int, ...]) -> tuple[Loc, list[str]]:
    """Turn pydantic's error location into a path in the document, and list
    the keys allowed where the error is (for "did you mean")."""
    doc_loc: list[str | int] = []
    current: Any = model_type
    for part in err_loc:
        if part == "[key]":
            continue
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part)) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            doc_loc.append(part)
            current = field.annotation if field else None
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin in (list, tuple) and isinstance(part, int):
            doc_loc.append(part)
            current = args[0] if args else None
        elif origin is dict:
            doc_loc.append(part)
            current = args[1] if len(args) > 1 else None
        elif _union_members(current):
            member = next((m for m in _union_members(current) if _tag_of(m) == part), None)
            if member is None:
                doc_loc.append(part)
            current = member
        else:
            doc_loc.append(part)
            current = None
    # The keys allowed beside an unknown key are those of the model holding it.
    holder = _model_at(model_type, err_loc[:-1])
    fields: list[str] = []
    if isinstance(holder, type) and issubclass(holder, BaseModel):
        fields = [f.alias or name for name, f in holder.model_fields.items()
                  if not (name == "notes" and holder in _WITH_NOTES)]
    return tuple(doc_loc), fields


def _model_at(model_type: type[BaseModel], err_loc: tuple[str | int, ...]) -> Any:
    current: Any = model_type
    for part in err_loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        elif typing.get_origin(current) in (list, tuple):
            current = (typing.get_args(current) or (None,))[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif _union_members(current):
            current = next((m for m in _union_members(current) if _tag_of(m) == part), None)
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to the type that matters."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        members = [a for a in _union_args(annotation) if a is not type(None)]
        if len(members) == 1:
            annotation = members[0]
            continue
        return annotation


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return ()


def _union_members(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in _union_args(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


def _tag_of(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("framework")
    args = typing.get_args(field.annotation) if field else ()
    return args[0] if args else None


#: The longest text typed for a record (an id, a name, a line of text); free text may be
#: longer; a path at most what the system allows. Longer is a slip, or hostile.
MAX_TEXT = 1_000
MAX_FREE_TEXT = 20_000
MAX_PATH = 4_096


def unfit(value: object, *, free_text: bool = False) -> str | None:
    """Why a value typed on the command line or at a prompt is not fit to become a file name
    or go into a record, or None: a number that is not finite, text too long, or holding a
    NUL or other control character (a newline or tab only in `free_text`) or bytes that were
    not UTF-8 (surrogates)."""
    import math
    import unicodedata
    from pathlib import Path

    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if not isinstance(value, str | Path):
        return None
    text = str(value)
    limit = MAX_PATH if isinstance(value, Path) else MAX_FREE_TEXT if free_text else MAX_TEXT
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,}"
    for char in text:
        kind = unicodedata.category(char)
        if not (free_text and char in "\n\t") and kind in ("Cc", "Cs", "Zl", "Zp"):
            what = "a NUL byte" if char == "\0" else ("a byte that is not UTF-8" if kind == "Cs"
                                                       else f"a control character (U+{ord(char):04X})")
            return f"holds {what}"
    return None
