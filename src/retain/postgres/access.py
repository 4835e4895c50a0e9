"""Who may see and change what in a branch store: roles, grants and row-level security.

The store's owner (the login that runs ``retain db init``) owns every table and
bypasses row-level security, as PostgreSQL's owners do. Everyone else connects
as their own login, a member of one of two group roles:

- ``retain_officer``: reads and writes only the rows of the customers assigned to
  them (``customers.officer``) and of their prospects (``prospects.officer``),
  and the rows hanging off those (loans, instalments, contacts, promises …);
  reads the branch-wide tables (imports, snapshots, officers, groups …) without
  writing them.
- ``retain_manager``: reads and writes every row, imports files, hands
  customers over.

Group membership only gives table privileges. Which rows a login sees comes from
``officer_logins`` (login → role, officer), read through SECURITY DEFINER
functions with a fixed search_path and called with ``current_user``: a client
can set session variables but cannot be another login. Memberships are
cluster-wide while ``officer_logins`` is per database, so a login tied in one
branch's database sees no row in another's.

Nobody but the owner may UPDATE or DELETE ``changes`` (the audit trail): the
group roles get SELECT and INSERT only, and its trigger refuses the rest anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from retain.errors import RetainError

OFFICER_ROLE = "retain_officer"
MANAGER_ROLE = "retain_manager"
GROUP_ROLES = (OFFICER_ROLE, MANAGER_ROLE)

# The officer a login is tied to, or NULL: the ``officer = …`` of the policies.
_ME = "(SELECT retain_login_officer(current_user))"
# Whether the login is a manager of this database. Both are scalar sub-selects so
# that PostgreSQL calls the function once per query, not once per row.
_MANAGER = "(SELECT retain_login_role(current_user)) = 'manager'"

# Tables whose rows belong to one customer or prospect, and the condition under
# which an officer's login sees (and may write) a row. Conditions that read
# another table read it under that table's own policy: a loan is visible when its
# customer is, an instalment when its loan is.
_VISIBLE_CUSTOMER = "customer_id IN (SELECT customer_id FROM customers)"
_VISIBLE_LOAN = "loan_id IN (SELECT loan_id FROM loans)"
_VISIBLE_PROSPECT = "prospect_id IN (SELECT prospect_id FROM prospects)"
OFFICER_ROWS: dict[str, str] = {
    "customers": f"officer = {_ME}",
    "prospects": f"officer = {_ME}",
    "loans": _VISIBLE_CUSTOMER,
    "contacts": _VISIBLE_CUSTOMER,
    "promises": _VISIBLE_CUSTOMER,
    "assignments": _VISIBLE_CUSTOMER,
    "holdings": _VISIBLE_CUSTOMER,
    "exported_reminders": _VISIBLE_CUSTOMER,
    "instalments": _VISIBLE_LOAN,
    "guarantors": _VISIBLE_LOAN,
    "promise_loans": "promise_id IN (SELECT promise_id FROM promises)",
    "prospect_stages": _VISIBLE_PROSPECT,
    "prospect_contacts": _VISIBLE_PROSPECT,
    "group_members": f"{_VISIBLE_CUSTOMER} OR {_VISIBLE_PROSPECT}",
    # The audit trail: an import's field-by-field changes of customers, loans,
    # instalments and guarantors are seen with their record. Records of other
    # kinds (a contact or promise undone, an officer renamed, a setting) name no
    # customer's row that still exists to decide by, and stay readable by all.
    "changes": (
        "entity NOT IN ('customers', 'loans', 'instalments', 'guarantors')"
        " OR (entity = 'customers' AND entity_id IN (SELECT customer_id FROM customers))"
        " OR (entity = 'loans' AND entity_id IN (SELECT loan_id FROM loans))"
        " OR (entity IN ('instalments', 'guarantors')"
        " AND split_part(entity_id, '/', 1) IN (SELECT loan_id FROM loans))"
    ),
}

_ALL = ("SELECT", "INSERT", "UPDATE", "DELETE")
_READ = ("SELECT",)
_APPEND = ("SELECT", "INSERT")

# Table privileges per group role. Tables an import or a manager's command
# writes as a whole (imports, snapshots, peers, rejected rows, officers) are
# read-only for officers; export runs carry no customer and are written by
# every ``export reminders``; groups may be added by anyone, their members only
# under the policy above.
PRIVILEGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{table: (_ALL, _ALL) for table in OFFICER_ROWS if table != "changes"},
    "changes": (_APPEND, _APPEND),
    "imports": (_READ, _ALL),
    "portfolio_snapshots": (_READ, _ALL),
    "holding_peers": (_READ, _ALL),
    "rejected_customers": (_READ, _ALL),
    "officers": (_READ, _ALL),
    "groups": (_APPEND, _ALL),
    "export_runs": (("SELECT", "INSERT", "UPDATE"), ("SELECT", "INSERT", "UPDATE")),
    "_sqlite_migrations": (_READ, _READ),
    "sqlite_master": (_READ, _READ),
    "officer_logins": ((), ()),  # the owner's: read through the functions below
}

_LOGINS_TABLE = """
CREATE TABLE IF NOT EXISTS officer_logins (
  login TEXT COLLATE "C" PRIMARY KEY,
  officer TEXT COLLATE "C",
  role TEXT COLLATE "C" NOT NULL CHECK (role IN ('officer', 'manager')),
  CHECK ((role = 'officer') = (officer IS NOT NULL))
)"""

_FUNCTIONS = """
-- PL/pgSQL rather than SQL: it keeps its query plan for the session, where a
-- SQL function's body is planned again by every statement that calls it.
CREATE OR REPLACE FUNCTION retain_login_officer(who name) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $$
BEGIN
  RETURN (SELECT officer FROM {schema}.officer_logins WHERE login = who::text AND role = 'officer');
