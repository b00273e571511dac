"""What the bot stores, in SQL both engines understand (SQLite and PostgreSQL).

`Storage` holds the domain methods; an engine subclass (`sqlite.py`, `postgres.py`) supplies
connections through `transaction()` and `_read()`. The SQL here is the common subset: `?`
parameters (translated for PostgreSQL), `ON CONFLICT`, `RETURNING`, no engine-only functions.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.matching.mask import mask_personal
from bot.privacy import Cipher
from bot.storage.events_store import EventsStore
from bot.storage.migrations import MIGRATIONS, statements
from bot.storage.queue_store import QueueStore

RECENT_MESSAGES_KEPT = 200
INBOX_LEASE_SECONDS = 60.0  # a stored update not finished by then is taken over
PENDING_QUESTION_DAYS = 7  # questions never sent to a consultant are erased after this
FINISHED_STATES = ("delivered", "closed", "rejected")
ENCRYPTED_COLUMNS = (
    ("users", "pseudonym", "chat"),
    ("pending_questions", "id", "text"),
    ("tickets", "id", "text"),
    ("inbox", "update_id", "payload"),
)


@dataclass(frozen=True, slots=True)
class UserProfile:
    pseudonym: str
    lang: str | None
    lang_chosen: bool
    audience: str | None
    age_band: str | None
    blocked: bool
    is_new: bool = False
    followup_ticket: int | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class PendingQuestion:
    id: int
    pseudonym: str
    text: str
    lang: str
    topic_guess: str | None
    crisis: bool


class Cursor(Protocol):
    rowcount: int

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Iterable[Any]: ...


class Connection(Protocol):
    """The part of a DB-API-like async connection the domain code uses."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...


