"""Durable long polling: an update is stored before Telegram is told it was received.

aiogram's own polling moves the getUpdates offset past an update before its handler has
finished, so a crash would lose the question. Here each batch is written to the encrypted
`inbox` table together with the next offset in one transaction, and only then processed
(see `bot.inbox`).
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates

from bot.inbox import InboxProcessor
from bot.storage.store import Storage

log = logging.getLogger("bot.polling")
ALLOWED_UPDATES = ["message", "callback_query"]


class DurablePoller:
    def __init__(self, bot: Bot, storage: Storage, inbox: InboxProcessor, *,
                 poll_timeout: int = 25) -> None:
        self.bot = bot
        self.storage = storage
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        await self.inbox.resume(alone=True)
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
            self.inbox.enqueue(await self.storage.inbox_store(batch, offset))
        await self.inbox.drain()
