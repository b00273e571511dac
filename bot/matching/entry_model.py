"""Which entry a question belongs to, learned from the knowledge base's own phrasings.

Fuzzy similarity finds the phrasing a question looks most like; it cannot tell which *words*
separate two neighbouring entries ("late period" vs "pregnancy test", a teen's and a mother's
version of the same subject). A softmax regression can: it is trained at start-up on every
phrasing, title and keyword skeleton of every entry, on the user-style questions in
`knowledge_base/examples/` and on some of the crisis classifier's examples (all three
languages folded into one script by `normalize`), with character 2-5-grams of each word and
whole words as features.

Measured by 5-fold cross-validation over the in-scope lines of `tests/eval/tune.jsonl` (the
held-out fold never among the examples): the right entry ranked first by fuzzy matching alone
87.4 / 86.8 / 87.4 % (kk/ru/en); by fuzzy matching plus this model trained on the base alone
92.3 / 91.7 / 93.8 %; plus the model trained with the other folds as examples
94.5 / 93.5 / 95.4 %.

The weights are dense (features x entries) and must stay under `MAX_WEIGHTS` numbers. The
shipped base's 81,000 features x 88 classes need 7.1 million; a base that grows past the
budget keeps its most frequent features (the ones seen in the most training texts), as many
as fit, rather than losing the model. Only a base with so many entries that fewer than
`MIN_FEATURES` features would fit goes without, and is matched by the fuzzy signals alone, as
is a base of fewer than `MIN_ENTRIES` entries.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from bot.kb.model import KnowledgeBase
from bot.matching.adam import Adam
from bot.matching.crisis_examples import CRISIS_EXAMPLES
from bot.matching.normalize import normalize, truncate_for_matching

GRAM_SIZES = (2, 3, 4, 5)
# Below this many entries a softmax is overconfident on questions about nothing in the base
# (with 3 entries, "how do i get a visa" got 0.6 for one of them); such a base goes without.
MIN_ENTRIES = 30
MAX_WEIGHTS = 8_000_000  # float32: 32 MB per training array, five of them while training
# Fewer features per class than this cannot separate entries; such a base goes without. Pruned
# to a budget, the shipped base lost little: keeping only features seen in 2+ training texts
# (53,000 of 78,000) moved top-1 from 84.9 to 84.6 % (5-fold cross-validation over tune.jsonl's
# 8,826 lines, before its t5 set joined).
MIN_FEATURES = 20_000
# Veiled crisis wording written for the crisis classifier also teaches this model the crisis
# entries, so that the matcher is a second net behind the crisis detector: on tune's crisis
# lines the matcher alone found 54.5 % without them, 67.1 % with 40 per entry, 70.8 % with 80,
# 74.0 % with 150 (which cost one more out-of-scope question answered).
CRISIS_EXAMPLES_PER_ENTRY = 80
ITERATIONS = 50
LEARNING_RATE = 0.1
L2 = 1e-6  # small, but with Adam it keeps rarely seen n-grams quiet (without it, more
# out-of-scope questions got answered on tune: 1.6 -> 4.8 %)


def features(skeleton: str) -> set[str]:
    """Character 2-5-grams of each padded word, and the whole words."""
    grams: set[str] = set()
    for word in skeleton.split():
        padded = f" {word} "
        for n in GRAM_SIZES:
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
        grams.add("#" + word)
    return grams


def training_texts(kb: KnowledgeBase) -> tuple[list[str], list[int]]:
    """(skeleton, entry index) for every phrasing, title, keyword and user-style example, in
    `kb.entries` order; then the base's out-of-scope questions, as one more class (index
    `len(kb.entries)`)."""
    texts: list[str] = []
    labels: list[int] = []
    for i, entry in enumerate(kb.entries.values()):
        examples = (truncate_for_matching(text) for text in (
            *kb.examples.get(entry.id, ()), *_spread(CRISIS_EXAMPLES.get(entry.id, ()))))
        seen: set[str] = set()
        for text in (*entry.matching_texts(), *examples):
            skeleton = normalize(text)
            if skeleton and skeleton not in seen:
                seen.add(skeleton)
                texts.append(skeleton)
                labels.append(i)
    for text in kb.out_of_scope:
        skeleton = normalize(truncate_for_matching(text))
        if skeleton:
            texts.append(skeleton)
            labels.append(len(kb.entries))
    return texts, labels


def _spread(texts: tuple[str, ...], limit: int = CRISIS_EXAMPLES_PER_ENTRY) -> tuple[str, ...]:
    """At most `limit` texts taken evenly across the tuple (which is grouped by script)."""
    step = max(1, -(-len(texts) // limit))
    return texts[::step][:limit]


class EntryClassifier:
    """P(entry | question skeleton) for every entry of one knowledge base. The last class may
    stand for "none of them" (the base's out-of-scope questions): its probability is taken from
    the entries' and not returned."""

    def __init__(self, vocab: dict[str, int], weights: np.ndarray, bias: np.ndarray,
                 entries: int | None = None) -> None:
        self.vocab = vocab
        self.weights = weights  # (features, classes), float32
        self.bias = bias  # (classes,)
        self.entries = weights.shape[1] if entries is None else entries

    @classmethod
    def for_kb(cls, kb: KnowledgeBase) -> EntryClassifier | None:
        """A trained model, or None for a base too small or too large for one."""
        if len(kb.entries) < MIN_ENTRIES:
            return None
        texts, labels = training_texts(kb)
        classes = len(kb.entries) + bool(kb.out_of_scope)
        return cls.train(texts, labels, classes, entries=len(kb.entries))

    @classmethod
    def train(cls, texts: list[str], labels: list[int], n_classes: int,
              iterations: int = ITERATIONS, entries: int | None = None) -> EntryClassifier | None:
        max_features = MAX_WEIGHTS // max(n_classes, 1)
        if max_features < MIN_FEATURES:
            return None  # too many entries: known before reading a text
        vocab, indices, indptr = _index(texts)
        if len(vocab) > max_features:
            # Over the budget: index again with only the features seen in the most texts (ties
            # broken by the feature itself, so the same base always gives the same model).
            seen_in = np.bincount(np.asarray(indices), minlength=len(vocab))
            names = list(vocab)
            ranked = sorted(range(len(names)), key=lambda i: (-seen_in[i], names[i]))
            vocab, indices, indptr = _index(texts, {names[i] for i in ranked[:max_features]})
        lengths = np.diff(np.asarray(indptr))
        values = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths)  # rows L2-normalised
        x = csr_matrix((values.astype(np.float32), indices, indptr),
                       shape=(len(texts), len(vocab)), dtype=np.float32)
        xt = x.T.tocsr()
        n = len(texts)
        target = np.zeros((n, n_classes), dtype=np.float32)
        target[np.arange(n), labels] = 1.0

        # Full-batch Adam on the cross-entropy (deterministic, in place: peak memory stays at
        # ~5 weight-sized arrays).
        w = np.zeros((len(vocab), n_classes), dtype=np.float32)
        b = np.zeros(n_classes, dtype=np.float32)
        adam = Adam((w, b), LEARNING_RATE, l2=(L2, 0.0))
        for _ in range(iterations):
            grad = _softmax(x @ w + b)
            grad -= target
            grad /= n
            adam.step((xt @ grad, grad.sum(axis=0)))
        return cls(vocab, w, b, entries)

    def probabilities(self, skeleton: str) -> np.ndarray:
        """One probability per entry (in `kb.entries` order); uniform for an empty skeleton.
        Without the out-of-scope class they sum to 1; with it, to 1 minus its probability."""
        grams = features(skeleton)
        rows = [i for g in grams if (i := self.vocab.get(g)) is not None]
        z = self.bias.copy()
        if rows:
            z += self.weights[rows].sum(axis=0) / np.sqrt(len(grams))
        return _softmax(z[None, :])[0][: self.entries]


def _index(texts: list[str], kept: set[str] | None = None
           ) -> tuple[dict[str, int], list[int], list[int]]:
    """(vocabulary, column indices, row pointers) of the texts' features, in CSR layout; only
    the `kept` features when given."""
    vocab: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for skeleton in texts:
        indices.extend(vocab.setdefault(g, len(vocab)) for g in features(skeleton)
                       if kept is None or g in kept)
        indptr.append(len(indices))
    return vocab, indices, indptr


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z
