"""Load the YAML knowledge base and report every problem precisely.

A problem names the file, line, entry id, field and language. The bot refuses to start on a
base with any error; warnings (answer length outside the editorial range) are only printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.kb.model import AUDIENCES, LANGS, Category, Entry, KnowledgeBase, Source
from bot.kb.resources import (
    PLACEHOLDER,
    SERVICE_NUMBER,
    flatten_resources,
    resolve,
    service_numbers,
)
from bot.kb.yaml_lines import LineDict, load_yaml

RESOURCES_FILE = "resources.yaml"
EXAMPLES_DIR = "examples"  # <root>/examples/<lang>.yaml: entry id -> user-style questions
EXAMPLE_MAX_CHARS = 1000
OUT_OF_SCOPE_KEY = "out_of_scope"  # in an examples file: questions no entry answers
TELEGRAM_MAX_TEXT = 4096
MIN_QUESTIONS = 5
ANSWER_WORDS = (80, 250)
TITLE_MAX = 60
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
PHONE_LIKE = re.compile(r"\+?\d[\d\s\-()]{5,}\d")
ENTRY_FIELDS = {
    "id", "audience", "crisis", "age_min", "title", "questions", "keywords",
    "answer", "sources", "reviewed", "related",
}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    entry: str | None
    field: str | None
    lang: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.entry:
            parts.append(self.entry)
        if self.field:
            parts.append(self.field + (f".{self.lang}" if self.lang else ""))
        kind = "warning: " if self.warning else ""
        return ": ".join(parts) + f": {kind}{self.message}"


class KnowledgeBaseError(Exception):
    """The base is invalid; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if not p.warning]
        first = str(errors[0]) if errors else "unknown problem"
        super().__init__(f"knowledge base invalid ({len(errors)} errors), first: {first}")


