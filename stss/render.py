"""Turning a report model into markdown, HTML or PDF: the only rendering I/O.

Owns the Jinja environment (sandboxed: templates and notes may arrive in a
pull request), finding templates (the trust's `templates/` first, then the
built-in ones), markdown for visit notes (no raw HTML, unsafe links inert),
a last check that HTML output holds nothing that could run, and printing HTML
to PDF with headless Chromium. It never reads records or computes figures:
`reporting` builds the model, this module only presents it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import stss
from stss.errors import Problem, RecordsInvalid, StssError, TemplateError

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment

Format = Literal["md", "html", "pdf"]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ENV = "STSS_CHROMIUM"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MODEL_HINT = "templates may only read the report model's public fields and filters (see docs/reports.md)"


def builtin_templates() -> Path:
    """The shipped templates: inside the installed package, else the repo's `templates/` (editable installs)."""
    here = Path(stss.__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


def template_dirs(root: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the trust's own, then the built-in ones."""
    own = root / "templates" if root is not None else None
    # A linked templates/ is never read (validate reports it as an error).
    return [d for d in (own, builtin_templates()) if d is not None and d.is_dir() and not d.is_symlink()]


def template_file(kind: str, fmt: Format, name: str | None = None) -> str:
    """The template for a report: `NAME.md.j2` or `NAME.html.j2` (PDF is printed from the HTML)."""
    base = name or kind
    if base.endswith(".j2"):
        base = base.rsplit(".", 2)[0]
    if not TEMPLATE_NAME.match(base):
        raise TemplateError(f"'{name}' is not a template name", hint="use a name like board-pack or my-pack")
    return f"{base}.{'md' if fmt == 'md' else 'html'}.j2"


def render(model: object, kind: str, fmt: Format, root: Path | None = None, template: str | None = None) -> str:
    """Render `model` (exposed to the template as `report`) with the chosen template.

    HTML that the last check refuses is refused where it came from: at the line of
    the record whose text it is (`path:line:column:`, like any problem), else at the
    template's line (`templates/NAME:LINE`)."""
    name = template_file(kind, fmt, template)
    env = environment(root)
    text = _render_with(env, name, model, root)
    if fmt != "md":
        found = findings(text)
        if found:
            raise _blame(found, env, name, model, root)
    return text if text.endswith("\n") else text + "\n"


def _render_with(env: Environment, name: str, model: object, root: Path | None) -> str:
    """The template's text for `model`, every failure a `TemplateError` at the template's line."""
    from jinja2 import TemplateNotFound
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from jinja2.exceptions import SecurityError
    from jinja2.exceptions import TemplateError as JinjaError

    try:
        with _time_limit(RENDER_SECONDS, name):
            env.deadline = time.monotonic() + RENDER_SECONDS  # type: ignore[attr-defined]
            return env.get_template(name).render(report=model)
    except TemplateNotFound as exc:
        known = sorted({p.name for d in template_dirs(root) for p in d.glob("*.j2")})
        raise TemplateError(f"no template '{exc.name}'", hint=f"templates found: {', '.join(known) or 'none'}") from None
    except JinjaSyntaxError as exc:
        raise TemplateError(f"{_label(exc.filename, exc.name or name, root)}:{exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{_where(exc, name, root)}: refused: {exc}", hint=MODEL_HINT) from None
    except JinjaError as exc:
        raise TemplateError(f"{_where(exc, name, root)}: {exc}", hint=MODEL_HINT) from None
    except RecursionError as exc:
        raise TemplateError(f"{_where(exc, name, root)}: refused: the template recurses too deeply") from None
    except MemoryError as exc:
        raise TemplateError(f"{_where(exc, name, root)}: refused: the template needs too much memory") from None
    except _OutOfTime as exc:
        raise TemplateError(f"{_where(exc, name, root)}: refused: rendering took more than {RENDER_SECONDS}s") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateError(f"{_where(exc, name, root)}: {type(exc).__name__}: {exc}") from None


class _OutOfTime(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float, name: str) -> Iterator[None]:
    """Stop a render after `seconds` by a signal, which also stops one long step (a
    single huge join, say). Signals reach only the main thread: on any thread, the
    sandbox's own deadline (`Sandbox.deadline`) stops it at its next step."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise _OutOfTime(name)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _where(exc: BaseException, name: str, root: Path | None) -> str:
    """`templates/NAME:LINE` of the innermost template frame of a rendering error."""
    found = name
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{_label(filename, Path(filename).name, root)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _label(filename: str | None, name: str, root: Path | None) -> str:
    """A template as the trust would find it: `templates/NAME` for one of its own, else
    the built-in template's NAME."""
    if filename and root is not None:
        own = (root / "templates").resolve()
        path = Path(filename).resolve()
        if path.is_relative_to(own):
            return "templates/" + path.relative_to(own).as_posix()
    return name


#: Limits on what a (possibly hostile) override template may compute.
MAX_RANGE = 10_000
MAX_POWER = 10_000  # digits in the result of **
MAX_REPEAT = 1_000_000  # characters or items made by 'x' * n
RENDER_SECONDS = 30
#: How many items of a loop go by between two looks at the clock.
PACE_STEPS = 64
#: How many (type, attribute) answers of the sandbox a render keeps (`Sandbox.is_safe_attribute`).
SAFE_ANSWERS = 4096
#: The global every template loop's items pass through (see `Sandbox._parse`).
PACED = "__stss_paced"
_sandbox: Any = None


def _too_big_power(left: Any, right: Any) -> bool:
    """Whether `left ** right` would have more than MAX_POWER digits (or is not plain numbers)."""
    import math

    numbers = (int, float)
    if not (isinstance(left, numbers) and isinstance(right, numbers)):
        return False
    size = abs(left)
    if size <= 1 or right <= 0:
        return False
    return right * math.log10(size) > MAX_POWER


def _bounded_sandbox() -> Any:
    """ImmutableSandboxedEnvironment with huge ranges, powers and repeats refused."""
    global _sandbox
    if _sandbox is None:
        from jinja2.exceptions import SecurityError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def bounded_range(*args: int) -> range:
            r = range(*args)
            if len(r) > MAX_RANGE:
                raise SecurityError(f"range of {len(r):,} items is more than {MAX_RANGE:,}")
            return r

        class Sandbox(ImmutableSandboxedEnvironment):
            """Every call, attribute, item, intercepted operator and loop step a template
            takes first checks the render's deadline: the time limit holds on any thread."""

            intercepted_binops = frozenset(["**", "*"])
            deadline = math.inf  # time.monotonic() by which rendering must end

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.globals["range"] = bounded_range
                self.globals[PACED] = self.paced
                self._safe: dict[tuple[type, str], bool] = {}

            def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
                # Jinja's answer depends on the object's type and the attribute's name alone
                # (isinstance checks and the name), and a board pack asks it 200,000 times:
                # each answer is kept for the render, for a few thousand pairs at most, and
                # not for an object that claims a class other than its own.
                key = (type(obj), attr)
                safe = self._safe.get(key)
                if safe is None:
                    safe = bool(super().is_safe_attribute(obj, attr, value))
                    if obj.__class__ is key[0] and len(self._safe) < SAFE_ANSWERS:
                        self._safe[key] = safe
                return safe

            def on_time(self) -> None:
                if time.monotonic() > self.deadline:
                    raise _OutOfTime()

            def paced(self, iterable: Any) -> Iterator[Any]:
                """A loop's items, with the deadline checked every PACE_STEPS of them."""
                for i, item in enumerate(iterable):
                    if i % PACE_STEPS == 0:
                        self.on_time()
                    yield item

            def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
                # Every `for` loops over `paced(...)`: a loop whose body calls nothing
                # (so no hook below) still meets the deadline.
                from jinja2 import nodes

                tree = super()._parse(source, name, filename)
                for loop in tree.find_all(nodes.For):
                    loop.iter = nodes.Call(nodes.Name(PACED, "load"), [loop.iter], [], None, None,
                                           lineno=loop.iter.lineno)
                return tree

            def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
                __self.on_time()
                return super().call(__context, __obj, *args, **kwargs)

            def getattr(self, obj: Any, attribute: str) -> Any:
                self.on_time()
                return super().getattr(obj, attribute)

            def getitem(self, obj: Any, argument: Any) -> Any:
                self.on_time()
                return super().getitem(obj, argument)

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                self.on_time()
                if operator == "**" and _too_big_power(left, right):
                    raise SecurityError(f"{left} ** {right} is too big to compute")
                if operator == "*":
                    for seq, n in ((left, right), (right, left)):
                        if isinstance(seq, str | list | tuple) and isinstance(n, int) and not isinstance(n, bool) \
                                and len(seq) * n > MAX_REPEAT:
                            raise SecurityError(f"repeating {len(seq):,} items {n:,} times is too much")
                return super().call_binop(context, operator, left, right)

        _sandbox = Sandbox
    return _sandbox


def environment(root: Path | None) -> Environment:
    """A sandboxed Jinja environment over the template folders, with the report filters."""
    from jinja2 import StrictUndefined, pass_eval_context
    from jinja2.nodes import EvalContext
    from markupsafe import Markup

    BoundedSandbox = _bounded_sandbox()

    @pass_eval_context
    def finalize(ctx: EvalContext, value: Any) -> Any:
        # HTML templates autoescape; in markdown ones, text values get markdown's escapes.
        if ctx.autoescape or isinstance(value, Markup) or not isinstance(value, str):
            return value
        return md_escape(value)

    env: Environment = BoundedSandbox(
        loader=_loader(template_dirs(root)), undefined=StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=finalize,
        autoescape=lambda name: bool(name and (name.endswith(".html.j2") or name.endswith(".html"))))
    env.filters.update(FILTERS)
    env.filters["markdown"] = lambda text: Markup(markdown_html(str(text)))
    env.filters["md_block"] = lambda text: Markup(md_block(str(text)))
    return env


def _loader(dirs: list[Path]) -> BaseLoader:
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class Loader(BaseLoader):
        """Files under the template folders only: no symlinks, nothing outside them."""

        def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
            parts = split_template_path(template)
            for folder in dirs:
                path = folder.joinpath(*parts)
                if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(folder.resolve()):
                    mtime = path.stat().st_mtime_ns
                    return path.read_text("utf-8"), str(path), lambda p=path, m=mtime: p.stat().st_mtime_ns == m
            raise TemplateNotFound(template)

    return Loader()


# --- filters -----------------------------------------------------------------


def longdate(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def shortdate(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {MONTHS[day.month - 1][:3]}"


#: Words whose hyphens stay, or that are spelt differently from their slug.
LABELS = {"well-being": "well-being", "post-16": "post-16", "all-through": "all-through", "senco": "SENCo",
          "ks1": "KS1", "ks2": "KS2", "ks3": "KS3", "ks4": "KS4", "send": "SEND", "dsl": "DSL", "re": "RE",
          "nle": "NLE", "sle": "SLE", "eyfs": "EYFS", "rise": "RISE"}


def label(slug: object) -> str:
    """An id or enum value as words: requires-improvement -> Requires improvement."""
    text = str(slug)
    for word, shown in LABELS.items():
        text = re.sub(rf"(?<![a-z0-9]){word}(?![a-z0-9])", shown.replace("-", "\x00"), text)
    text = text.replace("-", " ").replace("\x00", "-")
    return text[:1].upper() + text[1:]


def days(value: float) -> str:
    return f"{value:g}"


def money(value: float) -> str:
    """Pounds as a report writes them: £5,400, or £1,234.50 when there are pence."""
    pence = round(value * 100)
    return f"£{pence // 100:,}" if pence % 100 == 0 else f"£{pence / 100:,.2f}"


def css_string(text: object) -> str:
    """A quoted CSS string: anything but letters, digits and spaces as a CSS escape, so
    no value can end the string or the stylesheet."""
    return '"' + "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} "
                         for c in str(text)) + '"'


FILTERS: dict[str, Callable[..., Any]] = {"longdate": longdate, "shortdate": shortdate, "label": label,
                                          "days": days, "money": money, "css_string": css_string}

_MD_ESCAPES = re.compile(r"(?<!\\)(\||<(?=[A-Za-z/!?]))")
_RAW_HTML = re.compile(r"(?<!\\)<(?=[A-Za-z/!?])")
_UNSAFE_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?\s*(?:javascript|vbscript|data|file):[^()\s]*(?:\([^()]*\)[^()\s]*)*"
                          r"(?:\s+\"[^\"]*\")?\s*\)", re.IGNORECASE)


def md_escape(text: str) -> str:
    """A value in a markdown document: `|` (which would end a table cell) and the `<` of
    anything that looks like an HTML tag are backslash-escaped; the rest is left as
    written. Escaping twice changes nothing, so macro output can pass through again."""
    return _MD_ESCAPES.sub(r"\\\1", text)


def md_block(text: str) -> str:
    """Visit notes for a markdown document: kept as markdown, with raw HTML shown as text and
    links to javascript:, vbscript:, data: and file: URLs reduced to their words."""
    return _RAW_HTML.sub(r"\\<", _UNSAFE_LINK.sub(r"\1", text))


@functools.cache
def _markdown() -> Any:
    """One parser for every note: building it costs more than parsing a note."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str, heading_offset: int = 3) -> str:
    """Notes as HTML: CommonMark without raw HTML; unsafe link targets stay plain text
    (markdown-it's validateLink); headings moved down to sit under the report's own."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
        elif token.type == "inline" and token.children:
            token.children = _plain_unsafe_links([part for child in token.children for part in _no_remote_image(child)])
    return str(md.renderer.render(tokens, md.options, {}))


def _plain_unsafe_links(children: list[Any]) -> list[Any]:
    """A note's link that a reader may not follow (ftp:, tel:, a data: URL, ...) is left
    as its words, as markdown-it leaves a javascript: one: the HTML check would refuse
    it, and one link in a note should not stop the whole report."""
    out: list[Any] = []
    dropped: list[bool] = []
    for token in children:
        if token.type == "link_open":
            dropped.append(not _safe_link(str(token.attrGet("href") or "")))
            if dropped[-1]:
                continue
        elif token.type == "link_close" and dropped and dropped.pop():
            continue
        out.append(token)
    return out


def _no_remote_image(token: Any) -> list[Any]:
    """A note's image from elsewhere becomes a link to it (or its alt text): a report
    loads nothing remote, and one pasted image should not stop the whole report."""
    from markdown_it.token import Token

    src = str(token.attrGet("src") or "") if token.type == "image" else ""
    if token.type != "image" or _inline(src):
        return [token]
    alt = Token("text", "", 0, content=token.content or src)
    if not _safe_link(src):
        return [alt]
    return [Token("link_open", "a", 1, attrs={"href": src}), alt, Token("link_close", "a", -1)]


# --- HTML output check -------------------------------------------------------------

_BANNED_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "link", "meta-refresh"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "codebase",
              "cite", "longdesc", "manifest", "ping", "icon", "lowsrc", "dynsrc", "profile", "archive"}
_URL_LIST_ATTRS = {"srcset", "imagesrcset"}


@dataclass(frozen=True)
class Finding:
    """Something the HTML check refuses: the line of the HTML, what it is, and `culprit`,
    the text that does it (a URL, a CSS function), as `_plain` writes it, to look for
    in the records and templates."""

    line: int
    what: str
    culprit: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Finding] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]

        def found(what: str, culprit: str) -> None:
            self.found.append(Finding(line, what, _plain(culprit)))

        if tag in _BANNED_TAGS:
            found(f"<{tag}>", f"<{tag}")
        for key, value in attrs:
            value = value or ""
            unsafe_list = [u for u in (c.split()[0] for c in value.split(",") if c.strip()) if not _inline(u)] \
                if key in _URL_LIST_ATTRS else []
            if key.startswith("on"):
                found(f"event handler {key}=", key)
            elif key in _URL_ATTRS and not (_safe_link(value) if (tag, key) == ("a", "href") else _inline(value)):
                found(f"{key}={value[:40]!r}", value)
            elif unsafe_list:
                found(f"{key}={value[:40]!r}", unsafe_list[0])
            elif key == "style" and (fetch := _css_fetch(value)):
                found(f"style loads a resource ({fetch[:60]})", fetch)
            elif tag == "meta" and key == "http-equiv" and value.lower() == "refresh":
                found("<meta http-equiv=refresh>", "refresh")
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        fetch = _css_fetch(data) if self.in_style else None
        if fetch:
            self.found.append(Finding(self.getpos()[0], f"stylesheet loads a resource ({fetch[:60]})", _plain(fetch)))


