"""Assemble the bot: settings + storage + knowledge base + matcher -> Bot and Dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from bot import views
from bot.config import Settings
from bot.handlers import get_routers
from bot.i18n import build_i18n
from bot.kb import KnowledgeBase
from bot.matching.crisis import CrisisDetector
from bot.matching.matcher import Matcher
from bot.middlewares.locale import SUPPORTED, ProfileI18nMiddleware
from bot.middlewares.profile import ProfileMiddleware
from bot.middlewares.staff import StaffMiddleware
from bot.middlewares.throttle import ThrottleMiddleware
from bot.services.outbox import OutboxWorker
from bot.services.questions import QuestionService
from bot.services.queue import QueueService
from bot.session import RetryMiddleware, SentMessagesMiddleware
from bot.shared_state import build_flood_limiter, build_fsm_storage
from bot.storage.store import Storage


@dataclass(slots=True)
class App:
    settings: Settings
    storage: Storage
    kb: KnowledgeBase
    matcher: Matcher
    i18n: I18n
    bot: Bot
    dispatcher: Dispatcher
    outbox: OutboxWorker


def build_matcher(kb: KnowledgeBase, settings: Settings) -> Matcher:
    crisis = CrisisDetector.for_kb(kb, settings.match_crisis_model, settings.match_crisis_joint)
    return Matcher(kb, settings.thresholds(), crisis=crisis, default_lang=settings.default_language)


def build_bot(settings: Settings, storage: Storage) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(RetryMiddleware())
    session.middleware(SentMessagesMiddleware(storage, settings.secret_key))
    return Bot(
        token=settings.bot_token,
        session=session,
        default=DefaultBotProperties(link_preview_is_disabled=True),
    )


def build_dispatcher(settings: Settings, storage: Storage, kb: KnowledgeBase,
                     matcher: Matcher, i18n: I18n, outbox: OutboxWorker) -> Dispatcher:
    dp = Dispatcher(storage=build_fsm_storage(settings.redis_url, settings.secret_key))
    dp["outbox"] = outbox
    dp["settings"] = settings
    dp["storage"] = storage
    dp["kb"] = kb
    dp["matcher"] = matcher
    queue = QueueService(storage, settings.moderation, settings.claim_lease_minutes * 60)
    dp["queue"] = queue
    dp["questions"] = QuestionService(storage, matcher, queue)
    dp.update.outer_middleware(ProfileMiddleware(storage, settings.secret_key))
    dp.update.outer_middleware(StaffMiddleware(storage, settings.admin_ids))
    ProfileI18nMiddleware(i18n, settings.default_language).setup(dp)
    flood = build_flood_limiter(settings.redis_url, settings.flood_messages,
                                settings.flood_window_seconds)
    dp["flood"] = flood
    dp.message.middleware(ThrottleMiddleware(flood))
    dp.include_routers(*get_routers())
    return dp


def build_app(settings: Settings, storage: Storage, kb: KnowledgeBase) -> App:
    matcher = build_matcher(kb, settings)
    i18n = build_i18n(settings.default_language)
    bot = build_bot(settings, storage)
    outbox = OutboxWorker(bot, storage, i18n, kb, settings.default_language)
    dp = build_dispatcher(settings, storage, kb, matcher, i18n, outbox)
    return App(settings, storage, kb, matcher, i18n, bot, dp, outbox)


async def set_commands(bot: Bot, i18n: I18n, default_lang: str) -> None:
    with i18n.context():
        for lang in (None, *SUPPORTED):
            commands = [
                BotCommand(command=c, description=d)
                for c, d in views.commands(lang or default_lang)
            ]
            await bot.set_my_commands(commands, language_code=lang)
