"""Two bot replicas in webhook mode on one PostgreSQL and one Redis.

Every update is posted to both replicas at once (as a load balancer retrying on the other one
would), consultants on different replicas race for the same tickets, both replicas' outbox
workers compete for the same answers, and the leading replica is killed half-way. Nothing may
be stored twice, claimed twice or delivered twice (apart from the one message that can be sent
twice when a process dies between sending it and recording that it was sent)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import load_settings
from bot.privacy import pseudonym
from bot.standin import FakeTelegram
from bot.storage import create_storage
from bot.webhook import SECRET_HEADER, webhook_secret
from tests.backends import ON_POSTGRES, database_url, sql
from tests.chat import Chat
from tests.conftest import SMALL_KB, TEST_SECRET, TEST_TOKEN, start_bot_process
from tests.test_e2e_queue import ask
from tests.test_e2e_user_flows import UNKNOWN, t
from tests.test_webhook import free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ADMINS = (7_100_001, 7_100_002)
TICKETS = 8
SEEDED = 30
FLOOD_LIMIT = 4

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: runs in `make test`'s PostgreSQL pass")


async def redis_reachable() -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        return bool(await asyncio.wait_for(client.ping(), 3))
    except Exception:
        return False
    finally:
        await client.aclose()


class Replicas:
    """The replica processes, and a pump that posts the stand-in's updates to them."""

    def __init__(self, standin: FakeTelegram, env: dict[str, str], log_dir: Path) -> None:
        self.standin = standin
        self.env = env
        self.log_dir = log_dir
        self.ports = [free_port(), free_port()]
        self.procs: list[subprocess.Popen[str] | None] = [None, None]
        self.statuses: Counter[int] = Counter()
        self.route: Callable[[dict[str, Any]], list[int]] = lambda _u: [0, 1]
        self.posted = 0
        self._secret = webhook_secret(TEST_SECRET)

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def start(self, i: int) -> None:
        env = {**self.env, "WEB_PORT": str(self.ports[i]), "WEBHOOK_URL": self.url(i)}
        self.procs[i] = start_bot_process(env, "run", "--webhook")

    def kill(self, i: int) -> None:
        proc = self.procs[i]
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.procs[i] = None

    async def wait_healthy(self, http: aiohttp.ClientSession, i: int) -> None:
        for _ in range(900):  # a replica starts in a few seconds, slower on a busy machine
            proc = self.procs[i]
            if proc is not None and proc.poll() is not None:
                error = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"replica {i} exited: {error}")
            try:
                async with http.get(self.url(i) + "/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        proc = self.procs[i]
        if proc is not None:
            proc.kill()
            raise AssertionError(f"replica {i} did not become healthy: {proc.communicate()}")
        raise AssertionError(f"replica {i} did not become healthy")

    async def pump(self, http: aiohttp.ClientSession) -> None:
        path = self.env["WEBHOOK_PATH"]
        while True:
            while self.standin.updates:
                update = self.standin.updates.pop(0)
                self.posted += 1
                targets = [i for i in self.route(update) if self.procs[i] is not None]

                async def post(i: int, update: dict[str, Any] = update) -> None:
                    try:
                        async with http.post(self.url(i) + path, json=update,
                                             headers={SECRET_HEADER: self._secret}) as resp:
                            self.statuses[resp.status] += 1
                    except aiohttp.ClientError:
                        self.statuses[0] += 1

                await asyncio.gather(*(post(i) for i in targets))
            await asyncio.sleep(0.005)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc is not None:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture
async def replicas(standin: FakeTelegram, tmp_path: Path) -> AsyncIterator[Replicas]:
    if not await redis_reachable():
        pytest.skip(f"needs Redis at {REDIS_URL}")
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    env = {
        "BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE": standin.url,
        "DATABASE_URL": database_url(tmp_path), "REDIS_URL": REDIS_URL,
        "KB_PATH": str(SMALL_KB), "SECRET_KEY": TEST_SECRET, "MODE": "webhook",
        "WEB_HOST": "127.0.0.1", "WEBHOOK_PATH": "/tg/webhook", "LOG_LEVEL": "WARNING",
        "ADMIN_IDS": ",".join(map(str, ADMINS)), "MODERATION": "off",
        "FLOOD_MESSAGES": str(FLOOD_LIMIT), "FLOOD_WINDOW_SECONDS": "600",
        "MATCH_ANSWER_SCORE": "60", "MATCH_OFFER_SCORE": "45", "MATCH_CLEAR_MARGIN": "100",
    }
    group = Replicas(standin, env, tmp_path)
    async with aiohttp.ClientSession() as http:
        group.start(0)
        group.start(1)
        try:
            await group.wait_healthy(http, 0)
            await group.wait_healthy(http, 1)
            pump = asyncio.create_task(group.pump(http))
            group.http = http  # type: ignore[attr-defined]
            yield group
            pump.cancel()
        finally:
            group.stop_all()


async def seed_answers(url: str, prefix: str, count: int, standin: FakeTelegram
                       ) -> dict[str, int]:
    """Answers approved and waiting in the outbox, for users who exist."""
    storage = create_storage(load_settings(secret_key=TEST_SECRET, database_url=url))
    await storage.open()
    expected = {}
    try:
        for i in range(count):
            user = standin.user(f"S{i}", language_code="en")
            alias = pseudonym(TEST_SECRET, user.id)
            await storage.touch_user(alias, user.id, "en")
            text = f"{prefix} answer {i}"
            await storage.enqueue("answer", {"text": text, "buttons": []}, pseudonym=alias)
            expected[text] = user.id
    finally:
        await storage.close()
    return expected


def deliveries(standin: FakeTelegram, prefix: str) -> Counter[tuple[int | None, str]]:
    return Counter((c.chat_id, c.text) for c in standin.calls
                   if c.method == "sendMessage" and c.text.startswith(prefix))


async def wait_delivered(standin: FakeTelegram, expected: dict[str, int], prefix: str,
                         timeout: float) -> None:
    for _ in range(int(timeout / 0.1)):
        if {text for _chat, text in deliveries(standin, prefix)} >= set(expected):
            return
        await asyncio.sleep(0.1)
    missing = set(expected) - {text for _chat, text in deliveries(standin, prefix)}
    raise AssertionError(f"not delivered: {sorted(missing)[:5]}")


async def test_two_replicas_store_claim_and_deliver_everything_once(
        replicas: Replicas, standin: FakeTelegram) -> None:
    db = replicas.env["DATABASE_URL"]
    # 1. Girls ask at the same time; every update reaches both replicas.
    girls = [standin.user(f"G{i}", language_code="en") for i in range(TICKETS)]
    numbers = await asyncio.gather(*(ask(standin, g, UNKNOWN["en"], "en") for g in girls))
    assert sorted(numbers) == sorted(set(numbers))
    assert sql(db, "SELECT COUNT(*), COUNT(DISTINCT source) FROM tickets") == [
        (TICKETS, TICKETS)]

    # 2. Two consultants press "Claim" on the same ticket at the same moment.
    admins = [Chat(standin, standin.user("Admin", id=a, language_code="en")) for a in ADMINS]
    for number, girl in zip(numbers, girls, strict=True):
        cards = [next(c for c in await admin.send("/queue", settle=0.5)
                      if c.text.startswith(f"#{number}")) for admin in admins]
        start = len(standin.calls)
        for admin, card in zip(admins, cards, strict=True):
            admin.user.press(card, t("en", "Claim"))
        await standin.wait_for(lambda c: c.method == "answerCallbackQuery" and c.params.get(
            "text") == t("en", "Someone else has already taken this ticket."), start=start)
        (holder,) = sql(db, "SELECT s.tg_id FROM tickets t JOIN staff s ON s.id = t.claimed_by"
                            " WHERE t.id = ?", (number,))
        winner = admins[ADMINS.index(holder[0])]
        await standin.wait_for(lambda c, w=winner: c.chat_id == w.user.id
                               and c.method == "sendMessage", start=start)  # the work card
        await asyncio.sleep(0.3)
        draft = f"Reply for ticket {number}: see a doctor if it hurts."
        preview = next(c for c in await winner.send(draft) if draft in c.text)
        await winner.press(preview, t("en", "Submit"))
        await standin.wait_for(lambda c, g=girl, n=number: c.method == "sendMessage"
                               and c.chat_id == g.id and f"Reply for ticket {n}" in c.text,
                               timeout=15)
    claims = sql(db, "SELECT ticket_id, COUNT(*) FROM audit WHERE action = 'claim'"
                     " GROUP BY ticket_id")
    assert sorted(claims) == sorted((n, 1) for n in numbers)  # no ticket claimed twice

    # 3. Both replicas' outbox workers see the same approved answers; then the leader dies.
    expected = await seed_answers(db, "Seeded", SEEDED, standin)
    await wait_delivered(standin, expected, "Seeded", timeout=20)
    await asyncio.sleep(1.0)
    seeded = deliveries(standin, "Seeded")
    assert {text: chat for chat, text in seeded} == expected  # each to the right chat
    assert sum(seeded.values()) == SEEDED  # and once: only the lease holder sends
    leader = sql(db, "SELECT holder FROM leases WHERE name = 'jobs'")[0][0]
    leader_index = next(i for i in (0, 1) if leader.endswith(f":{replicas.ports[i]}"))
    more = await seed_answers(db, "Later", SEEDED, standin)
    replicas.kill(leader_index)  # the other replica must take over its jobs
    await wait_delivered(standin, more, "Later", timeout=45)

    await asyncio.sleep(1.0)
    for prefix, wanted in (("Reply for ticket", None), ("Later", more)):
        sent = deliveries(standin, prefix)
        if wanted is not None:
            assert {text: chat for chat, text in sent} == wanted  # each to the right chat
        duplicates = sum(n - 1 for n in sent.values())
        allowed = 1 if prefix == "Later" else 0  # the killed replica may have sent one
        assert duplicates <= allowed, (prefix, duplicates)
    for girl in girls:
        got = [c for c in standin.sent_to(girl.id) if "Reply for ticket" in c.text]
        assert len(got) == 1
    assert replicas.statuses[200] >= 2 * TICKETS and set(replicas.statuses) == {200}
    assert sql(db, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'") == [(0,)]


async def test_the_flood_limit_is_shared_by_the_replicas(replicas: Replicas,
                                                         standin: FakeTelegram) -> None:
    """Messages of one user alternate between the replicas; the limit counts them together."""
    turn = itertools.cycle([[0], [1]])
    replicas.route = lambda _update: next(turn)
    user = standin.user("Fast", language_code="en")
    start = len(standin.calls)
    for i in range(FLOOD_LIMIT + 3):
        user.send(f"my period is late {i}")
        await asyncio.sleep(0.4)
    await asyncio.sleep(1.5)
    notices = [c for c in standin.calls[start:] if c.chat_id == user.id
               and c.text == t("en", "You are writing very fast. Please wait a minute, then "
                                     "send your question again: I will read it.")]
    answered = [c for c in standin.calls[start:] if c.chat_id == user.id
                and c.method == "sendMessage" and "who.int" in c.text]
    assert len(notices) == 1 and len(answered) == FLOOD_LIMIT

    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    keys = [k.decode() async for k in client.scan_iter("*")]
    await client.aclose()
    assert any(":flood:" in k for k in keys)
    assert not any(str(user.id) in k for k in keys)  # pseudonyms only, never the Telegram id
