"""Free-text questions: answer, clarify, escalate (with consent) or crisis."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, MaybeInaccessibleMessageUnion, Message
from aiogram.utils.i18n import I18n

from bot import views
from bot.callbacks import AskCb, DeclineCb, FeedbackCb, NoneOfTheseCb, NotCrisisCb
from bot.handlers.user.topics import NO_PREVIEW, send_answer
from bot.kb import KnowledgeBase
from bot.kb.model import Entry
from bot.matching.normalize import normalize
from bot.services.questions import QuestionService
from bot.services.queue import QueueService
from bot.storage.events_store import Event
from bot.storage.store import Storage, UserProfile


async def offer_topics(message: MaybeInaccessibleMessageUnion, intro: str, topics: list[Entry],
                       lang: str, q: int) -> None:
    """Close topics to choose from (with "None of these"), or, when there are none, the offer
    to send the question to a consultant."""
    if topics:
        await message.answer(intro, reply_markup=views.topics_keyboard(topics, lang, q))
    else:
        await message.answer(views.escalate_text(), reply_markup=views.consent_keyboard(q))


def router() -> Router:
    r = Router(name="user.questions")

    @r.message(F.text & ~F.text.startswith("/"))
    async def question(message: Message, questions: QuestionService, kb: KnowledgeBase,
                       profile: UserProfile, i18n: I18n, queue: QueueService,
                       storage: Storage) -> None:
        text = message.text or ""
        if not normalize(text):
            await message.answer(views.empty_text_reply())
            return
        # A crisis always comes first: helplines now, even in the middle of a follow-up. (Only
        # then is the detector asked here; otherwise `ask` decides, crisis check included.)
        if profile.followup_ticket is not None and not questions.is_crisis(text):
            await storage.update_user(profile.pseudonym, followup_ticket=None)
            result = await queue.follow_up(profile.followup_ticket, profile.pseudonym, text)
            if result.ok:
                await message.answer(views.followup_received_text(profile.followup_ticket))
                return
        outcome = await questions.ask(profile, text, i18n.current_locale)
        decision = outcome.decision
        lang = outcome.lang
        with i18n.use_locale(lang):
            if decision.action == "crisis" and outcome.entry is not None:
                await message.answer(views.crisis_intro())
                await message.answer(outcome.entry.answer[lang],
                                     reply_markup=views.crisis_keyboard(outcome.question_id,
                                                                        outcome.entry.id),
                                     link_preview_options=NO_PREVIEW)
            elif decision.action == "smalltalk":
                await message.answer(views.small_talk_reply(outcome.small_talk))
            elif decision.action == "answer" and outcome.entry is not None:
                await send_answer(message, kb, outcome.entry.id, lang, outcome.question_id,
                                  profile)
            elif decision.action == "clarify" and outcome.offers:
                await message.answer(
                    views.clarify_text(),
                    reply_markup=views.topics_keyboard(outcome.offers, lang,
                                                       outcome.question_id),
                )
            else:
                await message.answer(views.escalate_text(),
                                     reply_markup=views.consent_keyboard(outcome.question_id))

    @r.callback_query(FeedbackCb.filter(F.helpful))
    async def helped(query: CallbackQuery, callback_data: FeedbackCb, kb: KnowledgeBase,
                     storage: Storage, i18n: I18n, profile: UserProfile) -> None:
        if callback_data.entry not in kb.entries:
            await query.answer(views.expired_button())
            return
        await storage.add_feedback(callback_data.entry, i18n.current_locale, True)
        await storage.record(Event("helpful", i18n.current_locale, profile.audience,
                                   topic=callback_data.entry, site=profile.site))
        await query.answer(views.thanks_feedback_text())

    @r.callback_query(FeedbackCb.filter(~F.helpful))
    async def not_helped(query: CallbackQuery, callback_data: FeedbackCb, kb: KnowledgeBase,
                         storage: Storage, questions: QuestionService,
                         profile: UserProfile, i18n: I18n) -> None:
        if callback_data.entry not in kb.entries or query.message is None:
            await query.answer(views.expired_button())
            return
        await query.answer()
        await storage.add_feedback(callback_data.entry, i18n.current_locale, False)
        await storage.record(Event("not_helpful", i18n.current_locale, profile.audience,
                                   topic=callback_data.entry, site=profile.site))
        if callback_data.q:
            await questions.not_helpful(profile, callback_data.q, callback_data.entry)
        if not callback_data.q:
            await query.message.answer(views.write_question_text())
            return
        others = await questions.alternatives(profile, callback_data.q, callback_data.entry)
        await offer_topics(query.message, views.clarify_text(), others, i18n.current_locale,
                           callback_data.q)

    @r.callback_query(NotCrisisCb.filter())
    async def not_crisis(query: CallbackQuery, callback_data: NotCrisisCb,
                         questions: QuestionService, profile: UserProfile, i18n: I18n) -> None:
        # The helplines stay where they are; this only adds a way to an answer.
        if query.message is None:
            await query.answer(views.expired_button())
            return
        found = await questions.not_crisis(profile, callback_data.q, callback_data.entry)
        if found is None:
            await query.answer(views.expired_button())
            return
        await query.answer()
        question, topics = found
        with i18n.use_locale(question.lang):
            await offer_topics(query.message, views.not_crisis_text(), topics, question.lang,
                               callback_data.q)

    @r.callback_query(NoneOfTheseCb.filter())
    async def none_of_these(query: CallbackQuery, callback_data: NoneOfTheseCb) -> None:
        await query.answer()
        if query.message is not None:
            await query.message.answer(views.escalate_text(),
                                       reply_markup=views.consent_keyboard(callback_data.q))

    @r.callback_query(AskCb.filter())
    async def ask_consultant(query: CallbackQuery, callback_data: AskCb,
                             questions: QuestionService, profile: UserProfile,
                             kb: KnowledgeBase, i18n: I18n) -> None:
        if query.message is None:
            await query.answer()
            return
        if not callback_data.q:
            await query.answer()
            await query.message.answer(views.write_question_text())
            return
        if profile.blocked:
            await query.answer()
            await query.message.answer(views.blocked_text(kb, i18n.current_locale))
            return
        created = await questions.send_to_consultant(profile, callback_data.q)
        if created is None:
            await query.answer(views.expired_button(), show_alert=True)
            return
        await query.answer()
        number, urgent = created
        await query.message.answer(views.ticket_received_text(number, urgent))

    @r.callback_query(DeclineCb.filter())
    async def declined(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await query.message.answer(views.declined_text())

    return r
