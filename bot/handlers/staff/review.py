"""Moderators: review drafts (approve, edit, return with a comment, reject, block)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import views_staff
from bot.callbacks_staff import RejectCb, TicketCb
from bot.kb import KnowledgeBase
from bot.middlewares.staff import IsStaff
from bot.services.outbox import OutboxWorker
from bot.services.queue import QueueService
from bot.storage.queue_store import Staff
from bot.storage.store import Storage

REVIEW_ACTIONS = {"approve", "edit", "return", "reject"}
MODERATORS = ("admin", "moderator")


def router() -> Router:
    r = Router(name="staff.review")

    @r.message(Command("review"), IsStaff(*MODERATORS))
    async def review(message: Message, staff: Staff, storage: Storage,
                     kb: KnowledgeBase, i18n: I18n) -> None:
        tickets = await storage.review_queue(staff.id)
        if not tickets:
            await message.answer(_("Nothing is waiting for review."))
            return
        for ticket in tickets:
            text = views_staff.ticket_card(ticket, kb, i18n.current_locale) + "\n\n" + \
                views_staff.draft_preview(ticket.id, ticket.draft or "",
                                          ticket.draft_kind or "answer")
            sent = await message.answer(text,
                                        reply_markup=views_staff.review_keyboard(ticket.id))
            await storage.remember_staff_message(staff.id, sent.message_id, ticket.id)

    @r.callback_query(TicketCb.filter(F.action.in_(REVIEW_ACTIONS)), IsStaff(*MODERATORS))
    async def decide(query: CallbackQuery, callback_data: TicketCb, staff: Staff,
                     queue: QueueService, storage: Storage,
                     outbox: OutboxWorker) -> None:
        number = callback_data.id
        ticket = await storage.ticket(number)
        screenable = callback_data.action == "reject" and ticket is not None and \
            ticket.state in ("open", "claimed", "returned")
        if ticket is None or not (ticket.state == "draft_ready" or screenable) or \
                not isinstance(query.message, Message):
            await query.answer(_("This draft was already handled."), show_alert=True)
            return
        if ticket.draft_by == staff.id:
            await query.answer(_("You cannot review your own draft."), show_alert=True)
            return
        await query.answer()
        if callback_data.action == "approve":
            result = await queue.approve(staff, number)
            outbox.wake.set()
            await query.message.answer(
                _("Approved #{number}: it is on its way to the user.").format(number=number)
                if result.ok else _("This draft was already handled."))
        elif callback_data.action in ("edit", "return"):
            kind = "edit" if callback_data.action == "edit" else "comment"
            await storage.update_staff(staff.id, pending_input=f"{kind}:{number}")
            await query.message.answer(
                _("Send the corrected text.") if kind == "edit" else
                _("Send your comment for the consultant (required)."))
        else:
            await query.message.answer(_("Reject #{number} because:").format(number=number),
                                       reply_markup=views_staff.reject_keyboard(number))

    @r.callback_query(RejectCb.filter(F.reason.in_({"spam", "abuse", "other"})),
                      IsStaff(*MODERATORS))
    async def reject(query: CallbackQuery, callback_data: RejectCb, staff: Staff,
                     queue: QueueService, outbox: OutboxWorker) -> None:
        result = await queue.reject(staff, callback_data.id, callback_data.reason,
                                    callback_data.block)
        outbox.wake.set()
        await query.answer(_("Rejected.") if result.ok else _("This draft was already handled."))

    return r