END $$;
CREATE OR REPLACE FUNCTION retain_login_role(who name) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $$
BEGIN
  RETURN (SELECT role FROM {schema}.officer_logins WHERE login = who::text);
END $$;
-- The store's code numbers a new contact MAX(contact_id) + 1 (an id is never
-- given twice, not even after an undo); an officer sees only their own contacts,
-- so a number another officer's contact holds is taken again here, over all of
-- them, as the owner. A free number is kept (a copied store keeps its ids).
-- Officers log at the same time: numbering waits for the previous logger's
-- commit (a lock held to the end of the transaction), so that two contacts
-- never draw the same number; a log's transaction is short.
CREATE OR REPLACE FUNCTION retain_next_contact_id() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('retain.contacts.contact_id'));
  IF NOT EXISTS (SELECT 1 FROM {schema}.contacts WHERE contact_id = NEW.contact_id) THEN
    RETURN NEW;
  END IF;
  NEW.contact_id := GREATEST(
    COALESCE((SELECT MAX(contact_id) FROM {schema}.contacts), 0),
    COALESCE((SELECT MAX(CAST(entity_id AS BIGINT)) FROM {schema}.changes
               WHERE entity = 'contact'), 0)) + 1;
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER contacts_next_id BEFORE INSERT ON {schema}.contacts
  FOR EACH ROW EXECUTE FUNCTION retain_next_contact_id();
REVOKE ALL ON FUNCTION retain_next_contact_id() FROM PUBLIC;
-- A prospect an officer's login adds without naming an officer is theirs (they
-- could not write, nor see, one of nobody's).
CREATE OR REPLACE FUNCTION retain_prospect_officer() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, {schema}, pg_temp AS $$
BEGIN
  IF NEW.officer IS NULL THEN
    NEW.officer := {schema}.retain_login_officer(current_user);
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER prospects_officer_of_login BEFORE INSERT ON {schema}.prospects
  FOR EACH ROW EXECUTE FUNCTION retain_prospect_officer();
