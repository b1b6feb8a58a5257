"""git, called as a program without a shell: the records' history and audit trail."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from stss.errors import GitError


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `git ARGS` in `cwd`; arguments go straight to git, never through a shell."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed", hint="install git, or run without --commit")
    result = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False,
                            stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")
    return result


def is_repo(path: Path) -> bool:
    return shutil.which("git") is not None and git(path, "rev-parse", "--git-dir", check=False).returncode == 0


def init(path: Path) -> None:
    git(path, "init", "--quiet")
