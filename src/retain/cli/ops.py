"""``retain doctor``, ``retain backup``, ``retain restore``: the store as a file
(see retain.health)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from retain.cli.common import handle_errors, state
from retain.errors import EXIT_ERROR


class DoctorFormat(StrEnum):
    text = "text"
    json = "json"


DOCTOR_HELP = """Check the store: one line per check, ok, warn or fail.

The checks: the file is a SQLite store; PRAGMA integrity_check and
foreign_key_check; the schema steps applied against this program's; the audit
trail's append-only guard; data age (the newest loans import against
data.stale_after_days); file and directory modes (0600/0700); the WAL file's
size (warning above 64 MB); leftover temporary files of killed runs. The store
is only read: doctor never upgrades, repairs or chmods it. The output names no
customer and no phone. Exit 0 when no check failed, 1 otherwise.

Example:

    retain doctor

    retain doctor --format json | jq '.checks[] | select(.status != "ok")'
"""

BACKUP_HELP = """Copy the store to a backup file, safely while others read and write.

SQLite's online backup copies a consistent snapshot; the copy passes
integrity_check before it gets its name, mode 0600. Default PATH: the store's
directory, backups/retain-YYYYmmdd-HHMMSS.db (backups/ is created 0700); a
directory as PATH gets such a name inside it. An existing file is never
replaced without --force. --keep N then deletes all but the newest N
timestamped backups of that directory.

Example:

    retain backup

    retain backup --keep 14

    retain backup /mnt/usb/retain-before-upgrade.db
"""

RESTORE_HELP = """Put a backup in place of the store, after checking it.

The backup must be a retain store whose integrity_check passes and whose
schema is not newer than this retain; otherwise nothing changes. The current
store is kept beside it as <name>.before-restore-YYYYmmdd-HHMMSS, then the
checked copy replaces it atomically (mode 0600). Stop other retain runs (cron)
first: restore waits for them, up to 30 s. Asks for confirmation on a
terminal; a script passes --yes.

Example:

    retain restore ~/.config/retain/backups/retain-20261130-063000.db

    retain restore backup.db --yes
"""


def doctor(
    ctx: typer.Context,
    fmt: Annotated[
        DoctorFormat,
        typer.Option(
            "--format", "-f", help="text (one line per check) or json.", case_sensitive=False
        ),
    ] = DoctorFormat.text,
) -> None:
    from retain.health import diagnose

    st = state(ctx)

    def limit() -> int:
        from retain.config import load_config

        return load_config().data.stale_after_days

    report = diagnose(st.db_path, st.today, limit)
    lang = st.lang
    if fmt is DoctorFormat.json:
        payload = {
            "ok": report.ok,
            "checks": [
                {"check": c.name, "status": c.status, "detail": c.detail.render(lang)}
                for c in report.checks
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        width = max(len(c.name) for c in report.checks)
        for c in report.checks:
            sys.stdout.write(f"{c.status:<4}  {c.name:<{width}}  {c.detail.render(lang)}\n")
    if not report.ok:
        from retain.i18n import t

        failed = sum(c.status == "fail" for c in report.checks)
        sys.stderr.write(t("doctor.summary.fail", lang, count=failed) + "\n")
        raise typer.Exit(EXIT_ERROR)


def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH",
            help="The backup file, or a directory for a timestamped one. "
            "Default: backups/ beside the store.",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            min=1,
            metavar="N",
            help="Keep the newest N timestamped backups of the directory, delete older ones.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace PATH if it exists (default: refuse, exit 2).")
    ] = False,
) -> None:
    import datetime as dt

    from retain.health import backup as run_backup
    from retain.i18n import t

    st = state(ctx)
    result = run_backup(st.db_path, path, now=dt.datetime.now(), force=force, keep=keep)
    size = round(result.size / (1024 * 1024), 1)
    sys.stderr.write(
        t("backup.done", st.lang, store=str(st.db_path), path=str(result.path), size=size) + "\n"
    )
    if result.removed:
        sys.stderr.write(t("backup.rotated", st.lang, count=len(result.removed), keep=keep) + "\n")
    # The backup's path on stdout, for a script to pick up.
    sys.stdout.write(f"{result.path}\n")


def restore(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The backup file to restore.", show_default=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    import datetime as dt

    from retain.cli.common import is_terminal
    from retain.errors import RetainError, UsageError
    from retain.health import put_in_place, verified_copy
    from retain.i18n import t

    st = state(ctx)
    store, lang = st.db_path, st.lang
    with verified_copy(path, store) as verified:
        if not yes:
            if not is_terminal(sys.stdin):
                raise UsageError(key="ops.confirm")
            question = t("restore.confirm", lang, store=str(store), path=str(path))
            try:
                confirmed = typer.confirm(question, default=False, err=True)
            except typer.Abort:
                confirmed = False
            if not confirmed:
                raise RetainError(key="ops.cancelled")
        result = put_in_place(verified, store, now=dt.datetime.now())
    sys.stderr.write(
        t("restore.done", lang, path=str(path), store=str(store), step=result.step) + "\n"
    )
    if result.kept is not None:
        sys.stderr.write(t("restore.kept", lang, kept=str(result.kept)) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``doctor``, ``backup`` and ``restore`` to the main app."""
    app.command("doctor", help=DOCTOR_HELP)(handle_errors(doctor))
    app.command("backup", help=BACKUP_HELP)(handle_errors(backup))
    app.command("restore", help=RESTORE_HELP)(handle_errors(restore))
