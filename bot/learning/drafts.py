"""Draft knowledge-base entries from delivered consultant answers (`/promote #n`).

A draft is a YAML file in `knowledge_base/drafts/`, in the category-file format with one entry:
the user's question (masked) as its first phrasing and the consultant's answer, both in the
ticket's language; the other languages are left empty for curators. The loader reads only
`knowledge_base/*.yaml`, so drafts are never served; `python -m bot kb check` lists, for each
draft, what is still missing (as warnings). Pure logic: no aiogram, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.kb.loader import MIN_QUESTIONS, Problem
from bot.kb.model import LANGS
from bot.matching.mask import mask_personal

DRAFTS_DIR = "drafts"


@dataclass(frozen=True, slots=True)
class DraftSource:
    ticket: int
    lang: str
    audience: str | None
    question: str
    answer: str
    category: str | None  # suggested: the category of the ticket's topic guess
    related: str | None  # the topic guess, if any


def draft_id(source: DraftSource) -> str:
    return f"{source.category or 'draft'}.ticket_{source.ticket}"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def draft_yaml(source: DraftSource, today: date) -> str:
    """The text of the draft file."""
    lang = source.lang if source.lang in LANGS else "ru"
    answer = "\n".join(line.rstrip() for line in source.answer.strip().splitlines())
    entry: dict[str, Any] = {
        "id": draft_id(source),
        "audience": source.audience if source.audience in ("teen", "parent") else "all",
        "crisis": False,
        "title": dict.fromkeys(LANGS, ""),
        "questions": {code: [] for code in LANGS},
        "answer": dict.fromkeys(LANGS, ""),
        "sources": [],
        "related": [source.related] if source.related else [],
    }
    entry["questions"][lang] = [" ".join(mask_personal(source.question).split())]
    entry["answer"][lang] = answer + ("\n" if "\n" in answer else "")
    document = {
        "status": "draft",
        "ticket": source.ticket,
        "language": lang,
        "category": source.category or "",
        "entries": [entry],
    }
    target = f"{source.category}.yaml" if source.category else "the right category file"
    header = (
        f"# Draft entry from the consultant answer to ticket #{source.ticket}, written by "
        f"/promote on {today.isoformat()}.\n"
        "# NOT loaded by the bot. To publish it, a curator:\n"
        "#   1. checks the question and the answer: no personal details; phone numbers and\n"
        "#      services only as placeholders from resources.yaml;\n"
        "#   2. writes the title, at least 5 phrasings per language and the answer in every\n"
        "#      language, adds sources and a `reviewed:` date after the medical review;\n"
        f"#   3. moves the entry (the part under `entries:`) into {target}\n"
        "#      and deletes this file.\n"
        "# `python -m bot kb check` lists what is still missing.\n"
    )
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
    return header + body


def write_draft(kb_root: Path, source: DraftSource, today: date | None = None) -> Path | None:
    """Write the draft into `<kb_root>/drafts/` (created on demand); None if a draft for this
    ticket exists already (a curator may be editing it)."""
    folder = Path(kb_root) / DRAFTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{draft_id(source)}.yaml"
    if path.exists() or any(folder.glob(f"*.ticket_{source.ticket}.yaml")):
        return None
    tmp = path.with_suffix(".tmp")
    tmp.write_text(draft_yaml(source, today or date.today()), encoding="utf-8")
    tmp.replace(path)
    return path


def _missing(value: object, lang: str, *, many: bool = False) -> bool:
    if not isinstance(value, Mapping):
        return True
    text = value.get(lang)
    if many:
        return not isinstance(text, list) or not any(isinstance(t, str) and t.strip()
                                                     for t in text)
    return not isinstance(text, str) or not text.strip()


def check_drafts(kb_root: Path) -> list[Problem]:
    """One warning per draft entry: the languages still missing and what else a curator must
    add before moving it into the base. Drafts never make the check fail."""
    folder = Path(kb_root) / DRAFTS_DIR
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = f"{DRAFTS_DIR}/{path.name}"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError) as exc:
            problems.append(Problem(name, None, None, None, None,
                                    f"draft: not valid YAML ({str(exc).splitlines()[0]})",
                                    warning=True))
            continue
        entries = raw.get("entries") if isinstance(raw, Mapping) else None
        if not isinstance(entries, list) or not entries:
            problems.append(Problem(name, None, None, None, None, "draft: no entries",
                                    warning=True))
            continue
        for item in entries:
            if not isinstance(item, Mapping):
                continue
            eid = str(item.get("id") or "") or None
            missing: list[str] = []
            for lang in LANGS:
                fields = [f for f, many in (("title", False), ("questions", True),
                                            ("answer", False))
                          if _missing(item.get(f), lang, many=many)]
                if fields:
                    missing.append(f"{lang} ({', '.join(fields)})")
            needed: list[str] = []
            questions = item.get("questions")
            if isinstance(questions, Mapping) and any(
                    len(questions.get(lang) or []) < MIN_QUESTIONS for lang in LANGS):
                needed.append(f"{MIN_QUESTIONS} phrasings per language")
            if not item.get("sources"):
                needed.append("sources")
            if not item.get("reviewed"):
                needed.append("a review date")
            message = "draft: " + (f"languages still missing: {'; '.join(missing)}"
                                   if missing else "all languages written")
            if needed:
                message += f"; still needed: {', '.join(needed)}"
            problems.append(Problem(name, None, eid, None, None, message, warning=True))
    return problems
