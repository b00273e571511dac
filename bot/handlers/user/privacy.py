"""/hide (erase this chat from the phone) and /forget (erase everything stored)."""

from __future__ import annotations

import time

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import views
from bot.callbacks import ForgetCb
from bot.storage.events_store import Event
from bot.storage.store import Storage, UserProfile

HIDE_WINDOW_SECONDS = 47 * 3600  # Telegram lets a bot delete messages younger than 48 hours
DELETE_BATCH = 100


def router() -> Router:
    r = Router(name="user.privacy")

    @r.message(Command("hide"))
    async def hide(message: Message, bot: Bot, storage: Storage,
                   profile: UserProfile) -> None:
        ids = await storage.take_recent_messages(
            profile.pseudonym, time.time() - HIDE_WINDOW_SECONDS
        )
        ids = sorted(set(ids) | {message.message_id})
        for start in range(0, len(ids), DELETE_BATCH):
            try:
                await bot.delete_messages(message.chat.id, ids[start : start + DELETE_BATCH])
            except TelegramBadRequest:
                pass  # some were too old or already gone: delete what we can
        await bot.send_message(message.chat.id, views.hidden_text())

    @r.message(Command("forget"))
    async def forget(message: Message) -> None:
        await message.answer(views.forget_confirm_text(), reply_markup=views.forget_keyboard())

    @r.callback_query(ForgetCb.filter())
    async def forget_answer(query: CallbackQuery, callback_data: ForgetCb,
                            storage: Storage, profile: UserProfile) -> None:
        await query.answer()
        if query.message is None:
            return
        if callback_data.confirm:
            await storage.forget_user(profile.pseudonym)
            await storage.record(Event("forget", profile.lang, profile.audience,
                                       site=profile.site))
            await query.message.answer(views.forgotten_text())
        else:
            await query.message.answer(views.kept_text())

    return r
