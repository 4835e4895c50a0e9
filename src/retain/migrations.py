"""Schema steps, applied in order on every open and recorded in the store.

Each step is a plain function ``mNNN_name(db)`` registered with
``sqlite_utils.Migrations``; a new step is appended, never edited.
"""

from __future__ import annotations

import sqlite3
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


def m009_sms_ledger_by_customer(db: Any) -> None:
    """Customer SMS rules read the ledger per customer and day (one text a day,
    not the same reason again within the quiet days): without this index each
    send day of an export would scan the whole ledger."""
    db.execute(
        "CREATE INDEX exported_by_customer ON exported_reminders (audience, customer_id, due_on)"
    )


def m010_outcomes_attempts_and_removals(db: Any) -> None:
    """Unanswered calls and wrong numbers are attempts, not contacts.

    The "latest contact" columns now come from the latest *real* contact; beside
    them each customer keeps what the call list needs about the attempts since
    (their count and the last one's time) and the day of the last refusal (拒绝),
    which pauses win-back. Filled here from the log so far.

    The audit trail (``changes``) also keeps every contact removed by
    ``retain contacts undo``, field by field: such rows belong to no import
    (``import_id`` NULL) and carry the time they were recorded. SQLite cannot
    relax a NOT NULL in place, hence the rebuild.
    """
    db.executescript(
        """
        ALTER TABLE customers ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customers ADD COLUMN last_attempt_at TEXT;
        ALTER TABLE customers ADD COLUMN declined_day INTEGER;
        CREATE TABLE changes_new (
            change_id   INTEGER PRIMARY KEY,
            import_id   INTEGER REFERENCES imports(import_id),
            entity      TEXT NOT NULL,
            entity_id   TEXT NOT NULL,
            field       TEXT NOT NULL,
            old_value   TEXT,
            new_value   TEXT,
            recorded_at TEXT
        );
        INSERT INTO changes_new (change_id, import_id, entity, entity_id, field, old_value,
            new_value)
            SELECT change_id, import_id, entity, entity_id, field, old_value, new_value
            FROM changes;
        DROP TABLE changes;
        ALTER TABLE changes_new RENAME TO changes;
        CREATE INDEX changes_by_entity ON changes (entity, entity_id);
        """
    )
    # A frozen copy of contacts._refresh_latest as of this step, for every customer.
    real = "k.outcome NOT IN ('no_answer', 'wrong_number')"
    after = "(customers.last_contact_at IS NULL OR k.at > customers.last_contact_at)"
    db.execute(
        f"""
        UPDATE customers SET
            (last_contact_at, last_contact_day, last_channel, last_outcome, dpd_at_contact) = (
            SELECT at, at_day, channel, outcome, dpd_at FROM contacts k
            WHERE k.customer_id = customers.customer_id AND {real}
            ORDER BY at DESC, contact_id DESC LIMIT 1)
        """
    )
    db.execute(
        f"""
        UPDATE customers SET
            (next_on, next_day) = (
                SELECT next_on, next_day FROM contacts k
                WHERE k.customer_id = customers.customer_id
                    AND ({real} OR (k.next_on IS NOT NULL AND {after}))
                ORDER BY at DESC, contact_id DESC LIMIT 1),
            failed_attempts = (
                SELECT COUNT(*) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND k.outcome = 'no_answer' AND {after}),
            last_attempt_at = (
                SELECT MAX(at) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND NOT ({real}) AND {after}),
            declined_day = (
                SELECT MAX(at_day) FROM contacts k WHERE k.customer_id = customers.customer_id
                    AND k.outcome = 'declined')
        """
    )


def fill_first_seen(conn: sqlite3.Connection) -> None:
    """The first import day of loans that have none, from what the store knows.

    A loan's ``created_at`` is the stamp of the import that inserted it (the
    import writes one stamp on its ``imports`` row and on its new rows), so that
    import's as-of day is the loan's first import day; an import older than
    m007 has no as-of day, and then the day of the stamp itself is used.
    """
    from retain.days import day_number

    conn.execute(
        """
        UPDATE loans SET first_seen_day = (
            SELECT MIN(i.as_of_day) FROM imports i
            WHERE i.kind = 'loans' AND i.started_at = loans.created_at)
        WHERE first_seen_day IS NULL
        """
    )
    # One stamp per import: few distinct values, converted here (no SQL date functions).
    stamps = conn.execute(
        "SELECT DISTINCT created_at FROM loans WHERE first_seen_day IS NULL"
    ).fetchall()
    conn.executemany(
        "UPDATE loans SET first_seen_day = ? WHERE created_at = ? AND first_seen_day IS NULL",
        [(day_number(str(stamp)[:10]), stamp) for (stamp,) in stamps],
    )


