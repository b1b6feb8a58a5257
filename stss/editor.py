"""The person's own editor ($VISUAL, else $EDITOR, else vi) on a temporary file, for notes.

Run without a shell: the editor setting is split as a shell would split it
(`code --wait` works) but never run by one.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path


def edit(text: str, suffix: str = ".md") -> str:
    """Open `text` in $VISUAL / $EDITOR (else vi) and return what was saved."""
    from stss.errors import UsageError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="stss-notes-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise UsageError(f"cannot start the editor '{editor}': {exc.strerror}",
                             "set $EDITOR, or pass --notes FILE") from None
        if done.returncode != 0:
            raise UsageError(f"the editor exited with status {done.returncode}; nothing was written")
        return path.read_text("utf-8")
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
