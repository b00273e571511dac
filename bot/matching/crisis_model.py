"""A learned second signal for crisis detection, in pure numpy.

The phrase lists in `crisis_phrases` catch plain crisis wording; veiled wording they have not
seen ("устала быть обузой", "I just want it all to stop", "he makes me do things") needs
something that generalises. This is a logistic regression over character n-grams (3-5 letters,
across word boundaries) and whole words of a message's skeleton, trained at start-up:

* positives: phrasings, keywords and user-style examples of entries marked ``crisis: true``,
  plus the curated examples in `crisis_examples` (veiled self-harm, suicidal thoughts, abuse,
  rape, forced marriage and bride kidnapping, sextortion, pregnancy emergencies);
* negatives: phrasings and keywords of every other entry, the user-style questions in
  `knowledge_base/examples/` (written as teens and mothers write), plus ordinary questions that
  only sound alarming.

Which crisis entry a message belongs to is the nearest crisis centroid (cosine over the same
features). A long message is also scored window by window, so a crisis sentence at the end of
a long ordinary story is not diluted away.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.kb.model import KnowledgeBase
from bot.matching.adam import Adam
from bot.matching.crisis_examples import CRISIS_EXAMPLES, ORDINARY_EXAMPLES
from bot.matching.normalize import normalize

# Knowledge-base entries whose phrasings are neither positives nor negatives: half of them are
# urgent (sextortion), half ordinary ("a stranger online wants to meet"); the curated examples
# teach the urgent half.
MIXED_ENTRIES = frozenset({"safety.online_strangers"})
# Probability above which the classifier alone calls a message a crisis (setting
# MATCH_CRISIS_MODEL). Chosen by 5-fold cross-validation over the user-style examples (the
# left-out fold never trains it): with them as training data, 0.8 shows helplines for 1.15 % of
# unseen ordinary questions (1.89 % without them, at the former 0.85) and finds 100/99.4/100 %
# (kk/ru/en) of tune's 565 crisis lines, as before; 0.7 gave 1.62 %. 0.95 was tried and missed
# three more held-out crisis lines.
DEFAULT_THRESHOLD = 0.8
# With a knowledge base large enough for the matcher's entry model, the classifier's probability
# is combined with the share of crisis entries in the entry model's probabilities, and a message
# is a crisis from this joint probability up (setting MATCH_CRISIS_JOINT). The two models err on
# different messages: by 5-fold cross-validation over tune.jsonl, at 1 % false alarms the
# classifier alone finds 58.9 % of crisis lines, the entry model's share 73.2 %, their mean
# 76.9 %. Until session 6 the joint probability was the arithmetic mean, at 0.5. It is now the
# harmonic mean (`crisis.joint_probability`), which needs both models to lean towards a crisis:
# cross-validated over tune (8,826 lines: 2,138 crisis, 6,603 ordinary), the arithmetic mean
# missed 39 crisis lines with 294 false alarms (at 0.44), 48 with 269 (0.46), 56 with 239 (0.5);
# the harmonic mean misses 36 with 276 (0.36), 42 with 246 (0.40), 50 with 238 (0.42), 56 with
# 231 (0.44). At 0.40 it finds 14 more crisis lines than the old setting for 7 more false alarms.
# With the t5 set in tune (9,626 lines: 2,285 crisis, 7,251 ordinary), 0.40 misses 49 and raises
# 251 false alarms.
DEFAULT_JOINT_THRESHOLD = 0.4
WINDOW = 16  # words per window of a long message
STRIDE = 8
MAX_WORDS = 80  # a long message is judged on its first words (as the matcher does)


SIZES = (3, 4, 5)


def ngrams(skeleton: str) -> set[str]:
    """Character 3-5 grams of the padded skeleton, and its whole words."""
    padded = f" {skeleton} "
    grams = {padded[i : i + n] for n in SIZES for i in range(len(padded) - n + 1)}
    grams.update("#" + w for w in skeleton.split())
    return grams


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str | None  # a crisis entry id, or None for an ordinary message


def kb_examples(kb: KnowledgeBase) -> list[Example]:
    """The base's phrasings, keywords and user-style examples, labelled by their entry's
    crisis flag."""
    out: list[Example] = []
    for entry in kb.entries.values():
        if entry.id in MIXED_ENTRIES:
            continue
        label = entry.id if entry.crisis else None
        for lang in ("kk", "ru", "en"):
            for text in (*entry.questions.get(lang, ()), *entry.keywords.get(lang, ())):
                out.append(Example(text, label))
        out.extend(Example(text, label) for text in kb.examples.get(entry.id, ()))
    out.extend(Example(text, None) for text in kb.out_of_scope)
    return out


def curated_examples() -> list[Example]:
    out = [Example(t, label) for label, texts in CRISIS_EXAMPLES.items() for t in texts]
    out += [Example(t, None) for t in ORDINARY_EXAMPLES]
    return out


class CrisisClassifier:
    """Crisis probability and nearest crisis entry for a skeleton."""

    def __init__(
        self,
        vocab: dict[str, int],
        weights: np.ndarray,
        bias: float,
        labels: Sequence[str],
        centroids: np.ndarray,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.vocab = vocab
        self.weights = weights
        self.bias = bias
        self.labels = tuple(labels)
        self.centroids = centroids  # (features, labels), columns L2-normalised
        self.threshold = threshold
        # Only features with a weight, for a quick sum at prediction time.
        self._weight = {g: float(weights[i]) for g, i in vocab.items() if weights[i] != 0.0}

    # -- training ---------------------------------------------------------------------------
    @classmethod
    def from_kb(cls, kb: KnowledgeBase, threshold: float = DEFAULT_THRESHOLD) -> CrisisClassifier:
        return cls.train([*kb_examples(kb), *curated_examples()], threshold=threshold)

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        l2: float = 1e-5,
        iterations: int = 60,
        rate: float = 3.0,
    ) -> CrisisClassifier:
        vocab: dict[str, int] = {}
        rows: list[list[int]] = []
        labels: list[str | None] = []
        seen: set[tuple[str, str | None]] = set()
        for ex in examples:
            skeleton = normalize(ex.text)
            if not skeleton or (skeleton, ex.label) in seen:
                continue
            seen.add((skeleton, ex.label))
            rows.append([vocab.setdefault(g, len(vocab)) for g in ngrams(skeleton)])
            labels.append(ex.label)
        n, d = len(rows), len(vocab)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n)
        nnz = int(lengths.sum())
        indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=nnz)
        row_of = np.repeat(np.arange(n), lengths)
        values = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths)  # rows L2-normalised
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        y = np.fromiter((lab is not None for lab in labels), dtype=np.float64, count=n)
        # Balanced classes: positives are few.
        pos = max(y.sum(), 1.0)
        sample_w = np.where(y > 0, n / (2 * pos), n / (2 * max(n - pos, 1.0))) / n

        w = np.zeros(d)
        b = np.zeros(1)
        adam = Adam((w, b), rate * 0.1, l2=(l2, 0.0))
        for _ in range(iterations):
            z = np.add.reduceat(w[indices] * values, starts) + b[0]
            p = 1.0 / (1.0 + np.exp(-z))
            r = (p - y) * sample_w
            adam.step((np.bincount(indices, weights=values * r[row_of], minlength=d),
                       np.array([r.sum()])))

        names = sorted({lab for lab in labels if lab is not None})
        column = {name: j for j, name in enumerate(names)}
        centroids = np.zeros((d, len(names)))
        lab_idx = np.fromiter(
            (column[lab] if lab is not None else -1 for lab in labels), dtype=np.int64, count=n
        )
        mask = lab_idx[row_of] >= 0
        np.add.at(centroids, (indices[mask], lab_idx[row_of][mask]), values[mask])
        norms = np.linalg.norm(centroids, axis=0)
        centroids /= np.where(norms > 0, norms, 1.0)
        return cls(vocab, w, float(b[0]), names, centroids, threshold)

    # -- prediction -------------------------------------------------------------------------
    def _score(self, skeleton: str) -> tuple[float, set[str]]:
        grams = ngrams(skeleton)
        if not grams:
            return 0.0, grams
        get = self._weight.get
        z = sum(get(g, 0.0) for g in grams) / math.sqrt(len(grams)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0))), grams

    def predict_proba(self, skeleton: str) -> tuple[str | None, float]:
        """(nearest crisis entry, crisis probability) of the most alarming window."""
        words = skeleton.split()[:MAX_WORDS]
        best_p, best_grams = self._score(" ".join(words))
        if len(words) > WINDOW + STRIDE // 2:
            for start in range(0, len(words) - WINDOW + STRIDE, STRIDE):
                p, grams = self._score(" ".join(words[start : start + WINDOW]))
                if p > best_p:
                    best_p, best_grams = p, grams
        vocab = self.vocab
        idx = [vocab[g] for g in best_grams if g in vocab]
        if not self.labels or not idx:
            return None, best_p
        sims = self.centroids[idx].sum(axis=0)
        return self.labels[int(np.argmax(sims))], best_p
