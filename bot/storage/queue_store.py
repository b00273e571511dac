"""Staff, invitations, tickets, audit and outbox: the SQL of the consultant queue.

Every state change is a conditional UPDATE inside one writing transaction, so two consultants
can never claim the same ticket and a draft can never be approved twice.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.queue.states import Action, State, next_state
from bot.storage.events_store import Event, record_in

if TYPE_CHECKING:
    from bot.storage.store import Storage

INVITE_TTL = 48 * 3600
LEASE_SECONDS = 30 * 60


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    tg_id: int
    role: str
    alias: str | None
    languages: tuple[str, ...]
    specialties: tuple[str, ...]
    on_duty: bool
    active: bool
    approved_answers: int
    active_ticket: int | None
    pending_input: str | None
    locale: str | None = None

    @property
    def display(self) -> str:
        return self.alias or f"#{self.id}"


@dataclass(frozen=True, slots=True)
class TicketView:
    """What staff may see of a ticket: never who asked."""

    id: int
    lang: str
    audience: str | None
    age_band: str | None
    topic_guess: str | None
    specialty: str | None
    priority: str
    state: str
    created_at: float
    claimed_by: int | None
    lease_until: float | None
    draft: str | None
    draft_by: int | None
    draft_kind: str | None
    review_comment: str | None
    consultant_id: int | None
    messages: tuple[tuple[str, str], ...]  # (author, text), oldest first

    @property
    def question(self) -> str:
        users = [text for author, text in self.messages if author == "user"]
        return users[-1] if users else ""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    pseudonym: str | None
    staff_id: int | None
    ticket_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int


_STAFF_COLUMNS = ("id, tg_id, role, alias, languages, specialties, on_duty, active, "
                  "approved_answers, active_ticket, pending_input, locale")
_TICKET_COLUMNS = ("id, lang, audience, age_band, topic_guess, specialty, priority, state, "
                   "created_at, claimed_by, lease_until, draft, draft_by, draft_kind, "
                   "review_comment, consultant_id")


def _staff(row: Any) -> Staff:
    return Staff(
        int(row[0]), int(row[1]), row[2], row[3],
        tuple(x for x in (row[4] or "").split(",") if x),
        tuple(x for x in (row[5] or "").split(",") if x),
        bool(row[6]), bool(row[7]), int(row[8]), row[9], row[10], row[11],
    )


class QueueStore:
    """Mixed into Storage."""

    # -- staff --------------------------------------------------------------------------------
    async def staff_by_tg(self: Storage, tg_id: int) -> Staff | None:
        rows = await self._read(f"SELECT {_STAFF_COLUMNS} FROM staff WHERE tg_id = ?",
                                (int(tg_id),))
        return _staff(rows[0]) if rows else None

    async def staff_by_id(self: Storage, staff_id: int) -> Staff | None:
        rows = await self._read(f"SELECT {_STAFF_COLUMNS} FROM staff WHERE id = ?",
                                (int(staff_id),))
        return _staff(rows[0]) if rows else None

    async def list_staff(self: Storage) -> list[Staff]:
        rows = await self._read(f"SELECT {_STAFF_COLUMNS} FROM staff ORDER BY id")
        return [_staff(r) for r in rows]

    async def ensure_admin(self: Storage, tg_id: int, locale: str) -> Staff:
        now = time.time()
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO staff (tg_id, role, alias, languages, specialties, locale,"
                " created_at, updated_at) VALUES (?, 'admin', 'Admin', 'kk,ru,en', '', ?, ?, ?)"
                " ON CONFLICT(tg_id) DO UPDATE SET role = 'admin', active = 1",
                (int(tg_id), locale, now, now),
            )
        staff = await self.staff_by_tg(tg_id)
        assert staff is not None
        return staff

    async def update_staff(self: Storage, staff_id: int, **fields: Any) -> None:
        allowed = {"role", "alias", "languages", "specialties", "on_duty", "active",
                   "active_ticket", "pending_input", "locale"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown staff fields: {sorted(unknown)}")
        values = [",".join(v) if isinstance(v, tuple | list) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self.transaction() as db:
            await db.execute(
                f"UPDATE staff SET {assignments}, updated_at = ? WHERE id = ?",
                (*values, time.time(), staff_id),
            )

    async def on_duty_staff(self: Storage, lang: str | None = None,
                            moderators_only: bool = False) -> list[Staff]:
        rows = await self._read(
            f"SELECT {_STAFF_COLUMNS} FROM staff WHERE active = 1 AND on_duty = 1 ORDER BY id"
        )
        staff = [_staff(r) for r in rows]
        if moderators_only:
            staff = [s for s in staff if s.role in ("moderator", "admin")]
        if lang is not None:
            staff = [s for s in staff if lang in s.languages or s.role == "admin"]
        return staff

    # -- invitations ------------------------------------------------------------------------
    async def create_invite(self: Storage, role: str, created_by: int) -> str:
        code = secrets.token_urlsafe(18)
        now = time.time()
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO invites (code, role, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (code, role, created_by, now, now + INVITE_TTL),
            )
        return code

    async def redeem_invite(self: Storage, code: str, tg_id: int, locale: str
                            ) -> Staff | None:
        """Use a single-use, unexpired invitation to register (or re-role) a staff member."""
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL"
                " AND expires_at > ? RETURNING role",
                (int(tg_id), now, code, now),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            await db.execute(
                "INSERT INTO staff (tg_id, role, locale, created_at, updated_at, pending_input)"
                " VALUES (?, ?, ?, ?, ?, 'alias') ON CONFLICT(tg_id) DO UPDATE SET"
                " role = excluded.role, active = 1, pending_input = 'alias'",
                (int(tg_id), row[0], locale, now, now),
            )
        return await self.staff_by_tg(tg_id)

    # -- audit ------------------------------------------------------------------------------
    async def audit_log(self: Storage, ticket_id: int) -> list[tuple[float, int | None,
                                                                           str, str | None]]:
        rows = await self._read(
            "SELECT at, staff_id, action, detail FROM audit WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return [(float(r[0]), r[1], r[2], r[3]) for r in rows]

    # -- tickets ----------------------------------------------------------------------------
    async def ticket(self: Storage, ticket_id: int) -> TicketView | None:
        rows = await self._read(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?",
                                (ticket_id,))
        if not rows:
            return None
        messages = await self._read(
            "SELECT author, text FROM ticket_messages WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return self._ticket_view(rows[0], messages)

    def _ticket_view(self: Storage, r: Any, messages: list[Any]) -> TicketView:
        dec = self.cipher.decrypt
        return TicketView(
            id=int(r[0]), lang=r[1], audience=r[2], age_band=r[3], topic_guess=r[4],
            specialty=r[5], priority=r[6], state=r[7], created_at=float(r[8]),
            claimed_by=r[9], lease_until=r[10], draft=dec(r[11]) if r[11] else None,
            draft_by=r[12], draft_kind=r[13],
            review_comment=dec(r[14]) if r[14] else None, consultant_id=r[15],
            messages=tuple((m[0], dec(m[1])) for m in messages),
        )

    async def queue(self: Storage, languages: tuple[str, ...],
                    specialties: tuple[str, ...], limit: int = 10) -> list[TicketView]:
        """Open tickets in these languages (and specialties, or none set): urgent, then
        oldest first."""
        langs = ",".join("?" * len(languages)) or "''"
        rows = await self._read(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE state = 'open' AND lang IN ({langs})"
            " ORDER BY priority = 'urgent' DESC, created_at LIMIT ?",
            (*languages, limit * 5),
        )
        result = []
        for row in rows:
            if row[5] and specialties and row[5] not in specialties:
                continue
            result.append(await self.ticket(int(row[0])))
        return [t for t in result if t is not None][:limit]

    async def review_queue(self: Storage, reviewer: int, limit: int = 10
                           ) -> list[TicketView]:
        rows = await self._read(
            "SELECT id FROM tickets WHERE state = 'draft_ready' AND draft_by != ?"
            " ORDER BY priority = 'urgent' DESC, submitted_at LIMIT ?",
            (reviewer, limit),
        )
        tickets = [await self.ticket(int(r[0])) for r in rows]
        return [t for t in tickets if t is not None]

    async def transition(self: Storage, ticket_id: int, action: Action, staff_id: int | None,
                         *, expect: tuple[State, ...] | None = None, detail: str | None = None,
                         extra_sql: str = "", extra_params: tuple[Any, ...] = (),
                         where_sql: str = "", where_params: tuple[Any, ...] = (),
                         ) -> TicketView | None:
        """Move a ticket along one allowed transition, atomically; None if it was not in a
        state that allows it (someone else got there first)."""
        async with self.transaction() as db:
            cursor = await db.execute("SELECT state FROM tickets WHERE id = ?", (ticket_id,))
            row = await cursor.fetchone()
            if row is None:
                return None
            current = row[0]
            if expect is not None and current not in expect:
                return None
            try:
                target = next_state(current, action)
            except Exception:
                return None
            sets = f"state = ?{', ' + extra_sql if extra_sql else ''}"
            cursor = await db.execute(
                f"UPDATE tickets SET {sets} WHERE id = ? AND state = ?{where_sql}",
                (target.value, *extra_params, ticket_id, current, *where_params),
            )
            if cursor.rowcount != 1:
                return None
            await db.execute(
                "INSERT INTO audit (ticket_id, staff_id, action, detail, at) VALUES (?,?,?,?,?)",
                (ticket_id, staff_id, action.value, detail, time.time()),
            )
        return await self.ticket(ticket_id)

    async def claim(self: Storage, ticket_id: int, staff_id: int,
                    lease: float = LEASE_SECONDS) -> TicketView | None:
        now = time.time()
        ticket = await self.transition(
            ticket_id, Action.CLAIM, staff_id, expect=(State.OPEN,),
            extra_sql="claimed_by = ?, lease_until = ?, claimed_at = COALESCE(claimed_at, ?)",
            extra_params=(staff_id, now + lease, now),
        )
        if ticket is not None:
            await self.update_staff(staff_id, active_ticket=ticket_id)
        return ticket

    async def release(self: Storage, ticket_id: int, staff_id: int | None,
                      detail: str | None = None) -> TicketView | None:
        where, params = ("", ()) if staff_id is None else (" AND claimed_by = ?", (staff_id,))
        return await self.transition(
            ticket_id, Action.RELEASE, staff_id, detail=detail,
            extra_sql="claimed_by = NULL, lease_until = NULL",
            where_sql=where, where_params=params,
        )

    async def save_draft(self: Storage, ticket_id: int, staff_id: int, text: str,
                         kind: str = "answer") -> bool:
        """Write or replace the draft of a ticket this consultant holds."""
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE tickets SET draft = ?, draft_by = ?, draft_kind = ?, lease_until = ?"
                " WHERE id = ? AND claimed_by = ? AND state IN ('claimed', 'returned')",
                (self.cipher.encrypt(text), staff_id, kind, now + LEASE_SECONDS, ticket_id,
                 staff_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "INSERT INTO audit (ticket_id, staff_id, action, detail, at) VALUES (?,?,?,?,?)",
                (ticket_id, staff_id, "draft", kind, now),
            )
        return True

    async def add_ticket_message(self: Storage, ticket_id: int, author: str,
                                 staff_id: int | None, text: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO ticket_messages (ticket_id, author, staff_id, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (ticket_id, author, staff_id, self.cipher.encrypt(text), time.time()),
            )
            if author == "note":
                await db.execute(
                    "INSERT INTO audit (ticket_id, staff_id, action, detail, at)"
                    " VALUES (?, ?, 'note', NULL, ?)", (ticket_id, staff_id, time.time()),
                )

    async def approve_and_enqueue(self: Storage, ticket_id: int, moderator: int | None,
                                  payload: dict[str, Any], *, auto: bool = False
                                  ) -> TicketView | None:
        """Approve a submitted draft (never one's own) and put the delivery into the outbox,
        in one transaction."""
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute(
                "SELECT state, draft_by, draft, pseudonym, draft_kind FROM tickets"
                " WHERE id = ?", (ticket_id,))
            row = await cursor.fetchone()
            if row is None or row[0] != State.DRAFT_READY or row[2] is None:
                return None
            if not auto and row[1] == moderator:
                return None
            cursor = await db.execute(
                "UPDATE tickets SET state = 'approved', reviewed_by = ?, consultant_id = draft_by"
                " WHERE id = ? AND state = 'draft_ready'", (moderator, ticket_id),
            )
            if cursor.rowcount != 1:
                return None
            text = self.cipher.decrypt(row[2])
            await db.execute(
                "INSERT INTO ticket_messages (ticket_id, author, staff_id, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (ticket_id, "question" if row[4] == "question" else "consultant", row[1],
                 row[2], now),
            )
            await db.execute(
                "UPDATE staff SET approved_answers = approved_answers + 1 WHERE id = ?",
                (row[1],),
            )
            body = {**payload, "text": payload["text"].replace("\x00DRAFT\x00", text)}
            await db.execute(
                "INSERT INTO outbox (pseudonym, ticket_id, kind, payload, next_attempt_at,"
                " created_at) VALUES (?, ?, 'answer', ?, ?, ?)",
                (row[3], ticket_id, self.cipher.encrypt(json.dumps(body)), now, now),
            )
            await db.execute(
                "INSERT INTO audit (ticket_id, staff_id, action, detail, at) VALUES (?,?,?,?,?)",
                (ticket_id, moderator, "approve", "auto" if auto else None, now),
            )
        return await self.ticket(ticket_id)

    async def expired_leases(self: Storage, now: float | None = None) -> list[int]:
        now = time.time() if now is None else now
        rows = await self._read(
            "SELECT id FROM tickets WHERE state IN ('claimed', 'returned') AND lease_until < ?",
            (now,),
        )
        return [int(r[0]) for r in rows]

    async def tickets_to_remind(self: Storage, older_than: float, now: float | None = None
                                ) -> list[int]:
        now = time.time() if now is None else now
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE tickets SET reminded_at = ? WHERE state = 'open' AND created_at < ?"
                " AND (reminded_at IS NULL OR reminded_at < ?) RETURNING id",
                (now, now - older_than, now - older_than),
            )
            return [int(r[0]) for r in await cursor.fetchall()]

    async def drafts_waiting(self: Storage, older_than: float, now: float | None = None
                             ) -> list[int]:
        now = time.time() if now is None else now
        rows = await self._read(
            "SELECT id FROM tickets WHERE state = 'draft_ready' AND submitted_at < ?",
            (now - older_than,),
        )
        return [int(r[0]) for r in rows]

    async def late_tickets_to_tell(self: Storage, promised: float,
                                   now: float | None = None) -> list[tuple[int, str, str]]:
        """Unanswered tickets past the promised time whose user was not told yet."""
        now = time.time() if now is None else now
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE tickets SET user_told_late = 1 WHERE user_told_late = 0 AND state IN"
                " ('open','claimed','draft_ready','returned') AND created_at < ?"
                " AND pseudonym IS NOT NULL RETURNING id, pseudonym, lang",
                (now - promised,),
            )
            return [(int(r[0]), r[1], r[2]) for r in await cursor.fetchall()]

    async def set_rating(self: Storage, ticket_id: int, pseudonym: str, rating: int
                         ) -> bool:
        """Store the user's rating; True only for the first rating of the ticket (a changed
        rating replaces the stored one but is not counted again in the reports)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "SELECT rating FROM tickets WHERE id = ? AND pseudonym = ?",
                (ticket_id, pseudonym),
            )
            row = await cursor.fetchone()
            if row is None:
                return False
            await db.execute("UPDATE tickets SET rating = ? WHERE id = ?", (rating, ticket_id))
            return row[0] is None

    async def ticket_owner(self: Storage, ticket_id: int) -> str | None:
        rows = await self._read("SELECT pseudonym FROM tickets WHERE id = ?", (ticket_id,))
        return rows[0][0] if rows else None

    async def remember_staff_message(self: Storage, staff_id: int, message_id: int,
                                     ticket_id: int) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO staff_messages (staff_id, message_id, ticket_id) VALUES (?, ?, ?)"
                " ON CONFLICT(staff_id, message_id) DO UPDATE SET ticket_id = excluded.ticket_id",
                (staff_id, message_id, ticket_id),
            )

    async def ticket_for_staff_message(self: Storage, staff_id: int, message_id: int
                                       ) -> int | None:
        rows = await self._read(
            "SELECT ticket_id FROM staff_messages WHERE staff_id = ? AND message_id = ?",
            (staff_id, message_id),
        )
        return int(rows[0][0]) if rows else None

    # -- outbox -----------------------------------------------------------------------------
    async def enqueue(self: Storage, kind: str, payload: dict[str, Any], *,
                      pseudonym: str | None = None, staff_id: int | None = None,
                      ticket_id: int | None = None) -> int:
        now = time.time()
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO outbox (pseudonym, staff_id, ticket_id, kind, payload,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (pseudonym, staff_id, ticket_id, kind, self.cipher.encrypt(json.dumps(payload)),
                 now, now),
            )
            return int((await cursor.fetchone())[0])

    async def due_outbox(self: Storage, limit: int = 50, now: float | None = None
                         ) -> list[OutboxItem]:
        now = time.time() if now is None else now
        rows = await self._read(
            "SELECT id, pseudonym, staff_id, ticket_id, kind, payload, attempts FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )
        return [
            OutboxItem(int(r[0]), r[1], r[2], r[3], r[4],
                       json.loads(self.cipher.decrypt(r[5])), int(r[6]))
            for r in rows
        ]

    async def outbox_sent(self: Storage, item: OutboxItem, message_id: int | None) -> None:
        now = time.time()
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ? WHERE id = ?",
                (now, message_id, item.id),
            )
            if item.kind == "answer" and item.ticket_id is not None:
                cursor = await db.execute(
                    "SELECT t.created_at, t.lang, t.audience, t.first_answer_at, t.topic_guess,"
                    " u.site FROM tickets t LEFT JOIN users u ON u.pseudonym = t.pseudonym"
                    " WHERE t.id = ? AND t.state = 'approved'", (item.ticket_id,))
                ticket = await cursor.fetchone()
                if ticket is not None and ticket[3] is None:
                    await record_in(db, Event("ticket_answered", ticket[1], ticket[2],
                                              topic=ticket[4], site=ticket[5],
                                              value=now - float(ticket[0])), now)
                await db.execute(
                    "UPDATE tickets SET state = 'delivered', delivered_at = ?,"
                    " first_answer_at = COALESCE(first_answer_at, ?),"
                    " answered_at = COALESCE(answered_at, ?)"
                    " WHERE id = ? AND state = 'approved'",
                    (now, now, now, item.ticket_id),
                )
                await db.execute(
                    "INSERT INTO audit (ticket_id, staff_id, action, detail, at)"
                    " VALUES (?, NULL, 'deliver', NULL, ?)", (item.ticket_id, now),
                )

    async def outbox_retry(self: Storage, item: OutboxItem, delay: float, error: str
                           ) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, error = ?"
                " WHERE id = ?", (time.time() + delay, error, item.id),
            )

    async def outbox_undeliverable(self: Storage, item: OutboxItem, error: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET state = 'undeliverable', error = ? WHERE id = ?",
                (error, item.id),
            )
            if item.ticket_id is not None and item.pseudonym is not None:
                await db.execute(
                    "UPDATE tickets SET undeliverable = 1 WHERE id = ?", (item.ticket_id,)
                )
                await db.execute(
                    "INSERT INTO audit (ticket_id, staff_id, action, detail, at)"
                    " VALUES (?, NULL, 'undeliverable', ?, ?)",
                    (item.ticket_id, error, time.time()),
                )

    async def outbox_counts(self: Storage) -> dict[str, int]:
        rows = await self._read("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {r[0]: int(r[1]) for r in rows}

    async def ticket_state_counts(self: Storage) -> dict[str, int]:
        rows = await self._read("SELECT state, COUNT(*) FROM tickets GROUP BY state")
        return {r[0]: int(r[1]) for r in rows}

    # -- stats ------------------------------------------------------------------------------
    async def ticket_rows_for_stats(self: Storage) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self._read(
            "SELECT state, lang, consultant_id, created_at, first_answer_at, delivered_at,"
            " rating FROM tickets"
        )]
