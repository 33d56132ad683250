"""`dtkg publish`: upload each named graph to a Graph Store Protocol endpoint, check the counts."""
from __future__ import annotations

import argparse
import sys

from dtkg import publish, queries

HELP = """Upload every named graph of a build to a SPARQL 1.1 Graph Store Protocol endpoint
(Oxigraph …/store, Fuseki …/ds/data, GraphDB, Virtuoso …): one idempotent HTTP PUT per
graph (?graph=IRI, sorted N-Triples), retried on 5xx and dropped connections with
exponential back-off (honouring Retry-After). Then the triple count of each graph on
the server (SPARQL COUNT on --query-url, guessed from --to for …/store and …/data)
must equal the local one.

Credentials: --user/--password, or DTKG_PUBLISH_USER / DTKG_PUBLISH_PASSWORD.

example:
  dtkg publish --graph dtkg-out --to http://127.0.0.1:7878/store

exit codes:
  0  every graph uploaded and the counts agree
  1  uploaded, but a remote count differs from the local one
  2  could not upload (no store, bad URL, request refused, retries used up)"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `publish` verb to the `dtkg` command."""
    p = subparsers.add_parser("publish", help="upload the graphs to a Graph Store Protocol endpoint",
                              description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", default="dtkg-out", metavar="OUT", help="build folder (default: dtkg-out)")
    p.add_argument("--to", required=True, metavar="URL", help="graph store URL, e.g. http://host:7878/store")
    p.add_argument("--query-url", metavar="URL", help="SPARQL query URL for the count check")
    p.add_argument("--user", help="user for HTTP Basic auth (or DTKG_PUBLISH_USER)")
    p.add_argument("--password", help="password (or DTKG_PUBLISH_PASSWORD)")
    p.add_argument("--retries", type=int, default=5, metavar="N", help="retries per request (default 5)")
    p.add_argument("--backoff", type=float, default=0.5, metavar="S", help="first retry delay (default 0.5 s)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="per-request timeout (default 60 s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out `dtkg publish`."""
    user, password = publish.credentials(args.user, args.password)
    try:
        if not args.to.startswith(("http://", "https://")):
            raise publish.PublishError(f"--to wants an http(s) URL, got {args.to!r}")
        target = publish.Target(args.to, args.query_url or publish.query_url_for(args.to), user, password,
                                max(0, args.retries), args.backoff, args.timeout)
        counts = publish.publish(args.graph, target, log=lambda msg: print(msg, flush=True))
    except (publish.PublishError, queries.QueryError) as exc:
        print(f"dtkg publish: {exc}", file=sys.stderr)
        return 2
    bad = {g: c for g, c in counts.items() if c[0] != c[1]}
    width = max(len(g) for g in counts)
    print(f"\n{'graph':{width}}  {'local':>8}  {'remote':>8}")
    for graph, (local, remote) in counts.items():
        print(f"{graph:{width}}  {local:8}  {remote:8}{'  MISMATCH' if graph in bad else ''}")
    if bad:
        print(f"dtkg publish: ERROR: remote triple counts differ from local ones for {len(bad)} graph(s): "
              + "; ".join(f"{g} local {lc} remote {rc}" for g, (lc, rc) in bad.items()), file=sys.stderr)
        return 1
    print(f"published {len(counts)} graphs, {sum(c[0] for c in counts.values())} triples; counts agree")
    return 0
