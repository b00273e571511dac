"""Admins: `/report [days]`, the impact summary of the last days (30 by default): a chart of
questions per day and a few lines, with the same small-number suppression as the full report
(`python -m bot report`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_timedelta

from bot.middlewares.staff import IsStaff
from bot.reporting import load_report
from bot.reporting.aggregate import TOO_FEW, Summary
from bot.storage.store import Storage

DEFAULT_DAYS = 30
MAX_DAYS = 366
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


def period(days: int, today: date | None = None) -> tuple[date, date]:
    """The last `days` days (UTC), today included."""
    end = today or datetime.now(UTC).date()
    return end - timedelta(days=days - 1), end


def summary_text(summary: Summary, start: date, end: date, locale: str) -> str:
    median = TOO_FEW if summary.median_response_seconds is None else format_timedelta(
        summary.median_response_seconds, locale=locale)
    lines = [
        _("Report {start} to {end}").format(start=start.isoformat(), end=end.isoformat()),
        _("Questions: {count}").format(count=summary.questions),
        # NOTE: shares of the questions; "answered by the base" means the bot answered from
        # the knowledge base without a consultant.
        _("Answered by the base: {answered}; escalated: {escalated}; crisis: {crisis}").format(
            answered=summary.answered, escalated=summary.escalated, crisis=summary.crisis),
        # NOTE: the share of "helpful" among the helpful / not helpful button presses.
        _("Helpful: {rate}").format(rate=summary.helpful),
        _("Consultant answers: {count}; median response time: {median}").format(
            count=summary.tickets_answered, median=median),
        # NOTE: keep the markers <5, x and n<5 exactly as they are; they appear in the figures.
        _("<5: fewer than 5 events; x: hidden so that a <5 cannot be worked out; n<5: too few "
          "events for a share or a time."),
        _("Tables and more charts: python -m bot report --from {start} --to {end} --out DIR"
          ).format(start=start.isoformat(), end=end.isoformat()),
    ]
    return "\n".join(lines)


def router() -> Router:
    r = Router(name="staff.report")

    @r.message(Command("report"), IsStaff("admin"))
    async def report(message: Message, command: CommandObject, storage: Storage,
                     i18n: I18n) -> None:
        arg = (command.args or "").strip()
        if arg and not (arg.isdigit() and 1 <= int(arg) <= MAX_DAYS):
            await message.answer(_("Usage: /report [days], e.g. /report 30 (from 1 to {limit} "
                                   "days; 30 without a number)").format(limit=MAX_DAYS))
            return
        from bot.reporting.render import questions_per_day_chart  # matplotlib: only when used

        start, end = period(int(arg) if arg else DEFAULT_DAYS)
        data = await load_report(storage, start, end)
        png = await asyncio.to_thread(questions_per_day_chart, data)
        text = summary_text(data.summary, start, end, i18n.current_locale)
        photo = BufferedInputFile(png, filename=f"report-{start}-{end}.png")
        if len(text) <= CAPTION_LIMIT:
            await message.answer_photo(photo, caption=text)
        else:
            await message.answer_photo(photo)
            await message.answer(text)

    return r
