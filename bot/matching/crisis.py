"""High-recall crisis detection that runs before any matching."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.matching.crisis_phrases import CRISIS_PHRASES, PARENT_MARKERS
from bot.matching.normalize import normalize

PARENT_TOPIC = "parenting.suspect_abuse"
_PARENT_SWITCH = ("safety.sexual_abuse", "safety.violence_home")
_GAP = r"(?: [a-z]+){0,2}"


@dataclass(frozen=True, slots=True)
class CrisisHit:
    entry_id: str
    lang: str
    phrase: str


def _compile(phrase: str) -> re.Pattern[str]:
    words = []
    for word in phrase.split():
        options = sorted({normalize(opt) for opt in word.split("/") if normalize(opt)}, key=len)
        # Multi-word alternatives after normalising ("бала" + "ға") are rare; keep each as one.
        words.append("(?:" + "|".join(re.escape(opt) for opt in options) + r")[a-z]*")
    return re.compile(r"(?:^| )" + _GAP.join(" " + w if i else w for i, w in enumerate(words)))


def _compile_all(
    phrases: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> list[tuple[str, str, str, re.Pattern[str]]]:
    compiled = []
    for entry_id, by_lang in phrases.items():
        for lang, items in by_lang.items():
            for phrase in items:
                compiled.append((entry_id, lang, phrase, _compile(phrase)))
    return compiled


class CrisisDetector:
    def __init__(
        self, phrases: Mapping[str, Mapping[str, tuple[str, ...]]] = CRISIS_PHRASES
    ) -> None:
        self._patterns = _compile_all(phrases)
        self._parent = [_compile(marker) for marker in PARENT_MARKERS]

    def detect(self, text: str) -> CrisisHit | None:
        skeleton = normalize(text)
        if not skeleton:
            return None
        for entry_id, lang, phrase, pattern in self._patterns:
            if pattern.search(skeleton):
                # A parent writing about her child; not about herself (she may be the victim).
                if entry_id in _PARENT_SWITCH and any(p.search(skeleton) for p in self._parent):
                    entry_id = PARENT_TOPIC
                return CrisisHit(entry_id, lang, phrase)
        return None
