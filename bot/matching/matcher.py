"""Rank knowledge-base entries for a question and decide what to do with it.

Three signals are combined:

* **phrasing similarity**: rapidfuzz scores of the question's skeleton against every phrasing,
  title and keyword skeleton of every entry, computed in one `process.cdist` call;
* **stem coverage**: how much of the question's (IDF-weighted) vocabulary the entry knows,
  with light stemming (word beginnings) and fuzzy lookup of misspelt stems;
* **a learned entry model** (`entry_model`): the probability of each entry given the question's
  character n-grams, which knows the words that separate neighbouring entries.

The decision then picks `answer`, `clarify`, `escalate` or `crisis` with thresholds that live in
settings and were chosen from `tests/eval/tune.jsonl`; a message that is only thanks, a
greeting, a goodbye or an "ok" is `smalltalk` (see `smalltalk`), and is not matched at all.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.kb.model import KnowledgeBase
from bot.matching.crisis import CrisisDetector, CrisisHit
from bot.matching.entry_model import EntryClassifier
from bot.matching.language import LanguageDetector
from bot.matching.normalize import normalize, stem, truncate_for_matching
from bot.matching.scope import other_subject
from bot.matching.smalltalk import small_talk
from bot.matching.stopwords import STOPWORDS

Action = str  # "answer" | "clarify" | "escalate" | "crisis" | "smalltalk"
SHORT_QUESTION = 120
_SENTENCE = re.compile(r"[.!?\n]")


def first_sentence(text: str) -> str:
    """The opening of a message up to its first sentence end (at most SHORT_QUESTION chars)."""
    head = _SENTENCE.split(text.strip(), maxsplit=1)[0]
    return truncate_for_matching(head, SHORT_QUESTION)


SCORERS = {
    "ratio": fuzz.ratio,
    "token_sort": fuzz.token_sort_ratio,
    "token_set": fuzz.token_set_ratio,
    "partial_token_sort": fuzz.partial_token_sort_ratio,
    "wratio": fuzz.WRatio,
}
DEFAULT_SCORERS = ("ratio", "token_sort")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds on the combined score (0-100 fuzzy points plus up to MODEL_WEIGHT
    from the entry model). The defaults are the settings' (MATCH_* in .env.example), chosen by
    cross-validation; a test keeps the two equal."""

    answer_score: float = 30.0
    answer_margin: float = 12.0
    offer_score: float = 16.0
    crisis_score: float = 70.0  # a crisis topic this close counts as a crisis
    # A crisis topic this close counts as a crisis when the message has a word that sounds
    # dangerous ("i don't see the point of being alive").
    alarm_score: float = 60.0
    clear_margin: float = 12.0  # a lead this large answers from offer_score up
    offer_window: float = 15.0  # offer topics within this distance of the best one
    max_offers: int = 4


@dataclass(frozen=True, slots=True)
class Scored:
    entry_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    entry_id: str | None
    candidates: tuple[str, ...]
    lang: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action,
            "entry_id": self.entry_id,
            "candidates": list(self.candidates),
            "lang": self.lang,
            "score": round(self.score, 2),
        }


