"""Fact tables straight from the extractors (no RDF), for measuring them while developing.

    python -m dtkg.extract.debug SOURCE… --out DIR     # DIR/post.csv, heads.csv, … as score.py reads

The published tables come from the saved queries (`dtkg facts`); this shortcut skips the graph.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

from dtkg.extract import extract_all
from dtkg.model import Entity
from dtkg.text import prepare

FIELDS = {
    "post": ("person", "role", "org"),
    "heads": ("person", "org"),
    "headed_by_post": ("org", "post"),
    "presides": ("person", "event", "date"),
    "links": ("subject", "object", "status"),
    "operates": ("org", "system"),
    "ranking": ("entity", "index", "year", "rank", "score"),
    "document": ("number", "kind", "date", "issuer"),
    "meeting": ("event", "org", "date", "ordinal"),
    "renamed": ("old", "new", "date"),
}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Entity):
        return value.name
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rows(fact) -> list[tuple[str, dict]]:
    """(type, row) pairs for one fact; a post by a head also gives a `heads` row."""
    a = dict(fact.args)
    if fact.type == "presides":
        a["event"] = a.get("meeting")
    if fact.type == "meeting":
        a["event"] = a.get("meeting")
    out = [(fact.type, {f: _cell(a.get(f)) for f in FIELDS[fact.type]})]
    if fact.type == "post" and a["role"].get("heads"):
        out.append(("heads", {"person": _cell(a["person"]), "org": _cell(a["org"])}))
    return out


def main(argv=None) -> int:
    from dtkg.corpus import read as read_sources

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sources", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    tables: dict[str, list[dict]] = {t: [] for t in FIELDS}
    for item in read_sources(args.sources):
        if not hasattr(item, "text"):
            continue
        doc = prepare(item)
        for fact in extract_all(doc):
            for ftype, row in rows(fact):
                tables[ftype].append({**row, "doc": doc.id})
    args.out.mkdir(parents=True, exist_ok=True)
    for ftype, table in tables.items():
        with (args.out / f"{ftype}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=[*FIELDS[ftype], "doc"])
            w.writeheader()
            w.writerows(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
