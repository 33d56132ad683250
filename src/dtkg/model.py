"""The plain Python types that flow from the text to the RDF: articles, entities, facts, evidence.

Extractors return these; only `dtkg.rdf` turns them into triples (see docs/MODEL.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

FACT_TYPES = (
    "post",
    "headed_by_post",
    "presides",
    "meeting",
    "links",
    "operates",
    "ranking",
    "document",
    "renamed",
)


@dataclass(frozen=True)
class Article:
    """One source article as read from the corpus, before any clean-up."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    date: dt.date | None = None
    source: str = ""  # file name or "file.jsonl:line" for error messages


@dataclass(frozen=True)
class Entity:
    """A named thing a fact is about, identified by a normalised key (see docs/MODEL.md)."""

    kind: str  # person | org | province | system | role | post | meeting | document | country
    name: str  # canonical display name, as the article gives it, abbreviations expanded
    key: str  # normalised key the IRI is minted from
    ref: str | None = None  # IRI of the reference resource, when the gazetteer resolved one
    cls: str | None = None  # local name of the dtkg: class
    place: "Entity | None" = None  # province an organisation belongs to
    extra: tuple[tuple[str, Any], ...] = ()  # kind-specific details, e.g. (("role", Entity), ("org", Entity))

    def get(self, name: str, default: Any = None) -> Any:
        """Return one of the `extra` details."""
        return dict(self.extra).get(name, default)


@dataclass(frozen=True)
class Evidence:
    """Where a fact is stated: a span of the normalised text (`text[start:end] == quote`)."""

    start: int
    end: int
    quote: str


@dataclass
class Fact:
    """One fact of a GOLD.md type, with the evidence that states it and the extractor that read it."""

    type: str
    args: dict[str, Any]
    evidence: Evidence
    extractor: str
    confidence: float = 1.0
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in FACT_TYPES:
            raise ValueError(f"unknown fact type {self.type!r}")