@dataclass(slots=True)
class _Index:
    entry_ids: list[str]
    audiences: np.ndarray
    choices: list[str]
    sorted_choices: list[str]
    owners: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    stem_entries: dict[str, dict[int, float]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    vocab: list[str] = field(default_factory=list)
    unknown_idf: float = 1.0


def _stop_skeletons() -> frozenset[str]:
    words: set[str] = set()
    for text in STOPWORDS.values():
        words.update(normalize(text).split())
    return frozenset(words)


STOP = _stop_skeletons()


def content_words(skeleton: str) -> str:
    """The skeleton without very common words ("how do i", "что", "қалай"), or the whole
    skeleton when nothing else is left."""
    kept = [t for t in skeleton.split() if t not in STOP]
    return " ".join(kept) if kept else skeleton


def _sorted_words(skeleton: str) -> str:
    return " ".join(sorted(skeleton.split()))


def content_stems(text: str, size: int = 5) -> list[str]:
    return [stem(t, size) for t in normalize(text).split() if t not in STOP and len(t) > 1]


# Points the entry model adds for a probability of 1 (the fuzzy signals give 0-100). By 5-fold
# cross-validation over tune.jsonl (8,108 lines), with the answer and clear margins raised
# from 8 to 12 and the alarming-word path from MATCH_OFFER_SCORE to MATCH_ALARM_SCORE
# (`python tests/eval/crossval.py`): 30 -> 60 answered 81.5 -> 83.6 % of in-scope questions
# right, with wrong answers 6.3 -> 6.0 %, out-of-scope answered 43 -> 40 of 915, missed crisis
# lines 56 -> 50 of 2,015 and false alarms 229 -> 232 of 6,093. 40 and 50 lay between; 80
# answered more but wrongly more often.
MODEL_WEIGHT = 60.0


class Matcher:
    """Everything needed to decide on one question; build once per knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: Thresholds | None = None,
        *,
        crisis: CrisisDetector | None = None,
        default_lang: str = "ru",
        weight_fuzzy: float = 0.7,
        scorers: tuple[str, ...] = DEFAULT_SCORERS,
        stem_size: int = 5,
        model_weight: float = MODEL_WEIGHT,
    ) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.crisis = crisis or CrisisDetector()
        self.default_lang = default_lang
        self.weight_fuzzy = weight_fuzzy
        # token_sort_ratio is ratio on sorted words: the choices' words are sorted once at
        # index time instead of on every query.
        self.scorers = tuple(
            (fuzz.ratio, True) if name == "token_sort" else (SCORERS[name], False)
            for name in scorers
        )
        self.stem_size = stem_size
        self.language = LanguageDetector.fit(
            {
                lang: [
                    text
                    for e in kb.entries.values()
                    for text in (*e.questions[lang], e.title[lang], e.answer[lang])
                ]
                for lang in ("kk", "ru", "en")
            }
        )
        self._index = self._build_index()
        # Points added for a probability of 1 (a base too large for the model goes without).
        self.model_weight = model_weight
        self.entry_model = EntryClassifier.for_kb(kb) if model_weight > 0 else None
        self._crisis_entries = np.asarray([e.crisis for e in kb.entries.values()], dtype=bool)
        self._fuzzy_stem = lru_cache(maxsize=50_000)(self._fuzzy_stem_uncached)
        # The crisis check and the ranking ask the entry model about the same skeleton.
        self._entry_probabilities = lru_cache(maxsize=64)(self._entry_probabilities_uncached)

    def _entry_probabilities_uncached(self, skeleton: str) -> np.ndarray:
        assert self.entry_model is not None
        probabilities = self.entry_model.probabilities(skeleton)
        probabilities.flags.writeable = False  # shared through the cache
        return probabilities

    # -- index ------------------------------------------------------------------------------
    def _build_index(self) -> _Index:
        entry_ids = list(self.kb.entries)
        choices: list[str] = []
        owners: list[int] = []
        stem_weights: dict[str, dict[int, float]] = defaultdict(dict)
        for i, entry in enumerate(self.kb.entries.values()):
            texts = entry.matching_texts()
            seen: set[str] = set()
            for text in texts:
                skeleton = content_words(normalize(text))
                if skeleton and skeleton not in seen:
                    seen.add(skeleton)
                    choices.append(skeleton)
                    owners.append(i)
            for text in texts:
                for s in content_stems(text, self.stem_size):
                    stem_weights[s][i] = 1.0
        n = max(len(entry_ids), 1)
        idf = {s: math.log(1 + n / len(ents)) for s, ents in stem_weights.items()}
        owners_arr = np.asarray(owners, dtype=np.int64)
        order = np.argsort(owners_arr, kind="stable")
        sorted_owners = owners_arr[order]
        starts = np.searchsorted(sorted_owners, np.arange(len(entry_ids)))
        audiences = np.asarray([e.audience for e in self.kb.entries.values()])
        return _Index(
            entry_ids=entry_ids,
            audiences=audiences,
            choices=choices,
            sorted_choices=[_sorted_words(c) for c in choices],
            owners=owners_arr,
            order=order,
            starts=starts,
            stem_entries=dict(stem_weights),
            idf=idf,
            vocab=sorted(stem_weights),
            unknown_idf=math.log(1 + n),
        )

    def _fuzzy_stem_uncached(self, s: str) -> tuple[tuple[str, float], ...]:
        if s in self._index.stem_entries:
            return ((s, 1.0),)
        if len(s) < 4:
            return ()
        found = process.extract(
            s, self._index.vocab, scorer=fuzz.ratio, score_cutoff=75, limit=3
        )
        return tuple((match, score / 100.0) for match, score, _ in found)

    # -- scoring ----------------------------------------------------------------------------
    def scores(self, text: str) -> np.ndarray:
        """One combined score per entry, in `kb.entries` order: 0-100 from the fuzzy signals,
        plus up to `model_weight` from the entry model.

        A long message is matched on its start, and separately on its first sentence, so that
        a question followed by a long story is still recognised.
        """
        start = truncate_for_matching(text)
        scores = self._scores(start)
        opening = first_sentence(text)
        if len(start) > SHORT_QUESTION and opening and opening != start:
            scores = np.maximum(scores, self._scores(opening))
        return scores

    def _scores(self, text: str) -> np.ndarray:
        index = self._index
        full = normalize(text)
        query = content_words(full)
        n = len(index.entry_ids)
        if not query or n == 0:
            return np.zeros(n)
        combined = np.zeros(len(index.choices), dtype=np.float32)
        for scorer, on_sorted_words in self.scorers:
            if on_sorted_words:
                combined += process.cdist([_sorted_words(query)], index.sorted_choices,
                                          scorer=scorer, dtype=np.uint8, workers=1)[0]
            else:
                combined += process.cdist([query], index.choices, scorer=scorer,
                                          dtype=np.uint8, workers=1)[0]
        combined /= len(self.scorers)
        per_phrasing = combined[index.order]
        fuzzy = np.maximum.reduceat(per_phrasing, index.starts)

        coverage = np.zeros(n, dtype=np.float32)
        stems = content_stems(full, self.stem_size)
        total = 0.0
        for s in stems:
            matches = self._fuzzy_stem(s)
            weight = max((index.idf[m] for m, _ in matches), default=index.unknown_idf)
            total += weight
            best: dict[int, float] = {}
            for m, sim in matches:
                contribution = index.idf[m] * sim
                for entry, strength in index.stem_entries[m].items():
                    if contribution * strength > best.get(entry, 0.0):
                        best[entry] = contribution * strength
            for entry, value in best.items():
                coverage[entry] += value
        if total > 0:
            coverage = coverage / total * 100.0
        combined_scores = self.weight_fuzzy * fuzzy + (1 - self.weight_fuzzy) * coverage
        if self.entry_model is not None:
            combined_scores += self.model_weight * self._entry_probabilities(full)
        return combined_scores

    def rank(self, text: str, audience: str | None = None, limit: int = 5) -> list[Scored]:
        scores = self.scores(text)
        if audience in ("teen", "parent"):
            other = "parent" if audience == "teen" else "teen"
            scores = scores - 4.0 * (self._index.audiences == other)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [Scored(self._index.entry_ids[i], float(scores[i])) for i in top]

    # -- decision ---------------------------------------------------------------------------
    def detect_language(self, text: str) -> str:
        return self.language.detect(text, default=self.default_lang)

    def crisis_share(self, skeleton: str) -> float:
        """The entry model's total probability on crisis entries for a skeleton (0 without the
        model)."""
        if self.entry_model is None:
            return 0.0
        probabilities = self._entry_probabilities(truncate_for_matching(skeleton))
        return float(probabilities[self._crisis_entries].sum())

    def detect_crisis(self, text: str) -> CrisisHit | None:
        """The crisis detector, with the entry model's view as a second opinion when there is
        one."""
        second = self.crisis_share if self.entry_model is not None else None
        return self.crisis.detect(text, second)

    def decide(
        self, text: str, *, lang: str | None = None, audience: str | None = None
    ) -> Decision:
        lang = lang if lang in ("kk", "ru", "en") else self.detect_language(text)
        if small_talk(text) is not None:
            # Only thanks, a greeting, a goodbye or an "ok": nothing to match or to fear.
            return Decision("smalltalk", None, (), lang, 0.0)
        hit = self.detect_crisis(text)
        if hit is not None and hit.entry_id in self.kb.entries:
            return Decision("crisis", hit.entry_id, (), lang, 100.0)
        ranked = self.rank(text, audience)
        if not ranked:
            return Decision("escalate", None, (), lang, 0.0)
        if other_subject(text):
            # About a pet, a grandparent, a husband or an adult's own illness: not ours to
            # answer from a child or teen topic; a consultant can say where to turn.
            return Decision("escalate", None, (), lang, ranked[0].score)
        t = self.thresholds
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        best_entry = self.kb.entries[best.entry_id]
        if best_entry.crisis and (
            best.score >= t.crisis_score
            or (best.score >= t.alarm_score and self.crisis.alarming(text))
        ):
            # Closest to a crisis topic, and either very close or with a word that sounds
            # dangerous ("i don't see the point of being alive"): a crisis, not a menu.
            return Decision("crisis", best.entry_id, (), lang, best.score)
        lead = best.score - runner_up
        if (best.score >= t.answer_score and lead >= t.answer_margin) or (
            best.score >= t.offer_score and lead >= t.clear_margin
        ):
            # Confidently about a crisis topic: show it as one (helplines first).
            action = "crisis" if best_entry.crisis else "answer"
            return Decision(action, best.entry_id, (), lang, best.score)
        if best.score >= t.offer_score:
            floor = max(t.offer_score, best.score - t.offer_window)
            offers = tuple(s.entry_id for s in ranked[: t.max_offers] if s.score >= floor)
            if len(offers) == 1:
                offers = tuple(s.entry_id for s in ranked[:2])
            return Decision("clarify", None, offers, lang, best.score)
        return Decision("escalate", None, (), lang, best.score)


def decide_many(
    matcher: Matcher, items: Iterable[dict[str, object]]
) -> Iterable[dict[str, object]]:
    for item in items:
        lang = item.get("lang")
        audience = item.get("audience")
        decision = matcher.decide(
            str(item.get("text", "")),
            lang=str(lang) if lang in ("kk", "ru", "en") else None,
            audience=str(audience) if audience in ("teen", "parent") else None,
        )
        yield {"id": item.get("id"), **decision.to_json()}