REVOKE ALL ON FUNCTION retain_login_officer(name), retain_login_role(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retain_login_officer(name), retain_login_role(name)
  TO retain_officer, retain_manager;
"""

# What db init may change, as text: equal before and after means it changed nothing.
_FINGERPRINT = """
SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) FROM (
  SELECT 'role ' || rolname || ' ' || rolcanlogin FROM pg_roles
   WHERE rolname IN ('retain_officer', 'retain_manager')
  UNION ALL
  SELECT 'rel ' || relname || ' ' || relkind::text || ' ' || relrowsecurity || ' '
         || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(relacl) a), '')
    FROM pg_class WHERE relnamespace = current_schema()::regnamespace
     AND relkind IN ('r', 'v', 'S')
  UNION ALL
  SELECT 'policy ' || c.relname || ' ' || polname || ' ' || polcmd::text || ' ' || polroles::text
         || ' ' || coalesce(pg_get_expr(polqual, polrelid), '')
         || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
   WHERE c.relnamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' ' || prosrc || ' ' || prosecdef || ' '
         || coalesce(array_to_string(proconfig, ','), '') || ' '
         || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(proacl) a), '')
    FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(g.oid) || ' ' || g.tgenabled::text
    FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
   WHERE c.relnamespace = current_schema()::regnamespace AND NOT g.tgisinternal
  UNION ALL
  SELECT 'schema ' || coalesce(nspacl::text, '') FROM pg_namespace
   WHERE nspname = current_schema()
  UNION ALL
  SELECT 'database ' || coalesce(datacl::text, '') FROM pg_database
   WHERE datname = current_database()
) s(x)
"""


@dataclass(frozen=True)
class Login:
    login: str
    role: str  # officer or manager
    officer: str | None
    exists: bool  # the login is still on the server


def collation(raw: Any) -> tuple[str, str]:
    """The database's collation and character type (both "C" for a store)."""
    row = raw.execute(
        "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
    ).fetchone()
    return str(row[0]), str(row[1])


def is_byte_ordered(raw: Any) -> bool:
    return all(value in ("C", "POSIX") for value in collation(raw))


def owner_of(raw: Any, *, initialised: bool) -> tuple[str, bool]:
    """The store's owner (its tables' owner; the database's before there are
    tables), and whether the current login acts as it (is it, a member of it,
    or a superuser)."""
    if initialised:
        query = (
            "SELECT pg_get_userbyid(relowner), pg_has_role(current_user, relowner, 'USAGE')"
            " FROM pg_class WHERE oid = to_regclass('_sqlite_migrations')"
        )
    else:
        query = (
            "SELECT pg_get_userbyid(datdba), pg_has_role(current_user, datdba, 'USAGE')"
            " FROM pg_database WHERE datname = current_database()"
        )
    row = raw.execute(query).fetchone()
    return str(row[0]), bool(row[1])


def current_login(raw: Any) -> str:
    return str(raw.execute("SELECT current_user").fetchone()[0])


def has_access_tables(raw: Any) -> bool:
    row = raw.execute("SELECT to_regclass('officer_logins') IS NOT NULL").fetchone()
    return bool(row and row[0])


def fingerprint(raw: Any) -> str:
    return str(raw.execute(_FINGERPRINT).fetchone()[0])


def _create_group_roles(raw: Any) -> None:
    existing = {
        str(row[0])
        for row in raw.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(GROUP_ROLES),)
        )
    }
    for role in GROUP_ROLES:
        if role in existing:
            continue
        try:
            raw.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        except psycopg.errors.InsufficientPrivilege:
            raise RetainError(key="db.createrole") from None


