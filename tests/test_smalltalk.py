"""Thanks, greetings, goodbyes and "ok" are recognised in every language and script, and
nothing that says more is."""

from __future__ import annotations

import pytest

from bot.matching.smalltalk import small_talk


@pytest.mark.parametrize(("text", "kind"), [
    ("рахмет!", "thanks"), ("rahmet", "thanks"), ("көп рахмет сізге", "thanks"),
    ("спасибо большое!!", "thanks"), ("spasibo", "thanks"), ("спс", "thanks"),
    ("thank you so much 😊", "thanks"), ("thx", "thanks"), ("ok thx", "thanks"),
    ("рахмет, сау бол, жаксы тун", "thanks"), ("thanks, bye", "thanks"),
    ("сау бол", "goodbye"), ("пока)))", "goodbye"), ("спокойной ночи", "goodbye"),
    ("good night", "goodbye"), ("жақсы түн", "goodbye"),
    ("сәлем", "greeting"), ("салеметсиз бе", "greeting"), ("Sálemetsiz be!", "greeting"),
    ("привет)", "greeting"), ("privet", "greeting"), ("Здравствуйте!", "greeting"),
    ("hiii", "greeting"), ("hello there", "greeting"), ("hey", "greeting"),
    ("жарайды", "ok"), ("понятно", "ok"), ("okay", "ok"), ("ок, ясно", "ok"),
])
def test_small_talk_is_recognised(text: str, kind: str) -> None:
    assert small_talk(text) == kind


@pytest.mark.parametrize("text", [
    "спасибо, а можно ещё вопрос про месячные", "привет, у меня задержка",
    "hi, is this anonymous?", "сәлем, етеккірім келмей жатыр", "Здравствуйте, у меня вопрос",
    # a goodbye that may close a farewell note is never brushed off as small talk
    "bye everyone, i can't do this anymore", "прощайте", "қош болыңдар", "всем пока навсегда",
    "спасибо за всё, больше не напишу",
    # nonsense and empty messages are not small talk either
    "asdfgh", "", "😊😊", "да",
])
def test_anything_more_is_not_small_talk(text: str) -> None:
    assert small_talk(text) is None
