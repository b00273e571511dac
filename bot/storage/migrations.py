"""Schema migrations: each step runs once, in order, recorded in `schema_version`."""

from __future__ import annotations

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
