"""The moderated consultant queue, end to end through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.standin import ApiCall, FakeTelegram, FakeUser
from tests.backends import sql
from tests.chat import Chat, labels
from tests.test_e2e_user_flows import UNKNOWN, t

ADMIN_ID = 7_000_111


def db(bot: Any, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return sql(bot.settings.database_url, query, params)


async def eventually(bot: Any, sql: str, params: tuple[Any, ...], expected: Any,
                     timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if db(bot, sql, params) == expected:
            return
        await asyncio.sleep(0.05)
    assert db(bot, sql, params) == expected


async def invite_link(admin: Chat, role: str) -> str:
    (reply,) = await admin.send(f"/invite {role}")
    return reply.text.split("\n")[-1].strip()


async def register(server: FakeTelegram, admin: Chat, role: str, alias: str,
                   specialties: tuple[str, ...] = ()) -> Chat:
    link = await invite_link(admin, role)
    code = link.split("start=")[1]
    chat = Chat(server, server.user(alias.split()[-1], language_code="en"))
    await chat.send(f"/start {code}")
    (langs,) = await chat.send(alias)
    for lang in ("kk", "ru", "en"):
        await chat.press_for_notice(langs, lang)
    message = server.message_for_call(langs)
    (specs,) = await chat.press(message, t("en", "Done"))
    for specialty in specialties:
        await chat.press_for_notice(specs, specialty)
    await chat.press(server.message_for_call(specs), t("en", "Done"))
    return chat


async def wait_sent(server: FakeTelegram, user: FakeUser, predicate: Any, start: int = 0,
                    timeout: float = 15.0) -> ApiCall:
    return await server.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user.id and predicate(c),
        timeout=timeout, start=start,
    )


async def submit_and_approve(server: FakeTelegram, consultant: Chat, moderator: Chat,
                             text: str) -> None:
    """The consultant drafts and submits; the moderator approves from the review alert."""
    (preview,) = await consultant.send(text)
    start = len(server.calls)
    await consultant.press(preview, t("en", "Submit"))
    alert = await wait_sent(server, moderator.user, lambda c: text[:20] in c.text, start=start)
    moderator.user.press(alert, t("en", "Approve"))


async def ask(server: FakeTelegram, user: FakeUser, text: str, lang: str) -> int:
    chat = Chat(server, user)
    replies = await chat.send(text, expect=1)
    offer = replies[-1]
    button = t(lang, "Talk to a consultant now") if t(lang, "Talk to a consultant now") in \
        labels(offer) else t(lang, "Yes, send it")
    (received,) = await chat.press(offer, button)
    return int(received.text.split("#")[1].split()[0].rstrip(".,"))


@pytest.fixture
async def team(start_bot: Any, standin: FakeTelegram) -> dict[str, Any]:
    bot = await start_bot(admin_ids=(ADMIN_ID,), care_interval=0.2)
    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    consultant = await register(standin, admin, "consultant", "Doctor Aigerim",
                                ("Gynaecology",))
    consultant2 = await register(standin, admin, "consultant", "Doctor Dana", ("Gynaecology",))
    moderator = await register(standin, admin, "moderator", "Moderator Saule")
    return {"bot": bot, "admin": admin, "consultant": consultant, "consultant2": consultant2,
            "moderator": moderator}


async def test_full_path_with_return_follow_up_and_rating(team: dict[str, Any],
                                                          standin: FakeTelegram) -> None:
    bot, consultant, moderator = team["bot"], team["consultant"], team["moderator"]
    girl = standin.user("Zarina", username="zarina_secret", language_code="ru")
    number = await ask(standin, girl, UNKNOWN["ru"], "ru")

    (card,) = await consultant.send("/queue")
    assert card.text.startswith(f"#{number}")
    assert UNKNOWN["ru"] in card.text
    (work,) = await consultant.press(card, t("en", "Claim"))
    assert t("en", "Internal note") in labels(work)
    (preview,) = await consultant.send("Первый черновик ответа")
    assert "Первый черновик ответа" in preview.text
    (submitted,) = await consultant.press(preview, t("en", "Submit"))
    assert submitted.text == t("en", "Submitted #{number} for review. Thank you!").format(
        number=number)

    review_alert = await wait_sent(standin, moderator.user,
                                   lambda c: f"#{number}" in c.text and "Первый" in c.text)
    (_ask_comment,) = await moderator.press(review_alert, t("en", "Return"))
    (returned,) = await moderator.send("Добавьте, когда идти к врачу")
    assert returned.text == t("en", "Returned #{number} to the consultant.").format(
        number=number)
    back = await wait_sent(standin, consultant.user,
                           lambda c: "Добавьте, когда идти к врачу" in c.text)
    assert f"#{number}" in back.text

    await submit_and_approve(standin, consultant, moderator,
                             "Исправленный ответ: сходи к врачу, если болит.")
    answer = await wait_sent(standin, girl, lambda c: "Исправленный ответ" in c.text)
    assert "Doctor Aigerim" in answer.text and f"#{number}" in answer.text
    await eventually(bot, "SELECT state FROM tickets WHERE id = ?", (number,), [("delivered",)])
    assert answer.params.get("_message_id") and "forward" not in json.dumps(answer.params)

    girl_chat = Chat(standin, girl)
    (_prompt,) = await girl_chat.press(answer, t("ru", "Ask a follow-up"))
    (ok,) = await girl_chat.send("А если не пройдёт через неделю?")
    assert f"#{number}" in ok.text
    follow_alert = await wait_sent(standin, consultant.user,
                                   lambda c: "через неделю" in c.text)
    assert f"#{number}" in follow_alert.text
    await submit_and_approve(standin, consultant, moderator, "Тогда обязательно к врачу.")
    second = await wait_sent(standin, girl, lambda c: "Тогда обязательно" in c.text)
    (stars,) = await girl_chat.press(second, t("ru", "Thank you"))
    await girl_chat.press_for_notice(stars, "★★★★★")
    assert db(bot, "SELECT rating FROM tickets WHERE id = ?", (number,)) == [(5,)]
    actions = [r[0] for r in db(bot, "SELECT action FROM audit WHERE ticket_id = ? ORDER BY id",
                                 (number,))]
    assert actions[:2] == ["created", "claim"]
    assert actions.count("approve") == 2 and "return" in actions and "follow_up" in actions

    # Nothing a staff member received names the girl.
    staff_ids = {team[k].user.id for k in ("admin", "consultant", "consultant2", "moderator")}
    for call in standin.calls:
        if call.chat_id in staff_ids:
            blob = json.dumps(call.params, ensure_ascii=False)
            for secret in (str(girl.id), "zarina_secret", "Zarina"):
                assert secret not in blob


async def test_crisis_ticket_jumps_the_queue_and_alerts_staff(team: dict[str, Any],
                                                            standin: FakeTelegram) -> None:
    consultant = team["consultant"]
    ordinary = await ask(standin, standin.user("A", language_code="en"), UNKNOWN["en"], "en")
    start = len(standin.calls)
    urgent = await ask(standin, standin.user("B", language_code="en"), "i want to die", "en")
    alert = await wait_sent(standin, consultant.user, lambda c: f"#{urgent}" in c.text,
                            start=start)
    assert t("en", "URGENT") in alert.text
    assert t("en", "Claim") in labels(alert)
    cards = await consultant.send("/queue", expect=2)
    assert cards[0].text.startswith(t("en", "URGENT") + f" #{urgent}")
    assert cards[1].text.startswith(f"#{ordinary}")


async def test_two_consultants_race_for_one_claim(team: dict[str, Any],
                                                  standin: FakeTelegram) -> None:
    number = await ask(standin, standin.user("C", language_code="en"), UNKNOWN["en"], "en")
    first, second = team["consultant"], team["consultant2"]
    (card1,) = await first.send("/queue")
    (card2,) = await second.send("/queue")
    start = len(standin.calls)
    first.user.press(card1, t("en", "Claim"))
    second.user.press(card2, t("en", "Claim"))
    await asyncio.sleep(1.5)
    refused = [c for c in standin.calls[start:] if c.method == "answerCallbackQuery"
               and c.params.get("text") == t("en", "Someone else has already taken this "
                                                   "ticket.")]
    assert len(refused) == 1
    holders = db(team["bot"], "SELECT claimed_by FROM tickets WHERE id = ?", (number,))
    assert len(holders) == 1 and holders[0][0] is not None
    assert db(team["bot"], "SELECT COUNT(*) FROM audit WHERE ticket_id = ? AND action = "
                           "'claim'", (number,)) == [(1,)]


async def test_an_expired_lease_returns_the_ticket_to_the_queue(team: dict[str, Any],
                                                                standin: FakeTelegram) -> None:
    bot, consultant = team["bot"], team["consultant"]
    number = await ask(standin, standin.user("D", language_code="en"), UNKNOWN["en"], "en")
    (card,) = await consultant.send("/queue")
    await consultant.press(card, t("en", "Claim"))
    db(bot, "UPDATE tickets SET lease_until = 1 WHERE id = ?", (number,))
    for _ in range(50):
        if db(bot, "SELECT state FROM tickets WHERE id = ?", (number,)) == [("open",)]:
            break
        await asyncio.sleep(0.1)
    assert db(bot, "SELECT state, claimed_by FROM tickets WHERE id = ?", (number,)) == \
        [("open", None)]
    (reply,) = await consultant.send("late answer")
    assert reply.text == t("en", "#{number} is not yours any more (the claim expired or it "
                                 "was answered).").format(number=number)
    (card,) = await team["consultant2"].send("/queue")
    assert card.text.startswith(f"#{number}")


async def test_revoked_staff_lose_access_on_their_next_message(team: dict[str, Any],
                                                               standin: FakeTelegram) -> None:
    admin, consultant = team["admin"], team["consultant"]
    (listing,) = await admin.send("/staff")
    staff_no = db(team["bot"], "SELECT id FROM staff WHERE tg_id = ?",
                  (consultant.user.id,))[0][0]
    await admin.press_for_notice(listing, t("en", "#{number}: revoke").format(number=staff_no))
    (reply,) = await consultant.send("/queue")
    assert reply.text == t("en", "I don't know this command. Send /help to see what I can "
                                 "do.")


async def test_forged_staff_callbacks_from_a_user_change_nothing(team: dict[str, Any],
                                                                 standin: FakeTelegram) -> None:
    bot = team["bot"]
    number = await ask(standin, standin.user("E", language_code="en"), UNKNOWN["en"], "en")
    intruder = Chat(standin, standin.user("Intruder", language_code="en"))
    (help_msg,) = await intruder.send("/help")
    before = db(bot, "SELECT state, claimed_by FROM tickets")
    for data in (f"tk:claim:{number}", f"tk:approve:{number}", f"rj:{number}:abuse:1",
                 "sa:revoke:1", f"kbp:{number}:periods.pain", f"tr:{number}:psychology",
                 f"ut:close:{number}:0"):
        notice = await intruder.press_for_notice(help_msg, data=data)
        assert "expired" in notice.params.get("text", "")
    assert db(bot, "SELECT state, claimed_by FROM tickets") == before
    assert db(bot, "SELECT COUNT(*) FROM staff WHERE active = 1") == [(4,)]


async def test_a_moderator_cannot_approve_her_own_draft_nor_twice(team: dict[str, Any],
                                                                  standin: FakeTelegram) -> None:
    moderator = team["moderator"]
    number = await ask(standin, standin.user("F", language_code="en"), UNKNOWN["en"], "en")
    (card,) = await moderator.send("/queue")
    await moderator.press(card, t("en", "Claim"))
    (preview,) = await moderator.send("My own answer")
    await moderator.press(preview, t("en", "Submit"))
    (nothing,) = await moderator.send("/review")
    assert nothing.text == t("en", "Nothing is waiting for review.")
    admin = team["admin"]
    (review,) = await admin.send("/review")
    admin.user.press(review, t("en", "Approve"))
    admin.user.press(review, t("en", "Approve"))
    await asyncio.sleep(1.5)
    assert db(team["bot"], "SELECT COUNT(*) FROM audit WHERE ticket_id = ? AND action = "
                           "'approve'", (number,)) == [(1,)]
    assert db(team["bot"], "SELECT COUNT(*) FROM outbox WHERE ticket_id = ? AND kind = "
                           "'answer'", (number,)) == [(1,)]


async def test_moderators_reject_and_block_abuse_before_a_consultant_reads_it(
    team: dict[str, Any], standin: FakeTelegram
) -> None:
    bot, moderator = team["bot"], team["moderator"]
    troll = standin.user("Troll", language_code="en")
    number = await ask(standin, troll, "how do i get a visa you idiots", "en")
    (card,) = await moderator.send("/queue")
    (reasons,) = await moderator.press(card, t("en", "Reject"))
    await moderator.press_for_notice(reasons, t("en", "Abuse, and block this user"))
    assert db(bot, "SELECT state, reject_reason FROM tickets WHERE id = ?", (number,)) == \
        [("rejected", "abuse")]
    notice = await wait_sent(standin, troll, lambda c: "112" in c.text)
    assert "#" not in notice.text or str(number) in notice.text
    assert db(bot, "SELECT blocked FROM users") == [(1,)] or (1,) in db(
        bot, "SELECT blocked FROM users")
    chat = Chat(standin, troll)
    (offer,) = await chat.send("how do i get a visa again")
    (refused,) = await chat.press(offer, t("en", "Yes, send it"))
    assert "112" in refused.text
    assert db(bot, "SELECT COUNT(*) FROM tickets") == [(1,)]


async def test_admin_reads_the_audit_log(team: dict[str, Any], standin: FakeTelegram) -> None:
    number = await ask(standin, standin.user("G", language_code="en"), UNKNOWN["en"], "en")
    consultant = team["consultant"]
    (card,) = await consultant.send("/queue")
    await consultant.press(card, t("en", "Claim"))
    (log,) = await team["admin"].send(f"/audit #{number}")
    assert "created" in log.text and "claim" in log.text
    (stats,) = await team["moderator"].send("/stats")
    assert "claimed 1" in stats.text


async def test_a_crisis_during_a_follow_up_gets_helplines_at_once(team: dict[str, Any],
                                                                  standin: FakeTelegram) -> None:
    consultant, moderator = team["consultant"], team["moderator"]
    girl = standin.user("H", language_code="en")
    number = await ask(standin, girl, UNKNOWN["en"], "en")
    (card,) = await consultant.send("/queue")
    await consultant.press(card, t("en", "Claim"))
    await submit_and_approve(standin, consultant, moderator, "Here is how it works.")
    answer = await wait_sent(standin, girl, lambda c: "Here is how it works." in c.text)
    chat = Chat(standin, girl)
    await chat.press(answer, t("en", "Ask a follow-up"))
    intro, help_now = await chat.send("i want to die", expect=2)
    assert intro.text == t("en", "I'm really glad you wrote. You are not alone, and you "
                                 "deserve help right now.")
    assert "112" in help_now.text
    assert db(team["bot"], "SELECT state FROM tickets WHERE id = ?", (number,)) == \
        [("delivered",)]
