"""Per-article pieces of the dumps and of the inferred graph, made where the article is processed.

A 100k-article build has tens of millions of triples; reading them back from the store
to write dumps and reason would cost minutes. Instead each article's N-Triples lines are
turned, in the worker process that extracted them, into: its TriG block, the parts of the
merged graph only this article can state (about its own facts, evidence and article
resource), the lines it shares with other articles (entity types and labels, meetings,
documents: de-duplicated by the build), and the triples the reasoning rules derive from it.

The rules of `dtkg.reason` each have a single premise apart from owl:TransitiveProperty
(which the ontology does not use; the build falls back to `reason.reason` if it does), so
the closure of the union of the article graphs is the union of their closures: each
worker closes its own article, the build removes what some other graph asserts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from dtkg.namespaces import GRAPH, ID, RDF
from dtkg.rdf.iris import doc_key
from dtkg.reason import Schema, schema_from_triples

TYPE_NT = f"<{RDF.type}>"
INFERRED_GRAPH = f"<{GRAPH['inferred']}>"
_LOCAL_NAME = "[A-Za-z_][A-Za-z0-9_-]*"  # what a prefixed name may end with here
Triple = tuple[str, str, str]


# --- N-Triples lines ---------------------------------------------------------------------

def split_nt(line: str) -> Triple:
    """'<s> <p> o .\\n' → ('<s>', '<p>', 'o'): IRIs hold no spaces, the object takes the rest."""
    s, p, o = (line[:-3] if line[-3:] == " .\n" else line.rstrip("\n")[:-2]).split(" ", 2)
    return s, p, o


def join_nt(t: Triple) -> str:
    return f"{t[0]} {t[1]} {t[2]} .\n"


class Abbreviator:
    """Writes terms in Turtle with vocabulary prefixes; data IRIs stay whole (their paths hold '/').

    The build makes one per article: abbreviators with the same prefixes share one matcher
    and one cache of written IRIs (`_abbreviations`), since a term is written alike by each.
    """

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self._match, self._names, self.cache = _abbreviations(tuple(self.prefixes))

    def iri(self, term: str) -> str:
        short = self.cache.get(term)
        if short is None:
            m = self._match(term)
            short = self._remember(term, term if m is None else f"{self._names[m.group(1)]}:{m.group(2)}")
        return short

    def term(self, term: str) -> str:
        if term[0] == "<":
            return self.iri(term)
        if term[-1] == ">":
            i = term.rfind("^^<")
            if i > 0:  # typed literals repeat (dates, text positions): cached like IRIs
                return self._remember(term, term[:i + 2] + self.iri(term[i + 2:]))
        return term

    def _remember(self, term: str, short: str) -> str:
        if len(self.cache) >= 100_000:  # data terms keep coming: start afresh rather than stop caching
            self.cache.clear()
        self.cache[term] = short
        return short

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes)) + "\n"


@lru_cache(maxsize=8)
def _abbreviations(prefixes: tuple[tuple[str, str], ...]) -> tuple:
    """(match, prefix of each namespace, shared IRI cache) for prefixes in longest-namespace-first order.

    One regex tries the namespaces in that order, each followed by a whole local name,
    backtracking to the next namespace when the rest fails: it finds the first prefix whose
    namespace starts the IRI and leaves a valid local name, as a loop over the prefixes would.
    """
    namespaces = "|".join(re.escape(ns) for _, ns in prefixes)
    pattern = re.compile(f"<({namespaces})({_LOCAL_NAME})>\\Z")
    names: dict[str, str] = {}
    for prefix, ns in prefixes:
        names.setdefault(ns, prefix)
    return pattern.match, names, {}


def turtle(triples: list[Triple], ab: Abbreviator, indent: str = "") -> str:
    """Sorted triples as Turtle statements, one subject per block (`;` and `,` within it)."""
    out: list[str] = []
    prev_s = prev_p = None
    short = ab.cache.get  # terms written before (most IRIs and typed literals)
    for s, p, o in triples:
        pred = "a" if p == TYPE_NT else (short(p) or ab.term(p))
        obj = short(o) or ab.term(o)
        if s != prev_s:
            if prev_s is not None:
                out.append(" .\n")
            out.append(f"{indent}{short(s) or ab.term(s)} {pred} {obj}")
        elif p != prev_p:
            out.append(f" ;\n{indent}    {pred} {obj}")
        else:
            out.append(f" , {obj}")
        prev_s, prev_p = s, p
    if prev_s is not None:
        out.append(" .\n")
    return "".join(out)


def trig_block(graph: str, triples: list[Triple], ab: Abbreviator) -> str:
    """One named graph of the TriG dump."""
    return f"{graph} {{\n{turtle(triples, ab)}}}\n\n"


# --- reasoning on N-Triples terms -----------------------------------------------------------

@dataclass
class NTSchema:
    """A closed `reason.Schema` keyed by N-Triples term strings."""

    sup_class: dict = field(default_factory=dict)
    sup_prop: dict = field(default_factory=dict)
    inverse: dict = field(default_factory=dict)
    domain: dict = field(default_factory=dict)
    range: dict = field(default_factory=dict)
    transitive: set = field(default_factory=set)

    def __post_init__(self):
        # the predicates some rule fires on, apart from rdf:type (the schema is not changed once made)
        self.firing = frozenset(self.sup_prop.keys() | self.domain.keys() | self.inverse.keys() | self.range.keys())

    @classmethod
    def of(cls, schema: Schema) -> "NTSchema":
        conv = lambda d: {str(k): {str(v) for v in vs} for k, vs in d.items()}  # noqa: E731
        return cls(conv(schema.sup_class), conv(schema.sup_prop), conv(schema.inverse), conv(schema.domain),
                   conv(schema.range), {str(p) for p in schema.transitive})


def derive(t: Triple, schema: NTSchema):
    """What the single-premise rules derive from one triple (as `reason.derive`)."""
    s, p, o = t
    if p == TYPE_NT:
        for c in schema.sup_class.get(o, ()):
            yield s, TYPE_NT, c
        return
    for q in schema.sup_prop.get(p, ()):
        yield s, q, o
    for c in schema.domain.get(p, ()):
        yield s, TYPE_NT, c
    if o[0] == '"':
        return
    for q in schema.inverse.get(p, ()):
        yield o, q, s
    for c in schema.range.get(p, ()):
        yield o, TYPE_NT, c


def closure(triples: list[Triple], schema: NTSchema) -> set[Triple]:
    """The triples the rules add to `triples` (not already among them), to a fixpoint."""
    asserted = set(triples)
    inferred: set[Triple] = set()
    classes, firing = schema.sup_class, schema.firing
    delta = triples
    while delta:
        delta = [t for t in delta if (t[2] in classes if t[1] == TYPE_NT else t[1] in firing)]  # what some rule fires on
        new = []
        for t in delta:
            for d in derive(t, schema):
                if d not in asserted and d not in inferred:
                    inferred.add(d)
                    new.append(d)
        delta = new
    return inferred


@lru_cache(maxsize=1)
def project_schema() -> NTSchema:
    """The schema of the ontology and reference files (what the store's graphs will hold)."""
    from dtkg.resources import folder
    from dtkg.store import ONTOLOGY, ONTOLOGY_FILES, REFERENCE_FILES, skolemize

    triples = []
    for name in (*ONTOLOGY_FILES, *REFERENCE_FILES):
        path = folder("ontology") / name
        if path.exists():
            quads = skolemize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), path.stem, ONTOLOGY)
            triples += [(q.subject, q.predicate, q.object) for q in quads]
    return NTSchema.of(schema_from_triples(triples))


