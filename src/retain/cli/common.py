"""What every command shares: the global state and error handling."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import typer

from retain.errors import EXIT_ERROR, RetainError

if TYPE_CHECKING:
    from retain.i18n import Text
    from retain.queries import DataAge
    from retain.store import Store

F = TypeVar("F", bound=Callable[..., Any])

# What opening the store does about loan data older than data.stale_after_days:
# warn (a command that reads the book), refuse (what would reach customers), or
# ignore (imports, and commands that only write the officer's own records).
Staleness = Literal["warn", "refuse", "ignore"]


@dataclass
class State:
    db_option: str | None = None
    today_option: str | None = None
    lang_option: str | None = None
    _today: dt.date | None = field(default=None, repr=False)
    _lang: str | None = field(default=None, repr=False)
    # The loan data's age, known once a command opened the store to read the book.
    data: DataAge | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    @property
    def today(self) -> dt.date:
        if self._today is None:
            from retain.dates import resolve_today

            self._today = resolve_today(self.today_option)
        return self._today

    @property
    def lang(self) -> str:
        if self._lang is None:
            from retain.i18n import detect_lang

            self._lang = detect_lang(self.lang_option)
        return self._lang

    @property
    def db_url(self) -> str | None:
        """The PostgreSQL store's URL, or None when the store is a SQLite file."""
        from retain.store import resolve_db_url

        return resolve_db_url(self.db_option)

    @property
    def db_path(self) -> Path:
        """The SQLite store file (commands that work on the file itself: a
        PostgreSQL store is refused there, its server has its own tools)."""
        from retain.store import resolve_db_path

        if self.db_url is not None:
            import click

            context = click.get_current_context(silent=True)
            command = context.command_path if context is not None else "retain"
            raise RetainError(key="store.pg_file_only", command=command)
        return resolve_db_path(self.db_option)

    def store_exists(self) -> bool:
        """Whether there is a store to record in (a server store always is)."""
        return self.db_url is not None or self.db_path.exists()

    @property
    def data_as_of(self) -> str | None:
        """The as-of day of the loan data the command read (ISO), for its output."""
        return self.data.as_of.isoformat() if self.data is not None else None

    def store(
        self,
        *,
        create: bool = False,
        writer: str | None = None,
        file: str | None = None,
        stale: Staleness = "warn",
    ) -> Store:
        """Open the store, for ``with state.store() as store:``; only imports may
        create it (a typo in --db must not silently yield an empty store and empty
        reminders). Consume every query inside the block: rows read after the
        store closed would fail.

        ``writer``: the command writes (its name, and ``file`` the file it reads,
        go into the lock-holder note); without it the store is only read, so a
        read-only store serves and nothing at all is changed.

        Opening it to read the book (``stale="warn"``, the default) looks at how
        old the loan data is: one warning line on stderr when it is stale; with
        ``stale="refuse"`` stale data is an error instead (nothing is done)."""
        from retain.store import Holder, Store

        url = self.db_url
        if url is not None:
            from retain.postgres.store import PgStore

            # The config is read (and an invalid file refused) when it exists, as
            # on SQLite, where opening the store needs its busy timeout.
            store: Store = PgStore(
                url,
                write=create or writer is not None,
                busy_timeout_s=busy_timeout_s(),
                holder=Holder(writer or "", file),
            )
        else:
            store = Store(
                self.db_path,
                create=create,
                write=create or writer is not None,
                busy_timeout_s=busy_timeout_s(),
                holder=Holder(writer or "", file),
            )
        if create or stale == "ignore":
            return store
        try:
            self._look_at_data(store, refuse=stale == "refuse")
        except BaseException:
            store.close()
            raise
        return store

    def _look_at_data(self, store: Store, *, refuse: bool) -> None:
        from retain.queries import data_age

        def limit() -> int:
            from retain.config import load_config

            return load_config().data.stale_after_days

        self.data = data_age(store.conn, self.today, limit)
        if self.data is None or not self.data.stale:
            return
        from retain.i18n import t

        day, age = self.data.as_of.isoformat(), age_text(self.data.days)
        if refuse:
            raise RetainError(key="stale.refused", day=day, age=age)
        if not self._warned:
            self._warned = True
            # "Warning: " in every language, like "Error: ", for scripts to look for.
            sys.stderr.write(f"Warning: {t('stale.warning', self.lang, day=day, age=age)}\n")
            sys.stderr.flush()


def busy_timeout_s() -> float:
    """store.busy_timeout_s. Without a config file that is its default, known
    without building the config: its models, default tiers and seasons cost a
    read command a sixth of its start-up (an invalid file is still reported)."""
    from retain.paths import config_missing, config_path
    from retain.store import DEFAULT_BUSY_TIMEOUT_S

    if config_missing(config_path()):
        return DEFAULT_BUSY_TIMEOUT_S
    from retain.config import load_config

    return load_config().store.busy_timeout_s


def age_text(days: int) -> Text:
    """How long ago a day was: "today", "1 day ago", "4 days ago"."""
    from retain.i18n import msg

    if days == 0:
        return msg("stale.today")
    if days == 1:
        return msg("stale.one_day_ago")
    return msg("stale.days_ago", days=days)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


# The running command's state, set by the root callback: error messages need the
# language even where a command has no context at hand (Typer keeps its own
# click context stack, so click.get_current_context() cannot be relied on).
ACTIVE: State | None = None


def current_lang() -> str:
    """The language of the running command (``--lang``, env or locale)."""
    from retain.i18n import detect_lang

    return ACTIVE.lang if ACTIVE is not None else detect_lang(None)


def fail(message: Text, code: int = EXIT_ERROR) -> typer.Exit:
    """Print one ``Error: …`` line on stderr, the text in the user's language; return
    the Exit to raise. The prefix stays ``Error: `` in every language so that scripts
    can look for it."""
    sys.stderr.write(f"Error: {message.render(current_lang())}\n")
    sys.stderr.flush()
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn domain errors into one line and a documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from retain.i18n import msg, os_reason

        try:
            return func(*args, **kwargs)
        except RetainError as exc:
            raise fail(exc.message, exc.exit_code) from None
        except sqlite3.Error as exc:
            raise fail(msg("error.store", detail=str(exc))) from None
        except BrokenPipeError:
            # The reader of a pipe (head, less) went away: not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:
            reason = os_reason(exc)
            if exc.filename:
                raise fail(msg("error.os", reason=reason, path=exc.filename)) from None
            raise fail(reason) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            # A bug, not bad input: still one line, but say so (RETAIN_DEBUG=1 shows all).
            if os.environ.get("RETAIN_DEBUG"):
                raise
            raise fail(msg("error.unexpected", name=type(exc).__name__, detail=str(exc))) from None

    return wrapper  # type: ignore[return-value]


def is_terminal(stream: Any = None) -> bool:
    """The one place deciding "a person is looking": pinned by RETAIN_TTY in tests."""
    forced = os.environ.get("RETAIN_TTY")
    if forced is not None:
        return forced == "1"
    stream = stream or sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
