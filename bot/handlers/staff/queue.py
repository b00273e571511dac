"""Consultants: the queue, claiming, drafting, notes, clarifying questions, transfer."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import views_staff
from bot.callbacks_staff import KbPickCb, TicketCb, TransferCb
from bot.kb import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.middlewares.staff import IsStaff
from bot.queue.roles import SPECIALTIES, can_moderate
from bot.services.queue import QueueService
from bot.storage.queue_store import Staff, TicketView
from bot.storage.store import Storage

WORK_ACTIONS = {"claim", "release", "submit", "note", "ask", "transfer", "kb"}


async def show_ticket(message: Message, ticket: TicketView, kb: KnowledgeBase, locale: str,
                      storage: Storage, staff: Staff, *, claimed: bool,
                      lease_minutes: int = 30) -> None:
    text = views_staff.ticket_card(ticket, kb, locale)
    if claimed:
        text += "\n\n" + views_staff.claimed_text(lease_minutes)
        if ticket.review_comment and ticket.state == "returned":
            text += "\n\n" + _("Moderator's comment: {comment}").format(
                comment=ticket.review_comment)
    keyboard = views_staff.work_keyboard(ticket.id) if claimed \
        else views_staff.claim_keyboard(ticket.id, moderator=can_moderate(staff.role))
    sent = await message.answer(text, reply_markup=keyboard)
    await storage.remember_staff_message(staff.id, sent.message_id, ticket.id)


def router() -> Router:
    r = Router(name="staff.queue")

    @r.message(Command("queue"), IsStaff())
    async def queue(message: Message, staff: Staff, queue: QueueService, kb: KnowledgeBase,
                    storage: Storage, i18n: I18n) -> None:
        tickets = await queue.queue_for(staff)
        if not tickets:
            await message.answer(_("The queue is empty. Thank you!"))
            return
        for ticket in tickets:
            await show_ticket(message, ticket, kb, i18n.current_locale, storage, staff,
                              claimed=False)

    @r.callback_query(TicketCb.filter(F.action.in_(WORK_ACTIONS)), IsStaff())
    async def work(query: CallbackQuery, callback_data: TicketCb, staff: Staff,
                   queue: QueueService, storage: Storage, kb: KnowledgeBase,
                   matcher: Matcher, i18n: I18n) -> None:
        action, number = callback_data.action, callback_data.id
        message = query.message
        if not isinstance(message, Message):
            await query.answer()
            return
        if action == "claim":
            result = await queue.claim(staff, number)
            if not result.ok or result.ticket is None:
                await query.answer(_("Someone else has already taken this ticket."),
                                   show_alert=True)
                return
            await query.answer()
            await show_ticket(message, result.ticket, kb, i18n.current_locale, storage, staff,
                              claimed=True, lease_minutes=int(queue.lease_seconds // 60))
            return
        ticket = await storage.ticket(number)
        if ticket is None or ticket.claimed_by != staff.id:
            await query.answer(_("This ticket is not yours any more."), show_alert=True)
            return
        await query.answer()
        if action == "release":
            await queue.release(staff, number, "released")
            await message.answer(_("Released #{number} back to the queue.").format(
                number=number))
        elif action == "submit":
            result = await queue.submit(staff, number, i18n.current_locale)
            if not result.ok:
                await message.answer(_("Write the answer first, then submit it."))
            elif result.ticket is not None and result.ticket.state == "draft_ready":
                await message.answer(_("Submitted #{number} for review. Thank you!").format(
                    number=number))
            else:
                await message.answer(_("Sent #{number} to the user. Thank you!").format(
                    number=number))
        elif action in ("note", "ask"):
            await storage.update_staff(staff.id, pending_input=f"{action}:{number}")
            await message.answer(_("Send the internal note (never shown to the user).")
                                 if action == "note" else
                                 _("Send the question for the user (it goes through "
                                   "moderation like an answer)."))
        elif action == "transfer":
            await message.answer(_("Transfer #{number} to:").format(number=number),
                                 reply_markup=views_staff.transfer_keyboard(number))
        elif action == "kb":
            ranked = matcher.rank(ticket.question, ticket.audience, limit=4)
            entries = [(s.entry_id, kb.entries[s.entry_id].title[i18n.current_locale])
                       for s in ranked]
            await message.answer(_("Start from which answer?"),
                                 reply_markup=views_staff.kb_keyboard(number, entries))

    @r.callback_query(TransferCb.filter(F.specialty.in_(SPECIALTIES)), IsStaff())
    async def transfer(query: CallbackQuery, callback_data: TransferCb, staff: Staff,
                       queue: QueueService) -> None:
        result = await queue.transfer(staff, callback_data.id, callback_data.specialty)
        await query.answer(_("Transferred.") if result.ok else _("This button has expired."))

    @r.callback_query(KbPickCb.filter(), IsStaff())
    async def kb_pick(query: CallbackQuery, callback_data: KbPickCb, staff: Staff,
                      queue: QueueService, storage: Storage, kb: KnowledgeBase) -> None:
        ticket = await storage.ticket(callback_data.id)
        entry = kb.get(callback_data.entry)
        if ticket is None or entry is None or not isinstance(query.message, Message):
            await query.answer(_("This button has expired."))
            return
        text = entry.answer[ticket.lang]
        if not await queue.save_draft(staff, ticket.id, text):
            await query.answer(_("This ticket is not yours any more."), show_alert=True)
            return
        await query.answer()
        await query.message.answer(views_staff.draft_preview(ticket.id, text, "answer"),
                                   reply_markup=views_staff.draft_keyboard(ticket.id))

    @r.message(IsStaff(), F.text, ~F.text.startswith("/"))
    async def staff_text(message: Message, staff: Staff, queue: QueueService,
                         storage: Storage) -> None:
        text = (message.text or "").strip()
        pending = staff.pending_input or ""
        kind, _sep, ref = pending.partition(":")
        if kind in ("note", "ask", "comment", "edit") and ref.isdigit():
            await storage.update_staff(staff.id, pending_input=None)
            await handle_pending(message, staff, queue, storage, kind, int(ref), text)
            return
        number = None
        if message.reply_to_message is not None:
            number = await storage.ticket_for_staff_message(
                staff.id, message.reply_to_message.message_id)
        number = number or staff.active_ticket
        if number is None:
            await message.answer(_("You have no ticket in hand. /queue shows the waiting "
                                   "questions."))
            return
        if not await queue.save_draft(staff, number, text):
            await message.answer(_("#{number} is not yours any more (the claim expired or "
                                   "it was answered).").format(number=number))
            return
        await message.answer(views_staff.draft_preview(number, text, "answer"),
                             reply_markup=views_staff.draft_keyboard(number))

    return r


async def handle_pending(message: Message, staff: Staff, queue: QueueService,
                         storage: Storage, kind: str, number: int, text: str) -> None:
    if kind == "note":
        ticket = await storage.ticket(number)
        if ticket is None or ticket.claimed_by != staff.id:
            await message.answer(_("This ticket is not yours any more."))
            return
        await storage.add_ticket_message(number, "note", staff.id, text)
        await message.answer(_("Note saved on #{number}.").format(number=number))
    elif kind == "ask":
        if await queue.save_draft(staff, number, text, kind="question"):
            await message.answer(views_staff.draft_preview(number, text, "question"),
                                 reply_markup=views_staff.draft_keyboard(number))
        else:
            await message.answer(_("This ticket is not yours any more."))
    elif kind == "comment":
        result = await queue.return_to_consultant(staff, number, text)
        await message.answer(_("Returned #{number} to the consultant.").format(number=number)
                             if result.ok else _("This draft was already handled."))
    elif kind == "edit":
        result = await queue.moderator_edit(staff, number, text)
        if result.ok:
            await message.answer(views_staff.draft_preview(number, text, "answer"),
                                 reply_markup=views_staff.review_keyboard(number))
        else:
            await message.answer(_("This draft was already handled."))
