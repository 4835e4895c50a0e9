"""Day numbers: days since 1970-01-01, for date arithmetic in portable SQL."""

from __future__ import annotations

import datetime as dt

_EPOCH = dt.date(1970, 1, 1).toordinal()


def day_number(iso: str | dt.date | None) -> int | None:
    if iso is None:
        return None
    day = iso if isinstance(iso, dt.date) else dt.date.fromisoformat(iso)
    return day.toordinal() - _EPOCH


def from_day_number(number: int) -> dt.date:
    return dt.date.fromordinal(number + _EPOCH)
