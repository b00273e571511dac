"""Callback data factories: every button payload is typed, short and validated on parse."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Numbers in button payloads: bounded, so forged data cannot overflow the database.
Id = Annotated[int, Field(ge=0, le=2**53)]


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
    q: Id = 0  # the pending question this choice answers (0: browsing)


class FeedbackCb(CallbackData, prefix="fb"):
    entry: str
    q: Id
    helpful: bool


class AskCb(CallbackData, prefix="ask"):
    q: Id  # the pending question to send to a consultant


class DeclineCb(CallbackData, prefix="no"):
    q: Id


class NoneOfTheseCb(CallbackData, prefix="none"):
    q: Id


class NotCrisisCb(CallbackData, prefix="nc"):
    q: Id  # the pending question the crisis answer was shown for
    entry: str  # the crisis entry that was shown


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


LANG_CODES = ("kk", "ru", "en")
AUDIENCES = ("teen", "parent")
AGE_BANDS = ("12-13", "14-15", "16-18")


def age_lower_bound(band: str | None) -> int | None:
    if not band or band not in AGE_BANDS:
        return None
    return int(band.split("-")[0])
