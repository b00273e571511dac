"""The crisis detector: high recall across languages and scripts, quiet on ordinary questions."""

from __future__ import annotations

import pytest

from bot.matching.crisis import CrisisDetector

DETECTOR = CrisisDetector()


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("не хочу больше жить", "mental.suicidal_thoughts"),
        ("ne hochu zhit", "mental.suicidal_thoughts"),
        ("өмір сүргім келмейді", "mental.suicidal_thoughts"),
        ("omir surgim kelmeidi", "mental.suicidal_thoughts"),
        ("i wanna die tbh", "mental.suicidal_thoughts"),
        ("я режу руки", "mental.self_harm"),
        ("i cut myself again", "mental.self_harm"),
        ("қолымды кесемін", "mental.self_harm"),
        ("отчим бьет меня", "safety.violence_home"),
        ("әкем мені ұрады", "safety.violence_home"),
        ("меня изнасиловали", "safety.sexual_abuse"),
        ("he touched me and i didnt want", "safety.sexual_abuse"),
        ("меня хотят выдать замуж после 9 класса", "safety.early_forced_marriage"),
        ("мені күштеп тұрмысқа бергісі келеді", "safety.early_forced_marriage"),
        ("дядя трогает мою дочь", "parenting.suspect_abuse"),
        ("i think someone touches my daughter", "parenting.suspect_abuse"),
    ],
)
def test_crisis_is_found(text: str, entry: str) -> None:
    hit = DETECTOR.detect(text)
    assert hit is not None and hit.entry_id == entry


@pytest.mark.parametrize(
    "text",
    [
        "болит живот при месячных", "my period is late", "етеккір кешікті",
        "как перестать бояться экзаменов", "прыщи на лице", "baby has a fever",
        "хочу похудеть к лету", "can i swim on my period", "балам тамақ жемейді",
    ],
)
def test_ordinary_questions_are_not_crises(text: str) -> None:
    assert DETECTOR.detect(text) is None


def test_a_parent_about_her_child_gets_the_parent_topic_about_herself_not() -> None:
    hit = DETECTOR.detect("мою дочь изнасиловали")
    assert hit is not None and hit.entry_id == "parenting.suspect_abuse"
    hit = DETECTOR.detect("меня изнасиловали")
    assert hit is not None and hit.entry_id == "safety.sexual_abuse"
