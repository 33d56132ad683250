"""Mint the IRIs of docs/MODEL.md: deterministic, from names and keys, never from counters.

Every function here is pure: the same entity, document id or fact gives the same IRI in
every run and on every machine.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import URIRef

from dtkg.model import Entity, Fact
from dtkg.namespaces import GRAPH, ID
from dtkg.slug import slug as _slug_uncached

slug = lru_cache(maxsize=1 << 16)(_slug_uncached)  # names repeat in and across articles

__all__ = [
    "doc_key", "article_iri", "article_graph_iri", "entity_iri", "fact_iri", "fact_node",
    "evidence_iri", "agent_iri", "post_role", "index_iri", "change_iri", "document_kind_iri", "split_extractor",
    "web_iri",
]

_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def web_iri(url: str | None) -> URIRef | None:
    """An article's http(s) URL as an IRI, or None when there is none or it is not http(s).

    Spaces and other characters an IRI cannot hold are percent-encoded, and so is a `%` that
    starts no escape; a URL that is still not an IRI (a broken host, say) raises ValueError,
    so the article is rejected with that reason instead of failing the store load.
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    iri = quote(_STRAY_PERCENT.sub("%25", url), safe=":/?#@!$&'()*+,;=%~-._")
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ValueError(f"invalid url {url!r}: {exc}") from None
    return URIRef(iri)


_SAFE_DOC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_PATH_KIND = {
    "person": "person", "org": "org", "province": "province", "system": "system",
    "role": "role", "country": "country",
}
# The arguments that identify a fact of each type (the node IRI hashes them).
KEY_FIELDS = {
    "post": ("person", "role", "org"),
    "headed_by_post": ("org", "post"),
    "presides": ("person", "meeting"),
    "links": ("subject", "object", "status"),
    "operates": ("org", "system"),
    "ranking": ("entity", "index", "year"),
}


def doc_key(doc_id: str) -> str:
    """The `{doc}` path segment of an article: its id when IRI-safe, else slug + short hash."""
    if _SAFE_DOC.match(doc_id):
        return doc_id
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8]
    return f"{slug(doc_id)[:80] or 'doc'}-{digest}"


def article_iri(doc_id: str) -> URIRef:
    """`dtkgr:article/{doc}`."""
    return ID[f"article/{doc_key(doc_id)}"]


def article_graph_iri(doc_id: str) -> URIRef:
    """`dtkgg:article/{doc}`: the named graph of everything one article says."""
    return GRAPH[f"article/{doc_key(doc_id)}"]


