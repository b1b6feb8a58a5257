"""Helpers the tests share: a git repository, a snapshot of a folder, a time limit.

Test files import from here (and from conftest), never from each other.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def git(repo: Path, *args: str, author: str = "Alice Able", when: str = "2026-09-01T10:00:00+01:00") -> str:
    """Run git in `repo` as `author` at `when` (for commits the test makes); returns its output."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    result = subprocess.run(["git", "-c", f"user.name={author}", "-c", "user.email=someone@example.org",
                             "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                            cwd=repo, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def commit(repo: Path, message: str, author: str, when: str) -> None:
    """Stage everything and commit it as `author` at `when`."""
    git(repo, "add", "-A", author=author, when=when)
    git(repo, "commit", "--quiet", "-m", message, author=author, when=when)


def make_repo(root: Path) -> Path:
    """`root` as a fresh repository whose one commit holds all its files; stss's own
    commits in it are made by "Test Author"."""
    git(root, "init", "--quiet")
    git(root, "config", "user.name", "Test Author")
    git(root, "config", "user.email", "author@example.org")
    git(root, "config", "commit.gpgsign", "false")
    (root / ".gitignore").write_text(".stss-cache/\n", "utf-8")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Records")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (but git's and the cache's) with its bytes, to see what changed."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".stss-cache" not in p.parts
    }


def changed_lines(diff: str) -> list[str]:
    """The added and removed lines of a unified diff."""
    return [line for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail rather than hang: a hung parse would otherwise stall CI for hours."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def cli_commands() -> dict[str, Any]:
    """Every command of the CLI by its full name ('import gias'), from the app itself."""
    import typer

    from stss.cli.main import app

    def walk(group: Any, prefix: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, command in group.commands.items():
            if hasattr(command, "commands"):  # a group, such as `import`
                found |= walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command
        return found

    return walk(typer.main.get_command(app), "")
