"""The matcher on questions it was not tuned on (tests/eval/heldout.jsonl), per language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import PROJECT_DIR
from bot.app import build_matcher
from bot.config import load_settings
from bot.kb import load_knowledge_base
from bot.matching.evaluate import evaluate, failures, format_report, read_jsonl
from bot.matching.matcher import Matcher
from bot.matching.normalize import normalize

EVAL = Path(__file__).parent / "eval"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    kb, _ = load_knowledge_base(PROJECT_DIR / "knowledge_base")
    return build_matcher(kb, load_settings())


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


def test_no_held_out_question_teaches_the_entry_model() -> None:
    kb, _ = load_knowledge_base(PROJECT_DIR / "knowledge_base")
    taught = {normalize(t) for texts in kb.examples.values() for t in texts}
    taught |= {normalize(q) for e in kb.entries.values() for qs in e.questions.values()
               for q in qs}
    leaked = [i["id"] for i in read_jsonl(EVAL / "heldout.jsonl")
              if normalize(str(i["text"])) in taught]
    assert leaked == []


# Measured on heldout.jsonl (716 lines written blind on 2026-12-01 by six helpers who saw only
# the topic list, minus 16 that a user-style example, a tune line or another line already had
# word for word; the former held-out set is now part of tune) with the thresholds chosen on
# tune.jsonl by cross-validation, per language, with about one line of slack (about 40 crisis
# and 42 out-of-scope lines per language: one line is 2.4-2.6 points): the matcher must never
# fall below these. Where they are short of the issue's targets, the strict xfail below keeps
# the gap visible and fails as soon as the targets are met (then drop the xfail). Measured
# (kk/ru/en): top-1 89.3/87.8/87.2 %, answered or offered 98.1/94.2/91.7 %, wrong
# 1.9/2.6/5.8 %, out-of-scope answered 4.8/11.9/4.9 %, crisis recall 97.6/94.9/100 %, false
# alarms 1.5/4.0/3.0 %, language 99.6/99.2/99.6 %. The same set at the start of session 6
# (commit 6831971): top-1 86.8/87.2/87.2 %, answered or offered 97.5/92.3/91.7 %, wrong
# 1.9/4.5/5.8 %, out-of-scope answered 7.1/11.9/4.9 %, recall 95.1/94.9/100 %, false alarms
# 2.0/4.5/2.5 %.
FLOORS = {
    "top1": 0.86, "answered_or_offered": 0.91, "wrong_answer": 0.065, "oos_answered": 0.15,
    "crisis_recall": 0.92, "crisis_false_alarm": 0.045, "language": 0.97,
}
LOWER_IS_BETTER = {"wrong_answer", "oos_answered", "crisis_false_alarm"}


@pytest.fixture(scope="module")
def heldout_stats(matcher: Matcher):  # type: ignore[no-untyped-def]
    stats = evaluate(matcher, read_jsonl(EVAL / "heldout.jsonl"))
    print(format_report(stats))
    return stats


def test_heldout_never_falls_below_the_measured_floors(heldout_stats) -> None:  # type: ignore[no-untyped-def]
    for lang, s in heldout_stats.items():
        for key, value in s.rates().items():
            floor = FLOORS[key]
            if key in LOWER_IS_BETTER:
                assert value <= floor, f"{lang} {key} {value:.3f} > {floor}"
            else:
                assert value >= floor, f"{lang} {key} {value:.3f} < {floor}"


@pytest.mark.xfail(strict=True, reason="issue 4 targets not reached yet on held-out: crisis "
                   "recall (kk 97.6 %, ru 94.9 %), false alarms (ru 4.0 %, en 3.0 %), "
                   "out-of-scope answered (ru 11.9 %), answered or offered (ru 94.2 %, "
                   "en 91.7 %), wrong answers (en 5.8 %)")
def test_heldout_meets_the_issue_targets(heldout_stats) -> None:  # type: ignore[no-untyped-def]
    assert failures(heldout_stats) == [], format_report(heldout_stats)


def test_crisis_detection_on_the_knowledge_base_own_phrasings(matcher: Matcher) -> None:
    """Phrasings written by the base's authors (not the eval authors): every crisis phrasing
    is recognised, and fewer than 2% of ordinary ones raise a false alarm."""
    ordinary = alarms = 0
    for entry in matcher.kb.entries.values():
        for phrasings in entry.questions.values():
            for text in phrasings:
                decision = matcher.decide(text)
                if entry.crisis:
                    assert decision.action == "crisis", (entry.id, text)
                elif entry.id != "safety.online_strangers":  # sextortion is urgent on purpose
                    ordinary += 1
                    alarms += decision.action == "crisis"
    assert alarms / ordinary < 0.02, alarms


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