def _plain(text: str) -> str:
    """Text as the checks compare it: lower case, without white space or control characters."""
    return re.sub(r"[\s\x00-\x1f]", "", text).lower()


def _safe_link(url: str) -> bool:
    """A link a reader may follow: to a web page, an email address, or within the report."""
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", _plain(url))
    return scheme is None or scheme.group(1) in ("http", "https", "mailto")


def _inline(url: str) -> bool:
    """A resource the page itself loads: only from inside the page (an anchor or a bitmap data URL)."""
    url = _plain(url)
    return url.startswith(("#", "data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")) or not url


_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)", re.DOTALL)
#: CSS that fetches without url(...): image-set("x.png"), image("x"), src("x"), imports.
_CSS_FETCHES = re.compile(r"@import|expression\(|image-set\(|image\(|cross-fade\(|(?<![\w-])src\(|element\(")


def _css_unescaped(css: str) -> str:
    """CSS as the browser reads it: comments gone, escapes (`\\75 rl(`, `\\u`) decoded."""
    def plain(m: re.Match[str]) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return m.group(2)

    return _CSS_ESCAPE.sub(plain, re.sub(r"/\*.*?(\*/|$)", "", css, flags=re.DOTALL))


def _css_fetch(css: str) -> str | None:
    """What in `css` would fetch something (a url() from outside the page, an import, ...), or None."""
    lowered = _css_unescaped(css).lower()
    fetch = _CSS_FETCHES.search(lowered)
    if fetch:
        return fetch.group(0)
    urls = (u.strip(" '\"") for u in re.findall(r"url\(([^)]*)\)", lowered))
    return next((u for u in urls if not _inline(u)), None)


