"""Moderators and admins: `/promote #n` turns a delivered consultant answer into a draft
knowledge-base entry in `knowledge_base/drafts/` (never loaded until a curator moves it)."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.kb import KnowledgeBase
from bot.learning.drafts import DraftSource, write_draft
from bot.middlewares.staff import IsStaff
from bot.queue.states import State
from bot.storage.store import Storage

log = logging.getLogger(__name__)
PROMOTABLE = (State.DELIVERED, State.CLOSED)


def router() -> Router:
    r = Router(name="staff.promote")

    @r.message(Command("promote"), IsStaff("admin", "moderator"))
    async def promote(message: Message, command: CommandObject, storage: Storage,
                      kb: KnowledgeBase, settings: Settings) -> None:
        number = (command.args or "").strip().lstrip("#")
        if not number.isdigit():
            await message.answer(_("Usage: /promote #number (a ticket whose answer was "
                                   "delivered)"))
            return
        ticket = await storage.ticket(int(number))
        if ticket is None:
            await message.answer(_("No such ticket."))
            return
        question = next((text for author, text in ticket.messages if author == "user"), "")
        answer = next((text for author, text in ticket.messages if author == "consultant"),
                      None)
        if ticket.state not in PROMOTABLE or answer is None or not question.strip():
            await message.answer(_("#{number} has no delivered answer yet, so there is "
                                   "nothing to promote.").format(number=ticket.id))
            return
        topic = kb.get(ticket.topic_guess) if ticket.topic_guess else None
        source = DraftSource(
            ticket=ticket.id, lang=ticket.lang, audience=ticket.audience, question=question,
            answer=answer, category=topic.category if topic else None,
            related=topic.id if topic else None,
        )
        try:
            path = await asyncio.to_thread(write_draft, settings.kb_path, source)
        except OSError as exc:
            log.warning("cannot write a draft: %s", type(exc).__name__)
            await message.answer(_("Could not write the draft: the folder "
                                   "knowledge_base/drafts/ is not writable here."))
            return
        if path is None:
            await message.answer(_("A draft from #{number} exists already in "
                                   "knowledge_base/drafts/.").format(number=ticket.id))
            return
        await message.answer(_("Draft written: knowledge_base/drafts/{file}\nA curator "
                               "translates it, adds phrasings, sources and a review date, "
                               "then moves it into the base; \"python -m bot kb "
                               "check\" lists what is missing.").format(file=path.name))

    @r.message(Command("promote"), IsStaff())
    async def not_allowed(message: Message) -> None:
        await message.answer(_("Only moderators and admins can promote answers to the "
                               "knowledge base."))

    return r
