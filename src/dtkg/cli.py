"""The `dtkg` command: a thin layer of verbs over importable functions.

Each verb lives in `dtkg.commands.<verb>` and exposes `register(subparsers)`, which adds
its parser and sets `func(args) -> int`. Exit codes (for every verb):

  0  success (for `validate`: the graph conforms)
  1  the job ran but found a problem: a graph that does not conform, input rejected
  2  the job could not run: bad usage, a file that cannot be read, a server error
"""
from __future__ import annotations

import argparse
import importlib
import sys

from dtkg import __version__

VERBS = ("build", "dump", "validate", "facts", "query", "serve", "publish", "viz")
EXIT_CODES = """exit codes:
  0  success (validate: the graph conforms)
  1  the job ran but found a problem (non-conforming graph, rejected input)
  2  the job could not run (bad usage, unreadable file, server error)"""


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every verb that is installed."""
    parser = argparse.ArgumentParser(
        prog="dtkg",
        description="dtkg: a knowledge graph of Vietnam's digital transformation, read from news articles.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dtkg {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb in VERBS:
        try:
            module = importlib.import_module(f"dtkg.commands.{verb}")
        except ModuleNotFoundError as exc:
            if exc.name == f"dtkg.commands.{verb}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("dtkg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
