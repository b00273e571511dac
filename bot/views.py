"""What the user sees: texts (through gettext) and keyboards. No storage, no matching."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    AgeCb,
    AskCb,
    AudienceCb,
    CategoryCb,
    DeclineCb,
    FeedbackCb,
    ForgetCb,
    LangCb,
    NoneOfTheseCb,
    NotCrisisCb,
    TopicCb,
)
from bot.kb.model import Entry, KnowledgeBase

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
CONSULTANT_WAIT_HOURS = 24


def helplines(kb: KnowledgeBase, lang: str) -> str:
    keys = ("emergency.general", "helpline.family", "helpline.youth")
    return "\n".join(f"• {kb.resource(k, lang)}" for k in keys if k in kb.resources)


def welcome(kb: KnowledgeBase, lang: str) -> str:
    return _(
        "Hello! This is a confidential helpline about health, growing up, feelings, "
        "relationships and parenting.\n\n"
        "• It is anonymous: no name, phone number or account is needed, and the doctors and "
        "psychologists who answer never see who you are.\n"
        "• It is not an emergency service. If you are in danger or someone's life is at risk, "
        "call now:\n{helplines}\n"
        "• To erase this chat from your phone, send /hide. To delete everything the bot "
        "keeps about you, send /forget."
    ).format(helplines=helplines(kb, lang))


def choose_language_text() -> str:
    return _("Which language should I use?")


def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "✓ " if code == current else ""
        builder.button(text=f"{mark}{name}", callback_data=LangCb(code=code))
    builder.button(text=_("Skip"), callback_data=LangCb(code="skip"))
    builder.adjust(3, 1)
    return builder.as_markup()


def who_are_you_text() -> str:
    return _("Who are you? This only helps me choose answers; you can skip it.")


def audience_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("A girl asking for myself"), callback_data=AudienceCb(value="teen"))
    builder.button(text=_("A parent or caregiver"), callback_data=AudienceCb(value="parent"))
    builder.button(text=_("Skip"), callback_data=AudienceCb(value="skip"))
    builder.adjust(1)
    return builder.as_markup()


def age_text() -> str:
    return _("How old are you? You can skip this too.")


def age_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for band in ("12-13", "14-15", "16-18"):
        builder.button(text=band, callback_data=AgeCb(band=band))
    builder.button(text=_("Skip"), callback_data=AgeCb(band="skip"))
    builder.adjust(3, 1)
    return builder.as_markup()


def ready_text() -> str:
    return _(
        "Now write your question in your own words, in Kazakh, Russian or English. "
        "Or browse the topics: /topics"
    )


def answer_text(entry: Entry, lang: str) -> str:
    # NOTE: the first line is what a phone shows in a notification: keep it neutral.
    intro = _("Here is an answer to your question.")
    sources = "\n".join(f"• {s.title}: {s.url}" for s in entry.sources)
    label = _("Sources:")
    return f"{intro}\n\n{entry.answer[lang]}\n\n{label}\n{sources}"


def answer_keyboard(entry: Entry, lang: str, q: int, kb: KnowledgeBase,
                    audience: str | None, age: int | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("This helped"), callback_data=FeedbackCb(entry=entry.id, q=q,
                                                                     helpful=True))
    builder.button(text=_("Not what I asked"), callback_data=FeedbackCb(entry=entry.id, q=q,
                                                                          helpful=False))
    builder.button(text=_("Ask a consultant"), callback_data=AskCb(q=q))
    related = [kb.entries[r] for r in entry.related if r in kb.entries]
    related = [r for r in related if r.suits(audience, age)][:3]
    for other in related:
        builder.button(text=f"→ {other.title[lang]}", callback_data=TopicCb(id=other.id, q=0))
    builder.adjust(2, 1, *([1] * len(related)))
    return builder.as_markup()


def clarify_text() -> str:
    return _("Did you mean one of these?")


def topics_keyboard(entries: list[Entry], lang: str, q: int,
                    none_button: bool = True) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry in entries:
        builder.button(text=entry.title[lang], callback_data=TopicCb(id=entry.id, q=q))
    if none_button:
        builder.button(text=_("None of these"), callback_data=NoneOfTheseCb(q=q))
    builder.adjust(1)
    return builder.as_markup()


def escalate_text() -> str:
    return _(
        "I don't have a ready answer to this. A consultant (a doctor or a psychologist) can "
        "answer you privately here, usually within {hours} hours. They will see only your "
        "question, never your name or account.\n\nSend your question to a consultant?"
    ).format(hours=CONSULTANT_WAIT_HOURS)


def consent_keyboard(q: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, send it"), callback_data=AskCb(q=q))
    builder.button(text=_("No, thanks"), callback_data=DeclineCb(q=q))
    builder.adjust(2)
    return builder.as_markup()


def ticket_received_text(number: int, urgent: bool) -> str:
    if urgent:
        return _(
            "Your message was received as #{number}, marked urgent. A consultant will write "
            "to you here as soon as possible. If you are in danger right now, please call the "
            "numbers above: they answer day and night."
        ).format(number=number)
    return _(
        "Your question was received as #{number}. A consultant will answer here, usually "
        "within {hours} hours. You will get a message from this bot; nobody will call you or "
        "ask for your name."
    ).format(number=number, hours=CONSULTANT_WAIT_HOURS)


def crisis_keyboard(q: int, entry_id: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Talk to a consultant now"), callback_data=AskCb(q=q))
    builder.button(text=_("My question was about something else"),
                   callback_data=NotCrisisCb(q=q, entry=entry_id))
    builder.adjust(1)
    return builder.as_markup()


def not_crisis_text() -> str:
    return _("Thank you for telling me. Here are topics close to your question:")


def crisis_intro() -> str:
    return _("I'm really glad you wrote. You are not alone, and you deserve help right now.")


def declined_text() -> str:
    return _("All right. You can write another question any time, or browse /topics.")


def thanks_feedback_text() -> str:
    return _("Thank you! I'm glad it helped.")


def categories_text() -> str:
    return _("Choose a topic:")


def categories_keyboard(kb: KnowledgeBase, lang: str, audience: str | None,
                        age: int | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for category in kb.categories:
        if any(kb.entries[e].suits(audience, age) for e in category.entry_ids):
            builder.button(text=category.title[lang], callback_data=CategoryCb(id=category.id))
    builder.adjust(1)
    return builder.as_markup()


def help_text() -> str:
    return _(
        "Write any question in your own words: about your body, periods, feelings, "
        "relationships, safety, or your child's health. I answer from checked medical sources "
        "or pass your question to a consultant, anonymously.\n\n"
        "/topics: browse topics\n"
        "/language: change the language\n"
        "/settings: who you are and your age\n"
        "/privacy: what is stored and who sees it\n"
        "/hide: erase this chat from your phone\n"
        "/forget: delete everything about you\n"
        "/cancel: stop what you were doing"
    )


def privacy_text(retention_days: int) -> str:
    return _(
        "What this bot keeps, and who sees it:\n\n"
        "• You are known only by a code made from your account by a secret key; staff never "
        "see your name, username, phone or account.\n"
        "• Questions you send to a consultant are stored encrypted. Consultants and moderators "
        "see the question text only, never who wrote it.\n"
        "• Closed questions are deleted after {days} days. Questions the bot could not answer "
        "may be kept without any link to you, to improve the answers.\n"
        "• Your language and the answers to \"who are you\" are kept so that you need not "
        "choose them again.\n\n"
        "/hide erases this chat from your phone. /forget deletes everything the bot keeps "
        "about you."
    ).format(days=retention_days)


def forget_confirm_text() -> str:
    return _(
        "Delete everything the bot keeps about you: your settings, your questions and any "
        "answers waiting for you? This cannot be undone."
    )


def forget_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, delete everything"), callback_data=ForgetCb(confirm=True))
    builder.button(text=_("No, keep it"), callback_data=ForgetCb(confirm=False))
    builder.adjust(1)
    return builder.as_markup()


def forgotten_text() -> str:
    return _(
        "Done: everything the bot kept about you has been deleted. To also clear this chat "
        "from your phone, delete it in Telegram. You can start again any time with /start."
    )


def kept_text() -> str:
    return _("Nothing was deleted.")


def hidden_text() -> str:
    return _("Cleared.")


def non_text_reply() -> str:
    return _(
        "Sorry, I can only read text messages. Please type your question in words. "
        "I did not keep what you sent."
    )


def empty_text_reply() -> str:
    return _("I could not find any words in your message. Please type your question in words.")


def unknown_command_reply() -> str:
    return _("I don't know this command. Send /help to see what I can do.")


def expired_button() -> str:
    return _("This button has expired. Please write your question again.")


def cancelled_text() -> str:
    return _("Stopped. You can write a new question any time.")


def error_text() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a minute.")


def commands(lang: str) -> list[tuple[str, str]]:
    """The command menu (set with setMyCommands per language)."""
    return [
        ("start", _("Start and choose a language", locale=lang)),
        ("topics", _("Browse topics", locale=lang)),
        ("help", _("How this bot works", locale=lang)),
        ("language", _("Change the language", locale=lang)),
        ("settings", _("Who you are and your age", locale=lang)),
        ("privacy", _("What is stored and who sees it", locale=lang)),
        ("hide", _("Erase this chat from your phone", locale=lang)),
        ("forget", _("Delete everything about me", locale=lang)),
        ("cancel", _("Stop what I was doing", locale=lang)),
    ]


def small_talk_reply(kind: str | None) -> str:
    """The reply to a message that is only thanks, a goodbye, a greeting or an "ok"."""
    if kind == "thanks":
        return _("You're welcome! I'm here whenever you have a question.")
    if kind == "goodbye":
        return _("Take care! You can write here any time, day or night.")
    if kind == "greeting":
        return _(
            "Hi! Write your question in your own words: I will answer from checked sources or "
            "pass it to a consultant, anonymously."
        )
    return _("All right. Write whenever you have a question, or browse /topics.")


def write_question_text() -> str:
    return _(
        "Write your question in your own words, and I will offer to send it to a consultant "
        "if I cannot answer it myself."
    )


def followup_received_text(number: int) -> str:
    return _("Your follow-up was added to #{number}. The consultant will answer here.").format(
        number=number)


def blocked_text(kb: KnowledgeBase, lang: str) -> str:
    emergency = kb.resources.get("emergency.general", {}).get(lang, "")
    return _("We cannot accept more questions from this chat. If you are in danger, "
             "please call {emergency}.").format(emergency=emergency)
