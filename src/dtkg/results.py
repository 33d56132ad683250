"""The SHACL results of a build, kept per article graph in OUT/validation.jsonl.

A build validates each article graph where it is extracted (`dtkg.validate.engine`, in
the worker processes) and keeps what each graph's check found. An incremental build then
validates only the graphs it adds or replaces: it drops the results of the replaced
graphs, adds those of the new ones, and keeps the rest. Per-graph validation gives the
same verdict as one run over everything (see `dtkg.validate.per_graph`).

One JSON object per line: {"graph", "severity", "focus", "shape", "message", "path",
"value"}, terms in N-Triples syntax; lines sorted, so the file is byte-stable.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from rdflib.util import from_n3

from dtkg.validate.report import Violation, sort_key

FILE = "validation.jsonl"
VOCABULARY = ""  # the "graph" of results about the vocabulary's own nodes


def _n3(term) -> str | None:
    return None if term is None else term.n3()


def to_line(graph: str, v: Violation) -> str:
    record = {"graph": graph, "severity": v.severity, "focus": _n3(v.focus), "shape": _n3(v.shape),
              "message": v.message, "path": v.path, "value": _n3(v.value)}
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def from_line(line: str) -> tuple[str, Violation]:
    r = json.loads(line)
    value = from_n3(r["value"]) if r.get("value") is not None else None
    return r["graph"], Violation(r["severity"], from_n3(r["focus"]), from_n3(r["shape"]), r["message"],
                                 r.get("path"), value)


class Results:
    """SHACL results by article graph (IRI string; "" for the vocabulary)."""

    def __init__(self) -> None:
        self.by_graph: dict[str, list[Violation]] = {}

    def add(self, graph: str, violations: Iterable[Violation]) -> None:
        found = list(violations)
        if found:
            self.by_graph[graph] = found
        else:
            self.by_graph.pop(graph, None)

    def drop(self, graphs: Iterable[str]) -> None:
        for graph in graphs:
            self.by_graph.pop(graph, None)

    def violations(self) -> list[Violation]:
        """Every distinct result, sorted."""
        return sorted({v for found in self.by_graph.values() for v in found}, key=sort_key)

    def write(self, path: Path) -> None:
        lines = sorted(to_line(g, v) for g, found in self.by_graph.items() for v in found)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(lines)

    @classmethod
    def read(cls, path: Path) -> "Results":
        results = cls()
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    graph, v = from_line(line)
                    results.by_graph.setdefault(graph, []).append(v)
        return results
