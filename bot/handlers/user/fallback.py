"""Anything else: non-text messages, unknown commands, expired or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot import views


def router() -> Router:
    r = Router(name="user.fallback")

    @r.message(F.text.startswith("/"))
    async def unknown_command(message: Message) -> None:
        await message.answer(views.unknown_command_reply())

    @r.message()
    async def not_text(message: Message) -> None:
        # Voice, photo, sticker, video, document, location, contact...: nothing is stored.
        await message.answer(views.non_text_reply())

    @r.callback_query()
    async def expired(query: CallbackQuery) -> None:
        await query.answer(views.expired_button(), show_alert=False)

    return r
