"""Extraction: a normalised Document in, facts with evidence out (pure: no I/O, no RDF).

Each extractor module has NAME, VERSION and `extract(ctx) -> list[Fact]`; they run in the
order of `extractors()` over one shared Context (posts first: the others reuse its analysis).
"""
from __future__ import annotations

from dtkg.model import Fact
from dtkg.text import Document


def extractors():
    """The extractor modules, in the order they run."""
    from dtkg.extract import documents, headed, links, meetings, posts, rankings, renames

    return (posts, headed, meetings, links, documents, rankings, renames)


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
    return complete_names(facts)


def complete_names(facts: list[Fact]) -> list[Fact]:
    """An organisation named in part ("Cục Công nghệ thông tin") where the same article gives its
    full name ("Cục Công nghệ thông tin, Bộ Giáo dục và Đào tạo") is that body."""
    from dtkg.model import Entity

    named = {v.key: v for f in facts for v in f.args.values()
             if isinstance(v, Entity) and v.kind == "org" and v.ref is None}
    longer: dict[str, Entity] = {}
    for key, ent in named.items():
        fuller = [o for k, o in named.items() if k.startswith(key + " ") or k.startswith(key + ", ")]
        if len(fuller) == 1:
            longer[key] = fuller[0]
    if not longer:
        return facts
    for fact in facts:
        for name, value in list(fact.args.items()):
            if isinstance(value, Entity) and value.key in longer:
                fact.args[name] = longer[value.key]
    return facts
