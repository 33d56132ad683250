"""Charts for two saved queries that are not graphs: the meetings timeline and the DTI rankings.

Both take the rows (`Result.records()`) of a saved query and return a matplotlib Figure.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable, Mapping

import matplotlib.dates as mdates
from matplotlib.figure import Figure

from dtkg.viz.layout import FONT_FAMILY, wrap
from dtkg.viz.rows import guess_kind
from dtkg.viz.style import node_colour

KIND_TEXT = {"province": "#00664A", "organisation": "#8A5A00"}  # darker shades of the node colours, for text
SIDE_BY_SIDE = 6  # meetings drawn along a horizontal line; more go down a vertical one
LINE_GAP = 0.22  # inches between two lines of the vertical timeline
YEAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999")


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None


def _short(name: str, width: int = 30, lines: int = 2) -> str:
    """A long meeting name on at most `lines` lines of about `width` characters."""
    wrapped = wrap(name, width).split("\n")
    return "\n".join(wrapped[:lines]) + ("…" if len(wrapped) > lines else "")


def meetings(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per dated meeting (rows of `committee-meetings`, `meetings`, `meetings-chaired`):
    ordinal, date, event, chairs, articles."""
    merged: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        try:
            date = dt.date.fromisoformat(str(row.get("date") or ""))
        except ValueError:
            continue
        ordinal = _int(row.get("ordinal"))
        org = row.get("org") or ""
        key = (date, ordinal, org) if ordinal is not None else (date, row.get("event") or "", org)  # a numbered
        entry = merged.setdefault(key, {  # session is one meeting whatever each article calls it
            "ordinal": ordinal, "date": date, "event": row.get("event") or "", "org": org, "chairs": set(), "docs": set()})
        chair = row.get("chair") or row.get("person")  # committee-meetings / meetings-chaired
        if chair:
            entry["chairs"].add(chair)
        if row.get("doc"):
            entry["docs"].add(row["doc"])
    return sorted(merged.values(), key=lambda e: (e["date"], e["ordinal"] or 0, e["event"], e["org"]))


def _meeting_text(e: dict[str, Any], lines: bool) -> str:
    """What the timeline says about a meeting: number or name, date, chairs, number of articles."""
    parts = [f"Phiên họp thứ {e['ordinal']}" if e["ordinal"] else (_short(e["event"]) if lines else e["event"]),
             e["date"].strftime("%d/%m/%Y"),
             ("chủ trì: " + ", ".join(sorted(e["chairs"]))) if e["chairs"] else None,
             f"{len(e['docs'])} bài báo"]
    if lines:
        return "\n".join(p for p in parts if p)
    name = e["event"] + (f" ({e['org']})" if e.get("org") and e["org"] not in e["event"] else "")
    return f"{parts[1]}   {name}" + "".join(f" — {p}" for p in parts[2:] if p)


