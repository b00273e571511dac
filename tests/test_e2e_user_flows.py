"""Everything a teenager or a parent sees, end to end through the Bot API stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot import PROJECT_DIR
from bot.standin import FakeTelegram
from tests.backends import raw_contents, sql
from tests.chat import Chat, labels

LANGS = ("kk", "ru", "en")


def t(lang: str, msgid: str) -> str:
    """The catalogue's translation (read from the .po file, independent of the bot)."""
    with (PROJECT_DIR / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    message = catalog.get(msgid)
    assert message is not None, msgid
    if lang == "en" and not message.string:
        return msgid  # English is the source language; completeness is test_i18n's job
    return str(message.string)


def first_line(lang: str, msgid: str) -> str:
    return t(lang, msgid).split("\n")[0].split("{")[0].strip()


QUESTIONS = {
    "kk": "етеккірім келмей жатыр",
    "ru": "месячные не идут уже месяц",
    "en": "my period is late",
}
CRISIS = {"kk": "өмір сүргім келмейді", "ru": "не хочу больше жить", "en": "i want to die"}
UNKNOWN = {"kk": "визаны қалай аламын", "ru": "как получить визу в америку",
           "en": "how do i get a visa"}


@pytest.fixture
async def bot(start_bot: Any) -> Any:
    return await start_bot()


def db_rows(bot: Any, query: str) -> list[tuple[Any, ...]]:
    return sql(bot.settings.database_url, query)


@pytest.mark.parametrize("lang", LANGS)
async def test_start_welcome_language_and_who_are_you(bot: Any, standin: FakeTelegram,
                                                      lang: str) -> None:
    chat = Chat(standin, standin.user("Dana", language_code=lang))
    welcome, choose = await chat.send("/start", expect=2)
    assert welcome.text.startswith(first_line(lang, "Hello! This is a confidential helpline "
                                   "about health, growing up, feelings, relationships and "
                                   "parenting.\n\n• It is anonymous: no name, phone number or "
                                   "account is needed, and the doctors and psychologists who "
                                   "answer never see who you are.\n• It is not an emergency "
                                   "service. If you are in danger or someone's life is at risk, "
                                   "call now:\n{helplines}\n• To erase this chat from your "
                                   "phone, send /hide. To delete everything the bot keeps about "
                                   "you, send /forget."))
    assert "112" in welcome.text and "/hide" in welcome.text and "/forget" in welcome.text
    # The language is preselected from Telegram's language_code.
    names = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
    assert f"✓ {names[lang]}" in labels(choose)
    english = next(label for label in labels(choose) if label.endswith("English"))
    (who,) = await chat.press(choose, english)
    assert who.text == t("en", "Who are you? This only helps me choose answers; you can skip it.")
    (age,) = await chat.press(who, t("en", "A girl asking for myself"))
    assert labels(age)[:3] == ["12-13", "14-15", "16-18"]
    (ready,) = await chat.press(age, "14-15")
    assert "/topics" in ready.text
    rows = db_rows(bot, "SELECT lang, lang_chosen, audience, age_band FROM users")
    assert rows == [("en", 1, "teen", "14-15")]


@pytest.mark.parametrize("lang", LANGS)
async def test_question_answered_in_her_language_with_source_and_buttons(
    bot: Any, standin: FakeTelegram, lang: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="ru"))
    (answer,) = await chat.send(QUESTIONS[lang])
    # A notification preview shows only a neutral first line, never the topic.
    assert answer.text.split("\n")[0] == t(lang, "Here is an answer to your question.")
    assert "who.int" in answer.text
    assert t(lang, "Sources:") in answer.text
    assert labels(answer)[:3] == [t(lang, "This helped"), t(lang, "Not what I asked"),
                                  t(lang, "Ask a consultant")]
    notice = await chat.press_for_notice(answer, t(lang, "This helped"))
    assert notice.params.get("text") == t(lang, "Thank you! I'm glad it helped.")


async def test_not_what_i_asked_offers_alternatives_then_a_consultant(
    bot: Any, standin: FakeTelegram
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="ru"))
    (answer,) = await chat.send(QUESTIONS["ru"])
    (alternatives,) = await chat.press(answer, t("ru", "Not what I asked"))
    assert alternatives.text == t("ru", "Did you mean one of these?")
    assert t("ru", "None of these") in labels(alternatives)
    (offer,) = await chat.press(alternatives, t("ru", "None of these"))
    assert labels(offer) == [t("ru", "Yes, send it"), t("ru", "No, thanks")]


