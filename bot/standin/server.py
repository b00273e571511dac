"""A small Bot API-compatible HTTP server (aiohttp) that records every call.

It serves `/bot<token>/<method>` for the methods this bot uses, keeps an update queue with
Telegram's offset semantics and long polling, lets tests and the sandbox inject messages and
button presses from several users, and can inject errors (429 with retry_after, 403, 5xx,
slow responses). The bot under test runs unchanged with TELEGRAM_API_BASE pointing here.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Helpline",
    "username": "helpline_sandbox_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass(slots=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float
    token: str

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]


@dataclass(slots=True)
class _Fault:
    method: str | None
    chat_id: int | None
    times: int
    status: int
    description: str
    retry_after: int | None = None
    delay: float = 0.0


@dataclass(slots=True)
class FakeUser:
    server: FakeTelegram
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "ru"
    last_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    def send(self, text: str | None = None, **content: Any) -> dict[str, Any]:
        """Inject a message from this user (text, or any other content such as sticker=...)."""
        message = self.server.new_message(self, text=text, **content)
        self.server.push_update({"message": message})
        return message

    def press(self, call_or_message: ApiCall | dict[str, Any], label: str | None = None,
              *, data: str | None = None) -> dict[str, Any]:
        """Press an inline button (by label or callback data) on a message the bot sent."""
        if isinstance(call_or_message, ApiCall):
            message = self.server.message_for_call(call_or_message)
        else:
            message = call_or_message
        if data is None:
            buttons = [
                b for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            chosen = [b for b in buttons if label is None or b.get("text") == label]
            if not chosen:
                raise LookupError(f"no button {label!r} on message {message.get('message_id')}")
            data = chosen[0].get("callback_data")
        query = {
            "id": str(next(self.server.ids)),
            "from": self.as_dict(),
            "message": message,
            "chat_instance": str(self.id),
            "data": data,
        }
        self.server.push_update({"callback_query": query})
        return query


@dataclass
class FakeTelegram:
    token: str | None = None  # accept any token when None
    calls: list[ApiCall] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    blocked_chats: set[int] = field(default_factory=set)
    listeners: list[Callable[[ApiCall], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = itertools.count(1)
        # Increasing across restarts too, like Telegram's (a bot may keep its offset on disk).
        self._update_ids = itertools.count(int(time.time() * 1000))
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.confirmed_offset = 0
        self.webhook: dict[str, Any] | None = None
        self._user_ids = itertools.count(500_000_001)

    # -- users and updates ------------------------------------------------------------------
    def user(self, first_name: str = "Test", *, id: int | None = None,
             username: str | None = None, language_code: str | None = "ru",
             last_name: str | None = None) -> FakeUser:
        return FakeUser(self, id or next(self._user_ids), first_name, username,
                        language_code, last_name)

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def new_message(self, user: FakeUser, text: str | None = None, **content: Any
                    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(user.id),
            "date": int(time.time()),
            "chat": user.chat(),
            "from": user.as_dict(),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        message.update(content)
        self.messages[(user.id, message["message_id"])] = message
        return message

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        self.updates.append(update)
        self._changed.set()
        return update

    # -- faults ------------------------------------------------------------------------------
    def fail(self, method: str | None, status: int, description: str = "", *,
             times: int = 1, chat_id: int | None = None, retry_after: int | None = None,
             delay: float = 0.0) -> None:
        """The next `times` calls of `method` (to `chat_id`) fail with `status`."""
        defaults = {
            429: "Too Many Requests: retry after %s" % (retry_after or 1),
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
            502: "Bad Gateway",
            400: "Bad Request",
            401: "Unauthorized",
        }
        self._faults.append(_Fault(method, chat_id, times, status,
                                   description or defaults.get(status, "Error"),
                                   retry_after, delay))

    def slow(self, method: str | None, seconds: float, *, times: int = 1) -> None:
        self._faults.append(_Fault(method, None, times, 0, "", None, seconds))

    def block(self, chat_id: int) -> None:
        self.blocked_chats.add(chat_id)

    def _take_fault(self, method: str, chat_id: int | None) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in (None, method):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return None

    # -- queries for tests -------------------------------------------------------------------
    def calls_to(self, chat_id: int, method: str | None = None) -> list[ApiCall]:
        return [c for c in self.calls
                if c.chat_id == chat_id and (method is None or c.method == method)]

    def sent_to(self, chat_id: int) -> list[ApiCall]:
        return [c for c in self.calls_to(chat_id) if c.method in ("sendMessage", "copyMessage")]

    def message_for_call(self, call: ApiCall) -> dict[str, Any]:
        mid = call.params.get("_message_id")
        chat = call.chat_id
        if mid is None or chat is None:
            raise LookupError(f"call {call.method} did not create a message")
        return self.messages[(chat, int(mid))]

    async def wait_for(self, predicate: Callable[[ApiCall], bool], *, timeout: float = 10.0,
                       start: int = 0) -> ApiCall:
        """Wait until a recorded call (from index `start`) satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            while seen < len(self.calls):
                call = self.calls[seen]
                seen += 1
                if predicate(call):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching Bot API call within the timeout")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
            except TimeoutError:
                pass

    async def reply(self, user: FakeUser, *, start: int | None = None, timeout: float = 10.0,
                    method: str = "sendMessage") -> ApiCall:
        """The next message the bot sends to this user after call index `start`."""
        return await self.wait_for(
            lambda c: c.method == method and c.chat_id == user.id,
            timeout=timeout, start=len(self.calls) if start is None else start,
        )

    # -- HTTP -----------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.url = f"http://{host}:{sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        params[key] = value
                    else:  # an uploaded file: keep its name and bytes for the tests
                        params[key] = "<file>"
                        params["_files"] = {**params.get("_files", {}),
                                            key: (value.filename, value.file.read())}
        for key in ("reply_markup", "allowed_updates", "commands", "message_ids", "scope"):
            value = params.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        params = await self._params(request)
        if self.token is not None and token != self.token:
            return _error(401, "Unauthorized")
        call = ApiCall(method, params, time.time(), token)
        fault = self._take_fault(method, call.chat_id) if method != "getUpdates" else None
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status:
            call.params["_failed"] = fault.status
            self._record(call)
            return _error(fault.status, fault.description, fault.retry_after)
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            self._record(call)
            return _error(404, "Not Found: method not found")
        result = await handler(call)
        if isinstance(result, web.Response):
            self._record(call)
            return result
        self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        for listener in list(self.listeners):
            listener(call)
        self._changed.set()

    # -- methods -----------------------------------------------------------------------------
    async def _m_getme(self, call: ApiCall) -> Any:
        return BOT_USER

    async def _m_getupdates(self, call: ApiCall) -> Any:
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)
        timeout = float(call.params.get("timeout") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self.updates and time.monotonic() < deadline:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
            if self.updates:
                break
        return self.updates[:limit]

    def _check_chat(self, call: ApiCall) -> web.Response | None:
        chat = call.chat_id
        if chat is None:
            return _error(400, "Bad Request: chat_id is empty")
        if chat in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        return None

    def _bot_message(self, call: ApiCall, **content: Any) -> dict[str, Any]:
        chat = int(call.chat_id or 0)
        message = {
            "message_id": self._next_message_id(chat),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": BOT_USER,
            **content,
        }
        markup = call.params.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat, message["message_id"])] = message
        call.params["_message_id"] = message["message_id"]
        return message

    async def _m_sendmessage(self, call: ApiCall) -> Any:
        if (bad := self._check_chat(call)) is not None:
            return bad
        text = call.params.get("text")
        if not text or not str(text).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(text).encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._bot_message(call, text=text)

    def _file_message(self, call: ApiCall, field: str) -> Any:
        if (bad := self._check_chat(call)) is not None:
            return bad
        value = str(call.params.get(field) or "")
        files = call.params.get("_files", {})
        key = value.removeprefix("attach://") if value.startswith("attach://") else field
        if key not in files and not value:
            return _error(400, f"Bad Request: there is no {field} in the request")
        name, data = files.get(key, (None, b""))
        call.params["_upload"] = (name, data)
        meta = {"file_id": f"file-{len(self.calls)}", "file_unique_id": f"u{len(self.calls)}",
                "file_size": len(data)}
        content: dict[str, Any] = (
            {"photo": [{**meta, "width": 800, "height": 600}]} if field == "photo"
            else {field: {**meta, "file_name": name}})
        if call.params.get("caption"):
            content["caption"] = call.params["caption"]
        return self._bot_message(call, **content)

    async def _m_sendphoto(self, call: ApiCall) -> Any:
        return self._file_message(call, "photo")

    async def _m_senddocument(self, call: ApiCall) -> Any:
        return self._file_message(call, "document")

    async def _m_copymessage(self, call: ApiCall) -> Any:
        if (bad := self._check_chat(call)) is not None:
            return bad
        source = self.messages.get(
            (int(call.params.get("from_chat_id", 0)), int(call.params.get("message_id", 0)))
        )
        if source is None:
            return _error(400, "Bad Request: message to copy not found")
        content = {k: v for k, v in source.items()
                   if k not in ("message_id", "date", "chat", "from", "reply_markup",
                                "forward_origin")}
        message = self._bot_message(call, **content)
        return {"message_id": message["message_id"]}

    def _edit(self, call: ApiCall, *, text: bool) -> Any:
        key = (int(call.chat_id or 0), int(call.params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if text:
            message["text"] = call.params.get("text")
        if call.params.get("reply_markup"):
            message["reply_markup"] = call.params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    async def _m_editmessagetext(self, call: ApiCall) -> Any:
        return self._edit(call, text=True)

    async def _m_editmessagereplymarkup(self, call: ApiCall) -> Any:
        return self._edit(call, text=False)

    async def _m_deletemessage(self, call: ApiCall) -> Any:
        key = (int(call.chat_id or 0), int(call.params.get("message_id", 0)))
        if self.messages.pop(key, None) is None:
            return _error(400, "Bad Request: message to delete not found")
        return True

    async def _m_deletemessages(self, call: ApiCall) -> Any:
        for mid in call.params.get("message_ids") or []:
            self.messages.pop((int(call.chat_id or 0), int(mid)), None)
        return True

    async def _ok(self, call: ApiCall) -> Any:
        return True

    _m_answercallbackquery = _ok
    _m_sendchataction = _ok
    _m_setmycommands = _ok
    _m_deletemycommands = _ok
    _m_setchatmenubutton = _ok
    _m_close = _ok
    _m_logout = _ok

    async def _m_deletewebhook(self, call: ApiCall) -> Any:
        self.webhook = None
        return True

    async def _m_setwebhook(self, call: ApiCall) -> Any:
        self.webhook = dict(call.params)
        return True

    async def _m_getwebhookinfo(self, call: ApiCall) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)