def set_up(raw: Any) -> None:
    """Roles, ``officer_logins``, grants and row-level security, in the caller's
    transaction; running it again on a set-up store changes nothing."""
    _create_group_roles(raw)
    raw.execute(_LOGINS_TABLE)
    schema = sql.Identifier(str(raw.execute("SELECT current_schema()").fetchone()[0]))
    raw.execute(sql.SQL(_FUNCTIONS).format(schema=schema))
    groups = sql.SQL(", ").join(sql.Identifier(role) for role in GROUP_ROLES)
    raw.execute(
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(str(raw.execute("SELECT current_database()").fetchone()[0])), groups
        )
    )
    raw.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, groups))
    # Identity columns draw from sequences: an officer's INSERT of a contact needs them.
    raw.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, groups)
    )
    for table, (officer, manager) in PRIVILEGES.items():
        name = sql.Identifier(table)
        raw.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(name, groups))
        for role, privileges in ((OFFICER_ROLE, officer), (MANAGER_ROLE, manager)):
            if privileges:
                raw.execute(
                    sql.SQL("GRANT {} ON {} TO {}").format(
                        sql.SQL(", ").join(sql.SQL(p) for p in privileges),
                        name,
                        sql.Identifier(role),
                    )
                )
    for table, condition in OFFICER_ROWS.items():
        name = sql.Identifier(table)
        raw.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name))
        for policy, role, rows in (
            ("retain_officer_rows", OFFICER_ROLE, condition),
            ("retain_manager_rows", MANAGER_ROLE, _MANAGER),
        ):
            raw.execute(
                sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(policy), name)
            )
            raw.execute(
                sql.SQL("CREATE POLICY {} ON {} TO {} USING ({}) WITH CHECK ({})").format(
                    sql.Identifier(policy), name, sql.Identifier(role), sql.SQL(rows), sql.SQL(rows)
                )
            )


def unclassified_tables(raw: Any) -> list[str]:
    """The store's tables and views no grant above names (a new table needs a
    decision here: until then only the owner can use it)."""
    rows = raw.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
        " AND relkind IN ('r', 'v') ORDER BY relname"
    ).fetchall()
    return [str(row[0]) for row in rows if str(row[0]) not in PRIVILEGES]


def login_facts(raw: Any, login: str) -> tuple[bool, bool] | None:
    """Whether ``login`` may log in and whether it is a superuser; None when
    there is no such role."""
    row = raw.execute(
        "SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", (login,)
    ).fetchone()
    return None if row is None else (bool(row[0]), bool(row[1]))


def tie(raw: Any, login: str, role: str, officer: str | None) -> bool:
    """Make ``login`` an officer (of ``officer``) or a manager, in the caller's
    transaction; whether anything changed."""
    before = raw.execute(
        "SELECT role, officer FROM officer_logins WHERE login = %s", (login,)
    ).fetchone()
    raw.execute(
        "INSERT INTO officer_logins (login, officer, role) VALUES (%s, %s, %s)"
        " ON CONFLICT (login) DO UPDATE SET officer = excluded.officer, role = excluded.role",
        (login, officer, role),
    )
    group = OFFICER_ROLE if role == "officer" else MANAGER_ROLE
    other = MANAGER_ROLE if role == "officer" else OFFICER_ROLE
    member = sql.Identifier(login)
    # The other group's table privileges go: a manager made an officer must not
    # keep INSERT on the branch-wide tables.
    if _is_member(raw, login, other):
        raw.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), member))
    if not _is_member(raw, login, group):
        raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), member))
    return before is None or (str(before[0]), before[1]) != (role, officer)


def untie(raw: Any, login: str) -> bool:
    """Take ``login``'s role away, in the caller's transaction; whether it had one."""
    gone = raw.execute("DELETE FROM officer_logins WHERE login = %s", (login,)).rowcount
    member = sql.Identifier(login)
    for role in GROUP_ROLES:
        if _is_member(raw, login, role):
            raw.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role), member))
    return bool(gone)


def _is_member(raw: Any, login: str, role: str) -> bool:
    """A direct membership (what GRANT gave and REVOKE takes; REVOKE of none warns)."""
    row = raw.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        " JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = %s AND u.rolname = %s",
        (role, login),
    ).fetchone()
    return row is not None


def logins(raw: Any) -> list[Login]:
    rows = raw.execute(
        "SELECT l.login, l.role, l.officer, r.rolname IS NOT NULL FROM officer_logins l"
        " LEFT JOIN pg_roles r ON r.rolname = l.login ORDER BY l.login"
    ).fetchall()
    return [Login(str(r[0]), str(r[1]), r[2], bool(r[3])) for r in rows]


# --- what the commands do ---------------------------------------------------------


def _connect(url: str) -> Any:
    from retain.postgres.store import connect

    return connect(url)


