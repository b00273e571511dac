"""Callback data of staff buttons. Payloads carry ticket and staff numbers only, never a user."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.callbacks import Id


class TicketCb(CallbackData, prefix="tk"):
    action: str  # claim | release | submit | note | ask | transfer | kb | approve | edit |
    #              return | reject | block
    id: Id


class TransferCb(CallbackData, prefix="tr"):
    id: Id
    specialty: str


class KbPickCb(CallbackData, prefix="kbp"):
    id: Id
    entry: str


class RejectCb(CallbackData, prefix="rj"):
    id: Id
    reason: str  # spam | abuse | other
    block: bool


class StaffSetupCb(CallbackData, prefix="ss"):
    kind: str  # lang | spec | done
    value: str


class StaffAdminCb(CallbackData, prefix="sa"):
    action: str  # revoke | consultant | moderator
    id: Id


class UserTicketCb(CallbackData, prefix="ut"):
    """Buttons under a delivered answer (pressed by the user who asked)."""

    action: str  # thanks | rate | followup | close
    id: Id
    value: Id = 0


TICKET_ACTIONS = frozenset({"claim", "release", "submit", "note", "ask", "transfer", "kb",
                            "approve", "edit", "return", "reject", "block"})
USER_TICKET_ACTIONS = frozenset({"thanks", "rate", "followup", "close"})
