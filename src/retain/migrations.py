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


MIGRATIONS = [m001_initial]
