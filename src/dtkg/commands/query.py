"""`dtkg query`: run a saved SPARQL query (or your own) on the local store or an endpoint."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata

from dtkg import queries
from dtkg.guard import RefusedQuery

HELP = """Run a saved query from queries/ by NAME (see --list), or your own with --text,
on the store of a build (--graph, default dtkg-out) or on any SPARQL 1.1 endpoint
(--endpoint). Parameters are bound as RDF terms (never pasted into the text).
Updates, LOAD, SERVICE and FROM with non-dtkg IRIs are refused.

examples:
  dtkg query who-chairs-what
  dtkg query dti-ranking --param year=2023 --format csv
  dtkg query person --param name="Nguyễn Văn An" --endpoint http://127.0.0.1:7878/query

exit codes:
  0  the query ran (even with no rows)
  2  unknown query or parameter, refused query, bad endpoint, time limit, store missing"""
MAX_CELL = 60


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `query` verb to the `dtkg` command."""
    p = subparsers.add_parser("query", help="run a saved SPARQL query", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", help="saved query name (file stem in queries/)")
    p.add_argument("--list", action="store_true", help="list the saved queries with their parameters")
    p.add_argument("--text", metavar="SPARQL", help="run this query text instead of a saved query")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a query parameter (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--graph", default="dtkg-out", metavar="DIR", help="build folder (default: dtkg-out)")
    where.add_argument("--endpoint", metavar="URL", help="SPARQL 1.1 query endpoint URL")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="time limit in seconds (default 30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out `dtkg query`."""
    if args.list:
        print_list()
        return 0
    if bool(args.name) == bool(args.text):
        print("dtkg query: give a saved query NAME or --text (see dtkg query --list)", file=sys.stderr)
        return 2
    try:
        text = args.text if args.text else queries.bind_params(queries.load_query(args.name), parse_params(args.param))
        if args.text and args.param:
            raise queries.ParamError("--param only applies to saved queries")
        result = queries.run_text(text, graph=args.graph, endpoint=args.endpoint, timeout=args.timeout)
    except (queries.QueryError, RefusedQuery) as exc:
        print(f"dtkg query: {exc}", file=sys.stderr)
        return 2
    write_result(result, args.format, sys.stdout)
    return 0


def parse_params(items: list[str]) -> dict[str, str]:
    """NAME=VALUE strings to a dict; ParamError on a malformed one."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise queries.ParamError(f"--param wants NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def print_list(out=None) -> None:
    """Each saved query: name, title, description, parameters and columns."""
    out = out or sys.stdout
    for name, q in queries.saved_queries().items():
        print(f"{name}\n  {q.title}", file=out)
        if q.description:
            print(f"  {q.description}", file=out)
        for p in q.params:
            print(f"  --param {p.name}=…  {p.description} ({p.type}{', optional' if p.optional else ''})", file=out)
        if q.columns:
            print(f"  columns: {', '.join(q.columns)}", file=out)
        print(file=out)


def write_result(result: queries.Result, fmt: str, out) -> None:
    """Print a result as an aligned table, CSV, or a JSON list of objects."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[queries.cell_text(c) for c in row] for row in result.rows])
    elif fmt == "json":
        json.dump(result.records(), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(format_table(result))


def width(text: str) -> int:
    """Terminal columns a string takes (combining marks take none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(result: queries.Result) -> str:
    """An aligned plain-text table with a header rule and a row count."""
    def clip(text: str) -> str:
        text = " ".join(text.split())
        return text if width(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"

    cells = [[clip(queries.cell_text(c)) for c in row] for row in result.rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(result.columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    lines = [line(result.columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    n = len(result.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"
