"""Periodic queue care: expired claims go back, waiting tickets and drafts are reminded, and
a user whose answer is late is told so."""

from __future__ import annotations

import asyncio
import logging

from bot.config import Settings
from bot.services.leader import Leader
from bot.services.outbox import OutboxWorker
from bot.services.queue import QueueService
from bot.storage.store import Storage

log = logging.getLogger("bot.reminders")


async def care_for_queue(storage: Storage, queue: QueueService, settings: Settings
                         ) -> dict[str, int]:
    released = 0
    for number in await storage.expired_leases():
        if (await queue.release(None, number, "lease_expired")).ok:
            released += 1
    reminded = 0
    for number in await storage.tickets_to_remind(settings.remind_unclaimed_minutes * 60):
        ticket = await storage.ticket(number)
        if ticket is None:
            continue
        for staff in await storage.on_duty_staff(lang=ticket.lang):
            await storage.enqueue("staff_alert", {"alert": "reminder", "ticket": number},
                                  staff_id=staff.id, ticket_id=number)
            reminded += 1
    for number in await storage.drafts_waiting(settings.remind_review_minutes * 60):
        for staff in await storage.on_duty_staff(moderators_only=True):
            await storage.enqueue("staff_alert", {"alert": "review_reminder", "ticket": number},
                                  staff_id=staff.id, ticket_id=number)
    late = 0
    for number, pseudonym, lang in await storage.late_tickets_to_tell(
            settings.answer_promise_hours * 3600):
        await storage.enqueue("notice", {"notice": "late", "ticket": number, "lang": lang},
                              pseudonym=pseudonym, ticket_id=number)
        late += 1
    return {"released": released, "reminded": reminded, "late": late}


async def run_reminders(storage: Storage, queue: QueueService, settings: Settings,
                        outbox: OutboxWorker, every: float = 60.0,
                        leader: Leader | None = None) -> None:
    while True:
        if leader is not None and not leader.leading:
            await asyncio.sleep(every)
            continue
        try:
            done = await care_for_queue(storage, queue, settings)
            if any(done.values()):
                outbox.wake.set()
                log.info("queue_care", extra={"count": sum(done.values())})
        except Exception as exc:
            log.error("queue_care_failed", extra={"error": type(exc).__name__}, exc_info=exc)
        await asyncio.sleep(every)
