"""Fuzzing the dispatcher with Hypothesis: odd updates never raise, forged staff buttons
never change anything."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App, build_app
from bot.config import load_settings
from bot.kb import load_knowledge_base
from bot.standin import FakeTelegram
from bot.storage import create_storage
from tests.backends import database_url, sql
from tests.conftest import FIXTURE_THRESHOLDS, SMALL_KB, TEST_SECRET, TEST_TOKEN

ODD_CHARS = st.sampled_from(["\u200b", "\u200f", "\u202e", "\ufeff", "🙂", "😭",
                             "ә", "қ", "ё", "\n", " ", "\x00", "İ", "ß", "/", "#", "{", "}", "("])
TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=ODD_CHARS, max_size=40),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(2000, 4000)),
    st.sampled_from(["", " ", "месячные не идут", "не хочу жить", "как получить визу",
                     "etekkir kelmei zhatyr", "x" * 20_000]),
)
COMMANDS = st.sampled_from(["/start", "/start abc", "/start s_1", "/topics", "/help",
                            "/language", "/settings", "/privacy", "/hide", "/forget", "/cancel",
                            "/queue", "/review", "/invite moderator", "/staff", "/audit #1",
                            "/stats", "/duty", "/help_staff", "/nonsense", "/"])
FORGED = st.sampled_from([
    "tk:claim:1", "tk:approve:1", "tk:reject:1", "tk:submit:1", "rj:1:abuse:1",
    "sa:revoke:1", "sa:moderator:1", "kbp:1:periods.pain", "tr:1:psychology", "ss:lang:kk",
    "ut:rate:1:9", "ut:close:1:0", "ask:1", "ask:-5", "ask:99999999999999999999", "lang:xx",
    "aud:teen", "age:99-100", "t:periods.pain:1", "t:../../etc:0", "fb:periods.pain:1:1",
    "none:1", "forget:1", "cat:periods", "", ":", "::::", "tk", "tk:claim:", "tk:claim:x",
])
CONTENT = st.sampled_from([
    {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                 "height": 1, "is_animated": False, "is_video": False}},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {"location": {"latitude": 1.0, "longitude": 2.0}},
    {"contact": {"phone_number": "+70000000000", "first_name": "X"}},
    {"document": {"file_id": "d", "file_unique_id": "d"}},
    {"dice": {"emoji": "🎲", "value": 3}},
])
USERS = st.builds(
    lambda uid, lang: {"id": uid, "is_bot": False, "first_name": "F",
                       **({"language_code": lang} if lang else {})},
    st.integers(1, 6), st.sampled_from([None, "kk", "ru", "en", "de", "zh-hans", ""]),
)
CHAT_TYPES = st.sampled_from(["private", "private", "private", "group", "channel"])


def _message(user: dict[str, Any], chat_type: str, body: dict[str, Any], mid: int
             ) -> dict[str, Any]:
    return {"message_id": mid, "date": int(time.time()), "from": user,
            "chat": {"id": user["id"] if chat_type == "private" else -100, "type": chat_type},
            **body}


@st.composite
def updates(draw: Any) -> dict[str, Any]:
    user = draw(USERS)
    kind = draw(st.sampled_from(["text", "command", "content", "callback", "callback"]))
    mid = draw(st.integers(1, 10_000))
    if kind == "text":
        return {"message": _message(user, draw(CHAT_TYPES), {"text": draw(TEXT)}, mid)}
    if kind == "command":
        text = draw(COMMANDS)
        return {"message": _message(user, "private", {
            "text": text, "entities": [{"type": "bot_command", "offset": 0,
                                        "length": len(text.split()[0])}]}, mid)}
    if kind == "content":
        return {"message": _message(user, draw(CHAT_TYPES), dict(draw(CONTENT)), mid)}
    data = draw(st.one_of(FORGED, st.text(max_size=64)))
    return {"callback_query": {"id": str(mid), "from": user, "chat_instance": "1",
                               "data": data,
                               "message": _message(user, "private", {"text": "x"}, mid)}}


class FuzzRig:
    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = FakeTelegram(token=TEST_TOKEN)
        self.loop.run_until_complete(self.server.start())
        self.settings = load_settings(
            bot_token=TEST_TOKEN, telegram_api_base=self.server.url,
            database_url=database_url(tmp, "fuzz"), kb_path=SMALL_KB,
            secret_key=TEST_SECRET, flood_messages=100_000, **FIXTURE_THRESHOLDS,
        )
        kb, _ = load_knowledge_base(SMALL_KB)
        storage = create_storage(self.settings)
        self.loop.run_until_complete(storage.open())
        self.app: App = build_app(self.settings, storage, kb)
        self.ids = itertools.count(1)

    def feed(self, raw: list[dict[str, Any]]) -> None:
        async def run() -> None:
            for payload in raw:
                update = Update.model_validate({"update_id": next(self.ids), **payload},
                                               context={"bot": self.app.bot})
                await self.app.dispatcher.feed_update(self.app.bot, update)

        self.loop.run_until_complete(run())

    def close(self) -> None:
        self.loop.run_until_complete(self.app.bot.session.close())
        self.loop.run_until_complete(self.app.storage.close())
        self.loop.run_until_complete(self.server.stop())
        self.loop.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzRig]:
    r = FuzzRig(tmp_path_factory.mktemp("fuzz"))
    yield r
    r.close()


class FailureLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(batch=st.lists(updates(), min_size=8, max_size=16))  # 250 x 8 >= 2,000 updates
def test_generated_updates_never_break_the_bot(rig: FuzzRig, batch: list[dict[str, Any]]
                                               ) -> None:
    failures = FailureLog()
    logging.getLogger("bot").addHandler(failures)
    try:
        rig.feed(batch)
    finally:
        logging.getLogger("bot").removeHandler(failures)
    assert [r.getMessage() for r in failures.records] == []
    url = rig.settings.database_url
    assert sql(url, "SELECT COUNT(*) FROM staff") == [(0,)]
    assert sql(url, "SELECT COUNT(*) FROM audit WHERE staff_id IS NOT NULL") == [(0,)]
    assert sql(url, "SELECT COUNT(*) FROM invites") == [(0,)]
    states = {r[0] for r in sql(url, "SELECT state FROM tickets")}
    assert states <= {"open"}  # only users' own consented questions, never staff moves


def test_the_fuzzer_fed_thousands_of_updates(rig: FuzzRig) -> None:
    fed = next(rig.ids) - 1
    assert fed >= 2000, fed