def findings(html: str) -> list[Finding]:
    """What in `html` could run code or fetch anything (nothing, for a safe page)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.found


CHECK_HINT = "reports are static: no scripts, event handlers, frames, forms or external resources"


def check_html(html: str, name: str) -> None:
    """Refuse HTML that could run code or fetch anything: reports open in trustees' browsers."""
    found = findings(html)
    if found:
        raise TemplateError(f"{name} produced unsafe HTML: {'; '.join(map(str, found[:5]))}", hint=CHECK_HINT)


# --- where a refusal comes from ---------------------------------------------------

#: How many of the model's texts a refusal tries, each by rendering again without it.
MAX_SUSPECTS = 8
#: A render slower than this is not repeated once for each of them.
BLAME_SECONDS = 3


def _blame(found: list[Finding], env: Environment, name: str, model: object, root: Path | None) -> StssError:
    """The refusal of `found`, named where its text comes from. A text of the model that
    holds the culprit is the cause when the page renders without that finding once the
    text is gone; it is then found in the records (a problem at its file and line).
    Otherwise the template wrote it: its line in the template, if the culprit is there."""
    first = found[0]
    if first.culprit:
        texts = sorted({s for s in _texts(model) if _holds(s, first.culprit)}, key=len)[:MAX_SUSPECTS]
        started = time.monotonic()
        if texts and not _still(first, env, name, _without(model, frozenset(texts)), root):
            # One text at a time, unless rendering is slow (a big pack): then the shortest.
            quick = time.monotonic() - started < BLAME_SECONDS
            guilty = next((s for s in texts if quick and
                           not _still(first, env, name, _without(model, frozenset({s})), root)), texts[0])
            place = _in_records(root, guilty, first.culprit) if root is not None else None
            if place is not None:
                rel, line, column = place
                problem = Problem(rel, line, column, message=f"the report cannot show this text: {first.what}",
                                  hint=f"{name} puts it where a browser would fetch or run it (reports are static); "
                                       "write it as plain words")
                return RecordsInvalid([problem], f"refused: {name} would show record text that loads or runs "
                                      "something; nothing was written", root=root)
        where = _in_templates(env, name, root, first.culprit)
        if where:
            return TemplateError(f"{where}: refused: unsafe HTML: {first.what}", hint=CHECK_HINT)
    return TemplateError(f"{name} produced unsafe HTML: {'; '.join(map(str, found[:5]))}", hint=CHECK_HINT)


