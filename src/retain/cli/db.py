"""``retain db init|grant|revoke|roles``: a branch store's schema and who sees what."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from retain.cli import db_copy as _db_copy
from retain.cli.common import handle_errors, state
from retain.cli.options import (
    ForceOption,
    OutputFormat,
    OutputOption,
    RowsFormat,
    RowsFormatOption,
    check_output,
    emit,
    resolve_format,
)
from retain.errors import RetainError

DB_HELP = """A branch's shared PostgreSQL store: create it, and say which login is
which officer. Every command here is run by the store's owner (the login that
owns the database) or a superuser.

Example:

    createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C retain

    retain db init postgresql://owner@dbhost/retain

    retain --db postgresql://owner@dbhost/retain db grant wangfang --officer 王芳
"""

INIT_HELP = """Create retain's schema in an empty PostgreSQL database (one
transaction) and set up who sees what: the group roles retain_officer and
retain_manager, the table of logins, grants and row-level security. Running it
again changes nothing and says so.

The database must sort text byte by byte (collation C), as SQLite does:
create it with `createdb -T template0 -E UTF8 --lc-collate=C --lc-ctype=C
retain`. The owner's login needs CREATEROLE (or run it once as a superuser).
No password in the URL: PGPASSWORD, ~/.pgpass or a service file.

Example:

    retain db init postgresql://owner@dbhost/retain

    retain db init "postgresql://owner@/retain?host=/var/run/postgresql"
"""

GRANT_HELP = """Tie an existing login to an officer's name (it then reads and writes
only that officer's customers and prospects), or make it a manager's (every
row, imports and handovers). Granting again replaces the login's role.

Example:

    retain --db postgresql://owner@dbhost/retain db grant wangfang --officer 王芳

    retain --db postgresql://owner@dbhost/retain db grant zhaomin --manager
"""

REVOKE_HELP = """Take a login's role away: it no longer sees any row of the store.
The login itself stays on the server (DROP ROLE is the server's business).

Example:

    retain --db postgresql://owner@dbhost/retain db revoke wangfang
"""

ROLES_HELP = """The logins of the store, with their role and officer.

Example:

    retain --db postgresql://owner@dbhost/retain db roles

    retain --db postgresql://owner@dbhost/retain db roles --format json
"""

ROLE_FIELDS = (
    ("login", "text"),
    ("role", "text"),  # officer or manager
    ("officer", "text"),  # null for a manager
    ("login_exists", "bool"),  # false: the login was dropped on the server since
)

LoginArg = Annotated[
    str, typer.Argument(metavar="LOGIN", help="The database login.", show_default=False)
]


def _store_url(ctx: typer.Context, command: str) -> str:
    st = state(ctx)
    url = st.db_url
    if url is None:
        from retain.store import resolve_db_path

        raise RetainError(
            key="db.sqlite_store", command=command, path=str(resolve_db_path(st.db_option))
        )
    return url


def init(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(metavar="URL", help="postgresql://OWNER@HOST/DATABASE", show_default=False),
    ],
) -> None:
    from retain.i18n import t
    from retain.postgres import is_url, shown
    from retain.postgres.access import init as run

    st = state(ctx)
    if not is_url(url):
        raise RetainError(key="db.sqlite_store", command="init", path=url)
    outcome = run(url)
    sys.stderr.write(t(f"db.init.{outcome}", st.lang, path=shown(url)) + "\n")


def grant(
    ctx: typer.Context,
    login: LoginArg,
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            metavar="NAME",
            help="The officer whose customers this login sees.",
            show_default=False,
        ),
    ] = None,
    manager: Annotated[
        bool, typer.Option("--manager", help="A manager's login: every row.")
    ] = False,
) -> None:
    from retain.errors import UsageError
    from retain.i18n import t
    from retain.officers import norm_name
    from retain.postgres.access import grant as run

    st = state(ctx)
    if (officer is None) == (not manager):
        raise UsageError(key="db.grant_choose")
    name = norm_name(officer) if officer is not None else None
    url = _store_url(ctx, "grant")
    changed = run(url, login, "manager" if manager else "officer", name)
    if manager:
        text = t(
            "db.grant.manager" if changed else "db.grant.manager_already", st.lang, login=login
        )
    else:
        key = "db.grant.officer" if changed else "db.grant.officer_already"
        text = t(key, st.lang, login=login, officer=name)
    sys.stderr.write(text + "\n")


def revoke(ctx: typer.Context, login: LoginArg) -> None:
    from retain.i18n import t
    from retain.postgres.access import revoke as run

    st = state(ctx)
    had = run(_store_url(ctx, "revoke"), login)
    sys.stderr.write(t("db.revoked" if had else "db.revoke_none", st.lang, login=login) + "\n")


def roles(
    ctx: typer.Context,
    fmt: RowsFormatOption = RowsFormat.auto,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from retain.postgres.access import list_logins

    st = state(ctx)
    check_output(output, force)
    found = list_logins(_store_url(ctx, "roles"))
    rows = [
        {"login": x.login, "role": x.role, "officer": x.officer, "login_exists": x.exists}
        for x in found
    ]
    if output is None and resolve_format(OutputFormat(fmt.value)) == "table":
        _roles_table(rows, st.lang)
        return
    from retain.output import Field

    fields = [Field(name, kind) for name, kind in ROLE_FIELDS]  # type: ignore[arg-type]
    emit(rows, fields, OutputFormat(fmt.value), output, st.lang, force=force)


def _roles_table(rows: list[dict[str, Any]], lang: str) -> None:
    from retain.cli.render import Column, print_table
    from retain.i18n import t

    shown = [
        [
            str(r["login"]) + ("" if r["login_exists"] else " " + t("db.roles.dropped", lang)),
            t(f"db.role.{r['role']}", lang),
            str(r["officer"] or ""),
        ]
        for r in rows
    ]
    print_table(
        t("db.roles.title", lang),
        [
            Column(t("db.roles.col.login", lang), key=True),
            Column(t("db.roles.col.role", lang)),
            Column(t("col.officer", lang)),
        ],
        shown,
        footer_lines=[] if rows else [t("db.roles.empty", lang)],
    )


app = typer.Typer(help=DB_HELP, no_args_is_help=True)
app.command("init", help=INIT_HELP)(handle_errors(init))
app.command("grant", help=GRANT_HELP)(handle_errors(grant))
app.command("revoke", help=REVOKE_HELP)(handle_errors(revoke))
app.command("roles", help=ROLES_HELP)(handle_errors(roles))
_db_copy.register(app)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="db")
