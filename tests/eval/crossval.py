"""5-fold cross-validation of the whole matcher over tests/eval/tune.jsonl (a developer tool).

For each fold, the fold's texts are removed from every example source (the base's user-style
examples and out-of-scope list, and the curated crisis and ordinary examples) before the
matcher is built with the settings' thresholds; the fold's lines are then decided. Prints the
figures `python -m bot eval` prints, and with `--trace FILE` writes one JSON line per question
(decision, crisis signals, top five scores) for choosing thresholds offline.
Run from the repository root: `python tests/eval/crossval.py [--trace FILE]` (about 2 min).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import bot.matching.crisis_model as crisis_model  # noqa: E402
import bot.matching.entry_model as entry_model  # noqa: E402
from bot.app import build_matcher  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.kb import load_knowledge_base  # noqa: E402
from bot.matching.evaluate import LangStats, evaluate, format_report, read_jsonl  # noqa: E402
from bot.matching.matcher import Decision, Matcher  # noqa: E402
from bot.matching.normalize import normalize  # noqa: E402

FOLDS = 5


def fold_of(item: dict[str, object]) -> int:
    return zlib.crc32(str(item["id"]).encode()) % FOLDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", type=Path, help="write one JSON line per question here")
    args = parser.parse_args()
    rows = read_jsonl(ROOT / "tests/eval/tune.jsonl")
    kb, _ = load_knowledge_base(ROOT / "knowledge_base")
    settings = load_settings()
    curated = (crisis_model.CRISIS_EXAMPLES, crisis_model.ORDINARY_EXAMPLES,
               entry_model.CRISIS_EXAMPLES)
    total: dict[str, LangStats] = {}
    trace = args.trace.open("w", encoding="utf-8") if args.trace else None
    try:
        for fold in range(FOLDS):
            test = [r for r in rows if fold_of(r) == fold]
            drop = {normalize(str(r["text"])) for r in test}

            def keep(texts: tuple[str, ...], drop: set[str] = drop) -> tuple[str, ...]:
                return tuple(t for t in texts if normalize(t) not in drop)

            crisis_model.CRISIS_EXAMPLES = {k: keep(v) for k, v in curated[0].items()}
            crisis_model.ORDINARY_EXAMPLES = keep(curated[1])
            entry_model.CRISIS_EXAMPLES = {k: keep(v) for k, v in curated[2].items()}
            fold_kb = dataclasses.replace(
                kb, examples={k: keep(v) for k, v in kb.examples.items()},
                out_of_scope=keep(kb.out_of_scope))
            matcher = build_matcher(fold_kb, settings)

            def write_trace(r: dict[str, object], decision: Decision,
                            matcher: Matcher = matcher) -> None:
                assert trace is not None
                text = str(r["text"])
                whole = normalize(text)
                label, p = (matcher.crisis.classifier.predict_proba(whole)
                            if matcher.crisis.classifier and whole else (None, 0.0))
                trace.write(json.dumps({
                    **r, **decision.to_json(), "crisis_label": label,
                    "classifier": round(p, 4),
                    "entry_model_crisis": round(matcher.crisis_share(whole), 4),
                    "top": [(s.entry_id, round(s.score, 2)) for s in matcher.rank(text)],
                }, ensure_ascii=False) + "\n")

            for lang, stats in evaluate(matcher, test, write_trace if trace else None).items():
                total.setdefault(lang, LangStats()).add(stats)
            print(f"fold {fold + 1}/{FOLDS}: {len(test)} lines", file=sys.stderr)
    finally:
        crisis_model.CRISIS_EXAMPLES, crisis_model.ORDINARY_EXAMPLES = curated[:2]
        entry_model.CRISIS_EXAMPLES = curated[2]
        if trace is not None:
            trace.close()
    print(format_report(total))


if __name__ == "__main__":
    main()
