"""Impact reports from the anonymous events: tables (aggregate), files and charts (render)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.reporting.aggregate import Report, build_report

if TYPE_CHECKING:
    from bot.storage.store import Storage

RAW_KINDS = ("ticket_answered", "rating")


async def load_report(storage: Storage, start: date, end: date) -> Report:
    """Read the daily counts (and the kept raw values for medians) of [start, end]."""
    first, last = start.isoformat(), end.isoformat()
    daily = await storage.daily_counts(first, last)
    raw = await storage.event_values(RAW_KINDS, first, last)
    return build_report(daily, raw, start, end, await storage.sites())
