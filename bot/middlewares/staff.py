"""Who is staff: checked numerically against the database on every update (so a revoked
role stops working on that person's next message); ADMIN_IDS are admins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject, User

from bot.middlewares.locale import locale_from_code
from bot.storage.queue_store import Staff
from bot.storage.store import Storage


class StaffMiddleware(BaseMiddleware):
    def __init__(self, storage: Storage, admin_ids: tuple[int, ...]) -> None:
        self.storage = storage
        self.admin_ids = frozenset(int(i) for i in admin_ids)
        self._admins_ready: set[int] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        staff: Staff | None = None
        if user is not None and not user.is_bot:
            if user.id in self.admin_ids and user.id not in self._admins_ready:
                await self.storage.ensure_admin(user.id, locale_from_code(user.language_code,
                                                                           "ru"))
                self._admins_ready.add(user.id)
            staff = await self.storage.staff_by_tg(user.id)
            if staff is not None and not staff.active:
                staff = None
            if staff is not None and staff.role == "admin" and user.id not in self.admin_ids:
                staff = None  # admin rights come from ADMIN_IDS only
        data["staff"] = staff
        return await handler(event, data)


class IsStaff(Filter):
    """Passes for active staff of the given roles (any role when none is given)."""

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, staff: Staff | None = None) -> bool:
        return staff is not None and (not self.roles or staff.role in self.roles)
