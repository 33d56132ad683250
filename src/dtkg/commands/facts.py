"""`dtkg facts`: write the fact tables (one CSV per GOLD.md type) from a build."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dtkg import facts, queries
from dtkg.guard import RefusedQuery

HELP = """Run the ten saved fact-table queries on a build's store and write one CSV per
fact type (heads.csv, post.csv, headed_by_post.csv, presides.csv, links.csv,
operates.csv, ranking.csv, document.csv, meeting.csv, renamed.csv): header = the
type's GOLD.md fields plus doc, UTF-8, each file replaced atomically.
Score them with: python score.py --gold GOLD.jsonl --pred DIR

exit codes:
  0  the tables were written
  2  the store could not be opened or a query failed"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `facts` verb to the `dtkg` command."""
    p = subparsers.add_parser("facts", help="write the fact tables (CSV) the scorer reads", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", default="dtkg-out", metavar="OUT", help="build folder (default: dtkg-out)")
    p.add_argument("--out", metavar="DIR", help="folder for the CSV files (default: OUT/facts)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="time limit per query (default 300)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out `dtkg facts`."""
    start = time.perf_counter()
    out = args.out or str(Path(args.graph) / "facts")
    try:
        counts = facts.write_facts(args.graph, out, timeout=args.timeout)
    except (queries.QueryError, RefusedQuery, OSError) as exc:
        print(f"dtkg facts: {exc}", file=sys.stderr)
        return 2
    for fact_type, n in counts.items():
        print(f"{fact_type + '.csv':20} {n:6} rows")
    print(f"wrote {len(counts)} tables to {out} in {time.perf_counter() - start:.2f} s")
    return 0
