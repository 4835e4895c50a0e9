"""Schema steps, applied in order on every open and recorded in the store.

Each step is a plain function ``mNNN_name(db)`` registered with
``sqlite_utils.Migrations``; a new step is appended, never edited.
"""

from __future__ import annotations

from typing import Any

MIGRATION_SET = "retain"


def m001_initial(db: Any) -> None:
    db.executescript(
        """
        CREATE TABLE customers (
            customer_id TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            phone       TEXT,
            id_number   TEXT,
            industry    TEXT,
            officer     TEXT,
            segment     TEXT,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE TABLE loans (
            loan_id       TEXT PRIMARY KEY,
            customer_id   TEXT NOT NULL REFERENCES customers(customer_id),
            principal_fen INTEGER NOT NULL CHECK (principal_fen > 0),
            disbursed_on  TEXT NOT NULL,
            matures_on    TEXT NOT NULL,
            term_months   INTEGER,
            guarantee     TEXT NOT NULL
                CHECK (guarantee IN ('credit', 'guarantee', 'mortgage', 'pledge')),
            status        TEXT NOT NULL
                CHECK (status IN ('active', 'overdue', 'closed', 'written_off')),
            closed_on     TEXT,
            balance_fen   INTEGER CHECK (balance_fen >= 0),
            rate          TEXT,
            days_past_due INTEGER CHECK (days_past_due >= 0),
            product       TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX loans_by_maturity ON loans (matures_on);
        CREATE INDEX loans_by_customer ON loans (customer_id);
        CREATE INDEX customers_by_officer ON customers (officer);
        CREATE TABLE imports (
            import_id   INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            file_name   TEXT NOT NULL,
            sha256      TEXT,
            started_at  TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            added       INTEGER NOT NULL,
            updated     INTEGER NOT NULL,
            unchanged   INTEGER NOT NULL,
            rejected    INTEGER NOT NULL,
            skipped     INTEGER NOT NULL
        );
        -- The audit trail: every field an import changed on an existing record.
        CREATE TABLE changes (
            change_id  INTEGER PRIMARY KEY,
            import_id  INTEGER NOT NULL REFERENCES imports(import_id),
            entity     TEXT NOT NULL,
            entity_id  TEXT NOT NULL,
            field      TEXT NOT NULL,
            old_value  TEXT,
            new_value  TEXT
        );
        CREATE INDEX changes_by_entity ON changes (entity, entity_id);
        """
    )


def m002_contacts_and_day_numbers(db: Any) -> None:
    """The contact log, and integer day numbers for date arithmetic in SQL.

    Day numbers (days since 1970-01-01) sit beside the ISO dates because
    portable SQL has no date arithmetic: "days past due" and "days left" are
    then plain integer subtraction on any backend.
    """
    db.executescript(
        """
        ALTER TABLE loans ADD COLUMN disbursed_day INTEGER;
        ALTER TABLE loans ADD COLUMN matures_day INTEGER;
        ALTER TABLE loans ADD COLUMN closed_day INTEGER;
        CREATE INDEX loans_by_status_maturity ON loans (status, matures_day);
        CREATE INDEX loans_by_closed ON loans (closed_day);
        CREATE TABLE contacts (
            contact_id   INTEGER PRIMARY KEY,
            customer_id  TEXT NOT NULL REFERENCES customers(customer_id),
            loan_id      TEXT REFERENCES loans(loan_id),
            at           TEXT NOT NULL,
            at_day       INTEGER NOT NULL,
            channel      TEXT NOT NULL,
            outcome      TEXT NOT NULL,
            note         TEXT,
            next_on      TEXT,
            next_day     INTEGER,
            officer      TEXT,
            dpd_at       INTEGER NOT NULL DEFAULT 0,
            created_at   TEXT NOT NULL
        );
        CREATE INDEX contacts_by_customer ON contacts (customer_id, at);
        -- The customer's latest contact, kept in step by every `retain log`
        -- so that ranking reads one row per customer instead of the log.
        ALTER TABLE customers ADD COLUMN last_contact_at TEXT;
        ALTER TABLE customers ADD COLUMN last_contact_day INTEGER;
        ALTER TABLE customers ADD COLUMN last_channel TEXT;
        ALTER TABLE customers ADD COLUMN last_outcome TEXT;
        ALTER TABLE customers ADD COLUMN next_on TEXT;
        ALTER TABLE customers ADD COLUMN next_day INTEGER;
        ALTER TABLE customers ADD COLUMN dpd_at_contact INTEGER;
        CREATE INDEX customers_by_next ON customers (next_day);
        """
    )
    # Fill the day numbers of loans imported before this step.
    rows = db.execute("SELECT loan_id, disbursed_on, matures_on, closed_on FROM loans").fetchall()
    from retain.days import day_number

    db.conn.executemany(
        "UPDATE loans SET disbursed_day = ?, matures_day = ?, closed_day = ? WHERE loan_id = ?",
        [(day_number(d), day_number(m), day_number(c), lid) for lid, d, m, c in rows],
    )


