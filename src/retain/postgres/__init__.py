"""PostgreSQL as a branch's shared store: imported only for a postgresql:// store.

This package's ``__init__`` stays light (no driver import), so that telling a
URL from a path costs a SQLite command nothing."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_url(target: str) -> bool:
    """Whether ``--db`` names a PostgreSQL store rather than a SQLite file."""
    return target.lower().startswith(SCHEMES)


def has_password(url: str) -> bool:
    parts = urlsplit(url)
    return parts.password is not None or "password=" in parts.query.lower()


def shown(url: str) -> str:
    """The URL as messages show it: never a password (refused anyway), no query."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = netloc[-1]
    user = (netloc[0].split(":", 1)[0] + "@") if len(netloc) == 2 else ""
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))