def m011_terms_first_seen(db: Any) -> None:
    """The day each loan was first imported (the as-of day of that import).

    A loan first imported long after its disbursement starts its post-loan
    check schedule after that day, so a new store does not begin with every
    borrower due a check. Existing loans get the as-of day of the import that
    created them (see :func:`fill_first_seen`). The call list reads it, so its
    covering index carries it too.
    """
    db.executescript(
        """
        ALTER TABLE loans ADD COLUMN first_seen_day INTEGER;
        DROP INDEX loans_for_ranking;
        CREATE INDEX loans_for_ranking ON loans (status, customer_id, matures_day,
            days_past_due, overdue_since_day, disbursed_day, first_seen_day, guarantee,
            closed_day);
        """
    )
    fill_first_seen(db.conn)


def m012_import_rejected_customers(db: Any) -> None:
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


def m013_phone_kind(db: Any) -> None:
    """Each customer's phone kind, ``mobile`` or ``landline`` (NULL without a
    phone): SMS go to mobiles only. The importer stores a mobile as its 11
    digits and a landline as ``AREA-NUMBER[-EXT]`` (``normalise.norm_phone``),
    so the first character tells the kind (``normalise.phone_kind``).

    A generated column: the kind of existing rows is there at once, it can
    never disagree with the phone whichever path writes it, and the importer's
    bulk writes do not pay for it (SQLite adds only VIRTUAL columns by ALTER).
    """
    db.executescript(
        """
        ALTER TABLE customers ADD COLUMN phone_kind TEXT GENERATED ALWAYS AS (
            CASE WHEN phone IS NULL OR phone = '' THEN NULL
                 WHEN substr(phone, 1, 1) = '1' THEN 'mobile'
                 ELSE 'landline' END
        ) VIRTUAL;
        """
    )


# The audit trail's guard (doctor checks these names): the store refuses to edit
# or remove what it recorded. A later step that must rebuild ``changes`` (as
# m010 did) drops them with the table and has to create them again.
AUDIT_TRIGGERS = ("changes_append_only_update", "changes_append_only_delete")
AUDIT_REFUSAL = "the audit trail (changes) is append-only"


def m014_ops_audit_append_only(db: Any) -> None:
    """The audit trail (``changes``) is append-only: UPDATE and DELETE on it fail.

    Imports and ``contacts undo`` only ever INSERT into it; a rolled-back
    transaction is not a DELETE, so an aborted import still leaves no trace.
    """
    db.executescript(
        f"""
        CREATE TRIGGER {AUDIT_TRIGGERS[0]} BEFORE UPDATE ON changes
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END;
        CREATE TRIGGER {AUDIT_TRIGGERS[1]} BEFORE DELETE ON changes
        BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END;
        """
    )


def m015_once_export_claims(db: Any) -> None:
    """An export run claims its reminders before its file is in place.

    ``--new-only`` records the run as ``pending`` (with the output's absolute
    ``path``, the ``file_id`` of the file it wrote and the ``owner`` process),
    commits, publishes the file, then marks the run ``sent``. A run killed in
    between is settled by the next one: its file at that path → ``sent``; no
    such file → ``released`` (its ledger rows deleted, so it is exported again).
    Runs recorded before this step were committed with their file: ``sent``.
    """
    db.executescript(
        """
        ALTER TABLE export_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'
            CHECK (status IN ('pending', 'sent', 'released'));
        ALTER TABLE export_runs ADD COLUMN path TEXT;
        ALTER TABLE export_runs ADD COLUMN file_id TEXT;
        ALTER TABLE export_runs ADD COLUMN staged TEXT;
        ALTER TABLE export_runs ADD COLUMN owner TEXT;
        CREATE INDEX export_runs_pending ON export_runs (status) WHERE status = 'pending';
        """
    )


