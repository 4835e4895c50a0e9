"""Import third-party modules without the heavy ones they would pull in.

sqlite-utils and openpyxl each import pandas and/or numpy when those happen to
be installed; retain needs neither, and they cost start-up time and memory.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

HEAVY = ("pandas", "numpy")


@contextlib.contextmanager
def without_heavy_modules() -> Iterator[None]:
    """Inside, ``import pandas``/``import numpy`` fail as if not installed."""
    blocked = [name for name in HEAVY if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]