def phrasing_key(text: str) -> str:
    """What makes two phrasings 'the same' for the duplicate check."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Validator:
    def __init__(self, root: Path, today: date) -> None:
        self.root = root
        self.today = today
        self.problems: list[Problem] = []
        self.resources: dict[str, dict[str, str]] = {}
        self.numbers: set[str] = set()

    # -- reporting -------------------------------------------------------------------------
    def add(self, file: Path, line: int | None, entry: str | None, field: str | None,
            lang: str | None, message: str, *, warning: bool = False) -> None:
        self.problems.append(
            Problem(file.name, line, entry, field, lang, message, warning)
        )

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    # -- resources ---------------------------------------------------------------------------
    def load_resources(self) -> None:
        path = self.root / RESOURCES_FILE
        if not path.exists():
            self.add(path, None, None, None, None, "missing: answers cannot resolve placeholders")
            return
        raw = self.read(path)
        if raw is None:
            return
        if not isinstance(raw, Mapping):
            self.add(path, 1, None, None, None, "must be a mapping of resource keys")
            return
        for key, value, line in flatten_resources(raw):
            if isinstance(value, str) and value.strip():
                self.resources[key] = {lang: value.strip() for lang in LANGS}
            elif isinstance(value, Mapping):
                texts: dict[str, str] = {}
                for lang in LANGS:
                    text = value.get(lang)
                    if not isinstance(text, str) or not text.strip():
                        self.add(path, line, None, key, lang, "missing text for this language")
                    else:
                        texts[lang] = text.strip()
                if len(texts) == len(LANGS):
                    self.resources[key] = texts
            else:
                self.add(path, line, None, key, None, "must be a string or a kk/ru/en mapping")
        self.numbers = service_numbers(self.resources)

    def read(self, path: Path) -> Any:
        try:
            return load_yaml(path)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.add(path, line, None, None, None, f"not valid YAML: {problem}")
            return None

    # -- user-style examples -------------------------------------------------------------------
    def load_examples(self, kb: KnowledgeBase) -> None:
        folder = self.root / EXAMPLES_DIR
        collected: dict[str, list[str]] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            if path.stem not in LANGS:
                self.add(path, None, None, None, None,
                         "examples files are named after a language: kk.yaml, ru.yaml, en.yaml")
                continue
            raw = self.read(path)
            if raw is None:
                continue
            if not isinstance(raw, LineDict):
                self.add(path, 1, None, None, None, "must be a mapping of entry id to questions")
                continue
            for eid, items in raw.items():
                line = raw.line_of(eid)
                if eid not in kb.entries and eid != OUT_OF_SCOPE_KEY:
                    self.add(path, line, str(eid), "examples", path.stem, "unknown entry id")
                    continue
                texts = items if isinstance(items, list) else []
                good = [t.strip() for t in texts
                        if isinstance(t, str) and 0 < len(t.strip()) <= EXAMPLE_MAX_CHARS]
                if not isinstance(items, list) or len(good) != len(texts):
                    self.add(path, line, eid, "examples", path.stem,
                             f"must be a list of questions (text, 1-{EXAMPLE_MAX_CHARS} "
                             "characters)")
                collected.setdefault(eid, []).extend(good)
        kb.out_of_scope = tuple(collected.pop(OUT_OF_SCOPE_KEY, ()))
        kb.examples = {eid: tuple(texts) for eid, texts in collected.items()}

    # -- files ---------------------------------------------------------------------------------
    def load_file(self, path: Path, kb: KnowledgeBase, seen: dict[str, str],
                  phrasings: dict[tuple[str, str], str], pending: list[tuple[Path, int, Entry]]
                  ) -> None:
        raw = self.read(path)
        if raw is None:
            if not any(p.file == path.name for p in self.problems):
                self.add(path, None, None, None, None, "empty file")
            return
        if not isinstance(raw, LineDict):
            self.add(path, 1, None, None, None, "must be a mapping with category, title, entries")
            return
        category = raw.get("category")
        if not isinstance(category, str) or not category.strip():
            self.add(path, raw.line_of("category"), None, "category", None, "missing or empty")
            category = path.stem
        cat_title = self.lang_texts(path, raw, None, "title", raw.get("title"))
        entries = raw.get("entries")
        if not isinstance(entries, list) or not entries:
            self.add(path, raw.line_of("entries"), None, "entries", None,
                     "must be a non-empty list")
            return
        ids: list[str] = []
        for item in entries:
            entry = self.entry(path, category, item, seen, phrasings)
            if entry is not None:
                kb.entries[entry.id] = entry
                ids.append(entry.id)
                pending.append((path, item.line_of("related"), entry))
        kb.categories.append(Category(category, cat_title, tuple(ids)))

    def lang_texts(self, path: Path, node: LineDict, entry: str | None, field: str,
                   value: object) -> dict[str, str]:
        line = node.line_of(field)
        if not isinstance(value, Mapping):
            self.add(path, line, entry, field, None, "missing: needs kk, ru and en")
            return {}
        texts: dict[str, str] = {}
        for lang in LANGS:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.add(path, getattr(value, "key_lines", {}).get(lang, line), entry, field,
                         lang, "missing translation" if text is None else "empty")
            else:
                texts[lang] = text.strip()
                if field == "title" and len(texts[lang]) > TITLE_MAX:
                    self.add(path, line, entry, field, lang,
                             f"longer than {TITLE_MAX} characters ({len(texts[lang])})")
        return texts

    def entry(self, path: Path, category: str, item: object, seen: dict[str, str],
              phrasings: dict[tuple[str, str], str]) -> Entry | None:
        if not isinstance(item, LineDict):
            self.add(path, None, None, "entries", None, "each entry must be a mapping")
            return None
        eid = item.get("id")
        if not isinstance(eid, str) or not ID_PATTERN.match(eid):
            self.add(path, item.line, str(eid) if eid else None, "id", None,
                     "missing or malformed (expected lowercase group.name)")
            return None
        ok = True
        if eid in seen:
            self.add(path, item.line_of("id"), eid, "id", None,
                     f"duplicate id (also in {seen[eid]})")
            ok = False
        seen.setdefault(eid, path.name)
        for key in item:
            if key not in ENTRY_FIELDS:
                self.add(path, item.line_of(key), eid, str(key), None, "unknown field")

        audience = item.get("audience")
        if audience not in AUDIENCES:
            self.add(path, item.line_of("audience"), eid, "audience", None,
                     f"must be one of {', '.join(AUDIENCES)}")
            ok = False
        crisis = item.get("crisis", False)
        if not isinstance(crisis, bool):
            self.add(path, item.line_of("crisis"), eid, "crisis", None, "must be true or false")
            ok = False
        age_min = item.get("age_min")
        if age_min is not None and (
            not isinstance(age_min, int) or isinstance(age_min, bool) or not 0 < age_min < 19
        ):
            self.add(path, item.line_of("age_min"), eid, "age_min", None,
                     "must be a whole number of years from 1 to 18")
            ok = False

        title = self.lang_texts(path, item, eid, "title", item.get("title"))
        questions = self.questions(path, item, eid, phrasings)
        keywords = self.keywords(path, item, eid)
        answer = self.answer(path, item, eid, bool(crisis))
        sources = self.sources(path, item, eid)
        reviewed = self.reviewed(path, item, eid)
        related = item.get("related", [])
        if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
            self.add(path, item.line_of("related"), eid, "related", None, "must be a list of ids")
            related = []
        complete = (
            len(title) == len(LANGS) and len(answer) == len(LANGS)
            and len(questions) == len(LANGS) and sources and reviewed is not None
        )
        if not ok or not complete:
            return None
        assert reviewed is not None
        return Entry(
            id=eid, category=category, audience=str(audience), crisis=bool(crisis),
            age_min=age_min, title=title, questions=questions, keywords=keywords,
            answer=answer, sources=tuple(sources), reviewed=reviewed, related=tuple(related),
        )

    def questions(self, path: Path, item: LineDict, eid: str,
                  phrasings: dict[tuple[str, str], str]) -> dict[str, tuple[str, ...]]:
        value = item.get("questions")
        line = item.line_of("questions")
        if not isinstance(value, Mapping):
            self.add(path, line, eid, "questions", None, "missing: needs kk, ru and en lists")
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for lang in LANGS:
            items = value.get(lang)
            lang_line = getattr(value, "key_lines", {}).get(lang, line)
            if not isinstance(items, list):
                self.add(path, lang_line, eid, "questions", lang,
                         "missing translation" if items is None else "must be a list")
                continue
            texts = [q.strip() for q in items if isinstance(q, str) and q.strip()]
            if len(texts) != len(items):
                self.add(path, lang_line, eid, "questions", lang, "empty or non-text phrasing")
            if len(texts) < MIN_QUESTIONS:
                self.add(path, lang_line, eid, "questions", lang,
                         f"fewer than {MIN_QUESTIONS} phrasings ({len(texts)})")
                continue
            for text in texts:
                key = (lang, phrasing_key(text))
                other = phrasings.get(key)
                if other is not None:
                    where = "twice in this entry" if other == eid else f"also in {other}"
                    self.add(path, lang_line, eid, "questions", lang,
                             f"duplicate phrasing {text!r} ({where})")
                phrasings.setdefault(key, eid)
            result[lang] = tuple(texts)
        return result

    def keywords(self, path: Path, item: LineDict, eid: str) -> dict[str, tuple[str, ...]]:
        value = item.get("keywords")
        if value is None:
            return {lang: () for lang in LANGS}
        if not isinstance(value, Mapping):
            self.add(path, item.line_of("keywords"), eid, "keywords", None,
                     "must be a kk/ru/en mapping of lists")
            return {lang: () for lang in LANGS}
        result: dict[str, tuple[str, ...]] = {}
        for lang in LANGS:
            words = value.get(lang) or []
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                self.add(path, item.line_of("keywords"), eid, "keywords", lang,
                         "must be a list of words")
                words = []
            result[lang] = tuple(w.strip() for w in words if w.strip())
        return result

    def answer(self, path: Path, item: LineDict, eid: str, crisis: bool) -> dict[str, str]:
        texts = self.lang_texts(path, item, eid, "answer", item.get("answer"))
        line = item.line_of("answer")
        resolved: dict[str, str] = {}
        for lang, text in texts.items():
            used = PLACEHOLDER.findall(text)
            unknown = sorted({key for key in used if key not in self.resources})
            for key in unknown:
                self.add(path, line, eid, "answer", lang, f"unknown placeholder {{{key}}}")
            stray = PLACEHOLDER.sub("", text)
            if "{" in stray or "}" in stray:
                self.add(path, line, eid, "answer", lang,
                         "curly braces are reserved for placeholders like {helpline.family}")
            for number in sorted(set(SERVICE_NUMBER.findall(stray))
                                 & self.numbers):
                self.add(path, line, eid, "answer", lang,
                         f"service number {number} written directly: use its placeholder")
            if PHONE_LIKE.search(stray):
                self.add(path, line, eid, "answer", lang,
                         "looks like a phone number: put it in resources.yaml")
            if crisis and not (
                any(k.startswith("emergency.") for k in used)
                and any(k.startswith("helpline.") for k in used)
            ):
                self.add(path, line, eid, "answer", lang,
                         "crisis answer must include an {emergency.*} and a {helpline.*} "
                         "placeholder")
            if unknown:
                continue
            final = resolve(text, lang, self.resources)
            if utf16_len(final) > TELEGRAM_MAX_TEXT:
                self.add(path, line, eid, "answer", lang,
                         f"longer than Telegram's {TELEGRAM_MAX_TEXT} characters "
                         f"({utf16_len(final)}) after placeholders")
            words = len(stray.split())
            if not ANSWER_WORDS[0] <= words <= ANSWER_WORDS[1]:
                self.add(path, line, eid, "answer", lang,
                         f"{words} words, outside the editorial range "
                         f"{ANSWER_WORDS[0]}-{ANSWER_WORDS[1]}", warning=True)
            resolved[lang] = final
        return resolved

    def sources(self, path: Path, item: LineDict, eid: str) -> list[Source]:
        value = item.get("sources")
        line = item.line_of("sources")
        if not isinstance(value, list) or not value:
            self.add(path, line, eid, "sources", None, "no source: cite at least one")
            return []
        result: list[Source] = []
        for source in value:
            title = source.get("title") if isinstance(source, Mapping) else None
            url = source.get("url") if isinstance(source, Mapping) else None
            sline = getattr(source, "line", line)
            if not isinstance(title, str) or not title.strip():
                self.add(path, sline, eid, "sources", None, "source without a title")
            elif not isinstance(url, str) or not URL_PATTERN.match(url.strip()):
                self.add(path, sline, eid, "sources", None, f"source {title!r} without a valid url")
            else:
                result.append(Source(title.strip(), url.strip()))
        return result if len(result) == len(value) else []

    def reviewed(self, path: Path, item: LineDict, eid: str) -> date | None:
        value = item.get("reviewed")
        line = item.line_of("reviewed")
        if value is None:
            self.add(path, line, eid, "reviewed", None, "missing review date (YYYY-MM-DD)")
            return None
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, date):
            self.add(path, line, eid, "reviewed", None, "must be a date YYYY-MM-DD")
            return None
        if value > self.today:
            self.add(path, line, eid, "reviewed", None, f"{value.isoformat()} is in the future")
            return None
        return value


def load_knowledge_base(
    root: Path, *, today: date | None = None, strict: bool = True
) -> tuple[KnowledgeBase, list[Problem]]:
    """Load every category file under `root` (not `drafts/`), and the user-style questions
    under `examples/`.

    Returns the base and all problems. With `strict`, raises KnowledgeBaseError if there is
    any error, so that the bot never serves half a base.
    """
    root = Path(root)
    validator = _Validator(root, today or date.today())
    kb = KnowledgeBase()
    if not root.is_dir():
        validator.add(root, None, None, None, None, "knowledge base folder not found")
        raise KnowledgeBaseError(validator.problems)
    validator.load_resources()
    kb.resources = validator.resources
    seen: dict[str, str] = {}
    phrasings: dict[tuple[str, str], str] = {}
    pending: list[tuple[Path, int, Entry]] = []
    files = sorted(p for p in root.glob("*.yaml") if p.name != RESOURCES_FILE)
    if not files:
        validator.add(root, None, None, None, None, "no category files (*.yaml)")
    for path in files:
        validator.load_file(path, kb, seen, phrasings, pending)
    for path, line, entry in pending:
        for rid in entry.related:
            if rid not in seen:
                validator.add(path, line, entry.id, "related", None, f"unknown id {rid!r}")
            elif rid == entry.id:
                validator.add(path, line, entry.id, "related", None, "refers to itself")
    validator.load_examples(kb)
    if strict and validator.errors():
        raise KnowledgeBaseError(validator.problems)
    return kb, validator.problems
