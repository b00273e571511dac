"""Load: 500 users x 10 messages through the Bot API stand-in.

Measures questions stored per second and the time from receipt (the update is offered to the
bot) to acknowledgement (the bot's reply reaches the stand-in), for the durable bot (inbox in
SQLite, then handlers), next to a baseline of the same dispatcher fed the same updates
directly, without the durable inbox or long polling.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from aiogram.types import Update

from bot.app import build_app
from bot.config import load_settings
from bot.kb import load_knowledge_base
from bot.runner import serve
from bot.standin import FakeTelegram
from bot.storage import create_storage

TOKEN = "123456:BENCH"
SECRET = "bench-secret-key-0123456789-0123456789"
QUESTIONS = ["месячные не идут", "etekkir kelmei zhatyr", "my period is late",
             "болит живот при месячных", "period cramps help", "прыщи на лице что делать",
             "how do i get a visa", "балам ыстығы көтерілді", "can i swim on my period",
             "я очень переживаю из-за экзаменов"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def settings_for(server: FakeTelegram, root: Path, kb_path: Path) -> Any:
    return load_settings(bot_token=TOKEN, telegram_api_base=server.url,
                         database_url=f"sqlite:///{root / 'load.sqlite3'}", kb_path=kb_path,
                         secret_key=SECRET, poll_timeout=1, flood_messages=1_000_000)


async def _durable(users: int, per_user: int, kb_path: Path) -> tuple[float, list[float]]:
    server = FakeTelegram(token=TOKEN)
    await server.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(server, Path(tmp), kb_path)
        ready, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(settings, ready=ready, stop=stop))
        await asyncio.wait_for(ready.wait(), 30)
        waiting: dict[int, deque[float]] = defaultdict(deque)  # chat -> send times, in order
        latencies: list[float] = []
        total = users * per_user
        all_replied = asyncio.Event()

        def on_call(call: Any) -> None:
            if call.method == "sendMessage" and call.chat_id is not None:
                queue = waiting.get(int(call.chat_id))
                if queue:
                    latencies.append(time.perf_counter() - queue.popleft())
                    if len(latencies) >= total:
                        all_replied.set()

        server.listeners.append(on_call)
        fakes = [server.user(f"L{i}", language_code="ru") for i in range(users)]
        start = time.perf_counter()
        for n in range(per_user):
            for user in fakes:
                waiting[user.id].append(time.perf_counter())
                user.send(QUESTIONS[(user.id + n) % len(QUESTIONS)])
        try:
            await asyncio.wait_for(all_replied.wait(), 300)
        except TimeoutError:
            print(f"  (only {len(latencies)} of {total} replies within 300 s)")
        elapsed = time.perf_counter() - start
        stop.set()
        await task
    await server.stop()
    return total / elapsed, latencies


async def _baseline(users: int, per_user: int, kb_path: Path) -> tuple[float, list[float]]:
    server = FakeTelegram(token=TOKEN)
    await server.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(server, Path(tmp), kb_path)
        kb, _ = load_knowledge_base(kb_path)
        storage = create_storage(settings)
        await storage.open()
        app = build_app(settings, storage, kb)
        fakes = [server.user(f"B{i}", language_code="ru") for i in range(users)]
        latencies: list[float] = []
        start = time.perf_counter()

        async def one(user: Any, n: int) -> None:
            t0 = time.perf_counter()
            message = server.new_message(user, text=QUESTIONS[(user.id + n) % len(QUESTIONS)])
            update = Update.model_validate({"update_id": user.id * 100 + n, "message": message},
                                           context={"bot": app.bot})
            await app.dispatcher.feed_update(app.bot, update)
            latencies.append(time.perf_counter() - t0)

        for n in range(per_user):
            await asyncio.gather(*(one(u, n) for u in fakes))
        elapsed = time.perf_counter() - start
        await app.bot.session.close()
        await storage.close()
    await server.stop()
    return users * per_user / elapsed, latencies


def bench_load(kb_path: Path, users: int = 500, per_user: int = 10) -> None:
    print(f"\n== load: {users} users x {per_user} messages through the Bot API stand-in")
    rate, lat = asyncio.run(_durable(users, per_user, kb_path))
    base_rate, base_lat = asyncio.run(_baseline(users, per_user, kb_path))
    print(f"{'':<34}{'msgs/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'n':>7}")
    print(f"{'durable polling (inbox, SQLite)':<34}{rate:>8.0f}"
          f"{statistics.median(lat) * 1000:>9.1f}{p95(lat) * 1000:>9.1f}{len(lat):>7}")
    print(f"{'baseline: feed_update, no inbox':<34}{base_rate:>8.0f}"
          f"{statistics.median(base_lat) * 1000:>9.1f}{p95(base_lat) * 1000:>9.1f}"
          f"{len(base_lat):>7}")
