"""`python -m bot ...`: run the bot, check the knowledge base, ask the matcher, evaluate it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.reporting.aggregate import Report


def _kb_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb", type=Path, default=None, help="knowledge base folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run the bot (polling; the local sandbox without a token)")
    run.add_argument("--webhook", action="store_true", help="run in webhook mode")
    run.add_argument("--sandbox", action="store_true", help="force the local sandbox")

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge base, print every problem")
    _kb_arg(check)
    dump = kb_sub.add_parser("dump", help="print the loaded base")
    dump.add_argument("--json", action="store_true", required=True, help="as JSON on stdout")
    _kb_arg(dump)
    gaps = kb_sub.add_parser("gaps", help="the unanswered questions, grouped: curators' to-do")
    gaps.add_argument("--out", type=Path, required=True,
                      help="output file: .md (Markdown), .yaml or .json")
    _kb_arg(gaps)

    ask = sub.add_parser("ask", help="show what the matcher decides for a question")
    _kb_arg(ask)
    ask.add_argument("--lang", choices=["auto", "kk", "ru", "en"], default="auto")
    ask.add_argument("--audience", choices=["any", "teen", "parent"], default="any")
    ask.add_argument("--jsonl", action="store_true", help="read JSON lines from stdin")
    ask.add_argument("text", nargs="*", help="the question")

    ev = sub.add_parser("eval", help="measure the matcher on a labelled JSONL file")
    _kb_arg(ev)
    ev.add_argument("file", type=Path)
    ev.add_argument("--misses", action="store_true", help="print every miss")

    report = sub.add_parser("report", help="impact report: HTML, CSV tables, chart PNGs")
    report.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                        help="first day (UTC), included")
    report.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD",
                        help="last day (UTC), included")
    report.add_argument("--out", type=Path, required=True, help="output folder")

    keys = sub.add_parser("keys", help="encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("rotate", help="re-encrypt stored texts with the newest key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        command = args.command or "run"
        if command == "kb":
            return _kb(args, settings)
        if command == "ask":
            return _ask(args, settings)
        if command == "eval":
            return _eval(args, settings)
        if command == "keys":
            return _keys_rotate(settings)
        if command == "report":
            return _report(args.start, args.end, args.out, settings)
        from bot.runner import run

        return run(settings, webhook=getattr(args, "webhook", False),
                   sandbox=getattr(args, "sandbox", False))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _load_kb(args: argparse.Namespace, settings: Settings):  # type: ignore[no-untyped-def]
    from bot.kb import KnowledgeBaseError, load_knowledge_base

    root = args.kb or settings.kb_path
    try:
        kb, _problems = load_knowledge_base(root)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(not p.warning for p in exc.problems)
        print(f"knowledge base invalid: {errors} errors", file=sys.stderr)
        return None
    return kb


def _kb(args: argparse.Namespace, settings: Settings) -> int:
    from bot.kb import KnowledgeBaseError, load_knowledge_base
    from bot.kb.summary import summary

    root = args.kb or settings.kb_path
    if args.kb_command == "dump":
        kb = _load_kb(args, settings)
        if kb is None:
            return 1
        json.dump(kb.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.kb_command == "gaps":
        return _kb_gaps(args, settings)
    from bot.learning.drafts import check_drafts

    try:
        kb, problems = load_knowledge_base(root, strict=False)
    except KnowledgeBaseError as exc:
        kb, problems = None, exc.problems
    problems = [*problems, *check_drafts(root)]
    for problem in problems:
        print(problem)
    errors = [p for p in problems if not p.warning]
    if kb is not None:
        print(summary(kb))
    print(f"{len(errors)} errors, {len(problems) - len(errors)} warnings")
    return 1 if errors else 0


def _kb_gaps(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.learning.gaps import GapQuestion, group_gaps, matcher_nearest, write_report
    from bot.storage import create_storage

    if not settings.secret_key and not settings.encryption_keys:
        raise ConfigError("SECRET_KEY: required to read the stored data")

    async def read() -> list[GapQuestion]:
        storage = create_storage(settings)
        await storage.open()
        try:
            return [GapQuestion(*row) for row in await storage.gap_questions()]
        finally:
            await storage.close()

    questions = asyncio.run(read())
    matcher = _matcher(args, settings)
    if matcher is None:
        print("kb gaps: the knowledge base did not load, so no nearest topics",
              file=sys.stderr)
    groups = group_gaps(questions, nearest=matcher_nearest(matcher) if matcher else None)
    kind = write_report(groups, args.out)
    print(f"{len(questions)} questions in {len(groups)} groups written to {args.out} ({kind})")
    return 0


def _matcher(args: argparse.Namespace, settings: Settings):  # type: ignore[no-untyped-def]
    from bot.app import build_matcher

    kb = _load_kb(args, settings)
    if kb is None:
        return None
    return build_matcher(kb, settings)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.matching.matcher import decide_many

    matcher = _matcher(args, settings)
    if matcher is None:
        return 1
    lang = None if args.lang == "auto" else args.lang
    audience = None if args.audience == "any" else args.audience
    if args.jsonl:
        def lines():  # type: ignore[no-untyped-def]
            for number, line in enumerate(sys.stdin, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    item = {"id": None, "text": "", "error": f"line {number}: not JSON"}
                if not isinstance(item, dict):
                    item = {"id": None, "text": ""}
                item.setdefault("lang", lang)
                item.setdefault("audience", audience)
                yield item

        for result in decide_many(matcher, lines()):
            print(json.dumps(result, ensure_ascii=False), flush=False)
        sys.stdout.flush()
        return 0
    text = " ".join(args.text)
    if not text.strip():
        print("ask: give a question, or --jsonl to read JSON lines from stdin", file=sys.stderr)
        return 2
    decision = matcher.decide(text, lang=lang, audience=audience)
    print(json.dumps(decision.to_json(), ensure_ascii=False))
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.matching.evaluate import evaluate, failures, format_report, read_jsonl

    matcher = _matcher(args, settings)
    if matcher is None:
        return 1
    stats = evaluate(matcher, read_jsonl(args.file))
    print(format_report(stats))
    if args.misses:
        for lang, s in sorted(stats.items()):
            for miss in s.misses:
                print(f"[{lang}] {miss}")
    missed = failures(stats)
    for line in missed:
        print(f"below target: {line}")
    return 1 if missed else 0


def _keys_rotate(settings: Settings) -> int:
    import asyncio

    from bot.storage import create_storage
    from bot.storage.store import rotate_keys

    if not settings.secret_key and not settings.encryption_keys:
        raise ConfigError("SECRET_KEY: required to read the stored data")

    async def rotate() -> int:
        storage = create_storage(settings)
        await storage.open()
        try:
            return await rotate_keys(storage)
        finally:
            await storage.close()

    count = asyncio.run(rotate())
    print(f"re-encrypted {count} stored values with the newest key; the older keys can be "
          "removed from ENCRYPTION_KEYS now")
    return 0


class ReportArgumentError(ValueError):
    pass


def _parse_day(value: str, option: str) -> date:
    text = value.strip()
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ReportArgumentError(f"report: {option} {value!r} is not a date like 2026-01-31"
                                  ) from None


def _report(start_text: str, end_text: str, out: Path, settings: Settings) -> int:
    """`python -m bot report --from DATE --to DATE --out DIR`."""
    import asyncio

    from bot.storage import POSTGRES_SCHEMES

    try:
        start = _parse_day(start_text, "--from")
        end = _parse_day(end_text, "--to")
        if end < start:
            raise ReportArgumentError(f"report: --to {end} is before --from {start}")
    except ReportArgumentError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not settings.database_url.startswith(POSTGRES_SCHEMES) \
            and not settings.sqlite_path.exists():
        print(f"report: no database at {settings.sqlite_path} (DATABASE_URL)", file=sys.stderr)
        return 1
    try:
        written, report = asyncio.run(write_report_files(settings, start, end, out))
    except OSError as exc:
        print(f"report: cannot write into {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    csvs = sum(p.suffix == ".csv" for p in written)
    pngs = sum(p.suffix == ".png" for p in written)
    print(f"report {start} to {end}: {report.summary.questions} questions; wrote "
          f"report.html, {csvs} CSV tables and {pngs} charts to {out}")
    return 0


async def write_report_files(settings: Settings, start: date, end: date, out: Path
                             ) -> tuple[list[Path], Report]:
    """Open the storage, build the report of [start, end] and write it into `out`."""
    import asyncio

    from bot.reporting import load_report
    from bot.reporting.render import write_report
    from bot.storage import create_storage

    # The events are anonymous and never encrypted: the report reads no secret.
    storage = create_storage(settings)
    await storage.open()
    try:
        report = await load_report(storage, start, end)
    finally:
        await storage.close()
    written = await asyncio.to_thread(write_report, report, out)
    return written, report
