"""/topics: categories -> topics -> answer, for those who would rather not type."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, LinkPreviewOptions, Message
from aiogram.utils.i18n import I18n

from bot import views
from bot.callbacks import CategoryCb, TopicCb, age_lower_bound
from bot.kb import KnowledgeBase
from bot.storage.store import Storage, UserProfile
from bot.textsplit import split_text

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_answer(message: Message, kb: KnowledgeBase, entry_id: str, lang: str, q: int,
                      profile: UserProfile) -> None:
    entry = kb.entries[entry_id]
    parts = split_text(views.answer_text(entry, lang))
    keyboard = views.answer_keyboard(entry, lang, q, kb, profile.audience,
                                     age_lower_bound(profile.age_band))
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await message.answer(part, reply_markup=keyboard if last else None,
                             link_preview_options=NO_PREVIEW)


def router() -> Router:
    r = Router(name="user.topics")

    @r.message(Command("topics"))
    async def topics(message: Message, kb: KnowledgeBase, profile: UserProfile,
                     i18n: I18n) -> None:
        await message.answer(
            views.categories_text(),
            reply_markup=views.categories_keyboard(
                kb, i18n.current_locale, profile.audience, age_lower_bound(profile.age_band)
            ),
        )

    @r.callback_query(CategoryCb.filter())
    async def category(query: CallbackQuery, callback_data: CategoryCb, kb: KnowledgeBase,
                       profile: UserProfile, i18n: I18n) -> None:
        found = [c for c in kb.categories if c.id == callback_data.id]
        if not found or query.message is None:
            await query.answer(views.expired_button())
            return
        await query.answer()
        age = age_lower_bound(profile.age_band)
        entries = [kb.entries[e] for e in found[0].entry_ids
                   if kb.entries[e].suits(profile.audience, age)]
        await query.message.answer(
            found[0].title[i18n.current_locale],
            reply_markup=views.topics_keyboard(entries, i18n.current_locale, 0,
                                               none_button=False),
        )

    @r.callback_query(TopicCb.filter())
    async def topic(query: CallbackQuery, callback_data: TopicCb, kb: KnowledgeBase,
                    profile: UserProfile, i18n: I18n, storage: Storage) -> None:
        if callback_data.id not in kb.entries or query.message is None:
            await query.answer(views.expired_button())
            return
        lang = i18n.current_locale
        if callback_data.q:
            question = await storage.get_pending_question(callback_data.q, profile.pseudonym)
            if question is None:
                await query.answer(views.expired_button())
                return
            lang = question.lang
        await query.answer()
        with i18n.use_locale(lang):
            await send_answer(query.message, kb, callback_data.id, lang, callback_data.q,
                              profile)

    return r
