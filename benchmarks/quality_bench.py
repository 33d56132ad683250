"""SHACL validation, reasoning and dumps: dtkg's fast path against the reference library, same answers checked."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import rdflib

from measure import Row, human_bytes, timed

XSD_STRING = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#string")


def _open(out: Path) -> ox.Store:
    return ox.Store.read_only(str(out / "store"))


def _to_rdflib(store: ox.Store, graph: ox.NamedNode, into: rdflib.Graph) -> None:
    into.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph), format="nt")


def article_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The store's article graphs, sorted by IRI."""
    from dtkg import store as st

    return sorted((g for g in store.named_graphs() if st.is_article_graph(g)), key=lambda g: g.value)


def _violation_keys(result) -> set:
    return {(str(v.focus), str(v.shape), v.path, v.message) for v in result.errors}


def bench_shacl(out: Path, sample: int, jobs: int) -> list[Row]:
    """The build's per-graph validation on the whole store, and on a sample against one pySHACL run."""
    from dtkg import store as st
    from dtkg.build import validate_store
    from dtkg.validate import validate, validate_per_graph

    store = _open(out)
    quads = len(store)
    full = timed(lambda: validate_store(store, jobs))
    label = f"{quads / 1e6:.2f}M quads"
    rows = [
        Row("shacl", label, f"per-graph validation, whole build ({jobs} jobs)", round(full.seconds, 1), "s",
            "< 60 s at >= 1M", full.seconds < 60 if quads >= 1_000_000 else None,
            f"conforms={full.value.conforms}, {len(full.value.errors)} violations"),
    ]
    vocabulary = rdflib.Graph()
    for graph in (st.ONTOLOGY, st.REFERENCE):
        _to_rdflib(store, graph, vocabulary)
    dataset = rdflib.Dataset()
    for graph in article_graphs(store)[:sample]:
        _to_rdflib(store, graph, dataset.graph(rdflib.URIRef(graph.value)))
    triples = sum(1 for _ in dataset.quads((None, None, None, None)))
    fast = timed(lambda: validate_per_graph(dataset, ont_graph=vocabulary, jobs=jobs))
    whole = timed(lambda: validate(dataset, ont_graph=vocabulary))
    same = fast.value.conforms == whole.value.conforms
    same_results = _violation_keys(fast.value) == _violation_keys(whole.value)
    slabel = f"{sample} art, {triples} triples"
    rows += [
        Row("shacl", slabel, "per-graph validation (sample)", round(fast.seconds, 2), "s"),
        Row("shacl", slabel, "pySHACL whole graph (sample)", round(whole.seconds, 2), "s"),
        Row("shacl", slabel, "speed-up vs pySHACL whole graph", round(whole.seconds / fast.seconds, 1), "×"),
        Row("shacl", slabel, "same verdict as pySHACL", same, "", "True", same,
            f"conforms={whole.value.conforms}, {len(whole.value.errors)} violations"),
        Row("shacl", slabel, "same violations as pySHACL", same_results, "", "True", same_results,
            f"per-graph {len(_violation_keys(fast.value))}, whole {len(_violation_keys(whole.value))}"),
    ]
    return rows


def asserted_graph(store: ox.Store, limit: int) -> rdflib.Graph:
    """The union of the ontology, reference and the first `limit` article graphs, as one rdflib graph."""
    from dtkg import store as st

    graph = rdflib.Graph()
    for g in (st.ONTOLOGY, st.REFERENCE, *article_graphs(store)[:limit]):
        _to_rdflib(store, g, graph)
    return graph


def bench_reasoning(out: Path, limit: int) -> list[Row]:
    """dtkg.reason on ~100k asserted triples against owlrl's full OWL RL closure of the same graph."""
    from dtkg import reason

    source = _open(out)
    graph = asserted_graph(source, limit)
    memory = ox.Store()
    g = ox.NamedNode("urn:x-dtkg-bench:asserted")
    memory.extend(ox.Quad(*(reason.to_oxigraph(x) for x in t), g) for t in graph)
    ours = timed(lambda: reason.infer(memory))
    theirs = timed(lambda: reason.owlrl_closure(graph))
    our_closure = set(graph) | {tuple(reason.to_rdflib(x) for x in t) for t in ours.value}
    a, b = reason.restricted(_plain_strings(our_closure)), reason.restricted(_plain_strings(theirs.value))
    equal = a == b
    label = f"{len(graph) / 1e3:.0f}k triples"
    ratio = theirs.seconds / ours.seconds
    note = "" if equal else f"only ours {len(a - b)}, only owlrl {len(b - a)}: e.g. {sorted(b - a or a - b)[:1]}"
    return [
        Row("reasoning", label, "dtkg.reason.infer", round(ours.seconds, 2), "s", note=f"{len(ours.value)} inferred"),
        Row("reasoning", label, "owlrl full OWL RL closure", round(theirs.seconds, 1), "s",
            note=f"{len(theirs.value) - len(graph)} new triples"),
        Row("reasoning", label, "speed-up vs owlrl", round(ratio, 1), "×", ">= 20×", ratio >= 20),
        Row("reasoning", label, "equal to owlrl (restricted to our rules)", equal, "", "True", equal, note[:300]),
    ]


def _plain_strings(graph) -> set:
    """owlrl's triples with plain literals typed xsd:string, as RDF 1.1 and pyoxigraph have them."""
    out = set()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype is None and not o.language:
            o = rdflib.Literal(str(o), datatype=XSD_STRING)
        out.add((s, p, o))
    return out


def bench_dump(out: Path, work: Path) -> list[Row]:
    """Turtle and N-Triples of the merged graph: dtkg.dump against rdflib's serialisers, same triples checked."""
    from dtkg import dump

    store = _open(out)
    scratch = work / "dump-bench"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    merged = timed(lambda: dump.merged_store(store, scratch / "merged"))
    ttl, nt = scratch / "ours.ttl", scratch / "ours.nt"
    ours = timed(lambda: dump.write_merged(merged.value, ttl, nt))
    ours_ttl = timed(lambda: merged.value.dump(str(ttl), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                                               prefixes=dump.PREFIXES))
    trig = timed(lambda: dump.write_trig(store, scratch / "ours.trig"))
    graph = rdflib.Graph()
    load = timed(lambda: graph.parse(nt, format="nt"))
    for prefix, ns in dump.PREFIXES.items():
        graph.bind(prefix, ns)
    theirs = timed(lambda: graph.serialize(destination=str(scratch / "rdflib.ttl"), format="turtle"))
    check = rdflib.Graph().parse(ttl, format="turtle")
    same = set(check) == set(graph)
    label = f"{ours.value / 1e6:.2f}M triples"
    ratio = theirs.seconds / ours_ttl.seconds
    rows = [
        Row("dump", label, "merge into scratch store", round(merged.seconds, 2), "s"),
        Row("dump", label, "dtkg Turtle + N-Triples", round(ours.seconds, 2), "s"),
        Row("dump", label, "dtkg Turtle only", round(ours_ttl.seconds, 2), "s", note=human_bytes(ttl.stat().st_size)),
        Row("dump", label, "dtkg TriG (all graphs)", round(trig.seconds, 2), "s"),
        Row("dump", label, "rdflib Turtle serialiser", round(theirs.seconds, 1), "s",
            note=f"after {load.seconds:.0f} s to load the graph"),
        Row("dump", label, "speed-up vs rdflib (Turtle)", round(ratio, 1), "×"),
        Row("dump", label, "same triples as rdflib's graph", same, "", "True", same),
    ]
    del merged
    shutil.rmtree(scratch, ignore_errors=True)
    return rows
