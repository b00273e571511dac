"""Impact reports from the anonymous events: tables (aggregate), files and charts (render)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING

from bot.reporting.aggregate import Report, build_report

if TYPE_CHECKING:
    from bot.storage.store import Storage

RAW_KINDS = ("ticket_answered", "rating")


async def load_report(storage: Storage, start: date, end: date) -> Report:
    """Read the daily counts (and the kept raw values for medians) of [start, end] and build
    the tables in a worker thread (a year of a busy service takes seconds)."""
    first, last = start.isoformat(), end.isoformat()
    daily = await storage.daily_counts(first, last)
    raw = await storage.event_values(RAW_KINDS, first, last)
    sites = await storage.sites()
    return await asyncio.to_thread(build_report, daily, raw, start, end, sites)
