"""Hostile git history, templates and printing: bounded, located, and nothing remote."""

from __future__ import annotations

import http.server
import shutil
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stss import git as stss_git
from stss import render
from stss.errors import TemplateError
from tests.helpers import TODAY, commit, write_records
from tests.helpers import git as run_git

# --- git output parsed by structure --------------------------------------------------------


@pytest.mark.parametrize(("author", "subject"), [
    ("Unit\x1fSeparator", "plain"), ("plain", "Record\x1eSeparator"), ("Both\x1e\x1fEnd", "\x1f\x1e\x1f"),
    ("Tab\tName", "Subject: with %s and %x00"), ("A", "M"),
], ids=["unit-separator-author", "record-separator-subject", "both-separators", "format-like", "status-like-subject"])
def test_history_survives_any_author_or_subject(tmp_path: Path, stss: Any, mini: Path, author: str,
                                                subject: str) -> None:
    repo = mini
    run_git(repo, "init", "--quiet")
    commit(repo, "Start", "Alice Able", "2026-09-01T10:00:00+01:00")
    (repo / "schools/hill-top.yaml").write_text((repo / "schools/hill-top.yaml").read_text() + "# changed\n")
    commit(repo, subject, author, "2026-09-02T10:00:00+01:00")
    commits = stss_git.log(repo, ["schools"])
    assert [(c.author, c.subject, [ch.path for ch in c.changes]) for c in commits] == [
        ("Alice Able", "Start", ["schools/hill-top.yaml"]), (author, subject, ["schools/hill-top.yaml"])]
    result: Any = stss("history", "--records", repo)
    assert result.exit_code == 0, result.output


# --- templates in bounded time and memory ---------------------------------------------------


@pytest.mark.parametrize(("body", "words"), [
    ("{{ 9**(9**9) }}", "too big"),
    ("{{ 10 ** 100000 }}", "too big"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "range"),
    ("{{ range(10**9) | list | length }}", "range"),
    ("{{ 'x' * 10**11 }}", "too much"),
    ("{{ [1] * 10**9 }}", "too much"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recurses"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ report.nope }}", "nope"),
    ("{% for %}", ""),
], ids=["power-tower", "huge-power", "nested-ranges", "huge-range", "string-repeat", "list-repeat",
        "recursive-macro", "division-by-zero", "undefined", "syntax-error"])
def test_a_hostile_template_is_refused_at_its_line(mini: Path, stss: Any, body: str, words: str) -> None:
    write_records(mini, {"templates/board-pack.md.j2": f"# Pack\n\n{body}\n"})
    result: Any = stss("report", "--today", TODAY, "--records", mini, "--format", "md", "--out", mini / "r.md")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "stss: templates/board-pack.md.j2:3:" in result.stderr, result.stderr
    assert words in result.stderr
    assert not (mini / "r.md").exists()


def test_a_slow_template_is_stopped_by_the_time_limit(mini: Path, stss: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "RENDER_SECONDS", 1)
    loops = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    write_records(mini, {"templates/board-pack.md.j2": f"# Pack\n{loops}\n"})
    result: Any = stss("report", "--today", TODAY, "--records", mini, "--format", "md", "--out", mini / "r.md")
    assert result.exit_code == 1
    assert "stss: templates/board-pack.md.j2:2: refused: rendering took more than 1s" in result.stderr


