"""A test-side conversation helper over the Bot API stand-in."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.standin import ApiCall, FakeTelegram, FakeUser

REPLY_METHODS = ("sendMessage", "copyMessage")


class Chat:
    def __init__(self, server: FakeTelegram, user: FakeUser) -> None:
        self.server = server
        self.user = user

    async def _collect(self, start: int, count: int, timeout: float, settle: float,
                       methods: tuple[str, ...]) -> list[ApiCall]:
        await self.server.wait_for(
            lambda c: c.chat_id == self.user.id and c.method in methods,
            timeout=timeout, start=start,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = [c for c in self.server.calls[start:]
                   if c.chat_id == self.user.id and c.method in methods]
            if len(got) >= count:
                await asyncio.sleep(settle)
                return [c for c in self.server.calls[start:]
                        if c.chat_id == self.user.id and c.method in methods]
            if loop.time() > deadline:
                raise TimeoutError(f"expected {count} replies, got {len(got)}")
            await asyncio.sleep(0.02)

    async def send(self, text: str | None = None, *, expect: int = 1, timeout: float = 10.0,
                   settle: float = 0.3, **content: Any) -> list[ApiCall]:
        start = len(self.server.calls)
        self.user.send(text, **content)
        return await self._collect(start, expect, timeout, settle, REPLY_METHODS)

    async def press(self, call: ApiCall, label: str | None = None, *, data: str | None = None,
                    expect: int = 1, timeout: float = 10.0, settle: float = 0.3
                    ) -> list[ApiCall]:
        start = len(self.server.calls)
        self.user.press(call, label, data=data)
        return await self._collect(start, expect, timeout, settle, REPLY_METHODS)

    async def press_for_notice(self, call: ApiCall | dict[str, Any], label: str | None = None,
                               *, data: str | None = None, timeout: float = 10.0) -> ApiCall:
        start = len(self.server.calls)
        query = self.user.press(call, label, data=data)
        return await self.server.wait_for(
            lambda c: c.method == "answerCallbackQuery"
            and c.params.get("callback_query_id") == query["id"],
            timeout=timeout, start=start,
        )


def labels(call: ApiCall) -> list[str]:
    return [b["text"] for b in call.buttons()]
