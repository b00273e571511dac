"""The outbox worker: messages that must arrive, sent at least once and paced.

Rows are written in the same transaction as the state change that calls for them (an approved
answer, an urgent alert). The worker sends due rows and then marks them sent: a crash between
the two sends that one message again after restart (at most one duplicate per crash), and the
chat is always the one stored with the row. 429 waits retry_after; 5xx and network errors back
off; 403 (the user blocked the bot) marks the row undeliverable and tells staff. Sends are
paced to about one message a second per chat and 30 a second overall.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import views_staff
from bot.kb import KnowledgeBase
from bot.metrics import DELIVERY_FAILURES
from bot.services.leader import Leader
from bot.storage.queue_store import OutboxItem
from bot.storage.store import Storage
from bot.textsplit import split_text

log = logging.getLogger("bot.outbox")
PER_CHAT_INTERVAL = 1.0
GLOBAL_PER_SECOND = 30
MAX_BACKOFF = 300.0


class Pacer:
    """At most one message per chat per interval, and a global rate (pure logic)."""

    def __init__(self, per_chat: float = PER_CHAT_INTERVAL, per_second: int = GLOBAL_PER_SECOND
                 ) -> None:
        self.per_chat = per_chat
        self.per_second = per_second
        self._last: dict[int, float] = {}
        self._recent: deque[float] = deque()

    def wait_time(self, chat_id: int, now: float) -> float:
        wait = self.global_wait(now)
        last = self._last.get(chat_id)
        if last is not None:
            wait = max(wait, last + self.per_chat - now)
        return wait

    def global_wait(self, now: float) -> float:
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            return self._recent[0] + 1.0 - now
        return 0.0

    def sent(self, chat_id: int, now: float) -> None:
        self._last[chat_id] = now
        self._recent.append(now)


def markup(buttons: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b["text"], callback_data=b["data"]) for b in row]
        for row in buttons
    ])


class OutboxWorker:
    def __init__(self, bot: Bot, storage: Storage, i18n: I18n, kb: KnowledgeBase,
                 default_locale: str = "ru", poll_interval: float = 0.5) -> None:
        self.bot = bot
        self.storage = storage
        self.i18n = i18n
        self.kb = kb
        self.default_locale = default_locale
        self.poll_interval = poll_interval
        self.pacer = Pacer()
        self.wake = asyncio.Event()
        self.leader: Leader | None = None  # with several replicas, only the leader sends

    async def run(self) -> None:
        while True:
            if self.leader is not None and not self.leader.leading:
                await asyncio.sleep(self.poll_interval)
                continue
            try:
                sent = await self.send_due()
            except Exception as exc:  # keep the worker alive; the row stays pending
                log.error("outbox_failed", extra={"error": type(exc).__name__}, exc_info=exc)
                sent = 0
            if not sent:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.poll_interval)
                except TimeoutError:
                    pass
            else:
                await asyncio.sleep(0.05)

    async def send_due(self) -> int:
        """Send what is due; a chat that must wait (one message a second) is skipped this
        round instead of holding up everyone else."""
        items = await self.storage.due_outbox(limit=200)
        sent = 0
        busy: set[int] = set()
        for item in items:
            chat_id, locale = await self._target(item)
            if chat_id is not None:
                if chat_id in busy:
                    continue
                wait = self.pacer.wait_time(chat_id, time.monotonic())
                if wait > self.pacer.global_wait(time.monotonic()) + 0.001:
                    busy.add(chat_id)  # keep this chat's messages in order
                    continue
            await self.send(item, chat_id, locale)
            sent += 1
        return sent

    async def _target(self, item: OutboxItem) -> tuple[int | None, str]:
        if item.staff_id is not None:
            staff = await self.storage.staff_by_id(item.staff_id)
            if staff is None or not staff.active:
                return None, self.default_locale
            return staff.tg_id, staff.locale or self.default_locale
        if item.pseudonym is None:
            return None, self.default_locale
        return await self.storage.user_chat(item.pseudonym), str(
            item.payload.get("lang") or self.default_locale)

    async def render(self, item: OutboxItem, locale: str) -> tuple[str, Any] | None:
        payload = item.payload
        if item.kind == "answer":
            return payload["text"], markup(payload.get("buttons"))
        with self.i18n.context(), self.i18n.use_locale(locale):
            if item.kind == "notice":
                emergency = self.kb.resources.get("emergency.general", {}).get(locale, "")
                return _notice(payload, emergency), None
            if item.kind == "staff_alert":
                ticket = await self.storage.ticket(int(payload["ticket"]))
                if ticket is None:
                    return None
                alert = payload["alert"]
                head = _alert_head(alert, ticket.id, payload)
                card = views_staff.ticket_card(ticket, self.kb, locale)
                keyboard = views_staff.claim_keyboard(ticket.id) \
                    if alert in ("urgent", "reminder") and ticket.state == "open" else (
                        views_staff.review_keyboard(ticket.id) if alert == "review" else None)
                if alert == "review" and ticket.draft:
                    card += "\n\n" + views_staff.draft_preview(ticket.id, ticket.draft,
                                                               ticket.draft_kind or "answer")
                if alert == "returned" and ticket.review_comment:
                    head += "\n" + _("Moderator's comment: {comment}").format(
                        comment=ticket.review_comment)
                return f"{head}\n\n{card}", keyboard
        return None

    async def send(self, item: OutboxItem, chat_id: int | None, locale: str) -> None:
        if chat_id is None:
            await self.storage.outbox_undeliverable(item, "no recipient")
            return
        rendered = await self.render(item, locale)
        if rendered is None:
            await self.storage.outbox_undeliverable(item, "nothing to send")
            return
        text, keyboard = rendered
        wait = self.pacer.wait_time(chat_id, time.monotonic())
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            parts = split_text(text)
            message_id = None
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                message = await self.bot.send_message(chat_id, part,
                                                      reply_markup=keyboard if last else None)
                message_id = message.message_id
                if item.staff_id is not None and item.ticket_id is not None:
                    await self.storage.remember_staff_message(item.staff_id,
                                                              message.message_id,
                                                              item.ticket_id)
            self.pacer.sent(chat_id, time.monotonic())
        except TelegramRetryAfter as exc:
            await self.storage.outbox_retry(item, float(exc.retry_after), "429")
            return
        except TelegramForbiddenError:
            DELIVERY_FAILURES.labels(reason="blocked").inc()
            await self.storage.outbox_undeliverable(item, "403")
            await self._tell_staff_undeliverable(item)
            return
        except TelegramBadRequest as exc:
            DELIVERY_FAILURES.labels(reason="bad_request").inc()
            await self.storage.outbox_undeliverable(item, f"400 {type(exc).__name__}")
            return
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as exc:
            delay = min(2.0 ** item.attempts, MAX_BACKOFF)
            await self.storage.outbox_retry(item, delay, type(exc).__name__)
            return
        await self.storage.outbox_sent(item, message_id)
        log.info("outbox_sent", extra={"action": item.kind, "ticket": item.ticket_id})

    async def _tell_staff_undeliverable(self, item: OutboxItem) -> None:
        if item.pseudonym is None or item.ticket_id is None:
            return
        ticket = await self.storage.ticket(item.ticket_id)
        targets = {ticket.consultant_id} if ticket and ticket.consultant_id else set()
        targets |= {s.id for s in await self.storage.on_duty_staff(moderators_only=True)}
        for staff_id in targets:
            await self.storage.enqueue("staff_alert", {"alert": "undeliverable",
                                                       "ticket": item.ticket_id},
                                       staff_id=staff_id, ticket_id=item.ticket_id)


def _notice(payload: dict[str, Any], emergency: str) -> str:
    kind = payload.get("notice")
    number = payload.get("ticket")
    if kind == "blocked":
        return _("We cannot accept more questions from this chat. If you are in danger, "
                 "please call {emergency}.").format(emergency=emergency)
    if kind == "rejected":
        return _("Your message #{number} could not be answered by a consultant. You can "
                 "write a new question any time.").format(number=number)
    return _("Your question #{number} is taking longer than we promised. It has not been "
             "forgotten: a consultant will answer as soon as possible.").format(number=number)


def _alert_head(alert: str, number: int, payload: dict[str, Any]) -> str:
    return {
        "urgent": _("Urgent ticket #{number}: please claim it if you can."),
        "review": _("Ticket #{number} has a draft waiting for review (/review)."),
        "returned": _("Your draft for #{number} was returned."),
        "follow_up": _("A follow-up question on #{number}: it is yours again."),
        "reminder": _("Ticket #{number} is still waiting for a consultant."),
        "review_reminder": _("A draft for #{number} is still waiting for review."),
        "undeliverable": _("The answer to #{number} could not be delivered: the user has "
                           "blocked the bot."),
    }.get(alert, _("Ticket #{number} needs attention.")).format(number=number)