def m003_export_ledger(db: Any) -> None:
    """Which reminders went out, to whom: ``export reminders --new-only`` reads it."""
    db.executescript(
        """
        CREATE TABLE export_runs (
            export_id  INTEGER PRIMARY KEY,
            at         TEXT NOT NULL,
            audience   TEXT NOT NULL,
            format     TEXT NOT NULL,
            target     TEXT NOT NULL,
            reminders  INTEGER NOT NULL
        );
        CREATE TABLE exported_reminders (
            reminder_id TEXT NOT NULL,
            audience    TEXT NOT NULL,
            export_id   INTEGER NOT NULL REFERENCES export_runs(export_id),
            customer_id TEXT NOT NULL,
            reason      TEXT NOT NULL,
            due_on      TEXT NOT NULL,
            PRIMARY KEY (reminder_id, audience)
        );
        """
    )


def m004_call_list_index(db: Any) -> None:
    """A covering index for the call list's per-customer loan summary.

    Ranking reads every open loan's customer, dates, days past due and
    guarantee; with all of them in one index ordered by status and customer,
    SQLite never visits the table (measured at 1M loans: 2.3 s → 0.85 s).
    """
    db.execute(
        "CREATE INDEX loans_for_ranking ON loans (status, customer_id, matures_day,"
        " days_past_due, disbursed_day, guarantee, closed_day)"
    )


def m005_overdue_since(db: Any) -> None:
    """The day a loan fell overdue, from the days past due an import reported.

    An export's days past due is a snapshot as of that import's "today"; the
    start day it implies stays the same from one daily export to the next, so
    an overdue reminder keeps one id for the whole spell.
    """
    db.execute("ALTER TABLE loans ADD COLUMN overdue_since_day INTEGER")


def m006_maturity_index_covers_customer(db: Any) -> None:
    """The maturity index also carries the customer, so the call list finds
    each customer's maturing loans without visiting the table (1M loans:
    calls 1.05 s → 0.87 s)."""
    db.executescript(
        """
        DROP INDEX loans_by_status_maturity;
        CREATE INDEX loans_by_status_maturity ON loans (status, matures_day, customer_id);
        """
    )


def m007_import_as_of(db: Any) -> None:
    """Each import records the day its data is as of: the import day, or the
    ``--as-of`` day of an export made earlier. An imported days past due is a
    snapshot as of that day, and ages one day per day afterwards: the call list
    now reads the spell's start, so its covering index carries it too."""
    db.executescript(
        """
        ALTER TABLE imports ADD COLUMN as_of_day INTEGER;
        DROP INDEX loans_for_ranking;
        CREATE INDEX loans_for_ranking ON loans (status, customer_id, matures_day,
            days_past_due, overdue_since_day, disbursed_day, guarantee, closed_day);
        """
    )


def m008_phone_unusable(db: Any) -> None:
    """A phone the officer found to be wrong (空号) is unusable from that day
    until a different phone arrives, by import or by hand. The trigger keeps
    that rule in one place whichever path changes the phone."""
    db.executescript(
        """
        ALTER TABLE customers ADD COLUMN phone_unusable_since TEXT;
        CREATE TRIGGER customers_phone_changed AFTER UPDATE OF phone ON customers
        WHEN NEW.phone IS NOT OLD.phone AND NEW.phone_unusable_since IS NOT NULL
        BEGIN
            UPDATE customers SET phone_unusable_since = NULL
            WHERE customer_id = NEW.customer_id;
        END;
        """
    )


def m009_import_rejected_customers(db: Any) -> None:
    """Customers a customers file rejected (a bad ID number …), until one is
    accepted: a loans file that then creates such a customer from its name alone
    says so, row by row, instead of quietly making a half-empty customer."""
    db.executescript(
        """
        CREATE TABLE rejected_customers (
            customer_id TEXT PRIMARY KEY,
            file_name TEXT NOT NULL,
            row_no INTEGER NOT NULL,
            field TEXT NOT NULL,
            rejects_file TEXT
        );
        """
    )


MIGRATIONS = [
    m001_initial,
    m002_contacts_and_day_numbers,
    m003_export_ledger,
    m004_call_list_index,
    m005_overdue_since,
    m006_maturity_index_covers_customer,
    m007_import_as_of,
    m008_phone_unusable,
    m009_import_rejected_customers,
]
