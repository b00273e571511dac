"""/help, /privacy, /cancel."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot import views
from bot.config import Settings


def router() -> Router:
    r = Router(name="user.info")

    @r.message(Command("help"))
    async def help_(message: Message) -> None:
        await message.answer(views.help_text())

    @r.message(Command("privacy"))
    async def privacy(message: Message, settings: Settings) -> None:
        await message.answer(views.privacy_text(settings.retention_days))

    @r.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(views.cancelled_text())

    return r
