"""Pure logic, tested directly: text splitting, ticket states, roles, flood limits."""

from __future__ import annotations

import pytest

from bot.middlewares.throttle import FloodLimiter
from bot.queue.roles import can_invite, needs_review, specialty_for_topic
from bot.queue.states import Action, InvalidTransition, State, allowed, next_state
from bot.textsplit import split_text, utf16_len


def test_short_text_is_one_message() -> None:
    assert split_text("hello") == ["hello"]


def test_long_text_splits_at_paragraphs_under_the_limit() -> None:
    paragraph = "Сөйлем бір. " * 30
    text = "\n\n".join([paragraph.strip()] * 40)
    parts = split_text(text, limit=1000)
    assert len(parts) > 1
    assert all(utf16_len(p) <= 1000 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts).replace(" ", "") == \
        text.replace("\n", "").replace(" ", "")


def test_emoji_count_as_two_utf16_units_and_are_never_cut() -> None:
    text = "😭" * 3000  # 6000 UTF-16 units, no spaces at all
    parts = split_text(text)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == text


def test_one_huge_sentence_is_cut_at_spaces() -> None:
    text = "сөз " * 3000
    parts = split_text(text, limit=500)
    assert all(utf16_len(p) <= 500 for p in parts)
    assert all(not p.startswith(" ") for p in parts)


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        (State.OPEN, Action.CLAIM, State.CLAIMED),
        (State.CLAIMED, Action.SUBMIT, State.DRAFT_READY),
        (State.DRAFT_READY, Action.RETURN, State.RETURNED),
        (State.RETURNED, Action.SUBMIT, State.DRAFT_READY),
        (State.DRAFT_READY, Action.APPROVE, State.APPROVED),
        (State.APPROVED, Action.DELIVER, State.DELIVERED),
        (State.DELIVERED, Action.FOLLOW_UP, State.OPEN),
        (State.OPEN, Action.REJECT, State.REJECTED),
    ],
)
def test_allowed_transitions(state: State, action: Action, target: State) -> None:
    assert next_state(state, action) == target


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.OPEN, Action.APPROVE), (State.APPROVED, Action.APPROVE),
        (State.DELIVERED, Action.CLAIM), (State.REJECTED, Action.CLAIM),
        (State.CLAIMED, Action.CLAIM), ("nonsense", Action.CLAIM), (State.OPEN, "explode"),
    ],
)
def test_forbidden_transitions(state: str, action: str) -> None:
    assert not allowed(state, action)
    with pytest.raises(InvalidTransition):
        next_state(state, action)


def test_roles() -> None:
    assert can_invite("admin", "moderator") and can_invite("admin", "consultant")
    assert can_invite("moderator", "consultant") and not can_invite("moderator", "moderator")
    assert not can_invite("consultant", "consultant") and not can_invite("admin", "admin")
    assert not can_invite("nobody", "consultant")
    assert needs_review("all", 100) and not needs_review("off", 0)
    assert needs_review("new_staff", 0) and not needs_review("new_staff", 5)
    assert specialty_for_topic("baby.fever") == "paediatrics"
    assert specialty_for_topic("mental.self_harm") == "psychology"
    assert specialty_for_topic(None) is None


def test_flood_limiter_warns_once_per_window() -> None:
    limiter = FloodLimiter(limit=3, window=60)
    results = [limiter.hit("a", now=t) for t in (0, 1, 2, 3, 4, 5)]
    assert results == [(True, False)] * 3 + [(False, True), (False, False), (False, False)]
    assert limiter.hit("b", now=5) == (True, False)
    assert limiter.hit("a", now=61.5) == (True, False)


def test_personal_data_is_masked_for_gap_analysis() -> None:
    from bot.matching.mask import mask_personal

    text = ("мне 14, мой номер +7 701 234 56 78, пиши на aru.k@mail.kz или @aru_k, "
            "вот https://t.me/secret")
    masked = mask_personal(text)
    for secret in ("14", "701", "234", "aru.k@mail.kz", "@aru_k", "t.me/secret"):
        assert secret not in masked
    assert "<phone>" in masked and "<email>" in masked and "<user>" in masked
