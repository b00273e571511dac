"""Kill test: the bot is killed with SIGKILL again and again while 50 users ask questions.

Afterwards every question acknowledged to a user exists exactly once, the database is intact,
and every approved answer was delivered (duplicates counted, at most one per kill)."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import PROJECT_DIR
from bot.config import load_settings
from bot.privacy import Cipher
from bot.standin import FakeTelegram, FakeUser
from bot.storage import create_storage
from tests.backends import ON_POSTGRES, database_url, sql
from tests.conftest import SMALL_KB, TEST_SECRET, TEST_TOKEN, bot_env

USERS = 50
QUESTIONS_PER_USER = 11
MIN_KILLS = 10
SEEDED_ANSWERS = 40


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_DIR,
                                env=bot_env(env), stdout=out, stderr=out)


async def seed_approved_answers(url: str) -> list[str]:
    """Approved answers waiting in the outbox, as if moderators had just approved them."""
    storage = create_storage(load_settings(secret_key=TEST_SECRET, database_url=url))
    await storage.open()
    texts = []
    from bot.privacy import pseudonym

    for i in range(SEEDED_ANSWERS):
        uid = 990_000_000 + i
        alias = pseudonym(TEST_SECRET, uid)
        await storage.touch_user(alias, uid, "ru")
        text = f"seeded answer {i}"
        await storage.enqueue("answer", {"text": text, "buttons": []}, pseudonym=alias)
        texts.append(text)
    await storage.close()
    return texts


async def user_session(server: FakeTelegram, user: FakeUser, acks: dict[str, int],
                       deadline: float) -> None:
    for i in range(QUESTIONS_PER_USER):
        text = f"vopros pro vizu nomer {user.id}-{i}"
        start = len(server.calls)
        user.send(text)
        offer = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == user.id and c.buttons()
            and c.buttons()[0].get("callback_data", "").startswith("ask:"),
            timeout=max(1.0, deadline - time.monotonic()), start=start)
        start = len(server.calls)
        user.press(offer, data=offer.buttons()[0]["callback_data"])
        ack = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == user.id and "#" in c.text,
            timeout=max(1.0, deadline - time.monotonic()), start=start)
        acks[text] = int(ack.text.split("#")[1].split()[0].rstrip(".,"))


async def test_sigkill_loses_no_question_and_no_answer(standin: FakeTelegram,
                                                       tmp_path: Path) -> None:
    url = database_url(tmp_path)
    seeded = await seed_approved_answers(url)
    env = {
        "BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE": standin.url,
        "DATABASE_URL": url, "KB_PATH": str(SMALL_KB),
        "SECRET_KEY": TEST_SECRET, "POLL_TIMEOUT": "1", "FLOOD_MESSAGES": "10000",
        "LOG_LEVEL": "WARNING", "MATCH_ANSWER_SCORE": "60", "MATCH_OFFER_SCORE": "45",
        "MATCH_CLEAR_MARGIN": "100",
    }
    log = tmp_path / "bot.log"
    proc = spawn(env, log)
    users = [standin.user(f"U{i}", language_code="ru") for i in range(USERS)]
    acks: dict[str, int] = {}
    deadline = time.monotonic() + 240
    sessions = asyncio.gather(*(user_session(standin, u, acks, deadline) for u in users))
    kills = 0
    rng = random.Random(1234)
    try:
        while not sessions.done() and time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.4, 1.6))
            if sessions.done():
                break
            if kills < MIN_KILLS + 5:
                proc.send_signal(signal.SIGKILL)
                await asyncio.to_thread(proc.wait)
                kills += 1
                proc = spawn(env, log)
        await asyncio.wait_for(sessions, max(1.0, deadline - time.monotonic()))
        # Let the outbox finish what the last run started.
        answered = lambda: {c.text for c in standin.calls  # noqa: E731
                            if c.method == "sendMessage" and c.text.startswith("seeded")}
        for _ in range(200):
            if set(seeded) <= answered():
                break
            await asyncio.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), 20)
        except TimeoutError:
            proc.kill()
    assert kills >= MIN_KILLS
    assert len(acks) == USERS * QUESTIONS_PER_USER >= 500

    cipher = Cipher(load_settings(secret_key=TEST_SECRET).fernet_keys())
    if not ON_POSTGRES:
        assert sql(url, "PRAGMA integrity_check") == [("ok",)]
    rows = sql(url, "SELECT id, text FROM tickets")
    outbox = sql(url, "SELECT state, COUNT(*) FROM outbox WHERE kind = 'answer' GROUP BY state")
    stored: dict[str, list[int]] = {}
    for number, blob in rows:
        stored.setdefault(cipher.decrypt(blob), []).append(number)
    for text, number in acks.items():
        assert stored.get(text) == [number], text  # exactly once, under the number she got
    assert dict(outbox) == {"sent": SEEDED_ANSWERS}
    deliveries = [c.text for c in standin.calls
                  if c.method == "sendMessage" and c.text.startswith("seeded")]
    assert set(deliveries) == set(seeded)
    duplicates = len(deliveries) - len(set(deliveries))
    print(json.dumps({"kills": kills, "questions": len(acks), "answer_duplicates": duplicates}))
    assert duplicates <= kills
    assert "Traceback" not in log.read_text(errors="replace")
