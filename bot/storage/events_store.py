"""Anonymous impact events and their daily aggregates (no pseudonym, no text, ever)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aiosqlite

    from bot.storage.sqlite import SQLiteStorage

EVENT_KINDS = frozenset({"question", "helpful", "not_helpful", "escalated", "crisis_shown",
                         "ticket_answered", "rating", "forget"})


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    lang: str | None = None
    audience: str | None = None
    decision: str | None = None
    topic: str | None = None
    score_band: str | None = None
    site: str | None = None
    value: float | None = None


def score_band(score: float) -> str:
    low = int(score // 10) * 10
    return f"{low}-{low + 9}"


async def record_in(db: aiosqlite.Connection, event: Event, at: float | None = None) -> None:
    """Write an event and its daily aggregate inside an open transaction."""
    if event.kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {event.kind!r}")
    at = time.time() if at is None else at
    day = datetime.fromtimestamp(at, UTC).date().isoformat()
    await db.execute(
        "INSERT INTO events (at, day, kind, lang, audience, decision, topic, score_band,"
        " site, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, day, event.kind, event.lang, event.audience, event.decision, event.topic,
         event.score_band, event.site, event.value),
    )
    await db.execute(
        "INSERT INTO daily_counts (day, kind, lang, audience, decision, topic, site,"
        " count, value_sum) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)"
        " ON CONFLICT(day, kind, lang, audience, decision, topic, site) DO UPDATE SET"
        " count = count + 1, value_sum = value_sum + excluded.value_sum",
        (day, event.kind, event.lang or "", event.audience or "", event.decision or "",
         event.topic or "", event.site or "", event.value or 0.0),
    )


class EventsStore:
    """Mixed into SQLiteStorage."""

    async def record(self: SQLiteStorage, event: Event, at: float | None = None) -> None:
        async with self.transaction() as db:
            await record_in(db, event, at)

    async def daily_counts(self: SQLiteStorage, start: str, end: str) -> list[dict[str, Any]]:
        rows = await self._read(
            "SELECT day, kind, lang, audience, decision, topic, site, count, value_sum"
            " FROM daily_counts WHERE day >= ? AND day <= ? ORDER BY day",
            (start, end),
        )
        keys = ("day", "kind", "lang", "audience", "decision", "topic", "site", "count",
                "value_sum")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    async def create_site(self: SQLiteStorage, name: str) -> str:
        code = secrets.token_hex(4)
        async with self.transaction() as db:
            await db.execute("INSERT INTO sites (code, name, created_at) VALUES (?, ?, ?)",
                             (code, name, time.time()))
        return code

    async def sites(self: SQLiteStorage) -> dict[str, str]:
        rows = await self._read("SELECT code, name FROM sites ORDER BY created_at")
        return {r[0]: r[1] for r in rows}

    async def site_exists(self: SQLiteStorage, code: str) -> bool:
        return bool(await self._read("SELECT 1 FROM sites WHERE code = ?", (code,)))
