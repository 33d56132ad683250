"""Extraction: a normalised Document in, facts with evidence out (pure: no I/O, no RDF).

Each extractor module has NAME, VERSION and `extract(ctx) -> list[Fact]`; they run in the
order of EXTRACTORS over one shared Context (posts first: the others reuse its analysis).
"""
from __future__ import annotations

import importlib

from dtkg.model import Fact
from dtkg.text import Document

EXTRACTOR_MODULES = ("posts", "headed", "meetings", "links", "documents", "rankings", "renames")


def extractors():
    """The extractor modules that are installed, in order."""
    mods = []
    for name in EXTRACTOR_MODULES:
        try:
            mods.append(importlib.import_module(f"dtkg.extract.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"dtkg.extract.{name}":
                raise
    return mods


def versions() -> dict[str, str]:
    """Extractor name -> version, for provenance."""
    return {m.NAME: m.VERSION for m in extractors()}


def extract_all(document: Document) -> list[Fact]:
    """Every fact the extractors find in one document."""
    from dtkg.extract.context import Context

    ctx = Context(document)
    facts: list[Fact] = []
    for module in extractors():
        facts.extend(module.extract(ctx))
    return facts
