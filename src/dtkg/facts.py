"""Fact tables: run the ten saved fact queries and write one CSV per GOLD.md fact type.

`dtkg facts --graph OUT --out DIR` writes `heads.csv`, `post.csv`, … whose header is the
type's GOLD.md fields plus `doc` — the files `../shared/eval/score.py` reads. Each file is
written to a temporary file beside it and moved into place with `os.replace`, so a
reader never sees half a table.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from dtkg import atomic, queries

# GOLD.md fact type -> (saved query, fields). The CSV header is the fields plus `doc`.
FACT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "heads": ("who-chairs-what", ("person", "org")),
    "post": ("posts", ("person", "role", "org")),
    "headed_by_post": ("headed-by-post", ("org", "post")),
    "presides": ("meetings-chaired", ("person", "event", "date")),
    "links": ("province-links-database", ("subject", "object", "status")),
    "operates": ("operators", ("org", "system")),
    "ranking": ("rankings", ("entity", "index", "year", "rank", "score")),
    "document": ("documents", ("number", "kind", "date", "issuer")),
    "meeting": ("meetings", ("event", "org", "date", "ordinal")),
    "renamed": ("renamed", ("old", "new", "date")),
}


def header(fact_type: str) -> list[str]:
    """The CSV header of a fact type: its GOLD.md fields, then `doc`."""
    return [*FACT_TABLES[fact_type][1], "doc"]


def fact_table(store, fact_type: str, timeout: float | None = None) -> queries.Result:
    """Run the saved query of one fact type; its columns must be the GOLD fields plus doc. The
    cells are plain text (`queries.cell_text`)."""
    name, _ = FACT_TABLES[fact_type]
    result = queries.run_local(store, queries.bind_params(queries.load_query(name), {}), timeout, plain=True)
    if result.columns != header(fact_type):
        raise queries.QueryError(
            f"queries/{name}.rq returns columns {result.columns}, but {fact_type}.csv needs {header(fact_type)}"
        )
    return result


def csv_text(columns: list[str], result: queries.Result) -> str:
    """The table as CSV text: UTF-8, LF line ends, plain lexical values, empty cells for nulls."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([queries.cell_text(cell) for cell in row] for row in result.rows)
    return buf.getvalue()


def write_facts(graph: str | Path, out: str | Path, store=None, timeout: float | None = None) -> dict[str, int]:
    """Write every fact table of the build in `graph` (or of `store`) into `out`; rows per type.

    Every query runs before any file is replaced (a failed query leaves the old tables); each
    table is kept as CSV text meanwhile, not as rows (at 100k articles: 1.6M rows).
    """
    store = store if store is not None else queries.open_store(graph)
    texts, counts = {}, {}
    for fact_type in FACT_TABLES:
        result = fact_table(store, fact_type, timeout)
        texts[fact_type], counts[fact_type] = csv_text(header(fact_type), result), len(result.rows)
        del result
    for fact_type, text in texts.items():
        atomic.write_text(Path(out) / f"{fact_type}.csv", text)
    return counts