def init(url: str) -> str:
    """``retain db init``: "created" (the schema and access), "set_up" (access on
    an existing schema, or changed), or "unchanged". One transaction."""
    from retain.postgres import schema, shown
    from retain.store import applied_steps, unknown_steps

    conn = _connect(url)
    raw = conn.raw
    try:
        if not is_byte_ordered(raw):
            collate, ctype = collation(raw)
            raise RetainError(key="db.collation", path=shown(url), collation=collate, ctype=ctype)
        initialised = schema.is_initialised(raw)
        owner, acts_as_owner = owner_of(raw, initialised=initialised)
        if not acts_as_owner:
            raise RetainError(
                key="db.not_owner", command="init", owner=owner, login=current_login(raw)
            )
        if initialised:
            applied = applied_steps(conn)
            unknown = unknown_steps(applied)
            if unknown:
                raise RetainError(key="store.newer", path=shown(url), step=unknown[-1])
            if set(schema.baseline_steps()) - set(applied):
                # Steps schema.sql stands for are missing: no upgrade path leads
                # from there (every store gets them all at once).
                step = applied[-1] if applied else "-"
                raise RetainError(key="db.upgrade_unavailable", path=shown(url), step=step)
        upgraded: list[str] = []
        with raw.transaction():
            if not initialised:
                schema.apply(raw)
            else:
                upgraded = schema.upgrade(raw)
            before = fingerprint(raw)
            set_up(raw)
            if initialised and not upgraded and fingerprint(raw) == before:
                raise _Unchanged
    except _Unchanged:
        return "unchanged"
    except psycopg.Error as exc:
        raise RetainError(key="store.cannot_use", path=shown(url), detail=_detail(exc)) from None
    finally:
        conn.close()
    return "set_up" if initialised else "created"


class _Unchanged(Exception):
    """Rolls back a run that found everything in place (nothing at all is written)."""


def _detail(exc: psycopg.Error) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _open_for_owner(url: str, command: str) -> Any:
    """A connection to a set-up store, by its owner; refused in one line otherwise."""
    from retain.postgres import schema, shown

    conn = _connect(url)
    try:
        raw = conn.raw
        if not schema.is_initialised(raw):
            raise RetainError(key="store.pg_not_ready", path=shown(url))
        if not has_access_tables(raw):
            raise RetainError(key="db.no_access", path=shown(url))
        owner, acts_as_owner = owner_of(raw, initialised=True)
        if not acts_as_owner:
            raise RetainError(
                key="db.not_owner", command=command, owner=owner, login=current_login(raw)
            )
    except BaseException:
        conn.close()
        raise
    return conn


def grant(url: str, login: str, role: str, officer: str | None) -> bool:
    """``retain db grant``: whether anything changed."""
    conn = _open_for_owner(url, "grant")
    raw = conn.raw
    try:
        facts = login_facts(raw, login)
        if facts is None or not facts[0]:
            raise RetainError(key="db.no_login", login=login)
        owner, _ = owner_of(raw, initialised=True)
        if facts[1] or login == owner:
            raise RetainError(key="db.grant_owner", login=login)
        with raw.transaction():
            return tie(raw, login, role, officer)
    except psycopg.Error as exc:
        raise RetainError(key="store.cannot_use", path=_shown(url), detail=_detail(exc)) from None
    finally:
        conn.close()


def revoke(url: str, login: str) -> bool:
    """``retain db revoke``: whether the login had a role."""
    conn = _open_for_owner(url, "revoke")
    raw = conn.raw
    try:
        if login_facts(raw, login) is None and not any(x.login == login for x in logins(raw)):
            raise RetainError(key="db.no_login", login=login)
        with raw.transaction():
            return untie(raw, login)
    except psycopg.Error as exc:
        raise RetainError(key="store.cannot_use", path=_shown(url), detail=_detail(exc)) from None
    finally:
        conn.close()


def list_logins(url: str) -> list[Login]:
    """``retain db roles``."""
    conn = _open_for_owner(url, "roles")
    try:
        return logins(conn.raw)
    finally:
        conn.close()


def _shown(url: str) -> str:
    from retain.postgres import shown

    return shown(url)
