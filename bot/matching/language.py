"""Which of kk / ru / en a short, messy message is written in.

Strong signals first: Kazakh-only letters (Cyrillic ә ғ қ ң ө ұ ү һ і or the 2021 Latin ä ğ q
ñ ö ū ü ı ş ç) mean Kazakh; Cyrillic without them is Kazakh or Russian, never English. The
rest is decided by a character n-gram naive Bayes model over the normalised skeleton, trained on
the knowledge base's own texts (and their Latin transliterations), so Kazakh written without its
special letters or in chat Latin is still recognised.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.matching.normalize import KAZAKH_LETTERS, normalize

LANGS = ("kk", "ru", "en")
KAZAKH_LATIN_LETTERS = frozenset("äğqñöūüış")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_LATIN = re.compile(r"[a-zäğqñöūüışç]", re.IGNORECASE)
NGRAM_SIZES = (1, 2, 3, 4)
MAX_WORDS = 40  # a long message's language is plain from its first words
FUNCTION_WORD_BONUS = 6.0  # nats per distinctive function word ("the", "что", "қалай")
# Characters per language a profile is fitted on: the shipped base has about 150,000; a base a
# hundred times larger spent minutes counting n-grams that change nothing.
MAX_FIT_CHARS = 1_000_000


def _ngrams(skeleton: str) -> Iterable[str]:
    for word in skeleton.split():
        padded = f" {word} "
        for n in NGRAM_SIZES:
            for i in range(len(padded) - n + 1):
                yield padded[i : i + n]


@dataclass(slots=True)
class LanguageDetector:
    function_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # log P(gram | lang) with add-one smoothing, and the value for a gram never seen.
    log_probs: dict[str, dict[str, float]] = field(default_factory=dict)
    log_unseen: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(cls, samples: Mapping[str, Iterable[str]]) -> LanguageDetector:
        detector = cls()
        detector.function_words = _distinct_function_words()
        counts: dict[str, Counter[str]] = {}
        for lang in LANGS:
            counts[lang] = Counter()
            seen = 0
            for text in samples.get(lang, ()):
                skeleton = normalize(text)
                counts[lang].update(_ngrams(skeleton))
                seen += len(skeleton)
                if seen >= MAX_FIT_CHARS:
                    break
        vocabulary = max(len(set().union(*counts.values())), 1)
        for lang, counter in counts.items():
            denom = sum(counter.values()) + vocabulary
            detector.log_probs[lang] = {g: math.log((c + 1) / denom) for g, c in counter.items()}
            detector.log_unseen[lang] = math.log(1 / denom)
        return detector

    def scores(self, text: str, candidates: Iterable[str] = LANGS) -> dict[str, float]:
        words = normalize(text).split()[:MAX_WORDS]
        grams = list(_ngrams(" ".join(words)))
        result: dict[str, float] = {}
        for lang in candidates:
            log_probs = self.log_probs.get(lang, {})
            unseen = self.log_unseen.get(lang, 0.0)
            result[lang] = sum(log_probs.get(g, unseen) for g in grams)
            hits = sum(w in self.function_words.get(lang, ()) for w in words)
            result[lang] += FUNCTION_WORD_BONUS * hits
        return result

    def detect(self, text: str, default: str = "ru") -> str:
        lowered = text.casefold()
        if any(ch in KAZAKH_LETTERS for ch in lowered):
            return "kk"
        has_cyrillic = bool(_CYRILLIC.search(lowered))
        has_latin = bool(_LATIN.search(lowered))
        if not has_cyrillic and not has_latin:
            return default
        if has_latin and not has_cyrillic and any(ch in KAZAKH_LATIN_LETTERS for ch in lowered):
            return "kk"
        candidates: tuple[str, ...] = LANGS
        if has_cyrillic and (not has_latin or _mostly_cyrillic(lowered)):
            candidates = ("kk", "ru")
        scores = self.scores(text, candidates)
        if not scores or all(v == 0 for v in scores.values()):
            return default
        return max(scores, key=lambda lang: scores[lang])


def _distinct_function_words() -> dict[str, frozenset[str]]:
    """Very common words of each language that no other language shares (after folding)."""
    from bot.matching.stopwords import STOPWORDS

    folded = {lang: set(normalize(words).split()) for lang, words in STOPWORDS.items()}
    return {
        lang: frozenset(w for w in words if len(w) > 1 and not any(
            w in other for o, other in folded.items() if o != lang))
        for lang, words in folded.items()
    }


def _mostly_cyrillic(text: str) -> bool:
    return len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text))
