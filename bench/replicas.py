"""Webhook replicas: updates/s and acknowledgement latency for one replica, then two.

Each replica is a real `python -m bot run --webhook` process on one PostgreSQL and one Redis.
A load balancer is simulated by posting updates round-robin to the replicas, with a fixed
number of requests in flight. "Acknowledged" is the HTTP 200 Telegram waits for (the update is
stored durably by then); "handled" is the bot's reply reaching the Bot API stand-in. One replica
is the baseline measured in the same run. Needs PostgreSQL and Redis; says so and skips without.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot import PROJECT_DIR
from bot.config import Settings
from bot.standin import FakeTelegram
from bot.webhook import SECRET_HEADER, webhook_secret

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TOKEN = "123456:BENCH"
SECRET = "bench-secret-key-0123456789-0123456789"
PATH = "/tg/webhook"
USERS = 200
PER_USER = 5
IN_FLIGHT = 32
TEXTS = ["месячные не идут", "my period is late", "period cramps help",
         "прыщи на лице что делать", "балам ыстығы көтерілді"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _reachable() -> str | None:
    import asyncpg
    from redis.asyncio import Redis

    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_URL), 5)
        await conn.close()
    except Exception as exc:
        return f"no PostgreSQL at {PG_URL} ({type(exc).__name__})"
    client = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.ping(), 5)
    except Exception as exc:
        return f"no Redis at {REDIS_URL} ({type(exc).__name__})"
    finally:
        await client.aclose()
    return None


async def _fresh_schema(name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
    await conn.close()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}search_path={name}"


async def _drop_schema(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    await conn.close()


def _start(server: FakeTelegram, db: str, port: int, kb_path: Path) -> subprocess.Popen[bytes]:
    names = {name.upper() for name in Settings.model_fields}  # not the developer's settings
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update({
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": server.url, "DATABASE_URL": db,
        "REDIS_URL": REDIS_URL, "KB_PATH": str(kb_path), "SECRET_KEY": SECRET,
        "MODE": "webhook", "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_PATH": PATH,
        "LOG_LEVEL": "WARNING", "FLOOD_MESSAGES": "1000000",
    })
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook"], cwd=PROJECT_DIR,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _healthy(http: aiohttp.ClientSession, port: int) -> None:
    for _ in range(1200):
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"replica on port {port} did not start")


async def _run(replicas: int, kb_path: Path, run_id: int) -> dict[str, float]:
    server = FakeTelegram(token=TOKEN)
    await server.start()
    schema = f"bench_replicas_{os.getpid()}_{run_id}"
    db = await _fresh_schema(schema)
    ports = [_port() for _ in range(replicas)]
    procs = [_start(server, db, port, kb_path) for port in ports]
    try:
        async with aiohttp.ClientSession() as http:
            for port in ports:
                await _healthy(http, port)
            users = [server.user(f"L{i}", language_code="ru") for i in range(USERS)]
            updates = [{"update_id": 10_000 + n, "message": server.new_message(
                user, text=TEXTS[(n + i) % len(TEXTS)])}
                for n, (i, user) in enumerate(
                    (i, u) for i in range(PER_USER) for u in users)]
            targets = itertools.cycle(ports)
            acks: list[float] = []
            secret = webhook_secret(SECRET)
            queue: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()
            for update in updates:
                queue.put_nowait((update, next(targets)))
            replies_before = len(server.calls)

            async def worker() -> None:
                while not queue.empty():
                    update, port = queue.get_nowait()
                    began = time.perf_counter()
                    async with http.post(f"http://127.0.0.1:{port}{PATH}", json=update,
                                         headers={SECRET_HEADER: secret}) as resp:
                        assert resp.status == 200, resp.status
                    acks.append(time.perf_counter() - began)

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
            acked = time.perf_counter() - began
            total = len(updates)
            while sum(1 for c in server.calls[replies_before:]
                      if c.method == "sendMessage") < total:
                if time.perf_counter() - began > 600:
                    raise RuntimeError("replies did not arrive")
                await asyncio.sleep(0.05)
            handled = time.perf_counter() - began
        ordered = sorted(acks)
        return {"acked_per_s": total / acked, "handled_per_s": total / handled,
                "ack_p50_ms": ordered[len(ordered) // 2] * 1000,
                "ack_p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000}
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        await server.stop()
        await _drop_schema(schema)


def bench_replicas(kb_path: Path) -> None:
    print(f"\n== webhook replicas on PostgreSQL + Redis ({USERS} users x {PER_USER} "
          f"messages, {IN_FLIGHT} requests in flight, round-robin)")
    problem = asyncio.run(_reachable())
    if problem:
        print(f"  SKIPPED: {problem}")
        return
    results = {n: asyncio.run(_run(n, kb_path, n)) for n in (1, 2)}
    for n, r in results.items():
        label = "1 replica (baseline)" if n == 1 else f"{n} replicas"
        print(f"  {label:<22} acknowledged {r['acked_per_s']:7.1f} updates/s, "
              f"handled {r['handled_per_s']:7.1f} updates/s, ack p50 {r['ack_p50_ms']:6.1f} ms,"
              f" p95 {r['ack_p95_ms']:6.1f} ms")
    one, two = results[1], results[2]
    print(f"  two replicas vs one: {two['handled_per_s'] / one['handled_per_s']:.2f}x handled "
          f"throughput, p95 acknowledgement {two['ack_p95_ms'] / one['ack_p95_ms']:.2f}x "
          f"(on {os.cpu_count()} cores shared by replicas, PostgreSQL and this load generator)")
