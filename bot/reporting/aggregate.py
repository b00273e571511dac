"""Impact report tables from the anonymous daily counts (pure logic: no aiogram, no storage).

Every figure is given for the whole period and for each month and each pilot site (and each
month x site). Small numbers are suppressed *here*, before anything is written or drawn, so no
output can show them:

- a count of 1-4 is shown as "<5" (zero is shown as 0);
- where a "<5" could be worked out by subtraction (from a total and the other parts of it,
  in a row or across months and sites), one more count of that sum is hidden, shown as "x"
  (complementary suppression, repeated until no sum has a single hidden count);
- a share or rate is shown only when its counts are shown and it rests on at least 5 events
  ("n<5" otherwise, "x" when one of its counts is hidden); a mean, median or percentile only
  when it rests on at least 5 events.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SMALL = 5
SUPPRESSED = "<5"        # a count of 1-4
HIDDEN = "x"             # a count of 5 or more hidden so that a "<5" cannot be worked out
TOO_FEW = "n<5"          # a share, rate or statistic resting on fewer than 5 events
ALL = "all"
NO_SITE = "(no site)"
NO_TOPIC = "(no topic)"
UNKNOWN = "(unknown)"
LANGS = ("kk", "ru", "en")
LANG_COLUMNS = (*LANGS, "other")
DECISIONS = (("answer", "answered by the base"), ("clarify", "clarify"),
             ("escalate", "escalated"), ("crisis", "crisis"))
AUDIENCES = ("teen", "parent", "")
TOP_TOPICS = 10
OVERVIEW_KINDS = (("question", "questions"), ("helpful", "helpful"),
                  ("not_helpful", "not helpful"), ("escalated", "sent to a consultant"),
                  ("crisis_shown", "crisis help shown"),
                  ("crisis_declined", "crisis help: about something else"),
                  ("ticket_answered", "consultant answers"), ("rating", "ratings"),
                  ("forget", "/forget used"))

Key = tuple[str, ...]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def stat_cell(value: float | None, n: int, digits: int = 1) -> str:
    if value is None or n < SMALL:
        return TOO_FEW
    return f"{value:.{digits}f}"


class Cells:
    """Every count the report shows, under one key per quantity (the same figure in two
    tables is one key, so it is hidden in both or in neither), with the sums that tie them
    together; `suppress()` decides what is hidden."""

    def __init__(self) -> None:
        self.values: Counter[Key] = Counter()
        self.shown: set[Key] = set()
        self.sums: list[tuple[Key, tuple[Key, ...]]] = []
        self.hidden: set[Key] = set()

    def show(self, key: Key) -> None:
        self.shown.add(key)

    def relate(self, total: Key, parts: Iterable[Key]) -> None:
        """total = sum(parts), when it holds exactly (then a reader can subtract)."""
        parts = tuple(dict.fromkeys(parts))
        if parts and sum(self.values[p] for p in parts) == self.values[total]:
            self.sums.append((total, parts))

    def suppress(self) -> None:
        v = self.values
        # Counts under 5, and counts that are in a sum but shown nowhere (unknown to a reader).
        hidden = {k for k in self.shown if 0 < v[k] < SMALL}
        hidden |= {k for total, parts in self.sums for k in (total, *parts)
                   if k not in self.shown and v[k] != 0}
        changed = True
        while changed:
            changed = False
            for total, parts in self.sums:
                if sum(k in hidden for k in (total, *parts)) != 1:
                    continue
                candidates = [k for k in parts if k not in hidden and v[k] > 0]
                if not candidates and total not in hidden and v[total] > 0:
                    candidates = [total]
                if candidates:
                    hidden.add(min(candidates, key=lambda k: (v[k], k)))
                    changed = True
        self.hidden = hidden

    def is_shown(self, key: Key) -> bool:
        return key not in self.hidden

    def cell(self, key: Key) -> str:
        n = self.values[key]
        if key in self.hidden:
            return SUPPRESSED if n < SMALL else HIDDEN
        return str(n)

    def share(self, part: Key, whole: Key, *others: Key) -> str:
        """part/whole in percent; `others` are counts it would also give away (the other
        side of a two-way split)."""
        n, total = self.values[part], self.values[whole]
        if total < SMALL:
            return TOO_FEW
        if n > 0 and any(k in self.hidden for k in (part, whole, *others)):
            return HIDDEN if n >= SMALL else TOO_FEW
        return f"{100 * n / total:.0f}%"


# -- the report --------------------------------------------------------------------------------
@dataclass(slots=True)
class Table:
    name: str                 # the CSV file name, without .csv
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def row_for(self, keys: Mapping[str, str]) -> list[str] | None:
        """The first row whose named columns have these values."""
        indexes = {self.columns.index(k): v for k, v in keys.items()}
        for row in self.rows:
            if all(row[i] == v for i, v in indexes.items()):
                return row
        return None


@dataclass(slots=True)
class Summary:
    """The whole period, all sites: what /report says in Telegram (already suppressed)."""
    questions: str
    answered: str
    escalated: str
    crisis: str
    helpful: str
    tickets_answered: str
    median_response_seconds: float | None  # None when fewer than 5 answered tickets


@dataclass(slots=True)
class Report:
    start: date
    end: date
    tables: list[Table]
    summary: Summary
    raw_complete: bool  # False when some raw events of the period were already purged

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def months_between(start: date, end: date) -> list[str]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current.isoformat()[:7])
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def days_between(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _lang_key(lang: str) -> str:
    return lang if lang in LANGS else "other"


def _audience_label(audience: str) -> str:
    return audience or UNKNOWN


class _Builder:
    def __init__(self, daily: Iterable[Mapping[str, Any]],
                 raw_values: Iterable[tuple[str, str, str, float]], start: date, end: date,
                 site_names: Mapping[str, str]) -> None:
        first, last = start.isoformat(), end.isoformat()
        self.start, self.end = start, end
        self.site_names = site_names
        self.rows = [r for r in daily if first <= str(r["day"]) <= last]
        self.raw = [(d[:7], k, s or "", v) for d, k, s, v in raw_values if first <= d <= last]
        self.months = months_between(start, end)
        self.days = days_between(start, end)
        sites = {str(r["site"] or "") for r in self.rows}
        # Broken down by site only when someone came through a site link.
        self.sites = sorted(sites, key=lambda s: (s == "", site_names.get(s, s).lower())) \
            if any(sites) else []
        self.cells = Cells()
        self._count()
        present = {(str(r["day"])[:7], str(r["site"] or "")) for r in self.rows}
        self.pairs: list[tuple[str, str]] = [(ALL, ALL)]
        self.pairs += [(m, ALL) for m in self.months if any(p[0] == m for p in present)]
        self.pairs += [(ALL, s) for s in self.sites]
        self.pairs += [(m, s) for m in self.months for s in self.sites if (m, s) in present]

    # Every count at every level: (family, month, site, *detail), month and site may be ALL.
    def _count(self) -> None:
        values = self.cells.values
        self.value_sums: Counter[tuple[str, str, str]] = Counter()
        self.raw_by: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.members: dict[tuple[str, str, str], set[Key]] = defaultdict(set)
        # Days first collapse into months (the daily table is counted on the way).
        monthly: dict[tuple[str, ...], int] = defaultdict(int)
        days: dict[Key, int] = defaultdict(int)
        for r in self.rows:
            day, kind, n = str(r["day"]), str(r["kind"]), int(r["count"])
            site = str(r["site"] or "")
            lang = _lang_key(str(r["lang"] or ""))
            if kind == "question":
                days[("day", day, lang)] += n
                days[("day", day, "total")] += n
            key = (day[:7], site, kind, lang, str(r["audience"] or ""),
                   str(r["decision"] or ""), str(r["topic"] or NO_TOPIC))
            monthly[key] += n
            if r["value_sum"]:
                for m in (day[:7], ALL):
                    for s in ((site, ALL) if self.sites else (ALL,)):
                        self.value_sums[(kind, m, s)] += float(r["value_sum"])
        values.update(days)
        counts: dict[Key, int] = defaultdict(int)
        for (month, site, kind, lang, audience, decision, topic), n in monthly.items():
            details: list[tuple[str, ...]] = [("n", kind)]
            if kind == "question":
                details += [("lang", lang), ("decision", decision), ("topic", audience, topic)]
            elif kind in ("helpful", "not_helpful"):
                details += [("help", topic, kind), ("help", topic, "rated")]
            for m in (month, ALL):
                for s in ((site, ALL) if self.sites else (ALL,)):
                    for family, *rest in details:
                        key = (family, m, s, *rest)
                        counts[key] += n
                        if family in ("topic", "help"):
                            self.members[(family, m, s)].add(key)
        values.update(counts)
        for month, kind, site, value in self.raw:
            for m in (month, ALL):
                for s in ((site, ALL) if self.sites else (ALL,)):
                    self.raw_by[(kind, m, s)].append(value)
                    if kind == "rating":
                        values[("stars", m, s, str(round(value)))] += 1

    def site_label(self, site: str) -> str:
        if site == ALL:
            return ALL
        if site == "":
            return NO_SITE
        name = self.site_names.get(site)
        return f"{name} ({site})" if name else site

    def labels(self, month: str, site: str) -> list[str]:
        return [month, self.site_label(site)]

    def cell(self, key: Key) -> str:
        self.cells.show(key)
        return self.cells.cell(key)

    # The sums a reader could subtract with.
    def _relate(self) -> None:
        cells = self.cells
        families: set[tuple[str, ...]] = set()
        for key in list(cells.values):
            if key[0] != "day":
                families.add((key[0], *key[3:]))
        for family, *rest in families:
            def k(m: str, s: str, family: str = family, rest: Sequence[str] = rest) -> Key:
                return (family, m, s, *rest)
            cells.relate(k(ALL, ALL), [k(m, ALL) for m in self.months])
            if self.sites:
                cells.relate(k(ALL, ALL), [k(ALL, s) for s in self.sites])
                for m in self.months:
                    cells.relate(k(m, ALL), [k(m, s) for s in self.sites])
                for s in self.sites:
                    cells.relate(k(ALL, s), [k(m, s) for m in self.months])
        for month, site in self.pairs:
            total = ("n", month, site, "question")
            cells.relate(total, [("lang", month, site, lang) for lang in LANG_COLUMNS])
            cells.relate(total, [("decision", month, site, d) for d, _l in DECISIONS])
            # Every crisis answer shows the helplines: one figure under two names.
            cells.relate(("n", month, site, "crisis_shown"), [("decision", month, site, "crisis")])
            cells.relate(("n", month, site, "rating"),
                         [("stars", month, site, str(star)) for star in range(1, 6)])
            topics = {key[3] for key in self.members[("help", month, site)]}
            for topic in topics:
                cells.relate(("help", month, site, topic, "rated"),
                             [("help", month, site, topic, kind)
                              for kind in ("helpful", "not_helpful")])
            for kind in ("helpful", "not_helpful"):
                cells.relate(("n", month, site, kind),
                             [("help", month, site, t, kind) for t in sorted(topics)])
        for day in self.days:
            cells.relate(("day", day, "total"), [("day", day, lang) for lang in LANG_COLUMNS])
        for month in self.months:
            days = [d for d in self.days if d.startswith(month)]
            for lang in LANG_COLUMNS:
                cells.relate(("lang", month, ALL, lang), [("day", d, lang) for d in days])
            cells.relate(("n", month, ALL, "question"), [("day", d, "total") for d in days])

    def build(self) -> Report:
        # Lay the tables out once to learn which counts are shown, decide what is hidden,
        # then lay them out again with the final cells.
        self._tables()
        self._relate()
        self.cells.suppress()
        tables = self._tables()
        return Report(self.start, self.end, tables, self._summary(), self._raw_complete())

    def _tables(self) -> list[Table]:
        return [self._overview(), self._questions_by_day(), self._questions_by_language(),
                self._decisions(), self._top_topics(), self._helpfulness(),
                self._response_times(), self._ratings()]

    # -- tables --------------------------------------------------------------------------
    def _overview(self) -> Table:
        table = Table("overview", "Overview: events by month and site",
                      ["month", "site", *(label for _k, label in OVERVIEW_KINDS)])
        for m, s in self.pairs:
            table.rows.append([*self.labels(m, s),
                               *(self.cell(("n", m, s, kind)) for kind, _l in OVERVIEW_KINDS)])
        return table

    def _questions_by_day(self) -> Table:
        table = Table("questions_by_day", "Questions per day and language (all sites)",
                      ["day", *LANG_COLUMNS, "total"])
        for day in self.days:
            table.rows.append([day, *(self.cell(("day", day, c))
                                      for c in (*LANG_COLUMNS, "total"))])
        return table

    def _questions_by_language(self) -> Table:
        table = Table("questions_by_language", "Questions by language, month and site",
                      ["month", "site", *LANG_COLUMNS, "total"])
        for m, s in self.pairs:
            table.rows.append([*self.labels(m, s),
                               *(self.cell(("lang", m, s, lang)) for lang in LANG_COLUMNS),
                               self.cell(("n", m, s, "question"))])
        return table

    def _decisions(self) -> Table:
        columns = ["month", "site", "questions"]
        for _d, label in DECISIONS:
            columns += [label, f"{label} %"]
        table = Table("decisions", "What happened to the questions: answered by the base, "
                      "close topics offered (clarify), escalated to a consultant, crisis help",
                      columns)
        for m, s in self.pairs:
            total = ("n", m, s, "question")
            row = [*self.labels(m, s), self.cell(total)]
            for decision, _label in DECISIONS:
                key = ("decision", m, s, decision)
                row += [self.cell(key), self.cells.share(key, total)]
            table.rows.append(row)
        return table

    def _top_topics(self) -> Table:
        table = Table("top_topics", f"Top {TOP_TOPICS} topics asked about, by audience",
                      ["month", "site", "audience", "rank", "topic", "questions"],
                      note="The topic is the matched knowledge-base entry, or the closest one "
                           "offered. Counts shown as <5 or x are listed in no particular order.")
        values = self.cells.values
        for m, s in self.pairs:
            for audience in AUDIENCES:
                keys = [k for k in self.members[("topic", m, s)]
                        if k[3] == audience and values[k]]
                keys.sort(key=lambda k: (-values[k] if values[k] >= SMALL
                                         and self.cells.is_shown(k) else 0, k[-1]))
                for rank, key in enumerate(keys[:TOP_TOPICS], 1):
                    table.rows.append([*self.labels(m, s), _audience_label(audience),
                                       str(rank), key[-1], self.cell(key)])
        return table

    def _helpfulness(self) -> Table:
        table = Table("helpfulness", "Helpfulness per topic (lowest first: answers to rewrite)",
                      ["month", "site", "topic", "helpful", "not helpful", "rated",
                       "helpful rate"],
                      note="helpful rate = helpful / (helpful + not helpful).")
        values = self.cells.values
        for m, s in self.pairs:
            topics = sorted({k[3] for k in self.members[("help", m, s)] if values[k]})
            rows = []
            for topic in topics:
                yes, no, rated = (("help", m, s, topic, kind)
                                  for kind in ("helpful", "not_helpful", "rated"))
                rate = self.cells.share(yes, rated, no)
                shown = rate.endswith("%")
                order = (0 if shown else 1, values[yes] / values[rated] if shown else 0.0,
                         -values[rated] if shown else 0, topic)
                rows.append((order, [*self.labels(m, s), topic, self.cell(yes), self.cell(no),
                                     self.cell(rated), rate]))
            table.rows += [row for _o, row in sorted(rows)]
        return table

    def _raw_for(self, kind: str, month: str, site: str) -> list[float]:
        return self.raw_by.get((kind, month, site), [])

    def _sum_for(self, kind: str, month: str, site: str) -> float:
        return self.value_sums[(kind, month, site)]

    def _raw_complete(self) -> bool:
        return all(len(self._raw_for(kind, ALL, ALL)) >= self.cells.values[("n", ALL, ALL, kind)]
                   for kind in ("ticket_answered", "rating"))

    def _response_times(self) -> Table:
        table = Table("response_times", "Consultant response times (question sent to the "
                      "answer delivered), minutes",
                      ["month", "site", "answered tickets", "mean", "median", "p90"])
        for m, s in self.pairs:
            key = ("n", m, s, "ticket_answered")
            n = self.cells.values[key]
            values = self._raw_for("ticket_answered", m, s)
            mean = self._sum_for("ticket_answered", m, s) / n / 60 if n else None
            median = statistics.median(values) / 60 if values else None
            p90 = percentile(values, 90) / 60 if values else None
            table.rows.append([*self.labels(m, s), self.cell(key), stat_cell(mean, n),
                               stat_cell(median, len(values)), stat_cell(p90, len(values))])
        if not self._raw_complete():
            table.note = ("Some raw events of the period were purged (RETENTION_DAYS): the "
                          "median and p90 use only the kept ones; the count and mean use all.")
        return table

    def _ratings(self) -> Table:
        table = Table("ratings", "Ratings of consultant answers (1-5)",
                      ["month", "site", "ratings", "mean", "1", "2", "3", "4", "5"])
        for m, s in self.pairs:
            key = ("n", m, s, "rating")
            n = self.cells.values[key]
            mean = self._sum_for("rating", m, s) / n if n else None
            table.rows.append([*self.labels(m, s), self.cell(key), stat_cell(mean, n),
                               *(self.cell(("stars", m, s, str(star)))
                                 for star in range(1, 6))])
        if not self._raw_complete():
            table.note = ("Some raw events of the period were purged (RETENTION_DAYS): the "
                          "distribution counts only the kept ones; the count and mean use all.")
        return table

    def _summary(self) -> Summary:
        c = self.cells
        questions = ("n", ALL, ALL, "question")
        c.values[("n", ALL, ALL, "rated")] = (c.values[("n", ALL, ALL, "helpful")]
                                              + c.values[("n", ALL, ALL, "not_helpful")])
        times = self._raw_for("ticket_answered", ALL, ALL)
        return Summary(
            questions=c.cell(questions),
            answered=c.share(("decision", ALL, ALL, "answer"), questions),
            escalated=c.share(("decision", ALL, ALL, "escalate"), questions),
            crisis=c.share(("decision", ALL, ALL, "crisis"), questions),
            helpful=c.share(("n", ALL, ALL, "helpful"), ("n", ALL, ALL, "rated"),
                            ("n", ALL, ALL, "not_helpful")),
            tickets_answered=c.cell(("n", ALL, ALL, "ticket_answered")),
            median_response_seconds=statistics.median(times) if len(times) >= SMALL else None,
        )


def build_report(daily: Iterable[Mapping[str, Any]],
                 raw_values: Iterable[tuple[str, str, str, float]],
                 start: date, end: date,
                 site_names: Mapping[str, str] | None = None) -> Report:
    """daily: rows of `daily_counts` (day, kind, lang, audience, decision, topic, site, count,
    value_sum); raw_values: (day, kind, site, value) of the kept raw `ticket_answered` and
    `rating` events, for medians, percentiles and the rating distribution."""
    return _Builder(daily, raw_values, start, end, dict(site_names or {})).build()
