"""High-recall crisis detection that runs before any matching.

Phrases (see `crisis_phrases`) are sequences of word beginnings matched on the skeleton of a
message, with up to two words between neighbours. A few marks refine a word:

* ``a/b/c``: alternatives for one word;
* ``word=``: the whole word, not a beginning (``ulym=`` is "my son", not "my son's");
* ``...`` between two words: up to six words may stand between them.

Before the phrases are matched, idioms that only look alarming ("period pain is killing me",
"умираю от скуки") are blanked out, and so is a small child hitting its parent. Co-occurrence
rules catch what needs two signals anywhere in the message (pregnant + bleeding or fainting).

A learned second signal (`crisis_model.CrisisClassifier`, trained at start-up from the
knowledge base and curated examples) catches veiled wording no phrase covers: a message is a
crisis when a phrase fires OR the classifier is confident. `CrisisDetector.for_kb` builds both.
The matcher adds a third opinion, its entry model's probability for crisis topics, which is
combined with the classifier's in a harmonic mean (`joint_probability`, `Matcher.detect_crisis`).
The models read the whole message, idioms included: they have learned from ordinary questions
that use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.matching.crisis_model import (
    DEFAULT_JOINT_THRESHOLD,
    DEFAULT_THRESHOLD,
    CrisisClassifier,
)
from bot.matching.crisis_phrases import (
    CHILD_AGGRESSOR,
    CO_OCCURRENCE,
    CRISIS_PHRASES,
    DANGER_WORDS,
    IDIOMS,
    PARENT_TOPICS,
)
from bot.matching.normalize import fold_words, normalize

if TYPE_CHECKING:
    from bot.kb.model import KnowledgeBase

PARENT_TOPIC = "parenting.suspect_abuse"
_GAP = r"(?: [a-z]+){0,2}"
_LONG_GAP = r"(?: [a-z]+){0,6}"


@dataclass(frozen=True, slots=True)
class CrisisHit:
    entry_id: str
    lang: str
    phrase: str


MIN_ORDINARY_ENTRIES = 30  # below this, the classifier is not trained (see for_kb)


def _fold(option: str) -> str:
    # Latin words go through the same slang table as messages ("mom" -> "mother"); Cyrillic
    # word beginnings are only folded ("ұр" must not become "ur" -> "your").
    option = option.rstrip("=")
    return normalize(option) if option.isascii() else " ".join(fold_words(option))


# Word beginnings that are whole words in their own right: as beginnings they would also
# match "diet", "сабақ" ("с"), "у" + anything.
_ALWAYS_WHOLE = frozenset({"die"})


def _options(token: str) -> tuple[list[str], list[str]]:
    """(beginnings, whole words) of one token. The normaliser folds the Latin digraph "ts" into
    "c", so an English "wants", "cuts", "hurts" becomes "wanc", "cuc", "hurc": a Latin
    beginning ending in "t" also stands for that folded whole word ("want" matches "wants")."""
    exact = token.endswith("=")  # "a/b=": both whole words; "a=/b": only "a"
    marked = {_fold(opt) for opt in token.split("/") if opt.endswith("=")}
    options = sorted({_fold(opt) for opt in token.split("/") if _fold(opt)}, key=len)
    whole = [o for o in options if exact or o in marked or len(o) == 1 or o in _ALWAYS_WHOLE]
    rest = [o for o in options if o not in whole]
    latin = {_fold(opt) for opt in token.split("/") if opt.rstrip("=").isascii()}
    folded_ts = [
        o[:-1] + "c" for o in options
        if o in latin and len(o) >= 3 and o.endswith("t") and " " not in o
    ]
    whole += [o for o in folded_ts if o not in options]
    return rest, whole


def _word(token: str) -> str:
    # One letter ("с", "у", "i") or a whole word: never a beginning of something longer.
    # Multi-word alternatives after normalising ("бала" + "ға") are rare; keep each as one.
    rest, whole = _options(token)
    parts = [re.escape(o) + r"(?= |$)" for o in sorted(whole, key=len)]
    parts += [re.escape(o) + "[a-z]*" for o in rest]
    return "(?:" + "|".join(parts) + ")"


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


def _first_options(phrase: str) -> tuple[str, ...]:
    for token in phrase.split():
        if token == "...":
            continue
        rest, whole = _options(token)
        if rest or whole:
            return tuple(rest + whole)
    return ()


class PhraseSet:
    """Phrases looked up by word: a phrase is only tried (anchored) where a word of the
    message begins with one of its first word's options, so a long message costs a few
    dictionary look-ups per word rather than every pattern at every position."""

    KEY = 2  # letters of a first word used to index it

    def __init__(self, items: Iterable[tuple[str, str, str]]) -> None:
        # items: (topic, lang, phrase); topics keep their order (earlier ones win).
        self.topics: list[str] = []
        self._index: dict[str, list[tuple[int, tuple[str, ...], str, str, re.Pattern[str]]]] = {}
        for topic, lang, phrase in items:
            body = _body(phrase)
            options = _first_options(phrase)
            if not body or not options:
                continue
            if topic not in self.topics:
                self.topics.append(topic)
            rank = self.topics.index(topic)
            pattern = re.compile(body)
            for key in {o[: self.KEY] for o in options}:
                self._index.setdefault(key, []).append((rank, options, lang, phrase, pattern))

    def find(self, skeleton: str) -> tuple[str, str, str] | None:
        """The first topic (in order) with a phrase in the skeleton: (topic, lang, phrase)."""
        best: tuple[int, str, str] | None = None
        pos = 0
        for word in skeleton.split(" "):
            for key in {word[: self.KEY], word[:1]}:
                for rank, options, lang, phrase, pattern in self._index.get(key, ()):
                    if best is not None and rank >= best[0]:
                        continue
                    if word.startswith(options) and pattern.match(skeleton, pos):
                        best = (rank, lang, phrase)
            pos += len(word) + 1
        return None if best is None else (self.topics[best[0]], best[1], best[2])

    def blank(self, skeleton: str) -> str:
        """The skeleton with every phrase's span replaced by a separator no gap can cross."""
        spans: list[tuple[int, int]] = []
        pos = 0
        for word in skeleton.split(" "):
            for key in {word[: self.KEY], word[:1]}:
                for _, options, _, _, pattern in self._index.get(key, ()):
                    if word.startswith(options):
                        m = pattern.match(skeleton, pos)
                        if m:
                            spans.append((m.start(), m.end()))
            pos += len(word) + 1
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in reversed(merged):
            skeleton = skeleton[:a] + "|" + skeleton[b:]
        return skeleton


