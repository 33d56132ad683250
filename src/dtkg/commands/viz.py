"""`dtkg viz QUERY --out FILE.html|FILE.png|FILE.svg`: draw the result of a saved query."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = (".html", ".png", ".svg")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `viz` verb."""
    parser = subparsers.add_parser(
        "viz",
        help="draw the result of a saved query as an interactive HTML page or a PNG/SVG picture",
        description="Run a saved query (see `dtkg query --list`) and draw its rows as a graph: "
        "people, organisations, provinces, systems, meetings as coloured nodes, facts as edges. "
        "The HTML page works offline; hover or click an edge to read the sentence that states it. "
        "With a local graph, each edge gets its evidence sentence, article and date from the store.",
    )
    parser.add_argument("query", metavar="QUERY", help="name of a saved query, e.g. who-chairs-what")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the query (repeatable), e.g. --param year=2021")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--graph", metavar="DIR", default="dtkg-out",
                        help="build folder written by `dtkg build --out DIR` (default: dtkg-out)")
    source.add_argument("--endpoint", metavar="URL", help="SPARQL endpoint to query instead of a local graph")
    parser.add_argument("--out", metavar="FILE", required=True, help="FILE.html, FILE.png or FILE.svg")
    parser.add_argument("--title", help="title drawn on the picture (default: the query's title)")
    parser.add_argument("--chart", action="store_true",
                        help="draw a chart instead of a graph (.png/.svg): DTI ranks for rankings and dti-ranking, "
                        "a timeline for committee-meetings, meetings and meetings-chaired")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds the query may run (default: 60)")
    parser.set_defaults(func=run)


def _params(pairs: list[str]) -> dict[str, str]:
    """Parse NAME=VALUE pairs; ValueError names the bad one."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param {pair!r}: want NAME=VALUE")
        params[name.strip()] = value
    return params


def run(args: argparse.Namespace) -> int:
    """Run the query, turn its rows into a graph, attach evidence from the local store, draw it."""
    from dtkg import queries
    from dtkg.viz import attach_evidence, draw, from_rows

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"dtkg viz: {out}: the output must end in {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    try:
        params = _params(args.param)
        saved = queries.load_query(args.query)
        store = None if args.endpoint else queries.open_store(args.graph)
        result = queries.run_saved(args.query, params, store=store, endpoint=args.endpoint, timeout=args.timeout)
    except (ValueError, queries.QueryError) as exc:
        print(f"dtkg viz: {exc}", file=sys.stderr)
        return 2
    rows = result.records()
    title = args.title or saved.title or args.query
    if args.chart:
        return _draw_chart(args.query, rows, result.columns, params, title, out)
    graph = from_rows(args.query, rows, params=params)
    if graph.number_of_edges() == 0:
        print(f"dtkg viz: query {args.query!r} returned {len(rows)} row(s) and nothing to draw "
              f"(columns: {', '.join(result.columns)})", file=sys.stderr)
        return 1
    with_evidence = attach_evidence(graph, store) if store is not None else 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        draw(graph, out, title=title)
    except OSError as exc:
        print(f"dtkg viz: cannot write {out}: {exc}", file=sys.stderr)
        return 2
    print(f"dtkg viz: wrote {out} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} facts"
          f"{f', {with_evidence} with their sentence' if store is not None else ''})")
    return 0


def _draw_chart(query: str, rows: list[dict], columns: list[str], params: dict, title: str, out: Path) -> int:
    """`--chart`: the ranking chart or the meeting timeline, when the query's columns fit one."""
    from dtkg.viz import charts
    from dtkg.viz.static import save_figure

    if out.suffix.lower() not in (".png", ".svg"):
        print(f"dtkg viz: --chart draws .png or .svg, not {out.suffix}", file=sys.stderr)
        return 2
    fig = charts.chart(rows, columns, params, title)
    if fig is None:
        print(f"dtkg viz: no chart for {query!r} (columns: {', '.join(columns)}); "
              "charts: rankings, dti-ranking, committee-meetings, meetings, meetings-chaired", file=sys.stderr)
        return 2
    if not rows:
        print(f"dtkg viz: query {query!r} returned no rows", file=sys.stderr)
        return 1
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        save_figure(fig, out)
    except OSError as exc:
        print(f"dtkg viz: cannot write {out}: {exc}", file=sys.stderr)
        return 2
    print(f"dtkg viz: wrote {out} (chart of {len(rows)} rows)")
    return 0
