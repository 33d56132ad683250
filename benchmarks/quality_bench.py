"""SHACL validation, reasoning and dumps: dtkg's fast path against the reference library, same answers checked."""
from __future__ import annotations

import logging
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


# ---------------------------------------------------------------- SHACL: compiled engine against pySHACL

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA, ORG, DTKG, DCT = ("http://www.w3.org/ns/oa#", "http://www.w3.org/ns/org#", "https://w3id.org/dtkg/ontology#",
                      "http://purl.org/dc/terms/")
NEW = "https://w3id.org/dtkg/id/bench-mutation/"


def _parts(line: str) -> tuple[str, str, str]:
    s, p, o = line[:-3].split(" ", 2)
    return s, p, o


def _first(lines: list[str], pred: str, obj: str | None = None) -> int | None:
    """Index of the first line with predicate `pred` (and object `obj`), None when there is none."""
    for i, line in enumerate(lines):
        s, p, o = _parts(line)
        if p == pred and (obj is None or o == obj):
            return i
    return None


def _typed(lines: list[str], cls: str) -> list[str]:
    return sorted({_parts(x)[0] for x in lines if _parts(x)[1] == RDF_TYPE and _parts(x)[2] == f"<{cls}>"})


def _set_object(pred: str, value, obj: str | None = None):
    """Replace the object of the first `pred` line: `value` is a term, or a function of (object, lines)."""
    def mutate(lines):
        i = _first(lines, pred, obj)
        if i is None:
            return None
        s, p, o = _parts(lines[i])
        new = value(o, lines) if callable(value) else value
        return None if new is None else lines[:i] + [f"{s} {p} {new} .\n"] + lines[i + 1:]
    return mutate


def _drop_lines(test):
    def mutate(lines):
        kept = [x for x in lines if not test(*_parts(x), lines)]
        return kept if len(kept) < len(lines) else None
    return mutate


def _add_lines(make):
    def mutate(lines):
        added = make(lines)
        return None if not added else lines + [f"{x} .\n" for x in added]
    return mutate


def _swap_span(lines):
    i = _first(lines, f"<{OA}start>")
    if i is None:
        return None
    node = _parts(lines[i])[0]
    j = next((k for k, x in enumerate(lines) if _parts(x)[:2] == (node, f"<{OA}end>")), None)
    if j is None or _parts(lines[i])[2] == _parts(lines[j])[2]:
        return None
    out = list(lines)
    out[i], out[j] = f"{node} <{OA}start> {_parts(lines[j])[2]} .\n", f"{node} <{OA}end> {_parts(lines[i])[2]} .\n"
    return out


def _article_date(o, lines):
    return f'"2022-13-45"^^<{XSD}date>'


def _other_person(o, lines):
    others = [p for p in _typed(lines, DTKG + "Person") if p != o]
    return others[0] if others else None


def _an_organisation(o, lines):
    i = _first(lines, f"<{ORG}organization>")
    return _parts(lines[i])[2] if i is not None else None


def _a_person(o, lines):
    people = _typed(lines, DTKG + "Person")
    return people[0] if people else None


def _english_person_label(lines):
    people = set(_typed(lines, DTKG + "Person"))
    for i, line in enumerate(lines):
        s, p, o = _parts(line)
        if s in people and p == RDFS_LABEL and o.endswith("@vi"):
            return lines[:i] + [f"{s} {p} {o[:-3]}@en .\n"] + lines[i + 1:]
    return None


def _cited(s, p, o, lines):
    """The citations of the first annotation only facts cite (facts belong to one article graph; a
    meeting or document may be cited from several, and keeps its evidence there)."""
    citing: dict = {}
    for line in lines:
        cs, cp, co = _parts(line)
        if cp == f"<{DTKG}evidence>":
            citing.setdefault(co, set()).add(cs)
    only_facts = sorted(a for a, who in citing.items() if all("/id/fact/" in x for x in who))
    return bool(only_facts) and p == f"<{DTKG}evidence>" and o == only_facts[0]


def _rank_and_score(s, p, o, lines):
    entries = _typed(lines, DTKG + "RankingEntry")
    return bool(entries) and s == entries[0] and p in (f"<{DTKG}rank>", f"<{DTKG}score>")


