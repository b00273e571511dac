"""The shipped knowledge base: clean, complete, sourced, and safe in the ways a test can see."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_DIR
from bot.kb import load_knowledge_base
from bot.kb.resources import PLACEHOLDER

KB = PROJECT_DIR / "knowledge_base"
TOPICS = Path(__file__).parent / "data" / "kb_topics.yaml"
SHARED_TOPICS = PROJECT_DIR.parent / "shared" / "kb_topics.yaml"
TRUSTED_SOURCES = ("who.int", "unicef.org", "unfpa.org", "unesco.org", "gov.kz", "adilet.zan.kz")


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    base, _ = load_knowledge_base(KB)
    return base


def required_topics() -> list[dict[str, object]]:
    return yaml.safe_load(TOPICS.read_text(encoding="utf-8"))["topics"]


def test_kb_check_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "kb", "check"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 errors" in result.stdout


def test_topic_list_copy_matches_the_shared_one() -> None:
    if not SHARED_TOPICS.exists():
        pytest.skip("shared/kb_topics.yaml is not beside this clone")
    assert TOPICS.read_text(encoding="utf-8") == SHARED_TOPICS.read_text(encoding="utf-8")


def test_every_required_topic_is_present_as_specified(kb) -> None:  # type: ignore[no-untyped-def]
    topics = required_topics()
    assert len(topics) == 87
    for topic in topics:
        entry = kb.get(topic["id"])
        assert entry is not None, topic["id"]
        assert entry.audience == topic["audience"], topic["id"]
        assert entry.crisis == bool(topic.get("crisis", False)), topic["id"]
        for lang in ("kk", "ru", "en"):
            assert len(entry.questions[lang]) >= 5, (topic["id"], lang)
            assert entry.answer[lang].strip(), (topic["id"], lang)


def test_sources_are_from_trusted_organisations(kb) -> None:  # type: ignore[no-untyped-def]
    for entry in kb.entries.values():
        assert entry.sources, entry.id
        assert any(any(host in s.url for host in TRUSTED_SOURCES) for s in entry.sources), \
            entry.id


def test_answers_carry_no_phone_number_except_through_resources(kb) -> None:  # type: ignore[no-untyped-def]
    resource_texts = {t for texts in kb.resources.values() for t in texts.values()}
    for entry in kb.entries.values():
        for lang, answer in entry.answer.items():
            stripped = answer
            for text in resource_texts:
                stripped = stripped.replace(text, "")
            assert not re.search(r"\+?\d[\d\s\-()]{6,}\d", stripped), (entry.id, lang)
            assert not PLACEHOLDER.search(answer), (entry.id, lang)


def test_crisis_answers_lead_with_help(kb) -> None:  # type: ignore[no-untyped-def]
    emergency = kb.resources["emergency.general"]
    for entry in kb.entries.values():
        if not entry.crisis:
            continue
        for lang, answer in entry.answer.items():
            head = answer[: len(answer) // 3]
            assert emergency[lang] in head, (entry.id, lang)


def test_dump_is_json_with_resolved_placeholders() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "kb", "dump", "--json"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    ids = {e["id"] for e in data["entries"]}
    assert {t["id"] for t in required_topics()} <= ids
    first = data["entries"][0]
    assert set(first) >= {"id", "audience", "crisis", "questions", "answer", "sources",
                          "reviewed"}
    for entry in data["entries"]:
        for text in entry["answer"].values():
            assert not PLACEHOLDER.search(text) and "{" not in text, entry["id"]
