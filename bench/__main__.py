"""`make bench`: matching latency and scaling, KB load time, memory; each with a baseline."""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.load import bench_load
from bench.replicas import bench_replicas
from bench.synthetic import scaled, write_yaml_base
from bot import PROJECT_DIR
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.matching.crisis import CrisisDetector
from bot.matching.evaluate import read_jsonl
from bot.matching.matcher import Matcher

KB_PATH = PROJECT_DIR / "knowledge_base"
EVAL = PROJECT_DIR / "tests" / "eval" / "heldout.jsonl"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[str], object], queries: list[str], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def queries() -> list[str]:
    if EVAL.exists():
        return [str(item["text"]) for item in read_jsonl(EVAL)]
    return ["месячные не идут", "etekkir kelmei zhatyr", "my period is late"] * 50


def bench_matching(kb: KnowledgeBase) -> None:
    texts = queries()
    print(f"\n== matching: full pipeline vs baseline (extractOne WRatio), {len(texts)} queries")
    print(f"{'base':<10}{'entries':>8}{'phrasings':>10}{'build s':>9}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'base p50':>9}{'base p99':>9}{'peak MiB':>9}  entry model")
    t0 = time.perf_counter()
    crisis = CrisisDetector.for_kb(kb)  # phrase lists + classifier, trained on the shipped base
    print(f"crisis classifier trained in {time.perf_counter() - t0:.2f} s (shipped base)")
    for factor in (1, 10, 100):
        big = scaled(kb, factor)
        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        matcher = Matcher(big, crisis=crisis)
        build = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sample = texts if factor < 100 else texts[:100]
        matcher.decide(sample[0])  # warm caches
        ours = timed(lambda q, m=matcher: m.decide(q), sample)
        raw = [q for e in big.entries.values() for qs in e.questions.values() for q in qs]
        base = timed(lambda q, r=raw: process.extractOne(q, r, scorer=fuzz.WRatio), sample)
        print(f"{'x' + str(factor):<10}{len(big):>8}{len(raw):>10}{build:>9.2f}"
              f"{statistics.median(ours):>8.2f}{percentile(ours, 99):>8.2f}"
              f"{statistics.median(base):>9.2f}{percentile(base, 99):>9.2f}"
              f"{peak / 2**20:>9.1f}  {'on' if matcher.entry_model else 'off (too large)'}")


def bench_kb_load() -> None:
    print("\n== knowledge base load time")
    t0 = time.perf_counter()
    kb, _ = load_knowledge_base(KB_PATH)
    shipped = time.perf_counter() - t0
    print(f"shipped base: {len(kb)} entries in {shipped * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        write_yaml_base(root, 1000, KB_PATH / "resources.yaml")
        t0 = time.perf_counter()
        big, _ = load_knowledge_base(root)
        took = time.perf_counter() - t0
        t0 = time.perf_counter()
        import yaml

        for path in sorted(root.glob("c*.yaml")):
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        parse_only = time.perf_counter() - t0
    print(f"synthetic base: {len(big)} entries in {took * 1000:.0f} ms "
          f"(baseline, YAML parsing alone: {parse_only * 1000:.0f} ms)")


def main() -> int:
    kb, _ = load_knowledge_base(KB_PATH)
    bench_kb_load()
    bench_matching(kb)
    bench_load(KB_PATH)
    bench_replicas(KB_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
