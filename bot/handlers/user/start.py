"""/start, language and "who are you" (all skippable, changeable with /language, /settings)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot import views
from bot.callbacks import AGE_BANDS, AUDIENCES, LANG_CODES, AgeCb, AudienceCb, LangCb
from bot.kb import KnowledgeBase
from bot.sites import site_code
from bot.storage.store import Storage, UserProfile


def router() -> Router:
    r = Router(name="user.start")

    @r.message(CommandStart())
    async def start(message: Message, command: CommandObject, kb: KnowledgeBase,
                    profile: UserProfile, storage: Storage, i18n: I18n) -> None:
        code = site_code(command.args)
        # A pilot site's link: the user joins that site's cohort (only the code is kept).
        # The first site counts; an unknown code is simply ignored.
        if code and profile.site is None and await storage.site_exists(code):
            await storage.update_user(profile.pseudonym, site=code)
        await message.answer(views.welcome(kb, i18n.current_locale))
        await message.answer(
            views.choose_language_text(),
            reply_markup=views.language_keyboard(i18n.current_locale),
        )

    @r.message(Command("language"))
    async def language(message: Message, i18n: I18n) -> None:
        await message.answer(
            views.choose_language_text(),
            reply_markup=views.language_keyboard(i18n.current_locale),
        )

    @r.message(Command("settings"))
    async def settings(message: Message) -> None:
        await message.answer(views.who_are_you_text(), reply_markup=views.audience_keyboard())

    @r.callback_query(LangCb.filter(F.code.in_({*LANG_CODES, "skip"})))
    async def chose_language(query: CallbackQuery, callback_data: LangCb,
                             storage: Storage, profile: UserProfile, i18n: I18n) -> None:
        if callback_data.code != "skip":
            await storage.update_user(profile.pseudonym, lang=callback_data.code, lang_chosen=1)
            i18n.current_locale = callback_data.code
        await query.answer()
        if query.message is not None:
            await query.message.answer(views.who_are_you_text(),
                                       reply_markup=views.audience_keyboard())

    @r.callback_query(AudienceCb.filter(F.value.in_({*AUDIENCES, "skip"})))
    async def chose_audience(query: CallbackQuery, callback_data: AudienceCb,
                             storage: Storage, profile: UserProfile) -> None:
        await query.answer()
        if callback_data.value != "skip":
            await storage.update_user(profile.pseudonym, audience=callback_data.value)
        if query.message is None:
            return
        if callback_data.value == "teen":
            await query.message.answer(views.age_text(), reply_markup=views.age_keyboard())
        else:
            await query.message.answer(views.ready_text())

    @r.callback_query(AgeCb.filter(F.band.in_({*AGE_BANDS, "skip"})))
    async def chose_age(query: CallbackQuery, callback_data: AgeCb, storage: Storage,
                        profile: UserProfile) -> None:
        await query.answer()
        if callback_data.band != "skip":
            await storage.update_user(profile.pseudonym, age_band=callback_data.band)
        if query.message is not None:
            await query.message.answer(views.ready_text())

    return r
