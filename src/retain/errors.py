"""Domain errors and the exit codes they map to at the CLI edge.

The core raises these; the CLI turns each into one ``Error: …`` line on
stderr and the documented exit code (see README, "Exit codes").
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3


class RetainError(Exception):
    """A failure the user can act on; nothing was committed."""

    exit_code = EXIT_ERROR


class UsageError(RetainError):
    """The command line or a file given on it is malformed."""

    exit_code = EXIT_USAGE
