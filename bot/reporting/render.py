"""Write a report: one self-contained HTML file (charts inlined as base64 PNG), one CSV per
table, and the chart PNGs. Charts are drawn from the already suppressed tables, so a count
under 5 is never drawn (its bar is left out) and no output can show one."""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.reporting.aggregate import (
    ALL,
    DECISIONS,
    HIDDEN,
    LANG_COLUMNS,
    SUPPRESSED,
    TOO_FEW,
    Report,
    Table,
)

COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3")
NOT_DRAWN = f"Counts shown as {SUPPRESSED} or {HIDDEN} in the tables are not drawn."


@dataclass(frozen=True, slots=True)
class Chart:
    name: str
    title: str
    png: bytes


def _count(cell: str) -> int:
    """A shown count, or 0 for a suppressed one (not drawn)."""
    return int(cell) if cell.isdigit() else 0


def _plain(text: str) -> str:
    """A label drawn as it is (a "$" in a site's name would start matplotlib's math mode)."""
    return text.replace("$", r"\$")


def _rate(cell: str) -> float | None:
    return float(cell[:-1]) if cell.endswith("%") else None


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def _figure(title: str, width: float = 9.0, height: float = 4.0) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _stacked(ax: Axes, labels: list[str], series: list[tuple[str, list[int]]]) -> None:
    bottoms = [0] * len(labels)
    positions = list(range(len(labels)))
    for (name, values), color in zip(series, COLORS, strict=False):
        ax.bar(positions, values, bottom=bottoms, label=name, color=color)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    step = max(1, len(labels) // 15)
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    ax.legend(frameon=False, fontsize="small")


def questions_per_day_chart(report: Report) -> bytes:
    table = report.table("questions_by_day")
    fig, ax = _figure(f"Questions per day, {report.start} to {report.end}")
    days = table.column("day")
    totals = table.column("total")
    positions = list(range(len(days)))
    ax.bar(positions, [_count(c) for c in totals], color=COLORS[0], label="questions")
    hidden = [p for p, c in zip(positions, totals, strict=True) if not c.isdigit()]
    if hidden:
        ax.plot(hidden, [0] * len(hidden), linestyle="none", marker="o", markersize=4,
                color="gray", label=f"{SUPPRESSED} (not drawn)", clip_on=False)
    step = max(1, len(days) // 15)
    ax.set_xticks(positions[::step], [d[5:] for d in days[::step]], rotation=45, ha="right")
    ax.set_ylabel("questions")
    ax.legend(frameon=False, fontsize="small")
    return _png(fig)


def languages_chart(report: Report) -> bytes:
    table = report.table("questions_by_language")
    rows = _all_sites(table)
    fig, ax = _figure("Questions per month and language")
    _stacked(ax, [row[0] for row in rows],
             [(lang, [_count(row[table.columns.index(lang)]) for row in rows])
              for lang in LANG_COLUMNS])
    ax.set_ylabel("questions")
    fig.text(0.01, 0.005, NOT_DRAWN, fontsize="x-small", color="gray")
    return _png(fig)


def _all_sites(table: Table) -> list[list[str]]:
    site = table.columns.index("site")
    month = table.columns.index("month")
    return [row for row in table.rows if row[site] == ALL and row[month] != ALL]


def decisions_chart(report: Report) -> bytes:
    table = report.table("decisions")
    rows = _all_sites(table)
    fig, ax = _figure("What happened to the questions, by month")
    months = [row[0] for row in rows]
    series = []
    for _decision, label in DECISIONS:
        index = table.columns.index(label)
        series.append((label, [_count(row[index]) for row in rows]))
    _stacked(ax, months, series)
    ax.set_ylabel("questions")
    fig.text(0.01, 0.005, NOT_DRAWN, fontsize="x-small", color="gray")
    return _png(fig)


def sites_chart(report: Report) -> bytes | None:
    table = report.table("questions_by_language")
    site_i, month_i, total_i = (table.columns.index(c) for c in ("site", "month", "total"))
    rows = [r for r in table.rows if r[site_i] != ALL and r[month_i] != ALL]
    if not rows:
        return None
    months = sorted({r[month_i] for r in rows})
    sites = list(dict.fromkeys(r[site_i] for r in rows))
    fig, ax = _figure("Questions per pilot site and month")
    width = 0.8 / len(sites)
    for n, (site, color) in enumerate(zip(sites, COLORS * 10, strict=False)):
        values = {r[month_i]: _count(r[total_i]) for r in rows if r[site_i] == site}
        ax.bar([m + n * width for m in range(len(months))],
               [values.get(m, 0) for m in months], width=width, label=_plain(site), color=color)
    ax.set_xticks([m + 0.4 - width / 2 for m in range(len(months))], months)
    ax.set_ylabel("questions")
    ax.legend(frameon=False, fontsize="small")
    fig.text(0.01, 0.005, NOT_DRAWN, fontsize="x-small", color="gray")
    return _png(fig)


def helpfulness_chart(report: Report, limit: int = 15) -> bytes | None:
    table = report.table("helpfulness")
    rows = [r for r in table.rows if r[0] == ALL and r[1] == ALL]
    rated = [(r[2], rate) for r in rows if (rate := _rate(r[-1])) is not None][:limit]
    if not rated:
        return None
    fig, ax = _figure("Helpful rate per topic (lowest first; topics with enough votes)",
                      height=max(2.5, 0.35 * len(rated) + 1))
    names = [_plain(name) for name, _r in rated][::-1]
    ax.barh(names, [r for _n, r in rated][::-1], color=COLORS[0])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% helpful")
    return _png(fig)


def ratings_chart(report: Report) -> bytes | None:
    table = report.table("ratings")
    row = table.row_for({"month": ALL, "site": ALL})
    if row is None or not any(_count(c) for c in row[4:9]):
        return None
    fig, ax = _figure("Ratings of consultant answers", width=6.0, height=3.5)
    ax.bar([str(s) for s in range(1, 6)], [_count(c) for c in row[4:9]],
           color=COLORS[2])
    ax.set_xlabel("stars")
    ax.set_ylabel("ratings")
    fig.text(0.01, 0.005, NOT_DRAWN, fontsize="x-small", color="gray")
    return _png(fig)


def charts(report: Report) -> list[Chart]:
    made = [
        Chart("questions_per_day", "Questions per day", questions_per_day_chart(report)),
        Chart("languages", "Questions per month and language", languages_chart(report)),
        Chart("decisions", "What happened to the questions", decisions_chart(report)),
    ]
    for name, title, png in (
        ("sites", "Questions per pilot site", sites_chart(report)),
        ("helpfulness", "Helpful rate per topic", helpfulness_chart(report)),
        ("ratings", "Ratings", ratings_chart(report)),
    ):
        if png is not None:
            made.append(Chart(name, title, png))
    return made


# -- files ---------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f3f3f3; } td.key { text-align: left; }
img { max-width: 100%; display: block; margin: 1em 0; }
.note { color: #666; font-size: 0.9em; }
"""


def _html_table(table: Table) -> str:
    keys = {"month", "site", "day", "topic", "audience", "rank"}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="key">{html.escape(v)}</td>' if c in keys else f"<td>{html.escape(v)}</td>"
            for c, v in zip(table.columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    return (f'<h2 id="{table.name}">{html.escape(table.title)}</h2>{note}'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<p class="note">Also in {html.escape(table.name)}.csv</p>')


def explanation(generated: datetime) -> str:
    return (f"Generated {generated:%Y-%m-%d %H:%M} UTC from anonymous events (no user, no "
            f'text). Small-number suppression: a count of 1 to 4 is shown as "{SUPPRESSED}"; '
            "where it could be worked out from a total and the other parts, one more count of "
            f'that total is hidden too, shown as "{HIDDEN}"; a share, rate, mean, median or '
            f'percentile resting on fewer than 5 events is shown as "{TOO_FEW}" (a share '
            f'whose counts are hidden as "{HIDDEN}"). Rows where the site or the month is '
            f'"{ALL}" add up the others.')


def html_report(report: Report, made: list[Chart], generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    s = report.summary
    images = "".join(
        f'<figure><img alt="{html.escape(c.title)}" '
        f'src="data:image/png;base64,{base64.b64encode(c.png).decode()}"></figure>'
        for c in made)
    raw_note = "" if report.raw_complete else (
        "<p>Some raw events of this period were already purged (RETENTION_DAYS); counts and "
        "means come from the daily aggregates, medians and distributions from what is kept.</p>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Helpline impact report {report.start} to {report.end}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Helpline impact report: {report.start} to {report.end}</h1>",
        f'<p class="note">{html.escape(explanation(generated))}</p>',
        raw_note,
        "<h2>Summary</h2><ul>",
        f"<li>Questions: {html.escape(s.questions)}</li>",
        f"<li>Answered by the base: {html.escape(s.answered)}; escalated: "
        f"{html.escape(s.escalated)}; crisis: {html.escape(s.crisis)}</li>",
        f"<li>Helpful rate: {html.escape(s.helpful)}</li>",
        f"<li>Consultant answers: {html.escape(s.tickets_answered)}; median response: "
        + (f"{s.median_response_seconds / 60:.1f} min" if s.median_response_seconds is not None
           else TOO_FEW) + "</li></ul>",
        images,
        *(_html_table(t) for t in report.tables),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(report: Report, out: Path) -> list[Path]:
    """Write report.html, the CSV files and the chart PNGs into `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in report.tables:
        path = out / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        written.append(path)
    made = charts(report)
    for chart in made:
        path = out / f"chart_{chart.name}.png"
        path.write_bytes(chart.png)
        written.append(path)
    page = out / "report.html"
    page.write_text(html_report(report, made), encoding="utf-8")
    written.append(page)
    return written
