"""Is the process that left something behind still running?

A pending export claim, a lock-holder note and a private temporary directory
each name the process that made it; a later run must tell a live one's work
from a dead one's leftover. A pid alone can be reused, so an owner token adds
the process's start time where the system tells it (Linux ``/proc``).
"""

from __future__ import annotations

import os
from pathlib import Path


def pid_alive(pid: int | None) -> bool:
    """True when a process with this pid exists (ours or another user's)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot, or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22, starttime


def owner_token(pid: int | None = None) -> str:
    """This process (or ``pid``) as ``pid:start-time``: the pair is never reused."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{start_time(pid)}"


def owner_alive(owner: str) -> bool:
    """The process an :func:`owner_token` names is still the one running."""
    pid_text, _, started = owner.partition(":")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid_alive(pid) and (not started or start_time(pid) in ("", started))
