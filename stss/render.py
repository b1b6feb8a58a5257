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
import datetime as dt
import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import stss
from stss.errors import TemplateError

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
    """Render `model` (exposed to the template as `report`) with the chosen template."""
    from jinja2 import TemplateNotFound
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from jinja2.exceptions import SecurityError
    from jinja2.exceptions import TemplateError as JinjaError

    name = template_file(kind, fmt, template)
    env = environment(root)
    try:
        with _time_limit(RENDER_SECONDS, name):
            env.deadline = time.monotonic() + RENDER_SECONDS  # type: ignore[attr-defined]
            text = env.get_template(name).render(report=model)
    except TemplateNotFound as exc:
        known = sorted({p.name for d in template_dirs(root) for p in d.glob("*.j2")})
        raise TemplateError(f"no template '{exc.name}'", hint=f"templates found: {', '.join(known) or 'none'}") from None
    except JinjaSyntaxError as exc:
        raise TemplateError(f"{exc.name or name}:{exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{_where(exc, name)}: refused: {exc}", hint=MODEL_HINT) from None
    except JinjaError as exc:
        raise TemplateError(f"{_where(exc, name)}: {exc}", hint=MODEL_HINT) from None
    except RecursionError as exc:
        raise TemplateError(f"{_where(exc, name)}: refused: the template recurses too deeply") from None
    except MemoryError as exc:
        raise TemplateError(f"{_where(exc, name)}: refused: the template needs too much memory") from None
    except _OutOfTime as exc:
        raise TemplateError(f"{_where(exc, name)}: refused: rendering took more than {RENDER_SECONDS}s") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateError(f"{_where(exc, name)}: {type(exc).__name__}: {exc}") from None
    if fmt != "md":
        check_html(text, name)
    return text if text.endswith("\n") else text + "\n"


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


def _where(exc: BaseException, name: str) -> str:
    """`template:line` of the innermost template frame of a rendering error."""
    found = name
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{Path(filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


#: Limits on what a (possibly hostile) override template may compute.
MAX_RANGE = 10_000
MAX_POWER = 10_000  # digits in the result of **
MAX_REPEAT = 1_000_000  # characters or items made by 'x' * n
RENDER_SECONDS = 30
#: How many items of a loop go by between two looks at the clock.
PACE_STEPS = 64
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
            token.children = [part for child in token.children for part in _no_remote_image(child)]
    return str(md.renderer.render(tokens, md.options, {}))


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


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _BANNED_TAGS:
            self.found.append(f"line {line}: <{tag}>")
        for key, value in attrs:
            value = value or ""
            if key.startswith("on"):
                self.found.append(f"line {line}: event handler {key}=")
            elif (key in _URL_ATTRS and not (_safe_link(value) if (tag, key) == ("a", "href") else _inline(value))) or (key in _URL_LIST_ATTRS and not all(_inline(u.split()[0]) for u in value.split(",") if u.strip())):
                self.found.append(f"line {line}: {key}={value[:40]!r}")
            elif key == "style" and not _safe_css(value):
                self.found.append(f"line {line}: style loads a resource")
            elif tag == "meta" and key == "http-equiv" and value.lower() == "refresh":
                self.found.append(f"line {line}: <meta http-equiv=refresh>")
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and not _safe_css(data):
            self.found.append(f"line {self.getpos()[0]}: stylesheet loads a resource")


def _safe_link(url: str) -> bool:
    """A link a reader may follow: to a web page, an email address, or within the report."""
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", re.sub(r"[\s\x00-\x1f]", "", url).lower())
    return scheme is None or scheme.group(1) in ("http", "https", "mailto")


def _inline(url: str) -> bool:
    """A resource the page itself loads: only from inside the page (an anchor or a bitmap data URL)."""
    url = re.sub(r"[\s\x00-\x1f]", "", url).lower()
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


def _safe_css(css: str) -> bool:
    lowered = _css_unescaped(css).lower()
    return not _CSS_FETCHES.search(lowered) and all(
        _inline(u.strip(" '\"")) for u in re.findall(r"url\(([^)]*)\)", lowered))


def check_html(html: str, name: str) -> None:
    """Refuse HTML that could run code or fetch anything: reports open in trustees' browsers."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    if checker.found:
        raise TemplateError(f"{name} produced unsafe HTML: {'; '.join(checker.found[:5])}",
                            hint="reports are static: no scripts, event handlers, frames, forms or external resources")


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
