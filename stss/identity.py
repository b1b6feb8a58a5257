"""A visit's identity: the `uid` that stays with it when its date or file name changes.

Records live in git and are worked on in branches, so identity is written into
the visit itself rather than read from its path:

- a visit `log-visit` creates gets a random uid (`fresh`), and its file name
  ends with it (`<date>-<school>-<activity>-<uid>.md`), so two people logging
  the same visit on two branches write two files, and git merges them cleanly;
- a visit `plan` creates gets a uid computed from what it is (`planned`), so
  the same plan made from the same records on two branches writes the same
  bytes under the same names, which git also merges cleanly;
- a visit whose date changes keeps its uid (and its file name's suffix);
- trust-wide events get theirs the same way (`plan` computes one, `log-event`
  draws one for a new event), kept when `log-event` moves the event;
- a visit written by hand may have none: the calendar then knows it by its
  place among the school's visits of that activity in the year
  (`stss.ics.identities`), which a change of date keeps too.

Pure: nothing here reads files or the clock; `fresh` asks the operating
system for random bytes, so callers pass it in where a test wants to choose.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection

#: Hex digits in a uid stss makes: 32 bits, so two visits logged for the same
#: school, activity and day on two branches share one about once in four billion.
LENGTH = 8


def fresh() -> str:
    """A new random uid, for a visit logged by hand."""
    return secrets.token_hex(LENGTH // 2)


def digest(*parts: str) -> str:
    """A uid computed from `parts`: the same parts give the same uid everywhere."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:LENGTH]


def planned(parts: tuple[str, ...], taken: Collection[str]) -> str:
    """The uid of a visit `plan` makes from `parts` (what the visit is), never
    one already in `taken` (a visit planned before and moved since keeps its)."""
    uid, n = digest("plan", *parts), 1
    while uid in taken:
        uid, n = digest("plan", *parts, str(n)), n + 1
    return uid
