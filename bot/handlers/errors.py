"""Unhandled errors: logged without any user data, answered kindly."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

from bot import views

log = logging.getLogger("bot.errors")


def router() -> Router:
    r = Router(name="errors")

    @r.errors()
    async def on_error(event: ErrorEvent) -> bool:
        exc = event.exception
        log.error("handler_failed", extra={"error": type(exc).__name__}, exc_info=exc)
        update = event.update
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(views.error_text(), show_alert=False)
            elif update.message is not None:
                await update.message.answer(views.error_text())
        except Exception as reply_exc:  # the error reply itself failed: log and move on
            log.warning("error_reply_failed", extra={"error": type(reply_exc).__name__})
        return True

    return r