def _holds(text: str, culprit: str) -> bool:
    """Whether `text` holds `culprit` as any reading of it may meet the check: as
    written, or with its HTML entities or CSS escapes decoded."""
    import html

    return any(culprit in _plain(form) for form in (text, html.unescape(text), _css_unescaped(text)))


def _still(finding: Finding, env: Environment, name: str, model: object, root: Path | None) -> bool:
    """Whether the template, rendering `model`, still gives `finding` (a failure counts as yes)."""
    try:
        return any(f.what == finding.what and f.culprit == finding.culprit
                   for f in findings(_render_with(env, name, model, root)))
    except StssError:
        return True


def _texts(value: object) -> Iterator[str]:
    """Every text in a report model."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)


def _without(value: Any, texts: frozenset[str]) -> Any:
    """The model with each of `texts` emptied wherever it is."""
    if isinstance(value, str):
        return "" if value in texts else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _without(getattr(value, f.name), texts)
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, tuple | list):
        return type(value)(_without(item, texts) for item in value)
    if isinstance(value, Mapping):
        return {key: _without(item, texts) for key, item in value.items()}
    return value


def _in_records(root: Path, text: str, culprit: str) -> tuple[str, int, int] | None:
    """(path, line, column) of the record that holds `text` (at the line of `culprit` in it)."""
    from stss import locate, store

    for rel in _record_files(root):
        try:
            source = store.read_text(root, rel)
        except (OSError, UnicodeDecodeError, StssError):
            continue
        found = locate.find_text(source, text, culprit, front_matter=rel.endswith(".md")) \
            if _holds(source, culprit) else None
        if found is not None:
            return (rel, *found)
    return None


def _record_files(root: Path) -> list[str]:
    """Every YAML and markdown file of the records (not templates, git's or the cache's), sorted."""
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root)
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (here == Path() and d == "templates")]
        out.extend((here / f).as_posix() for f in files if f.endswith((".yaml", ".md")) and not f.startswith("."))
    return sorted(out)


def _in_templates(env: Environment, name: str, root: Path | None, culprit: str) -> str | None:
    """`templates/NAME:LINE` (or, for a built-in one, `NAME:LINE`) of the first template line holding `culprit`."""
    own = root / "templates" if root is not None else None
    for folder in template_dirs(root):
        for path in sorted(folder.glob("*.j2"), key=lambda p: (p.name != name, p.name)):
            try:
                lines = path.read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, start=1):
                if _holds(line, culprit):
                    return f"{'templates/' if folder == own else ''}{path.name}:{number}"
    return None


# --- PDF ------------------------------------------------------------------------


def find_chromium() -> str:
    """The Chromium (or Chrome) executable: $STSS_CHROMIUM, else the first on PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    for name in ([chosen] if chosen else CHROMIUM_NAMES):
        found = shutil.which(name)
        if found:
            return found
    raise TemplateError("PDF needs a headless Chromium, and none was found",
                        hint="install chromium (apt-get install chromium), set STSS_CHROMIUM, or use --format html")


