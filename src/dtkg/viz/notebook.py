"""Small display helpers for Jupyter: a table of rows and the interactive graph view inline.

They only define `_repr_html_` / `__repr__`, so dtkg needs neither IPython nor pandas.
"""
from __future__ import annotations

import html
import io
from typing import Any, Iterable, Mapping

import networkx as nx
from matplotlib.figure import Figure

from dtkg.viz.html import page


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    return str(value)


class Table:
    """Rows (dicts) shown as an HTML table in a notebook and as aligned text elsewhere."""

    def __init__(self, rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None, limit: int | None = None):
        self.rows = [dict(r) for r in rows]
        self.columns = list(columns) if columns else list(dict.fromkeys(k for r in self.rows for k in r))
        self.limit = limit

    def _shown(self) -> list[dict[str, Any]]:
        return self.rows[: self.limit] if self.limit else self.rows

    def _more(self) -> str:
        hidden = len(self.rows) - len(self._shown())
        return f"… and {hidden} more rows" if hidden > 0 else f"{len(self.rows)} rows"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in self.columns) + "</tr>"
            for r in self._shown()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{self._more()}</p>"

    def __repr__(self) -> str:
        cells = [[_cell(r.get(c)) for c in self.columns] for r in self._shown()]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
        return "\n".join(lines + [self._more()])


class Inline:
    """The interactive view of a graph, shown inside a notebook cell (an iframe holding the offline page)."""

    def __init__(self, g: nx.MultiDiGraph, title: str | None = None, height: int = 560):
        self.g, self.title, self.height = g, title, height

    def _repr_html_(self) -> str:
        source = html.escape(page(self.g, title=self.title), quote=True)
        return (f'<iframe srcdoc="{source}" style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
                f'sandbox="allow-scripts allow-popups"></iframe>')

    def __repr__(self) -> str:
        return f"<interactive view: {self.g.number_of_nodes()} nodes, {self.g.number_of_edges()} facts>"


class Picture:
    """A PNG shown in a notebook (IPython calls `_repr_png_`), from a graph or a matplotlib Figure."""

    def __init__(self, what: nx.MultiDiGraph | Figure, title: str | None = None, dpi: int = 100):
        if isinstance(what, nx.Graph):
            from dtkg.viz.static import figure

            what = figure(what, title=title)
        buffer = io.BytesIO()
        what.savefig(buffer, format="png", dpi=dpi, facecolor="white")
        self.png = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return f"<picture: {len(self.png)} bytes of PNG>"


def picture(what: nx.MultiDiGraph | Figure, title: str | None = None, dpi: int = 100) -> Picture:
    """Show a graph (drawn like `dtkg viz … --out FILE.png`) or a chart as a PNG in a notebook cell."""
    return Picture(what, title, dpi)


def table(rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None, limit: int | None = None) -> Table:
    """Show rows as a table (all columns in first-seen order unless `columns` is given)."""
    return Table(rows, columns, limit)


def inline(g: nx.MultiDiGraph, title: str | None = None, height: int = 560) -> Inline:
    """Show the interactive, offline graph view in a notebook cell."""
    return Inline(g, title, height)
