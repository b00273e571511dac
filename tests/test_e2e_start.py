"""The bot as a separate process, over real HTTP, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.standin import FakeTelegram
from tests.conftest import SMALL_KB, TEST_SECRET, TEST_TOKEN, start_bot_process


def env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": TEST_TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "KB_PATH": str(SMALL_KB),
        "SECRET_KEY": TEST_SECRET,
        "POLL_TIMEOUT": "1",
        **settings,
    }


async def test_start_from_two_users_in_their_languages(standin: FakeTelegram,
                                                       tmp_path: Path) -> None:
    proc = start_bot_process(env(tmp_path, TELEGRAM_API_BASE=standin.url), "run")
    try:
        await standin.wait_for(lambda c: c.method == "getUpdates", timeout=30)
        aigerim = standin.user("Aigerim", language_code="kk")
        emily = standin.user("Emily", language_code="en")
        aigerim.send("/start")
        emily.send("/start")
        kk_reply = await standin.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == aigerim.id, timeout=20)
        en_reply = await standin.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == emily.id, timeout=20)
        assert "анонимді" in kk_reply.text
        assert "anonymous" in en_reply.text
        # Both welcomes name the emergency number from resources.yaml.
        assert "112" in kk_reply.text and "112" in en_reply.text
        # The menu of commands was set in each language.
        langs = {c.params.get("language_code") for c in standin.calls
                 if c.method == "setMyCommands"}
        assert {"kk", "ru", "en"} <= langs
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _out, err = await asyncio.to_thread(proc.communicate, timeout=20)
        except Exception:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def test_bad_token_and_unreachable_api_give_one_clear_line(tmp_path: Path) -> None:
    # Nothing listens on the discard port.
    proc = start_bot_process(env(tmp_path, BOT_TOKEN="bad",
                                 TELEGRAM_API_BASE="http://127.0.0.1:9"), "run")
    _out, err = await asyncio.to_thread(proc.communicate, timeout=60)
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if not line.startswith("{")]
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0], err
    assert "Traceback" not in err


async def test_unreachable_api_gives_one_clear_line(tmp_path: Path) -> None:
    proc = start_bot_process(env(tmp_path, TELEGRAM_API_BASE="http://127.0.0.1:9"), "run")
    _out, err = await asyncio.to_thread(proc.communicate, timeout=90)
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if not line.startswith("{")]
    assert len(lines) == 1 and "TELEGRAM_API_BASE" in lines[0], err
    assert "Traceback" not in err


async def test_rejected_token_names_bot_token(standin: FakeTelegram, tmp_path: Path) -> None:
    proc = start_bot_process(env(tmp_path, BOT_TOKEN="999:REJECTED",
                                 TELEGRAM_API_BASE=standin.url), "run")
    _out, err = await asyncio.to_thread(proc.communicate, timeout=60)
    assert proc.returncode == 2
    assert "BOT_TOKEN" in err and "401" in err
    assert "Traceback" not in err


async def test_malformed_setting_names_the_key(tmp_path: Path) -> None:
    proc = start_bot_process({"ADMIN_IDS": "12,abc", "BOT_TOKEN": TEST_TOKEN,
                              "SECRET_KEY": TEST_SECRET}, "run")
    _out, err = await asyncio.to_thread(proc.communicate, timeout=60)
    assert proc.returncode == 2
    assert err.strip().splitlines() == [err.strip().splitlines()[0]]
    assert "ADMIN_IDS" in err and "Traceback" not in err
