"""Bot API session middlewares: retry on 429/5xx, and remember sent message ids for /hide."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import CopyMessage, GetUpdates, SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Message, MessageId

from bot.privacy import pseudonym
from bot.storage.store import Storage

log = logging.getLogger("bot.session")


class RetryMiddleware(BaseRequestMiddleware):
    """Honour retry_after on 429 and back off on 5xx and network errors (not for getUpdates)."""

    def __init__(self, attempts: int = 5, base_delay: float = 0.5, max_delay: float = 30.0
                 ) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts:
                    raise
                log.warning("rate_limited", extra={"method": method.__api_method__,
                                                   "retry_after": exc.retry_after,
                                                   "attempt": attempt})
                await asyncio.sleep(min(exc.retry_after, self.max_delay * 4))
            except (TelegramServerError, TelegramNetworkError) as exc:
                if attempt == self.attempts:
                    raise
                delay = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
                log.warning("api_retry", extra={"method": method.__api_method__,
                                                "error": type(exc).__name__,
                                                "attempt": attempt})
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


class SentMessagesMiddleware(BaseRequestMiddleware):
    """Remember the ids (never the content) of messages sent to a user, for /hide."""

    def __init__(self, storage: Storage, secret: str) -> None:
        self.storage = storage
        self.secret = secret

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, SendMessage | CopyMessage):
            # Despite its annotation, the chain returns the method's result, not a Response.
            result: Any = response
            chat_id = method.chat_id
            if isinstance(result, Message | MessageId) and isinstance(chat_id, int):
                await self.storage.remember_messages(
                    pseudonym(self.secret, chat_id), [(result.message_id, True)]
                )
        return response
