"""`dtkg validate`: check RDF files or a build's TriG dump against the dtkg SHACL shapes.

Files are read by extension, never from the network: JSON-LD with a remote `@context`
and RDF/XML with external entities are refused with a clear reason.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from dtkg import validate as shacl
from dtkg.namespaces import GRAPH

FORMATS = {
    ".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads",
    ".n3": "n3", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
}
DUMP_NAME = "dtkg.trig"
VOCABULARY_GRAPHS = (GRAPH["ontology"], GRAPH["reference"])
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)

HELP = """Check RDF against the dtkg SHACL shapes (shapes/dtkg-shapes.ttl) and say, in plain
words, which node breaks which rule. The ontology and reference graph in ontology/
are added to the data (sh:class needs the class hierarchy) unless the input already
holds the dtkgg:ontology and dtkgg:reference graphs (a build's dtkg.trig does), or
--ontology / --no-ontology says otherwise. The dtkgg:inferred graph of a build is not
checked (it only repeats what the ontology implies). Nothing is fetched: JSON-LD with
a remote @context and RDF/XML with entity declarations are refused.

exit codes:
  0  the graph conforms (warnings, e.g. a fact without a date, are printed but allowed)
  1  the graph does not conform; the report says which node broke which rule
  2  a file could not be read or parsed, or --shapes is not valid SHACL (the reason
     is printed), or bad usage"""


class ReadError(Exception):
    """An input file that cannot be read or parsed; the message says which and why."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `validate` verb to the `dtkg` command."""
    parser = subparsers.add_parser(
        "validate",
        help="check RDF files or a build against the SHACL shapes",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="RDF files (.ttl .trig .nt .nq .jsonld .rdf)")
    parser.add_argument("--graph", metavar="OUTDIR", type=Path, help=f"validate a build folder's {DUMP_NAME}")
    parser.add_argument("--format", choices=("text", "turtle"), default="text", help="report format (default text)")
    parser.add_argument("--lang", choices=shacl.LANGUAGES, default="en",
                        help="language of the text report: en (English, default) or vi (tiếng Việt)")
    parser.add_argument("--shapes", metavar="FILE", type=Path,
                        help="use this shapes file instead of dtkg's (checked against SHACL-for-SHACL first)")
    parser.add_argument("--ontology", metavar="FILE", type=Path, action="append",
                        help="vocabulary file(s) to add instead of ontology/ (repeatable)")
    parser.add_argument("--no-ontology", action="store_true", help="add no vocabulary to the data")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="check article graphs in batches in N processes (same verdict as one run)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the inputs, validate, print the report; return the exit code."""
    paths = list(args.files) + ([str(args.graph / DUMP_NAME)] if args.graph else [])
    if not paths:
        print("dtkg validate: give FILE(s) or --graph OUTDIR (see dtkg validate --help)", file=sys.stderr)
        return 2
    try:
        data = Dataset()
        for path in paths:
            read_rdf(Path(path), data)
        shapes = shacl.merge([read_rdf(args.shapes, Dataset())]) if args.shapes else None
        vocabulary = _vocabulary(args, data)
    except ReadError as exc:
        print(f"dtkg validate: {exc}", file=sys.stderr)
        return 2
    problem = shacl.check_shapes(shapes) if shapes is not None else None
    if problem:
        print(f"dtkg validate: cannot use {args.shapes}: it is not valid SHACL:\n{problem}", file=sys.stderr)
        return 2
    try:
        if args.jobs > 1:
            result = shacl.validate_per_graph(data, shapes=shapes, ont_graph=vocabulary, jobs=args.jobs, lang=args.lang)
        else:
            result = shacl.validate(data, shapes=shapes, ont_graph=vocabulary, lang=args.lang)
    except Exception as exc:  # noqa: BLE001 - a validator failure is "could not run", not "does not conform"
        print(f"dtkg validate: validation could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.format == "turtle":
        sys.stdout.write(result.report_graph.serialize(format="turtle"))
    else:
        sys.stdout.write(result.text)
    return 0 if result.conforms else 1


def _vocabulary(args: argparse.Namespace, data: Dataset) -> Graph | None:
    """The vocabulary to add: --ontology files, none, or ontology/ unless the input holds it already."""
    if args.no_ontology:
        return None
    if args.ontology:
        graph = Dataset()
        for path in args.ontology:
            read_rdf(path, graph)
        return shacl.merge([graph])
    present = {shacl.graph_id(g) for g in data.graphs()}
    if all(g in present for g in VOCABULARY_GRAPHS):
        return None
    return shacl.load_vocabulary()


def read_rdf(path: Path, into: Dataset) -> Dataset:
    """Parse one RDF file into a dataset, choosing the syntax by extension; never fetch anything."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"cannot read {path}: unknown extension {path.suffix!r} (use {' '.join(sorted(set(FORMATS)))})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        with _quiet_literals():
            _parse(raw, fmt, path, into)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - every parser error becomes "cannot read <file>: <reason>"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ReadError(f"cannot read {path}: {reason}") from exc
    return into


def _parse(raw: bytes, fmt: str, path: Path, into: Dataset) -> None:
    """Parse bytes of one syntax; quads keep their graphs, triples go to the `dtkgg:input` graph."""
    base = path.resolve().as_uri()
    if fmt == "json-ld":
        into.parse(data=_safe_jsonld(raw, path), format="json-ld", publicID=base)
    elif fmt == "xml":
        if _ENTITY.search(raw):
            raise ReadError(
                f"cannot read {path}: XML entity declarations are not allowed (external ones would be fetched, "
                "internal ones can expand without bound); expand them in the file or use Turtle"
            )
        into.parse(data=raw, format="xml", publicID=base)
    elif fmt in ("trig", "nquads"):
        into.parse(data=raw, format=fmt, publicID=base)
    else:
        into.graph(GRAPH["input"]).parse(data=raw, format=fmt, publicID=base)


@contextlib.contextmanager
def _quiet_literals():
    """Silence rdflib's traceback for ill-typed literals ("2025-13-45"^^xsd:date): the shapes report them."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _safe_jsonld(raw: bytes, path: Path) -> str:
    """Return the JSON-LD text after checking it names no context or import to load from elsewhere."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"cannot read {path}: not JSON: {exc}") from exc
    remote = _remote_references(doc)
    if remote:
        raise ReadError(
            f"cannot read {path}: JSON-LD context {remote[0]!r} would have to be loaded from elsewhere; "
            "dtkg never fetches contexts: put the context inline in the file"
        )
    return raw.decode("utf-8")


def _remote_references(node: Any) -> list[str]:
    """Every `@context` given by reference (a string) and every `@import`, anywhere in a JSON-LD document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                contexts = value if isinstance(value, list) else [value]
                found += [c for c in contexts if isinstance(c, str)]
            if key == "@import" and isinstance(value, str):
                found.append(value)
            found += _remote_references(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_references(item)
    return found
