"""The learned entry model: what the base's phrasings and user-style examples teach it."""

from __future__ import annotations

import random
import string
from dataclasses import replace

import numpy as np
import pytest

import bot.matching.entry_model as entry_model
from bot.kb import load_knowledge_base
from bot.matching.adam import Adam
from bot.matching.entry_model import (
    MAX_WEIGHTS,
    MIN_ENTRIES,
    MIN_FEATURES,
    EntryClassifier,
    features,
    training_texts,
)
from bot.matching.normalize import normalize
from tests.conftest import SMALL_KB


def test_words_that_separate_two_entries_decide_between_them() -> None:
    texts = ["late period worry", "period late two weeks", "period pain cramps",
             "cramps during period", "stomach hurts on my period"]
    labels = [0, 0, 1, 1, 1]
    model = EntryClassifier.train([normalize(t) for t in texts], labels, 2)
    assert model is not None
    assert np.argmax(model.probabilities(normalize("my period is late"))) == 0
    assert np.argmax(model.probabilities(normalize("bad cramps"))) == 1
    # The same skeleton of a Cyrillic and a translit question gets the same answer.
    assert np.allclose(model.probabilities(normalize("задержка")),
                       model.probabilities(normalize("zaderzhka")))


def test_user_style_examples_teach_slang_the_phrasings_never_use() -> None:
    kb, _ = load_knowledge_base(SMALL_KB)
    ids = list(kb.entries)
    slang = "kyzyl kun kelmei zhur"  # chat slang for a late period, in no phrasing
    plain = EntryClassifier.train(*training_texts(kb), len(ids))
    taught = EntryClassifier.train(*training_texts(
        replace(kb, examples={"periods.late_missed": ("kyzyl kun kelmei zhur goi",
                                                      "kyzyl kunder kelmeidi")})
    ), len(ids))
    assert plain is not None and taught is not None
    before = plain.probabilities(normalize(slang))[ids.index("periods.late_missed")]
    after = taught.probabilities(normalize(slang))
    assert ids[int(np.argmax(after))] == "periods.late_missed"
    assert after[ids.index("periods.late_missed")] > before + 0.2


def test_out_of_scope_questions_take_probability_away_from_every_entry() -> None:
    """Questions the base does not answer are one more class: for a question like them, no
    entry keeps the confidence it had without them."""
    kb, _ = load_knowledge_base(SMALL_KB)
    ids = list(kb.entries)
    question = normalize("my grandmother has high blood pressure, which pills")
    plain = EntryClassifier.train(*training_texts(kb), len(ids))
    taught_kb = replace(kb, out_of_scope=("grandmother blood pressure pills",
                                          "my grandfather has high blood pressure",
                                          "blood pressure medicine for an adult"))
    taught = EntryClassifier.train(*training_texts(taught_kb), len(ids) + 1, entries=len(ids))
    assert plain is not None and taught is not None
    before, after = plain.probabilities(question), taught.probabilities(question)
    assert len(after) == len(ids)
    assert after.max() < before.max() - 0.2
    assert after.sum() < 0.6  # the rest is "none of them"
    # An in-scope question keeps its entry.
    assert ids[int(np.argmax(taught.probabilities(normalize("period pain cramps"))))] == \
        ids[int(np.argmax(plain.probabilities(normalize("period pain cramps"))))]


def test_a_base_over_the_weight_budget_keeps_its_most_frequent_features(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A base that outgrows the weight budget loses its rarest features, not its model: the
    words that recur across an entry's texts still decide."""
    texts = [normalize(t) for t in (
        "late period worry", "period late two weeks", "is a late period dangerous",
        "period pain cramps", "cramps during period", "stomach cramps on my period",
    )]
    labels = [0, 0, 0, 1, 1, 1]
    vocabulary = len(set().union(*(features(t) for t in texts)))
    budget = 40  # features per class
    assert vocabulary > budget
    monkeypatch.setattr(entry_model, "MAX_WEIGHTS", 2 * budget)
    monkeypatch.setattr(entry_model, "MIN_FEATURES", 10)
    model = EntryClassifier.train(texts, labels, 2)
    assert model is not None and len(model.vocab) == budget
    assert np.argmax(model.probabilities(normalize("my period is so late"))) == 0
    assert np.argmax(model.probabilities(normalize("bad cramps"))) == 1


def test_a_base_with_too_many_entries_for_dense_weights_goes_without_the_model() -> None:
    classes = MAX_WEIGHTS // MIN_FEATURES + 1
    rng = random.Random(1)
    texts = [" ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(5))
             for _ in range(classes)]
    assert EntryClassifier.train([normalize(t) for t in texts], list(range(classes)),
                                 classes) is None


def test_a_small_base_goes_without_the_model() -> None:
    """With a handful of entries a softmax is sure of something even for "how do i get a
    visa"; such a base is matched by the fuzzy signals alone."""
    kb, _ = load_knowledge_base(SMALL_KB)
    assert len(kb.entries) < MIN_ENTRIES
    assert EntryClassifier.for_kb(kb) is None


def test_adam_walks_down_to_the_minimum_and_l2_pulls_it_towards_zero() -> None:
    """The optimiser both models train with: on (x - 3)^2 it ends near 3; with an L2 penalty
    whose gradient is 2x (the objective (x - 3)^2 + x^2), near 1.5."""
    for l2, target in ((0.0, 3.0), (2.0, 1.5)):
        x = np.array([-4.0])
        adam = Adam((x,), 0.1, l2=(l2,))
        for _ in range(2000):
            adam.step((2 * (x - 3.0),))
        assert abs(x[0] - target) < 0.05, (l2, x)