def m016_instalment_schedules(db: Any) -> None:
    """Repayment schedules: one row per loan and period (期数).

    Money in fen and days as day numbers, as on ``loans``. An instalment is
    paid when ``paid_fen`` reaches ``principal_fen + interest_fen``; days past
    due of a loan with a schedule count from its oldest unpaid instalment.
    """
    db.executescript(
        """
        CREATE TABLE instalments (
            loan_id       TEXT NOT NULL REFERENCES loans(loan_id),
            period        INTEGER NOT NULL CHECK (period >= 1),
            due_on        TEXT NOT NULL,
            due_day       INTEGER NOT NULL,
            principal_fen INTEGER NOT NULL CHECK (principal_fen >= 0),
            interest_fen  INTEGER NOT NULL CHECK (interest_fen >= 0),
            paid_on       TEXT,
            paid_day      INTEGER,
            paid_fen      INTEGER CHECK (paid_fen >= 0),
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            PRIMARY KEY (loan_id, period)
        ) WITHOUT ROWID;
        -- The loan's next unpaid instalment, kept in step by the schedule
        -- import (or read from a loans file's 下次还款日 / 下期应还) so that the
        -- call list and reminders never scan the schedule.
        ALTER TABLE loans ADD COLUMN next_due_on TEXT;
        ALTER TABLE loans ADD COLUMN next_due_day INTEGER;
        ALTER TABLE loans ADD COLUMN next_due_fen INTEGER CHECK (next_due_fen >= 0);
        ALTER TABLE loans ADD COLUMN next_due_period INTEGER;
        """
    )


def m017_sched_instalments_by_due(db: Any) -> None:
    """Instalments by due day: ``due --instalments`` reads a window of days
    without scanning every schedule row (a fresh schedule import builds it once,
    after its rows are in)."""
    db.executescript(
        """
        CREATE INDEX instalments_by_due ON instalments (due_day);
        """
    )


def m018_report_snapshots(db: Any) -> None:
    """The portfolio as of each loans import's as-of day, one row per officer.

    Trends (``retain trend``, the monthly review, ``overdue --summary``'s change)
    read these rows: the store keeps only the latest state of each loan, so a
    past day's book cannot be recomputed. Money in fen; ``officer`` is '' for
    customers without one. One day has one snapshot: a re-import replaces it.
    """
    db.executescript(
        """
        CREATE TABLE portfolio_snapshots (
            day         INTEGER NOT NULL,
            officer     TEXT NOT NULL,
            import_id   INTEGER NOT NULL,
            customers   INTEGER NOT NULL,
            loans       INTEGER NOT NULL,
            balance_fen INTEGER NOT NULL,
            overdue_fen INTEGER NOT NULL,
            par30_fen   INTEGER NOT NULL,
            par90_fen   INTEGER NOT NULL,
            noloan      INTEGER NOT NULL,
            PRIMARY KEY (day, officer)
        ) WITHOUT ROWID;
        """
    )


def m019_guarantors_collateral(db: Any) -> None:
    """Guarantors (担保人) of loans, and the expiry of a loan's collateral papers.

    A loan may have several guarantors, keyed by the loan and the guarantor's ID
    number (or name, when the file has none): ``guarantor_key`` is
    ``loan_id/id:<id_number>`` or ``loan_id/name:<name>``, one text key so the
    import's upsert and audit trail work as for customers and loans. Phones and
    ID numbers are normalised as the customers'. Guarantors are never texted:
    they live apart from ``customers``, which is all reminders read.

    The collateral's insurance (抵押物保险到期日) and the registration
    certificate (他项权证到期日) expire on their own dates, with day numbers
    beside them as for every loan date; partial indexes find the few loans that
    have them for the call list's ``collateral_expiry`` term.
    """
    db.executescript(
        """
        CREATE TABLE guarantors (
            guarantor_key TEXT PRIMARY KEY,
            loan_id       TEXT NOT NULL REFERENCES loans(loan_id),
            name          TEXT NOT NULL,
            phone         TEXT,
            relation      TEXT,
            id_number     TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX guarantors_by_loan ON guarantors (loan_id);
        ALTER TABLE loans ADD COLUMN collateral_insurance_expires TEXT;
        ALTER TABLE loans ADD COLUMN collateral_insurance_day INTEGER;
        ALTER TABLE loans ADD COLUMN collateral_certificate_expires TEXT;
        ALTER TABLE loans ADD COLUMN collateral_certificate_day INTEGER;
        CREATE INDEX loans_by_collateral_insurance ON loans (collateral_insurance_day)
            WHERE collateral_insurance_day IS NOT NULL;
        CREATE INDEX loans_by_collateral_certificate ON loans (collateral_certificate_day)
            WHERE collateral_certificate_day IS NOT NULL;
        """
    )


