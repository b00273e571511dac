"""Start the bot: check everything first, then poll (or the local sandbox without a token)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.utils.token import TokenValidationError, validate_token

from bot.app import App, build_app, set_commands
from bot.config import ConfigError, Settings
from bot.inbox import InboxProcessor
from bot.kb import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from bot.logging_setup import setup_logging
from bot.polling import DurablePoller
from bot.services.leader import Leader, replica_name
from bot.services.reminders import run_reminders
from bot.storage import create_storage
from bot.storage.store import purge_expired
from bot.webhook import start_webhook

log = logging.getLogger("bot.runner")
STARTUP_TIMEOUT = 15


class StartupError(Exception):
    """A problem that stops the bot before it serves anyone: one clear line."""


def load_kb_or_fail(settings: Settings) -> KnowledgeBase:
    try:
        kb, _ = load_knowledge_base(settings.kb_path)
    except KnowledgeBaseError as exc:
        errors = [p for p in exc.problems if not p.warning]
        raise StartupError(
            f"KB_PATH: the knowledge base in {settings.kb_path} has {len(errors)} errors "
            f"(first: {errors[0] if errors else '?'}); run: python -m bot kb check"
        ) from None
    return kb


async def open_app(settings: Settings) -> App:
    if not settings.secret_key:
        raise ConfigError("SECRET_KEY: required (a long random string; see .env.example)")
    try:
        validate_token(settings.bot_token)
    except TokenValidationError:
        raise ConfigError("BOT_TOKEN: malformed (expected the form 123456:ABC... from "
                          "@BotFather)") from None
    kb = load_kb_or_fail(settings)
    storage = create_storage(settings)
    await storage.open()
    try:
        return build_app(settings, storage, kb)
    except BaseException:
        await storage.close()
        raise


async def check_bot(app: App) -> None:
    base = app.settings.telegram_api_base
    try:
        await asyncio.wait_for(app.bot.get_me(request_timeout=STARTUP_TIMEOUT),
                               STARTUP_TIMEOUT + 1)
    except TelegramUnauthorizedError:
        raise StartupError(f"BOT_TOKEN: rejected by the Bot API at {base} (401 Unauthorized)"
                           ) from None
    except (TelegramNetworkError, TimeoutError, OSError) as exc:
        raise StartupError(
            f"TELEGRAM_API_BASE: cannot reach the Bot API at {base} ({type(exc).__name__})"
        ) from None
    except TelegramAPIError as exc:
        raise StartupError(f"BOT_TOKEN: the Bot API at {base} refused getMe "
                           f"({type(exc).__name__})") from None
    log.info("connected", extra={"url": base})


async def serve(settings: Settings, *, ready: asyncio.Event | None = None,
                stop: asyncio.Event | None = None, webhook: bool = False) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set), then finish in-flight updates."""
    webhook = webhook or settings.mode == "webhook"
    if webhook and not settings.webhook_url.startswith("https://") and \
            not settings.webhook_url.startswith("http://127.0.0.1"):
        raise ConfigError("WEBHOOK_URL: required in webhook mode (the public https:// URL)")
    app = await open_app(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    background: list[asyncio.Task[None]] = []
    try:
        await check_bot(app)
        await set_commands(app.bot, app.i18n, settings.default_language)
        inbox = InboxProcessor(app.bot, app.dispatcher, app.storage)
        leader = Leader(app.storage, replica_name(settings.web_port if webhook else None))
        await leader.renew()
        app.outbox.leader = leader
        background = [
            asyncio.create_task(leader.run()),
            asyncio.create_task(_purge_periodically(app, leader)),
            asyncio.create_task(app.outbox.run()),
            asyncio.create_task(run_reminders(app.storage, app.dispatcher["queue"], settings,
                                              app.outbox, every=settings.care_interval,
                                              leader=leader)),
            asyncio.create_task(_take_over_orphans(app, inbox, leader)),
        ]
        if webhook:
            await inbox.resume(alone=app.storage.single_process)
            web_runner = await start_webhook(app, inbox)
            log.info("started", extra={"entries": len(app.kb), "mode": "webhook"})
            if ready is not None:
                ready.set()
            await stop.wait()
            await web_runner.cleanup()
            await inbox.drain()
        else:
            await app.bot.delete_webhook(drop_pending_updates=False)
            poller = DurablePoller(app.bot, app.storage, inbox,
                                   poll_timeout=settings.poll_timeout)
            stopper = asyncio.create_task(_stop_when(stop, poller))
            log.info("started", extra={"entries": len(app.kb), "mode": "polling"})
            if ready is not None:
                ready.set()
            try:
                await poller.run()
            finally:
                stopper.cancel()
        log.info("stopped")
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        if background:
            await leader.resign()
        await app.bot.session.close()
        await app.dispatcher.storage.close()
        await app.dispatcher["flood"].close()
        await app.storage.close()


async def _take_over_orphans(app: App, inbox: InboxProcessor, leader: Leader,
                             every: float = 10.0) -> None:
    """Every replica keeps the updates it holds; the leader takes over those another replica
    stored but did not finish (it crashed)."""
    while True:
        await asyncio.sleep(every)
        try:
            await app.storage.inbox_keep(inbox.in_hand())
            if leader.leading:
                inbox.enqueue(await app.storage.inbox_take_orphans())
        except Exception as exc:
            log.error("takeover_failed", extra={"error": type(exc).__name__})


async def _purge_periodically(app: App, leader: Leader, every: float = 3600.0) -> None:
    while True:
        if not leader.leading:
            await asyncio.sleep(leader.lease_seconds)
            continue
        try:
            removed = await purge_expired(app.storage, app.settings.retention_days)
            log.info("purged", extra={"count": sum(removed.values())})
        except Exception as exc:  # keep purging on the next round, like queue care does
            log.error("purge_failed", extra={"error": type(exc).__name__}, exc_info=exc)
        await asyncio.sleep(every)


async def _stop_when(event: asyncio.Event, poller: DurablePoller) -> None:
    await event.wait()
    poller.stop()


def run(settings: Settings, *, webhook: bool = False, sandbox: bool = False) -> int:
    setup_logging(settings.log_level)
    if sandbox or not settings.has_token:
        from bot.sandbox import run_sandbox

        return run_sandbox(settings)
    try:
        asyncio.run(serve(settings, webhook=webhook))
    except (StartupError, ConfigError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    except TelegramUnauthorizedError:
        print("cannot start: BOT_TOKEN: rejected by the Bot API (401 Unauthorized)",
              file=sys.stderr)
        return 2
    return 0
