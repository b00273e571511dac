"""Load (or create) the user's profile by pseudonym and put it into the handler data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject, Update, User

from bot.privacy import pseudonym
from bot.storage.store import Storage


class ProfileMiddleware(BaseMiddleware):
    def __init__(self, storage: Storage, secret: str) -> None:
        self.storage = storage
        self.secret = secret

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            return None  # the bot works in private chats only
        alias = pseudonym(self.secret, user.id)
        profile = await self.storage.touch_user(alias, user.id, user.language_code)
        data["pseudonym"] = alias
        data["profile"] = profile
        if isinstance(event, Update) and isinstance(event.message, Message):
            await self.storage.remember_messages(alias, [(event.message.message_id, False)])
        return await handler(event, data)