def m020_promises_table(db: Any) -> None:
    """Promises to pay (承诺还款): ``log --outcome promised --amount``.

    One row per promise (the contact that made it), the loans it covers in
    ``promise_loans`` with each loan's balance when it was made (what a lower
    balance at judging is measured against). ``status`` is ``open`` until an
    import after its date judges it ``kept`` or ``broken`` (``judged_day``, and
    ``paid_fen`` found); a newer promise on one of its loans makes an open one
    ``superseded`` (``superseded_by``). The customer row carries the latest
    broken promise (judged day, date, amount) so the call list reads one row per
    customer, as it does for the follow-up date.
    """
    db.executescript(
        """
        CREATE TABLE promises (
            promise_id    INTEGER PRIMARY KEY,
            contact_id    INTEGER NOT NULL UNIQUE,
            customer_id   TEXT NOT NULL REFERENCES customers(customer_id),
            officer       TEXT,
            made_day      INTEGER NOT NULL,
            due_on        TEXT NOT NULL,
            due_day       INTEGER NOT NULL,
            amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
            status        TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'kept', 'broken', 'superseded')),
            judged_day    INTEGER,
            paid_fen      INTEGER,
            superseded_by INTEGER
        );
        CREATE INDEX promises_open ON promises (due_day) WHERE status = 'open';
        CREATE INDEX promises_by_customer ON promises (customer_id, promise_id);
        CREATE TABLE promise_loans (
            promise_id  INTEGER NOT NULL REFERENCES promises(promise_id),
            loan_id     TEXT NOT NULL REFERENCES loans(loan_id),
            balance_fen INTEGER,
            PRIMARY KEY (promise_id, loan_id)
        ) WITHOUT ROWID;
        CREATE INDEX promise_loans_by_loan ON promise_loans (loan_id, promise_id);
        ALTER TABLE customers ADD COLUMN broken_promise_day INTEGER;
        ALTER TABLE customers ADD COLUMN broken_promise_due_day INTEGER;
        ALTER TABLE customers ADD COLUMN broken_promise_fen INTEGER;
        CREATE INDEX customers_by_broken_promise ON customers (broken_promise_day)
            WHERE broken_promise_day IS NOT NULL;
        """
    )


def m021_instal_next_due_index(db: Any) -> None:
    """Loans by their next instalment's due day, for the call list's
    ``instalment`` term: the few days of its lead window are a range of this
    index, which also holds what that pass reads (customer, status, amount)."""
    db.executescript(
        """
        CREATE INDEX loans_by_next_due ON loans (next_due_day, customer_id, status, next_due_fen)
            WHERE next_due_day IS NOT NULL;
        """
    )


def m022_prospects(db: Any) -> None:
    """Prospects (潜在客户): people who have not borrowed yet, and their stages.

    ``prospect_id`` is an integer shown to users as ``P<n>`` (``P17``), so it
    can never be mistaken for a bank's customer number in ``log``/``show``.
    ``channel`` is the 点线圈面 source; the referrer is a customer
    (``referrer_customer_id``) or another prospect (``referrer_prospect_id``).
    ``stage`` is the current stage, entered on ``stage_day``; every change is a
    row of ``prospect_stages`` (the first one is ``new`` on ``entered_day``), so
    conversion and time-in-stage are computed from history, not from the
    current row. ``customer_id`` links a prospect that became a customer
    (stage ``disbursed``). A forgotten prospect keeps its row with its personal
    fields NULL and ``forgotten_day`` set, so the pipeline's counts stay true.
    """
    db.executescript(
        """
        CREATE TABLE prospects (
            prospect_id          INTEGER PRIMARY KEY,
            name                 TEXT,
            phone                TEXT,
            id_number            TEXT,
            industry             TEXT,
            channel              TEXT NOT NULL CHECK (channel IN
                ('referral', 'supply_chain', 'circle', 'alliance', 'walk_in', 'other')),
            referrer_customer_id TEXT,
            referrer_prospect_id INTEGER,
            source               TEXT,
            need_fen             INTEGER CHECK (need_fen >= 0),
            officer              TEXT,
            stage                TEXT NOT NULL DEFAULT 'new' CHECK (stage IN
                ('new', 'contacted', 'applied', 'approved', 'disbursed', 'lost')),
            stage_day            INTEGER NOT NULL,
            lost_reason          TEXT CHECK (lost_reason IN
                ('no_need', 'rate', 'declined_by_us', 'competitor', 'unreachable', 'other')),
            entered_on           TEXT NOT NULL,
            entered_day          INTEGER NOT NULL,
            next_on              TEXT,
            next_day             INTEGER,
            last_contact_day     INTEGER,
            note                 TEXT,
            customer_id          TEXT,
            import_id            INTEGER,
            forgotten_day        INTEGER,
            created_at           TEXT NOT NULL,
            updated_at           TEXT NOT NULL
        );
        CREATE INDEX prospects_by_phone ON prospects (phone) WHERE phone IS NOT NULL;
        CREATE INDEX prospects_by_id_number ON prospects (id_number)
            WHERE id_number IS NOT NULL;
        CREATE INDEX prospects_by_officer ON prospects (officer, stage);
        CREATE INDEX prospects_by_referrer ON prospects (referrer_customer_id)
            WHERE referrer_customer_id IS NOT NULL;
        CREATE INDEX prospects_by_referrer_prospect ON prospects (referrer_prospect_id)
            WHERE referrer_prospect_id IS NOT NULL;
        CREATE INDEX prospects_by_customer ON prospects (customer_id)
            WHERE customer_id IS NOT NULL;
        CREATE INDEX prospects_open_by_next ON prospects (next_day)
            WHERE stage NOT IN ('disbursed', 'lost');
        CREATE TABLE prospect_stages (
            prospect_id INTEGER NOT NULL REFERENCES prospects(prospect_id),
            seq         INTEGER NOT NULL,
            stage       TEXT NOT NULL,
            day         INTEGER NOT NULL,
            reason      TEXT,
            via         TEXT NOT NULL DEFAULT 'manual'
                CHECK (via IN ('manual', 'import', 'loans_import', 'log')),
            officer     TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (prospect_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX prospect_stages_by_day ON prospect_stages (day, stage);
        """
    )


