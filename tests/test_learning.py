"""The learning loop: `kb gaps` groups what the base could not answer (masked), and
`/promote #n` turns a delivered consultant answer into a draft entry that is not loaded."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import PROJECT_DIR
from bot.cli import main as cli_main
from bot.kb import load_knowledge_base
from bot.learning.gaps import GapQuestion, group_gaps
from bot.matching.mask import mask_personal
from bot.standin import FakeTelegram
from bot.storage import create_storage
from tests.chat import Chat, labels
from tests.conftest import SMALL_KB, bot_env
from tests.test_e2e_queue import db, eventually, register, submit_and_approve
from tests.test_e2e_user_flows import UNKNOWN, t

GAP_SET = PROJECT_DIR / "tests" / "data" / "gap_questions.jsonl"
ADMIN_ID = 7_000_333
PHONE = "+7 701 123 45 67"
EMAIL = "aru.2009@mail.ru"
SECRETS = ("701", "123 45 67", "1234567", "aru.2009", "mail.ru", "@mail")


def labelled() -> list[dict[str, str]]:
    return [json.loads(line) for line in GAP_SET.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_paraphrases_group_together_and_subjects_stay_apart() -> None:
    rows = labelled()
    groups = group_gaps(GapQuestion(r["text"], r["lang"], "escalated") for r in rows)
    where: dict[str, int] = {}
    for number, group in enumerate(groups):
        for q in group.questions:
            where[q.text] = number
    subject = {r["text"]: r["group"] for r in rows}
    subject = {mask_personal(k): v for k, v in subject.items()}
    # No group mixes two different questions.
    for group in groups:
        assert len({subject[q.text] for q in group.questions}) == 1, group.samples()
    # Paraphrases of one question (in one language) share a group: 14 of the 15 sets whole
    # (measured; the threshold was chosen on this set), and pairwise recall >= 0.95.
    sets: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        sets[(r["group"], r["lang"])].add(where[mask_personal(r["text"])])
    paraphrase_sets = {k: v for k, v in sets.items() if not k[0].startswith("single_")}
    whole = sum(len(v) == 1 for v in paraphrase_sets.values())
    assert len(paraphrase_sets) == 15 and whole >= 14
    pairs = same = 0
    for a, b in itertools.combinations(rows, 2):
        if a["group"] == b["group"] and a["lang"] == b["lang"]:
            pairs += 1
            same += where[mask_personal(a["text"])] == where[mask_personal(b["text"])]
    assert same / pairs >= 0.95
    # Largest groups first; the unrelated singletons stay alone.
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    for r in rows:
        if r["group"].startswith("single_"):
            assert groups[where[mask_personal(r["text"])]].count == 1


async def test_kb_gaps_from_escalated_questions(start_bot: Any, standin: FakeTelegram,
                                                tmp_path: Path) -> None:
    bot = await start_bot()
    rows = labelled()
    through_bot = [r for r in rows if r["group"] == "callback"
                   or (r["group"] == "nails" and r["lang"] == "ru")]
    assert any(PHONE in r["text"] for r in through_bot)
    assert any(EMAIL in r["text"] for r in through_bot)
    for number, row in enumerate(through_bot):
        chat = Chat(standin, standin.user(f"Asker{number}", language_code=row["lang"]))
        (offer,) = await chat.send(row["text"])
        assert t(row["lang"], "Yes, send it") in labels(offer)  # no answer: a consultant?
    await eventually(bot, "SELECT COUNT(*) FROM gap_questions", (), [(len(through_bot),)])
    await bot.stop()

    # The rest of the set, as if asked earlier; one marked "not what I asked".
    storage = create_storage(bot.settings)
    await storage.open()
    try:
        for row in rows:
            if row not in through_bot:
                await storage.add_gap_question(row["text"], row["lang"], "escalated", None)
        await storage.add_gap_question("болят зубы от брекетов", "ru", "not_helpful",
                                       "periods.pain")
    finally:
        await storage.close()
    stored = db(bot, "SELECT text FROM gap_questions")
    assert len(stored) == len(rows) + 1

    env = bot_env({"DATABASE_URL": bot.settings.database_url, "KB_PATH": str(SMALL_KB),
                   "SECRET_KEY": bot.settings.secret_key})
    outputs = {}
    for name in ("gaps.md", "gaps.yaml"):
        out = tmp_path / name
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot", "kb", "gaps", "--out", str(out)],
            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert f"{len(rows) + 1} questions" in done.stdout
        outputs[name] = out.read_text(encoding="utf-8")

    for text in outputs.values():
        for secret in SECRETS:
            assert secret not in text, secret
    assert "<phone>" in outputs["gaps.yaml"] and "<email>" in outputs["gaps.yaml"]
    assert "\\<phone>" in outputs["gaps.md"]  # visible in rendered Markdown too

    report = yaml.safe_load(outputs["gaps.yaml"])
    groups = report["groups"]
    assert report["questions"] == sum(g["count"] for g in groups) == len(rows) + 1
    assert [g["count"] for g in groups] == sorted((g["count"] for g in groups), reverse=True)

    def group_of(sample: str) -> dict[str, Any]:
        return next(g for g in groups if any(sample in s for s in g["samples"]))

    # "Can someone call me": the three phrasings asking for a call are one group; the one
    # asking for a call back or an e-mail is the set's known miss (14 of 15 sets whole) and
    # stays apart rather than joining another subject.
    callback = group_of("can a doctor call me on the phone")
    assert callback["count"] == 3 and callback["languages"] == {"en": 3}
    assert callback["reasons"] == {"escalated": 3}
    assert sum("<phone>" in s for s in callback["samples"]) == 2
    by_email = group_of("email me at <email>")
    assert by_email["count"] == 1
    nails = group_of("грызу ногти что делать")
    assert nails["count"] == 4 and nails is not callback
    braces = group_of("болят зубы от брекетов")
    assert braces["reasons"] == {"escalated": 4, "not_helpful": 1}
    assert braces["answers_shown"] == {"periods.pain": 1}
    kb, _problems = load_knowledge_base(SMALL_KB)
    assert all(g["nearest_topic"]["id"] in kb.entries for g in groups)
    assert "## 1. " in outputs["gaps.md"] and "nearest topic: `" in outputs["gaps.md"]


@pytest.fixture
async def promote_team(start_bot: Any, standin: FakeTelegram, tmp_path: Path
                       ) -> dict[str, Any]:
    kb_path = tmp_path / "kb"
    shutil.copytree(SMALL_KB, kb_path)
    bot = await start_bot(admin_ids=(ADMIN_ID,), kb_path=kb_path)
    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    consultant = await register(standin, admin, "consultant", "Doctor Aigerim")
    moderator = await register(standin, admin, "moderator", "Moderator Saule")
    return {"bot": bot, "kb": kb_path, "consultant": consultant, "moderator": moderator}


async def ask_consultant(standin: FakeTelegram, name: str, text: str) -> int:
    girl = Chat(standin, standin.user(name, language_code="ru"))
    (offer,) = await girl.send(text)
    (received,) = await girl.press(offer, t("ru", "Yes, send it"))
    return int(received.text.split("#")[1].split()[0].rstrip(".,"))


async def test_promote_writes_a_draft_that_is_not_loaded(promote_team: dict[str, Any],
                                                         standin: FakeTelegram,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    bot, kb_path = promote_team["bot"], promote_team["kb"]
    consultant, moderator = promote_team["consultant"], promote_team["moderator"]
    question = f"{UNKNOWN['ru']}? мой номер {PHONE}"
    number = await ask_consultant(standin, "Aru", question)
    waiting = await ask_consultant(standin, "Bota", UNKNOWN["ru"])

    cards = await consultant.send("/queue", expect=2)
    card = next(c for c in cards if c.text.startswith(f"#{number}")
                and t("en", "Claim") in labels(c))
    await consultant.press(card, t("en", "Claim"))
    answer = "Визу оформляют в посольстве.\nДо 18 лет нужно согласие родителей."
    await submit_and_approve(standin, consultant, moderator, answer)
    await eventually(bot, "SELECT state FROM tickets WHERE id = ?", (number,),
                     [("delivered",)])

    # A consultant may not promote; an unanswered ticket has nothing to promote.
    (refused,) = await consultant.send(f"/promote #{number}")
    assert refused.text == t("en", "Only moderators and admins can promote answers to the "
                                   "knowledge base.")
    assert not (kb_path / "drafts").exists()
    (nothing,) = await moderator.send(f"/promote #{waiting}")
    assert nothing.text == t("en", "#{number} has no delivered answer yet, so there is "
                                   "nothing to promote.").format(number=waiting)
    (usage,) = await moderator.send("/promote")
    assert usage.text.startswith("Usage: /promote")

    (done,) = await moderator.send(f"/promote #{number}")
    drafts = list((kb_path / "drafts").glob("*.yaml"))
    assert len(drafts) == 1 and drafts[0].name in done.text
    text = drafts[0].read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text
    draft = yaml.safe_load(text)
    assert draft["status"] == "draft" and draft["language"] == "ru"
    (entry,) = draft["entries"]
    assert entry["questions"]["ru"] == [f"{UNKNOWN['ru']}? мой номер <phone>"]
    assert entry["answer"]["ru"].strip() == answer
    assert entry["questions"]["kk"] == [] and entry["answer"]["en"] == ""
    assert "reviewed" not in entry

    # Promoting again does not overwrite a draft a curator may be editing.
    (again,) = await moderator.send(f"/promote #{number}")
    assert again.text == t("en", "A draft from #{number} exists already in "
                                 "knowledge_base/drafts/.").format(number=number)
    assert len(list((kb_path / "drafts").glob("*.yaml"))) == 1

    # The bot's loader never reads drafts; `kb check` names the missing languages.
    kb, _problems = load_knowledge_base(kb_path)
    small, _ = load_knowledge_base(SMALL_KB)
    assert set(kb.entries) == set(small.entries) and entry["id"] not in kb.entries
    assert cli_main(["kb", "check", "--kb", str(kb_path)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if f"drafts/{drafts[0].name}" in x)
    assert "warning" in line and "kk (title, questions, answer)" in line
    assert "en (title, questions, answer)" in line and "ru (title)" in line
    assert "0 errors" in out


def test_gaps_output_format_follows_the_extension(tmp_path: Path) -> None:
    from bot.learning.gaps import write_report

    questions = [GapQuestion(f"call me at {PHONE} please", "en", "escalated"),
                 GapQuestion(f"please call me at {PHONE}", "en", "escalated"),
                 GapQuestion("как бросить грызть ногти", "ru", "not_helpful", "periods.pain")]
    groups = group_gaps(questions)
    assert [g.count for g in groups] == [2, 1]
    kinds = {name: write_report(groups, tmp_path / name)
             for name in ("g.md", "g.yaml", "g.json")}
    assert kinds == {"g.md": "markdown", "g.yaml": "yaml", "g.json": "json"}
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data == yaml.safe_load((tmp_path / "g.yaml").read_text(encoding="utf-8"))
    assert data["groups"][0]["samples"] == ["call me at <phone> please",
                                            "please call me at <phone>"]
    assert data["groups"][1]["reasons"] == {"not_helpful": 1}
    for name in kinds:
        assert "701" not in (tmp_path / name).read_text(encoding="utf-8")
