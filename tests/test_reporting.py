"""Impact reporting: the report's numbers against a direct count of generated events, the
small-number suppression, report files that hold no text, pseudonym or id, and /report."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import html
import io
import math
import os
import random
import re
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot import PROJECT_DIR
from bot.cli import main
from bot.config import Settings, load_settings
from bot.privacy import Cipher, pseudonym
from bot.reporting.aggregate import build_report
from bot.reporting.render import write_report
from bot.standin import FakeTelegram
from bot.storage import create_storage
from bot.storage.events_store import Event
from tests.backends import database_url, sql
from tests.chat import Chat
from tests.conftest import TEST_SECRET, bot_env
from tests.test_e2e_queue import ask, register, submit_and_approve, wait_sent
from tests.test_e2e_user_flows import CRISIS, QUESTIONS, UNKNOWN, t

START, END = date(2026, 10, 20), date(2026, 11, 12)  # two months
BIG, SMALL_SITE = "a1b2c3d4", "feedbeef"
SITE_NAMES = {BIG: "School 25", SMALL_SITE: "Clinic 3"}
TOPICS = ("periods.late", "periods.pain", "puberty.changes", "stress.exams", "baby.sleep",
          "rare.topic")
TOPIC_WEIGHTS = (8, 5, 4, 4, 3, 0.3)
KINDS = ("question", "helpful", "not_helpful", "escalated", "crisis_shown", "ticket_answered",
         "rating", "forget")
ANY = object()  # "all" in the report: no filter on this field


# -- generated events ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Generated:
    day: str
    event: Event

    @property
    def month(self) -> str:
        return self.day[:7]


def generate(seed: int = 20261201) -> list[tuple[float, Event]]:
    """Random but seeded events over two months, three languages, three audiences, two sites
    (one of them small) and users who came through no site."""
    rnd = random.Random(seed)
    out: list[tuple[float, Event]] = []
    day = START
    while day <= END:
        for _ in range(rnd.randint(2, 30)):
            at = datetime(day.year, day.month, day.day, rnd.randint(0, 20), rnd.randint(0, 59),
                          tzinfo=UTC).timestamp()
            site = rnd.choices([None, BIG, SMALL_SITE], weights=[6, 4, 0.4])[0]
            lang = rnd.choices(["kk", "ru", "en"], weights=[4, 5, 1])[0]
            audience = rnd.choice(["teen", "parent", None])
            decision = rnd.choices(["answer", "clarify", "escalate", "crisis"],
                                   weights=[6, 2, 2, 0.4])[0]
            topic: str | None = rnd.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
            if decision == "escalate" and rnd.random() < 0.3:
                topic = None
            out.append((at, Event("question", lang, audience, decision, topic, "60-69", site)))
            if decision == "answer" and rnd.random() < 0.6:
                kind = "helpful" if rnd.random() < 0.7 else "not_helpful"
                out.append((at + 30, Event(kind, lang, audience, topic=topic, site=site)))
            if decision == "crisis":
                out.append((at + 1, Event("crisis_shown", lang, audience, topic=topic,
                                          site=site)))
            if decision == "escalate" and rnd.random() < 0.7:
                out.append((at + 60, Event("escalated", lang, audience, topic=topic, site=site)))
                if rnd.random() < 0.8:
                    wait = rnd.uniform(300, 30 * 3600)
                    out.append((at + wait, Event("ticket_answered", lang, audience, topic=topic,
                                                 site=site, value=wait)))
                    if rnd.random() < 0.7:
                        stars = rnd.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6])[0]
                        out.append((at + wait + 600, Event("rating", lang, audience, site=site,
                                                           value=stars)))
            if rnd.random() < 0.02:
                out.append((at + 90, Event("forget", lang, audience, site=site)))
        day += timedelta(days=1)
    return out


def utc_day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).date().isoformat()


class Truth:
    """Direct counts over the generated events (independent of the code under test)."""

    def __init__(self, generated: list[tuple[float, Event]]) -> None:
        first, last = START.isoformat(), END.isoformat()
        self.events = [Generated(utc_day(at), e) for at, e in generated
                       if first <= utc_day(at) <= last]

    def select(self, kind: str, month: Any = ANY, site: Any = ANY,
               **fields: Any) -> list[Event]:
        return [g.event for g in self.events
                if g.event.kind == kind and (month is ANY or g.month == month)
                and (site is ANY or g.event.site == site)
                and all(getattr(g.event, k) == v for k, v in fields.items())]

    def count(self, kind: str, month: Any = ANY, site: Any = ANY, **fields: Any) -> int:
        return len(self.select(kind, month, site, **fields))

    def by_day(self, day: str, lang: str | None = None) -> int:
        return sum(1 for g in self.events if g.event.kind == "question" and g.day == day
                   and (lang is None or g.event.lang == lang))


@dataclass
class Run:
    out: Path
    stdout: str
    truth: Truth


def isolated_env(mp: pytest.MonkeyPatch, **values: str) -> None:
    names = {name.upper() for name in Settings.model_fields}
    for key in list(os.environ):
        if key.upper() in names:
            mp.delenv(key, raising=False)
    mp.setitem(Settings.model_config, "env_file", ())
    for key, value in values.items():
        mp.setenv(key, value)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Record the generated events through the real storage, then run the report command."""
    tmp = tmp_path_factory.mktemp("report")
    url = database_url(tmp, "events")
    generated = generate()

    async def record() -> None:
        settings = load_settings(secret_key=TEST_SECRET, database_url=url)
        storage = create_storage(settings, Cipher([Fernet.generate_key()]))
        await storage.open()
        try:
            for at, event in generated:
                await storage.record(event, at=at)
        finally:
            await storage.close()

    asyncio.run(record())
    for code, name in SITE_NAMES.items():
        sql(url, "INSERT INTO sites (code, name, created_at) VALUES (?, ?, ?)", (code, name, 0.0))
    out = tmp / "out"
    with pytest.MonkeyPatch.context() as mp:
        isolated_env(mp, DATABASE_URL=url)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["report", "--from", START.isoformat(), "--to", END.isoformat(),
                         "--out", str(out)])
    assert code == 0
    yield Run(out, buffer.getvalue(), Truth(generated))


