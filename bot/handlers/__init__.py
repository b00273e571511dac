"""Routers per role. `get_routers()` builds fresh routers, so each Dispatcher gets its own."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import errors
from bot.handlers.user import fallback, info, privacy, questions, start, topics


def get_routers() -> list[Router]:
    # Order matters: commands and buttons first, free text after them, fallbacks last.
    return [
        errors.router(),
        start.router(),
        info.router(),
        privacy.router(),
        topics.router(),
        questions.router(),
        fallback.router(),
    ]
