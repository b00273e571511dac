"""Anonymous impact events and their daily aggregates (no pseudonym, no text, ever)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.storage.store import Connection, Storage

EVENT_KINDS = frozenset({"question", "helpful", "not_helpful", "escalated", "crisis_shown",
                         "crisis_declined", "ticket_answered", "rating", "forget"})


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


async def record_in(db: Connection, event: Event, at: float | None = None) -> None:
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
        " count = daily_counts.count + 1, value_sum = daily_counts.value_sum + excluded.value_sum",
        (day, event.kind, event.lang or "", event.audience or "", event.decision or "",
         event.topic or "", event.site or "", event.value or 0.0),
    )


class EventsStore:
    """Mixed into Storage."""

    async def record(self: Storage, event: Event, at: float | None = None) -> None:
        async with self.transaction() as db:
            await record_in(db, event, at)

    async def daily_counts(self: Storage, start: str, end: str) -> list[dict[str, Any]]:
        rows = await self._read(
            "SELECT day, kind, lang, audience, decision, topic, site, count, value_sum"
            " FROM daily_counts WHERE day >= ? AND day <= ? ORDER BY day",
            (start, end),
        )
        keys = ("day", "kind", "lang", "audience", "decision", "topic", "site", "count",
                "value_sum")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    async def event_values(self: Storage, kinds: tuple[str, ...], start: str, end: str
                           ) -> list[tuple[str, str, str, float]]:
        """(day, kind, site, value) of the raw events of these kinds still kept (raw events
        are purged after RETENTION_DAYS; their daily counts stay)."""
        if not kinds:
            return []
        marks = ", ".join("?" * len(kinds))
        rows = await self._read(
            "SELECT day, kind, COALESCE(site, ''), value FROM events"
            f" WHERE kind IN ({marks}) AND day >= ? AND day <= ? AND value IS NOT NULL"
            " ORDER BY id",
            (*kinds, start, end),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows]

    async def create_site(self: Storage, name: str) -> str:
        code = secrets.token_hex(4)
        async with self.transaction() as db:
            await db.execute("INSERT INTO sites (code, name, created_at) VALUES (?, ?, ?)",
                             (code, name, time.time()))
        return code

    async def sites(self: Storage) -> dict[str, str]:
        rows = await self._read("SELECT code, name FROM sites ORDER BY created_at")
        return {r[0]: r[1] for r in rows}

    async def site_exists(self: Storage, code: str) -> bool:
        return bool(await self._read("SELECT 1 FROM sites WHERE code = ?", (code,)))

    async def site_user_counts(self: Storage) -> dict[str, int]:
        """How many users (still known: /forget removes them) arrived through each site."""
        rows = await self._read(
            "SELECT site, COUNT(*) FROM users WHERE site IS NOT NULL GROUP BY site")
        return {str(r[0]): int(r[1]) for r in rows}
