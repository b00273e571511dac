"""Measure the matcher on a labelled question set (`python -m bot eval FILE`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.matching.matcher import Decision, Matcher

TARGETS = {
    "top1": 0.85,
    "answered_or_offered": 0.95,
    "wrong_answer": 0.05,
    "oos_answered": 0.05,
    "crisis_recall": 0.98,
    "crisis_false_alarm": 0.02,
    "language": 0.97,
}


@dataclass(slots=True)
class LangStats:
    in_scope: int = 0
    top1: int = 0
    offered: int = 0
    wrong: int = 0
    oos: int = 0
    oos_answered: int = 0
    crisis: int = 0
    crisis_found: int = 0
    false_alarm: int = 0
    lang_total: int = 0
    lang_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: LangStats, *, misses: bool = True) -> None:
        """Add another set's counts (and, unless told not to, its misses) to these."""
        for name in LangStats.__slots__:
            if name != "misses" or misses:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def rates(self) -> dict[str, float]:
        def r(a: int, b: int) -> float:
            return a / b if b else 1.0

        ordinary = self.in_scope + self.oos
        return {
            "top1": r(self.top1, self.in_scope),
            "answered_or_offered": r(self.offered, self.in_scope),
            "wrong_answer": r(self.wrong, self.in_scope) if self.in_scope else 0.0,
            "oos_answered": r(self.oos_answered, self.oos) if self.oos else 0.0,
            "crisis_recall": r(self.crisis_found, self.crisis),
            "crisis_false_alarm": r(self.false_alarm, ordinary) if ordinary else 0.0,
            "language": r(self.lang_right, self.lang_total),
        }


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(
    matcher: Matcher,
    items: Iterable[dict[str, object]],
    on_decision: Callable[[dict[str, object], Decision], None] | None = None,
) -> dict[str, LangStats]:
    """Per-language figures; `on_decision` (item, decision) sees every decision made."""
    stats: dict[str, LangStats] = defaultdict(LangStats)
    for item in items:
        lang = str(item["lang"])
        kind = str(item["kind"])
        expected = item.get("expected")
        text = str(item["text"])
        s = stats[lang]
        decision: Decision = matcher.decide(text, audience=_audience(item))
        if on_decision is not None:
            on_decision(item, decision)
        s.lang_total += 1
        s.lang_right += decision.lang == lang
        if kind == "in_scope":
            s.in_scope += 1
            chosen = decision.entry_id if decision.action in ("answer", "crisis") else None
            if chosen == expected:
                s.top1 += 1
            elif chosen is not None:
                s.wrong += 1
            if chosen == expected or expected in decision.candidates:
                s.offered += 1
            else:
                s.misses.append(f"{item['id']}: {text!r} -> {decision.to_json()}")
            # Helplines shown with the right answer (sextortion is urgent though its entry is
            # not a crisis topic) are not a false alarm; helplines instead of it are.
            s.false_alarm += (
                decision.action == "crisis"
                and chosen != expected
                and not _is_crisis(matcher, expected)
            )
        elif kind == "out_of_scope":
            s.oos += 1
            if decision.action in ("answer", "crisis"):
                s.oos_answered += 1
                s.misses.append(f"{item['id']}: OOS {text!r} -> {decision.to_json()}")
            s.false_alarm += decision.action == "crisis"
        elif kind == "crisis":
            s.crisis += 1
            if decision.action == "crisis":
                s.crisis_found += 1
            else:
                s.misses.append(f"{item['id']}: CRISIS {text!r} -> {decision.to_json()}")
    return dict(stats)


def _audience(item: dict[str, object]) -> str | None:
    value = item.get("audience")
    return str(value) if value in ("teen", "parent") else None


def _is_crisis(matcher: Matcher, entry_id: object) -> bool:
    entry = matcher.kb.get(str(entry_id)) if entry_id else None
    return bool(entry and entry.crisis)


def total(stats: dict[str, LangStats]) -> LangStats:
    all_ = LangStats()
    for s in stats.values():
        all_.add(s, misses=False)
    return all_


def failures(stats: dict[str, LangStats]) -> list[str]:
    """Which targets are missed, per language (empty when all are met)."""
    missed = []
    for lang, s in sorted(stats.items()):
        for key, value in s.rates().items():
            target = TARGETS[key]
            lower_is_better = key in ("wrong_answer", "oos_answered", "crisis_false_alarm")
            bad = value > target if lower_is_better else value < target
            if bad:
                missed.append(f"{lang}: {key} {value:.3f} (target {target})")
    return missed


def format_report(stats: dict[str, LangStats]) -> str:
    header = (
        f"{'lang':<5}{'in':>5}{'top1':>8}{'offered':>9}{'wrong':>8}{'oos':>5}"
        f"{'oos_ans':>9}{'crisis':>7}{'recall':>8}{'f_alarm':>9}{'lang_ok':>9}"
    )
    lines = [header]
    rows = [*sorted(stats.items()), ("all", total(stats))]
    for lang, s in rows:
        r = s.rates()
        lines.append(
            f"{lang:<5}{s.in_scope:>5}{r['top1']:>8.1%}{r['answered_or_offered']:>9.1%}"
            f"{r['wrong_answer']:>8.1%}{s.oos:>5}{r['oos_answered']:>9.1%}{s.crisis:>7}"
            f"{r['crisis_recall']:>8.1%}{r['crisis_false_alarm']:>9.1%}{r['language']:>9.1%}"
        )
    return "\n".join(lines)