@pytest.mark.parametrize("lang", LANGS)
async def test_unanswerable_question_goes_to_a_consultant_only_with_consent(
    bot: Any, standin: FakeTelegram, lang: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (offer,) = await chat.send(UNKNOWN[lang])
    assert labels(offer) == [t(lang, "Yes, send it"), t(lang, "No, thanks")]
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(0,)]
    (received,) = await chat.press(offer, t(lang, "Yes, send it"))
    rows = db_rows(bot, "SELECT id, priority, state, lang, text FROM tickets")
    assert len(rows) == 1
    number, priority, state, ticket_lang, stored = rows[0]
    assert (priority, state, ticket_lang) == ("normal", "open", lang)
    assert f"#{number}" in received.text
    # The question is stored encrypted, never as plain text.
    assert UNKNOWN[lang].encode() not in bytes(stored)
    # Pressing again (a double tap) does not create a second ticket.
    await chat.press(offer, t(lang, "Yes, send it"))
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(1,)]


async def test_declining_creates_no_ticket(bot: Any, standin: FakeTelegram) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="en"))
    (offer,) = await chat.send(UNKNOWN["en"])
    (reply,) = await chat.press(offer, t("en", "No, thanks"))
    assert "/topics" in reply.text
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(0,)]


@pytest.mark.parametrize("lang", LANGS)
async def test_crisis_shows_helplines_at_once_and_offers_urgent_help(
    bot: Any, standin: FakeTelegram, lang: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="ru"))
    intro, help_now = await chat.send(CRISIS[lang], expect=2)
    assert intro.text == t(lang, "I'm really glad you wrote. You are not alone, and you "
                                 "deserve help right now.")
    assert "112" in help_now.text and "111" in help_now.text
    (received,) = await chat.press(help_now, t(lang, "Talk to a consultant now"))
    assert db_rows(bot, "SELECT priority FROM tickets") == [("urgent",)]
    assert "#" in received.text


# Period pain in words the crisis detector rightly takes for a crisis (helplines first), though
# what she asks is what helps against the pain.
PAIN_AS_CRISIS = {
    "kk": "етеккір кезінде іш қатты ауырады, өзімді өлтіргім келеді, не көмектеседі",
    "ru": "боль при месячных такая, что хочу покончить с собой, что помогает",
    "en": "period cramps so bad i want to kill myself lol what helps",
}
PAIN_TITLE = {"kk": "Етеккір кезіндегі ауырсыну", "ru": "Боль при месячных", "en": "Period pain"}
PAIN_ANSWER = {"kk": "Етеккір кезіндегі ауырсыну жиі болады",
               "ru": "Боли при месячных бывают часто", "en": "Period pain is common"}
CRISIS_TITLE = {"kk": "Өмір сүргім келмейді", "ru": "Не хочется жить", "en": "Not wanting to live"}
SOMETHING_ELSE = "My question was about something else"


@pytest.mark.parametrize("lang", LANGS)
async def test_crisis_about_something_else_offers_close_topics_then_the_answer(
    bot: Any, standin: FakeTelegram, lang: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="ru"))
    _intro, help_now = await chat.send(PAIN_AS_CRISIS[lang], expect=2)
    assert "112" in help_now.text and "111" in help_now.text
    assert labels(help_now) == [t(lang, "Talk to a consultant now"), t(lang, SOMETHING_ELSE)]
    (offer,) = await chat.press(help_now, t(lang, SOMETHING_ELSE))
    assert offer.text == t(lang, "Thank you for telling me. Here are topics close to your "
                                 "question:")
    # The clearly closest topic comes alone (no crisis topic, nothing far behind it).
    assert labels(offer) == [PAIN_TITLE[lang], t(lang, "None of these")]
    (answer,) = await chat.press(offer, PAIN_TITLE[lang])
    assert answer.text.split("\n")[0] == t(lang, "Here is an answer to your question.")
    assert PAIN_ANSWER[lang] in answer.text and "who.int" in answer.text
    assert labels(answer)[:2] == [t(lang, "This helped"), t(lang, "Not what I asked")]
    # The operators learn that it happened, never from whom; no ticket is made.
    assert db_rows(bot, "SELECT lang, reason, nearest FROM gap_questions") == [
        (lang, "not_crisis", "mental.suicidal_thoughts")]
    assert db_rows(bot, "SELECT lang, topic FROM events WHERE kind = 'crisis_declined'") == [
        (lang, "mental.suicidal_thoughts")]
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_crisis_about_something_else_without_a_close_topic_offers_a_consultant(
    bot: Any, standin: FakeTelegram
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="en"))
    _intro, help_now = await chat.send(CRISIS["en"], expect=2)
    (offer,) = await chat.press(help_now, t("en", SOMETHING_ELSE))
    assert offer.text.startswith(first_line("en", "I don't have a ready answer to this. A "
                                            "consultant (a doctor or a psychologist) can answer "
                                            "you privately here, usually within {hours} hours. "
                                            "They will see only your question, never your name "
                                            "or account.\n\nSend your question to a "
                                            "consultant?"))
    assert labels(offer) == [t("en", "Yes, send it"), t("en", "No, thanks")]
    (received,) = await chat.press(offer, t("en", "Yes, send it"))
    assert "#" in received.text
    assert db_rows(bot, "SELECT priority FROM tickets") == [("urgent",)]