class Storage(QueueStore, EventsStore, ABC):
    engine: str = "?"
    # One process owns the database (SQLite): it leads every job and resumes every stored
    # update. Otherwise several replicas share it and coordinate through leases.
    single_process: bool = False

    def __init__(self, cipher: Cipher) -> None:
        self.cipher = cipher

    # -- what an engine supplies -------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One writing transaction, committed or rolled back."""

    @abstractmethod
    async def _read(self, sql: str, params: Iterable[object] = ()) -> list[Any]: ...

    @abstractmethod
    async def integrity_ok(self) -> bool: ...

    async def _lock_schema(self, db: Connection) -> None:
        """Keep two processes from migrating at once (the engine may need a lock)."""

    def _ddl(self, statement: str) -> str:
        """The engine's spelling of a migration statement."""
        return statement

    # -- schema -----------------------------------------------------------------------------
    async def _migrate(self) -> None:
        async with self.transaction() as db:
            await self._lock_schema(db)
            await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            cursor = await db.execute("SELECT MAX(version) FROM schema_version")
            current = (await cursor.fetchone())[0] or 0
            for version, script in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                for statement in statements(script):
                    await db.execute(self._ddl(statement))
                await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    async def schema_version(self) -> int:
        rows = await self._read("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    async def ping(self) -> bool:
        rows = await self._read("SELECT 1")
        return bool(rows[0][0] == 1)

    # -- meta and inbox ---------------------------------------------------------------------
    async def get_meta(self, key: str) -> str | None:
        rows = await self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    async def inbox_store(self, updates: list[tuple[int, str]], next_offset: int | None
                          ) -> list[tuple[int, str]]:
        """Store raw updates (and the next polling offset) in one transaction; returns the
        ones that are new. An update stored or handled before is ignored, so a redelivered
        webhook changes nothing."""
        now = time.time()
        fresh: list[tuple[int, str]] = []
        async with self.transaction() as db:
            for uid, raw in updates:
                cursor = await db.execute(
                    "INSERT INTO inbox (update_id, payload, received_at, lease_until)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(update_id) DO NOTHING",
                    (uid, self.cipher.encrypt(raw), now, now + INBOX_LEASE_SECONDS),
                )
                if cursor.rowcount != 1:
                    continue
                # Checked after the insert: on PostgreSQL (read committed) an insert racing
                # with `inbox_done` waits for it to commit and then succeeds, and only a
                # statement after it sees the update as handled.
                cursor = await db.execute(
                    "SELECT 1 FROM handled_updates WHERE update_id = ?", (uid,))
                if await cursor.fetchone() is not None:
                    await db.execute("DELETE FROM inbox WHERE update_id = ?", (uid,))
                    continue
                fresh.append((uid, raw))
            if next_offset is not None:
                await db.execute(
                "INSERT INTO meta (key, value) VALUES ('polling_offset', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value "
                "WHERE CAST(excluded.value AS BIGINT) > CAST(meta.value AS BIGINT)",
                (str(next_offset),),
                )
        return fresh

    async def inbox_pending(self, limit: int = 100) -> list[tuple[int, str]]:
        rows = await self._read(
            "SELECT update_id, payload FROM inbox ORDER BY update_id LIMIT ?", (limit,)
        )
        return [(int(r[0]), self.cipher.decrypt(r[1])) for r in rows]

    async def inbox_take_orphans(self, now: float | None = None, limit: int = 500
                                 ) -> list[tuple[int, str]]:
        """Take over stored updates whose replica did not finish them in time (it crashed):
        each is taken by one replica only, which then has INBOX_LEASE_SECONDS for it."""
        now = time.time() if now is None else now
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE inbox SET lease_until = ? WHERE lease_until < ? AND update_id IN ("
                " SELECT update_id FROM inbox WHERE lease_until < ? ORDER BY update_id LIMIT ?)"
                " RETURNING update_id, payload",
                (now + INBOX_LEASE_SECONDS, now, now, limit),
            )
            rows = sorted(await cursor.fetchall())
        return [(int(r[0]), self.cipher.decrypt(r[1])) for r in rows]

    async def inbox_keep(self, update_ids: Iterable[int], now: float | None = None) -> None:
        """Extend the lease of updates this replica still has queued, so that a long backlog
        is not taken over by another replica while it is being worked through."""
        now = time.time() if now is None else now
        ids = sorted(update_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            async with self.transaction() as db:
                await db.execute(
                    f"UPDATE inbox SET lease_until = ? WHERE update_id IN "
                    f"({','.join('?' * len(chunk))})",
                    (now + INBOX_LEASE_SECONDS, *chunk),
                )

    async def take_lease(self, name: str, holder: str, seconds: float,
                         now: float | None = None) -> bool:
        """Take or renew a named lease; False while another holder's lease runs."""
        now = time.time() if now is None else now
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder,"
                " until = excluded.until WHERE leases.holder = excluded.holder"
                " OR leases.until < ? RETURNING holder",
                (name, holder, now + seconds, now),
            )
            return await cursor.fetchone() is not None

    async def release_lease(self, name: str, holder: str) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    async def inbox_done(self, update_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
            await db.execute(
                "INSERT INTO handled_updates (update_id, at) VALUES (?, ?)"
                " ON CONFLICT(update_id) DO NOTHING",
                (update_id, time.time()),
            )

    async def polling_offset(self) -> int | None:
        value = await self.get_meta("polling_offset")
        return int(value) if value is not None else None

    # -- users ------------------------------------------------------------------------------
    async def touch_user(self, pseudonym: str, chat_id: int, tg_lang: str | None) -> UserProfile:
        """Load a user's profile, creating it on first contact."""
        rows = await self._read(
            "SELECT lang, lang_chosen, audience, age_band, blocked, followup_ticket, site"
            " FROM users WHERE pseudonym = ?",
            (pseudonym,),
        )
        if rows:
            r = rows[0]
            return UserProfile(pseudonym, r[0], bool(r[1]), r[2], r[3], bool(r[4]),
                               followup_ticket=r[5], site=r[6])
        now = time.time()
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO users (pseudonym, chat, lang, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(pseudonym) DO NOTHING",
                (pseudonym, self.cipher.encrypt(str(chat_id)), tg_lang, now, now),
            )
        return UserProfile(pseudonym, tg_lang, False, None, None, False, is_new=True)

    async def update_user(self, pseudonym: str, **fields: object) -> None:
        allowed = {"lang", "lang_chosen", "audience", "age_band", "blocked", "followup_ticket",
                   "site"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown user fields: {sorted(unknown)}")
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self.transaction() as db:
            await db.execute(
                f"UPDATE users SET {assignments}, updated_at = ? WHERE pseudonym = ?",
                (*fields.values(), time.time(), pseudonym),
            )

    async def user_chat(self, pseudonym: str) -> int | None:
        rows = await self._read("SELECT chat FROM users WHERE pseudonym = ?", (pseudonym,))
        if not rows or rows[0][0] is None:
            return None
        return int(self.cipher.decrypt(rows[0][0]))

    async def forget_user(self, pseudonym: str) -> None:
        """Erase everything about a user (cascades to questions, tickets, message ids)."""
        async with self.transaction() as db:
            await db.execute("DELETE FROM users WHERE pseudonym = ?", (pseudonym,))

    # -- chat message ids (for /hide) --------------------------------------------------------
    async def remember_messages(self, pseudonym: str, ids: list[tuple[int, bool]]) -> None:
        if not ids:
            return
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute("SELECT 1 FROM users WHERE pseudonym = ?", (pseudonym,))
            if await cursor.fetchone() is None:
                return
            await db.executemany(
                "INSERT INTO chat_messages (pseudonym, message_id, from_bot, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(pseudonym, message_id) DO NOTHING",
                [(pseudonym, mid, int(from_bot), now) for mid, from_bot in ids],
            )
            await db.execute(
                "DELETE FROM chat_messages WHERE pseudonym = ? AND message_id NOT IN ("
                " SELECT message_id FROM chat_messages WHERE pseudonym = ?"
                " ORDER BY message_id DESC LIMIT ?)",
                (pseudonym, pseudonym, RECENT_MESSAGES_KEPT),
            )

    async def take_recent_messages(self, pseudonym: str, since: float) -> list[int]:
        async with self.transaction() as db:
            cursor = await db.execute(
                "SELECT message_id FROM chat_messages WHERE pseudonym = ? AND created_at >= ?"
                " ORDER BY message_id",
                (pseudonym, since),
            )
            ids = [int(r[0]) for r in await cursor.fetchall()]
            await db.execute("DELETE FROM chat_messages WHERE pseudonym = ?", (pseudonym,))
        return ids

    # -- questions and tickets --------------------------------------------------------------
    async def add_pending_question(
        self, pseudonym: str, text: str, lang: str, topic_guess: str | None, crisis: bool
    ) -> int:
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO pending_questions (pseudonym, text, lang, topic_guess, crisis,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (pseudonym, self.cipher.encrypt(text), lang, topic_guess, int(crisis),
                 time.time()),
            )
            return int((await cursor.fetchone())[0])

    async def get_pending_question(self, qid: int, pseudonym: str) -> PendingQuestion | None:
        rows = await self._read(
            "SELECT id, pseudonym, text, lang, topic_guess, crisis FROM pending_questions"
            " WHERE id = ? AND pseudonym = ?",
            (qid, pseudonym),
        )
        if not rows:
            return None
        r = rows[0]
        return PendingQuestion(int(r[0]), r[1], self.cipher.decrypt(r[2]), r[3], r[4], bool(r[5]))

    async def create_ticket_from_pending(
        self, question: PendingQuestion, audience: str | None, age_band: str | None,
        specialty: str | None = None,
        notify: Callable[[int], list[tuple[int, dict[str, Any]]]] | None = None,
    ) -> tuple[int, bool]:
        """Create the ticket for a consented question; idempotent. Returns (number, created).

        `notify(number)` gives staff alerts (staff id, payload) written to the outbox in the
        same transaction, so an urgent ticket is never stored without its alerts."""
        source = f"pq:{question.id}"
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute("SELECT id FROM tickets WHERE source = ?", (source,))
            row = await cursor.fetchone()
            if row is not None:
                return int(row[0]), False
            encrypted = self.cipher.encrypt(question.text)
            cursor = await db.execute(
                "INSERT INTO tickets (source, pseudonym, lang, audience, age_band, topic_guess,"
                " specialty, priority, state, text, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                (source, question.pseudonym, question.lang, audience, age_band,
                 question.topic_guess, specialty, "urgent" if question.crisis else "normal",
                 encrypted, now),
            )
            number = int((await cursor.fetchone())[0])
            await db.execute(
                "INSERT INTO ticket_messages (ticket_id, author, staff_id, text, created_at)"
                " VALUES (?, 'user', NULL, ?, ?)", (number, encrypted, now),
            )
            await db.execute(
                "INSERT INTO audit (ticket_id, staff_id, action, detail, at)"
                " VALUES (?, NULL, 'created', ?, ?)",
                (number, "urgent" if question.crisis else None, now),
            )
            for staff_id, payload in (notify(number) if notify else []):
                await db.execute(
                    "INSERT INTO outbox (staff_id, ticket_id, kind, payload, next_attempt_at,"
                    " created_at) VALUES (?, ?, 'staff_alert', ?, ?, ?)",
                    (staff_id, number, self.cipher.encrypt(json.dumps(payload)), now, now),
                )
            return number, True

    async def count_tickets(self, pseudonym: str | None = None) -> int:
        if pseudonym is None:
            rows = await self._read("SELECT COUNT(*) FROM tickets")
        else:
            rows = await self._read(
                "SELECT COUNT(*) FROM tickets WHERE pseudonym = ?", (pseudonym,)
            )
        return int(rows[0][0])

    async def add_gap_question(self, text: str, lang: str, reason: str, nearest: str | None
                               ) -> None:
        """Keep a question the base could not answer, masked and without any user link."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO gap_questions (text, lang, reason, nearest, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (self.cipher.encrypt(mask_personal(text)), lang, reason, nearest, time.time()),
            )

    async def gap_questions(self) -> list[tuple[str, str, str, str | None]]:
        rows = await self._read(
            "SELECT text, lang, reason, nearest FROM gap_questions ORDER BY id")
        return [(self.cipher.decrypt(r[0]), r[1], r[2], r[3]) for r in rows]

    async def add_feedback(self, entry_id: str, lang: str, helpful: bool) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO feedback (entry_id, lang, helpful, created_at) VALUES (?, ?, ?, ?)",
                (entry_id, lang, int(helpful), time.time()),
            )



async def purge_expired(storage: Storage, retention_days: int,
                        now: float | None = None) -> dict[str, int]:
    """Delete what has outlived its purpose; returns how many rows went, per kind."""
    now = time.time() if now is None else now
    states = ",".join("?" * len(FINISHED_STATES))
    async with storage.transaction() as db:
        pending = await db.execute(
            "DELETE FROM pending_questions WHERE created_at < ?",
            (now - PENDING_QUESTION_DAYS * 86400,),
        )
        tickets = await db.execute(
            f"DELETE FROM tickets WHERE state IN ({states}) AND created_at < ?",
            (*FINISHED_STATES, now - retention_days * 86400),
        )
        messages = await db.execute(
            "DELETE FROM chat_messages WHERE created_at < ?", (now - 2 * 86400,)
        )
        await db.execute("DELETE FROM handled_updates WHERE at < ?", (now - 7 * 86400,))
        await db.execute("DELETE FROM gap_questions WHERE created_at < ?",
                         (now - retention_days * 86400,))
        await db.execute("DELETE FROM events WHERE at < ?", (now - retention_days * 86400,))
        return {"pending_questions": pending.rowcount, "tickets": tickets.rowcount,
                "chat_messages": messages.rowcount}


async def rotate_keys(storage: Storage) -> int:
    """Re-encrypt every stored secret with the newest key; returns the number of values."""
    count = 0
    async with storage.transaction() as db:
        for table, key, column in ENCRYPTED_COLUMNS:
            cursor = await db.execute(
                f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
            )
            rows = await cursor.fetchall()
            for row_key, value in rows:
                await db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                    (storage.cipher.rotate(value), row_key),
                )
                count += 1
    return count
