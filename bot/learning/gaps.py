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
NEAREST_SAMPLE = 20  # distinct questions of a group asked to the matcher
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
    reason: str  # "escalated" | "not_helpful" | "not_crisis"
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
    """Pairwise similarity 0-100 of the keys (a square uint8 matrix)."""
    if not keys:
        return np.zeros((0, 0), dtype=np.uint8)
    return process.cdist(keys, keys, scorer=scorer, dtype=np.uint8, workers=-1)


def cluster(scores: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Average-link leader clustering of a square similarity matrix; groups of indices.

    `sums[i, g]` keeps the summed similarity of item i to the members of group g, updated
    when an item joins or leaves a group, so each decision costs one row, not a scan."""
    n = scores.shape[0]
    label = np.full(n, -1, dtype=np.int64)
    sizes = np.zeros(n, dtype=np.int64)
    sums = np.zeros((n, min(n, 64)), dtype=np.float32)
    count = 0  # groups opened so far (some may have emptied)
    for _round in range(2):
        changed = False
        for i in range(n):
            current = int(label[i])
            best = -1
            if count:
                total = sums[i, :count].copy()
                members = sizes[:count].copy()
                if current != -1:
                    total[current] -= float(scores[i, i])
                    members[current] -= 1
                average = np.where(members > 0, total / np.maximum(members, 1), -1.0)
                candidate = int(np.argmax(average))
                if average[candidate] >= threshold:
                    best = candidate
            if current != -1 and (best == current or (best == -1 and sizes[current] == 1)):
                continue  # where it belongs already (or alone already)
            column = scores[:, i].astype(np.float32)
            if current != -1:
                sums[:, current] -= column
                sizes[current] -= 1
            if best == -1:
                if count == sums.shape[1]:
                    sums = np.hstack([sums, np.zeros_like(sums)])
                best, count = count, count + 1
            sums[:, best] += column
            sizes[best] += 1
            label[i] = best
            changed = True
        if not changed:
            break
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(label.tolist()):
        groups.setdefault(g, []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def group_gaps(questions: Iterable[GapQuestion], *, threshold: float = GROUP_THRESHOLD,
               nearest: Callable[[list[str]], Nearest | None] | None = None
               ) -> list[GapGroup]:
    """Group the questions, largest groups first, each with its nearest existing topic."""
    items = [GapQuestion(mask_personal(q.text), q.lang, q.reason, q.nearest)
             for q in questions if q.text.strip()]
    # Questions with the same key are compared once (the pairwise scoring is the cost:
    # about 20 s for 3,000 distinct questions on two cores).
    by_key: dict[str, list[int]] = {}
    for i, q in enumerate(items):
        by_key.setdefault(key(q.text), []).append(i)
    keys = list(by_key)
    groups: list[GapGroup] = []
    for members in cluster(similarity(keys), threshold):
        group = GapGroup([items[i] for k in members for i in by_key[keys[k]]])
        group.shown = Counter(q.nearest for q in group.questions if q.nearest)
        if nearest is not None:
            texts = Counter(q.text for q in group.questions)
            group.nearest = nearest([text for text, _ in texts.most_common(NEAREST_SAMPLE)])
        groups.append(group)
    groups.sort(key=lambda g: -g.count)  # stable: ties keep the clustering's order
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