async def test_crisis_about_something_else_only_for_her_own_crisis_answer(
    bot: Any, standin: FakeTelegram
) -> None:
    owner = Chat(standin, standin.user("Owner", language_code="en"))
    _intro, help_now = await owner.send(PAIN_AS_CRISIS["en"], expect=2)
    data = next(b["callback_data"] for b in help_now.buttons()
                if b["text"] == t("en", SOMETHING_ELSE))
    qid = data.split(":")[1]
    (answered,) = await owner.send(QUESTIONS["en"])  # not a crisis: no such button
    other_qid = answered.buttons()[0]["callback_data"].split(":")[2]
    thief = Chat(standin, standin.user("Thief", language_code="en"))
    (help_msg,) = await thief.send("/help")
    expired = t("en", "This button has expired. Please write your question again.")
    for forged in (data, f"nc:{other_qid}:mental.suicidal_thoughts"):
        notice = await thief.press_for_notice(help_msg, data=forged)
        assert notice.params.get("text") == expired
    for forged in (f"nc:{other_qid}:mental.suicidal_thoughts", f"nc:{qid}:periods.pain",
                   f"nc:{qid}:no.such.topic"):
        notice = await owner.press_for_notice(help_now, data=forged)
        assert notice.params.get("text") == expired
    assert db_rows(bot, "SELECT COUNT(*) FROM gap_questions") == [(0,)]
    assert db_rows(bot, "SELECT COUNT(*) FROM events WHERE kind = 'crisis_declined'") == [(0,)]


@pytest.mark.parametrize("lang", LANGS)
async def test_topics_browse_categories_then_answer(bot: Any, standin: FakeTelegram,
                                                   lang: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (categories,) = await chat.send("/topics")
    titles = {"kk": "Етеккір", "ru": "Месячные", "en": "Periods"}
    (topics,) = await chat.press(categories, titles[lang])
    pain = {"kk": "Етеккір кезіндегі ауырсыну", "ru": "Боль при месячных", "en": "Period pain"}
    (answer,) = await chat.press(topics, pain[lang])
    assert "who.int" in answer.text


async def test_topics_are_filtered_by_audience(bot: Any, standin: FakeTelegram) -> None:
    chat = Chat(standin, standin.user("Mum", language_code="en"))
    _, choose = await chat.send("/start", expect=2)
    (who,) = await chat.press(choose, "✓ English")
    await chat.press(who, t("en", "A parent or caregiver"))
    (categories,) = await chat.send("/topics")
    (topics,) = await chat.press(categories, "Periods")
    assert labels(topics) == ["Not wanting to live"]  # the teen-only topics are hidden


@pytest.mark.parametrize("lang", LANGS)
async def test_hide_deletes_recent_messages_and_leaves_one_neutral_line(
    bot: Any, standin: FakeTelegram, lang: str
) -> None:
    user = standin.user("Aru", language_code=lang)
    chat = Chat(standin, user)
    await chat.send(QUESTIONS[lang])
    await chat.send("/help")
    sent_ids = {int(c.params["_message_id"]) for c in standin.sent_to(user.id)}
    own_ids = {mid for (chat_id, mid), m in standin.messages.items()
               if chat_id == user.id and m["from"]["id"] == user.id}
    (cleared,) = await chat.send("/hide")
    assert cleared.text == t(lang, "Cleared.")
    deleted = {int(i) for c in standin.calls_to(user.id, "deleteMessages")
               for i in c.params["message_ids"]}
    assert sent_ids | own_ids <= deleted
    remaining = [m for (chat_id, _), m in standin.messages.items() if chat_id == user.id]
    assert [m.get("text") for m in remaining] == [t(lang, "Cleared.")]


@pytest.mark.parametrize("lang", LANGS)
async def test_forget_erases_everything_after_confirmation(bot: Any, standin: FakeTelegram,
                                                          lang: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (offer,) = await chat.send(UNKNOWN[lang])
    await chat.press(offer, t(lang, "Yes, send it"))
    (confirm,) = await chat.send("/forget")
    (kept,) = await chat.press(confirm, t(lang, "No, keep it"))
    assert kept.text == t(lang, "Nothing was deleted.")
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(1,)]
    (done,) = await chat.press(confirm, t(lang, "Yes, delete everything"))
    assert done.text.startswith(first_line(lang, "Done: everything the bot kept about you has "
                                           "been deleted. To also clear this chat from your "
                                           "phone, delete it in Telegram. You can start again "
                                           "any time with /start."))
    for table in ("users", "tickets", "pending_questions", "chat_messages"):
        assert db_rows(bot, f"SELECT COUNT(*) FROM {table}") == [(0,)], table


NON_TEXT: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False,
                            "is_video": False}},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}],
              "caption": "look at this rash"},
    "video": {"video": {"file_id": "w", "file_unique_id": "w", "width": 9, "height": 9,
                        "duration": 2}},
    "document": {"document": {"file_id": "d", "file_unique_id": "d"}},
    "location": {"location": {"latitude": 43.2, "longitude": 76.9}},
    "contact": {"contact": {"phone_number": "+77001234567", "first_name": "Someone"}},
}