def read_csv(run: Run, name: str) -> list[dict[str, str]]:
    with (run.out / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def site_of(label: str) -> Any:
    if label == "all":
        return ANY
    if label == "(no site)":
        return None
    code = re.fullmatch(r".+ \(([0-9a-f]+)\)", label)
    assert code, label
    assert SITE_NAMES[code.group(1)] in label
    return code.group(1)


def month_of(label: str) -> Any:
    return ANY if label == "all" else label


def check_count(cell: str, expected: int, where: str) -> None:
    """A count as an operator must see it: exact from 5 up (or hidden as x to protect a
    "<5" next to it), "<5" for 1-4, 0 for none."""
    if expected == 0:
        assert cell == "0", f"{where}: {cell!r} for 0"
    elif expected < 5:
        assert cell == "<5", f"{where}: {cell!r} for {expected}"
    else:
        assert cell in (str(expected), "x"), f"{where}: {cell!r} for {expected}"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


# -- the numbers -------------------------------------------------------------------------------
def test_the_command_prints_one_line_and_writes_every_file(run: Run) -> None:
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    total = run.truth.count("question")
    assert lines[0].startswith(f"report {START} to {END}: {total} questions; wrote report.html")
    names = sorted(p.name for p in run.out.iterdir())
    assert "report.html" in names
    for table in ("overview", "questions_by_day", "questions_by_language", "decisions",
                  "top_topics", "helpfulness", "response_times", "ratings"):
        assert f"{table}.csv" in names
    assert {"chart_questions_per_day.png", "chart_decisions.png", "chart_sites.png",
            "chart_ratings.png"} <= set(names)


def test_overview_counts_every_kind_by_month_and_site(run: Run) -> None:
    rows = read_csv(run, "overview")
    labels = {"questions": "question", "helpful": "helpful", "not helpful": "not_helpful",
              "sent to a consultant": "escalated", "crisis help shown": "crisis_shown",
              "consultant answers": "ticket_answered", "ratings": "rating",
              "/forget used": "forget"}
    groups = {(r["month"], r["site"]) for r in rows}
    # The whole period, both months, each site and "no site", and month x site.
    assert {("all", "all"), ("2026-10", "all"), ("2026-11", "all"),
            ("all", f"School 25 ({BIG})"), ("all", f"Clinic 3 ({SMALL_SITE})"),
            ("all", "(no site)"), ("2026-11", f"School 25 ({BIG})")} <= groups
    for row in rows:
        month, site = month_of(row["month"]), site_of(row["site"])
        for column, kind in labels.items():
            check_count(row[column], run.truth.count(kind, month, site),
                        f"overview {row['month']}/{row['site']}/{column}")
    headline = rows[0]
    assert (headline["month"], headline["site"]) == ("all", "all")
    assert headline["questions"] == str(run.truth.count("question"))
    assert headline["consultant answers"] == str(run.truth.count("ticket_answered"))


def test_questions_per_day_and_language(run: Run) -> None:
    rows = read_csv(run, "questions_by_day")
    assert [r["day"] for r in rows] == [(START + timedelta(days=n)).isoformat()
                                        for n in range((END - START).days + 1)]
    for row in rows:
        for lang in ("kk", "ru", "en"):
            check_count(row[lang], run.truth.by_day(row["day"], lang), f"{row['day']}/{lang}")
        check_count(row["total"], run.truth.by_day(row["day"]), f"{row['day']}/total")
    for row in read_csv(run, "questions_by_language"):
        month, site = month_of(row["month"]), site_of(row["site"])
        for lang in ("kk", "ru", "en"):
            check_count(row[lang], run.truth.count("question", month, site, lang=lang),
                        f"{row['month']}/{row['site']}/{lang}")
        check_count(row["total"], run.truth.count("question", month, site), "total")


def test_share_answered_by_the_base_clarify_escalated_crisis(run: Run) -> None:
    columns = {"answer": "answered by the base", "clarify": "clarify",
               "escalate": "escalated", "crisis": "crisis"}
    rows = read_csv(run, "decisions")
    for row in rows:
        month, site = month_of(row["month"]), site_of(row["site"])
        total = run.truth.count("question", month, site)
        check_count(row["questions"], total, "questions")
        for decision, column in columns.items():
            n = run.truth.count("question", month, site, decision=decision)
            check_count(row[column], n, f"{row['month']}/{row['site']}/{column}")
            share = row[f"{column} %"]
            if total < 5 or 0 < n < 5:
                assert share in ("n<5", "x"), (row, column)
            elif share != "x":
                assert share == pct(n, total), (row, column)
    headline = rows[0]
    total = run.truth.count("question")
    assert headline["answered by the base %"] == pct(
        run.truth.count("question", decision="answer"), total)
    assert headline["escalated %"] == pct(run.truth.count("question", decision="escalate"),
                                          total)


def test_top_topics_by_audience(run: Run) -> None:
    rows = read_csv(run, "top_topics")
    for row in rows:
        month, site = month_of(row["month"]), site_of(row["site"])
        audience = None if row["audience"] == "(unknown)" else row["audience"]
        topic = None if row["topic"] == "(no topic)" else row["topic"]
        check_count(row["questions"],
                    run.truth.count("question", month, site, audience=audience, topic=topic),
                    f"top topics {row}")
    for audience in ("teen", "parent"):
        listed = [r for r in rows if (r["month"], r["site"], r["audience"])
                  == ("all", "all", audience)]
        counts = {topic: run.truth.count("question", audience=audience, topic=topic)
                  for topic in TOPICS}
        assert listed[0]["topic"] == max(counts, key=lambda k: counts[k])
        shown = [int(r["questions"]) for r in listed if r["questions"].isdigit()]
        assert shown == sorted(shown, reverse=True)
        assert [r["rank"] for r in listed] == [str(n) for n in range(1, len(listed) + 1)]


def test_helpfulness_rate_per_topic(run: Run) -> None:
    rows = read_csv(run, "helpfulness")
    assert rows, "no helpfulness rows"
    for row in rows:
        month, site = month_of(row["month"]), site_of(row["site"])
        topic = None if row["topic"] == "(no topic)" else row["topic"]
        yes = run.truth.count("helpful", month, site, topic=topic)
        no = run.truth.count("not_helpful", month, site, topic=topic)
        check_count(row["helpful"], yes, "helpful")
        check_count(row["not helpful"], no, "not helpful")
        check_count(row["rated"], yes + no, "rated")
        rate = row["helpful rate"]
        if yes + no < 5 or 0 < yes < 5 or 0 < no < 5:
            assert rate in ("n<5", "x"), row
        elif rate != "x":
            assert rate == pct(yes, yes + no), row
    overall = [r for r in rows if (r["month"], r["site"]) == ("all", "all")]
    rates = [int(r["helpful rate"][:-1]) for r in overall if r["helpful rate"].endswith("%")]
    assert rates == sorted(rates), "lowest helpful rate first (the answers to rewrite)"
    assert len(rates) >= 4


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def test_consultant_response_times(run: Run) -> None:
    for row in read_csv(run, "response_times"):
        month, site = month_of(row["month"]), site_of(row["site"])
        waits = [e.value or 0.0 for e in run.truth.select("ticket_answered", month, site)]
        check_count(row["answered tickets"], len(waits), "answered tickets")
        if len(waits) < 5:
            assert (row["mean"], row["median"], row["p90"]) == ("n<5", "n<5", "n<5"), row
            continue
        assert row["mean"] == f"{statistics.mean(waits) / 60:.1f}", row
        assert row["median"] == f"{statistics.median(waits) / 60:.1f}", row
        assert row["p90"] == f"{nearest_rank(waits, 90) / 60:.1f}", row


def test_ratings_count_mean_and_distribution(run: Run) -> None:
    rows = read_csv(run, "ratings")
    for row in rows:
        month, site = month_of(row["month"]), site_of(row["site"])
        stars = [int(e.value or 0) for e in run.truth.select("rating", month, site)]
        check_count(row["ratings"], len(stars), "ratings")
        assert row["mean"] == (f"{statistics.mean(stars):.1f}" if len(stars) >= 5 else "n<5")
        for star in range(1, 6):
            check_count(row[str(star)], stars.count(star), f"{row['month']}/{row['site']}/{star}")
    assert rows[0]["ratings"] == str(run.truth.count("rating"))


# -- suppression -------------------------------------------------------------------------------
def all_csv_cells(run: Run) -> Iterator[tuple[str, str, str]]:
    for path in sorted(run.out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for column, cell in row.items():
                    yield path.name, column, cell


def test_no_count_from_1_to_4_appears_anywhere(run: Run) -> None:
    cells = list(all_csv_cells(run))
    small = [(f, c, v) for f, c, v in cells if v in {"1", "2", "3", "4"} and c != "rank"]
    assert small == []
    assert sum(v == "<5" for _f, _c, v in cells) > 50, "the generated data has small cells"
    page = (run.out / "report.html").read_text(encoding="utf-8")
    assert re.findall(r"<td>[1-4]</td>", page) == []
    assert "<td>&lt;5</td>" in page


def test_a_small_count_cannot_be_worked_out_by_subtraction(run: Run) -> None:
    """In a row (parts and their total) and down the sites of a month, never exactly one
    count is hidden: with one, the total minus the others would give it away."""
    def hidden(cells: list[str]) -> int:
        return sum(not c.isdigit() for c in cells)

    checked = 0
    for row in read_csv(run, "questions_by_language"):
        cells = [row[c] for c in ("kk", "ru", "en", "other", "total")]
        assert hidden(cells) != 1, row
        checked += 1
    for row in read_csv(run, "ratings"):
        cells = [row[c] for c in ("ratings", "1", "2", "3", "4", "5")]
        assert hidden(cells) != 1, row
    for row in read_csv(run, "helpfulness"):
        assert hidden([row["helpful"], row["not helpful"], row["rated"]]) != 1, row
    overview = read_csv(run, "overview")
    for month in ("2026-10", "2026-11"):
        in_month = [r for r in overview if r["month"] == month]
        for column in ("questions", "helpful", "crisis help shown", "ratings"):
            assert hidden([r[column] for r in in_month]) != 1, (month, column)
    # The crisis answers and the helplines shown are one figure: hidden in both or neither.
    decisions = {(r["month"], r["site"]): r["crisis"] for r in read_csv(run, "decisions")}
    for row in overview:
        assert row["crisis help shown"].isdigit() == decisions[(row["month"],
                                                                row["site"])].isdigit(), row
    by_day = read_csv(run, "questions_by_day")
    for row in by_day:
        assert hidden([row[c] for c in ("kk", "ru", "en", "other", "total")]) != 1, row
    assert checked > 5


def test_one_small_count_in_a_row_hides_the_next_smallest_too() -> None:
    """kk 3 + ru 10 + en 12 = 25: "<5" alone would be 25 - 10 - 12; ru goes too, as x."""
    daily = [{"day": "2026-03-02", "kind": "question", "lang": lang, "audience": "teen",
              "decision": "answer", "topic": "periods.late", "site": "", "count": n,
              "value_sum": 0.0} for lang, n in (("kk", 3), ("ru", 10), ("en", 12))]
    report = build_report(daily, [], date(2026, 3, 1), date(2026, 3, 31))
    row = report.table("questions_by_language").row_for({"month": "all", "site": "all"})
    assert row is not None and row[2:] == ["<5", "x", "12", "0", "25"]
    day = report.table("questions_by_day").row_for({"day": "2026-03-02"})
    assert day == ["2026-03-02", "<5", "x", "12", "0", "25"]
    decisions = report.table("decisions").rows[0]
    assert decisions[2:5] == ["25", "25", "100%"]
    assert report.summary.questions == "25" and report.summary.crisis == "0%"


def test_a_site_name_is_shown_as_typed_not_as_markup(tmp_path: Path) -> None:
    name = "School <b>No 5</b> $\\qwerty{$ & Co"  # markup, and a formula matplotlib rejects
    daily = [{"day": f"2026-03-{d:02d}", "kind": "question", "lang": "ru", "audience": "",
              "decision": "answer", "topic": "", "site": site, "count": 6, "value_sum": 0.0}
             for d in (2, 3) for site in ("abcd1234", "")]
    report = build_report(daily, [], date(2026, 3, 1), date(2026, 3, 31), {"abcd1234": name})
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "School &lt;b&gt;No 5&lt;/b&gt; $\\qwerty{$ &amp; Co (abcd1234)" in page
    assert "<b>" not in page
    assert (tmp_path / "chart_sites.png").read_bytes().startswith(b"\x89PNG")
    rows = list(csv.DictReader((tmp_path / "overview.csv").open(encoding="utf-8")))
    assert [r["site"] for r in rows if r["month"] == "all"] == [
        "all", f"{name} (abcd1234)", "(no site)"]


def test_the_small_site_is_suppressed_not_dropped(run: Run) -> None:
    label = f"Clinic 3 ({SMALL_SITE})"
    rows = [r for r in read_csv(run, "overview") if r["site"] == label]
    assert rows, "the small site is listed"
    assert any(r["questions"] == "<5" or r["ratings"] == "<5" for r in rows)


def test_html_is_self_contained_and_shows_the_charts(run: Run) -> None:
    page = (run.out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    pngs = sorted(run.out.glob("chart_*.png"))
    assert len(sources) == len(pngs) >= 4
    embedded = sorted(base64.b64decode(s.removeprefix("data:image/png;base64,"))
                      for s in sources)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert embedded == sorted(p.read_bytes() for p in pngs)
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    for table in ("overview", "decisions", "top_topics", "helpfulness", "response_times",
                  "ratings"):
        assert f'id="{table}"' in page
    assert 'a count of 1 to 4 is shown as "<5"' in html.unescape(page)  # the rule, explained
    assert "<5" not in page  # escaped everywhere


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-13-01", "--to", "2026-12-31"], "--from '2026-13-01' is not a date"),
    (["--from", "2026-01-01", "--to", "yesterday"], "--to 'yesterday' is not a date"),
    (["--from", "2026-02-01", "--to", "2026-01-01"], "--to 2026-01-01 is before --from"),
])
def test_bad_dates_give_one_clear_line_and_exit_2(tmp_path: Path, args: list[str],
                                                  message: str) -> None:
    env = bot_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"})
    done = subprocess.run([sys.executable, "-m", "bot", "report", *args, "--out",
                           str(tmp_path / "out")], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert message in done.stderr
    assert not (tmp_path / "out").exists()


# -- a real conversation: nothing of it in the report files ------------------------------------
ADMIN_ID = 7_000_222
SITE_CODE = "c0ffee42"


async def converse(standin: FakeTelegram, admin: Chat) -> list[Any]:
    """Users arrive through a site's link and ask; one question goes to a consultant, is
    answered and rated."""
    consultant = await register(standin, admin, "consultant", "Doctor Aigerim")
    moderator = await register(standin, admin, "moderator", "Moderator Saule")
    users = [standin.user(name, id=uid, username=username, language_code=lang)
             for name, uid, username, lang in (
                 ("Zarina", 5_550_123_457, "zarina_secret_77", "ru"),
                 ("Aruzhan", 5_550_987_613, "aruzhan_hidden_42", "kk"),
                 ("Emily", 5_550_246_891, "emily_private_19", "en"))]
    for user in users:
        chat = Chat(standin, user)
        await chat.send(f"/start s_{SITE_CODE}", expect=2)
        lang = user.language_code or "ru"
        await chat.send(QUESTIONS[lang])
        await chat.send(f"{QUESTIONS[lang]} Меня зовут {user.first_name}, номер +77011234567")
    girl = users[0]
    number = await ask(standin, girl, UNKNOWN["ru"], "ru")
    (card,) = await consultant.send("/queue")
    assert card.text.startswith(f"#{number}")
    await consultant.press(card, t("en", "Claim"))
    await submit_and_approve(standin, consultant, moderator,
                             "Секретный ответ консультанта для Зарины")
    answer = await wait_sent(standin, girl, lambda c: "Секретный ответ" in c.text)
    girl_chat = Chat(standin, girl)
    (stars,) = await girl_chat.press(answer, t("ru", "Thank you"))
    await girl_chat.press_for_notice(stars, "★★★★")
    await girl_chat.press_for_notice(stars, "★★")  # she changes her mind: one rating counted
    return users


async def test_report_files_hold_no_text_pseudonym_or_id(start_bot: Any, standin: FakeTelegram,
                                                        tmp_path: Path) -> None:
    bot = await start_bot(admin_ids=(ADMIN_ID,), care_interval=0.2)
    url = bot.settings.database_url
    # From another thread: the bot's own transactions go on meanwhile in this event loop.
    await asyncio.to_thread(sql, url, "INSERT INTO sites (code, name, created_at) VALUES "
                            "(?, ?, ?)", (SITE_CODE, "Lyceum 8", 0.0))
    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    users = await converse(standin, admin)
    for _ in range(100):  # the changed rating is the last thing of the conversation
        if await asyncio.to_thread(sql, url, "SELECT rating FROM tickets") == [(2,)]:
            break
        await asyncio.sleep(0.05)
    assert await asyncio.to_thread(sql, url, "SELECT value FROM events WHERE kind = 'rating'"
                                   ) == [(4.0,)]
    # The site is kept on every event of these users, the consultant's answer included.
    kinds = await asyncio.to_thread(sql, url, "SELECT kind, site FROM events ORDER BY id")
    assert {k for k, _s in kinds} >= {"question", "escalated", "ticket_answered", "rating"}
    assert all(site == SITE_CODE for _k, site in kinds), kinds
    await bot.stop()

    out = tmp_path / "out"
    today = datetime.now(UTC).date()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "report", "--from", (today - timedelta(days=1)).isoformat(),
         "--to", (today + timedelta(days=1)).isoformat(), "--out", str(out)],
        cwd=PROJECT_DIR, env=bot_env({"DATABASE_URL": url}), capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "7 questions" in done.stdout
    overview = list(csv.DictReader((out / "overview.csv").open(encoding="utf-8")))
    assert overview[0]["questions"] == "7"
    assert any(r["site"] == f"Lyceum 8 ({SITE_CODE})" for r in overview)

    secrets: list[bytes] = [b"+77011234567", b"77011234567", "Секретный".encode(),
                            "Зарины".encode(), b"Doctor Aigerim", b"Moderator Saule",
                            str(ADMIN_ID).encode()]
    for user in users:
        secrets += [str(user.id).encode(), user.first_name.encode(),
                    (user.username or "").encode(),
                    pseudonym(TEST_SECRET, user.id).encode()]
    for text in (*QUESTIONS.values(), UNKNOWN["ru"]):
        secrets += [text.encode(), text[-12:].encode()]
    files = sorted(out.iterdir())
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".html":  # the inlined charts are the PNG files, checked as such
            data = re.sub(rb"data:image/png;base64,[A-Za-z0-9+/=]+", b"", data)
        for secret in secrets:
            assert secret not in data, (path.name, secret)


# -- /report in Telegram -----------------------------------------------------------------------
@pytest.fixture
async def reporting_bot(start_bot: Any, standin: FakeTelegram) -> Any:
    return await start_bot(admin_ids=(ADMIN_ID,))


def photos_to(standin: FakeTelegram, user_id: int, start: int = 0) -> list[Any]:
    return [c for c in standin.calls[start:] if c.method == "sendPhoto" and c.chat_id == user_id]


async def test_admin_gets_a_chart_and_a_few_suppressed_lines(reporting_bot: Any,
                                                             standin: FakeTelegram) -> None:
    for n in range(6):
        chat = Chat(standin, standin.user(f"Asker{n}", language_code="ru"))
        await chat.send(QUESTIONS["ru"])
    await Chat(standin, standin.user("Crisis", language_code="ru")).send(CRISIS["ru"])
    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    start = len(standin.calls)
    admin.user.send("/report")
    call = await standin.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADMIN_ID,
                                  timeout=20, start=start)
    name, png = call.params["_upload"]
    assert name.endswith(".png") and png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    caption = call.params["caption"]
    today = datetime.now(UTC).date()
    assert f"{today - timedelta(days=29)} to {today}" in caption
    assert "Questions: 7" in caption
    # One crisis question: not "14%"; and not "86%" answered either, which would tell it.
    assert "Answered by the base: x; escalated: 0%; crisis: n<5" in caption
    assert "Consultant answers: 0; median response time: n<5" in caption

    (staff_help,) = await admin.send("/help_staff")
    assert "/report [days]" in staff_help.text
    start = len(standin.calls)
    (usage,) = await admin.send("/report forever")
    assert usage.text.startswith("Usage: /report")
    admin.user.send("/report 7")
    call = await standin.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADMIN_ID,
                                  timeout=20, start=start)
    assert f"{today - timedelta(days=6)} to {today}" in call.params["caption"]


async def test_a_non_admin_gets_no_report(reporting_bot: Any, standin: FakeTelegram) -> None:
    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    moderator = await register(standin, admin, "moderator", "Moderator Saule")
    girl = Chat(standin, standin.user("Dana", language_code="en"))
    for chat in (girl, moderator):
        start = len(standin.calls)
        replies = await chat.send("/report")
        assert photos_to(standin, chat.user.id, start) == []
        assert all("Questions:" not in (r.text or "") for r in replies)
    assert photos_to(standin, girl.user.id) == []