def meeting_timeline(rows: Iterable[Mapping[str, Any]], title: str = "Các phiên họp của Ủy ban Quốc gia về chuyển đổi số") -> Figure:
    """A timeline of dated meetings with their number, date, chair and how many articles report them.

    Up to SIDE_BY_SIDE meetings lie along a horizontal line; more are listed down a
    vertical one, each label pushed down just enough not to touch the one above.
    """
    items = meetings(rows)
    if len(items) > SIDE_BY_SIDE:
        return _vertical_timeline(items, title)
    fig = Figure(figsize=(10, 3.2))
    ax = fig.subplots()
    ax.set_title(title, family=FONT_FAMILY, fontsize=11, loc="left")
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.get_yaxis().set_visible(False)
    if not items:
        ax.text(0.5, 0.5, "no dated meeting in the graph", ha="center", va="center", transform=ax.transAxes, family=FONT_FAMILY)
        return fig
    dates = [e["date"] for e in items]
    ax.axhline(0, color="#999999", linewidth=1, zorder=1)
    ax.scatter(dates, [0] * len(items), s=[60 + 40 * len(e["docs"]) for e in items],
               color=node_colour("meeting"), zorder=2, edgecolor="white")
    for i, e in enumerate(items):
        above = 1 if i % 2 == 0 else -1
        ax.annotate(_meeting_text(e, lines=True), (e["date"], 0), xytext=(0, 18 * above), textcoords="offset points",
                    ha="center", va="bottom" if above > 0 else "top", fontsize=8, family=FONT_FAMILY)
    pad = dt.timedelta(days=max(45, (max(dates) - min(dates)).days // 8))
    ax.set_xlim(min(dates) - pad, max(dates) + pad)
    ax.set_ylim(-1, 1)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    fig.tight_layout()
    return fig


def _vertical_timeline(items: list[dict[str, Any]], title: str) -> Figure:
    """Many meetings: dates run down (in inches, so label gaps are exact), one line of text each."""
    first, last = items[0]["date"], items[-1]["date"]
    span = max((last - first).days, 1)
    length = max(LINE_GAP * len(items), 2.0)  # inches of time axis
    marks = [(e["date"] - first).days / span * length for e in items]
    labels: list[float] = []
    for y in marks:
        labels.append(max(y, labels[-1] + LINE_GAP) if labels else y)
    bottom = labels[-1] + LINE_GAP
    fig = Figure(figsize=(10, bottom + 1.0))
    ax = fig.add_axes((0.1, 0.2 / (bottom + 1.0), 0.88, bottom / (bottom + 1.0)))
    ax.set_title(title, family=FONT_FAMILY, fontsize=11, loc="left")
    ax.scatter([0] * len(items), marks, s=[30 + 20 * len(e["docs"]) for e in items],
               color=node_colour("meeting"), zorder=2, edgecolor="white")
    ax.axvline(0, color="#999999", linewidth=1, zorder=1)
    for e, y, ly in zip(items, marks, labels):
        ax.plot([0, 0.03, 0.05], [y, ly, ly], color="#bbbbbb", linewidth=0.6)
        ax.text(0.055, ly, _meeting_text(e, lines=False), va="center", fontsize=8, family=FONT_FAMILY)
    years = range(first.year, last.year + 1)
    ax.set_yticks([(dt.date(y, 1, 1) - first).days / span * length for y in years], [str(y) for y in years])
    ax.set_xlim(-0.02, 1)
    ax.set_ylim(bottom, -LINE_GAP)
    ax.get_xaxis().set_visible(False)
    for spine in ("right", "top", "bottom"):
        ax.spines[spine].set_visible(False)
    return fig


def rankings(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[int, dict[str, Any]]]:
    """Rankings by entity and year (rows of `rankings`): {entity: {year: {"rank", "score", "docs"}}}."""
    table: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        year = _int(row.get("year"))
        if not row.get("entity") or year is None:
            continue
        entry = table[row["entity"]].setdefault(year, {"rank": None, "score": None, "docs": set()})
        entry["rank"] = entry["rank"] if entry["rank"] is not None else _int(row.get("rank"))
        entry["score"] = entry["score"] if entry["score"] is not None else _float(row.get("score"))
        if row.get("doc"):
            entry["docs"].add(row["doc"])
    return dict(table)


def _plot_year(left: Any, right: Any, table: dict, entities: list[str], year: int, colour: str, slot: Any) -> None:
    """One year's ranks (dots, left) and scores (bars, right)."""
    ys = {e: i for i, e in enumerate(entities)}
    ranked = [(table[e][year]["rank"], ys[e]) for e in entities if year in table[e] and table[e][year]["rank"] is not None]
    if ranked:
        left.scatter([r for r, _ in ranked], [y for _, y in ranked], color=colour, s=60, label=str(year), zorder=3)
        for r, y in ranked:
            left.annotate(str(r), (r, y), xytext=(6, 0), textcoords="offset points", va="center", fontsize=8)
    scored = [(table[e][year]["score"], slot(e, year)) for e in entities if year in table[e] and table[e][year]["score"] is not None]
    if scored:
        right.barh([y for _, y in scored], [s for s, _ in scored], height=slot.bar * 0.9, color=colour, label=str(year))
        for score, y in scored:
            right.annotate(f"{score:.4f}", (score, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)


class _Slots:
    """Where an entity's score bar for a year goes: its bars share its row, centred on it."""

    def __init__(self, table: dict, entities: list[str]):
        self.rows = {e: i for i, e in enumerate(entities)}
        self.years = {e: sorted(y for y, v in by_year.items() if v["score"] is not None) for e, by_year in table.items()}
        self.bar = min(0.4, 0.8 / max([len(v) for v in self.years.values()] + [1]))

    def __call__(self, entity: str, year: int) -> float:
        mine = self.years[entity]
        return self.rows[entity] + (mine.index(year) - (len(mine) - 1) / 2) * self.bar


def ranking_chart(rows: Iterable[Mapping[str, Any]], title: str = "Xếp hạng chỉ số chuyển đổi số (DTI)") -> Figure:
    """Rank per entity and year (left, 1 = best) and score where the articles give one (right).

    Provinces (green names) and ministries (brown names) are ranked in separate tables of the
    DTI, so a rank 1 in each is not a tie.
    """
    table = rankings(rows)
    years = sorted({y for by_year in table.values() for y in by_year})
    best = {e: min((v["rank"] for v in by_year.values() if v["rank"] is not None), default=10**6) for e, by_year in table.items()}
    entities = sorted(table, key=lambda e: (best[e], e))
    fig = Figure(figsize=(11, max(2.5, 0.42 * len(entities) + 1.3)))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    fig.suptitle(title, family=FONT_FAMILY, fontsize=11, x=0.01, ha="left")
    slots = _Slots(table, entities)
    for j, year in enumerate(years):
        _plot_year(left, right, table, entities, year, YEAR_COLOURS[j % len(YEAR_COLOURS)], slots)
    left.set_yticks(range(len(entities)), entities, family=FONT_FAMILY, fontsize=9)
    for tick, entity in zip(left.get_yticklabels(), entities):  # provinces and ministries are ranked apart
        tick.set_color(KIND_TEXT.get(guess_kind(entity), "#333333"))
    left.invert_yaxis()
    left.set_xlabel("hạng (1 = cao nhất)", family=FONT_FAMILY)
    left.set_xlim(0.5, max([v["rank"] or 1 for t in table.values() for v in t.values()] + [5]) + 1.5)
    right.set_xlabel("điểm DTI (khi bài báo nêu)", family=FONT_FAMILY)
    right.set_xlim(0, max([v["score"] or 0 for t in table.values() for v in t.values()] + [0.5]) * 1.25)
    for ax in (left, right):
        ax.grid(axis="x", color="#eeeeee")
    if years:
        fig.legend(*left.get_legend_handles_labels(), title="năm", fontsize=8, loc="upper right", ncol=len(years),
                   frameon=False, title_fontproperties={"family": FONT_FAMILY, "size": 8})
    if not entities:
        left.text(0.5, 0.5, "no ranking in the graph", ha="center", va="center", transform=left.transAxes, family=FONT_FAMILY)
    fig.tight_layout()
    return fig


def chart(rows: list[Mapping[str, Any]], columns: Iterable[str], params: Mapping[str, Any] | None = None,
          title: str | None = None) -> Figure | None:
    """The chart that fits a query's columns: DTI ranks (entity, rank) or a meeting timeline (event, date); else None."""
    columns = set(columns)
    if {"entity", "rank"} <= columns:
        year = (params or {}).get("year")  # dti-ranking takes the year as a parameter, not a column
        rows = [{**r, "year": r.get("year") or year} for r in rows]
        return ranking_chart(rows, **({"title": title} if title else {}))
    if {"event", "date"} <= columns:
        return meeting_timeline(rows, **({"title": title} if title else {}))
    return None
