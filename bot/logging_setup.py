"""Structured logging: one JSON line per event, never a message text, id or name.

Handlers log event names and a few typed fields (`extra=`). As a second line of defence, every
record is scrubbed: runs of 5+ digits (Telegram ids, phone numbers) become "<n>", and exception
messages are dropped (aiogram's errors quote chat ids and texts): only the exception type and the
code locations of the traceback are kept.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from pathlib import Path
from typing import Any

_DIGITS = re.compile(r"\d{5,}")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ALLOWED_EXTRA = {
    "error", "action", "lang", "entry", "score", "count", "duration_ms", "method", "status",
    "attempt", "retry_after", "ticket", "mode", "url", "entries", "update_type", "port",
}


def scrub(text: str) -> str:
    return _DIGITS.sub("<n>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": scrub(record.getMessage()) if record.name.startswith("bot")
            else scrub(_first_words(record.getMessage())),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key not in _ALLOWED_EXTRA:
                continue
            event[key] = scrub(str(value)) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            event["exception"] = exc_type.__name__
            event["where"] = [
                f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}:{frame.name}"
                for frame in traceback.extract_tb(tb)[-6:]
            ]
        return json.dumps(event, ensure_ascii=False)


def _first_words(message: str) -> str:
    """Third-party messages: keep only the start, where the event is named, not the payload."""
    return message.split(":", 1)[0][:120]


def setup_logging(level: str = "INFO", path: Path | None = None) -> None:
    handler: logging.Handler = (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
