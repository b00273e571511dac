"""Durable long polling: an update is stored before Telegram is told it was received.

aiogram's own polling moves the getUpdates offset past an update before its handler has
finished, so a crash would lose the question. Here each batch is written to the encrypted
`inbox` table together with the next offset in one transaction, and only then processed;
a row leaves the inbox when its handler has finished. After a crash the leftovers are
processed first. Updates of one chat are handled in order; chats are handled concurrently.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.storage.sqlite import SQLiteStorage

log = logging.getLogger("bot.polling")
ALLOWED_UPDATES = ["message", "callback_query"]


def chat_key(raw: dict[str, Any]) -> int:
    for kind in ("message", "edited_message", "callback_query"):
        body = raw.get(kind)
        if isinstance(body, dict):
            sender = body.get("from") or body.get("chat") or {}
            return int(sender.get("id", 0))
    return 0


class DurablePoller:
    def __init__(self, bot: Bot, dp: Dispatcher, storage: SQLiteStorage, *,
                 poll_timeout: int = 25, **workflow: Any) -> None:
        self.bot = bot
        self.dp = dp
        self.storage = storage
        self.poll_timeout = poll_timeout
        self.workflow = workflow
        self._queues: dict[int, asyncio.Queue[tuple[int, str]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._known: set[int] = set()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        await self._enqueue(await self.storage.inbox_pending(limit=10_000))
        offset = await self.storage.polling_offset()
        backoff = 1.0
        while not self._stop.is_set():
            poll = asyncio.ensure_future(self.bot(
                GetUpdates(offset=offset, timeout=self.poll_timeout,
                           allowed_updates=ALLOWED_UPDATES),
                request_timeout=self.poll_timeout + 10,
            ))
            stopper = asyncio.ensure_future(self._stop.wait())
            done, _ = await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if poll not in done:
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
                break
            stopper.cancel()
            try:
                updates = poll.result()
            except (TelegramUnauthorizedError, TelegramConflictError):
                raise
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError, TimeoutError) as exc:
                log.warning("poll_failed", extra={"error": type(exc).__name__})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if not updates:
                continue
            batch = [
                (u.update_id, json.dumps(u.model_dump(mode="json", exclude_none=True)))
                for u in updates
            ]
            offset = updates[-1].update_id + 1
            await self.storage.inbox_store(batch, offset)
            await self._enqueue(batch)
        await self.drain()

    async def drain(self) -> None:
        """Wait for every queued update to be handled (graceful shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def _enqueue(self, batch: list[tuple[int, str]]) -> None:
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
                    update = Update.model_validate(json.loads(raw), context={"bot": self.bot})
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
