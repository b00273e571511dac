"""Every spelling of a question folds to the same skeleton."""

from __future__ import annotations

import pytest

from bot.matching.normalize import normalize, truncate_for_matching


@pytest.mark.parametrize(
    ("variants",),
    [
        (["Етеккір келмей жатыр(((", "етеккир келмей жатыр", "etekkir kelmei zhatyr",
          "etekkır kelmeı jatyr", "ЕТЕККІР КЕЛМЕЙ ЖАТЫР!!!"],),
        (["задержка месячных", "zaderzhka mesyachnyh", "ЗАДЕРЖКА  месячных???",
          "задержка месячных 😭😭"],),
        (["қыз", "кыз", "qyz", "kyz"],),
        (["жүктілік", "жуктилик", "juktilik", "zhuktilik", "jüktilik"],),
        (["ёлка", "елка", "yolka"],),
        (["хочу", "hochu", "khochu", "xochu"],),
        (["плиииз", "плиз"],),
    ],
)
def test_spellings_meet(variants: list[str]) -> None:
    skeletons = {normalize(v) for v in variants}
    assert len(skeletons) == 1, skeletons


def test_noise_is_removed() -> None:
    assert normalize("  (((( 123 !!! ))) ") == ""
    assert normalize("sooo much pain 😭😭") == "so much pain"


def test_different_words_stay_different() -> None:
    assert normalize("боль") != normalize("соль")
    assert normalize("қыз") != normalize("қызу")


def test_long_text_is_cut_at_a_word() -> None:
    text = "слово " * 200
    cut = truncate_for_matching(text, 100)
    assert len(cut) <= 100 and cut.endswith("слово")
