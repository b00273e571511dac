"""Synthetic knowledge bases, larger copies of the shipped one, for scaling figures."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import yaml

from bot.kb.model import Category, Entry, KnowledgeBase

FILLER = ("ochen", "pojaluista", "srochno", "kak", "bolshe", "moia", "tvoia", "vsegda",
          "kazhdyi", "den", "ainalaiyn", "tez", "please", "really", "always")


def _vary(text: str, rng: random.Random, n: int) -> str:
    words = text.split()
    rng.shuffle(words)
    return " ".join([*words, FILLER[n % len(FILLER)], f"v{n}"])


def scaled(kb: KnowledgeBase, factor: int, seed: int = 7) -> KnowledgeBase:
    """`factor` times as many entries: each copy has shuffled, tagged phrasings."""
    rng = random.Random(seed)
    entries: dict[str, Entry] = {}
    for copy in range(factor):
        for entry in kb.entries.values():
            eid = entry.id if copy == 0 else f"{entry.id}_c{copy}"
            questions = entry.questions if copy == 0 else {
                lang: tuple(_vary(q, rng, copy) for q in qs)
                for lang, qs in entry.questions.items()
            }
            entries[eid] = replace(entry, id=eid, questions=questions)
    categories = [Category("all", {"kk": "all", "ru": "all", "en": "all"}, tuple(entries))]
    return KnowledgeBase(entries=entries, categories=categories, resources=kb.resources)


def write_yaml_base(root: Path, n_entries: int, resources: Path) -> None:
    """A valid YAML base of `n_entries` entries (for the load-time benchmark)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "resources.yaml").write_text(resources.read_text(encoding="utf-8"),
                                         encoding="utf-8")
    per_file = 100
    for f in range(0, n_entries, per_file):
        entries = []
        for i in range(f, min(f + per_file, n_entries)):
            entries.append({
                "id": f"synthetic.entry_{i}",
                "audience": "all",
                "title": {lang: f"Topic {i}" for lang in ("kk", "ru", "en")},
                "questions": {lang: [f"{lang} question {i} variant {v} word{i * 7 + v}"
                                     for v in range(8)] for lang in ("kk", "ru", "en")},
                "answer": {lang: ("answer text " * 60) + "{service.polyclinic}"
                           for lang in ("kk", "ru", "en")},
                "sources": [{"title": "WHO", "url": "https://www.who.int/"}],
                "reviewed": "2026-01-01",
                "related": [],
            })
        data = {"category": f"c{f}", "title": {"kk": "c", "ru": "c", "en": "c"},
                "entries": entries}
        (root / f"c{f:05d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
