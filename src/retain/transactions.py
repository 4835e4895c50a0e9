"""A write tried again when another writer made it impossible.

On a branch store (PostgreSQL) two officers' writes can meet in a deadlock, or a
serialisation failure: the server rolls one of them back whole. Nothing of it
landed, so it is safe to run it again, and that is what a person would do; the
store does it for them a bounded number of times before saying so in one line.
A SQLite store never raises such a failure (its writer lock serialises writers
and waits for ``store.busy_timeout_s``), so there a write is tried once.

Usage, where ``store.write()`` would be used::

    for attempt in store.transactions():
        with attempt as conn:
            ...  # only store work here: it may run more than once

The body must be safe to run again: it reads its inputs from the store or from
values made before the loop, and writes nothing outside the transaction.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType

from retain.errors import RetainError

# How many times one write is tried before the conflict is reported: five tries
# with a growing pause cover a busy branch's collisions (each lasts a moment).
WRITE_ATTEMPTS = 5
# The pause before try N is up to N × this, at random, so that the two writers
# that collided do not collide again in step.
PAUSE_STEP_S = 0.05


class WriteConflict(sqlite3.OperationalError):
    """A deadlock or serialisation failure (SQLSTATE class 40): the server rolled
    the whole transaction back; running it again is safe."""


class Attempt(AbstractContextManager[sqlite3.Connection]):
    """One try of a write: a transaction that either commits, or rolls back and
    (on a conflict, with tries left) lets the loop try again."""

    def __init__(self, begin: Callable[[], AbstractContextManager[sqlite3.Connection]], *,
                 number: int, attempts: int) -> None:  # fmt: skip
        self._begin = begin
        self._transaction: AbstractContextManager[sqlite3.Connection] | None = None
        self.number = number
        self.attempts = attempts
        self.done = False

    def __enter__(self) -> sqlite3.Connection:
        self._transaction = self._begin()
        return self._transaction.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        assert self._transaction is not None
        try:
            # Commits, or rolls back and lets ``exc`` go on.
            self._transaction.__exit__(exc_type, exc, tb)
        except WriteConflict as failed_commit:
            # The COMMIT itself failed: the body may have returned already, so it
            # cannot be run again here. Nothing was written; say so.
            raise conflict_error(failed_commit, self.number) from None
        if exc is None:
            self.done = True
            return False
        if not isinstance(exc, WriteConflict):
            return False
        if self.number < self.attempts:
            return True  # rolled back whole: the loop tries again
        raise conflict_error(exc, self.number) from None


def conflict_error(exc: BaseException, tries: int) -> RetainError:
    """The one line for a write that met other writers on each of its ``tries``."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "conflict"
    return RetainError(key="store.conflict", attempts=tries, detail=detail)


def attempts_of(
    begin: Callable[[], AbstractContextManager[sqlite3.Connection]],
    attempts: int = WRITE_ATTEMPTS,
) -> Iterator[Attempt]:
    """Tries of one write, each a fresh transaction from ``begin``, until one
    commits; the last conflict is reported as a :class:`RetainError`."""
    for number in range(1, attempts + 1):
        if number > 1:
            time.sleep(random.uniform(0, PAUSE_STEP_S * number))  # noqa: S311 - jitter, not secrets
        attempt = Attempt(begin, number=number, attempts=attempts)
        yield attempt
        if attempt.done:
            return
