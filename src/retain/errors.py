"""Domain errors and the exit codes they map to at the CLI edge.

The core raises these; the CLI turns each into one ``Error: …`` line on
stderr and the documented exit code (see README, "Exit codes").

An error names its text by a catalogue key and values, so the core never
needs to know the user's language::

    raise RetainError(key="store.missing", path=str(path))

``str(exc)`` is the English text of ``error.store.missing``; the edge shows
``exc.render(lang)``. A plain string still works (it is shown as written, or
in Chinese when it matches an English template of the catalogue).
"""

from __future__ import annotations

from retain.i18n import Msg, Text, Verbatim

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3


def keyed_text(prefix: str, text: str, key: str | None, params: dict[str, object]) -> Text:
    """The message of an exception raised with ``key`` (under ``prefix``) or ``text``."""
    if key is None:
        return Verbatim(text)
    return Msg(prefix + key, params)


class RetainError(Exception):
    """A failure the user can act on; nothing was committed."""

    exit_code = EXIT_ERROR

    def __init__(self, text: str = "", /, *, key: str | None = None, **params: object) -> None:
        self.message = keyed_text("error.", text, key, params)
        super().__init__(str(self.message))

    def render(self, lang: str) -> str:
        """The message in ``lang`` ("en" or "zh")."""
        return self.message.render(lang)


class UsageError(RetainError):
    """The command line or a file given on it is malformed."""

    exit_code = EXIT_USAGE


class ConfigValueError(ValueError):
    """A config validator's complaint (pydantic wraps it), with its catalogue key."""

    def __init__(self, *, key: str, **params: object) -> None:
        self.message = keyed_text("error.", "", key, params)
        super().__init__(str(self.message))