@pytest.mark.parametrize("body", [
    "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}{% endfor %}"
    "{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% for i in range(10000) %}{{ f(n + 1) if n < 3 else '' }}{% endfor %}{% endmacro %}{{ f(0) }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{{ report.kind }}{% endfor %}{% endfor %}",
], ids=["empty-nested-loops", "macro-in-loops", "attributes-in-loops"])
def test_the_time_limit_holds_off_the_main_thread(mini: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Signals reach only the main thread: a render on another thread (a server, a test
    runner, a GUI) is stopped by the sandbox's own deadline instead."""
    monkeypatch.setattr(render, "RENDER_SECONDS", 1)
    write_records(mini, {"templates/board-pack.md.j2": f"# Pack\n{body}\n"})
    model = types.SimpleNamespace(kind="board-pack")
    outcome: list[BaseException | str] = []

    def work() -> None:
        try:
            outcome.append(render.render(model, "board-pack", "md", mini))
        except BaseException as exc:  # the test reports whatever it was
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the render ran on past its time limit"
    assert time.monotonic() - started < 30
    [error] = outcome
    assert isinstance(error, TemplateError), error
    assert "board-pack.md.j2:2: refused: rendering took more than 1s" in error.message


# --- nothing remote when printing ------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server that records every request it is sent."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()


def _fetching_page(port: int) -> str:
    """HTML with no CSP that reaches out in six ways (the ones a hostile override might use)."""
    base = f"http://127.0.0.1:{port}"
    return f"""<!doctype html><html><head>
<link rel="stylesheet" href="{base}/link.css">
<style>
@import url("{base}/import.css");
@font-face {{ font-family: X; src: url({base}/font.woff); }}
body {{ font-family: X; background: image-set("{base}/image-set.png" 1x); }}
p {{ background: \\75rl({base}/escaped.png); }}
</style></head><body><p>x</p>
<img src="{base}/img.png"><img srcset="{base}/srcset.png 1x">
<iframe src="{base}/frame.html"></iframe>
</body></html>"""


def test_printing_the_pdf_sends_no_request_anywhere(listener: tuple[int, list[str]]) -> None:
    if not shutil.which("chromium"):
        pytest.skip("chromium is not installed")
    port, seen = listener
    pdf = render.to_pdf(_fetching_page(port), timeout=120)
    assert pdf.startswith(b"%PDF")
    assert seen == []


def test_the_listener_would_see_an_unguarded_chromium(listener: tuple[int, list[str]], tmp_path: Path) -> None:
    """The control for the test above: without the offline flags, the page does fetch."""
    import subprocess

    exe = shutil.which("chromium")
    if not exe:
        pytest.skip("chromium is not installed")
    port, seen = listener
    page = tmp_path / "page.html"
    page.write_text(_fetching_page(port), "utf-8")
    subprocess.run([*render.chromium_args(exe, tmp_path / "profile"), f"--print-to-pdf={tmp_path / 'x.pdf'}",
                    page.as_uri()], capture_output=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert seen


# --- the HTML check: no external URL in any attribute or CSS, escaped or not -----------------


@pytest.mark.parametrize("html", [
    '<img srcset="http://evil.example/a.png 1x">',
    '<source srcset="data:image/png;base64,AA 1x, //evil.example/b.png 2x">',
    '<link rel="preload" imagesrcset="http://evil.example/c.png">',
    '<object data="http://evil.example/x.swf"></object>',
    '<blockquote cite="http://evil.example/ping"></blockquote>',
    '<a href="#" ping="http://evil.example/ping">x</a>',
    '<style>p { background: \\75rl(http://evil.example/e.png) }</style>',
    '<style>p { background: u\\72l(http://evil.example/e.png) }</style>',
    '<style>p { background: url/**/(http://evil.example/e.png) }</style>',
    '<style>p { background: image-set("http://evil.example/s.png" 1x) }</style>',
    '<style>p { background: -webkit-image-set("http://evil.example/s.png" 1x) }</style>',
    '<style>@font-face { font-family: X; src: url(http://evil.example/f.woff) }</style>',
    '<style>@\\69mport "http://evil.example/i.css";</style>',
    '<p style="background: \\000075rl(http://evil.example/e.png)">x</p>',
], ids=["srcset", "srcset-second-candidate", "imagesrcset", "object-data", "cite", "ping", "css-hex-escape",
        "css-escape-middle", "css-comment", "image-set", "webkit-image-set", "font-face", "escaped-import",
        "style-attribute-escape"])
def test_the_html_check_refuses_any_external_url(html: str) -> None:
    with pytest.raises(render.TemplateError, match="unsafe HTML"):
        render.check_html(f"<!doctype html><html><body>{html}</body></html>", "board-pack.html.j2")


def test_a_remote_image_in_a_note_becomes_a_link() -> None:
    html = render.markdown_html("See ![the plan](http://evil.example/plan.png) and ![x](javascript:alert(1)).")
    assert "<img" not in html
    assert '<a href="http://evil.example/plan.png">the plan</a>' in html
    render.check_html(f"<!doctype html><html><body>{html}</body></html>", "board-pack.html.j2")


def test_a_remote_image_in_a_note_does_not_block_the_report(stss: Any, example: Path) -> None:
    visit = next((example / "visits/2026-27").glob("*.md"))
    text = visit.read_text("utf-8")
    school = text.split("school: ", 1)[1].split()[0]
    visit.write_text(text + "\n![chart](https://evil.example/chart.png)\n", "utf-8")
    out = example / "summary.html"
    result: Any = stss("report", "--records", example, "--year", "2026-27", "--term", "autumn", "--school", school,
                       "--today", TODAY, "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert 'href="https://evil.example/chart.png"' in page and 'src="https://evil' not in page


def test_a_printed_table_never_reads_its_title_or_cells_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """A school named "[red]x[/]" or a GIAS file called "o[/x].csv" is printed as written."""
    from stss import tables
    from stss.cli.common import show

    show(tables.table("GIAS import from o[/x].csv", ("school", "name"), [("[bold]a", "[red]x[/]")]))
    for plain in (False, True):
        show(tables.table("Title [/]", ("a", "b"), [("[/x]", tables.Cell("[link=x]y", "bad"))]), plain=plain)
    out = " ".join(capsys.readouterr().out.split())  # a title wraps to its table's width
    assert "GIAS import from o[/x].csv" in out and "[bold]a" in out and "[red]x[/]" in out
    assert out.count("Title [/]") == 2 and out.count("[link=x]y") == 2
