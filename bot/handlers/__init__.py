"""Routers per role. `get_routers()` builds fresh routers, so each Dispatcher gets its own."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import errors
from bot.handlers.staff import admin, promote, queue, registration, report, review, sites
from bot.handlers.user import fallback, info, privacy, questions, start, tickets, topics


def get_routers() -> list[Router]:
    # Order matters: staff first (their filters let everyone else through), then the
    # user's commands and buttons, free text after them, fallbacks last.
    return [
        errors.router(),
        registration.router(),
        admin.router(),
        report.router(),
        sites.router(),
        promote.router(),
        queue.router(),
        review.router(),
        start.router(),
        info.router(),
        privacy.router(),
        topics.router(),
        tickets.router(),
        questions.router(),
        fallback.router(),
    ]