def chromium_args(exe: str, profile: Path) -> list[str]:
    return [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={profile}"]


#: Chromium flags that leave it no way out: every request goes to a proxy on a port nothing
#: listens on (loopback included), and no host name resolves. Whatever a template
#: (or a trust's override of it) asks for, nothing remote is fetched while printing.
OFFLINE = ("--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-domain-reliability",
           "--disable-features=NetworkPrediction,AutofillServerCommunication,MediaRouter")


def to_pdf(html: str, timeout: float = 180) -> bytes:
    """Print HTML to PDF with headless Chromium (A4, no browser header or footer)."""
    exe = find_chromium()
    with tempfile.TemporaryDirectory(prefix="stss-pdf-") as tmp:
        page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, "utf-8")
        # Tagged, with bookmarks from the headings: a screen reader and a PDF viewer's outline
        # both need the structure (language and title come from the page's lang and <title>).
        args = [*chromium_args(exe, Path(tmp) / "profile"), *OFFLINE, "--no-pdf-header-footer",
                "--generate-pdf-document-outline",
                f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise TemplateError(f"Chromium took more than {timeout:g}s to print the PDF") from None
        if result.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise TemplateError(f"Chromium could not print the PDF (exit {result.returncode})",
                                hint=detail[-1][:200] if detail else "run it by hand to see why")
        return pdf.read_bytes()


def write(out: Path, data: str | bytes, root: Path | None = None) -> None:
    """Write a rendered report where --out says: anywhere but over the records' own files."""
    from stss import store

    store.write_output(out, data, root)
