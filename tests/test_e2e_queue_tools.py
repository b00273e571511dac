"""The consultant's tools, end to end: internal notes, starting from a knowledge-base answer,
asking the user, transferring to another specialty, and the reminders of queue care."""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.standin import FakeTelegram
from tests.backends import asql
from tests.chat import Chat, labels
from tests.conftest import SMALL_KB
from tests.test_e2e_queue import ask, db, eventually, submit_and_approve, team, wait_sent
from tests.test_e2e_user_flows import UNKNOWN, t

__all__ = ["team"]  # the fixture, shared with the main queue tests


async def claim(consultant: Chat, number: int) -> Any:
    cards = await consultant.send("/queue")
    card = next(c for c in cards if c.text.startswith(f"#{number}"))
    (work,) = await consultant.press(card, t("en", "Claim"))
    return work


def kb_answers() -> dict[str, dict[str, str]]:
    """Titles to answers, read from the fixture base's YAML (not through the bot)."""
    found = {}
    for path in SMALL_KB.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data.get("entries", []) if isinstance(data, dict) else []:
            for lang, title in entry.get("title", {}).items():
                found[title] = {"lang": lang, **entry["answer"]}
    return found


async def test_an_internal_note_stays_with_staff(team: dict[str, Any],
                                                 standin: FakeTelegram) -> None:
    bot, consultant = team["bot"], team["consultant"]
    girl = standin.user("N", language_code="en")
    number = await ask(standin, girl, UNKNOWN["en"], "en")
    work = await claim(consultant, number)
    (prompt,) = await consultant.press(work, t("en", "Internal note"))
    assert prompt.text == t("en", "Send the internal note (never shown to the user).")
    start = len(standin.calls)
    (saved,) = await consultant.send("Probably asks for a school trip; check age.")
    assert saved.text == t("en", "Note saved on #{number}.").format(number=number)
    assert not [c for c in standin.calls[start:] if c.chat_id == girl.id]
    assert db(bot, "SELECT author FROM ticket_messages WHERE ticket_id = ? ORDER BY id",
              (number,)) == [("user",), ("note",)]
    assert ("note",) in db(bot, "SELECT action FROM audit WHERE ticket_id = ?", (number,))
    assert db(bot, "SELECT draft FROM tickets WHERE id = ?", (number,)) == [(None,)]


async def test_a_consultant_starts_from_a_knowledge_base_answer(team: dict[str, Any],
                                                                standin: FakeTelegram) -> None:
    consultant, moderator = team["consultant"], team["moderator"]
    girl = standin.user("K", language_code="ru")
    number = await ask(standin, girl, UNKNOWN["ru"], "ru")
    work = await claim(consultant, number)
    (choose,) = await consultant.press(work, t("en", "Start from a KB answer"))
    assert choose.text == t("en", "Start from which answer?")
    answers = kb_answers()
    title = labels(choose)[0]
    assert title in answers  # the staff member's language (en) names the entries
    (preview,) = await consultant.press(choose, title)
    # The draft is the entry's answer in the ticket's language (helplines filled in).
    kb_text = max(re.split(r"\{[a-z_.]+\}", answers[title]["ru"]), key=len).strip()
    assert kb_text in preview.text
    start = len(standin.calls)
    await consultant.press(preview, t("en", "Submit"))
    alert = await wait_sent(standin, moderator.user, lambda c: f"#{number}" in c.text,
                            start=start)
    moderator.user.press(alert, t("en", "Approve"))
    delivered = await wait_sent(standin, girl, lambda c: kb_text in c.text)
    assert f"#{number}" in delivered.text


async def test_asking_the_user_goes_through_moderation(team: dict[str, Any],
                                                       standin: FakeTelegram) -> None:
    consultant, moderator = team["consultant"], team["moderator"]
    girl = standin.user("Q", language_code="en")
    number = await ask(standin, girl, UNKNOWN["en"], "en")
    work = await claim(consultant, number)
    (prompt,) = await consultant.press(work, t("en", "Ask the user"))
    assert prompt.text == t("en", "Send the question for the user (it goes through "
                                  "moderation like an answer).")
    start = len(standin.calls)
    await submit_and_approve(standin, consultant, moderator, "How old are you, roughly?")
    question = await wait_sent(standin, girl, lambda c: "How old are you" in c.text,
                               start=start)
    assert f"#{number}" in question.text
    # Before the moderator approved it, she had received nothing from the consultant.
    early = [c for c in standin.calls[start:standin.calls.index(question)]
             if c.chat_id == girl.id]
    assert early == []


async def test_a_transferred_ticket_leaves_the_consultants_queue(team: dict[str, Any],
                                                                 standin: FakeTelegram) -> None:
    bot, consultant, consultant2 = team["bot"], team["consultant"], team["consultant2"]
    girl = standin.user("T", language_code="en")
    number = await ask(standin, girl, UNKNOWN["en"], "en")
    work = await claim(consultant, number)
    (menu,) = await consultant.press(work, t("en", "Transfer"))
    notice = await consultant.press_for_notice(menu, t("en", "Psychology"))
    assert notice.params.get("text") == t("en", "Transferred.")
    assert db(bot, "SELECT state, specialty, claimed_by FROM tickets WHERE id = ?",
              (number,)) == [("open", "psychology", None)]
    assert ("transfer", "psychology") in db(
        bot, "SELECT action, detail FROM audit WHERE ticket_id = ?", (number,))
    # Both consultants are gynaecologists: neither sees it now; a moderator still does.
    for chat in (consultant, consultant2):
        assert not any(c.text.startswith(f"#{number}") for c in await chat.send("/queue"))
    assert any(c.text.startswith(f"#{number}")
               for c in await team["moderator"].send("/queue", settle=0.5))


async def test_queue_care_reminds_staff_and_tells_a_waiting_user(team: dict[str, Any],
                                                                 standin: FakeTelegram) -> None:
    bot, consultant = team["bot"], team["consultant"]
    girl = standin.user("R", language_code="kk")
    number = await ask(standin, girl, UNKNOWN["kk"], "kk")
    start = len(standin.calls)
    # Forty minutes unclaimed: on-duty staff who speak Kazakh get a reminder with Claim.
    await asql(bot.settings.database_url,
               "UPDATE tickets SET created_at = created_at - 2400 WHERE id = ?", (number,))
    reminder = await wait_sent(standin, consultant.user,
                               lambda c: f"#{number}" in c.text and t(
                                   "en", "Claim") in labels(c), start=start)
    assert reminder.text.startswith(t("en", "Ticket #{number} is still waiting for a "
                                            "consultant.").format(number=number))
    # A day and more without an answer: the girl is told, once, that it has not been forgotten.
    await asql(bot.settings.database_url,
               "UPDATE tickets SET created_at = created_at - 90000 WHERE id = ?", (number,))
    late = t("kk", "Your question #{number} is taking longer than we promised. It has not "
                   "been forgotten: a consultant will answer as soon as possible."
             ).format(number=number)
    await wait_sent(standin, girl, lambda c: c.text == late, start=start)
    await eventually(bot, "SELECT user_told_late FROM tickets WHERE id = ?", (number,), [(1,)])
    assert len([c for c in standin.sent_to(girl.id) if c.text == late]) == 1