def m023_prospects_contacts(db: Any) -> None:
    """Contacts with prospects (``retain log P17``).

    Kept apart from ``contacts``, whose ``customer_id`` references a customer:
    a prospect has no customer id until it converts, and its contacts must not
    count in anything computed over customers' contacts. ``at``/``at_day`` and the
    channel and outcome codes are those of ``contacts``.
    """
    db.executescript(
        """
        CREATE TABLE prospect_contacts (
            contact_id  INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects(prospect_id),
            at          TEXT NOT NULL,
            at_day      INTEGER NOT NULL,
            channel     TEXT NOT NULL,
            outcome     TEXT NOT NULL,
            note        TEXT,
            next_on     TEXT,
            next_day    INTEGER,
            officer     TEXT,
            created_at  TEXT NOT NULL
        );
        CREATE INDEX prospect_contacts_by_prospect ON prospect_contacts (prospect_id, at);
        """
    )


def m024_officers(db: Any) -> None:
    """Officers (客户经理) and who managed each customer when.

    ``officers.name`` is the name as matched everywhere: NFKC-normalised and
    trimmed. A name found in an import or a log and never added has no row; it
    is listed all the same (as active), and gets a row when it is deactivated.

    ``assignments`` is the history as intervals: ``from_day`` inclusive,
    ``to_day`` exclusive (the day the next interval begins), NULL for the
    current one; ``via`` says what opened it (an import's officer column or a
    ``retain handover``). Filled here with one open interval per customer that
    has an officer, from the day the customer was first stored.

    The audit trail (``changes``) gains ``kind`` (import, log, handover, officer,
    config, forget; NULL on older rows: an import's when it has an
    ``import_id``, else a log correction) and ``actor`` (who, for changes made
    by hand). Adding columns is no UPDATE: the append-only triggers stay.
    """
    db.executescript(
        """
        CREATE TABLE officers (
            name     TEXT PRIMARY KEY,
            status   TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
            added_on TEXT NOT NULL
        );
        CREATE TABLE assignments (
            assignment_id INTEGER PRIMARY KEY,
            customer_id   TEXT NOT NULL REFERENCES customers(customer_id),
            officer       TEXT NOT NULL,
            from_day      INTEGER NOT NULL,
            to_day        INTEGER,
            via           TEXT NOT NULL CHECK (via IN ('import', 'handover')),
            note          TEXT
        );
        CREATE INDEX assignments_by_customer ON assignments (customer_id, from_day);
        CREATE UNIQUE INDEX assignments_current ON assignments (customer_id)
            WHERE to_day IS NULL;
        INSERT INTO officers (name, status, added_on)
            SELECT officer, 'active', MIN(substr(created_at, 1, 10)) FROM customers
            WHERE officer IS NOT NULL AND officer <> '' GROUP BY officer;
        ALTER TABLE changes ADD COLUMN kind TEXT;
        ALTER TABLE changes ADD COLUMN actor TEXT;
        CREATE INDEX changes_by_kind ON changes (kind) WHERE kind IS NOT NULL;
        """
    )
    from retain.days import day_number

    rows = db.execute(
        "SELECT customer_id, officer, created_at FROM customers"
        " WHERE officer IS NOT NULL AND officer <> ''"
    ).fetchall()
    db.conn.executemany(
        "INSERT INTO assignments (customer_id, officer, from_day, via) VALUES (?, ?, ?, 'import')",
        [(cid, officer, day_number(str(created)[:10])) for cid, officer, created in rows],
    )