@pytest.mark.parametrize("kind", sorted(NON_TEXT))
@pytest.mark.parametrize("lang", LANGS)
async def test_non_text_gets_a_kind_reply_and_nothing_is_stored(
    bot: Any, standin: FakeTelegram, kind: str, lang: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (reply,) = await chat.send(None, **NON_TEXT[kind])
    assert reply.text == t(lang, "Sorry, I can only read text messages. Please type your "
                                 "question in words. I did not keep what you sent.")
    assert db_rows(bot, "SELECT COUNT(*) FROM pending_questions") == [(0,)]
    raw = raw_contents(bot.settings.database_url)
    assert b"+77001234567" not in raw and b"rash" not in raw


async def test_long_message_is_accepted_and_matched_on_its_start(bot: Any,
                                                                standin: FakeTelegram) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="ru"))
    (answer,) = await chat.send("месячные не идут уже месяц. " + "очень переживаю " * 700)
    assert "who.int" in answer.text


@pytest.mark.parametrize("text", ["😭😭😭", "(((", "...", "12345"])
async def test_emoji_or_punctuation_only(bot: Any, standin: FakeTelegram, text: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="kk"))
    (reply,) = await chat.send(text)
    assert reply.text == t("kk", "I could not find any words in your message. Please type "
                                 "your question in words.")


async def test_unknown_command(bot: Any, standin: FakeTelegram) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="en"))
    (reply,) = await chat.send("/weather")
    assert reply.text == t("en", "I don't know this command. Send /help to see what I can do.")


@pytest.mark.parametrize("data", ["ask:999", "ask:abc", "t:no.such.topic:0", "garbage",
                                  "fb:periods.pain:1:maybe", "forget:", "x" * 64,
                                  "nc:999:mental.suicidal_thoughts", "nc:abc:x", "nc:1",
                                  "nc:-1:mental.suicidal_thoughts"])
async def test_malformed_or_forged_buttons_expire_politely(bot: Any, standin: FakeTelegram,
                                                           data: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code="en"))
    (help_msg,) = await chat.send("/help")
    notice = await chat.press_for_notice(help_msg, data=data)
    assert notice.params.get("text") == t("en", "This button has expired. Please write your "
                                                 "question again.")
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_someone_elses_question_cannot_be_sent(bot: Any, standin: FakeTelegram) -> None:
    owner = Chat(standin, standin.user("Owner", language_code="en"))
    (offer,) = await owner.send(UNKNOWN["en"])
    data = offer.buttons()[0]["callback_data"]
    thief = Chat(standin, standin.user("Thief", language_code="en"))
    (help_msg,) = await thief.send("/help")
    notice = await thief.press_for_notice(help_msg, data=data)
    assert "expired" in notice.params.get("text", "")
    assert db_rows(bot, "SELECT COUNT(*) FROM tickets") == [(0,)]


