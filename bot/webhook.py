"""Webhook mode: Telegram POSTs updates; each is stored durably before the HTTP 200.

A request without the right `X-Telegram-Bot-Api-Secret-Token` gets 403 and changes nothing.
`/healthz` answers whether the database is reachable and the knowledge base loaded;
`/metrics` serves Prometheus metrics (no personal data in labels).
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.app import App
from bot.inbox import InboxProcessor
from bot.metrics import QUEUE_DEPTH, REGISTRY
from bot.polling import ALLOWED_UPDATES

log = logging.getLogger("bot.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(secret_key: str) -> str:
    """The same secret on every replica, derived from SECRET_KEY (Telegram allows A-Z a-z 0-9
    _ -, up to 256 characters)."""
    return hmac.new(secret_key.encode(), b"telegram-webhook", "sha256").hexdigest()


def build_web_app(app: App, inbox: InboxProcessor) -> web.Application:
    secret = webhook_secret(app.settings.secret_key)
    web_app = web.Application(client_max_size=2 * 1024 * 1024)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            raw = await request.json()
            update_id = int(raw["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="bad update")
        text = json.dumps(raw)
        inbox.enqueue(await app.storage.inbox_store([(update_id, text)], None))
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        try:
            db_ok = await app.storage.ping()
        except Exception:
            db_ok = False
        ok = db_ok and len(app.kb) > 0
        body = {"ok": ok, "database": db_ok, "kb_entries": len(app.kb)}
        return web.json_response(body, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        for state, count in (await app.storage.ticket_state_counts()).items():
            QUEUE_DEPTH.labels(state=state).set(count)
        return web.Response(body=generate_latest(REGISTRY),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app.router.add_post(app.settings.webhook_path, receive)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", healthz)
    web_app.router.add_get("/metrics", metrics)
    return web_app


async def start_webhook(app: App, inbox: InboxProcessor) -> web.AppRunner:
    runner = web.AppRunner(build_web_app(app, inbox), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.web_host, app.settings.web_port)
    await site.start()
    url = app.settings.webhook_url.rstrip("/") + app.settings.webhook_path
    await app.bot.set_webhook(url, secret_token=webhook_secret(app.settings.secret_key),
                              allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    log.info("webhook_set", extra={"mode": "webhook", "port": app.settings.web_port})
    return runner
