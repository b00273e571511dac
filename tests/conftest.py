"""Shared fixtures: the Bot API stand-in, and the real bot running against it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import PROJECT_DIR
from bot.config import Settings, load_settings
from bot.runner import serve
from bot.standin import FakeTelegram
from tests.backends import (
    BACKEND,
    ON_POSTGRES,
    TEST_DATABASE_URL,
    database_url,
    drop_created_schemas,
)

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_KB = FIXTURES / "kb_small"
TEST_TOKEN = "123456:TEST-TOKEN"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
FIXTURE_THRESHOLDS = {"match_answer_score": 60.0, "match_offer_score": 45.0,
                      "match_clear_margin": 100.0}


def pytest_report_header() -> str:
    where = f" at {TEST_DATABASE_URL}" if ON_POSTGRES else " (a file per test)"
    return f"database backend: {BACKEND}{where}"


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    yield
    drop_created_schemas()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's .env or environment settings."""
    names = {name.upper() for name in Settings.model_fields}
    for key in list(os.environ):
        if key.upper() in names:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", ())


@pytest.fixture
async def standin() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(token=TEST_TOKEN)
    await server.start()
    yield server
    await server.stop()


def make_settings(tmp_path: Path, standin: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TEST_TOKEN,
        "telegram_api_base": standin.url,
        "database_url": database_url(tmp_path),
        "kb_path": SMALL_KB,
        "secret_key": TEST_SECRET,
        "poll_timeout": 1,
        "default_language": "ru",
        # The three-topic fixture base has large leads between topics, so it needs stricter
        # thresholds than the shipped base to send unknown questions to a consultant.
        **FIXTURE_THRESHOLDS,
    }
    values.update(overrides)
    return load_settings(**values)


class RunningBot:
    def __init__(self, settings: Settings, task: asyncio.Task[None], stop: asyncio.Event
                 ) -> None:
        self.settings = settings
        self.task = task
        self._stop = stop

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.wait_for(self.task, 15)


@pytest.fixture
async def start_bot(tmp_path: Path, standin: FakeTelegram
                    ) -> AsyncIterator[Callable[..., Any]]:
    """Start the real bot (in this event loop) against the stand-in; stopped at teardown."""
    running: list[RunningBot] = []

    async def _start(**overrides: Any) -> RunningBot:
        settings = make_settings(tmp_path, standin, **overrides)
        ready, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(settings, ready=ready, stop=stop))
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait({task, waiter}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        assert ready.is_set(), "the bot did not start"
        bot = RunningBot(settings, task, stop)
        running.append(bot)
        return bot

    yield _start
    for bot in running:
        if not bot.task.done():
            await bot.stop()


def bot_env(settings_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in
           {f.upper() for f in Settings.model_fields}}
    env.update(settings_env)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_bot_process(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_DIR,
        env=bot_env(env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
