"""The curators' to-do list: questions the base could not answer, grouped by similarity.

Pure logic (no aiogram, no database): `group_gaps()` takes the stored gap questions (already
masked when stored; masked again here to be safe), folds each to its skeleton without common
words, compares every pair with a token-based rapidfuzz scorer in one `process.cdist` call,
and clusters them with average-link leader clustering: each question joins the group whose
members it resembles most on average, if that average reaches the threshold, or starts a
new group. A second pass moves questions whose group changed after they were placed.

The scorer and threshold were chosen on `tests/data/gap_questions.jsonl` (64 questions: 15
paraphrase sets of four in kk, ru and en, and 4 unrelated singletons). Of ratio, token_sort,
token_set, WRatio and partial_token_sort on skeletons, content words and 4/5-letter stems,
partial_token_sort on content words did best: at 55, pairwise precision 1.00 and recall 0.97,
14 of 15 paraphrase sets in one group and no group mixing two subjects (precision holds from
55 to 70 while recall falls; at 50 precision drops to 0.93, at 45 to 0.50). Sets of the same
subject in two languages may share a group. `tests/test_learning.py` checks these figures.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.matching.mask import mask_personal
from bot.matching.matcher import Matcher
from bot.matching.normalize import normalize

GROUP_THRESHOLD = 55.0
SAMPLES = 5
_MARKER = re.compile(r"<(?:email|link|user|phone|n)>")

# Common words of the three languages that say nothing about the subject of a question.
_FILLER = frozenset(normalize(" ".join((
    "how what why when where which who can could should would will do does did is are am be "
    "i me my you your a an the to of in on at for with and or it this that so about there "
    "please help have has get",
    "как что почему когда где какой какие какая кто можно ли ли не я мне меня мой моя у в на "
    "с и или это так если уже очень делать что делать нужно надо ли",
    "қалай не неге қашан қайда қандай кім бола ма ме ба бе па пе мен маған менің сен және "
    "немесе бұл осы керек болады"))).split())


@dataclass(frozen=True, slots=True)
class GapQuestion:
    text: str
    lang: str
    reason: str  # "escalated" | "not_helpful"
    nearest: str | None = None  # the topic shown when the user said it did not help


@dataclass(frozen=True, slots=True)
class Nearest:
    entry_id: str
    title: str
    score: float


@dataclass(slots=True)
class GapGroup:
    questions: list[GapQuestion]
    nearest: Nearest | None = None
    shown: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def languages(self) -> dict[str, int]:
        return dict(Counter(q.lang for q in self.questions).most_common())

    @property
    def reasons(self) -> dict[str, int]:
        return dict(Counter(q.reason for q in self.questions).most_common())

    def samples(self, limit: int = SAMPLES) -> list[str]:
        """Distinct texts, masked, the most frequent first."""
        counts = Counter(" ".join(mask_personal(q.text).split()) for q in self.questions)
        return [text for text, _ in counts.most_common(limit)]


def key(text: str) -> str:
    """What is compared: the masked question's skeleton without markers and filler words."""
    skeleton = normalize(_MARKER.sub(" ", mask_personal(text)))
    kept = [w for w in skeleton.split() if w not in _FILLER and len(w) > 1]
    return " ".join(kept) if kept else skeleton


def similarity(keys: Sequence[str],
               scorer: Callable[..., float] = fuzz.partial_token_sort_ratio) -> np.ndarray:
    """Pairwise similarity 0-100 of the keys (a square matrix)."""
    if not keys:
        return np.zeros((0, 0), dtype=np.float32)
    matrix = process.cdist(keys, keys, scorer=scorer, dtype=np.uint8, workers=-1)
    return matrix.astype(np.float32)