def _observed_on(s, p, o, lines):
    i = _first(lines, f"<{DTKG}observedOn>")
    return i is not None and (s, p) == _parts(lines[i])[:2]


def _second_member(lines):
    i = _first(lines, f"<{ORG}member>")
    if i is None:
        return None
    s, p, o = _parts(lines[i])
    other = _other_person(o, lines)
    return [f"{s} {p} {other}"] if other else None


def _same_as(lines):
    people = _typed(lines, DTKG + "Person")
    return [f"{people[0]} <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1>"] if people else None


def _untagged_label(lines):
    i = _first(lines, f"<{ORG}organization>")
    return [f'{_parts(lines[i])[2]} {RDFS_LABEL} "không có thẻ ngôn ngữ"'] if i is not None else None


def _validity_string(lines):
    i = _first(lines, f"<{ORG}organization>")
    return [f'{_parts(lines[i])[2]} <{DTKG}validFrom> "2020"'] if i is not None else None


def _second_quote(lines):
    targets = _typed(lines, OA + "SpecificResource")
    if not targets:
        return None
    extra = f"<{NEW}quote>"
    return [f"{targets[0]} <{OA}hasSelector> {extra}", f"{extra} {RDF_TYPE} <{OA}TextQuoteSelector>",
            f'{extra} <{OA}exact> "x"']


def _post_without_vietnamese_name(lines):
    i = _first(lines, f"<{ORG}organization>")
    j = _first(lines, f"<{ORG}role>")
    if i is None or j is None:
        return None
    post = f"<{NEW}post>"
    return [f"{post} {RDF_TYPE} <{ORG}Post>", f'{post} {RDFS_LABEL} "a post"@en',
            f"{post} <{ORG}postIn> {_parts(lines[i])[2]}", f"{post} <{ORG}role> {_parts(lines[j])[2]}"]


def _unsourced_meeting(lines):
    meeting = f"<{NEW}meeting>"
    return [f"{meeting} {RDF_TYPE} <{DTKG}Meeting>", f'{meeting} {RDFS_LABEL} "Phiên họp"@vi']


def _subclass_in_article(lines):
    cls, node = f"<{NEW}class>", f"<{NEW}person>"
    return [f"{cls} <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{DTKG}Person>", f"{node} {RDF_TYPE} {cls}",
            f'{node} {RDFS_LABEL} "Nobody"@en']


# Deterministic mutations of article graphs, each breaking one kind of constraint of the shapes. They
# touch only nodes of their own article graph (facts, evidence, the article) or add values or new nodes,
# so a batch of article graphs (validate_per_graph) and one graph at a time (the engine) must agree.
SHACL_MUTATIONS = [
    ("ill-typed article date (datatype, equals)", _set_object(f"<{DCT}date>", _article_date)),
    ("checksum breaks the pattern", _set_object(f"<{DTKG}textSha256>", '"XYZ"')),
    ("second org:member (maxCount)", _add_lines(_second_member)),
    ("member is an organisation (class)", _set_object(f"<{ORG}member>", _an_organisation)),
    ("negative oa:start (minInclusive)", _set_object(f"<{OA}start>", f'"-5"^^<{XSD}integer>')),
    ("ill-typed oa:start (or)", _set_object(f"<{OA}start>", f'"-5"^^<{XSD}nonNegativeInteger>')),
    ("start after end (lessThanOrEquals)", _swap_span),
    ("empty quote (minLength)", _set_object(f"<{OA}exact>", '""')),
    ("owl:sameAs (SPARQL)", _add_lines(_same_as)),
    ("person label in English (languageIn)", _english_person_label),
    ("unknown connection status (in)", _set_object(f"<{DTKG}connectionStatus>", f"<{DTKG}Unknown>")),
    ("uncited evidence (minCount on ^dtkg:evidence)", _drop_lines(_cited)),
    ("evidence without target (minCount)", _drop_lines(lambda s, p, o, lines: p == f"<{OA}hasTarget>")),
    ("ranking year as integer (datatype)", _set_object(f"<{DTKG}rankingYear>", lambda o, lines: o.replace(
        f"<{XSD}gYear>", f"<{XSD}integer>"))),
    ("untagged label (datatype on an alternative path)", _add_lines(_untagged_label)),
    ("validity date as a string (targetSubjectsOf)", _add_lines(_validity_string)),
    ("ranking entry without rank or score (or)", _drop_lines(_rank_and_score)),
    ("role is a person (or)", _set_object(f"<{ORG}role>", _a_person)),
    ("fact without observation date (warning)", _drop_lines(_observed_on)),
    ("second quote selector (qualifiedMaxCount)", _add_lines(_second_quote)),
    ("post without a Vietnamese name (qualifiedMinCount)", _add_lines(_post_without_vietnamese_name)),
    ("meeting without a source (or of node shapes)", _add_lines(_unsourced_meeting)),
    ("subclass axiom in the article", _add_lines(_subclass_in_article)),
]