def joint_probability(classifier: float, entry_model: float) -> float:
    """The two models' harmonic mean: high only when both lean towards a crisis, so one
    model's confident mistake on an alarming-sounding ordinary question weighs less than in an
    arithmetic mean (see `crisis_model.DEFAULT_JOINT_THRESHOLD` for what that buys)."""
    total = classifier + entry_model
    return 2 * classifier * entry_model / total if total > 0 else 0.0


class CrisisDetector:
    def __init__(
        self,
        phrases: Mapping[str, Mapping[str, tuple[str, ...]]] = CRISIS_PHRASES,
        co_occurrence: Mapping[str, tuple[tuple[str, ...], ...]] = CO_OCCURRENCE,
        classifier: CrisisClassifier | None = None,
        joint_threshold: float = DEFAULT_JOINT_THRESHOLD,
    ) -> None:
        self.classifier = classifier
        self.joint_threshold = joint_threshold
        self._phrases = PhraseSet(
            (entry_id, lang, phrase)
            for entry_id, by_lang in phrases.items()
            for lang, items in by_lang.items()
            for phrase in items
        )
        self._co = [
            (entry_id, " + ".join(g[0] for g in groups if g),
             [PhraseSet(("", "", p) for p in group) for group in groups])
            for entry_id, groups in co_occurrence.items()
        ]
        self._idioms = PhraseSet(("", "", p) for p in IDIOMS)
        self._danger = PhraseSet(("", "", p) for p in DANGER_WORDS)
        self._child_aggressor = PhraseSet(("", "", p) for p in CHILD_AGGRESSOR)
        self._parent = {
            entry_id: (switch, PhraseSet(("", "", p) for p in markers))
            for entry_id, (switch, markers) in PARENT_TOPICS.items()
        }

    @classmethod
    def for_kb(
        cls,
        kb: KnowledgeBase,
        threshold: float = DEFAULT_THRESHOLD,
        joint_threshold: float = DEFAULT_JOINT_THRESHOLD,
    ) -> CrisisDetector:
        """Phrase lists plus a classifier trained on this knowledge base. A base with only a
        few ordinary entries cannot teach it what an ordinary question looks like (it would
        raise false alarms), so such a base gets the phrase lists alone."""
        ordinary = sum(1 for entry in kb.entries.values() if not entry.crisis)
        if ordinary < MIN_ORDINARY_ENTRIES:
            return cls()
        return cls(classifier=CrisisClassifier.from_kb(kb, threshold),
                   joint_threshold=joint_threshold)

    def skeleton(self, text: str) -> str:
        """The message's skeleton with harmless idioms blanked out."""
        return self._without_idioms(normalize(text))

    def _without_idioms(self, whole: str) -> str:
        return self._idioms.blank(whole) if whole else whole

    def detect(
        self, text: str, second_opinion: Callable[[str], float] | None = None
    ) -> CrisisHit | None:
        """The crisis in a message, or None. `second_opinion` (skeleton -> crisis probability,
        from the matcher's entry model) is averaged with the classifier's probability, and the
        mean compared with `joint_threshold`; without it the classifier decides alone."""
        whole = normalize(text)
        skeleton = self._without_idioms(whole)
        if not skeleton:
            return None
        found = self._phrases.find(skeleton)
        if found is not None and found[0] == "safety.violence_home":
            # "My toddler hits me": a parenting question, unless something else is wrong.
            found = self._phrases.find(self._child_aggressor.blank(skeleton))
        if found is not None:
            entry_id, lang, phrase = found
            return CrisisHit(self._for_parent(entry_id, skeleton), lang, phrase)
        for entry_id, name, groups in self._co:
            if groups and all(g.find(skeleton) is not None for g in groups):
                return CrisisHit(self._for_parent(entry_id, skeleton), "any", name)
        if self.classifier is not None:
            # The models judge the whole message: an idiom is context they have learned from.
            entry_id, probability = self.classifier.predict_proba(whole)
            threshold = self.classifier.threshold
            name = "classifier"
            if second_opinion is not None:
                # Two views of one message: this classifier's, and the share of crisis topics
                # in the entry model's opinion (see CrisisDetector.joint_threshold).
                probability = joint_probability(probability, second_opinion(whole))
                threshold = self.joint_threshold
                name = "classifier + entry model"
            if entry_id is not None and probability >= threshold:
                return CrisisHit(
                    self._for_parent(entry_id, skeleton), "any", f"{name} {probability:.2f}"
                )
        return None

    def alarming(self, text: str) -> bool:
        """True when the message has a word that sounds dangerous (idioms do not count)."""
        skeleton = self._child_aggressor.blank(self.skeleton(text))
        return bool(skeleton) and self._danger.find(skeleton) is not None

    def _for_parent(self, entry_id: str, skeleton: str) -> str:
        # A parent writing about her child; not about herself (she may be the victim).
        switch, markers = self._parent.get(entry_id, (entry_id, None))
        return switch if markers is not None and markers.find(skeleton) else entry_id
