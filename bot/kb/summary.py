"""A short human summary of a loaded knowledge base (for `kb check`)."""

from __future__ import annotations

from bot.kb.model import LANGS, KnowledgeBase


def summary(kb: KnowledgeBase) -> str:
    entries = list(kb.entries.values())
    phrasings = {lang: sum(len(e.questions[lang]) for e in entries) for lang in LANGS}
    sources = {s.url for e in entries for s in e.sources}
    oldest = min((e.reviewed for e in entries), default=None)
    crisis = sum(e.crisis for e in entries)
    return (
        f"{len(entries)} entries in {len(kb.categories)} categories ({crisis} crisis); "
        f"phrasings: " + ", ".join(f"{lang} {n}" for lang, n in phrasings.items())
        + f"; {sum(map(len, kb.examples.values()))} user-style examples"
        + f" (+{len(kb.out_of_scope)} out of scope)"
        + f"; {len(sources)} distinct sources; oldest review: "
        + (oldest.isoformat() if oldest else "none")
    )
