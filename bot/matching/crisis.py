"""High-recall crisis detection that runs before any matching.

Phrases (see `crisis_phrases`) are sequences of word beginnings matched on the skeleton of a
message, with up to two words between neighbours. A few marks refine a word:

* ``a/b/c``: alternatives for one word;
* ``word=``: the whole word, not a beginning (``ulym=`` is "my son", not "my son's");
* ``...`` between two words: up to six words may stand between them.

Before matching, idioms that only look alarming ("period pain is killing me", "умираю от
скуки") are blanked out, and so is a small child hitting its parent. Co-occurrence rules catch
what needs two signals anywhere in the message (pregnant + bleeding or fainting).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.matching.crisis_phrases import (
    CHILD_AGGRESSOR,
    CO_OCCURRENCE,
    CRISIS_PHRASES,
    IDIOMS,
    PARENT_TOPICS,
)
from bot.matching.normalize import fold_words, normalize

PARENT_TOPIC = "parenting.suspect_abuse"
_GAP = r"(?: [a-z]+){0,2}"
_LONG_GAP = r"(?: [a-z]+){0,6}"
_BLANK = " | "


@dataclass(frozen=True, slots=True)
class CrisisHit:
    entry_id: str
    lang: str
    phrase: str


def _fold(option: str) -> str:
    # Latin words go through the same slang table as messages ("mom" -> "mother"); Cyrillic
    # word beginnings are only folded ("ұр" must not become "ur" -> "your").
    option = option.rstrip("=")
    return normalize(option) if option.isascii() else " ".join(fold_words(option))


def _word(token: str) -> str:
    exact = token.endswith("=")
    options = sorted({_fold(opt) for opt in token.split("/") if _fold(opt)}, key=len)
    # Multi-word alternatives after normalising ("бала" + "ға") are rare; keep each as one.
    body = "(?:" + "|".join(re.escape(opt) for opt in options) + ")"
    return body + (r"(?= |$)" if exact else "[a-z]*")


def _body(phrase: str) -> str:
    """The regex of one phrase, without its leading word boundary."""
    out: list[str] = []
    gap = _GAP
    for token in phrase.split():
        if token == "...":
            gap = _LONG_GAP
            continue
        if not any(_fold(opt) for opt in token.split("/")):
            continue
        out.append((gap + " " if out else "") + _word(token))
        gap = _GAP
    return "".join(out)


def _compile(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?:^| )" + _body(phrase))


def _compile_any(phrases: Iterable[str]) -> re.Pattern[str] | None:
    bodies = [b for b in (_body(p) for p in phrases) if b]
    if not bodies:
        return None
    return re.compile(r"(?:^| )(?:" + "|".join(bodies) + ")")


@dataclass(frozen=True, slots=True)
class _Topic:
    entry_id: str
    any_phrase: re.Pattern[str]
    phrases: tuple[tuple[str, str, re.Pattern[str]], ...]  # (lang, phrase, pattern)

    def find(self, skeleton: str) -> tuple[str, str] | None:
        if not self.any_phrase.search(skeleton):
            return None
        for lang, phrase, pattern in self.phrases:
            if pattern.search(skeleton):
                return lang, phrase
        return None  # pragma: no cover - the combined pattern is the union of these


def _topics(phrases: Mapping[str, Mapping[str, tuple[str, ...]]]) -> list[_Topic]:
    topics = []
    for entry_id, by_lang in phrases.items():
        items = [(lang, p) for lang, ps in by_lang.items() for p in ps]
        combined = _compile_any(p for _, p in items)
        if combined is not None:
            topics.append(_Topic(entry_id, combined,
                                 tuple((lang, p, _compile(p)) for lang, p in items)))
    return topics


class CrisisDetector:
    def __init__(
        self,
        phrases: Mapping[str, Mapping[str, tuple[str, ...]]] = CRISIS_PHRASES,
        co_occurrence: Mapping[str, tuple[tuple[str, ...], ...]] = CO_OCCURRENCE,
    ) -> None:
        self._topics = _topics(phrases)
        self._co = [
            (entry_id, " + ".join(g[0] for g in groups if g),
             [_compile_any(group) for group in groups])
            for entry_id, groups in co_occurrence.items()
        ]
        self._idioms = _compile_any(IDIOMS)
        self._child_aggressor = _compile_any(CHILD_AGGRESSOR)
        self._parent = {
            entry_id: (switch, _compile_any(markers))
            for entry_id, (switch, markers) in PARENT_TOPICS.items()
        }

    def skeleton(self, text: str) -> str:
        """The message's skeleton with harmless idioms blanked out."""
        skeleton = normalize(text)
        if skeleton and self._idioms is not None:
            skeleton = self._idioms.sub(_BLANK, skeleton)
        return skeleton

    def detect(self, text: str) -> CrisisHit | None:
        skeleton = self.skeleton(text)
        if not skeleton:
            return None
        for topic in self._topics:
            found = topic.find(skeleton)
            if found is None:
                continue
            if topic.entry_id == "safety.violence_home" and self._child_aggressor is not None:
                # "My toddler hits me": a parenting question, unless something else is wrong.
                found = topic.find(self._child_aggressor.sub(_BLANK, skeleton))
                if found is None:
                    continue
            return CrisisHit(self._for_parent(topic.entry_id, skeleton), *found)
        for entry_id, name, groups in self._co:
            if groups and all(g is not None and g.search(skeleton) for g in groups):
                return CrisisHit(self._for_parent(entry_id, skeleton), "any", name)
        return None

    def _for_parent(self, entry_id: str, skeleton: str) -> str:
        # A parent writing about her child; not about herself (she may be the victim).
        switch, markers = self._parent.get(entry_id, (entry_id, None))
        return switch if markers is not None and markers.search(skeleton) else entry_id
