"""What lets several replicas share one database: the jobs lease and the inbox take-over."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import load_settings
from bot.privacy import Cipher
from bot.storage import create_storage
from bot.storage.store import INBOX_LEASE_SECONDS, Storage
from tests.backends import database_url
from tests.conftest import TEST_SECRET


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    settings = load_settings(secret_key=TEST_SECRET, database_url=database_url(tmp_path))
    store = create_storage(settings, Cipher([Fernet.generate_key()]))
    await store.open()
    yield store
    await store.close()


async def test_one_holder_at_a_time_until_the_lease_runs_out(storage: Storage) -> None:
    now = time.time()
    assert await storage.take_lease("jobs", "replica-a:8080", 15, now=now)
    assert not await storage.take_lease("jobs", "replica-b:8080", 15, now=now + 1)
    assert await storage.take_lease("jobs", "replica-a:8080", 15, now=now + 5)  # renewed
    assert not await storage.take_lease("jobs", "replica-b:8080", 15, now=now + 19)
    assert await storage.take_lease("jobs", "replica-b:8080", 15, now=now + 21)  # a died
    assert not await storage.take_lease("jobs", "replica-a:8080", 15, now=now + 22)
    await storage.release_lease("jobs", "replica-b:8080")
    assert await storage.take_lease("jobs", "replica-a:8080", 15, now=now + 23)


async def test_an_unfinished_update_is_taken_over_once_after_its_lease(storage: Storage
                                                                        ) -> None:
    now = time.time()
    stored = await storage.inbox_store([(11, '{"a": 1}'), (12, '{"b": 2}')], None)
    assert [uid for uid, _raw in stored] == [11, 12]
    await storage.inbox_done(12)
    assert await storage.inbox_take_orphans(now=now + 1) == []  # still in its replica's hands
    later = now + INBOX_LEASE_SECONDS + 1
    assert await storage.inbox_take_orphans(now=later) == [(11, '{"a": 1}')]
    assert await storage.inbox_take_orphans(now=later + 1) == []  # taken by one replica only
    # A replica still working through its backlog keeps its updates from being taken.
    await storage.inbox_store([(13, '{"c": 3}')], None)
    await storage.inbox_keep([13], now=later)
    assert await storage.inbox_take_orphans(now=later + INBOX_LEASE_SECONDS - 1) == []
    # The same update posted again after it was handled is not stored again.
    await storage.inbox_done(11)
    assert await storage.inbox_store([(11, '{"a": 1}')], None) == []
