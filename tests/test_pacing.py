"""The outbox paces a burst within Telegram's limits and honours 429 retry_after."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from bot.app import build_bot
from bot.config import load_settings
from bot.i18n import build_i18n
from bot.kb import load_knowledge_base
from bot.privacy import pseudonym
from bot.services.outbox import OutboxWorker, Pacer
from bot.standin import FakeTelegram
from bot.storage import create_storage
from tests.backends import database_url
from tests.conftest import SMALL_KB, TEST_SECRET, TEST_TOKEN

CHATS = 300
BUSY_CHATS = 10
PER_BUSY_CHAT = 3


def test_pacer_spaces_one_chat_and_caps_the_total() -> None:
    pacer = Pacer(per_chat=1.0, per_second=30)
    pacer.sent(1, 100.0)
    assert pacer.wait_time(1, 100.2) == pytest.approx(0.8)
    assert pacer.wait_time(2, 100.2) == 0.0
    for chat in range(2, 31):
        pacer.sent(chat, 100.5)
    # 30 messages since 100.0: the 31st waits until the oldest is a second old.
    assert pacer.wait_time(99, 100.6) == pytest.approx(0.4)


async def test_burst_to_300_chats_is_paced_and_429_honoured(standin: FakeTelegram,
                                                            tmp_path: Path) -> None:
    settings = load_settings(bot_token=TEST_TOKEN, telegram_api_base=standin.url,
                             database_url=database_url(tmp_path, "p"),
                             secret_key=TEST_SECRET, kb_path=SMALL_KB)
    storage = create_storage(settings)
    await storage.open()
    kb, _ = load_knowledge_base(SMALL_KB)
    bot = build_bot(settings, storage)
    worker = OutboxWorker(bot, storage, build_i18n(), kb)
    chats = [800_000 + i for i in range(CHATS)]
    for chat in chats:
        alias = pseudonym(TEST_SECRET, chat)
        await storage.touch_user(alias, chat, "ru")
        repeats = PER_BUSY_CHAT if chat < 800_000 + BUSY_CHATS else 1
        for n in range(repeats):
            await storage.enqueue("answer", {"text": f"answer {chat} {n}", "buttons": []},
                                  pseudonym=alias)
    limited = chats[0]
    standin.fail("sendMessage", 429, chat_id=limited, retry_after=2)
    task = asyncio.create_task(worker.run())
    total = CHATS + BUSY_CHATS * (PER_BUSY_CHAT - 1)
    try:
        for _ in range(600):
            if (await storage.outbox_counts()).get("sent") == total:
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bot.session.close()
        await storage.close()
    sends = [c for c in standin.calls if c.method == "sendMessage"]
    delivered = [c for c in sends if not c.params.get("_failed")]
    assert len(delivered) == total
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in delivered:
        by_chat[int(call.chat_id or 0)].append(call.at)
    gaps = [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
    assert gaps and min(gaps) >= 0.95, min(gaps)
    times = sorted(c.at for c in delivered)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 31, busiest
    failed = [c for c in sends if c.params.get("_failed") == 429]
    retried = [c for c in delivered if c.chat_id == limited]
    assert len(failed) == 1 and retried[0].at - failed[0].at >= 2.0