def m025_holdings(db: Any) -> None:
    """A customer's other products with the bank (产品覆盖度): deposits, cards,
    wealth products, insurance, payroll, mobile banking.

    ``holding_key`` is ``<product>/acct:<account>`` when the file gives an
    account or product number (账号/产品编号: a debit card and its current
    account may share one number, hence the product in the key), else
    ``<customer_id>/<product>/<opened_on>`` (``opened_on`` may be blank): one
    text key, so the import's upsert and audit trail work as for guarantors.
    A holding with ``closed_on`` is closed; the rest are open. Balances are in
    fen (NULL: the file gave none, as for a card). ``holding_peers`` caches, per
    peer group (the customers' industry) and product, how many customers hold it
    open and how many the group has: the call list's ``cross_sell`` term reads
    it; every import of customers, loans or holdings rebuilds it.
    """
    db.executescript(
        """
        CREATE TABLE holdings (
            holding_key TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            product     TEXT NOT NULL CHECK (product IN ('deposit', 'term_deposit', 'card',
                'credit_card', 'wealth', 'insurance', 'payroll', 'mobile_banking', 'other')),
            account     TEXT,
            balance_fen INTEGER CHECK (balance_fen >= 0),
            opened_on   TEXT,
            opened_day  INTEGER,
            closed_on   TEXT,
            closed_day  INTEGER,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        -- covering what coverage and the cross_sell term read, in customer order
        CREATE INDEX holdings_by_customer
            ON holdings (customer_id, product, closed_day, balance_fen);
        CREATE TABLE holding_peers (
            peer    TEXT NOT NULL,
            product TEXT NOT NULL,
            holders INTEGER NOT NULL,
            members INTEGER NOT NULL,
            PRIMARY KEY (peer, product)
        ) WITHOUT ROWID;
        """
    )


def m026_activity_indexes(db: Any) -> None:
    """What ``retain activity`` reads, by day: contacts covering what it counts
    (officer, channel, outcome, customer), so a week of a year's log is a range
    of the index and no contact row is read; loans by disbursement day (new
    customers, renewals and win-backs of a window), where the other indexes
    would make it read every loan."""
    db.executescript(
        """
        CREATE INDEX contacts_by_day ON contacts (at_day, officer, channel, outcome, customer_id);
        CREATE INDEX loans_by_disbursed ON loans (disbursed_day, customer_id);
        """
    )


_STAGE_RANKS = (
    "WHEN 'new' THEN 0 WHEN 'contacted' THEN 1 WHEN 'applied' THEN 2"
    " WHEN 'approved' THEN 3 WHEN 'disbursed' THEN 4"
)


def m027_pipeline_furthest_stage(db: Any) -> None:
    """What ``retain pipeline`` counts, kept on the prospect's row so that the
    report is one scan of an index, not a pass over the whole stage history.

    ``furthest_rank``: the furthest stage the history ever reached (0 new, 1
    contacted, 2 applied, 3 approved, 4 disbursed; ``lost`` is not a stage of
    the funnel), which a reopened prospect keeps; ``disbursed_day``: the first
    day it was disbursed. Both are filled from the history here, then kept by a
    trigger on every stage row added, whoever adds it (``prospect move``, an
    import, a loans import's conversion, the contact log). The covering index
    holds every column the report reads, its GROUP BY keys first so that the
    groups stream out of it; ``prospects_first_contact`` is the call list's
    new prospects never contacted, in the order they fall due.
    """
    db.executescript(
        """
        ALTER TABLE prospects ADD COLUMN furthest_rank INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE prospects ADD COLUMN disbursed_day INTEGER;
        UPDATE prospects SET
            furthest_rank = COALESCE((SELECT MAX(CASE s.stage RANKS ELSE 0 END)
                FROM prospect_stages s WHERE s.prospect_id = prospects.prospect_id), 0),
            disbursed_day = (SELECT MIN(s.day) FROM prospect_stages s
                WHERE s.prospect_id = prospects.prospect_id AND s.stage = 'disbursed');
        CREATE TRIGGER prospect_stages_furthest AFTER INSERT ON prospect_stages
        BEGIN
            UPDATE prospects SET
                furthest_rank = MAX(furthest_rank, CASE NEW.stage RANKS ELSE 0 END),
                disbursed_day = CASE WHEN NEW.stage = 'disbursed'
                    AND (disbursed_day IS NULL OR NEW.day < disbursed_day)
                    THEN NEW.day ELSE disbursed_day END
            WHERE prospect_id = NEW.prospect_id;
        END;
        CREATE INDEX prospects_for_pipeline ON prospects (channel, officer, furthest_rank,
            stage, lost_reason, entered_day, disbursed_day, stage_day, customer_id);
        CREATE INDEX prospects_first_contact ON prospects (entered_day)
            WHERE stage = 'new' AND last_contact_day IS NULL AND next_day IS NULL
                AND forgotten_day IS NULL;
        """.replace("RANKS", _STAGE_RANKS)
    )


