"""Choose the interface language: the user's choice, else Telegram's language_code."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.storage.store import UserProfile

SUPPORTED = ("kk", "ru", "en")


def locale_from_code(code: str | None, default: str) -> str:
    if not code:
        return default
    base = code.lower().replace("_", "-").split("-")[0]
    if base in SUPPORTED:
        return base
    if base in ("uk", "be", "ky", "uz", "tg"):  # neighbours usually read Russian best
        return "ru"
    return default


class ProfileI18nMiddleware(I18nMiddleware):
    """Unlike FSMI18nMiddleware, the choice lives in the user's profile and survives /cancel."""

    def __init__(self, i18n: I18n, default: str) -> None:
        super().__init__(i18n)
        self.default = default

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        profile: UserProfile | None = data.get("profile")
        if profile is not None and profile.lang in SUPPORTED:
            return profile.lang
        user: User | None = data.get("event_from_user")
        return locale_from_code(user.language_code if user else None, self.default)
