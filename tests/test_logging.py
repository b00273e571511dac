"""Logs never carry a message text, a Telegram id or a name, tracebacks included."""

from __future__ import annotations

import json
import logging

from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.logging_setup import JsonFormatter


def record(msg: str, exc: BaseException | None = None, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("bot.test", logging.ERROR, __file__, 1, msg, (), None)
    if exc is not None:
        try:
            raise exc
        except BaseException as raised:
            import sys

            rec.exc_info = sys.exc_info()
            del raised
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_rate_limit_exception_text_with_chat_id_is_not_logged() -> None:
    method = SendMessage(chat_id=987654321, text="мой секретный вопрос")
    exc = TelegramRetryAfter(method=method, message="Too Many Requests: chat 987654321",
                             retry_after=5)
    line = JsonFormatter().format(record("send_failed", exc, error="TelegramRetryAfter"))
    event = json.loads(line)
    assert event["exception"] == "TelegramRetryAfter"
    assert "987654321" not in line and "секретный" not in line


def test_digits_and_unknown_fields_are_scrubbed() -> None:
    line = JsonFormatter().format(record("user 123456789 wrote", username="zhanar_01",
                                         text="help me", count=3))
    assert "123456789" not in line
    assert "zhanar_01" not in line and "help me" not in line
    assert json.loads(line)["count"] == 3


def test_third_party_messages_keep_only_their_event_name() -> None:
    rec = logging.LogRecord("aiogram.event", logging.INFO, __file__, 1,
                            "Update id=1 is handled: text='мой вопрос' from 55555555", (), None)
    line = JsonFormatter().format(rec)
    assert "вопрос" not in line and "55555555" not in line
