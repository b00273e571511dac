"""The consultant queue: tickets from consent to delivery, with moderation and audit."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot import views_staff
from bot.metrics import ESCALATIONS
from bot.queue.roles import can_moderate, needs_review, specialty_for_topic
from bot.queue.states import Action, State
from bot.storage.queue_store import Staff, TicketView
from bot.storage.store import PendingQuestion, Storage


@dataclass(frozen=True, slots=True)
class Result:
    ok: bool
    ticket: TicketView | None = None
    reason: str = ""


class QueueService:
    def __init__(self, storage: Storage, moderation: str = "all",
                 lease_seconds: float = 30 * 60) -> None:
        self.storage = storage
        self.moderation = moderation
        self.lease_seconds = lease_seconds

    # -- from the user side -----------------------------------------------------------------
    async def create_ticket(self, question: PendingQuestion, audience: str | None,
                            age_band: str | None) -> tuple[int, bool]:
        specialty = None if question.crisis else specialty_for_topic(question.topic_guess)
        on_duty = [s.id for s in await self.storage.on_duty_staff()] if question.crisis else []

        def notify(number: int) -> list[tuple[int, dict[str, Any]]]:
            return [(staff_id, {"alert": "urgent", "ticket": number}) for staff_id in on_duty]

        number, created = await self.storage.create_ticket_from_pending(
            question, audience, age_band, specialty, notify
        )
        if created:
            ESCALATIONS.labels(priority="urgent" if question.crisis else "normal").inc()
        return number, created

    async def follow_up(self, ticket_id: int, pseudonym: str, text: str) -> Result:
        """The user continues a delivered ticket; back to the same consultant if on duty."""
        if await self.storage.ticket_owner(ticket_id) != pseudonym:
            return Result(False, reason="not_found")
        ticket = await self.storage.transition(ticket_id, Action.FOLLOW_UP, None,
                                               expect=(State.DELIVERED,))
        if ticket is None:
            return Result(False, reason="state")
        await self.storage.add_ticket_message(ticket_id, "user", None, text)
        consultant = (await self.storage.staff_by_id(ticket.consultant_id)
                      if ticket.consultant_id else None)
        if consultant and consultant.active and consultant.on_duty:
            claimed = await self.storage.claim(ticket_id, consultant.id, self.lease_seconds)
            if claimed is not None:
                await self.storage.enqueue("staff_alert", {"alert": "follow_up",
                                                           "ticket": ticket_id},
                                           staff_id=consultant.id, ticket_id=ticket_id)
        return Result(True, await self.storage.ticket(ticket_id))

    # -- consultants ------------------------------------------------------------------------
    async def queue_for(self, staff: Staff) -> list[TicketView]:
        languages = staff.languages or ("kk", "ru", "en")
        specialties = () if can_moderate(staff.role) else staff.specialties
        return await self.storage.queue(languages, specialties)

    async def claim(self, staff: Staff, ticket_id: int) -> Result:
        ticket = await self.storage.claim(ticket_id, staff.id, self.lease_seconds)
        return Result(ticket is not None, ticket, "" if ticket else "taken")

    async def save_draft(self, staff: Staff, ticket_id: int, text: str, kind: str = "answer"
                         ) -> bool:
        return await self.storage.save_draft(ticket_id, staff.id, text, kind)

    async def submit(self, staff: Staff, ticket_id: int, locale: str) -> Result:
        ticket = await self.storage.ticket(ticket_id)
        if ticket is None or ticket.claimed_by != staff.id or not ticket.draft:
            return Result(False, ticket, "no_draft")
        submitted = await self.storage.transition(
            ticket_id, Action.SUBMIT, staff.id, expect=(State.CLAIMED, State.RETURNED),
            extra_sql="submitted_at = ?, lease_until = NULL", extra_params=(time.time(),),
            where_sql=" AND claimed_by = ?", where_params=(staff.id,),
        )
        if submitted is None:
            return Result(False, ticket, "state")
        await self.storage.update_staff(staff.id, active_ticket=None, pending_input=None)
        if not needs_review(self.moderation, staff.approved_answers):
            return await self.approve(None, ticket_id, staff.alias or "", auto=True)
        for moderator in await self.storage.on_duty_staff(moderators_only=True):
            if moderator.id != staff.id:
                await self.storage.enqueue("staff_alert", {"alert": "review",
                                                           "ticket": ticket_id},
                                           staff_id=moderator.id, ticket_id=ticket_id)
        return Result(True, submitted)

    async def release(self, staff: Staff | None, ticket_id: int, detail: str | None = None
                      ) -> Result:
        ticket = await self.storage.release(ticket_id, staff.id if staff else None, detail)
        if staff is not None and ticket is not None:
            await self.storage.update_staff(staff.id, active_ticket=None, pending_input=None)
        return Result(ticket is not None, ticket)

    async def transfer(self, staff: Staff, ticket_id: int, specialty: str) -> Result:
        ticket = await self.storage.transition(
            ticket_id, Action.TRANSFER, staff.id, detail=specialty,
            extra_sql="specialty = ?, claimed_by = NULL, lease_until = NULL",
            extra_params=(specialty,), where_sql=" AND claimed_by = ?",
            where_params=(staff.id,),
        )
        if ticket is not None:
            await self.storage.update_staff(staff.id, active_ticket=None, pending_input=None)
        return Result(ticket is not None, ticket)

    # -- moderators -------------------------------------------------------------------------
    async def approve(self, moderator: Staff | None, ticket_id: int, alias: str = "",
                      *, auto: bool = False) -> Result:
        ticket = await self.storage.ticket(ticket_id)
        if ticket is None or ticket.state != State.DRAFT_READY or ticket.draft_by is None:
            return Result(False, ticket, "state")
        if moderator is not None and ticket.draft_by == moderator.id:
            return Result(False, ticket, "own")
        author = await self.storage.staff_by_id(ticket.draft_by)
        signature = (author.alias if author and author.alias else alias) or \
            _("Consultant", locale=ticket.lang)
        payload = {
            "text": views_staff.delivered_text(ticket_id, signature, ticket.lang,
                                               ticket.draft_kind or "answer"),
            "buttons": views_staff.delivered_keyboard(ticket_id, ticket.lang),
        }
        approved = await self.storage.approve_and_enqueue(
            ticket_id, moderator.id if moderator else None, payload, auto=auto
        )
        return Result(approved is not None, approved, "" if approved else "state")

    async def return_to_consultant(self, moderator: Staff, ticket_id: int, comment: str
                                   ) -> Result:
        ticket = await self.storage.transition(
            ticket_id, Action.RETURN, moderator.id, expect=(State.DRAFT_READY,),
            detail="returned", extra_sql="review_comment = ?, lease_until = ?",
            extra_params=(self.storage.cipher.encrypt(comment), time.time() + 30 * 60),
        )
        if ticket is not None and ticket.claimed_by is not None:
            await self.storage.update_staff(ticket.claimed_by, active_ticket=ticket_id)
            await self.storage.enqueue("staff_alert", {"alert": "returned",
                                                       "ticket": ticket_id},
                                       staff_id=ticket.claimed_by, ticket_id=ticket_id)
        return Result(ticket is not None, ticket)

    async def moderator_edit(self, moderator: Staff, ticket_id: int, text: str) -> Result:
        ticket = await self.storage.ticket(ticket_id)
        if ticket is None or ticket.state != State.DRAFT_READY:
            return Result(False, ticket, "state")
        async with self.storage.transaction() as db:
            await db.execute(
                "UPDATE tickets SET draft = ? WHERE id = ? AND state = 'draft_ready'",
                (self.storage.cipher.encrypt(text), ticket_id),
            )
            await db.execute(
                "INSERT INTO audit (ticket_id, staff_id, action, detail, at)"
                " VALUES (?, ?, 'edit', NULL, ?)", (ticket_id, moderator.id, time.time()),
            )
        return Result(True, await self.storage.ticket(ticket_id))

    async def reject(self, moderator: Staff, ticket_id: int, reason: str, block: bool
                     ) -> Result:
        ticket = await self.storage.transition(
            ticket_id, Action.REJECT, moderator.id, detail=reason + (" +block" if block else ""),
            extra_sql="reject_reason = ?, claimed_by = NULL, lease_until = NULL",
            extra_params=(reason,),
        )
        if ticket is None:
            return Result(False, None, "state")
        owner = await self.storage.ticket_owner(ticket_id)
        if owner is not None:
            if block:
                await self.storage.update_user(owner, blocked=1)
            await self.storage.enqueue(
                "notice", {"notice": "blocked" if block else "rejected", "ticket": ticket_id,
                           "lang": ticket.lang},
                pseudonym=owner, ticket_id=ticket_id)
        return Result(True, ticket)

