"""The local sandbox: the real dispatcher and handlers against the built-in Bot API stand-in,
with a chat in the terminal. Started by `make run` when no BOT_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import textwrap
from pathlib import Path
from typing import Any

from bot import PROJECT_DIR
from bot.config import Settings
from bot.standin import ApiCall, FakeTelegram, FakeUser

SANDBOX_DIR = PROJECT_DIR / "data"
ACCOUNTS: dict[str, dict[str, Any]] = {
    "girl": {"id": 1001, "first_name": "Girl", "language_code": "ru"},
    "mother": {"id": 1002, "first_name": "Mother", "language_code": "kk"},
    "teen_en": {"id": 1003, "first_name": "Teen", "language_code": "en"},
    "staff": {"id": 2001, "first_name": "Staff", "language_code": "ru"},
}
NON_TEXT = {
    ":sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                             "width": 512, "height": 512, "is_animated": False,
                             "is_video": False}},
    ":photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]},
    ":voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    ":location": {"location": {"latitude": 43.24, "longitude": 76.89}},
}
BANNER = """\
=====================================================================
 LOCAL SANDBOX - no BOT_TOKEN is set, so nothing goes to Telegram.
 The real bot runs against a built-in stand-in of the Telegram Bot API.

 Type a message and press Enter. Type a number to press a button.
 /as girl | mother | teen_en | staff   switch account      :lang kk|ru|en
 :sticker :photo :voice :location      send non-text       :quit

 To connect a real bot: put BOT_TOKEN=<token from @BotFather> and
 SECRET_KEY=<a long random string> into .env, then run `make run` again.
=====================================================================
"""


def sandbox_secret(directory: Path = SANDBOX_DIR) -> tuple[str, bool]:
    """The sandbox's own SECRET_KEY, generated once; returns (secret, newly generated)."""
    path = directory / "sandbox_secret.key"
    if path.exists():
        return path.read_text().strip(), False
    directory.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret, True


class Terminal:
    def __init__(self, server: FakeTelegram, out: Any = sys.stdout) -> None:
        self.server = server
        self.out = out
        self.users: dict[str, FakeUser] = {
            name: server.user(**{k: v for k, v in spec.items() if k != "id"}, id=spec["id"])
            for name, spec in ACCOUNTS.items()
        }
        self.names = {u.id: name for name, u in self.users.items()}
        self.current = "girl"
        self.last_with_buttons: dict[str, ApiCall] = {}
        server.listeners.append(self.show)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, call: ApiCall) -> None:
        if call.params.get("_failed"):
            return
        who = self.names.get(call.chat_id or 0, str(call.chat_id))
        if call.method in ("sendMessage", "copyMessage", "editMessageText"):
            body = call.text or "(a copied message)"
            self.say(f"\n[bot -> {who}]")
            self.say(textwrap.indent(body, "  "))
            buttons = call.buttons()
            if buttons:
                self.last_with_buttons[who] = call
                for i, button in enumerate(buttons, 1):
                    self.say(f"   [{i}] {button.get('text')}")
        elif call.method in ("sendPhoto", "sendDocument"):
            name, data = call.params.get("_upload") or ("file", b"")
            self.say(f"\n[bot -> {who}] (a file: {name}, {len(data)} bytes)")
            if call.text:
                self.say(textwrap.indent(call.text, "  "))
        elif call.method == "answerCallbackQuery" and call.params.get("text"):
            self.say(f"  (notice) {call.params['text']}")
        elif call.method in ("deleteMessage", "deleteMessages"):
            self.say(f"  (the bot deleted messages in {who}'s chat)")

    def handle(self, line: str) -> bool:
        line = line.rstrip("\n")
        user = self.users[self.current]
        if not line.strip():
            return True
        if line.strip() in (":quit", ":q", ":exit"):
            return False
        if line.startswith("/as "):
            name = line.split(maxsplit=1)[1].strip()
            if name in self.users:
                self.current = name
                self.say(f"  (you are now: {name})")
            else:
                self.say(f"  (unknown account; choose one of {', '.join(self.users)})")
            return True
        if line.startswith(":lang "):
            user.language_code = line.split(maxsplit=1)[1].strip()
            self.say(f"  (Telegram language of {self.current}: {user.language_code})")
            return True
        if line.strip() in NON_TEXT:
            user.send(None, **NON_TEXT[line.strip()])
            return True
        if line.strip().isdigit() and self.current in self.last_with_buttons:
            call = self.last_with_buttons[self.current]
            buttons = call.buttons()
            index = int(line.strip()) - 1
            if 0 <= index < len(buttons):
                user.press(call, buttons[index].get("text"))
                return True
        user.send(line)
        return True


async def _settle(server: FakeTelegram, start: int, first: float = 5.0, idle: float = 0.4
                  ) -> None:
    """Wait for the bot's reply to what was just typed, then until it goes quiet."""
    replies = ("sendMessage", "copyMessage", "answerCallbackQuery", "deleteMessages",
               "sendPhoto", "sendDocument")
    try:
        await server.wait_for(lambda c: c.method in replies, timeout=first, start=start)
    except TimeoutError:
        return
    seen = len(server.calls)
    while True:
        await asyncio.sleep(idle)
        if len(server.calls) == seen:
            return
        seen = len(server.calls)


async def _main(settings: Settings) -> int:
    server = FakeTelegram()
    url = await server.start()
    terminal = Terminal(server)
    secret, generated = (settings.secret_key, False) if settings.secret_key else sandbox_secret()
    sandbox_settings = settings.model_copy(update={
        "bot_token": "123456:SANDBOX",
        "telegram_api_base": url,
        "database_url": f"sqlite:///{SANDBOX_DIR / 'sandbox.sqlite3'}",
        "secret_key": secret,
        "admin_ids": (*settings.admin_ids, ACCOUNTS["staff"]["id"]),
        "poll_timeout": 1,
    })
    if generated:
        terminal.say("(sandbox: generated a local SECRET_KEY in data/sandbox_secret.key)")
    from bot.runner import serve

    ready, stop = asyncio.Event(), asyncio.Event()
    bot_task = asyncio.create_task(serve(sandbox_settings, ready=ready, stop=stop))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({bot_task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if bot_task.done():
        waiter.cancel()
        await server.stop()
        bot_task.result()
        return 1
    terminal.say(BANNER)
    terminal.say("(you are: girl; try /start)")
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                await asyncio.sleep(1.0)  # end of input: let the last replies arrive
                break
            before = len(server.calls)
            if not terminal.handle(line):
                break
            await _settle(server, before)
    finally:
        stop.set()
        await bot_task
        await server.stop()
    return 0


def run_sandbox(settings: Settings) -> int:
    from bot.logging_setup import setup_logging
    from bot.runner import StartupError

    # The terminal is the chat: logs go to a file instead.
    SANDBOX_DIR.mkdir(parents=True, exist_ok=True)
    setup_logging(settings.log_level, path=SANDBOX_DIR / "sandbox.log")
    try:
        return asyncio.run(_main(settings))
    except StartupError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