def m028_groups(db: Any) -> None:
    """Groups (类群): a market, an association, a supply chain, a village, an
    employer … whose members are customers or prospects.

    ``name`` is stored NFKC-normalised and trimmed, so ``ＸＸ市场`` and ``XX市场``
    are one group. A member row names exactly one of ``customer_id`` (a bank's
    customer number) or ``prospect_id`` (m022's prospects, shown as ``P<n>``).
    ``group_members_by_customer`` answers the lists' ``--group`` filter (an
    EXISTS on (group_id, customer_id)); the other index lists a customer's groups.
    """
    db.executescript(
        """
        CREATE TABLE groups (
            group_id   INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,
            kind       TEXT NOT NULL DEFAULT 'other' CHECK (kind IN
                ('market', 'association', 'supply_chain', 'village', 'employer', 'other')),
            created_at TEXT NOT NULL
        );
        CREATE TABLE group_members (
            group_id    INTEGER NOT NULL REFERENCES groups(group_id),
            customer_id TEXT,
            prospect_id INTEGER,
            joined_on   TEXT NOT NULL,
            CHECK ((customer_id IS NULL) <> (prospect_id IS NULL))
        );
        CREATE UNIQUE INDEX group_members_by_customer ON group_members (group_id, customer_id)
            WHERE customer_id IS NOT NULL;
        CREATE UNIQUE INDEX group_members_by_prospect ON group_members (group_id, prospect_id)
            WHERE prospect_id IS NOT NULL;
        CREATE INDEX group_members_of_customer ON group_members (customer_id)
            WHERE customer_id IS NOT NULL;
        """
    )


def m029_prospects_planned_next(db: Any) -> None:
    """The follow-up date a prospect was added with (``prospect add --next``, an
    import's ``next_on``), kept apart from ``next_on``, which the contact log
    overwrites: undoing the only contact that decided ``next_on`` puts this
    date back. Filled here where no contact has decided ``next_on`` yet (so it
    is still the added one); elsewhere the added date is no longer known.
    """
    db.executescript(
        """
        ALTER TABLE prospects ADD COLUMN planned_next_on TEXT;
        ALTER TABLE prospects ADD COLUMN planned_next_day INTEGER;
        UPDATE prospects SET planned_next_on = next_on, planned_next_day = next_day
        WHERE NOT EXISTS (SELECT 1 FROM prospect_contacts k
            WHERE k.prospect_id = prospects.prospect_id
              AND (k.outcome NOT IN ('no_answer', 'wrong_number') OR k.next_on IS NOT NULL));
        """
    )


def m030_pipeline_conversion_indexes(db: Any) -> None:
    """What ``retain pipeline`` and ``retain referrals`` read of conversions,
    so that their money is index seeks, not row reads.

    ``loans_by_customer_since`` covers a converted customer's loans since a
    day (the principal, and the status and balance of what is still owed): the
    money of 40,000 converted prospects was 200,000 random reads of the loans
    table through ``loans_by_customer``. ``prospects_disbursed`` holds the
    disbursed prospects alone, in customer order, with what the report groups
    and counts: the days to disbursal are a scan of it, not of every prospect,
    and the money's seeks into the loans index come in that index's order.
    """
    db.executescript(
        """
        CREATE INDEX loans_by_customer_since ON loans (customer_id, disbursed_day, status,
            principal_fen, balance_fen);
        CREATE INDEX prospects_disbursed ON prospects (customer_id, entered_day, channel,
            officer, disbursed_day, stage_day, stage) WHERE stage = 'disbursed';
        """
    )


def m031_tiers_loans_facts_index(db: Any) -> None:
    """Every loan column a tier fact reads (``retain.tiers``), customer first:
    ``retain tiers`` groups the whole book's loans by customer in one pass over
    this index, with no sort and no table row read, and one customer's facts
    (``show``, the call list's tier rhythms) are a search of it."""
    db.executescript(
        """
        CREATE INDEX loans_tier_facts ON loans (customer_id, status, principal_fen, balance_fen,
            days_past_due, overdue_since_day, matures_day, disbursed_day);
        """
    )