def cluster(scores: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Average-link leader clustering of a square similarity matrix; groups of indices."""
    n = scores.shape[0]
    label = np.full(n, -1, dtype=np.int64)
    groups: list[list[int]] = []
    for _round in range(2):
        changed = False
        for i in range(n):
            best, best_score = -1, threshold
            for g, members in enumerate(groups):
                others = [m for m in members if m != i]
                if not others:
                    continue
                average = float(scores[i, others].mean())
                if average >= best_score:
                    best, best_score = g, average
            current = int(label[i])
            if current != -1 and (best == current or (best == -1
                                                       and len(groups[current]) == 1)):
                continue  # where it belongs already (or alone already)
            if label[i] != -1:
                groups[label[i]].remove(i)
            if best == -1:
                groups.append([i])
                best = len(groups) - 1
            else:
                groups[best].append(i)
            label[i] = best
            changed = True
        if not changed:
            break
    return sorted((sorted(g) for g in groups if g), key=lambda g: (-len(g), g[0]))


def group_gaps(questions: Iterable[GapQuestion], *, threshold: float = GROUP_THRESHOLD,
               nearest: Callable[[list[str]], Nearest | None] | None = None
               ) -> list[GapGroup]:
    """Group the questions, largest groups first, each with its nearest existing topic."""
    items = [GapQuestion(mask_personal(q.text), q.lang, q.reason, q.nearest)
             for q in questions if q.text.strip()]
    indices = cluster(similarity([key(q.text) for q in items]), threshold)
    groups: list[GapGroup] = []
    for members in indices:
        group = GapGroup([items[i] for i in members])
        group.shown = Counter(q.nearest for q in group.questions if q.nearest)
        if nearest is not None:
            group.nearest = nearest([q.text for q in group.questions])
        groups.append(group)
    return groups


def matcher_nearest(matcher: Matcher) -> Callable[[list[str]], Nearest | None]:
    """The nearest topic of a group by the bot's own matcher: the entry with the highest
    summed score over the group's questions."""

    def nearest(texts: list[str]) -> Nearest | None:
        totals: Counter[str] = Counter()
        for text in texts:
            for scored in matcher.rank(_MARKER.sub(" ", text), limit=3):
                totals[scored.entry_id] += scored.score
        if not totals:
            return None
        entry_id, total = totals.most_common(1)[0]
        entry = matcher.kb.entries[entry_id]
        title = entry.title.get("en") or next(iter(entry.title.values()), entry_id)
        return Nearest(entry_id, title, round(total / len(texts), 1))

    return nearest


# -- output ---------------------------------------------------------------------------------
def to_data(groups: Sequence[GapGroup]) -> dict[str, object]:
    return {
        "questions": sum(g.count for g in groups),
        "groups": [
            {
                "rank": number,
                "count": g.count,
                "languages": g.languages,
                "reasons": g.reasons,
                "nearest_topic": None if g.nearest is None else {
                    "id": g.nearest.entry_id, "title": g.nearest.title,
                    "score": g.nearest.score},
                "answers_shown": dict(g.shown.most_common()),
                "samples": g.samples(),
            }
            for number, g in enumerate(groups, 1)
        ],
    }


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "—"


def to_markdown(groups: Sequence[GapGroup]) -> str:
    total = sum(g.count for g in groups)
    lines = [
        "# Knowledge-base gaps",
        "",
        f"{total} questions the base could not answer (sent to a consultant, or marked "
        f"\"not what I asked\"), in {len(groups)} groups, largest first. Personal details "
        "are masked: <phone>, <email>, <link>, <user>, <n>.",
    ]
    for number, g in enumerate(groups, 1):
        lines += ["", f"## {number}. {g.count} question{'s' if g.count != 1 else ''}", ""]
        lines.append(f"- languages: {_counts(g.languages)}")
        lines.append(f"- reasons: {_counts(g.reasons)}")
        if g.nearest is not None:
            lines.append(f"- nearest topic: `{g.nearest.entry_id}` ({g.nearest.title}), "
                         f"score {g.nearest.score:.0f}")
        else:
            lines.append("- nearest topic: none")
        if g.shown:
            lines.append(f"- answers shown that did not help: {_counts(dict(g.shown))}")
        lines.append("- samples:")
        lines += [f"  - {_md_escape(text)}" for text in g.samples()]
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]#|<])", r"\\\1", text)


def write_report(groups: Sequence[GapGroup], path: Path) -> str:
    """Write Markdown (.md), YAML (.yaml/.yml) or JSON (.json), by the file's extension;
    returns the format used."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text, kind = yaml.safe_dump(to_data(groups), allow_unicode=True, sort_keys=False,
                                    width=100), "yaml"
    elif suffix == ".json":
        text, kind = json.dumps(to_data(groups), ensure_ascii=False, indent=2) + "\n", "json"
    else:
        text, kind = to_markdown(groups), "markdown"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return kind
