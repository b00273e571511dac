"""Webhook mode: durable before the 200, a wrong secret changes nothing, health, metrics."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp

from bot.standin import FakeTelegram
from bot.webhook import SECRET_HEADER, webhook_secret
from tests.backends import sql
from tests.conftest import TEST_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def update(user: Any, text: str, update_id: int) -> dict[str, Any]:
    message = user.server.new_message(user, text=text)
    return {"update_id": update_id, "message": message}


async def test_webhook_mode(start_bot: Any, standin: FakeTelegram) -> None:
    port = free_port()
    bot = await start_bot(mode="webhook", web_host="127.0.0.1", web_port=port,
                          webhook_url=f"http://127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    assert standin.webhook is not None
    assert standin.webhook["url"] == base + bot.settings.webhook_path
    secret = standin.webhook["secret_token"]
    assert secret == webhook_secret(TEST_SECRET) and len(secret) >= 32
    user = standin.user("W", language_code="en")
    url = base + bot.settings.webhook_path
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            async with http.post(url, json=update(user, "my period is late", 1),
                                 headers=headers) as resp:
                assert resp.status == 403
        db = bot.settings.database_url
        assert sql(db, "SELECT COUNT(*) FROM inbox") == [(0,)]
        assert sql(db, "SELECT COUNT(*) FROM users") == [(0,)]
        assert standin.sent_to(user.id) == []

        start = len(standin.calls)
        async with http.post(url, json=update(user, "my period is late", 2),
                             headers={SECRET_HEADER: secret}) as resp:
            assert resp.status == 200
        reply = await standin.reply(user, start=start)
        assert "who.int" in reply.text
        # Telegram redelivers an update it thinks was lost: it is handled once.
        async with http.post(url, json=update(user, "my period is late", 2),
                             headers={SECRET_HEADER: secret}) as resp:
            assert resp.status == 200
        await asyncio.sleep(0.5)
        assert len(standin.sent_to(user.id)) == 1

        async with http.get(base + "/healthz") as resp:
            assert resp.status == 200
            health = await resp.json()
            assert health["ok"] and health["database"] and health["kb_entries"] == 3
        async with http.get(base + "/metrics") as resp:
            metrics = await resp.text()
        assert 'helpline_questions_total{decision="answer",lang="en"}' in metrics
        assert str(user.id) not in metrics