async def test_a_flood_is_slowed_with_one_polite_notice(start_bot: Any,
                                                       standin: FakeTelegram) -> None:
    await start_bot(flood_messages=3, flood_window_seconds=60)
    user = standin.user("Aru", language_code="en")
    start = len(standin.calls)
    for i in range(8):
        user.send(f"question number {i} about my period")
    notices = {t(lang, "You are writing very fast. Please wait a minute, then send your "
                       "question again: I will read it.") for lang in LANGS}
    await standin.wait_for(lambda c: c.text in notices, start=start)
    await chat_settle()
    texts = [c.text for c in standin.sent_to(user.id)]
    assert sum(text in notices for text in texts) == 1
    assert len(texts) == 4  # three answers, one notice


async def chat_settle() -> None:
    import asyncio

    await asyncio.sleep(0.5)


async def test_commands_menu_in_each_language(bot: Any, standin: FakeTelegram) -> None:
    menus = {c.params.get("language_code"): c.params["commands"]
             for c in standin.calls if c.method == "setMyCommands"}
    for lang in LANGS:
        commands = menus[lang]
        if isinstance(commands, str):
            commands = json.loads(commands)
        by_name = {c["command"]: c["description"] for c in commands}
        assert by_name["hide"] == t(lang, "Erase this chat from your phone")
        assert {"start", "topics", "help", "privacy", "forget", "cancel"} <= set(by_name)


INFO_COMMANDS = {
    "/help": "Write any question in your own words: about your body, periods, feelings, "
             "relationships, safety, or your child's health. I answer from checked medical "
             "sources or pass your question to a consultant, anonymously.\n\n/topics: browse "
             "topics\n/language: change the language\n/settings: who you are and your age\n"
             "/privacy: what is stored and who sees it\n/hide: erase this chat from your phone"
             "\n/forget: delete everything about you\n/cancel: stop what you were doing",
    "/cancel": "Stopped. You can write a new question any time.",
    "/language": "Which language should I use?",
    "/settings": "Who are you? This only helps me choose answers; you can skip it.",
}


@pytest.mark.parametrize("command", sorted(INFO_COMMANDS))
@pytest.mark.parametrize("lang", LANGS)
async def test_help_cancel_language_settings(bot: Any, standin: FakeTelegram, lang: str,
                                            command: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (reply,) = await chat.send(command)
    assert reply.text == t(lang, INFO_COMMANDS[command])


@pytest.mark.parametrize("lang", LANGS)
async def test_privacy_says_what_is_kept_and_for_how_long(bot: Any, standin: FakeTelegram,
                                                         lang: str) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (reply,) = await chat.send("/privacy")
    assert "90" in reply.text and "/forget" in reply.text and "/hide" in reply.text
    assert reply.text.startswith(first_line(lang, "What this bot keeps, and who sees it:"
                                                  "\n\n• You are known only by a code made "
                                                  "from your account by a secret key; staff "
                                                  "never see your name, username, phone or "
                                                  "account.\n• Questions you send to a "
                                                  "consultant are stored encrypted. Consultants "
                                                  "and moderators see the question text only, "
                                                  "never who wrote it.\n• Closed questions are "
                                                  "deleted after {days} days. Questions the bot "
                                                  "could not answer may be kept without any "
                                                  "link to you, to improve the answers.\n• Your "
                                                  "language and the answers to \"who are you\" "
                                                  "are kept so that you need not choose them "
                                                  "again.\n\n/hide erases this chat from your "
                                                  "phone. /forget deletes everything the bot "
                                                  "keeps about you."))


@pytest.mark.parametrize(("text", "lang", "reply"), [
    ("рахмет, сау бол!", "kk", "You're welcome! I'm here whenever you have a question."),
    ("спокойной ночи 🌙", "ru", "Take care! You can write here any time, day or night."),
    ("hiii", "en", "Hi! Write your question in your own words: I will answer from checked "
                   "sources or pass it to a consultant, anonymously."),
    ("ок, понятно", "ru", "All right. Write whenever you have a question, or browse /topics."),
])
async def test_thanks_greetings_and_goodbyes_get_a_kind_word_not_a_search(
    bot: Any, standin: FakeTelegram, text: str, lang: str, reply: str
) -> None:
    chat = Chat(standin, standin.user("Aru", language_code=lang))
    (answer,) = await chat.send(text)
    assert answer.text == t(lang, reply)
    assert not answer.buttons()  # no topics, no consultant offer
    # Not a question: nothing kept, nothing counted as one.
    assert db_rows(bot, "SELECT COUNT(*) FROM pending_questions") == [(0,)]
    assert db_rows(bot, "SELECT COUNT(*) FROM events WHERE kind = 'question'") == [(0,)]
