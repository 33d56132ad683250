"""`dtkg serve`: a read-only SPARQL endpoint (Oxigraph + a filtering proxy) over a build."""
from __future__ import annotations

import argparse
import sys

from dtkg import serve

HELP = """Serve a build's store as a read-only SPARQL 1.1 endpoint with a query UI.
The Oxigraph server answers queries on a private loopback port; dtkg's proxy on
--bind refuses updates, LOAD, graph-store writes, SERVICE, FROM with non-dtkg
IRIs and over-size queries (HTTP 400/403/405 with the reason) and stops queries
after --timeout seconds. Binds 127.0.0.1 by default.

exit codes:
  0  stopped by Ctrl-C or SIGTERM
  2  could not start (no store, port in use, oxigraph missing) or the engine died"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `serve` verb to the `dtkg` command."""
    p = subparsers.add_parser("serve", help="serve the graph as a read-only SPARQL endpoint", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", default="dtkg-out", metavar="OUT", help="build folder (default: dtkg-out)")
    p.add_argument("--bind", default="127.0.0.1:7878", metavar="HOST:PORT", help="address (default 127.0.0.1:7878)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="time limit per query (default 30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out `dtkg serve`."""
    try:
        return serve.serve(args.graph, args.bind, args.timeout)
    except serve.ServeError as exc:
        print(f"dtkg serve: {exc}", file=sys.stderr)
        return 2
