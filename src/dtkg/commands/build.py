"""`dtkg build`: read articles, extract facts and write the graph, dumps and store into OUT."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = """Read news articles, extract facts with their evidence and build the knowledge graph.

SOURCES are folders of .txt/.html/.htm/.md articles (id = file stem) or JSON Lines
files of {"id", "url", "title", "date", "text"}; with no SOURCES the bundled sample
corpus is built. Bad input (empty, binary, oversized or undecodable files, broken JSON
lines, records without id or text) is skipped and listed with its reason.

OUT receives, all at once when the build succeeds (a failed or killed build leaves the
previous output as it was):
  store/            on-disk pyoxigraph store read by `dtkg query` and `dtkg serve`
  dtkg.trig         every named graph: one per article, ontology, reference, inferred, dataset
  dtkg.ttl, dtkg.nt the merged graph: article graphs + reference + inferred
  *.sha256          checksum of each dump
  void.ttl          DCAT/VoID description of the dataset
  validation.ttl    SHACL report (validation.txt: the same in plain words)
  rejected.jsonl    one line per rejected input: {"source", "reason"}
  build.json        summary: articles, rejections, facts per type, triples per graph,
                    SHACL verdict, seconds per stage (or the reason a build failed)

exit codes:
  0  built, all input read, the graph conforms to the shapes
  1  built, but some input was rejected or the graph does not conform
  2  nothing built: no readable article, bad usage, or a failure (see OUT/build.json)"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `build` verb to the `dtkg` command."""
    parser = subparsers.add_parser(
        "build", help="build the graph, dumps and store from articles",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="article folders or JSON Lines files")
    parser.add_argument("--out", type=Path, default=Path("dtkg-out"), metavar="DIR",
                        help="output folder (default: dtkg-out)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="extract in N processes (default 1; 0 = one per CPU)")
    parser.add_argument("--no-reason", action="store_true", help="skip OWL RL reasoning (dtkgg:inferred stays empty)")
    parser.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    parser.add_argument("--incremental", action="store_true",
                        help="add to (or replace articles in) the store already in OUT instead of starting afresh")
    parser.add_argument("--quiet", action="store_true", help="no progress output, only the summary")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the build and print its summary."""
    from dtkg.build import Options, Progress, build

    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    if args.out.exists() and not args.out.is_dir():
        print(f"dtkg build: --out {args.out} is a file, not a folder", file=sys.stderr)
        return 2
    options = Options(sources=list(args.sources), out=args.out, jobs=jobs, reason=not args.no_reason,
                      validate=not args.no_validate, incremental=args.incremental)
    try:
        summary = build(options, Progress(quiet=args.quiet))
    except OSError as exc:
        print(f"dtkg build: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(format_summary(summary, args.out))
    return summary.exit_code()


def format_summary(summary, out: Path) -> str:
    """The summary printed at the end of a build."""
    lines = [f"dtkg build: {summary.status} in {summary.seconds.get('total', 0):.1f} s → {out}"]
    lines.append(f"  articles: {summary.articles_built} built, {len(summary.rejected)} rejected"
                 f" ({summary.article_graphs} article graphs in the store)")
    for rejection in summary.rejected[:20]:
        lines.append(f"    rejected {rejection.source}: {rejection.reason}")
    if len(summary.rejected) > 20:
        lines.append(f"    … and {len(summary.rejected) - 20} more (see {out / 'rejected.jsonl'})")
    if summary.facts:
        lines.append("  facts: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.facts.items())))
    if summary.triples:
        lines.append("  triples: " + ", ".join(f"{k} {v}" for k, v in summary.triples.items()))
    if summary.inferred is not None:
        lines.append(f"  inferred: {summary.inferred} triples")
    if summary.shacl:
        verdict = "conforms" if summary.shacl["conforms"] else "does NOT conform"
        lines.append(f"  SHACL: {verdict} ({summary.shacl['violations']} violations, "
                     f"{summary.shacl['warnings']} warnings; see {out / 'validation.txt'})")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.seconds.items() if k != "total")
    if stages:
        lines.append(f"  time: {stages}")
    lines += [f"  note: {note}" for note in summary.notes]
    if summary.error:
        lines.append(f"  error: {summary.error.splitlines()[0]} (details in {out / 'build.json'})")
    return "\n".join(lines)