# --- one article -----------------------------------------------------------------------------

@dataclass
class ArticleParts:
    """What one article contributes to the store, the dumps and the inferred graph."""

    nquads: bytes  # for the store (the text pieces are UTF-8, encoded where the article is processed)
    triples: int
    trig: bytes  # its block of the TriG dump
    own_nt: bytes  # merged-graph lines no other graph can state
    own_ttl: bytes
    shared: list[bytes]  # merged-graph lines other graphs may state too (sorted)
    inferred_own: list[str] = field(default_factory=list)  # what the rules derive about its own nodes
    inferred_shared: list[str] = field(default_factory=list)  # … about shared nodes (the build de-duplicates)
    inferred_nquads: bytes = b""  # inferred_own in dtkgg:inferred, for the store
    inferred_ttl: bytes = b""  # inferred_own in Turtle, for the dumps


def own_prefixes(doc_id: str) -> tuple[str, ...]:
    """Subjects only this article's graph speaks about: its article resource, facts and evidence."""
    return key_prefixes(doc_key(doc_id))


def key_prefixes(key: str) -> tuple[str, ...]:
    """`own_prefixes` of the article whose `{doc}` path segment is `key`."""
    return (f"<{ID}article/{key}>", f"<{ID}fact/{key}/", f"<{ID}evidence/{key}/")


def article_parts(doc_id: str, graph: str, lines: list[str], ab: Abbreviator,
                  schema: NTSchema | None) -> ArticleParts:
    """Cut one article's N-Triples lines into its parts (see the module docstring)."""
    terms = getattr(lines, "terms", {})  # emit.Lines: the terms of each line, as split_nt gives them
    lines = sorted(set(lines))
    triples = [terms.get(line) or split_nt(line) for line in lines]
    own = own_prefixes(doc_id)
    mine = [t[0].startswith(own) for t in triples]
    own_t = [t for t, m in zip(triples, mine) if m]
    own_ttl = turtle(own_t, ab)
    shared_t = [t for t, m in zip(triples, mine) if not m]
    parts = ArticleParts(  # ("".join of a list: faster than of a generator, which it makes into a list first)
        nquads="".join([f"{line[:-3]} {graph} .\n" for line in lines]).encode("utf-8"), triples=len(lines),
        trig=f"{graph} {{\n{own_ttl}{turtle(shared_t, ab)}}}\n\n".encode("utf-8"),
        own_nt="".join([line for line, m in zip(lines, mine) if m]).encode("utf-8"), own_ttl=own_ttl.encode("utf-8"),
        shared=[line.encode("utf-8") for line, m in zip(lines, mine) if not m],
    )
    if schema is not None:
        own_inferred = []
        for t in sorted(closure(triples, schema)):
            if t[0].startswith(own):
                own_inferred.append(t)
                parts.inferred_own.append(join_nt(t))
            else:
                parts.inferred_shared.append(join_nt(t))
        parts.inferred_nquads = "".join([f"{line[:-3]} {INFERRED_GRAPH} .\n" for line in parts.inferred_own]).encode("utf-8")
        parts.inferred_ttl = turtle(own_inferred, ab).encode("utf-8")
    return parts
