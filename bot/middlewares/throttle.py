"""Per-user flood limit: a few questions a minute, then one polite notice."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import gettext as _


class FloodLimiter:
    """Sliding-window counter per key, in memory (`bot.shared_state` has the Redis one)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}

    def hit(self, key: str, now: float | None = None) -> tuple[bool, bool]:
        """Record one event; returns (allowed, should_warn)."""
        now = time.monotonic() if now is None else now
        events = self._events.setdefault(key, deque())
        while events and now - events[0] > self.window:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            self._warned.pop(key, None)
            return True, False
        warned_at = self._warned.get(key)
        if warned_at is None or now - warned_at > self.window:
            self._warned[key] = now
            return False, True
        return False, False


class Flood(Protocol):
    async def check(self, key: str) -> tuple[bool, bool]: ...


class ThrottleMiddleware(BaseMiddleware):
    def __init__(self, limiter: Flood) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        alias = data.get("pseudonym")
        if alias is None or not isinstance(event, Message) or data.get("staff") is not None:
            return await handler(event, data)  # staff at work are never slowed down
        allowed, warn = await self.limiter.check(alias)
        if allowed:
            return await handler(event, data)
        if warn:
            await event.answer(
                _(
                    "You are writing very fast. Please wait a minute, then send your "
                    "question again: I will read it."
                )
            )
        return None
