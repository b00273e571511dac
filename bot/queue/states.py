"""Ticket states and the only transitions allowed between them.

    open -> claimed -> draft_ready -> approved -> delivered
                  ^         |
                  +-- returned (with the moderator's comment)
    any unfinished state -> rejected (spam/abuse, with a reason) | closed
    delivered -> open (the user asks a follow-up on the same ticket)
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DRAFT_READY = "draft_ready"
    RETURNED = "returned"
    APPROVED = "approved"
    DELIVERED = "delivered"
    CLOSED = "closed"
    REJECTED = "rejected"


class Action(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"          # the consultant gives it back, or the lease expired
    SUBMIT = "submit"            # the draft goes to moderation
    APPROVE = "approve"
    RETURN = "return"            # back to the consultant with a comment
    DELIVER = "deliver"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REJECT = "reject"
    TRANSFER = "transfer"        # back to the queue for another specialty


class InvalidTransition(Exception):
    pass


UNFINISHED = frozenset({State.OPEN, State.CLAIMED, State.DRAFT_READY, State.RETURNED})

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.OPEN, Action.CLAIM): State.CLAIMED,
    (State.CLAIMED, Action.RELEASE): State.OPEN,
    (State.RETURNED, Action.RELEASE): State.OPEN,
    (State.CLAIMED, Action.SUBMIT): State.DRAFT_READY,
    (State.RETURNED, Action.SUBMIT): State.DRAFT_READY,
    (State.DRAFT_READY, Action.APPROVE): State.APPROVED,
    (State.DRAFT_READY, Action.RETURN): State.RETURNED,
    (State.APPROVED, Action.DELIVER): State.DELIVERED,
    (State.DELIVERED, Action.FOLLOW_UP): State.OPEN,
    (State.DELIVERED, Action.CLOSE): State.CLOSED,
    (State.CLAIMED, Action.TRANSFER): State.OPEN,
    (State.RETURNED, Action.TRANSFER): State.OPEN,
    **{(s, Action.REJECT): State.REJECTED for s in UNFINISHED},
    **{(s, Action.CLOSE): State.CLOSED for s in UNFINISHED},
}


def next_state(state: str, action: str) -> State:
    try:
        return TRANSITIONS[(State(state), Action(action))]
    except (KeyError, ValueError):
        raise InvalidTransition(f"cannot {action} a ticket that is {state}") from None


def allowed(state: str, action: str) -> bool:
    try:
        next_state(state, action)
    except InvalidTransition:
        return False
    return True
