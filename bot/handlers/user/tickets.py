"""The user's side of a consultant's answer: thank and rate, ask a follow-up, close."""

from __future__ import annotations

import asyncio
import time

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot import views, views_staff
from bot.callbacks_staff import USER_TICKET_ACTIONS, UserTicketCb
from bot.queue.states import Action, State
from bot.storage.events_store import Event
from bot.storage.queue_store import TicketView
from bot.storage.store import Storage, UserProfile


async def delivered_ticket(storage: Storage, number: int, wait: float = 3.0
                           ) -> TicketView | None:
    """The ticket, once its answer is recorded as delivered: a quick finger can press a button
    on the answer in the moment between its sending and the outbox recording it."""
    ticket = await storage.ticket(number)
    for _attempt in range(int(wait / 0.1)):
        if ticket is None or ticket.state != State.APPROVED:
            break
        await asyncio.sleep(0.1)
        ticket = await storage.ticket(number)
    return ticket


def router() -> Router:
    r = Router(name="user.tickets")

    @r.callback_query(UserTicketCb.filter(F.action.in_(USER_TICKET_ACTIONS)))
    async def ticket_button(query: CallbackQuery, callback_data: UserTicketCb,
                            storage: Storage, profile: UserProfile) -> None:
        number = callback_data.id
        if await storage.ticket_owner(number) != profile.pseudonym or query.message is None:
            await query.answer(views.expired_button())
            return
        action = callback_data.action
        if action == "thanks":
            await query.answer()
            await query.message.answer(_("Thank you! How helpful was the answer?"),
                                       reply_markup=views_staff.rating_keyboard(number))
        elif action == "rate" and 1 <= callback_data.value <= 5:
            if await storage.set_rating(number, profile.pseudonym, callback_data.value):
                await storage.record(Event("rating", profile.lang, profile.audience,
                                           site=profile.site, value=callback_data.value))
            await query.answer(_("Thank you for your rating."))
        elif action == "followup":
            ticket = await delivered_ticket(storage, number)
            if ticket is None or ticket.state != State.DELIVERED:
                await query.answer(views.expired_button())
                return
            await storage.update_user(profile.pseudonym, followup_ticket=number)
            await query.answer()
            await query.message.answer(_("Write your follow-up question; it goes to the same "
                                         "consultant."))
        elif action == "close":
            await storage.transition(number, Action.CLOSE, None, expect=(State.DELIVERED,),
                                     extra_sql="closed_at = ?", extra_params=(time.time(),))
            await query.answer(_("Closed. Take care!"))
        else:
            await query.answer(views.expired_button())

    return r
