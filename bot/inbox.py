"""Processing of stored updates: in order within a chat, concurrently across chats.

Both the poller and the webhook write each update to the encrypted `inbox` table before it
is acknowledged to Telegram, then hand it here. A row leaves the inbox only when its handler
has finished, so after a crash the leftovers are processed again on start.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.metrics import HANDLER_SECONDS
from bot.storage.store import Storage

log = logging.getLogger("bot.inbox")


def chat_key(raw: dict[str, Any]) -> int:
    for kind in ("message", "edited_message", "callback_query"):
        body = raw.get(kind)
        if isinstance(body, dict):
            sender = body.get("from") or body.get("chat") or {}
            return int(sender.get("id", 0))
    return 0


class InboxProcessor:
    def __init__(self, bot: Bot, dp: Dispatcher, storage: Storage, **workflow: Any
                 ) -> None:
        self.bot = bot
        self.dp = dp
        self.storage = storage
        self.workflow = workflow
        self._queues: dict[int, asyncio.Queue[tuple[int, str]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._known: set[int] = set()

    async def resume(self, *, alone: bool) -> None:
        """Hand over what a previous run stored but did not finish. When this process is the
        only one (SQLite, or polling, which Telegram allows to one process), everything left is
        its own; with several webhook replicas only updates whose lease ran out are taken (the
        others may still be in another replica's hands)."""
        if alone:
            self.enqueue(await self.storage.inbox_pending(limit=100_000))
        else:
            self.enqueue(await self.storage.inbox_take_orphans())

    def in_hand(self) -> list[int]:
        """Updates queued or being handled here."""
        return list(self._known)

    async def drain(self) -> None:
        """Wait for every queued update to be handled (graceful shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    def enqueue(self, batch: list[tuple[int, str]]) -> None:
        for update_id, raw in batch:
            if update_id in self._known:
                continue
            self._known.add(update_id)
            key = chat_key(json.loads(raw))
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = asyncio.Queue()
                self._workers[key] = asyncio.create_task(self._worker(key, queue))
            queue.put_nowait((update_id, raw))

    async def _worker(self, key: int, queue: asyncio.Queue[tuple[int, str]]) -> None:
        """Handle one chat's updates in order; exit when its queue is empty."""
        try:
            while not queue.empty():
                update_id, raw = queue.get_nowait()
                try:
                    with HANDLER_SECONDS.time():
                        update = Update.model_validate(json.loads(raw),
                                                       context={"bot": self.bot})
                        await self.dp.feed_update(self.bot, update, **self.workflow)
                except Exception as exc:  # a poison update must not stop the others
                    log.error("update_failed", extra={"error": type(exc).__name__})
                # Not reached on cancellation: the row stays in the inbox and is replayed.
                await self.storage.inbox_done(update_id)
                self._known.discard(update_id)
        finally:
            if self._workers.get(key) is asyncio.current_task():
                del self._workers[key]
                del self._queues[key]
