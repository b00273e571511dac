"""The matcher on questions it was not tuned on (tests/eval/heldout.jsonl), per language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import PROJECT_DIR
from bot.config import load_settings
from bot.kb import load_knowledge_base
from bot.matching.evaluate import evaluate, failures, format_report, read_jsonl
from bot.matching.matcher import Matcher, Thresholds

EVAL = Path(__file__).parent / "eval"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    kb, _ = load_knowledge_base(PROJECT_DIR / "knowledge_base")
    s = load_settings()
    return Matcher(kb, Thresholds(s.match_answer_score, s.match_answer_margin,
                                  s.match_offer_score))


def test_eval_sets_are_big_enough_and_labelled() -> None:
    items = read_jsonl(EVAL / "heldout.jsonl")
    kinds = {k: [i for i in items if i["kind"] == k]
             for k in ("in_scope", "out_of_scope", "crisis")}
    assert len(kinds["in_scope"]) >= 300
    assert len(kinds["out_of_scope"]) >= 60
    assert len(kinds["crisis"]) >= 60
    for lang in ("kk", "ru", "en"):
        assert sum(i["lang"] == lang for i in kinds["in_scope"]) >= 90
    tune = {i["text"] for i in read_jsonl(EVAL / "tune.jsonl")}
    assert not tune & {i["text"] for i in items}, "held-out questions must not be tuned on"


def test_heldout_targets_per_language(matcher: Matcher) -> None:
    stats = evaluate(matcher, read_jsonl(EVAL / "heldout.jsonl"))
    report = format_report(stats)
    print(report)
    assert failures(stats) == [], report


def test_ask_cli_single_and_jsonl() -> None:
    one = subprocess.run([sys.executable, "-m", "bot", "ask", "--lang", "auto",
                          "месячные не идут уже месяц"], cwd=PROJECT_DIR, capture_output=True,
                         text=True, timeout=120)
    decision = json.loads(one.stdout)
    assert decision["action"] in ("answer", "clarify")
    assert set(decision) == {"action", "entry_id", "candidates", "lang", "score"}
    lines = "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(
        ["не хочу жить", "etekkir kelmei zhatyr", "my grandmother has high blood pressure",
         "not json"] * 250))
    many = subprocess.run([sys.executable, "-m", "bot", "ask", "--jsonl"], cwd=PROJECT_DIR,
                          input=lines.replace('"not json"}', '"not json"} x'),
                          capture_output=True, text=True, timeout=120)
    out = [json.loads(line) for line in many.stdout.splitlines()]
    assert len(out) == 1000
    assert out[0]["action"] == "crisis" and out[0]["entry_id"] == "mental.suicidal_thoughts"
    assert out[0]["id"] == 0 and out[0]["lang"] == "ru"
    assert out[2]["action"] == "escalate" and out[2]["entry_id"] is None
