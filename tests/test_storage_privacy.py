"""Storage keeps secrets encrypted, forgets on time, and survives key rotation."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings, load_settings
from bot.privacy import Cipher, pseudonym
from bot.standin import FakeTelegram
from bot.storage import create_storage
from bot.storage.store import PENDING_QUESTION_DAYS, Storage, purge_expired, rotate_keys
from tests.backends import database_url, raw_contents
from tests.chat import Chat
from tests.conftest import TEST_SECRET


def store_settings(tmp_path: Path, name: str) -> Settings:
    return load_settings(secret_key=TEST_SECRET, database_url=database_url(tmp_path, name))


def open_store(tmp_path: Path, key: bytes, name: str = "s") -> Storage:
    return create_storage(store_settings(tmp_path, name), Cipher([key]))


@pytest.fixture
async def storage(tmp_path: Path) -> Any:
    store = open_store(tmp_path, Fernet.generate_key())
    await store.open()
    yield store
    await store.close()


async def test_schema_is_created_and_versioned(storage: Storage) -> None:
    assert await storage.schema_version() >= 1
    assert await storage.integrity_ok()


async def test_migrations_run_once(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    for _ in range(2):
        store = open_store(tmp_path, key, "m")
        await store.open()
        version = await store.schema_version()
        await store.close()
    assert version >= 1


def test_pseudonyms_are_stable_secret_dependent_and_not_the_id() -> None:
    a = pseudonym("secret-one", 123456789)
    assert a == pseudonym("secret-one", 123456789)
    assert a != pseudonym("secret-two", 123456789)
    assert "123456789" not in a and len(a) == 64


async def test_purge_keeps_fresh_and_open_removes_old_and_finished(
    storage: Storage,
) -> None:
    profile = await storage.touch_user("p1", 42, "ru")
    old = await storage.add_pending_question(profile.pseudonym, "old question", "ru", None,
                                             False)
    fresh = await storage.add_pending_question(profile.pseudonym, "new question", "ru", None,
                                               False)
    question = await storage.get_pending_question(fresh, "p1")
    assert question is not None
    number, _ = await storage.create_ticket_from_pending(question, None, None)
    async with storage.transaction() as db:
        await db.execute("UPDATE pending_questions SET created_at = ? WHERE id = ?",
                         (time.time() - (PENDING_QUESTION_DAYS + 1) * 86400, old))
    removed = await purge_expired(storage, retention_days=90)
    assert removed["pending_questions"] == 1
    assert await storage.get_pending_question(old, "p1") is None
    assert await storage.count_tickets() == 1  # open tickets are never purged
    async with storage.transaction() as db:
        await db.execute("UPDATE tickets SET state = 'closed', created_at = ? WHERE id = ?",
                         (time.time() - 91 * 86400, number))
    removed = await purge_expired(storage, retention_days=90)
    assert removed["tickets"] == 1 and await storage.count_tickets() == 0


async def test_key_rotation_reencrypts_everything(tmp_path: Path) -> None:
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    store = open_store(tmp_path, old_key, "r")
    await store.open()
    await store.touch_user("p1", 777, "kk")
    qid = await store.add_pending_question("p1", "менің сұрағым", "kk", None, False)
    await store.close()

    store = create_storage(store_settings(tmp_path, "r"), Cipher([new_key, old_key]))
    await store.open()
    assert await rotate_keys(store) == 2
    await store.close()

    store = create_storage(store_settings(tmp_path, "r"), Cipher([new_key]))  # old key gone
    await store.open()
    question = await store.get_pending_question(qid, "p1")
    assert question is not None and question.text == "менің сұрағым"
    assert await store.user_chat("p1") == 777
    await store.close()


async def test_nothing_identifying_reaches_the_database_or_logs(
    start_bot: Any, standin: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await start_bot()
    tokens = []
    for i in range(3):
        uid = 880_000_000 + i
        user = standin.user(f"Zhuldyzai{i}", id=uid, username=f"secret_nick_{i}",
                            language_code="ru", last_name=f"Familia{i}")
        tokens += [str(uid), f"secret_nick_{i}", f"Zhuldyzai{i}", f"Familia{i}"]
        chat = Chat(standin, user)
        question = f"как получить визу номер уникальный{i}"
        tokens.append(f"уникальный{i}")
        (offer,) = await chat.send(question)
        await chat.press(offer, "Да, отправить")
        await chat.send("/start", expect=2)
    await bot.stop()
    blobs = raw_contents(bot.settings.database_url)
    logs = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for token in tokens:
        assert token.encode() not in blobs, token
        assert token not in logs, token
