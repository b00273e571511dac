"""Questions about someone or something the service does not cover are not answered from a
nearby topic; questions about a child or a pregnancy that merely mention an adult still are."""

from __future__ import annotations

import pytest

from bot.matching.scope import other_subject


@pytest.mark.parametrize("text", [
    "муж храпит по ночам, что делать",
    "my husband snores every night",
    "әжемнің қан қысымы 180, не істейміз",
    "у бабушки болит колено",
    "I'm 35 and have back pain",
    "разбился экран телефона, где дешево поменять",
    "my phone screen cracked can it be fixed",
    "how do i get a visa",
    # Kazakh words that begin like "daughter" or "son" do not make it about a child:
    # "қызуы" (a fever), "сынақ" (an exam)
    "Күйеуімнің қызуы 38, жөтеледі. Антибиотик ішсе бола ма?",
    "күйеуім ертең сынақ тапсырады, қатты уайымдайды, не ішкізсем болады",
    "мой дядя болеет, что ему можно есть",
])
def test_not_ours(text: str) -> None:
    assert other_subject(text)


@pytest.mark.parametrize("text", [
    "Родила месяц назад, постоянно плачу. Муж говорит, что я просто устала",
    "свекровь говорит малыша надо класть спать на живот, это правда?",
    "I'm 28 weeks pregnant and my feet are swollen",
    "мне 14, месячные не пришли",
    "my daughter is 12, grandma says she is too young for a bra",
])
def test_ours_although_an_adult_is_mentioned(text: str) -> None:
    assert not other_subject(text)
