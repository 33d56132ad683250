"""`dtkg dump`: write the dumps of a built store (after an incremental build)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = """Write the dumps of a build from its store: dtkg.trig (every named graph),
dtkg.ttl and dtkg.nt (the merged graph), their .sha256 files and void.ttl, with the
dataset description in the store updated to match. A full `dtkg build` writes them as
it goes; `dtkg build --incremental` does not (that would cost as much as a build), so run
this after incremental builds, before publishing the files. The previous output stays
as it was if this fails or is interrupted."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `dump` verb to the `dtkg` command."""
    parser = subparsers.add_parser("dump", help="write the dumps of a build from its store", description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, default=Path("dtkg-out"), metavar="OUT",
                        help="build folder (default: dtkg-out)")
    parser.add_argument("--quiet", action="store_true", help="no progress output, only the summary")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dtkg.build import Progress
    from dtkg.export import write_dumps

    summary = write_dumps(args.graph, Progress(quiet=args.quiet))
    if summary.status != "built":
        print(f"dtkg dump: {summary.error}", file=sys.stderr)
        return 2
    t = summary.triples
    print(f"dtkg dump: wrote dtkg.trig, dtkg.ttl ({t.get('merged', 0)} triples), dtkg.nt, void.ttl "
          f"for {summary.article_graphs} article graphs in {summary.seconds['total']:.1f} s → {args.graph}")
    return 0
