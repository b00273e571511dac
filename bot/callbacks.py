"""Callback data factories: every button payload is typed, short and validated on parse."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LangCb(CallbackData, prefix="lang"):
    code: str  # kk | ru | en | skip


class AudienceCb(CallbackData, prefix="aud"):
    value: str  # teen | parent | skip


class AgeCb(CallbackData, prefix="age"):
    band: str  # 12-13 | 14-15 | 16-18 | skip


class CategoryCb(CallbackData, prefix="cat"):
    id: str


class TopicCb(CallbackData, prefix="t"):
    id: str
    q: int = 0  # the pending question this choice answers (0: browsing)


class FeedbackCb(CallbackData, prefix="fb"):
    entry: str
    q: int
    helpful: bool


class AskCb(CallbackData, prefix="ask"):
    q: int  # the pending question to send to a consultant


class DeclineCb(CallbackData, prefix="no"):
    q: int


class NoneOfTheseCb(CallbackData, prefix="none"):
    q: int


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


LANG_CODES = ("kk", "ru", "en")
AUDIENCES = ("teen", "parent")
AGE_BANDS = ("12-13", "14-15", "16-18")


def age_lower_bound(band: str | None) -> int | None:
    if not band or band not in AGE_BANDS:
        return None
    return int(band.split("-")[0])
