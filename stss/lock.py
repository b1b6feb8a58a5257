"""One writer at a time per records root; readers never wait.

Every command that writes records holds the root's write lock from before it
reads the records until after its last write, so a second writer reads what
the first wrote and never overwrites or double-books it. The lock is an
advisory `flock` on `.stss-cache/write.lock`: the kernel releases it when the
process ends, however it ends (kill -9 included), so a stale lock cannot
block anyone. Readers take no lock: every write is an atomic rename, so they
see each file whole, before or after.

Use it as `with lock.writing(root): ...` (the CLI's `open_records(...,
write=True)` does this for a command). `store` refuses to write records
unless this process holds the lock for that root (`require`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from stss.errors import StoreError

LOCK_FILE = "write.lock"
ENV_WAIT = "STSS_LOCK_WAIT"
#: Seconds a second writer waits for the first before it refuses.
DEFAULT_WAIT = 10.0

_held: dict[Path, int] = {}


def _key(root: Path) -> Path:
    return Path(os.path.realpath(root))


def held(root: Path) -> bool:
    """Whether this process holds the write lock of `root`."""
    return _key(root) in _held


def require(root: Path) -> None:
    """Stop a write made without the lock: a programming error, never a user's."""
    if not held(root):
        raise RuntimeError(f"write to {root} without the records' write lock (use stss.lock.writing)")


def wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_WAIT, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


@contextlib.contextmanager
def writing(root: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the write lock of `root` for the block; re-entrant within a process.

    Waits up to `wait` seconds (default `$STSS_LOCK_WAIT`, else 10) for another
    writer, then refuses with `StoreError` (exit 1) having written nothing."""
    key = _key(root)
    if key in _held:
        yield
        return
    from stss import store

    folder = store.cache_folder(root)
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise StoreError(f"cannot open the write lock {folder / LOCK_FILE}: {exc.strerror or exc}; nothing was written",
                         hint="check the records folder is writable and .stss-cache is a plain folder") from None
    try:
        _acquire(fd, wait_seconds() if wait is None else wait)
        _held[key] = fd
        store.clear_temps(root)  # left by a writer killed midway; none is writing now
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _acquire(fd: int, wait: float) -> None:
    deadline = time.monotonic() + wait
    pause = 0.02
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"refused: another stss command has been writing these records for {wait:g} s; nothing was written",
                    hint="wait for it to finish, then run this again") from None
            time.sleep(pause)
            pause = min(pause * 1.5, 0.2)