def m032_loans_row_digest(db: Any) -> None:
    """``loans.row_digest``: what an import last accepted for the loan, so that a
    re-import can tell an unchanged row without validating it again (issues 9, 11).

    The value is ``<digest>/<day>``: a digest of the row's raw cells and of
    everything that decides how they are read (the file's columns, the rules
    and settings of validation, the store's schema), and the day number of the
    "today" it was validated on (a row valid on one day is valid on any later
    one, not on an earlier one). The trigger forgets it whenever anything else
    writes the loan (a schedule import, undo, a future command): an update that
    leaves ``row_digest`` as it was clears it, so the next import checks that
    row in full again. Existing loans start without one (their next import
    checks them in full and records it).
    """
    db.executescript(
        """
        ALTER TABLE loans ADD COLUMN row_digest TEXT;
        CREATE TRIGGER loans_forget_row_digest AFTER UPDATE ON loans
            WHEN NEW.row_digest IS NOT NULL AND NEW.row_digest IS OLD.row_digest
        BEGIN
            UPDATE loans SET row_digest = NULL WHERE loan_id = NEW.loan_id;
        END;
        """
    )


def m033_activity_loans_by_customer_day(db: Any) -> None:
    """Each loan of a customer in disbursement order, with what ``retain
    activity`` asks of them (status, closed day), what ``retention`` and the
    renewal measure read (the maturity day too) and what ``pipeline`` and
    ``referrals`` sum (principal, balance): whether a loan of the window is the
    customer's first, a renewal or a win-back, a borrower's first open loans and
    the loan that renewed a close are each one look-up of this index, where the
    status-led indexes took one per status and per question, and a sort. It
    covers everything m030's ``loans_by_customer_since`` held, in the same
    order, so that one is dropped: every index on loans is paid for by every
    loans import."""
    db.executescript(
        """
        CREATE INDEX loans_by_customer_day ON loans (customer_id, disbursed_day, status,
            closed_day, matures_day, principal_fen, balance_fen);
        DROP INDEX IF EXISTS loans_by_customer_since;
        """
    )


def m034_runoff_maturity_covers_balance(db: Any) -> None:
    """The maturity index carries each loan's balance and principal, so the
    runoff ladder's balance is summed from the index in its own order (status,
    maturity day) instead of a scan of the whole loans table and a sort."""
    db.executescript(
        """
        DROP INDEX loans_by_status_maturity;
        CREATE INDEX loans_by_status_maturity ON loans (status, matures_day, customer_id,
            balance_fen, principal_fen);
        """
    )


def m035_instalments_written_by_import(db: Any) -> None:
    """An instalment names the import that last wrote it (``import_id``) instead
    of two timestamps: the import has the time, and the audit trail each change.
    Half of a row's bytes went to the stamps (12,000,000 instalments: 2.36 →
    1.79 GB of store). A stored row takes the last schedule import started
    before its ``updated_at``."""
    db.executescript(
        """
        ALTER TABLE instalments ADD COLUMN import_id INTEGER REFERENCES imports(import_id);
        UPDATE instalments SET import_id = (SELECT MAX(m.import_id) FROM imports m
            WHERE m.kind = 'schedule' AND m.started_at <= instalments.updated_at);
        ALTER TABLE instalments DROP COLUMN created_at;
        ALTER TABLE instalments DROP COLUMN updated_at;
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
    m009_sms_ledger_by_customer,
    m010_outcomes_attempts_and_removals,
    m011_terms_first_seen,
    m012_import_rejected_customers,
    m013_phone_kind,
    m014_ops_audit_append_only,
    m015_once_export_claims,
    m016_instalment_schedules,
    m017_sched_instalments_by_due,
    m018_report_snapshots,
    m019_guarantors_collateral,
    m020_promises_table,
    m021_instal_next_due_index,
    m022_prospects,
    m023_prospects_contacts,
    m024_officers,
    m025_holdings,
    m026_activity_indexes,
    m027_pipeline_furthest_stage,
    m028_groups,
    m029_prospects_planned_next,
    m030_pipeline_conversion_indexes,
    m031_tiers_loans_facts_index,
    m032_loans_row_digest,
    m033_activity_loans_by_customer_day,
    m034_runoff_maturity_covers_balance,
    m035_instalments_written_by_import,
]
