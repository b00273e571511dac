"""Plain data classes for a loaded knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LANGS: tuple[str, ...] = ("kk", "ru", "en")
AUDIENCES: tuple[str, ...] = ("teen", "parent", "all")


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    category: str
    audience: str
    crisis: bool
    age_min: int | None
    title: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    keywords: dict[str, tuple[str, ...]]
    answer: dict[str, str]  # placeholders resolved
    sources: tuple[Source, ...]
    reviewed: date
    related: tuple[str, ...]

    def matching_texts(self) -> tuple[str, ...]:
        """Everything a question is matched against: phrasings, title and keywords, per
        language in LANGS order."""
        return tuple(
            text
            for lang in LANGS
            for text in (*self.questions[lang], self.title[lang], *self.keywords.get(lang, ()))
        )

    def suits(self, audience: str | None, age: int | None = None) -> bool:
        """Whether the entry may be offered to a user of this audience and age."""
        if audience in ("teen", "parent") and self.audience not in (audience, "all"):
            return False
        return not (age is not None and self.age_min is not None and age < self.age_min)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: dict[str, str]
    entry_ids: tuple[str, ...]


@dataclass(slots=True)
class KnowledgeBase:
    entries: dict[str, Entry] = field(default_factory=dict)
    categories: list[Category] = field(default_factory=list)
    resources: dict[str, dict[str, str]] = field(default_factory=dict)
    # Questions as users write them, per entry (all languages): they teach the entry model
    # which words separate neighbouring entries; they are not matched phrase by phrase.
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Questions the base does not answer (an adult's own illness, homework...), as users write
    # them: they teach both models what is not ours (listed under `out_of_scope` in examples).
    out_of_scope: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def resource(self, key: str, lang: str) -> str:
        return self.resources[key][lang]

    def to_json(self) -> dict[str, object]:
        return {
            "entries": [
                {
                    "id": e.id,
                    "category": e.category,
                    "audience": e.audience,
                    "crisis": e.crisis,
                    "age_min": e.age_min,
                    "title": e.title,
                    "questions": {lang: list(qs) for lang, qs in e.questions.items()},
                    "keywords": {lang: list(ks) for lang, ks in e.keywords.items()},
                    "answer": e.answer,
                    "sources": [{"title": s.title, "url": s.url} for s in e.sources],
                    "reviewed": e.reviewed.isoformat(),
                    "related": list(e.related),
                }
                for e in self.entries.values()
            ]
        }
