"""Rewrite knowledge_base/examples/<lang>.yaml from tests/eval/tune.jsonl (a developer tool).

Rule: a language's in-scope lines, plus the crisis lines of the crisis dev sets (ids starting
with CRISIS_SETS; tune's older crisis lines added false alarms), under the entry that answers
them, entries sorted; then its out-of-scope lines under `out_of_scope`. Each file's leading
comment block is kept. Run from the repository root: `python tests/eval/regen_examples.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.kb.loader import OUT_OF_SCOPE_KEY  # noqa: E402

CRISIS_SETS = ("c3-", "c4-", "c5-", "c6-", "t4-", "t5-")


def main() -> None:
    with (ROOT / "tests/eval/tune.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for lang in ("kk", "ru", "en"):
        path = ROOT / f"knowledge_base/examples/{lang}.yaml"
        header: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                header.append(line)
            else:
                break
        by_entry: dict[str, list[str]] = {}
        out_of_scope: list[str] = []
        for row in rows:
            if row["lang"] != lang:
                continue
            if row["kind"] == "in_scope" or (
                row["kind"] == "crisis" and row["id"].startswith(CRISIS_SETS)
            ):
                by_entry.setdefault(row["expected"], []).append(row["text"])
            elif row["kind"] == "out_of_scope":
                out_of_scope.append(row["text"])
        out = list(header)
        for entry_id in sorted(by_entry):
            out.append(f"{entry_id}:")
            out += [f"  - {json.dumps(t, ensure_ascii=False)}" for t in by_entry[entry_id]]
        out.append(f"{OUT_OF_SCOPE_KEY}:")
        out += [f"  - {json.dumps(t, ensure_ascii=False)}" for t in out_of_scope]
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        examples = sum(map(len, by_entry.values()))
        print(f"{lang}: {examples} examples, {len(out_of_scope)} out of scope")


if __name__ == "__main__":
    main()
