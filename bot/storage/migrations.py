"""Schema migrations: each step runs once, in order, recorded in `schema_version`."""

from __future__ import annotations

import re

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload BLOB NOT NULL,          -- encrypted raw update
        received_at REAL NOT NULL
    );
    CREATE TABLE users (
        pseudonym TEXT PRIMARY KEY,     -- HMAC of the Telegram id; never the id itself
        chat BLOB,                      -- encrypted chat id, needed only for delivery
        lang TEXT,
        lang_chosen INTEGER NOT NULL DEFAULT 0,
        audience TEXT,
        age_band TEXT,
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE pending_questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pseudonym TEXT NOT NULL REFERENCES users(pseudonym) ON DELETE CASCADE,
        text BLOB NOT NULL,             -- encrypted
        lang TEXT NOT NULL,
        topic_guess TEXT,
        crisis INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the ticket number users and staff see
        source TEXT NOT NULL UNIQUE,            -- idempotency key (e.g. pending question id)
        pseudonym TEXT REFERENCES users(pseudonym) ON DELETE CASCADE,
        lang TEXT NOT NULL,
        audience TEXT,
        age_band TEXT,
        topic_guess TEXT,
        priority TEXT NOT NULL DEFAULT 'normal',
        state TEXT NOT NULL DEFAULT 'open',
        text BLOB NOT NULL,                     -- encrypted question
        created_at REAL NOT NULL,
        claimed_at REAL,
        answered_at REAL,
        delivered_at REAL,
        closed_at REAL
    );
    CREATE INDEX tickets_state ON tickets(state, priority, created_at);
    CREATE TABLE chat_messages (
        pseudonym TEXT NOT NULL REFERENCES users(pseudonym) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        from_bot INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (pseudonym, message_id)
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    """,
)

MIGRATIONS += (
    # 2: the consultant queue, the outbox and the audit log
    """
    CREATE TABLE staff (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the staff number shown to admins
        tg_id INTEGER NOT NULL UNIQUE,          -- staff are employees, known by their account
        role TEXT NOT NULL,
        alias TEXT,                             -- shown to users, e.g. "Doctor Aigerim"
        locale TEXT,                            -- the language of the staff interface
        languages TEXT NOT NULL DEFAULT '',
        specialties TEXT NOT NULL DEFAULT '',
        on_duty INTEGER NOT NULL DEFAULT 1,
        active INTEGER NOT NULL DEFAULT 1,
        approved_answers INTEGER NOT NULL DEFAULT 0,
        active_ticket INTEGER,
        pending_input TEXT,                     -- what the next text means (alias, note, ...)
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        created_by INTEGER,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        used_by INTEGER,
        used_at REAL
    );
    ALTER TABLE users ADD COLUMN followup_ticket INTEGER;
    ALTER TABLE tickets ADD COLUMN specialty TEXT;
    ALTER TABLE tickets ADD COLUMN claimed_by INTEGER;
    ALTER TABLE tickets ADD COLUMN lease_until REAL;
    ALTER TABLE tickets ADD COLUMN draft BLOB;
    ALTER TABLE tickets ADD COLUMN draft_by INTEGER;
    ALTER TABLE tickets ADD COLUMN draft_kind TEXT;
    ALTER TABLE tickets ADD COLUMN review_comment BLOB;
    ALTER TABLE tickets ADD COLUMN reviewed_by INTEGER;
    ALTER TABLE tickets ADD COLUMN reject_reason TEXT;
    ALTER TABLE tickets ADD COLUMN rating INTEGER;
    ALTER TABLE tickets ADD COLUMN consultant_id INTEGER;
    ALTER TABLE tickets ADD COLUMN reminded_at REAL;
    ALTER TABLE tickets ADD COLUMN user_told_late INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN undeliverable INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN first_answer_at REAL;
    ALTER TABLE tickets ADD COLUMN submitted_at REAL;
    CREATE TABLE ticket_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
        author TEXT NOT NULL,                   -- user | consultant | note | question
        staff_id INTEGER,
        text BLOB NOT NULL,                     -- encrypted
        created_at REAL NOT NULL
    );
    CREATE TABLE staff_messages (
        staff_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        ticket_id INTEGER NOT NULL,
        PRIMARY KEY (staff_id, message_id)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER,
        staff_id INTEGER,
        action TEXT NOT NULL,
        detail TEXT,
        at REAL NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pseudonym TEXT REFERENCES users(pseudonym) ON DELETE CASCADE,  -- a user, or
        staff_id INTEGER,                                             -- a staff member
        ticket_id INTEGER,
        kind TEXT NOT NULL,
        payload BLOB NOT NULL,                  -- encrypted JSON: text and buttons
        state TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | undeliverable
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        created_at REAL NOT NULL,
        sent_at REAL,
        message_id INTEGER,
        error TEXT
    );
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
    CREATE TABLE gap_questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- no link to any user, by design
        text BLOB NOT NULL,                     -- encrypted, personal data masked
        lang TEXT NOT NULL,
        reason TEXT NOT NULL,                   -- escalated | not_helpful
        nearest TEXT,
        created_at REAL NOT NULL
    );
    ALTER TABLE users ADD COLUMN site TEXT;
    CREATE TABLE sites (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- anonymous: no pseudonym, no text
        at REAL NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        lang TEXT,
        audience TEXT,
        decision TEXT,
        topic TEXT,
        score_band TEXT,
        site TEXT,
        value REAL
    );
    CREATE TABLE daily_counts (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT '',
        audience TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL DEFAULT '',
        topic TEXT NOT NULL DEFAULT '',
        site TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL DEFAULT 0,
        value_sum REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (day, kind, lang, audience, decision, topic, site)
    );
    CREATE TABLE handled_updates (
        update_id INTEGER PRIMARY KEY,          -- handled already: a redelivery is ignored
        at REAL NOT NULL
    );
    CREATE INDEX audit_ticket ON audit(ticket_id);
    """,
)


MIGRATIONS += (
    # 3: several replicas: leases for jobs that must run once, and inbox rows a replica took
    """
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,                  -- e.g. "jobs": outbox, reminders, purge
        holder TEXT NOT NULL,                   -- the replica holding it (host:port)
        until REAL NOT NULL
    );
    ALTER TABLE inbox ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    """,
)


def statements(script: str) -> list[str]:
    """Split a migration script into statements: each ends with ";" at the end of a line
    (so a one-line trigger body may hold "; " inside). Comments are removed first."""
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [part.strip() for part in re.split(r";[ \t]*\n", code + "\n") if part.strip()]