def mutate_sample(graphs: list[tuple[str, list[str]]]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The sample with some graphs replaced by mutated copies: each mutation applied to the first graph
    (from the i-th on, for the i-th mutation) it applies to and that no other mutation changed."""
    graphs = list(graphs)
    used: set[int] = set()
    applied = []
    for number, (name, mutate) in enumerate(SHACL_MUTATIONS):
        order = list(range(len(graphs)))
        order = order[number % max(len(graphs), 1):] + order[:number % max(len(graphs), 1)]
        for i in order:
            if i in used:
                continue
            changed = mutate(list(graphs[i][1]))
            if changed is not None and changed != graphs[i][1]:
                graphs[i] = (graphs[i][0], sorted(set(changed)))
                used.add(i)
                applied.append(name)
                break
    return graphs, applied


def _engine_run(engine, graphs: list[tuple[str, list[str]]], checked: list | None = None) -> tuple[list, int]:
    """The engine over article graphs, as validate_per_graph does it: each graph's results plus the
    vocabulary's results about nodes no article graph adds to. `checked`: each graph's results, when
    the graphs were checked already."""
    from dtkg.validate.report import sort_key
    from dtkg.validate.terms import to_nt

    if checked is None:
        checked = [engine.check(lines) for _, lines in graphs]
    found, subjects, quads = set(), set(), 0
    for (_, lines), results in zip(graphs, checked):
        found.update(results)
        subjects.update(line[:line.index(" ")] for line in lines)
        quads += len(lines)
    found.update(v for v in engine.check_vocabulary() if to_nt(v.focus) not in subjects)
    return sorted(found, key=sort_key), quads


def bench_shacl(out: Path, sample: int, jobs: int) -> list[Row]:
    """The compiled SHACL engine over every article graph of the build, and on a sample (plus mutated
    graphs) against pySHACL: per graph (validate_per_graph) and on the whole sample (validate)."""
    import tempfile

    from dtkg import dump
    from dtkg import store as st
    from dtkg.validate import load_shapes, validate, validate_per_graph
    from dtkg.validate.engine import Engine

    store = st.open_read_only(out / "store")
    vocabulary = rdflib.Graph()
    for graph in (st.ONTOLOGY, st.REFERENCE):
        vocabulary.parse(data="".join(dump.graph_lines(store, graph)), format="nt")
    setup = timed(lambda: Engine(load_shapes(), vocabulary))
    engine = setup.value
    scratch = Path(tempfile.mkdtemp(prefix="shacl-bench-"))
    try:
        read = timed(lambda: list(dump.article_graphs(store, scratch / "all.nq")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    graphs = read.value
    full = timed(lambda: [engine.check(lines) for _, lines in graphs])  # the engine's work only
    found, quads = _engine_run(engine, graphs, full.value)
    errors = sum(1 for v in found if v.severity == "Violation")
    label = f"{quads / 1e6:.2f}M quads"
    total = read.seconds + full.seconds
    per_graph_ms = 1000 * full.cpu / max(len(graphs), 1)
    per_340 = per_graph_ms * 340 / max(quads / max(len(graphs), 1), 1)
    rows = [
        Row("shacl", label, "compiled engine, every article graph (1 process)", round(full.seconds, 1), "s",
            note=f"CPU {full.cpu:.1f} s; {len(graphs)} graphs, {quads} quads, {len(graphs) / full.seconds:.0f} "
                 f"graphs/s; conforms={errors == 0}, {errors} violations, {len(found) - errors} warnings"),
        Row("shacl", label, "reading the article graphs from the store", round(read.seconds, 1), "s"),
        Row("shacl", label, "validation of the whole build (read + engine)", round(total, 1), "s", "< 60 s at >= 1M",
            total < 60 if quads >= 1_000_000 else None),
        Row("shacl", label, "engine CPU per article graph", round(per_graph_ms, 3), "ms",
            note=f"{per_340:.3f} ms per 340 triples; engine set-up {setup.seconds:.2f} s (in a build it runs in the "
                 "worker processes, on each article as it is extracted)"),
    ]
    read.value = full.value = graphs = found = None  # 1M lines: free them before the sample
    originals = [(g.value, dump.graph_lines(store, g)) for g in article_graphs(store)[:sample]]
    mutated, applied = mutate_sample(originals)
    rows += _compare_sample(engine, vocabulary, originals, mutated, applied, jobs, validate, validate_per_graph)
    return rows


def _dataset(graphs: list[tuple[str, list[str]]]) -> rdflib.Dataset:
    # The mutated graphs hold ill-typed literals on purpose; rdflib would log a traceback for each.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    ds = rdflib.Dataset()
    for gid, lines in graphs:
        ds.graph(rdflib.URIRef(gid)).parse(data="".join(lines), format="nt")
    return ds


def _compare_sample(engine, vocabulary, originals, mutated, applied, jobs, validate, validate_per_graph) -> list[Row]:
    """Engine against pySHACL on the sample as built and with the mutated graphs: verdicts, Violation sets, time."""
    rows: list[Row] = []
    slabel = f"{len(originals)} art + {len(applied)} mutated"
    every = [("as built", originals), ("mutated", mutated)]
    ours_time = theirs_time = 0.0
    for name, graphs in every:
        ours = timed(lambda: engine.result(_engine_run(engine, graphs)[0]))
        dataset = _dataset(graphs)
        theirs = timed(lambda: validate_per_graph(dataset, ont_graph=vocabulary, jobs=jobs))
        ours_time, theirs_time = ours_time + ours.seconds, theirs_time + theirs.seconds
        same_verdict = ours.value.conforms == theirs.value.conforms
        only_ours = set(ours.value.violations) - set(theirs.value.violations)
        only_theirs = set(theirs.value.violations) - set(ours.value.violations)
        same = not only_ours and not only_theirs
        note = f"{len(ours.value.violations)} results" if same else \
            f"only engine {len(only_ours)}, only pySHACL {len(only_theirs)}: e.g. {sorted(map(str, only_ours or only_theirs))[:1]}"
        rows += [
            Row("shacl", slabel, f"same verdict as pySHACL per graph ({name})", same_verdict, "", "True", same_verdict,
                f"conforms={theirs.value.conforms}"),
            Row("shacl", slabel, f"same answer as pySHACL per graph: Violation set ({name})", same, "", "True", same,
                note[:300]),
        ]
        if name == "mutated":
            caught = bool(applied) and len(theirs.value.violations) > 0 and not ours.value.conforms
            rows.append(Row("shacl", slabel, "same answer: the mutations are caught by both engines", caught, "",
                            "True", caught, f"{len(applied)} of {len(SHACL_MUTATIONS)} mutations applied: "
                            + "; ".join(applied)[:250]))
            whole = timed(lambda: validate(dataset, ont_graph=vocabulary))
            same_whole = set(whole.value.violations) == set(ours.value.violations)
            rows += [
                Row("shacl", slabel, "pySHACL whole graph (mutated sample)", round(whole.seconds, 2), "s"),
                Row("shacl", slabel, "speed-up vs pySHACL whole graph", round(whole.seconds / ours.seconds, 1), "×"),
                Row("shacl", slabel, "same answer as pySHACL whole graph (mutated)", same_whole, "", "True",
                    same_whole, f"whole {len(whole.value.violations)}, engine {len(ours.value.violations)}"),
            ]
    rows[0:0] = [
        Row("shacl", slabel, "compiled engine (sample, both versions)", round(ours_time, 3), "s"),
        Row("shacl", slabel, f"pySHACL per graph (sample, both versions, {jobs} jobs)", round(theirs_time, 2), "s"),
        Row("shacl", slabel, "speed-up vs pySHACL per graph", round(theirs_time / ours_time, 1), "×"),
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