def _tail(iri: str) -> str:
    """The last path segment of an IRI (the slug of a reference resource)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _key_path(key: str) -> str:
    """A key written as 'a/b/c' → 'slug(a)/slug(b)/slug(c)'."""
    parts = [slug(part) for part in key.split("/")]
    return "/".join(p for p in parts if p) or "unnamed"


def entity_iri(entity: Entity) -> URIRef:
    """The IRI of an entity: its reference IRI when resolved, else minted from kind and key."""
    if entity.ref:
        return URIRef(entity.ref)
    kind = entity.kind
    if kind in _PATH_KIND:
        return ID[f"{_PATH_KIND[kind]}/{slug(entity.key) or 'unnamed'}"]
    if kind == "post":
        return ID[f"post/{_post_path(entity)}"]
    if kind == "meeting":
        return ID[f"meeting/{_meeting_path(entity)}"]
    if kind == "document":
        return ID[f"document/{_document_path(entity)}"]
    raise ValueError(f"unknown entity kind {kind!r}")


def post_role(post: Entity) -> URIRef | None:
    """The role concept of a post: its `role` Entity, or its `role_iri`, or a role minted from a title."""
    role = post.get("role")
    if isinstance(role, Entity):
        return entity_iri(role)
    if post.get("role_iri"):
        return URIRef(post.get("role_iri"))
    if isinstance(role, str) and slug(role):
        return ID[f"role/{slug(role)}"]
    return None


def _post_path(post: Entity) -> str:
    org, role = post.get("org"), post_role(post)
    if isinstance(org, Entity) and role is not None:
        return f"{_tail(entity_iri(org))}/{_tail(role)}"
    return _key_path(post.key)


def _meeting_path(meeting: Entity) -> str:
    """`{slug(org)}/{ordinal}`, else `/{date}`, else `/{slug(event)}` (MODEL.md)."""
    org = meeting.get("org")
    if not isinstance(org, Entity):
        return _key_path(meeting.key)
    ordinal, date = meeting.get("ordinal"), meeting.get("date")
    if ordinal is not None:
        last = str(int(ordinal))
    elif isinstance(date, dt.date):
        last = date.isoformat()
    else:
        last = slug(meeting.get("event") or meeting.name) or "unnamed"
    return f"{_tail(entity_iri(org))}/{last}"


def _document_path(doc: Entity) -> str:
    """`{slug(kind)}-{slug(number)}`, plus `-{slug(issuer)}` when the number is bare digits."""
    kind, number, issuer = doc.get("kind"), doc.get("number"), doc.get("issuer")
    if not kind or not number:
        return slug(doc.key) or "unnamed"
    path = f"{slug(kind)}-{slug(str(number))}"
    if str(number).strip().isdigit() and issuer is not None:
        path += "-" + (_tail(entity_iri(issuer)) if isinstance(issuer, Entity) else slug(str(issuer)))
    return path


def index_iri(name: str) -> URIRef:
    """`dtkgr:index/{slug(name)}` (the DTI ranking is `dtkgr:index/dti`)."""
    return ID[f"index/{slug(name)}"]


def change_iri(old: Entity, new: Entity) -> URIRef:
    """`dtkgr:change/{slug(old)}--{slug(new)}`: a renaming or merger event."""
    return ID[f"change/{_tail(entity_iri(old))}--{_tail(entity_iri(new))}"]


def document_kind_iri(kind: str) -> URIRef:
    """The concept of a document kind ("Nghị quyết" → `dtkgr:document-kind/nghi-quyet`)."""
    return ID[f"document-kind/{slug(kind)}"]


def _key_value(value: Any) -> str:
    if isinstance(value, Entity):
        return str(entity_iri(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def fact_iri(doc_id: str, fact: Fact) -> URIRef:
    """`dtkgr:fact/{doc}/{type}-{sha1(type + key fields)[:12]}`."""
    fields = KEY_FIELDS.get(fact.type) or tuple(sorted(fact.args))
    material = "\x1f".join([fact.type, *(f"{k}={_key_value(fact.args.get(k))}" for k in fields)])
    digest = hashlib.sha1(material.encode("utf-8")).hexdigest()[:12]
    return ID[f"fact/{doc_key(doc_id)}/{fact.type}-{digest}"]


def fact_node(doc_id: str, fact: Fact) -> URIRef:
    """The node a fact's provenance hangs on: the meeting, document or change event it
    describes, else a fact node."""
    if fact.type == "meeting":
        return entity_iri(fact.args["meeting"])
    if fact.type == "document":
        return entity_iri(fact.args["document"])
    if fact.type == "renamed":
        return change_iri(fact.args["old"], fact.args["new"])
    return fact_iri(doc_id, fact)


def evidence_iri(doc_id: str, start: int, end: int) -> URIRef:
    """`dtkgr:evidence/{doc}/{start}-{end}`; target and selectors append `/target` etc."""
    return ID[f"evidence/{doc_key(doc_id)}/{start}-{end}"]


def split_extractor(extractor: str) -> tuple[str, str | None]:
    """'name@1.2' or 'name/1.2' → ('name', '1.2'); a bare name has no version."""
    for sep in ("@", "/"):
        if sep in extractor:
            name, version = extractor.split(sep, 1)
            return name, version or None
    return extractor, None


def agent_iri(extractor: str) -> URIRef:
    """`dtkgr:agent/extractor/{name}`."""
    return ID[f"agent/extractor/{slug(split_extractor(extractor)[0]) or 'unnamed'}"]
