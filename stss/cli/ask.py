"""Asking at the terminal: an id chosen with Tab completion, a line of text, the editor.

Commands ask only when stdin is a terminal (`is_terminal`); run from a
script, a missing value is a usage error naming the option, so nothing ever
waits for an answer that cannot come.
"""


import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence


def is_terminal() -> bool:
    return sys.stdin.isatty()


def required(value: str | None, option: str, ask: Callable[[], str]) -> str:
    """`value` if given; else asked for at a terminal; else a usage error."""
    if value is not None:
        return value
    if not is_terminal():
        from stss.errors import UsageError

        raise UsageError(f"{option} is required", "pass it on the command line (run at a terminal to be asked)")
    return ask()


def choose(label: str, choices: Sequence[str]) -> str:
    """One of `choices`, typed with Tab completion; a unique prefix will do."""
    from stss.errors import unknown_id_hint

    known = sorted(choices)
    with _completion(known):
        while True:
            answer = line(f"{label} (Tab completes)", free_text=False)
            if answer in known:
                return answer
            starting = [c for c in known if c.startswith(answer)] if answer else []
            if len(starting) == 1:
                return starting[0]
            why = f"{len(starting)} start with '{answer}'" if starting else unknown_id_hint(answer, known)
            print(f"  not a {label}: {why}", file=sys.stderr)


def line(prompt: str, free_text: bool = True) -> str:
    """A line typed at the terminal, held to the rules an option's value is
    (`common.checked_options`): no NUL or other control character, no absurd
    length (an id's limit unless `free_text`). An unfit answer is said, naming
    the prompt, and asked for again; end of input is a usage error."""
    from stss.errors import UsageError
    from stss.parsing import unfit

    while True:
        try:
            answer = input(f"{prompt}: ").strip()
        except EOFError:
            raise UsageError(f"no answer for '{prompt}'; nothing was written") from None
        why = unfit(answer, free_text=free_text)
        if why is None:
            return answer
        print(f"  the answer to '{prompt}' {why}; type it again", file=sys.stderr)


@contextlib.contextmanager
def _completion(words: Sequence[str]) -> Iterator[None]:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: no completion, still a prompt
        yield
        return

    def complete(text: str, state: int) -> str | None:
        matches = [w for w in words if w.startswith(text)]
        return matches[state] if state < len(matches) else None

    old, delims = readline.get_completer(), readline.get_completer_delims()
    readline.set_completer(complete)
    readline.set_completer_delims(" \t\n")
    libedit = "libedit" in (readline.__doc__ or "")
    readline.parse_and_bind("bind ^I rl_complete" if libedit else "tab: complete")
    try:
        yield
    finally:
        readline.set_completer(old)
        readline.set_completer_delims(delims)


